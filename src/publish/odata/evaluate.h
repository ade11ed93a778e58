// Evaluates a store filter tree (store/query.h) against one record in memory, with the
// semantics every store backend implements (store/sqlite/query_sql.h, "Semantics every backend
// must match"). Delta links use it: a record that changed since the link was issued and no
// longer matches the link's $filter is reported as removed. Tests use it as the reference the
// SQL results are compared with.
//
// Pure functions: thread-safe.
#pragma once

#include "model/record.h"
#include "store/query.h"

namespace meabridge::publish::odata {

// True when `record` satisfies `expr` (nullptr: every record).
bool Matches(const store::Expr* expr, const model::Record& record);

}  // namespace meabridge::publish::odata
