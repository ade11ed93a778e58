// The scheduler: which source runs when (docs/daemon.md "Schedules", "Concurrency and
// timeouts"). A pure state machine over a Clock: the daemon asks it for the jobs due now,
// tells it when one ends, and asks which running jobs passed their timeout. It starts no
// threads and touches no store, so tests drive it with a ManualClock.
//
// Rules:
//  - a source's slots come from its schedule (config/schedule.h); it fires at slot + its
//    fixed jitter offset (config::JitterOffsetMs);
//  - at most one job per source at a time, at most max_concurrent jobs at once (the due
//    ones wait their turn, earliest first; requested runs before scheduled ones);
//  - slots that pass while the source runs (or while the daemon is down) are coalesced into
//    one run as soon as it can start: a source is never more than one period behind, and
//    never runs back to back for every slot it missed;
//  - at start (and for a source a reload adds or changes) the source is due at once when it
//    was never harvested or a slot passed since its last run (the store's newest run);
//  - a job running longer than run_timeout is reported once by TakeTimedOut (the daemon stops
//    it); one still running stop_timeout after its stop was asked for is reported once by
//    TakeStuck (the daemon logs it).
//
// Threads: thread-safe (one mutex); the daemon's scheduler loop and the HTTP workers (Sources,
// Request) call it concurrently.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "config/schedule.h"
#include "core/clock.h"
#include "core/status.h"
#include "daemon/control.h"

namespace meabridge::daemon {

struct Job {
  uint64_t id = 0;  // this process's job number, in log lines
  std::string source;
  // The slot this run is for: another node that already ran the source since this time makes
  // the run unnecessary (Daemon's admission check). 0: a source never harvested (any run
  // counts); -1: a requested run (no check).
  core::EpochMs slot = 0;
  bool requested = false;
  bool full = false;
};

class Scheduler {
 public:
  struct Entry {
    std::string name;
    std::string kind;
    config::Schedule schedule;
    int64_t jitter_ms = 0;
    bool enabled = true;
    std::optional<core::EpochMs> last_started;  // the newest recorded run (any node)
  };
  struct Limits {
    int max_concurrent = 4;
    int64_t run_timeout_ms = 3600000;
    int64_t stop_timeout_ms = 20000;
  };

  explicit Scheduler(core::Clock& clock);

  // Replaces the sources (start, reload). A source that stays with the same schedule, jitter
  // and enabled flag keeps its next slot and pending request; the others start over by the
  // start rule. Jobs of removed sources run on until they end.
  void SetSources(std::vector<Entry> entries, Limits limits);

  // Asks for a run of `source` as soon as a run slot frees up. NotFound when not configured,
  // FailedPrecondition when it is running or a request is already pending.
  Status Request(const std::string& source, bool full);

  // The jobs to start now (marked running): due sources, within the concurrency bound.
  std::vector<Job> TakeDue();
  // Job `id` ended; its source's next slot is set.
  void Finished(uint64_t id);
  // Running jobs that passed the run timeout, each returned once (now marked stopping).
  std::vector<Job> TakeTimedOut();
  // Marks every running job stopping (shutdown), as of now.
  void StopAll();
  // Stopping jobs still running stop_timeout after their stop, each returned once.
  std::vector<Job> TakeStuck();

  // How long until one of the Take* calls may return something; nullopt: nothing pending
  // (only a Request or SetSources changes that).
  std::optional<int64_t> MsUntilNextEvent() const;

  std::vector<SourceState> Sources() const;
  int running() const;
  bool IsRunning(const std::string& source) const;

 private:
  struct SourceSlot {
    Entry entry;
    int64_t offset_ms = 0;
    core::EpochMs slot = 0;                // the slot of the next scheduled run
    std::optional<core::EpochMs> fire_at;  // when it fires; nullopt: manual or disabled
    bool requested = false;
    bool request_full = false;
  };
  struct Running {
    Job job;
    int64_t started_mono = 0;
    core::EpochMs started_wall = 0;
    int64_t stop_mono = -1;  // when the stop was asked for; -1: not asked
    bool stuck_reported = false;
  };

  void StartOver(SourceSlot& s, core::EpochMs now) const;
  // The slot to run next once a run for `slot` (or, for a first harvest, started at `slot`)
  // ended at `now`: the next one, or the latest that passed meanwhile (missed slots coalesced).
  core::EpochMs NextSlotAfterRun(const SourceSlot& s, core::EpochMs slot, core::EpochMs now) const;
  bool RunningLocked(const std::string& source) const;

  core::Clock& clock_;
  mutable std::mutex mu_;
  std::vector<SourceSlot> sources_;      // guarded by mu_, in configuration order
  std::map<uint64_t, Running> running_;  // guarded by mu_
  Limits limits_;                        // guarded by mu_
  uint64_t next_job_ = 1;                // guarded by mu_
};

}  // namespace meabridge::daemon
