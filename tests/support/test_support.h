// Shared test fixtures: temporary folders, paths to the real binary, helpers and the
// optional corpus, and running a child process with its output captured.
#pragma once

#include <string>
#include <vector>

namespace meabridge::testing {

// A fresh folder under $TMPDIR, removed (with its content) when the object goes.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// The meabridge binary under test.
std::string BinaryPath();
// A helper executable built from tests/helpers/NAME.cc.
std::string HelperPath(const std::string& name);
// tests/data (the project's own fixtures).
std::string TestDataDir();
// The source tree (mappings/, docs/, config/ ...).
std::string SourceDir();
// ../shared/corpus (or $MEABRIDGE_CORPUS); "" when absent: corpus tests skip then, and say so.
std::string CorpusDir();

void WriteFile(const std::string& path, const std::string& content);
std::string ReadFileOrDie(const std::string& path);

struct ProcessResult {
  int exit_code = -1;  // 128+signal when killed
  std::string out;
  std::string err;
};
// Runs `argv` (argv[0] is the program) with optional stdin text; waits for it.
ProcessResult RunProcess(const std::vector<std::string>& argv, const std::string& stdin_text = "",
                         const std::vector<std::string>& extra_env = {});
// Runs the meabridge binary with `args`.
ProcessResult RunMeabridge(const std::vector<std::string>& args,
                           const std::vector<std::string>& extra_env = {});

}  // namespace meabridge::testing
