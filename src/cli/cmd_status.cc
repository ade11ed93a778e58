// meabridge status: the store and the sources' last runs, read from the store. It only reads,
// through one snapshot: on SQLite a WAL reader, which never blocks the daemon's writer and is
// never blocked by it; on PostgreSQL one REPEATABLE READ transaction.
#include <cstdio>
#include <iomanip>
#include <ostream>

#include "cli/common.h"
#include "core/json.h"
#include "core/time.h"
#include "harvest/fetch/redact.h"
#include "model/registry.h"
#include "store/run_json.h"

namespace meabridge::cli {
namespace {

constexpr const char* kUsage =
    "usage: meabridge status [--config FILE] [--runs N] [--json]\n"
    "\n"
    "Prints the state of the configured store: its location (without any password), backend,\n"
    "schema version, change sequence, records per entity set; then every configured source\n"
    "with its kind, schedule, watermark and its last runs (status, start, duration, counts,\n"
    "warnings, error). Reads only, from one snapshot: safe to run while `meabridge serve` is\n"
    "running, and never blocks it. Creates the store when it does not exist yet.\n"
    "\n"
    "options:\n"
    "  -c, --config FILE   the configuration file (default: the embedded default)\n"
    "  --runs N            runs shown per source, newest first (default 3)\n"
    "  --json              the same as one JSON document, for scripts\n"
    "\n"
    "exit status: 0 printed; 1 the store cannot be opened or read; 2 bad usage or a bad\n"
    "             configuration.\n"
    "\n"
    "examples:\n"
    "  meabridge status --config /etc/meabridge/meabridge.xml\n"
    "  meabridge status -c meabridge.xml --json | jq '.sources[] | {name, last: "
    ".runs[0].status}'\n";

using JsonWriter = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

struct SourceState {
  const config::SourceConfig* config = nullptr;
  std::optional<std::string> watermark;
  std::vector<store::RunRecord> runs;
};

std::string Seconds(int64_t ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3fs", static_cast<double>(ms) / 1000.0);
  return buf;
}

void PrintText(const store::StoreInfo& info, const std::vector<SourceState>& sources,
               std::ostream& out) {
  out << "store:           " << info.backend << " " << store::RedactStoreLocation(info.location)
      << "\n"
      << "schema version:  " << info.schema_version << "\n"
      << "change sequence: " << info.max_seq << "\n"
      << "tombstones:      " << info.tombstones << "\n"
      << "runs:            " << info.runs << "\n"
      << "records:\n";
  for (const auto& [entity, n] : info.live_records) {
    out << "  " << std::left << std::setw(14) << entity << n << "\n";
  }
  out << "sources:" << (sources.empty() ? " none configured\n" : "\n");
  for (const SourceState& s : sources) {
    const config::SourceConfig& c = *s.config;
    out << "  " << c.name << "  (" << c.kind << ", " << c.schedule
        << (c.enabled ? "" : ", disabled") << ")\n";
    out << "    watermark: " << (s.watermark ? *s.watermark : "none") << "\n";
    if (s.runs.empty()) out << "    never harvested\n";
    for (const store::RunRecord& r : s.runs) {
      out << "    run " << r.id << " " << r.status << (r.full ? " (full)" : "") << " at "
          << core::FormatDateTime(r.started) << " in " << Seconds(r.finished - r.started)
          << ": fetched " << r.counts.fetched << ", created " << r.counts.created << ", updated "
          << r.counts.updated << ", unchanged " << r.counts.unchanged << ", deleted "
          << r.counts.deleted << ", rejected " << r.counts.rejected << "\n";
      for (const std::string& w : r.warnings) out << "      warning: " << w << "\n";
      if (!r.error.empty()) out << "      error: " << r.error << "\n";
    }
  }
}

void PrintJson(const store::StoreInfo& info, const std::vector<SourceState>& sources,
               std::ostream& out) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("store");
  w.StartObject();
  w.Key("backend");
  w.String(info.backend);
  w.Key("location");
  w.String(store::RedactStoreLocation(info.location));
  w.Key("schema_version");
  w.Int(info.schema_version);
  w.Key("max_seq");
  w.Int64(info.max_seq);
  w.Key("tombstones");
  w.Int64(info.tombstones);
  w.Key("runs");
  w.Int64(info.runs);
  w.Key("records");
  w.StartObject();
  for (const auto& [entity, n] : info.live_records) {
    w.Key(entity);
    w.Int64(n);
  }
  w.EndObject();
  w.EndObject();
  w.Key("sources");
  w.StartArray();
  for (const SourceState& s : sources) {
    const config::SourceConfig& c = *s.config;
    w.StartObject();
    w.Key("name");
    w.String(c.name);
    w.Key("kind");
    w.String(c.kind);
    w.Key("schedule");
    w.String(c.schedule);
    w.Key("enabled");
    w.Bool(c.enabled);
    w.Key("watermark");
    if (s.watermark) {
      w.String(*s.watermark);
    } else {
      w.Null();
    }
    w.Key("runs");
    w.StartArray();
    for (const store::RunRecord& r : s.runs) {
      w.StartObject();
      store::WriteRunMembers(w, r);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  out << std::string_view(buf.GetString(), buf.GetSize()) << "\n";
}

int StatusCommand(const std::vector<std::string>& argv, Io& io) {
  Args args;
  if (!ParseArgsOrReport("status", argv,
                         {ConfigFlag(), {"--runs", "", true, false}, {"--json", "", false, false}},
                         io, &args)) {
    return kExitUsage;
  }
  int64_t runs_per_source = 3;
  if (args.Has("--runs")) {
    const std::string v = args.Get("--runs");
    char* end = nullptr;
    long long n = std::strtoll(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0' || n < 0 || n > 1000) {
      io.err << "meabridge status: --runs takes a count from 0 to 1000, not '" << v << "'\n";
      return kExitUsage;
    }
    runs_per_source = n;
  }
  auto cfg = LoadConfigOrReport(args, io);
  if (!cfg) return kExitUsage;
  auto store = OpenStoreOrReport(*cfg, io);
  if (!store) return kExitFailed;
  const std::string where = store::RedactStoreLocation(cfg->store_location);
  auto fail = [&](const Status& st) {
    io.err << "meabridge status: reading the store " << where << ": " << st.message() << "\n";
    return kExitFailed;
  };
  Result<store::StoreInfo> info = store->Info();
  if (!info.ok()) return fail(info.status());
  Result<std::unique_ptr<store::ReadView>> view = store->Read();
  if (!view.ok()) return fail(view.status());
  std::vector<SourceState> sources;
  for (const config::SourceConfig& s : cfg->sources) {
    SourceState state;
    state.config = &s;
    auto watermark = (*view)->Watermark(s.name);
    if (!watermark.ok()) return fail(watermark.status());
    // A store written before watermarks were kept without secrets may still hold some: shown
    // as a run's URLs are (harvest/state.h).
    if (*watermark) state.watermark = harvest::Redactor().Text(**watermark);
    if (runs_per_source > 0) {
      auto runs = (*view)->Runs(s.name, runs_per_source);
      if (!runs.ok()) return fail(runs.status());
      state.runs = std::move(*runs);
    }
    sources.push_back(std::move(state));
  }
  if (args.Has("--json")) {
    PrintJson(*info, sources, io.out);
  } else {
    PrintText(*info, sources, io.out);
  }
  return kExitOk;
}

}  // namespace

void RegisterStatus(std::vector<Command>& out) {
  out.push_back(
      Command{"status", "show the store, the sources and their last runs", kUsage, StatusCommand});
}

}  // namespace meabridge::cli
