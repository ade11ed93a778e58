// Claims backed by store leases (store/store.h SourceLease, docs/store.md "Leases"): what
// `meabridge serve` and `meabridge harvest` use so that processes and nodes sharing one store
// never harvest a source twice at once (docs/daemon.md "Several nodes").
//
// Claim(source):
//   1. the in-process claim (LocalClaims::Instance()), so two threads never race for a lease;
//   2. Store::TryLeaseSource(source, node_id, ttl): held elsewhere -> FailedPrecondition
//      (the run is skipped; the scheduler tries again at the next slot); a store without
//      leases (Unimplemented) -> the in-process claim alone;
//   3. the optional admission check (`admit`, e.g. "another node already ran this slot"):
//      not ok -> the lease is released and the claim fails with that status;
//   4. a timer thread renews the lease every ttl/3; a failed renewal logs an error (source)
//      and calls `on_lost(source)`, whose job is to stop the run (it then commits nothing).
// Destroying the claim stops the timer and releases the lease (after the harvester committed).
//
// Threads: LeaseClaims is thread-safe; `admit` and `on_lost` are called from the claiming
// thread and from the renewal thread respectively, and must be thread-safe.
#pragma once

#include <functional>
#include <string>

#include "harvest/harvest.h"
#include "store/store.h"

namespace meabridge::harvest {

class LeaseClaims final : public SourceClaims {
 public:
  struct Options {
    std::string node_id;  // "" = DefaultNodeId()
    int64_t ttl_ms = 30000;
    std::function<Status(const std::string& source)> admit;  // nullptr: admit all
    std::function<void(const std::string& source)> on_lost;  // nullptr: nothing
  };

  // REQUIRES: `store` outlives this object and every claim it returns; ttl_ms >= 300.
  LeaseClaims(store::Store& store, Options options);

  Result<std::unique_ptr<SourceClaim>> Claim(const std::string& source) override;

  const std::string& node_id() const { return options_.node_id; }

  // "HOST:PID", the name a lease shows (lease files, pg_stat_activity).
  static std::string DefaultNodeId();

 private:
  store::Store& store_;
  Options options_;
};

}  // namespace meabridge::harvest
