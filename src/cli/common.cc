#include "cli/common.h"

#include <ostream>

#include "config/values.h"
#include "core/strings.h"
#include "harvest/config_check.h"
#include "vocab/vocabulary.h"

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
  // The mappings too, with the one check every command makes (harvest/config_check.h).
  if (!r.config->sources.empty() || !r.config->profiles.empty()) {
    Result<std::unique_ptr<vocab::Vocabularies>> vocabs = vocab::Vocabularies::Load();
    if (!vocabs.ok()) {
      io.err << "cannot load the vocabularies the mappings use: " << vocabs.status().message()
             << "\n";
      return nullptr;
    }
    std::vector<std::string> problems = harvest::CheckMappings(*r.config, **vocabs);
    if (!problems.empty()) {
      for (const std::string& p : problems) io.err << p << "\n";
      io.err << problems.size() << (problems.size() == 1 ? " error" : " errors")
             << " in the mappings of "
             << (r.config->file.empty() ? "the embedded default" : r.config->file)
             << ": nothing was run; `meabridge check-config` lists them\n";
      return nullptr;
    }
  }
  core::SetLogLevel(r.config->log_level);
  return r.config;
}

void ReportUnknownSource(const std::string& command, const std::string& name,
                         const config::Config& cfg, Io& io) {
  std::vector<std::string> names;
  for (const config::SourceConfig& s : cfg.sources) names.push_back(s.name);
  io.err << "meabridge " << command << ": no source named '" << name << "' in "
         << (cfg.file.empty() ? "the embedded default configuration" : cfg.file);
  std::string close = config::ClosestMatch(name, names);
  if (!close.empty()) {
    io.err << " (did you mean '" << close << "'?)";
  } else if (!names.empty()) {
    io.err << " (sources: " << core::Join(names, ", ") << ")";
  }
  io.err << "\n";
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
