// meabridge status: the store and the sources' last runs, read from the store (safe while the
// daemon runs: it only reads).
#include <iomanip>
#include <ostream>

#include "cli/common.h"
#include "core/time.h"
#include "model/registry.h"

namespace meabridge::cli {
namespace {

constexpr const char* kUsage =
    "usage: meabridge status [--config FILE]\n"
    "\n"
    "Opens the configured store (creating it when absent) and prints its state: schema version,\n"
    "change sequence, records per entity, and the last run of every configured source.\n"
    "Reads only: safe to run while `meabridge serve` is running.\n"
    "\n"
    "options:\n"
    "  -c, --config FILE   the configuration file (default: the embedded default)\n";

int StatusCommand(const std::vector<std::string>& argv, Io& io) {
  Args args;
  if (!ParseArgsOrReport("status", argv, {ConfigFlag()}, io, &args)) return kExitUsage;
  auto cfg = LoadConfigOrReport(args, io);
  if (!cfg) return kExitUsage;
  auto store = OpenStoreOrReport(*cfg, io);
  if (!store) return kExitFailed;
  Result<store::StoreInfo> info = store->Info();
  if (!info.ok()) {
    io.err << "meabridge status: " << info.status().message() << "\n";
    return kExitFailed;
  }
  io.out << "store:           " << info->backend << " " << info->location << "\n"
         << "schema version:  " << info->schema_version << "\n"
         << "change sequence: " << info->max_seq << "\n"
         << "tombstones:      " << info->tombstones << "\n"
         << "runs:            " << info->runs << "\n"
         << "records:\n";
  for (const auto& [entity, n] : info->live_records) {
    io.out << "  " << std::left << std::setw(14) << entity << n << "\n";
  }
  io.out << "sources:" << (cfg->sources.empty() ? " none configured\n" : "\n");
  Result<std::unique_ptr<store::ReadView>> view = store->Read();
  if (!view.ok()) {
    io.err << "meabridge status: " << view.status().message() << "\n";
    return kExitFailed;
  }
  for (const config::SourceConfig& s : cfg->sources) {
    io.out << "  " << std::left << std::setw(24) << s.name;
    auto runs = (*view)->Runs(s.name, 1);
    if (!runs.ok()) {
      io.err << "meabridge status: " << runs.status().message() << "\n";
      return kExitFailed;
    }
    if (runs->empty()) {
      io.out << "never harvested\n";
      continue;
    }
    const store::RunRecord& r = runs->front();
    io.out << "run " << r.id << " " << r.status << " at " << core::FormatDateTime(r.finished)
           << ": fetched " << r.counts.fetched << ", created " << r.counts.created << ", updated "
           << r.counts.updated << ", unchanged " << r.counts.unchanged << ", deleted "
           << r.counts.deleted << ", rejected " << r.counts.rejected;
    if (!r.error.empty()) io.out << "; error: " << r.error;
    io.out << "\n";
  }
  return kExitOk;
}

}  // namespace

void RegisterStatus(std::vector<Command>& out) {
  out.push_back(
      Command{"status", "show the store, the sources and their last runs", kUsage, StatusCommand});
}

}  // namespace meabridge::cli
