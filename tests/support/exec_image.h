// A program and its environment made ready for execve before fork: a forked child of a
// process that runs threads may only call async-signal-safe functions, so it must not
// allocate (under ASan a thread holding the allocator's lock at the fork left a child
// spinning for ever in its first malloc). Thread-compatible; the child only reads it.
#pragma once

#include <string>
#include <vector>

namespace meabridge::testing {

class ExecImage {
 public:
  // `argv[0]` is the program's path; the environment is this process's plus `extra_env`
  // (KEY=VALUE, later ones win as with putenv).
  ExecImage(std::vector<std::string> argv, const std::vector<std::string>& extra_env);
  ExecImage(const ExecImage&) = delete;
  ExecImage& operator=(const ExecImage&) = delete;

  // In the forked child: execve, then _exit(127) when it fails. Async-signal-safe.
  [[noreturn]] void Exec() const;

 private:
  std::vector<std::string> argv_, env_;
  std::vector<char*> c_argv_, c_env_;
};

}  // namespace meabridge::testing
