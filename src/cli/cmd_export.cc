// meabridge export: the stored records of one entity set as a file (publish/export/export.h
// renders, core/atomic_file.h makes -o all-or-nothing).
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <ostream>
#include <tuple>

#include "cli/common.h"
#include "core/atomic_file.h"
#include "core/log.h"
#include "core/strings.h"
#include "core/time.h"
#include "mapping/outbound.h"
#include "model/registry.h"
#include "publish/export/export.h"
#include "publish/profiles/feeds.h"
#include "vocab/vocabulary.h"

namespace meabridge::cli {
namespace {

constexpr const char* kUsage =
    "usage: meabridge export --entity ENTITY [--format FORMAT | --profile NAME] [-o FILE]\n"
    "                        [--treaty T] [--country C] [--since DATE] [--config FILE]\n"
    "\n"
    "Writes the stored records of one entity set, read from one consistent snapshot of the\n"
    "store (safe while `meabridge serve` runs), to FILE or to standard output. Streams: memory\n"
    "stays flat however many records there are. With -o the file appears complete or not at\n"
    "all: a failed or killed export leaves no partial file and keeps an existing FILE as it\n"
    "was. On a terminal a progress bar shows on stderr.\n"
    "\n"
    "options:\n"
    "  -c, --config FILE    the configuration file (default: the embedded default)\n"
    "  -e, --entity ENTITY  the entity set (required), by set name or name: Contacts or\n"
    "                       contacts, CountryReports or country_reports ... (every set of\n"
    "                       docs/entities.md; a wrong one is answered with the list)\n"
    "  -f, --format FORMAT  json (default)  OData V4 JSON: {\"@odata.context\", \"value\": [...]}\n"
    "                       csv             CSV (RFC 4180), the columns of /export/ENTITY.csv\n"
    "                       xml             the InforMEA OData V2 Atom/XML feed (children inline)\n"
    "                       atom            an Atom feed of the entries of /feeds/ENTITY.atom\n"
    "                       jsonld          JSON-LD with the entity set's @context inline\n"
    "  --profile NAME       render with the outbound mapping of the configured <profile NAME>\n"
    "                       for ENTITY instead of a format\n"
    "  --param NAME=VALUE   a parameter of the profile's mapping (repeatable)\n"
    "  --treaty T           records of treaty T (a code or alias: cbd, itpgrfa ...); on\n"
    "                       Treaties: T and its protocols\n"
    "  --country C          records of country C (FR, FRA, 250, France ...)\n"
    "  --since DATE         records updated at or after DATE (YYYY-MM-DD, midnight UTC) or\n"
    "                       DATETIME (RFC 3339, e.g. 2024-06-01T12:00:00Z)\n"
    "  --base-url URL       where links and ids in the output start (default: the <server\n"
    "                       public-url>, else http://localhost:PORT/)\n"
    "  -o, --output FILE    write FILE atomically (default, or \"-\": standard output)\n"
    "\n"
    "exit status: 0 written; 1 the store or the output failed (the message names the file and\n"
    "             the cause); 2 bad usage, an unknown entity, format, profile, treaty or\n"
    "             country, or a bad configuration.\n"
    "\n"
    "examples:\n"
    "  meabridge export -c meabridge.xml --entity memberships --treaty unfccc --format csv \\\n"
    "      -o parties.csv\n"
    "  meabridge export -c meabridge.xml --entity contacts --country FR --since 2024-01-01\n"
    "  meabridge export -c meabridge.xml --entity decisions --profile portal -o decisions.json\n"
    "\n"
    "docs/export.md describes every format and option.\n";

// True when stderr is the journal (systemd's JOURNAL_STREAM names its device and inode,
// systemd.exec(5)): a scheduled export (meabridge-export@.service) then says what it wrote,
// while a script's export stays quiet.
bool StderrIsJournal() {
  const char* stream = std::getenv("JOURNAL_STREAM");
  struct stat st {};
  if (stream == nullptr || ::fstat(STDERR_FILENO, &st) != 0) return false;
  return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino) == stream;
}

// A buffered sink into the -o file, or into io.out (standard output).
class FileSink : public codec::ByteSink {
 public:
  explicit FileSink(core::AtomicFile& f) : f_(f) {}
  Status Write(std::string_view bytes) override { return f_.Write(bytes); }

 private:
  core::AtomicFile& f_;
};

class StreamSink : public codec::ByteSink {
 public:
  explicit StreamSink(std::ostream& out) : out_(out) {}
  Status Write(std::string_view bytes) override {
    out_.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out_) return Status::IoError("cannot write to standard output");
    return Status::Ok();
  }

 private:
  std::ostream& out_;
};

