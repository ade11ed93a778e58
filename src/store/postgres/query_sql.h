// Turns a store::Query into PostgreSQL SQL with every literal bound as a numbered, cast
// parameter ($1::text, $2::bigint ...). Column names come from the registry (TableInfo), never
// from the query's text.
//
// The semantics are the SQLite store's (store/sqlite/query_sql.h, docs/store.md "Queries"),
// written for PostgreSQL:
//  - two-valued predicates: `x IS NOT NULL AND x op $n`; ne is `IS DISTINCT FROM`;
//  - strings compare and order by code point: text columns are COLLATE "C", and texts taken
//    out of jsonb (languages, list elements, item fields) get COLLATE "C" where they compare;
//  - ORDER BY key ASC NULLS FIRST / DESC NULLS LAST, then "id" ascending;
//  - multilingual fields through jsonb_each_text, string lists through @> (GIN-indexed) and
//    jsonb_array_elements_text, item lists through jsonb_array_elements and ->>;
//  - contains/startswith/endswith with strpos/left/right (no LIKE: %, _ and \ are plain
//    characters).
//
// Pure functions: thread-safe.
#pragma once

#include <string>

#include "core/status.h"
#include "store/postgres/connection.h"
#include "store/postgres/schema.h"
#include "store/query.h"

namespace meabridge::store::postgres {

struct CompiledSql {
  std::string sql;
  Params params;
};

// SELECT table.select_list FROM <table> AS t WHERE live AND filter AND keyset ORDER BY ...
// LIMIT/OFFSET.
Result<CompiledSql> CompileSelect(const TableInfo& table, const Query& query);

// SELECT count(*) of the live records matching the filter.
Result<CompiledSql> CompileCount(const TableInfo& table, const Query& query);

}  // namespace meabridge::store::postgres
