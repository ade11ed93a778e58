// meabridge mapping test: runs an inbound mapping over a file and shows what comes out: the
// canonical records and the rejects with their reasons. What an admin runs while writing a
// mapping for a new partner feed.
#include <algorithm>
#include <filesystem>
#include <ostream>

#include "cli/common.h"
#include "codec/byte_source.h"
#include "config/config.h"
#include "core/json.h"
#include "config/values.h"
#include "core/strings.h"
#include "harvest/harvest.h"
#include "mapping/mapping.h"
#include "model/canonical_json.h"
#include "vocab/vocabulary.h"

namespace meabridge::cli {
namespace {

constexpr const char* kUsage =
    "usage: meabridge mapping test MAPPING --input FILE [--param K=V]... [--format FORMAT]\n"
    "       meabridge mapping test --config FILE --source S [--param K=V]... [--format FORMAT]\n"
    "\n"
    "Runs the inbound mapping MAPPING (.xml or .json) over FILE and prints the canonical records\n"
    "it makes and the rejects, each with its position in FILE, the field, the rule, the raw\n"
    "value and what to fix. Nothing is stored. docs/mappings.md describes mapping files.\n"
    "\n"
    "With --source, the configured source S (http, file or sql) runs as `meabridge harvest\n"
    "--full S` would run it: the same fetching, paging, decoding, mapping, run checks and\n"
    "store checks (an id another source owns is a reject) through its configured mapping,\n"
    "but as a dry run: the store's transaction is rolled back, no run is recorded, nothing is\n"
    "written. Then the run's summary: what `harvest` would have reported. (On SQLite the dry\n"
    "run holds the store's write lock while it checks the records, as a run does.)\n"
    "\n"
    "MAPPING is a path; when it does not exist there, the installed mappings folder is tried\n"
    "(so mappings/informea-odata-v2/contacts.xml names a shipped mapping).\n"
    "\n"
    "options:\n"
    "  --input FILE      the source document, in the mapping's decoder format (JSON, XML or\n"
    "                    CSV); - reads standard input\n"
    "  -c, --config FILE with --source: the configuration file (default: the embedded default)\n"
    "  --source S        run the configured source S (no MAPPING, no --input)\n"
    "  --param K=V       a mapping parameter, as a source's <param> gives it (repeatable),\n"
    "                    e.g. --param treaty=unfccc\n"
    "  --format FORMAT   table   (default) each record as field/value lines, then the rejects\n"
    "                    json    one JSON object {\"records\": [...], \"rejects\": [...],\n"
    "                            \"deleted\": [...]}: records in canonical JSON (entity, id,\n"
    "                            fields; dates YYYY-MM-DD, datetimes RFC 3339 UTC,\n"
    "                            multilingual fields keyed by language), rejects with\n"
    "                            position, id, field, rule, value, message, and the records\n"
    "                            the mapping's <deleted> rules mark deleted (position, id)\n"
    "                    ndjson  one JSON line per record ({\"record\": ...}), reject\n"
    "                            ({\"reject\": ...}) or deletion mark ({\"deleted\": ...}),\n"
    "                            written as they come: memory stays flat for documents of\n"
    "                            any size\n"
    "                    count   only the counts\n"
    "\n"
    "exit codes: 0 every record mapped, 1 there were rejects (or, with --source, the run would\n"
    "not be ok: failed, partial or aborted), 2 the mapping or the input cannot be read (errors\n"
    "say file:line:column and what is expected), an unknown source, or bad usage\n"
    "\n"
    "examples:\n"
    "  meabridge mapping test mappings/informea-odata-v2/contacts.xml --input Contacts.json\n"
    "  meabridge mapping test mappings/status-csv/memberships.json --input status.csv \\\n"
    "      --param treaty=unfccc --format json\n"
    "  meabridge mapping test my-mapping.xml --input big.json --format ndjson > out.ndjson\n"
    "  meabridge mapping test --config /etc/meabridge/meabridge.xml --source national-db\n";

std::string ResolveMappingPath(const std::string& path) {
  namespace fs = std::filesystem;
  if (fs::exists(path) || fs::path(path).is_absolute()) return path;
  std::string shipped = (fs::path(config::DataDir()) / path).lexically_normal().string();
  return fs::exists(shipped) ? shipped : path;
}

void WriteReject(const mapping::Reject& r, rapidjson::Writer<rapidjson::StringBuffer>& w) {
  w.StartObject();
  w.Key("position");
  w.String(r.position);
  w.Key("id");
  w.String(r.record_id);
  w.Key("field");
  w.String(r.field);
  w.Key("rule");
  w.String(r.rule);
  w.Key("value");
  w.String(r.value);
  w.Key("message");
  w.String(r.message);
  w.EndObject();
}

void WriteDeleted(const std::string& id, const std::string& position,
                  rapidjson::Writer<rapidjson::StringBuffer>& w) {
  w.StartObject();
  w.Key("position");
  w.String(position);
  w.Key("id");
  w.String(id);
  w.EndObject();
}

// Prints as records come (json, ndjson, count) or collects them for the table.
class PrintSink : public mapping::RecordSink {
 public:
  PrintSink(std::ostream& out, std::string format) : out_(out), format_(std::move(format)) {}