// The progress bar on stderr: "[#####.....]  41% 410000/1000000 records  523k/s".
class ProgressBar {
 public:
  explicit ProgressBar(int64_t total) : total_(total), start_(Clock::now()), last_(start_) {}
  void Update(int64_t done, bool final = false) {
    if ((done & 1023) != 0 && !final) return;
    auto now = Clock::now();
    if (!final && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    double secs = std::chrono::duration<double>(now - start_).count();
    double rate = secs > 0 ? static_cast<double>(done) / secs : 0;
    int pct = total_ > 0 ? static_cast<int>(100 * done / total_) : 100;
    if (pct > 100) pct = 100;
    char bar[31];
    int fill = pct * 30 / 100;
    for (int i = 0; i < 30; ++i) bar[i] = i < fill ? '#' : '.';
    bar[30] = '\0';
    std::fprintf(stderr, "\r\033[K[%s] %3d%% %lld/%lld records  %.0f/s", bar, pct,
                 static_cast<long long>(done), static_cast<long long>(total_), rate);
    if (final) std::fputc('\n', stderr);
    std::fflush(stderr);
  }

 private:
  using Clock = std::chrono::steady_clock;
  int64_t total_;
  Clock::time_point start_;
  Clock::time_point last_;
};

int Usage(Io& io, const std::string& message) {
  io.err << "meabridge export: " << message << "\n(see meabridge export --help)\n";
  return kExitUsage;
}

std::string BaseUrl(const Args& args, const config::Config& cfg) {
  std::string base = args.Get("--base-url");
  if (base.empty()) base = cfg.server_public_url;
  if (base.empty()) base = "http://localhost:" + std::to_string(cfg.server_port) + "/";
  if (base.back() != '/') base += '/';
  return base;
}

int ExportCommand(const std::vector<std::string>& argv, Io& io) {
  Args args;
  if (!ParseArgsOrReport("export", argv,
                         {ConfigFlag(),
                          {"--entity", "-e", true, false},
                          {"--format", "-f", true, false},
                          {"--profile", "", true, false},
                          {"--param", "", true, true},
                          {"--treaty", "", true, false},
                          {"--country", "", true, false},
                          {"--since", "", true, false},
                          {"--base-url", "", true, false},
                          {"--output", "-o", true, false}},
                         io, &args)) {
    return kExitUsage;
  }
  if (!args.positional().empty()) {
    return Usage(io, "unexpected argument '" + args.positional()[0] + "'");
  }
  const model::Registry& registry = model::Registry::Default();
  if (!args.Has("--entity")) {
    return Usage(io, "say which entity set with --entity (one of " + registry.SetNames() + ")");
  }
  publish::exports::ExportOptions options;
  options.entity = registry.Find(args.Get("--entity"));
  if (!options.entity) {
    return Usage(
        io, "unknown entity set '" + args.Get("--entity") + "'; use one of " + registry.SetNames());
  }
  if (args.Has("--profile") && args.Has("--format")) {
    return Usage(io, "give --format or --profile, not both (a profile's mapping fixes the shape)");
  }
  if (args.Has("--param") && !args.Has("--profile")) {
    return Usage(io, "--param sets a parameter of a profile's mapping; name the --profile");
  }
  options.format = args.Get("--format", "json");
  if (!args.Has("--profile") && !publish::exports::FindFormat(options.format)) {
    return Usage(io, "unknown format '" + options.format + "'; use one of " +
                         publish::exports::FormatNames());
  }
  for (const std::string& p : args.GetAll("--param")) {
    size_t eq = p.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Usage(io, "--param takes NAME=VALUE, not '" + p + "'");
    }
    options.params[p.substr(0, eq)] = p.substr(eq + 1);
  }
  if (args.Has("--since")) {
    auto since = core::ParseDateTime(core::Trim(args.Get("--since")));
    if (!since) {
      return Usage(io, "--since " + core::Quote(args.Get("--since")) +
                           " is not a date (YYYY-MM-DD) or an RFC 3339 date-time "
                           "(2024-06-01T12:00:00Z)");
    }
    options.since = *since;
  }

  auto cfg = LoadConfigOrReport(args, io);
  if (!cfg) return kExitUsage;
  options.base_url = BaseUrl(args, *cfg);

