#include "cli/common.h"

#include <ostream>

namespace meabridge::cli {

FlagSpec ConfigFlag() { return FlagSpec{"--config", "-c", true, false}; }

std::shared_ptr<const config::Config> LoadConfigOrReport(const Args& args, Io& io) {
  config::LoadResult r = args.Has("--config") ? config::LoadConfigFile(args.Get("--config"))
                                              : config::LoadDefaultConfig();
  if (!r.config) {
    for (const config::ConfigError& e : r.errors) io.err << e.ToString() << "\n";
    io.err << r.errors.size() << (r.errors.size() == 1 ? " error" : " errors")
           << " in the configuration; `meabridge check-config` lists them without running "
              "anything\n";
    return nullptr;
  }
  core::SetLogLevel(r.config->log_level);
  return r.config;
}

bool ParseArgsOrReport(const std::string& command, const std::vector<std::string>& argv,
                       const std::vector<FlagSpec>& flags, Io& io, Args* out) {
  Result<Args> parsed = Args::Parse(argv, flags);
  if (!parsed.ok()) {
    io.err << "meabridge " << command << ": " << parsed.status().message() << "\n(see meabridge "
           << command << " --help)\n";
    return false;
  }
  *out = std::move(*parsed);
  return true;
}

std::unique_ptr<store::Store> OpenStoreOrReport(const config::Config& cfg, Io& io) {
  Result<std::unique_ptr<store::Store>> s = store::OpenStore(cfg.store_location);
  if (!s.ok()) {
    io.err << "cannot open the store " << store::RedactStoreLocation(cfg.store_location) << ": "
           << s.status().message() << "\n";
    return nullptr;
  }
  return std::move(*s);
}

}  // namespace meabridge::cli
