// Helpers the subcommands share: loading the configuration, opening the store, printing
// errors. Each returns the exit code to use on failure.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cli/args.h"
#include "cli/commands.h"
#include "config/config.h"
#include "store/store.h"

namespace meabridge::cli {

// The subcommand registration functions, one per cmd_*.cc; commands.cc calls them all.
void RegisterServe(std::vector<Command>& out);
void RegisterHarvest(std::vector<Command>& out);
void RegisterExport(std::vector<Command>& out);
void RegisterMapping(std::vector<Command>& out);
void RegisterCheckConfig(std::vector<Command>& out);
void RegisterStatus(std::vector<Command>& out);
void RegisterRejects(std::vector<Command>& out);
void RegisterVocab(std::vector<Command>& out);

// The --config flag every configuration-reading command takes.
FlagSpec ConfigFlag();

// Writes "meabridge COMMAND: no source named 'NAME' in FILE (did you mean 'X'?)" (or the list
// of the configuration's sources) to io.err, for a source name the configuration lacks.
void ReportUnknownSource(const std::string& command, const std::string& name,
                         const config::Config& cfg, Io& io);

// Loads --config FILE, or the embedded default when the flag is absent, and checks its
// mappings (harvest::CheckMappings: the same check serve's reload makes). On errors prints them
// (one per line, file:line:col) to io.err and returns nullptr: the command exits 2 before it
// opens or writes anything.
std::shared_ptr<const config::Config> LoadConfigOrReport(const Args& args, Io& io);

// Parses argv for a command; on a usage error prints it with a pointer to --help.
bool ParseArgsOrReport(const std::string& command, const std::vector<std::string>& argv,
                       const std::vector<FlagSpec>& flags, Io& io, Args* out);

// Opens the configured store; prints the error and returns nullptr on failure.
std::unique_ptr<store::Store> OpenStoreOrReport(const config::Config& cfg, Io& io);

}  // namespace meabridge::cli
