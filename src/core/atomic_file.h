// A file written all-or-nothing: until Commit, the data lives in an anonymous file in the
// target's folder (open(dir, O_TMPFILE)), invisible in the folder and freed by the kernel if
// the process dies, however it dies (SIGKILL included). Commit fsyncs the data, links it into
// place, and fsyncs the folder; an existing file at the path stays intact until that moment and
// is then replaced in one rename(2), so readers see the old file or the whole new one.
//
//   Linking:  when the path does not exist, linkat(/proc/self/fd/N -> path) makes it appear at
//             once; when it exists, the data is linked to a hidden ".NAME.XXXXXX" in the same
//             folder and renamed over it (a SIGKILL in the microseconds between the two leaves
//             that hidden file behind; nothing else can).
//   Fallback: on file systems without O_TMPFILE, a hidden ".NAME.XXXXXX" is written instead,
//             renamed into place by Commit, removed when the AtomicFile is destroyed uncommitted
//             and by SIGINT, SIGTERM, SIGHUP and SIGPIPE handlers (a SIGKILL leaves it behind:
//             the one case no process can clean up after itself).
//
// The new file gets the existing file's permission bits, else 0666 minus the umask.
//
// Thread-compatible: one thread writes an AtomicFile. The signal handlers cover one fallback
// file per process at a time.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

namespace meabridge::core {

class AtomicFile {
 public:
  enum class Method {
    kAuto,        // O_TMPFILE where the file system has it, else the hidden file
    kHiddenFile,  // the fallback, always (tests exercise it on any file system)
  };

  // Opens the temporary file for `path`. IoError naming the path and the cause (the folder is
  // missing or not writable, ...).
  static Result<std::unique_ptr<AtomicFile>> Create(const std::string& path,
                                                    Method method = Method::kAuto);

  // Uncommitted: the data is discarded and the path is left as it was.
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  // Appends `bytes` (the caller buffers). IoError naming the path (ENOSPC, EIO ...).
  Status Write(std::string_view bytes);

  // fsync, link into place, fsync the folder. After an error the path is as it was.
  // REQUIRES: called at most once.
  Status Commit();

  const std::string& path() const { return path_; }
  // True when the anonymous O_TMPFILE route is in use (false: the hidden-file fallback).
  bool anonymous() const { return anonymous_; }

 private:
  AtomicFile() = default;

  std::string path_;
  std::string dir_;
  std::string temp_;  // the fallback's hidden file ("" with O_TMPFILE)
  int fd_ = -1;
  bool anonymous_ = false;
  bool committed_ = false;
};

}  // namespace meabridge::core
