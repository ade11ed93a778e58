// A run's rejects grouped by field and rule, with the first examples of each group: what
// `meabridge harvest` prints after a run and the status page shows (docs/operations.md).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "store/store.h"

namespace meabridge::store {

struct RejectGroup {
  std::string field;
  std::string rule;
  int64_t count = 0;
  std::vector<Reject> examples;  // the first ones, in run order
};

// Groups `rejects` (in run order) by (field, rule), biggest group first (ties: first met
// first), keeping up to `examples` of each.
std::vector<RejectGroup> GroupRejects(const std::vector<Reject>& rejects, size_t examples);

// One line for a reject: `RECORD_ID (POSITION): MESSAGE`, the parts known.
std::string RejectLine(const Reject& r);

}  // namespace meabridge::store
