// The SQLite store's schema: tables and columns derived from the entity registry, the
// versioned migrations, and the conversion between field values and columns.
//
// Layout (docs/store.md has the full description):
//   e_<entity name>   one table per registry entity (e_contacts ...). One column per registry
//                     field, named exactly as the field ("id", "updated", "firstName" ...), and
//                     the bookkeeping columns _seq (the change sequence number, which is also
//                     the rowid), _deleted, _hash, _source, _source_id, _fetched_at, _run_id,
//                     _fp (store/fingerprint.h).
//                     Field names never start with "_" (checked here), so no registry change
//                     can collide with bookkeeping.
//   meta              key -> integer: schema_version, seq (the global change sequence),
//                     purged_seq (OldestTrackedSeq; 0: nothing was ever purged)
//   registry_fields   (table, field, registry type) of every column made from the registry, so
//                     that a field whose type changes is caught at open instead of misread
//   runs, rejects, watermarks
//
// Column representation per field type: string/text/term -> TEXT; date -> TEXT "YYYY-MM-DD";
// datetime -> INTEGER milliseconds since the epoch (UTC); bool -> INTEGER 0/1; int -> INTEGER;
// double -> REAL; multilingual, string-list, item-list -> TEXT holding the canonical JSON of
// the value. An empty value (empty string, list or multilingual) is stored as NULL, exactly as
// the canonical JSON leaves it out.
//
// Pure data after construction: a Schema is thread-safe for reading.
#pragma once

#include <sqlite3.h>

#include <functional>
#include <string>
#include <vector>

#include "core/json.h"
#include "core/status.h"
#include "model/record.h"
#include "model/registry.h"
#include "store/sqlite/connection.h"

namespace meabridge::store::sqlite {

// The newest schema version this binary writes and reads.
inline constexpr int kSchemaVersion = 1;

enum class ColumnKind { kText, kInteger, kReal, kJson };
ColumnKind KindOf(model::FieldType type);

// Positions of the bookkeeping columns in TableInfo::select_list, after the fields.
enum BookColumn {
  kBookSeq,
  kBookDeleted,
  kBookHash,
  kBookSource,
  kBookSourceId,
  kBookFetchedAt,
  kBookRunId,
  kBookFp,
  kBookCount
};

struct TableInfo {
  const model::EntitySpec* entity = nullptr;
  size_t index = 0;                  // position in Schema::tables()
  std::string table;                 // e_contacts
  std::vector<std::string> columns;  // per field: the quoted column name, "firstName"
  // Every field column (as t."name", in registry order) then the bookkeeping columns (as
  // t._seq ..., in BookColumn order), for SELECT ... FROM <table> AS t.
  std::string select_list;
  int book_offset = 0;  // = number of fields: where the bookkeeping columns start

  std::string Col(int field) const { return "t." + columns[static_cast<size_t>(field)]; }
};

class Schema {
 public:
  // Checks that every name is usable as an SQL identifier (entity names [a-z][a-z0-9_]*, field
  // and item field names [A-Za-z][A-Za-z0-9_]*, ids first): they are pasted into SQL text.
  static Result<Schema> Build(const model::Registry& registry);

  const model::Registry& registry() const { return *registry_; }
  const std::vector<TableInfo>& tables() const { return tables_; }
  // The table of `entity`: the registry's own spec, or a spec with the same set name and the
  // same fields (a copy); nullptr otherwise.
  const TableInfo* Find(const model::EntitySpec& entity) const;

 private:
  const model::Registry* registry_ = nullptr;
  std::vector<TableInfo> tables_;
};

// One step of the store's history: brings the file from version-1 to `version`.
struct Migration {
  int version = 0;
  std::string what;
  std::function<Status(Connection&)> apply;
};

// The store's versioned migrations, 1..kSchemaVersion.
const std::vector<Migration>& Migrations();

// Brings the store on `conn` up to date in one IMMEDIATE transaction: refuses a file written
// by a newer meabridge (FailedPrecondition) or an SQLite file that is not a meabridge store,
// applies the versioned `migrations` the file lacks, then the registry-driven part: a missing
// entity table is created, a missing field column added, a missing index created; a field
// whose registry type differs from the one its column was made for is refused. Tests pass
// their own `migrations`; the store passes Migrations().
//
// Opening never waits for a run in progress: when the file is at the newest schema already and
// another connection holds the write lock (a harvest of the daemon), Migrate returns at once
// without the registry step (the holder opened the store through it), so `meabridge status` and
// `meabridge export` work while the daemon harvests. Only a file that needs a versioned
// migration waits for the lock, up to `busy_timeout_ms` (the connection's own busy timeout,
// which Migrate restores).
Status Migrate(Connection& conn, const Schema& schema, const std::vector<Migration>& migrations,
               int busy_timeout_ms = ConnectionOptions{}.busy_timeout_ms);

// The schema version recorded in the file (0 for an empty file).
Result<int> StoredSchemaVersion(Connection& conn);

// --- values <-> columns -------------------------------------------------------------------

// Binds `value` of `field` to parameter `index`; JSON-typed fields are written through
// `scratch` (and copied). Returns an SQLite result code.
// REQUIRES: `value` stays alive and unchanged until the statement is stepped and reset
// (strings are bound without a copy).
int BindValue(sqlite3_stmt* stmt, int index, const model::FieldSpec& field,
              const model::Value& value, rapidjson::StringBuffer& scratch);

// Reads column `col` as a value of `field`; Corruption when the column cannot be one.
Result<model::Value> ReadValue(sqlite3_stmt* stmt, int col, const model::FieldSpec& field,
                               const TableInfo& table);

// Reads a row selected with `table.select_list` into a record with its provenance.
Result<model::Record> ReadRecord(sqlite3_stmt* stmt, const TableInfo& table);

}  // namespace meabridge::store::sqlite