  // Vocabularies: for treaty and country names and for profile mappings only.
  std::unique_ptr<vocab::Vocabularies> vocabs;
  if (args.Has("--treaty") || args.Has("--country") || args.Has("--profile")) {
    auto loaded = vocab::Vocabularies::Load();
    if (!loaded.ok()) {
      io.err << "meabridge export: " << loaded.status().message() << "\n";
      return kExitFailed;
    }
    vocabs = std::move(*loaded);
  }
  for (auto [flag, vocabulary, target] : {std::tuple{"--treaty", "treaties", &options.treaty},
                                          std::tuple{"--country", "countries", &options.country}}) {
    if (!args.Has(flag)) continue;
    const vocab::Vocabulary* v = vocabs->Find(vocabulary);
    const vocab::Term* t = v ? v->Lookup(args.Get(flag)) : nullptr;
    if (!t) {
      return Usage(io, std::string(flag) + " " + core::Quote(args.Get(flag)) + " is not in the " +
                           vocabulary + " vocabulary (`meabridge vocab list " + vocabulary +
                           "` shows them)");
    }
    *target = t->code;
  }
  if (args.Has("--profile")) {
    const std::string name = args.Get("--profile");
    std::string names;
    std::string entities;
    for (const config::ProfileConfig& p : cfg->profiles) {
      if (names.find(p.name) == std::string::npos) names += (names.empty() ? "" : ", ") + p.name;
    }
    auto profiles = publish::profiles::LoadProfiles(*cfg, vocabs.get(), registry);
    if (!profiles.ok()) {
      io.err << "meabridge export: " << profiles.status().message() << "\n";
      return kExitUsage;
    }
    bool known = false;
    for (const publish::Profile& p : *profiles) {
      if (p.name != name) continue;
      known = true;
      const model::EntitySpec& e = p.mapping->entity();
      entities += (entities.empty() ? "" : ", ") + e.set_name;
      if (&e == options.entity) options.profile = p.mapping;
    }
    if (!known) {
      return Usage(io, "no profile '" + name + "' in " +
                           (cfg->file.empty() ? "the embedded default" : cfg->file) +
                           (names.empty() ? " (it configures none)" : "; it has " + names));
    }
    if (!options.profile) {
      return Usage(io, "the profile " + name + " has no mapping for " + options.entity->set_name +
                           "; it renders " + entities);
    }
    Status st = options.profile->CheckParams(options.params);
    if (!st.ok()) return Usage(io, "profile " + name + ": " + st.message());
  }
  auto query = publish::exports::BuildQuery(options);
  if (!query.ok()) return Usage(io, query.status().message());

  auto store = OpenStoreOrReport(*cfg, io);
  if (!store) return kExitFailed;
  const std::string where = store::RedactStoreLocation(cfg->store_location);
  auto view = store->Read();
  if (!view.ok()) {
    io.err << "meabridge export: cannot read the store " << where << ": " << view.status().message()
           << "\n";
    return kExitFailed;
  }

  const std::string output = args.Get("--output", "-");
  std::unique_ptr<core::AtomicFile> file;
  std::unique_ptr<codec::ByteSink> sink;
  if (output != "-") {
    auto created = core::AtomicFile::Create(output);
    if (!created.ok()) {
      io.err << "meabridge export: " << created.status().message() << "\n";
      return kExitFailed;
    }
    file = std::move(*created);
    sink = std::make_unique<FileSink>(*file);
  } else {
    sink = std::make_unique<StreamSink>(io.out);
  }

  // The bar only where a person watches stderr and it does not mix with the data.
  std::unique_ptr<ProgressBar> bar;
  if (&io.err == &std::cerr && ::isatty(STDERR_FILENO) == 1 &&
      (file || ::isatty(STDOUT_FILENO) != 1)) {
    auto total = (*view)->Count(*query);
    if (total.ok()) bar = std::make_unique<ProgressBar>(*total);
  }
  publish::exports::ProgressFn progress;
  if (bar) progress = [&bar](int64_t n) { bar->Update(n); };

  auto written = publish::exports::Export(**view, *query, options, *sink, progress);
  if (!written.ok()) {
    io.err << "meabridge export: " << (file ? output : std::string("standard output"))
           << " not written: "
           << (written.status().code() == Status::Code::kIoError
                   ? ""
                   : "reading the store " + where + ": ")
           << written.status().message() << "\n";
    return kExitFailed;
  }
  if (bar) bar->Update(*written, true);
  if (file) {
    Status st = file->Commit();
    if (!st.ok()) {
      io.err << "meabridge export: " << st.message() << "\n";
      return kExitFailed;
    }
    if (bar) {
      std::fprintf(stderr, "%lld %s records written to %s\n", static_cast<long long>(*written),
                   options.entity->set_name.c_str(), output.c_str());
    }
    if (StderrIsJournal()) {
      core::LogInfo("export: " + std::to_string(*written) + " " + options.entity->set_name +
                    " records written to " + output + " (" +
                    (args.Has("--profile") ? "profile " + args.Get("--profile") : options.format) +
                    ")");
    }
  } else {
    io.out.flush();
    if (!io.out) {
      io.err << "meabridge export: cannot write to standard output\n";
      return kExitFailed;
    }
  }
  return kExitOk;
}

}  // namespace

void RegisterExport(std::vector<Command>& out) {
  out.push_back(Command{"export", "write stored records as json, csv, xml, atom or jsonld", kUsage,
                        ExportCommand});
}

}  // namespace meabridge::cli
