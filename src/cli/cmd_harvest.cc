// meabridge harvest: runs sources once (harvest/harvest.h) and prints one summary per source.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <mutex>
#include <ostream>
#include <stop_token>

#include "cli/common.h"
#include "config/values.h"
#include "core/log.h"
#include "core/strings.h"
#include "harvest/harvest.h"
#include "harvest/lease_claims.h"
#include "store/reject_groups.h"

namespace meabridge::cli {
namespace {

constexpr const char* kUsage =
    "usage: meabridge harvest [--config FILE] [--full] [--force] [SOURCE...]\n"
    "\n"
    "Harvests each named source once (every enabled source when none is named; a disabled\n"
    "source runs when named), one after the other, and prints one summary per source: counts\n"
    "(fetched, created, updated, unchanged, deleted, rejected), pages, bytes, duration, run id,\n"
    "then its warnings, its error, and its rejects grouped by field and rule with the first\n"
    "examples of each (meabridge rejects lists them all). A source that fails commits nothing (its last good data\n"
    "stays) and never stops the others. A source that a running `serve` (or another node\n"
    "sharing the store) is harvesting right now is skipped. On a terminal a progress line\n"
    "shows on stderr.\n"
    "\n"
    "options:\n"
    "  -c, --config FILE  the configuration file (default: the embedded default)\n"
    "  --full             a full reconciliation: read everything (no incremental filter or\n"
    "                     cursor), decode every page (no conditional GET, no unchanged-page\n"
    "                     shortcut) and detect deletions\n"
    "  --force            commit even when the mass-deletion guard trips (a run that would\n"
    "                     delete more than the source's max-deletion-share of its records)\n"
    "\n"
    "exit status: 0 every source succeeded; 1 a source failed, its guard tripped or its run\n"
    "             was partial (it did not see the whole source);\n"
    "             2 bad usage, an unknown source or a bad configuration.\n"
    "\n"
    "examples:\n"
    "  meabridge harvest --config /etc/meabridge/meabridge.xml\n"
    "  meabridge harvest -c meabridge.xml cbd-contacts cms-contacts\n"
    "  meabridge harvest -c meabridge.xml --full cbd-contacts\n"
    "  meabridge harvest -c meabridge.xml --force unfccc-status   # it really lost parties\n"
    "\n"
    "docs/harvesting.md explains paging, incremental sync, deletion policies and the run report.\n";

std::string HumanBytes(int64_t n) {
  char buf[32];
  if (n >= (int64_t{1} << 20)) {
    std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(n) / (1 << 20));
  } else if (n >= 1024) {
    std::snprintf(buf, sizeof buf, "%.1f KB", static_cast<double>(n) / 1024);
  } else {
    std::snprintf(buf, sizeof buf, "%lld B", static_cast<long long>(n));
  }
  return buf;
}

// On a terminal, log lines first clear the progress line they would otherwise run into.
std::mutex g_tty_mu;
void TtyLogSink(core::LogLevel level, std::string_view message) {
  static const char* kNames[] = {"", "", "", "error", "warning", "notice", "info", "debug"};
  std::string line = "\r\033[K";
  line += kNames[static_cast<int>(level) & 7];
  line += ": ";
  for (char c : message) line += (c == '\n' || c == '\r') ? ' ' : c;
  line += '\n';
  std::lock_guard lock(g_tty_mu);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

// Rejects read back to group them (a run rejecting more is summed up from these).
constexpr int64_t kGroupedRejects = 100000;
constexpr size_t kRejectExamples = 3;

// The run's rejects grouped by field and rule, with the first examples of each.
void PrintRejects(const harvest::RunReport& r, store::Store& store, std::ostream& out) {
  const int64_t total = r.run.counts.rejected;
  out << "  rejects: " << total << " (all of them: meabridge rejects --run " << r.run.id
      << ")\n";
  Result<std::unique_ptr<store::ReadView>> view = store.Read();
  Result<std::vector<store::Reject>> rejects =
      view.ok() ? (*view)->Rejects(r.run.id, kGroupedRejects)
                : Result<std::vector<store::Reject>>(view.status());
  if (!rejects.ok()) {
    out << "    (they cannot be read back: " << rejects.status().message() << ")\n";
    return;
  }
  if (static_cast<int64_t>(rejects->size()) < total) {
    out << "    (grouped from the first " << rejects->size() << ")\n";
  }
  for (const store::RejectGroup& g : store::GroupRejects(*rejects, kRejectExamples)) {
    out << "    " << (g.field.empty() ? "(record)" : g.field) << " / " << g.rule << ": "
        << g.count << "\n";
    for (const store::Reject& e : g.examples) out << "      " << store::RejectLine(e) << "\n";
    if (g.count > static_cast<int64_t>(g.examples.size())) {
      out << "      ... and " << g.count - static_cast<int64_t>(g.examples.size()) << " more\n";
    }
  }
}

void PrintReport(const harvest::RunReport& r, store::Store& store, std::ostream& out) {
  const store::RunCounts& c = r.run.counts;
  out << r.run.source << ": ";
  if (!r.claimed) {
    out << "skipped: " << r.run.error << "\n";
    return;
  }
  std::string status = r.run.status == "ok"        ? "ok"
                       : r.run.status == "aborted" ? "ABORTED"
                       : r.run.status == "partial" ? "PARTIAL"
                                                   : "FAILED";
  if (r.not_modified) status += " (not modified)";
  char secs[32];
  std::snprintf(secs, sizeof secs, "%.3fs",
                static_cast<double>(r.run.finished - r.run.started) / 1000.0);
  out << status << "  fetched " << c.fetched << "  created " << c.created << "  updated "
      << c.updated << "  unchanged " << c.unchanged << "  deleted " << c.deleted << "  rejected "
      << c.rejected << "  pages " << c.pages << "  " << HumanBytes(c.bytes) << "  " << secs;
  if (r.run.full) out << "  full";
  if (r.run.id > 0) out << "  run " << r.run.id;
  out << "\n";
  for (const std::string& w : r.run.warnings) out << "  warning: " << w << "\n";
  if (!r.run.error.empty()) out << "  error: " << r.run.error << "\n";
  if (c.rejected > 0 && r.run.id > 0) PrintRejects(r, store, out);
}

int Harvest(const std::vector<std::string>& argv, Io& io) {
  Args args;
  if (!ParseArgsOrReport(
          "harvest", argv,
          {ConfigFlag(), {"--full", "", false, false}, {"--force", "", false, false}}, io, &args)) {
    return kExitUsage;
  }
  auto cfg = LoadConfigOrReport(args, io);
  if (!cfg) return kExitUsage;

  std::vector<const config::SourceConfig*> sources;
  if (args.positional().empty()) {
    for (const config::SourceConfig& s : cfg->sources) {
      if (s.enabled) sources.push_back(&s);
    }
    if (sources.empty()) {
      io.out << "nothing to harvest: the configuration has no enabled source\n";
      return kExitOk;
    }
  } else {
    bool bad = false;
    for (const std::string& name : args.positional()) {
      const config::SourceConfig* s = cfg->FindSource(name);
      if (!s) {
        ReportUnknownSource("harvest", name, *cfg, io);
        bad = true;
        continue;
      }
      bool dup = false;
      for (const config::SourceConfig* seen : sources) dup = dup || seen == s;
      if (!dup) sources.push_back(s);
    }
    if (bad) return kExitUsage;
  }

  std::unique_ptr<store::Store> store = OpenStoreOrReport(*cfg, io);
  if (!store) return kExitFailed;

  const bool tty = &io.err == &std::cerr && ::isatty(STDERR_FILENO) == 1;
  // Leases (harvest/lease_claims.h): a source that a running `serve` (or another node sharing
  // the store) is harvesting right now is skipped, and a run whose lease is lost stops.
  std::stop_source stop;
  harvest::LeaseClaims::Options lease_options;
  lease_options.ttl_ms = cfg->scheduler_lease_ttl_ms;
  lease_options.on_lost = [&stop](const std::string&) { stop.request_stop(); };
  harvest::LeaseClaims claims(*store, std::move(lease_options));
  harvest::HarvesterDeps deps;
  deps.claims = &claims;
  harvest::Harvester harvester(cfg, *store, deps);
  harvest::HarvestOptions options;
  options.full = args.Has("--full");
  options.force = args.Has("--force");
  if (tty) {
    core::SetLogSink(&TtyLogSink);
    options.progress = [&io](const harvest::Progress& p) {
      std::lock_guard lock(g_tty_mu);
      io.err << "\r\033[K" << p.source << ": " << p.phase << "  pages " << p.pages << "  records "
             << p.records << "  " << HumanBytes(p.bytes) << std::flush;
    };
  }
  bool all_ok = true;
  for (const config::SourceConfig* s : sources) {
    stop = std::stop_source();  // the previous run's renewal thread has ended with its claim
    options.stop = stop.get_token();
    harvest::RunReport r = harvester.Run(*s, options);
    if (tty) io.err << "\r\033[K" << std::flush;
    PrintReport(r, *store, io.out);
    all_ok = all_ok && r.ok();
  }
  if (tty) core::SetLogSink(nullptr);
  return all_ok ? kExitOk : kExitFailed;
}

}  // namespace

void RegisterHarvest(std::vector<Command>& out) {
  out.push_back(
      Command{"harvest", "harvest sources once and print the run summary", kUsage, Harvest});
}

}  // namespace meabridge::cli
