// `meabridge serve` as a child process of a test: started in a folder, its standard error
// written to a file there (so a chatty node never blocks on a full pipe), the port it listens
// on read from its "publishing ... on http://HOST:PORT/" line, stopped by a signal. The
// destructor kills (SIGKILL) and reaps a node that is still running.
//
// Thread-compatible: one thread uses one object.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace meabridge::testing {

class ServeProcess {
 public:
  // Runs `meabridge serve ARGS...` in `cwd`, standard error to `cwd`/`log_name`, with
  // `extra_env` ("NAME=value") added to this process's environment.
  ServeProcess(const std::vector<std::string>& args, const std::string& cwd,
               const std::string& log_name = "serve.log",
               const std::vector<std::string>& extra_env = {});
  ~ServeProcess();
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  // Waits (up to `seconds`) for the "publishing ... on http://HOST:PORT/" line; the port, or 0
  // when the node exited or never said it.
  int WaitForPort(int seconds = 20);
  // Waits (up to `seconds`) until the log holds `text`; true when it does.
  bool WaitForLog(const std::string& text, int seconds = 20);

  // Sends `sig` and waits (up to `seconds`) for the exit code (128+signal when killed); -1 on
  // timeout.
  int Stop(int sig = 15 /* SIGTERM */, int seconds = 10);

  // Everything the node wrote to standard error so far (WaitForLog for a line still to come).
  std::string log() const;
  const std::string& log_path() const { return log_path_; }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  std::string log_path_;
};

}  // namespace meabridge::testing
