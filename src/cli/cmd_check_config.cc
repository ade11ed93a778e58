// meabridge check-config: validates a configuration file without running anything.
#include <ostream>

#include "cli/common.h"
#include "config/spec.h"
#include "core/strings.h"
#include "harvest/fetch/redact.h"
#include "harvest/harvest.h"
#include "harvest/sources/source.h"
#include "mapping/mapping.h"
#include "mapping/outbound.h"
#include "vocab/vocabulary.h"

namespace meabridge::cli {
namespace {

constexpr const char* kUsage =
    "usage: meabridge check-config [--config FILE]\n"
    "       meabridge check-config --print-default\n"
    "\n"
    "Checks a configuration file and prints a summary of what it would run (exit 0), or every\n"
    "error with file:line:column and what to write instead (exit 2). Without --config it checks\n"
    "the embedded default. Every source's and profile's mapping is compiled too, and the\n"
    "parameters a source gives are checked against what its mapping declares and uses: an\n"
    "error there names the source (or profile) in the configuration and the place in the\n"
    "mapping file. Secrets (tokens, passwords) are never printed.\n"
    "\n"
    "options:\n"
    "  -c, --config FILE   the configuration file (XML, or the equivalent JSON)\n"
    "  --print-default     print the embedded default configuration and exit\n";

// A connection string with any password written into it hidden ("{secret}" is shown as is:
// it names the secret, it is not one).
std::string RedactConnection(const std::string& connection) {
  std::string out = harvest::Redactor().Url(connection);
  std::string lower = core::AsciiLower(out);
  for (const char* key : {"password=", "pwd=", "passwd="}) {
    for (size_t at = lower.find(key); at != std::string::npos; at = lower.find(key, at + 1)) {
      size_t start = at + std::string(key).size();
      size_t end = out.find_first_of(" ;", start);
      if (end == std::string::npos) end = out.size();
      if (out.compare(start, end - start, "{secret}") == 0) continue;
      out.replace(start, end - start, "***");
      lower = core::AsciiLower(out);
    }
  }
  return out;
}

// The harvesting settings of a source, secrets left out: where a secret comes from is shown,
// never its value; headers by name only.
void PrintHarvestSettings(const config::SourceConfig& s, Io& io) {
  if (s.kind == "http") {
    io.out << "    paging   " << s.paging;
    if (s.paging == "skip" || s.paging == "page" || s.paging == "offset") {
      io.out << " (page-size " << s.page_size << ")";
    }
    io.out << ", max-pages " << s.max_pages << "\n";
  }
  io.out << "    deletion " << s.deletion;
  if (s.deletion != "none") {
    io.out << " (guard: max-deletion-share " << static_cast<int>(s.max_deletion_share * 100 + 0.5)
           << "%)";
  }
  io.out << "\n";
  io.out << "    incremental " << s.incremental;
  if (s.incremental == "filter") io.out << " ($filter=" << s.since_filter << ")";
  if (s.incremental == "param") io.out << " (" << s.since_param << "={since})";
  if (s.incremental != "none")
    io.out << ", full reconciliation every " << s.full_every_ms / 1000 << "s";
  io.out << "\n";
  if (s.kind == "http") {
    io.out << "    auth     " << s.auth;
    if (s.auth == "basic") io.out << " (user " << s.auth_user << ")";
    if (s.auth == "header") io.out << " (header " << s.auth_header << ")";
    if (!s.secret_file.empty()) io.out << ", secret from file " << s.secret_file;
    if (!s.secret_env.empty()) io.out << ", secret from $" << s.secret_env;
    io.out << "\n";
    if (!s.headers.empty()) {
      std::vector<std::string> names;
      for (const config::HeaderConfig& h : s.headers) names.push_back(h.name);
      io.out << "    headers  " << core::Join(names, ", ") << " (values not shown)\n";
    }
    io.out << "    limits   connect-timeout " << s.connect_timeout_ms << "ms, timeout "
           << s.timeout_ms << "ms, max-size " << s.max_size << " bytes, max-redirects "
           << s.max_redirects << ", retries " << s.retries
           << (s.tls_verify ? "" : ", TLS verification OFF") << "\n";
  } else if (!s.secret_file.empty() || !s.secret_env.empty()) {
    io.out << "    secret   "
           << (s.secret_file.empty() ? "from $" + s.secret_env : "from file " + s.secret_file)
           << "\n";
  }
}

// Asks each sql source's database for its queries' columns (without rows) and checks them
// against the mapping: what only check-config does (harvest/config_check.h). Run after
// harvest::CheckMappings found every mapping usable.
std::vector<std::string> CheckSqlColumns(const config::Config& cfg,
                                         const vocab::Vocabularies& vocabularies,
                                         std::vector<std::string>& warnings) {
  std::vector<std::string> out;
  for (const config::SourceConfig& s : cfg.sources) {
    if (s.kind != "sql") continue;
    Result<std::shared_ptr<const mapping::Mapping>> m =
        mapping::Mapping::Load(s.mapping, vocabularies);
    if (!m.ok()) continue;  // reported by CheckMappings
    Result<std::string> secret = harvest::ReadSecret(s);
    Result<std::vector<harvest::QueryColumns>> described =
        secret.ok() ? harvest::DescribeSqlQueries(s, *secret)
                    : Result<std::vector<harvest::QueryColumns>>(secret.status());
    if (!described.ok()) {
      warnings.push_back(s.position.ToString() + ": source '" + s.name +
                         "': columns not checked: " + described.status().message());
      continue;
    }
    for (const std::string& p : harvest::SqlColumnProblems(s, **m, *described)) {
      for (const std::string& line : core::Split(p, '\n')) {
        if (!line.empty()) out.push_back(s.position.ToString() + ": " + line);
      }
    }
  }
  return out;
}

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
  if (!cfg->sources.empty() || !cfg->profiles.empty()) {
    Result<std::unique_ptr<vocab::Vocabularies>> vocabs = vocab::Vocabularies::Load();
    if (!vocabs.ok()) {
      io.err << "meabridge check-config: cannot load the vocabularies the mappings use: "
             << vocabs.status().message() << "\n";
      return kExitUsage;
    }
    std::vector<std::string> warnings;
    // LoadConfigOrReport made harvest::CheckMappings, as every command does.
    std::vector<std::string> problems = CheckSqlColumns(*cfg, **vocabs, warnings);
    for (const std::string& w : warnings) io.err << "warning: " << w << "\n";
    if (!problems.empty()) {
      for (const std::string& p : problems) io.err << p << "\n";
      io.err << "meabridge check-config: " << problems.size()
             << (problems.size() == 1 ? " error" : " errors") << " in the mappings of "
             << (cfg->file.empty() ? "the embedded default" : cfg->file) << "\n";
      return kExitUsage;
    }
  }
  io.out << "configuration " << (cfg->file.empty() ? "(embedded default)" : cfg->file)
         << " is valid\n";
  harvest::Redactor redact;
  io.out << "store:  " << redact.Url(cfg->store_location) << "\n";
  io.out << "server: http://" << cfg->server_bind << ":" << cfg->server_port << "/\n";
  io.out << "sources: " << cfg->sources.size() << "\n";
  for (const config::SourceConfig& s : cfg->sources) {
    std::string where = s.kind == "http"   ? redact.Url(s.url)
                        : s.kind == "file" ? s.path
                                           : s.driver + " " + RedactConnection(s.connection);
    io.out << "  " << s.name << " (" << s.kind << ") " << where << "\n"
           << "    mapping  " << s.mapping << "\n"
           << "    schedule " << (s.enabled ? s.schedule : "disabled") << "\n";
    for (const auto& [k, v] : s.params) io.out << "    param    " << k << "=" << v << "\n";
    PrintHarvestSettings(s, io);
  }
  return kExitOk;
}

}  // namespace

void RegisterCheckConfig(std::vector<Command>& out) {
  out.push_back(Command{"check-config", "validate a configuration file and summarise it", kUsage,
                        CheckConfig});
}

}  // namespace meabridge::cli
