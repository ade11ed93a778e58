#include "core/atomic_file.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <random>

namespace meabridge::core {
namespace {

// The hidden file a signal handler removes (async-signal-safe: a fixed buffer and a flag).
char g_cleanup_path[PATH_MAX];
volatile std::sig_atomic_t g_cleanup_set = 0;
std::atomic<bool> g_handlers_installed{false};
constexpr int kCleanupSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};

void CleanupAndReraise(int sig) {
  if (g_cleanup_set) unlink(g_cleanup_path);
  signal(sig, SIG_DFL);
  raise(sig);
}

void SetCleanup(const std::string& path) {
  if (path.size() >= sizeof g_cleanup_path) return;
  g_cleanup_set = 0;
  std::memcpy(g_cleanup_path, path.c_str(), path.size() + 1);
  g_cleanup_set = 1;
  if (!g_handlers_installed.exchange(true)) {
    for (int sig : kCleanupSignals) {
      struct sigaction old {};
      sigaction(sig, nullptr, &old);
      if (old.sa_handler != SIG_DFL) continue;  // someone else handles it; leave theirs
      struct sigaction sa {};
      sa.sa_handler = CleanupAndReraise;
      sigemptyset(&sa.sa_mask);
      sigaction(sig, &sa, nullptr);
    }
  }
}

void ClearCleanup() { g_cleanup_set = 0; }

std::string ErrnoText(int err) { return std::strerror(err); }

std::string HiddenName(const std::string& dir, const std::string& base) {
  static std::mt19937_64 rnd{std::random_device{}()};
  char suffix[16];
  std::snprintf(suffix, sizeof suffix, "%06llx", static_cast<unsigned long long>(rnd() & 0xffffff));
  return dir + "/." + base + "." + suffix;
}

Status SyncDir(const std::string& dir, const std::string& path) {
  int d = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (d < 0) return Status::IoError("cannot open the folder of " + path + ": " + ErrnoText(errno));
  int rc = fsync(d);
  int err = errno;
  close(d);
  if (rc != 0 && err != EINVAL) {
    return Status::IoError("cannot sync the folder of " + path + ": " + ErrnoText(err));
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<AtomicFile>> AtomicFile::Create(const std::string& path, Method method) {
  std::unique_ptr<AtomicFile> f(new AtomicFile());
  f->path_ = path;
  size_t slash = path.rfind('/');
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  f->dir_ = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  if (base.empty() || base == "." || base == "..") {
    return Status::IoError("cannot write " + path + ": it names a folder, not a file");
  }
  struct stat st {};
  bool exists = stat(path.c_str(), &st) == 0;
  if (exists && S_ISDIR(st.st_mode)) {
    return Status::IoError("cannot write " + path + ": it is a folder");
  }
  if (method == Method::kAuto) {
    f->fd_ = open(f->dir_.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
  } else {
    errno = EOPNOTSUPP;
  }
  if (f->fd_ >= 0) {
    f->anonymous_ = true;
  } else if (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL) {
    // No O_TMPFILE here: a hidden file in the same folder (same file system: rename works).
    for (int attempt = 0; attempt < 100 && f->fd_ < 0; ++attempt) {
      f->temp_ = HiddenName(f->dir_, base);
      f->fd_ = open(f->temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
      if (f->fd_ < 0 && errno != EEXIST) break;
    }
    if (f->fd_ < 0) {
      int err = errno;
      f->temp_.clear();
      return Status::IoError("cannot create a temporary file beside " + path + ": " +
                             ErrnoText(err));
    }
    SetCleanup(f->temp_);
  } else {
    return Status::IoError("cannot write " + path + ": " + ErrnoText(errno) +
                           (errno == ENOENT ? " (the folder " + f->dir_ + " does not exist)" : ""));
  }
  if (exists && fchmod(f->fd_, st.st_mode & 07777) != 0) {
    return Status::IoError("cannot set the permissions of " + path + ": " + ErrnoText(errno));
  }
  return f;
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) close(fd_);
  if (!committed_ && !temp_.empty()) {
    unlink(temp_.c_str());
    ClearCleanup();
  }
}

Status AtomicFile::Write(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = write(fd_, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IoError("cannot write " + path_ + ": " + ErrnoText(errno));
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

Status AtomicFile::Commit() {
  if (fsync(fd_) != 0) {
    return Status::IoError("cannot write " + path_ + " to disk (fsync): " + ErrnoText(errno));
  }
  if (anonymous_) {
    std::string proc = "/proc/self/fd/" + std::to_string(fd_);
    if (linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, path_.c_str(), AT_SYMLINK_FOLLOW) != 0) {
      if (errno != EEXIST) {
        return Status::IoError("cannot create " + path_ + ": " + ErrnoText(errno));
      }
      // The path exists: link beside it, then replace it in one rename.
      size_t slash = path_.rfind('/');
      std::string base = slash == std::string::npos ? path_ : path_.substr(slash + 1);
      std::string hidden;
      for (int attempt = 0; attempt < 100; ++attempt) {
        hidden = HiddenName(dir_, base);
        SetCleanup(hidden);
        if (linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, hidden.c_str(), AT_SYMLINK_FOLLOW) == 0) {
          break;
        }
        int err = errno;
        ClearCleanup();
        hidden.clear();
        if (err != EEXIST) {
          return Status::IoError("cannot create a file beside " + path_ + ": " + ErrnoText(err));
        }
      }
      if (hidden.empty()) return Status::IoError("cannot create a file beside " + path_);
      if (rename(hidden.c_str(), path_.c_str()) != 0) {
        int err = errno;
        unlink(hidden.c_str());
        ClearCleanup();
        return Status::IoError("cannot replace " + path_ + ": " + ErrnoText(err));
      }
      ClearCleanup();
    }
  } else {
    if (rename(temp_.c_str(), path_.c_str()) != 0) {
      return Status::IoError("cannot replace " + path_ + ": " + ErrnoText(errno));
    }
    ClearCleanup();
  }
  committed_ = true;
  return SyncDir(dir_, path_);
}

}  // namespace meabridge::core
