// The harvester's public face: run one source once, as `meabridge harvest` and the daemon's
// scheduler do. docs/harvesting.md describes what a run does; this header is the contract.
//
// One run of one source (run.cc):
//   1. claim the source (SourceClaims: at most one run per source at a time; the PostgreSQL
//      deployment plugs a lease in here);
//   2. read the previous state (the watermark, harvest/state.h) and decide the mode: full or
//      incremental, and whether this is a full reconciliation;
//   3. read the source (sources/) through the mapping into the spool (harvest/spool.h): no
//      store transaction is open while the network is read;
//   4. open the run's write transaction, replay the spool (upserts, rejects, deletion marks),
//      apply the deletion policy and the mass-deletion guard, set the new state and commit the
//      run record, all in one transaction;
//   5. any failure, a tripped guard or a stop request: nothing is committed, the failure is
//      recorded (Store::RecordFailedRun) and the last good data stays published.
// Run statuses: "ok" only when the run saw the whole source. "partial" when a guard cut it
// short or paging could not be sure it reached the end (RunContext::Incomplete): what was read
// is committed, no deletions are detected (snapshot, probe) and the watermark does not move.
// "failed" for an error, an expectation not met, or too many rejects (max-reject-share; every
// record rejected): then only the run and its rejects are committed. "aborted": the
// mass-deletion guard tripped, or a stop request.
// Exceptions never leave Run(): they become a failed run (the harvest-job boundary).
//
// Threads: a Harvester is thread-safe; several threads may run different sources at once
// (the claim refuses a second concurrent run of the same source). Stopping: the caller's
// std::stop_token is checked between pages, records and probes and aborts a transfer in
// progress; a stopped run commits nothing and is recorded as "aborted".
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <stop_token>
#include <string>

#include "config/config.h"
#include "core/clock.h"
#include "harvest/fetch/retry.h"
#include "harvest/sources/source.h"
#include "store/store.h"
#include "vocab/vocabulary.h"

namespace meabridge::harvest {

struct HarvestOptions {
  bool full = false;   // a full reconciliation: everything read and decoded (harvest --full)
  bool force = false;  // commit even when the mass-deletion guard trips (harvest --force)
  std::stop_token stop;
  ProgressFn progress;
  // A dry run (meabridge mapping test --source): the whole run, store checks included, but its
  // write transaction is rolled back at the end and no run is recorded, failed or not: nothing
  // is written to the store. `observe` sees each record the run would store and each reject
  // (the store's refusals, owned-by-other-source, included).
  bool dry_run = false;
  mapping::RecordSink* observe = nullptr;
};

// The outcome of one run.
struct RunReport {
  store::RunRecord run;        // as recorded: id, status ("ok", "partial", "failed", "aborted")...
  bool not_modified = false;   // nothing changed at the source: nothing decoded or written
  bool guard_tripped = false;  // the mass-deletion guard stopped the commit
  bool claimed = true;         // false: another run held the source; nothing was run or recorded
  bool ok() const { return run.status == "ok"; }
};

// The "claim the source" step, separate so that a shared store can coordinate several nodes.
class SourceClaim {
 public:
  virtual ~SourceClaim() = default;  // releases the claim
};

class SourceClaims {
 public:
  virtual ~SourceClaims() = default;
  // A claim on `source`, held until the returned object is destroyed; FailedPrecondition when
  // another run holds it. Thread-safe.
  virtual Result<std::unique_ptr<SourceClaim>> Claim(const std::string& source) = 0;
};

// Claims held in this process.
class LocalClaims final : public SourceClaims {
 public:
  Result<std::unique_ptr<SourceClaim>> Claim(const std::string& source) override;
  static LocalClaims& Instance();

 private:
  friend class LocalClaim;
  void Release(const std::string& source);
  std::mutex mu_;
  std::set<std::string> held_;  // guarded by mu_
};

// The seams a Harvester uses; nullptr means the real thing.
struct HarvesterDeps {
  core::Clock* clock = nullptr;             // SystemClock
  Waiter* waiter = nullptr;                 // SystemWaiter (retry delays)
  SourceClaims* claims = nullptr;           // LocalClaims::Instance()
  const SourceRegistry* sources = nullptr;  // SourceRegistry::Default()
  // Vocabularies::System(), loaded on first use.
  const vocab::Vocabularies* vocabularies = nullptr;
  std::function<double()> random01;  // retry jitter in [0, 1); nullptr: random
};

class Harvester {
 public:
  // `config` is kept for the lifetime of every run started with it (a reload swaps the
  // Harvester, runs in progress finish on the old configuration).
  Harvester(std::shared_ptr<const config::Config> config, store::Store& store,
            HarvesterDeps deps = {});

  // Runs `source` (one of config's sources) once. Never throws.
  RunReport Run(const config::SourceConfig& source, const HarvestOptions& options) const;

  const config::Config& config() const { return *config_; }

 private:
  std::shared_ptr<const config::Config> config_;
  store::Store& store_;
  HarvesterDeps deps_;
};

// A source's secret (secret-file or secret-env, surrounding whitespace trimmed; "" when it has
// none): what a run reads when it starts, and check-config to reach a sql source's database.
// Errors name the source and the file or variable.
Result<std::string> ReadSecret(const config::SourceConfig& source);

// The one-line summary of a run: "ok: fetched 120, created 3, ... in 1.2s (run 17)".
std::string Summarize(const RunReport& report);

}  // namespace meabridge::harvest
