// The command line: `meabridge COMMAND [OPTIONS]`. One file per subcommand (cli/cmd_*.cc), each
// registering itself explicitly in cli/commands.cc. Exit codes: 0 ok, 1 the job failed,
// 2 bad usage or bad configuration.
#pragma once

#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

namespace meabridge::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;

// The streams a command writes to; tests pass string streams.
struct Io {
  std::ostream& out;
  std::ostream& err;
};

struct Command {
  std::string name;     // "harvest", "mapping test"
  std::string summary;  // one line for `meabridge --help`
  std::string usage;    // the full --help text
  std::function<int(const std::vector<std::string>& args, Io& io)> run;
};

// The registered commands, in --help order.
const std::vector<Command>& Commands();

// Dispatches argv; catches every exception (reported as an internal error, exit 1).
int Main(int argc, char** argv);
// The same, from a vector (tests).
int Run(const std::vector<std::string>& args, Io& io);

}  // namespace meabridge::cli
