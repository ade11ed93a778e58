#include "support/exec_image.h"

#include <unistd.h>

#include <utility>

extern char** environ;

namespace meabridge::testing {

ExecImage::ExecImage(std::vector<std::string> argv, const std::vector<std::string>& extra_env)
    : argv_(std::move(argv)) {
  for (char** e = environ; *e; ++e) env_.emplace_back(*e);
  for (const std::string& kv : extra_env) {
    std::string key = kv.substr(0, kv.find('=') + 1);
    std::erase_if(env_, [&](const std::string& e) { return e.rfind(key, 0) == 0; });
    env_.push_back(kv);
  }
  for (std::string& a : argv_) c_argv_.push_back(a.data());
  c_argv_.push_back(nullptr);
  for (std::string& e : env_) c_env_.push_back(e.data());
  c_env_.push_back(nullptr);
}

void ExecImage::Exec() const {
  execve(c_argv_[0], c_argv_.data(), c_env_.data());
  _exit(127);
}

}  // namespace meabridge::testing
