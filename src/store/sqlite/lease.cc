#include "store/sqlite/lease.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <mutex>

#include "core/strings.h"
#include "core/time.h"
#include "store/lock_guarded.h"

namespace meabridge::store::sqlite {
namespace {

std::string Errno(int e) { return std::strerror(e); }

class FileLease final : public SourceLease {
 public:
  FileLease(int fd, std::string path, std::string source, std::string node, int64_t ttl_ms,
            const core::Clock& clock)
      : path_(std::move(path)),
        source_(std::move(source)),
        node_(std::move(node)),
        ttl_(ttl_ms),
        clock_(clock) {
    auto s = state_.lock();
    s->fd = fd;
    s->deadline = clock_.MonotonicMs() + ttl_.count();
    WriteInfoLocked(*s);
  }

  ~FileLease() override {
    auto s = state_.lock();
    ReleaseLocked(*s);
  }

  const std::string& source() const override { return source_; }
  const std::string& node_id() const override { return node_; }

  Status Renew() override {
    auto s = state_.lock();
    if (s->fd < 0) {
      return Status::FailedPrecondition(
          "the lease of " + node_ + " on source " + core::Quote(source_) +
          " was lost earlier: it was not renewed within " + std::to_string(ttl_.count()) + " ms");
    }
    int64_t now = clock_.MonotonicMs();
    if (now > s->deadline) {
      ReleaseLocked(*s);
      return Status::FailedPrecondition(
          "the lease of " + node_ + " on source " + core::Quote(source_) +
          " expired: it was not renewed within " + std::to_string(ttl_.count()) +
          " ms, so another process may hold the source now; stop the run");
    }
    s->deadline = now + ttl_.count();
    WriteInfoLocked(*s);
    return Status::Ok();
  }

 private:
  struct State {
    int fd = -1;
    int64_t deadline = 0;  // clock_.MonotonicMs()
  };

  // Best effort: the content is for people; the lock decides.
  void WriteInfoLocked(State& s) {
    core::EpochMs now = clock_.NowMs();
    std::string info = "node=" + node_ + " pid=" + std::to_string(getpid()) + " source=" + source_ +
                       " renewed=" + core::FormatDateTime(now) +
                       " expires=" + core::FormatDateTime(now + ttl_.count()) + "\n";
    if (ftruncate(s.fd, 0) == 0) {
      ssize_t ignored = pwrite(s.fd, info.data(), info.size(), 0);
      (void)ignored;
    }
  }

  void ReleaseLocked(State& s) {
    if (s.fd < 0) return;
    if (ftruncate(s.fd, 0) != 0) {
      // nothing to do: the lock below is what matters
    }
    flock(s.fd, LOCK_UN);
    close(s.fd);
    s.fd = -1;
  }

  std::string path_;
  std::string source_;
  std::string node_;
  std::chrono::milliseconds ttl_;
  const core::Clock& clock_;
  LockGuarded<State> state_;
};

}  // namespace

std::string LeaseFile(const std::string& store_path, std::string_view source) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string name;
  for (size_t i = 0; i < source.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(source[i]);
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '-' || c == '_' || (c == '.' && i > 0);
    if (plain) {
      name.push_back(static_cast<char>(c));
    } else {
      name += '%';
      name += kHex[c >> 4];
      name += kHex[c & 15];
    }
  }
  if (name.size() > 180) {
    uint32_t h = 2166136261u;
    for (char c : source) {
      h ^= static_cast<unsigned char>(c);
      h *= 16777619u;
    }
    char tail[16];
    std::snprintf(tail, sizeof tail, "~%08x", h);
    name = name.substr(0, 160) + tail;
  }
  return store_path + "-leases/" + name + ".lock";
}

Result<std::unique_ptr<SourceLease>> TryLeaseSqliteSource(const std::string& store_path,
                                                          std::string_view source,
                                                          std::string_view node_id,
                                                          int64_t ttl_ms,
                                                          const core::Clock& clock) {
  if (source.empty()) return Status::InvalidArgument("a lease needs a source name");
  if (ttl_ms < 100) {
    return Status::InvalidArgument("a lease on " + core::Quote(source) +
                                   " needs a ttl of at least 100 ms, not " +
                                   std::to_string(ttl_ms));
  }
  std::string dir = store_path + "-leases";
  if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return Status::IoError("cannot create the lease folder " + dir + " (" + Errno(errno) +
                           "): make the store's folder writable by the meabridge user");
  }
  std::string path = LeaseFile(store_path, source);
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return Status::IoError("cannot open the lease file " + path + " (" + Errno(errno) + "): make " +
                           dir + " writable by the meabridge user");
  }
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int e = errno;
    close(fd);
    if (e == EWOULDBLOCK) return std::unique_ptr<SourceLease>();
    return Status::IoError("cannot lock the lease file " + path + " (" + Errno(e) +
                           "): keep the store on a local file system");
  }
  return std::unique_ptr<SourceLease>(std::make_unique<FileLease>(
      fd, std::move(path), std::string(source), std::string(node_id), ttl_ms, clock));
}

}  // namespace meabridge::store::sqlite