  Status OnRecord(model::Record record) override {
    ++records_;
    if (format_ == "count") return Status::Ok();
    if (format_ == "table") {
      table_records_.push_back(std::move(record));
      return Status::Ok();
    }
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    if (format_ == "ndjson") {
      w.StartObject();
      w.Key("record");
      model::WriteCanonicalJson(record, w);
      w.EndObject();
      out_.write(buf.GetString(), static_cast<std::streamsize>(buf.GetSize()));
      out_ << '\n';
    } else {  // json
      if (records_ > 1) out_ << ",\n";
      model::WriteCanonicalJson(record, w);
      out_.write(buf.GetString(), static_cast<std::streamsize>(buf.GetSize()));
    }
    if (!out_) return Status::IoError("cannot write the output");
    return Status::Ok();
  }

  Status OnReject(mapping::Reject reject) override {
    ++rejects_;
    if (format_ == "ndjson") {
      rapidjson::StringBuffer buf;
      rapidjson::Writer<rapidjson::StringBuffer> w(buf);
      w.StartObject();
      w.Key("reject");
      WriteReject(reject, w);
      w.EndObject();
      out_.write(buf.GetString(), static_cast<std::streamsize>(buf.GetSize()));
      out_ << '\n';
      return out_ ? Status::Ok() : Status::IoError("cannot write the output");
    }
    if (format_ != "count") rejects_list_.push_back(std::move(reject));
    return Status::Ok();
  }

  Status OnDeleted(std::string id, std::string position) override {
    ++deleted_;
    if (format_ == "ndjson") {
      rapidjson::StringBuffer buf;
      rapidjson::Writer<rapidjson::StringBuffer> w(buf);
      w.StartObject();
      w.Key("deleted");
      WriteDeleted(id, position, w);
      w.EndObject();
      out_.write(buf.GetString(), static_cast<std::streamsize>(buf.GetSize()));
      out_ << '\n';
      return out_ ? Status::Ok() : Status::IoError("cannot write the output");
    }
    if (format_ != "count") deleted_list_.emplace_back(std::move(id), std::move(position));
    return Status::Ok();
  }

  void Begin() {
    if (format_ == "json") out_ << "{\"records\": [\n";
  }

  void End(const std::string& error) {
    if (format_ == "json") {
      out_ << "\n],\n\"rejects\": [\n";
      for (size_t i = 0; i < rejects_list_.size(); ++i) {
        rapidjson::StringBuffer buf;
        rapidjson::Writer<rapidjson::StringBuffer> w(buf);
        WriteReject(rejects_list_[i], w);
        if (i) out_ << ",\n";
        out_.write(buf.GetString(), static_cast<std::streamsize>(buf.GetSize()));
      }
      out_ << "\n],\n\"deleted\": [\n";
      for (size_t i = 0; i < deleted_list_.size(); ++i) {
        rapidjson::StringBuffer buf;
        rapidjson::Writer<rapidjson::StringBuffer> w(buf);
        WriteDeleted(deleted_list_[i].first, deleted_list_[i].second, w);
        if (i) out_ << ",\n";
        out_.write(buf.GetString(), static_cast<std::streamsize>(buf.GetSize()));
      }
      out_ << "\n]";
      if (!error.empty()) {
        rapidjson::StringBuffer buf;
        rapidjson::Writer<rapidjson::StringBuffer> w(buf);
        w.String(error);
        out_ << ",\n\"error\": " << buf.GetString();
      }
      out_ << "}\n";
    } else if (format_ == "table") {
      PrintTable();
    }
    if (format_ == "table" || format_ == "count") {
      out_ << records_ << (records_ == 1 ? " record, " : " records, ") << rejects_
           << (rejects_ == 1 ? " reject" : " rejects");
      if (deleted_ > 0) out_ << ", " << deleted_ << " marked deleted";
      out_ << "\n";
    }
  }

