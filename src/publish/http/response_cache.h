// Rendered responses, kept for reuse while the store does not change.
//
// The key holds everything a response depends on: the request target, the header fields the
// route varies on, the base URL, and the store snapshot's MaxSeq (for store-backed routes). A
// harvest that commits moves MaxSeq, so stale entries are never found again: invalidation by
// construction, on every node of a shared store alike. Old entries age out first in first out
// within a byte budget.
//
// Each entry keeps its body, its gzip form (computed on the first request that accepts gzip)
// and its header block preformatted, so a cache hit costs a hash lookup and one sendmsg().
//
// Thread-safe: 16 shards, each under its own mutex; entries are immutable once shared (the
// lazily computed gzip body is guarded by a once_flag).
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/time.h"

namespace meabridge::publish::http {

struct CachedResponse {
  int status = 200;
  std::string etag;  // without quotes; the gzip variant's is etag + "-gz"
  core::EpochMs last_modified = 0;
  // Preformatted header lines (Content-Type, ETag, Last-Modified, Vary, CORS, extra fields),
  // each ending in CRLF, without Date, Content-Length, Content-Encoding and Connection.
  std::string headers;
  std::string headers_gzip;  // the same with the gzip variant's ETag
  std::string body;
  bool compressible = true;

  // The gzip body, computed once.
  const std::string& GzipBody() const;

 private:
  mutable std::once_flag gzip_once_;
  mutable std::string gzip_body_;
};

class ResponseCache {
 public:
  // `capacity_bytes` 0 disables the cache (Find never finds, Insert drops).
  explicit ResponseCache(int64_t capacity_bytes);

  bool enabled() const { return capacity_ > 0; }
  // Largest single entry kept: half a shard's share of the budget (2 MB of the default 64 MB,
  // more than a page of 1000 records).
  int64_t max_entry_bytes() const { return capacity_ / static_cast<int64_t>(kShards) / 2; }

  std::shared_ptr<const CachedResponse> Find(const std::string& key) const;
  void Insert(const std::string& key, std::shared_ptr<const CachedResponse> entry);

  struct Stats {
    int64_t entries = 0;
    int64_t bytes = 0;
  };
  Stats stats() const;

 private:
  static constexpr size_t kShards = 16;
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<std::string, std::shared_ptr<const CachedResponse>> map;  // GUARDED_BY(mu)
    std::deque<std::string> order;  // insertion order, for eviction; GUARDED_BY(mu)
    int64_t bytes = 0;              // GUARDED_BY(mu)
  };
  Shard& ShardOf(const std::string& key) const;

  int64_t capacity_;
  mutable Shard shards_[kShards];
};

}  // namespace meabridge::publish::http
