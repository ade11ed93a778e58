// Small helpers every family of published endpoints uses.
//
// Pure functions (reading through the caller's snapshot): thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/time.h"
#include "model/record.h"
#include "store/store.h"

namespace meabridge::publish {

// When the snapshot's data last changed, for Last-Modified: the end of the newest run
// recorded in it (a failed run changes nothing, but is never older than the last commit). 0
// when the store has no runs.
core::EpochMs LastChange(store::ReadView& view);

// When this version of the record was stored (its provenance's fetched-at), else `fallback`.
core::EpochMs StoredAt(const model::Record& record, core::EpochMs fallback);

// A record's display title: the English (else first) text of its first multilingual field,
// else the person's name (the fields the registry maps to schema.org name parts), else its
// type and id ("Membership unfccc:FR").
std::string TitleOf(const model::Record& record);

}  // namespace meabridge::publish