  size_t records() const { return records_; }
  size_t rejects() const { return rejects_; }

 private:
  static std::string OneLine(std::string s) {
    std::string out;
    for (char c : s) {
      if (c == '\n') {
        out += "\\n";
      } else if (c == '\r' || c == '\t') {
        out += ' ';
      } else {
        out += c;
      }
    }
    return out;
  }

  void PrintTable() {
    for (size_t i = 0; i < table_records_.size(); ++i) {
      const model::Record& r = table_records_[i];
      out_ << "record " << (i + 1) << ": " << r.entity().set_name << " " << core::Quote(r.id())
           << "\n";
      size_t width = 0;
      const auto& fields = r.entity().fields;
      for (size_t f = 1; f < fields.size(); ++f) {
        if (!model::IsEmpty(r.Get(f))) width = std::max(width, fields[f].name.size());
      }
      for (size_t f = 1; f < fields.size(); ++f) {
        const model::Value& v = r.Get(f);
        if (model::IsEmpty(v)) continue;
        std::string name = fields[f].name;
        name.resize(width + 2, ' ');
        out_ << "  " << name << OneLine(model::ValueToString(v)) << "\n";
      }
      out_ << "\n";
    }
    if (!deleted_list_.empty()) {
      out_ << "marked deleted:\n";
      for (const auto& [id, position] : deleted_list_) {
        out_ << "  " << (position.empty() ? "-" : position) << "  id " << core::Quote(id) << "\n";
      }
      out_ << "\n";
    }
    if (!rejects_list_.empty()) {
      out_ << "rejects:\n";
      for (const mapping::Reject& r : rejects_list_) {
        out_ << "  " << (r.position.empty() ? "-" : r.position);
        if (!r.record_id.empty()) out_ << "  id " << core::Quote(r.record_id);
        if (!r.field.empty()) out_ << "  field " << r.field;
        out_ << "  rule " << r.rule;
        if (!r.value.empty()) out_ << "  value " << core::Quote(OneLine(r.value), 60);
        out_ << "\n      " << OneLine(r.message) << "\n";
      }
      out_ << "\n";
    }
  }

