// Turns a store::Query into SQLite SQL with every literal bound as a numbered parameter
// (?1, ?2 ...). Column names come from the registry (TableInfo), never from the query's text.
//
// Semantics every backend must match (docs/store.md, "Queries"):
//  - Predicates are two-valued: a field without a value makes eq, gt, ge, lt, le, contains,
//    startswith, endswith and in false, and ne true; `not` of a predicate is its complement.
//  - Multilingual fields: true when any language's text satisfies the predicate (ne: when
//    any language's text differs, or the field has no value).
//  - String lists: eq / ne test membership; `in` is true when some element is in the list.
//  - contains / startswith / endswith are case-sensitive and compare characters literally.
//  - Strings compare and order by code point (binary; PostgreSQL must use COLLATE "C").
//  - Ordering: NULLs first ascending, last descending; `id` ascending is appended as the final
//    key. Multilingual and list fields cannot be ordering keys.
//  - Literal types: date fields take dates (or "YYYY-MM-DD" strings, or datetimes at midnight
//    UTC); datetime fields take datetimes, dates (midnight UTC) or RFC 3339 strings; int and
//    double fields take either number type; bool fields take booleans; text fields take
//    strings. Anything else is InvalidArgument naming the field.
//
// Pure functions: thread-safe.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "store/query.h"
#include "store/sqlite/connection.h"
#include "store/sqlite/schema.h"

namespace meabridge::store::sqlite {

struct CompiledSql {
  std::string sql;
  std::vector<Param> params;  // params[i] binds ?(i+1)
};

// SELECT table.select_list FROM <table> AS t WHERE live AND filter AND keyset ORDER BY ...
// LIMIT/OFFSET.
Result<CompiledSql> CompileSelect(const TableInfo& table, const Query& query);

// SELECT count(*) of the live records matching the filter.
Result<CompiledSql> CompileCount(const TableInfo& table, const Query& query);

}  // namespace meabridge::store::sqlite
