// The $filter language of OData (V4, and the V2 forms the InforMEA dialect's clients write),
// parsed into the store's backend-neutral filter tree (store/query.h). Field names resolve
// through the entity registry and every literal becomes a typed value: nothing from the URL
// ever reaches SQL text.
//
// Supported: eq ne gt ge lt le; and or not; parentheses; contains startswith endswith (and V2's
// substringof); in (...); null; true/false; integers and decimals; 'strings' ('' escapes a
// quote); dates 2024-01-31 and date-times 2024-01-31T10:00:00Z (V2's datetime'...' and
// datetimeoffset'...' too); any/all over list fields (treaties/any(t: t eq 'cbd'),
// roles/any(r: r/treaty eq 'cbd'), treaties/any()). Comparisons put a field on one side and
// a literal on the other.
//
// Errors are InvalidArgument values whose message names the offending part and its position
// in the expression ("unknown field 'contry' at position 1 of $filter; Contacts has: ...").
// They never reveal anything about the store.
//
// Pure functions: thread-safe.
#pragma once

#include <memory>
#include <string_view>

#include "core/status.h"
#include "model/registry.h"
#include "store/query.h"

namespace meabridge::publish::odata {

// Deepest nesting of parentheses, not, any and functions accepted.
inline constexpr int kMaxFilterDepth = 50;
// Most conditions (comparisons, functions, parenthesized groups) in one $filter. A chain of
// and/or of any length up to it compiles to SQL of logarithmic depth (store::JoinBalanced; the
// eq tests of one field in an or become one IN, store::Operands), so SQLite and PostgreSQL
// accept it; past it the request is a 400 that names the limit.
inline constexpr int kMaxFilterConditions = 1000;

// Field names are those of `dialect` (the V2 dialect's "phoneNumber" for phone).
Result<std::unique_ptr<store::Expr>> ParseFilter(
    std::string_view text, const model::EntitySpec& entity,
    model::Dialect dialect = model::Dialect::kCanonical);

}  // namespace meabridge::publish::odata