  std::ostream& out_;
  std::string format_;
  size_t records_ = 0, rejects_ = 0, deleted_ = 0;
  std::vector<model::Record> table_records_;
  std::vector<std::pair<std::string, std::string>> deleted_list_;  // id, position
  std::vector<mapping::Reject> rejects_list_;
};

// mapping test --source: the configured source through the harvester, as a dry run.
int SourceTest(const Args& args, const std::string& format, const mapping::Params& params,
               Io& io) {
  auto cfg = LoadConfigOrReport(args, io);
  if (!cfg) return kExitUsage;
  const std::string name = args.Get("--source");
  const config::SourceConfig* found = cfg->FindSource(name);
  if (!found) {
    ReportUnknownSource("mapping test", name, *cfg, io);
    return kExitUsage;
  }
  config::SourceConfig source = *found;
  for (const auto& [k, v] : params) source.params[k] = v;
  std::unique_ptr<store::Store> store = OpenStoreOrReport(*cfg, io);
  if (!store) return kExitFailed;
  harvest::Harvester harvester(cfg, *store);
  PrintSink sink(io.out, format);
  harvest::HarvestOptions options;
  options.full = true;
  options.dry_run = true;
  options.observe = &sink;
  sink.Begin();
  harvest::RunReport r = harvester.Run(source, options);
  sink.End(r.run.error);
  // The summary goes where it does not break a JSON output.
  std::ostream& out = format == "json" || format == "ndjson" ? io.err : io.out;
  out << "source '" << source.name << "' (dry run, nothing stored): " << harvest::Summarize(r)
      << "\n";
  for (const std::string& w : r.run.warnings) out << "  warning: " << w << "\n";
  if (!r.run.error.empty()) out << "  error: " << r.run.error << "\n";
  io.out.flush();
  return r.ok() && sink.rejects() == 0 ? kExitOk : kExitFailed;
}

int MappingTest(const std::vector<std::string>& argv, Io& io) {
  Args args;
  if (!ParseArgsOrReport("mapping test", argv,
                         {{"--input", "-i", true, false},
                          {"--param", "", true, true},
                          {"--format", "", true, false},
                          ConfigFlag(),
                          {"--source", "", true, false}},
                         io, &args)) {
    return kExitUsage;
  }
  const auto& pos = args.positional();
  if (args.Has("--source")) {
    if (!pos.empty() || args.Has("--input")) {
      io.err << "meabridge mapping test: --source runs the source's own mapping over what it "
                "reads: give no MAPPING and no --input with it\n(see meabridge mapping test "
                "--help)\n";
      return kExitUsage;
    }
  } else if (args.Has("--config")) {
    io.err << "meabridge mapping test: --config goes with --source S (which configured source "
              "to run)\n(see meabridge mapping test --help)\n";
    return kExitUsage;
  }
  if (!args.Has("--source") && pos.size() != 1) {
    io.err
        << "meabridge mapping test: give one MAPPING file\n(see meabridge mapping test --help)\n";
    return kExitUsage;
  }
  if (!args.Has("--source") && !args.Has("--input")) {
    io.err << "meabridge mapping test: --input FILE is required (or --config FILE --source S)\n"
              "(see meabridge mapping test --help)\n";
    return kExitUsage;
  }
  std::string format = args.Get("--format", "table");
  if (format != "table" && format != "json" && format != "ndjson" && format != "count") {
    io.err << "meabridge mapping test: --format " << format
           << ": expected table, json, ndjson or count\n";
    return kExitUsage;
  }
  mapping::Params params;
  for (const std::string& kv : args.GetAll("--param")) {
    size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      io.err << "meabridge mapping test: --param " << kv << ": expected NAME=VALUE\n";
      return kExitUsage;
    }
    params[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  if (args.Has("--source")) return SourceTest(args, format, params, io);
  Result<std::unique_ptr<vocab::Vocabularies>> vocabs = vocab::Vocabularies::Load();
  if (!vocabs.ok()) {
    io.err << "meabridge mapping test: cannot load the vocabularies: " << vocabs.status().message()
           << "\n";
    return kExitUsage;
  }
  std::string path = ResolveMappingPath(pos[0]);
  Result<std::shared_ptr<const mapping::Mapping>> m = mapping::Mapping::Load(path, **vocabs);
  if (!m.ok()) {
    io.err << "meabridge mapping test: the mapping cannot be used:\n"
           << m.status().message() << "\n";
    return kExitUsage;
  }
  Status params_ok = (*m)->CheckParams(params);
  if (!params_ok.ok()) {
    io.err << "meabridge mapping test: " << params_ok.message() << "\n";
    return kExitUsage;
  }
  std::string input_path = args.Get("--input");
  Result<std::unique_ptr<codec::ByteSource>> input =
      codec::ByteSource::FromFile(input_path == "-" ? "/dev/stdin" : input_path);
  if (!input.ok()) {
    io.err << "meabridge mapping test: " << input.status().message() << "\n";
    return kExitUsage;
  }
  PrintSink sink(io.out, format);
  sink.Begin();
  Result<mapping::DocumentInfo> info = (*m)->Run(**input, params, sink);
  sink.End(info.ok() ? "" : info.status().message());
  if (!info.ok()) {
    io.err << "meabridge mapping test: " << info.status().message() << "\n";
    return kExitUsage;
  }
  for (const std::string& w : info->warnings) io.err << "warning: " << w << "\n";
  io.out.flush();
  return sink.rejects() > 0 ? kExitFailed : kExitOk;
}

}  // namespace

void RegisterMapping(std::vector<Command>& out) {
  out.push_back(Command{"mapping test", "run a mapping over a file and show records and rejects",
                        kUsage, MappingTest});
}

}  // namespace meabridge::cli
