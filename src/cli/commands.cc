#include "cli/commands.h"

#include <exception>
#include <iostream>

#include "cli/common.h"
#include "cli/man.h"
#include "config/spec.h"
#include "core/log.h"
#include "core/version.h"

namespace meabridge::cli {
namespace {

std::vector<Command> BuildCommands() {
  std::vector<Command> out;
  RegisterServe(out);
  RegisterHarvest(out);
  RegisterExport(out);
  RegisterMapping(out);
  RegisterCheckConfig(out);
  RegisterStatus(out);
  RegisterRejects(out);
  RegisterVocab(out);
  return out;
}

std::string MainUsage() {
  std::string s =
      "usage: meabridge COMMAND [OPTIONS]\n"
      "\n"
      "Harvests records of multilateral environmental agreements from local systems and\n"
      "partner feeds, maps them into the shared InforMEA model, stores and publishes them.\n"
      "\n"
      "commands:\n";
  for (const Command& c : Commands()) {
    std::string name = c.name;
    name.resize(16, ' ');
    s += "  " + name + c.summary + "\n";
  }
  s += "\n"
       "  meabridge COMMAND --help   the command's options\n"
       "  meabridge --version        the version\n"
       "\n"
       "exit codes: 0 ok, 1 the job failed, 2 bad usage or bad configuration\n";
  return s;
}

// Finds the command for argv: "mapping test" takes two words.
const Command* FindCommand(const std::vector<std::string>& args, size_t* words) {
  for (const Command& c : Commands()) {
    size_t space = c.name.find(' ');
    if (space == std::string::npos) {
      if (!args.empty() && args[0] == c.name) {
        *words = 1;
        return &c;
      }
    } else if (args.size() >= 2 && args[0] == c.name.substr(0, space) &&
               args[1] == c.name.substr(space + 1)) {
      *words = 2;
      return &c;
    }
  }
  return nullptr;
}

}  // namespace

const std::vector<Command>& Commands() {
  static const std::vector<Command> commands = BuildCommands();
  return commands;
}

int Run(const std::vector<std::string>& args, Io& io) {
  // Not listed in --help: the build writes the manual pages with these (cli/man.h).
  if (args.size() == 2 && args[0] == "help" && args[1] == "--man") {
    io.out << ManPage(MainUsage(), Commands());
    return kExitOk;
  }
  if (args.size() == 2 && args[0] == "help" && args[1] == "--man-config") {
    io.out << ConfigManPage(config::ConfigSpec());
    return kExitOk;
  }
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    (args.empty() ? io.err : io.out) << MainUsage();
    return args.empty() ? kExitUsage : kExitOk;
  }
  if (args[0] == "--version" || args[0] == "version") {
    io.out << "meabridge " << kVersion << "\n";
    return kExitOk;
  }
  size_t words = 0;
  const Command* cmd = FindCommand(args, &words);
  if (!cmd) {
    // A two-word command given with its first word only ("meabridge mapping").
    for (const Command& c : Commands()) {
      if (c.name.rfind(args[0] + " ", 0) == 0) {
        io.err << "meabridge " << args[0] << ": say which: meabridge " << c.name << " ...\n";
        return kExitUsage;
      }
    }
    io.err << "meabridge: unknown command '" << args[0] << "'\n\n" << MainUsage();
    return kExitUsage;
  }
  std::vector<std::string> rest(args.begin() + static_cast<long>(words), args.end());
  for (const std::string& a : rest) {
    if (a == "--") break;
    if (a == "--help" || a == "-h") {
      io.out << cmd->usage;
      return kExitOk;
    }
  }
  try {
    return cmd->run(rest, io);
  } catch (const std::exception& e) {
    io.err << "meabridge " << cmd->name << ": internal error: " << e.what()
           << "\nThis is a bug in meabridge; please report it with the command line.\n";
    return kExitFailed;
  }
}

int Main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  Io io{std::cout, std::cerr};
  try {
    return Run(args, io);
  } catch (const std::exception& e) {
    std::cerr << "meabridge: fatal: " << e.what() << "\n";
    return kExitFailed;
  }
}

}  // namespace meabridge::cli
