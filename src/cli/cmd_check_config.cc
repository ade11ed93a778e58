// meabridge check-config: validates a configuration file without running anything.
#include <ostream>

#include "cli/common.h"
#include "config/spec.h"

namespace meabridge::cli {
namespace {

constexpr const char* kUsage =
    "usage: meabridge check-config [--config FILE]\n"
    "       meabridge check-config --print-default\n"
    "\n"
    "Checks a configuration file and prints a summary of what it would run (exit 0), or every\n"
    "error with file:line:column and what to write instead (exit 2). Without --config it checks\n"
    "the embedded default. Secrets (tokens, passwords) are never printed.\n"
    "\n"
    "options:\n"
    "  -c, --config FILE   the configuration file (XML, or the equivalent JSON)\n"
    "  --print-default     print the embedded default configuration and exit\n";

int CheckConfig(const std::vector<std::string>& argv, Io& io) {
  Args args;
  if (!ParseArgsOrReport("check-config", argv,
                         {ConfigFlag(), {"--print-default", "", false, false}}, io, &args)) {
    return kExitUsage;
  }
  if (!args.positional().empty()) {
    io.err << "meabridge check-config: unexpected argument '" << args.positional()[0]
           << "' (give the file with --config FILE)\n";
    return kExitUsage;
  }
  if (args.Has("--print-default")) {
    io.out << config::DefaultConfigText();
    return kExitOk;
  }
  auto cfg = LoadConfigOrReport(args, io);
  if (!cfg) return kExitUsage;
  io.out << "configuration " << (cfg->file.empty() ? "(embedded default)" : cfg->file)
         << " is valid\n";
  io.out << "store:  " << cfg->store_location << "\n";
  io.out << "server: http://" << cfg->server_bind << ":" << cfg->server_port << "/\n";
  io.out << "sources: " << cfg->sources.size() << "\n";
  for (const config::SourceConfig& s : cfg->sources) {
    io.out << "  " << s.name << " (" << s.kind << ") " << (s.kind == "http" ? s.url : s.path)
           << "\n"
           << "    mapping  " << s.mapping << "\n"
           << "    schedule " << (s.enabled ? s.schedule : "disabled") << "\n";
    for (const auto& [k, v] : s.params) io.out << "    param    " << k << "=" << v << "\n";
  }
  return kExitOk;
}

}  // namespace

void RegisterCheckConfig(std::vector<Command>& out) {
  out.push_back(Command{"check-config", "validate a configuration file and summarise it", kUsage,
                        CheckConfig});
}

}  // namespace meabridge::cli
