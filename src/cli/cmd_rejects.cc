// meabridge rejects: the records runs did not take, and why, read from the store (one
// snapshot, like `meabridge status`).
#include <ostream>

#include "cli/common.h"
#include "config/values.h"
#include "core/json.h"
#include "core/strings.h"
#include "core/time.h"
#include "publish/csv/csv.h"
#include "store/run_json.h"

namespace meabridge::cli {
namespace {

constexpr const char* kUsage =
    "usage: meabridge rejects [--config FILE] [--source S] [--run N] [--rule R]\n"
    "                         [--format text|json|csv]\n"
    "\n"
    "Lists the rejects of runs: the records a run read but did not store, each with its\n"
    "record id, position in the source, field, rule, the value and the message saying why.\n"
    "Without --run, the last run of every configured source (or of --source S) is shown; a\n"
    "run that rejected nothing shows no lines. Reads only, from one snapshot: safe while\n"
    "`meabridge serve` runs.\n"
    "\n"
    "options:\n"
    "  -c, --config FILE  the configuration file (default: the embedded default)\n"
    "  --source S         the last run of source S only (repeatable)\n"
    "  --run N            run N, whichever source it belongs to (repeatable; meabridge\n"
    "                     status lists the runs)\n"
    "  --rule R           only rejects of rule R (repeatable), e.g. duplicate-id,\n"
    "                     owned-by-other-source, encoding, required, vocabulary\n"
    "  --format F         text (default: one block per run, one line per reject), json (one\n"
    "                     document: {\"runs\": [run as in status --json, with \"rejects\"]})\n"
    "                     or csv (RFC 4180, a header row: run, source, entity, recordId,\n"
    "                     position, field, rule, value, message)\n"
    "\n"
    "exit status: 0 listed (whether or not there were rejects); 1 the store cannot be read,\n"
    "             or no such run; 2 bad usage, an unknown source or a bad configuration.\n"
    "\n"
    "examples:\n"
    "  meabridge rejects -c meabridge.xml\n"
    "  meabridge rejects -c meabridge.xml --source cbd-contacts --rule vocabulary\n"
    "  meabridge rejects -c meabridge.xml --run 42 --format csv > rejects-42.csv\n"
    "  meabridge rejects -c meabridge.xml --format json | jq '.runs[].rejects[].recordId'\n";

struct RunRejects {
  store::RunRecord run;
  std::vector<store::Reject> rejects;
};

void PrintText(const std::vector<RunRejects>& runs, std::ostream& out) {
  for (const RunRejects& r : runs) {
    out << "run " << r.run.id << " of " << r.run.source << " (" << r.run.status << ", "
        << core::FormatDateTime(r.run.started) << "): " << r.run.counts.rejected
        << " rejected";
    if (static_cast<int64_t>(r.rejects.size()) != r.run.counts.rejected) {
      out << ", " << r.rejects.size() << " shown";
    }
    out << "\n";
    for (const store::Reject& j : r.rejects) {
      out << "  " << j.rule << "  " << (j.field.empty() ? "-" : j.field) << "  "
          << (j.record_id.empty() ? "(no id)" : core::Quote(j.record_id))
          << (j.position.empty() ? "" : "  " + j.position) << "\n    " << j.message << "\n";
      if (!j.value.empty() && j.message.find(j.value) == std::string::npos) {
        out << "    value: " << core::Quote(j.value, 200) << "\n";
      }
    }
  }
}

void PrintJson(const std::vector<RunRejects>& runs, std::ostream& out) {
  rapidjson::StringBuffer buf;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("runs");
  w.StartArray();
  for (const RunRejects& r : runs) {
    w.StartObject();
    store::WriteRunMembers(w, r.run);
    w.Key("rejects");
    w.StartArray();
    for (const store::Reject& j : r.rejects) {
      w.StartObject();
      store::WriteRejectMembers(w, j);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  out << std::string_view(buf.GetString(), buf.GetSize()) << "\n";
}

void PrintCsv(const std::vector<RunRejects>& runs, std::ostream& out) {
  out << "run,source,entity,recordId,position,field,rule,value,message\r\n";
  std::string line;
  for (const RunRejects& r : runs) {
    for (const store::Reject& j : r.rejects) {
      line = std::to_string(r.run.id);
      for (const std::string* cell : {&r.run.source, &j.entity, &j.record_id, &j.position,
                                      &j.field, &j.rule, &j.value, &j.message}) {
        line += ',';
        publish::csv::AppendCell(line, *cell);
      }
      out << line << "\r\n";
    }
  }
}

int Rejects(const std::vector<std::string>& argv, Io& io) {
  Args args;
  if (!ParseArgsOrReport("rejects", argv,
                         {ConfigFlag(),
                          {"--source", "", true, true},
                          {"--run", "", true, true},
                          {"--rule", "", true, true},
                          {"--format", "", true, false}},
                         io, &args)) {
    return kExitUsage;
  }
  const std::string format = args.Get("--format", "text");
  if (format != "text" && format != "json" && format != "csv") {
    io.err << "meabridge rejects: --format " << format
           << " is not one of text, json, csv\n(see meabridge rejects --help)\n";
    return kExitUsage;
  }
  if (!args.positional().empty()) {
    io.err << "meabridge rejects: unexpected argument '" << args.positional()[0]
           << "' (name a source with --source)\n(see meabridge rejects --help)\n";
    return kExitUsage;
  }
  std::vector<int64_t> run_ids;
  for (const std::string& v : args.GetAll("--run")) {
    std::optional<int64_t> id = core::ParseInt(v);
    if (!id || *id <= 0) {
      io.err << "meabridge rejects: --run " << v
             << " is not a run id (a positive number; meabridge status lists the runs)\n";
      return kExitUsage;
    }
    run_ids.push_back(*id);
  }
  auto cfg = LoadConfigOrReport(args, io);
  if (!cfg) return kExitUsage;
  std::vector<std::string> sources = args.GetAll("--source");
  std::vector<std::string> names;
  for (const config::SourceConfig& s : cfg->sources) names.push_back(s.name);
  for (const std::string& s : sources) {
    if (cfg->FindSource(s)) continue;
    ReportUnknownSource("rejects", s, *cfg, io);
    return kExitUsage;
  }
  if (sources.empty() && run_ids.empty()) sources = names;
  const std::vector<std::string> rules = args.GetAll("--rule");

  std::unique_ptr<store::Store> store = OpenStoreOrReport(*cfg, io);
  if (!store) return kExitFailed;
  Result<std::unique_ptr<store::ReadView>> view = store->Read();
  if (!view.ok()) {
    io.err << "meabridge rejects: cannot read the store: " << view.status().message() << "\n";
    return kExitFailed;
  }
  std::vector<store::RunRecord> chosen;
  for (int64_t id : run_ids) {
    Result<std::optional<store::RunRecord>> run = (*view)->Run(id);
    if (!run.ok()) {
      io.err << "meabridge rejects: cannot read run " << id << ": " << run.status().message()
             << "\n";
      return kExitFailed;
    }
    if (!*run) {
      io.err << "meabridge rejects: no run " << id
             << " in the store (meabridge status lists each source's last runs)\n";
      return kExitFailed;
    }
    chosen.push_back(**run);
  }
  for (const std::string& s : sources) {
    Result<std::vector<store::RunRecord>> runs = (*view)->Runs(s, 1);
    if (!runs.ok()) {
      io.err << "meabridge rejects: cannot read the runs of " << s << ": "
             << runs.status().message() << "\n";
      return kExitFailed;
    }
    if (!runs->empty()) chosen.push_back(runs->front());
  }
  std::vector<RunRejects> out;
  for (const store::RunRecord& run : chosen) {
    RunRejects r{run, {}};
    if (run.counts.rejected > 0) {
      Result<std::vector<store::Reject>> rejects = (*view)->Rejects(run.id, -1);
      if (!rejects.ok()) {
        io.err << "meabridge rejects: cannot read the rejects of run " << run.id << ": "
               << rejects.status().message() << "\n";
        return kExitFailed;
      }
      for (store::Reject& j : *rejects) {
        bool wanted = rules.empty();
        for (const std::string& rule : rules) wanted = wanted || j.rule == rule;
        if (wanted) r.rejects.push_back(std::move(j));
      }
    }
    out.push_back(std::move(r));
  }
  if (format == "json") {
    PrintJson(out, io.out);
  } else if (format == "csv") {
    PrintCsv(out, io.out);
  } else {
    if (out.empty()) io.out << "no runs recorded yet\n";
    PrintText(out, io.out);
  }
  return kExitOk;
}

}  // namespace

void RegisterRejects(std::vector<Command>& out) {
  out.push_back(Command{"rejects", "list the records runs rejected, and why", kUsage, Rejects});
}

}  // namespace meabridge::cli
