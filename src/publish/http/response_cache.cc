#include "publish/http/response_cache.h"

#include <functional>

#include "publish/http/wire.h"

namespace meabridge::publish::http {
namespace {

int64_t SizeOf(const std::string& key, const CachedResponse& e) {
  // The gzip body is not known yet; count half the body for it.
  return static_cast<int64_t>(key.size() + e.headers.size() * 2 + e.body.size() +
                              e.body.size() / 2 + 256);
}

}  // namespace

const std::string& CachedResponse::GzipBody() const {
  std::call_once(gzip_once_, [this] { gzip_body_ = Gzip(body); });
  return gzip_body_;
}

ResponseCache::ResponseCache(int64_t capacity_bytes) : capacity_(capacity_bytes) {}

ResponseCache::Shard& ResponseCache::ShardOf(const std::string& key) const {
  return shards_[std::hash<std::string>{}(key) % kShards];
}

std::shared_ptr<const CachedResponse> ResponseCache::Find(const std::string& key) const {
  if (capacity_ <= 0) return nullptr;
  Shard& s = ShardOf(key);
  std::lock_guard<std::mutex> lock(s.mu);
  auto it = s.map.find(key);
  return it == s.map.end() ? nullptr : it->second;
}

void ResponseCache::Insert(const std::string& key, std::shared_ptr<const CachedResponse> entry) {
  if (capacity_ <= 0 || !entry) return;
  int64_t size = SizeOf(key, *entry);
  if (size > max_entry_bytes()) return;
  int64_t budget = capacity_ / static_cast<int64_t>(kShards);
  Shard& s = ShardOf(key);
  std::lock_guard<std::mutex> lock(s.mu);
  auto [it, fresh] = s.map.try_emplace(key, entry);
  if (!fresh) return;  // another thread rendered the same response first
  s.order.push_back(key);
  s.bytes += size;
  while (s.bytes > budget && s.order.size() > 1) {
    const std::string& oldest = s.order.front();
    auto old = s.map.find(oldest);
    if (old != s.map.end()) {
      s.bytes -= SizeOf(oldest, *old->second);
      s.map.erase(old);
    }
    s.order.pop_front();
  }
}

ResponseCache::Stats ResponseCache::stats() const {
  Stats st;
  for (const Shard& s : shards_) {
    std::lock_guard<std::mutex> lock(s.mu);
    st.entries += static_cast<int64_t>(s.map.size());
    st.bytes += s.bytes;
  }
  return st;
}

}  // namespace meabridge::publish::http
