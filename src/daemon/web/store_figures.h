// The store-wide figures /metrics and /status show (live records and tombstones per entity set,
// records per treaty), computed once per store state and shared.
//
// Counting is a scan: on a store of a million Contacts, Store::Info takes about a second. The
// figures only change when a run commits, so they are kept with the state they were computed
// for (the snapshot's highest change sequence number and newest run id) and recomputed only
// when that changed; concurrent requests wait for the one computing instead of scanning side by
// side.
//
// Per treaty, only entity sets with a scalar `treaty` term field are counted (an index scan);
// a list of treaties (Contacts' `treaties`) would need every record's JSON read, measured at
// 16 s for a million Contacts, so it is left out.
//
// Thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "model/registry.h"
#include "store/store.h"

namespace meabridge::daemon::web {

struct StoreFigures {
  store::StoreInfo info;
  struct PerTreaty {
    const model::EntitySpec* entity = nullptr;
    std::vector<std::pair<std::string, int64_t>> counts;  // treaty -> live records
  };
  std::vector<PerTreaty> per_treaty;  // in registry order
};

// The scalar `treaty` term field of `e`; -1 when it has none.
int TreatyField(const model::EntitySpec& e);

class StoreFiguresCache {
 public:
  explicit StoreFiguresCache(const model::Registry& registry) : registry_(registry) {}

  // The figures for the store's state as `view` sees it (computed now when it changed since the
  // last call). REQUIRES: the same store on every call.
  Result<std::shared_ptr<const StoreFigures>> Get(store::Store& store, store::ReadView& view);

 private:
  const model::Registry& registry_;
  std::mutex mu_;
  int64_t seq_ = -1;                             // guarded by mu_
  int64_t run_id_ = -1;                          // guarded by mu_
  std::shared_ptr<const StoreFigures> figures_;  // guarded by mu_
};

}  // namespace meabridge::daemon::web
