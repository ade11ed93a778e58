// The fields of a run's counts (RunCounts in store.h), once: both stores' run columns (read
// and bound in this order), the "counts" of the run JSON (run_json.h), the metrics' outcome
// labels and the status page's columns iterate this table, so a count added to RunCounts and
// here reaches each of them. The runs tables' DDL (sqlite/schema.cc, postgres/schema.cc) is
// migration history and names the columns itself: a new count needs a migration too.
//
// Constants: thread-safe.
#pragma once

#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>

#include "store/store.h"

namespace meabridge::store {

struct RunCountField {
  std::string_view name;       // the column, JSON member and metric label: "fetched"
  int64_t RunCounts::*member;  // &RunCounts::fetched
  bool records;                // a number of records (an outcome), not of pages or bytes
};

inline constexpr RunCountField kRunCountFields[] = {
    {"fetched", &RunCounts::fetched, true}, {"created", &RunCounts::created, true},
    {"updated", &RunCounts::updated, true}, {"unchanged", &RunCounts::unchanged, true},
    {"deleted", &RunCounts::deleted, true}, {"rejected", &RunCounts::rejected, true},
    {"pages", &RunCounts::pages, false},    {"bytes", &RunCounts::bytes, false},
};
inline constexpr int kRunCountFieldCount = static_cast<int>(std::size(kRunCountFields));
static_assert(sizeof(RunCounts) == std::size(kRunCountFields) * sizeof(int64_t),
              "every member of RunCounts has its row in kRunCountFields");

// each(name, i) for every field (i from 0, in the table's order), joined by ", ": the SQL
// lists of the run columns ("fetched = ?6, created = ?7, ...").
template <typename Each>
std::string JoinRunCounts(Each each) {
  std::string out;
  for (int i = 0; i < kRunCountFieldCount; ++i) {
    if (i > 0) out += ", ";
    out += each(kRunCountFields[i].name, i);
  }
  return out;
}

// "fetched, created, ..., bytes": the count columns, in the table's order.
inline std::string RunCountColumns() {
  return JoinRunCounts([](std::string_view name, int) { return std::string(name); });
}

}  // namespace meabridge::store
