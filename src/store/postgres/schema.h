// The PostgreSQL store's schema: tables and columns derived from the entity registry (the same
// table and column names as the SQLite store), the versioned migrations and the lock that guards
// them, the temporary staging tables of a run, and the conversion between field values and
// columns (binary COPY on the way in, binary results on the way out).
//
// Layout (docs/store.md, "PostgreSQL", has the full description), in the schema that the
// connection's search_path names first (current_schema()):
//   e_<entity name>   one table per registry entity: "id" (PRIMARY KEY), one column per registry
//                     field named exactly as the field, and the bookkeeping columns _seq (UNIQUE:
//                     the change sequence number), _deleted, _hash, _source, _source_id,
//                     _fetched_at, _run_id, _fp.
//   meta, registry_fields, runs, rejects, watermarks: as in SQLite.
//
// Column types per field type: string/text/term -> text COLLATE "C" (strings compare and sort
// by code point, as in SQLite); date -> date; datetime -> bigint (milliseconds since the epoch,
// UTC, as in SQLite); bool -> boolean; int -> bigint; double -> double precision;
// multilingual, string-list, item-list -> jsonb (GIN-indexed when the registry marks a string
// list `indexed`). An empty value is NULL.
//
// PostgreSQL's text cannot hold NUL characters or invalid UTF-8: CheckStorable refuses such
// values before anything reaches the server.
//
// Pure data after construction: a Schema is thread-safe for reading.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "core/status.h"
#include "model/record.h"
#include "model/registry.h"
#include "store/fingerprint.h"
#include "store/postgres/connection.h"

namespace meabridge::store::postgres {

// The newest schema version this binary writes and reads.
inline constexpr int kSchemaVersion = 1;

enum class ColumnKind { kText, kDate, kBigint, kBool, kDouble, kJsonb };
ColumnKind KindOf(model::FieldType type);
// The column type of a field ("text COLLATE \"C\"", "jsonb" ...).
const char* SqlType(model::FieldType type);

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
  std::string staging;               // pg_temp.s_contacts
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

// One step of the store's history: brings the database from version-1 to `version`.
struct Migration {
  int version = 0;
  std::string what;
  std::function<Status(Connection&)> apply;
};

// The store's versioned migrations, 1..kSchemaVersion.
const std::vector<Migration>& Migrations();

// Brings the store on `conn` up to date in one transaction that first takes the migration lock
// (pg_advisory_xact_lock, store/postgres/lock_ids.h), so that nodes opening a fresh database
// at the same moment migrate it once, one after the other: refuses a database written by a
// newer meabridge (FailedPrecondition, nothing touched) or a schema that holds other tables
// but no meabridge meta table, applies the versioned `migrations` the database lacks, then the
// registry-driven part (missing tables, columns and indexes; a field whose registry type
// changed is refused). Tests pass their own `migrations`; the store passes Migrations().
Status Migrate(Connection& conn, const Schema& schema, const std::vector<Migration>& migrations);

// The schema version recorded in the database (0 for an empty schema).
Result<int> StoredSchemaVersion(Connection& conn);

// The schema the store's tables live in (the connection's current_schema()); FailedPrecondition
// when the search_path names no existing schema.
Result<std::string> CurrentSchema(Connection& conn);

// CREATE TEMP TABLE for the staging table of `table` (ON COMMIT DELETE ROWS): the field columns,
// the bookkeeping columns but _seq, and _ord (the write's position in its run).
std::string StagingDdl(const TableInfo& table);
// "COPY <staging> (...) FROM STDIN (FORMAT binary)"
std::string StagingCopySql(const TableInfo& table);

// --- values <-> columns -------------------------------------------------------------------

// InvalidArgument naming the entity, id and field when a text in `record` holds a NUL
// character or is not valid UTF-8 (PostgreSQL's text can hold neither).
Status CheckStorable(const model::Record& record);
// `text` with NUL characters and invalid UTF-8 replaced by U+FFFD: for diagnostics (rejects,
// warnings, errors) that must be kept whatever they hold.
std::string SafeText(std::string_view text);

// The binary COPY stream of a staging table: the header, then rows, then the trailer.
class CopyBuffer {
 public:
  void Clear();
  size_t size() const { return buf_.size(); }
  bool empty() const { return rows_ == 0; }
  // The rows so far, framed (header and trailer added).
  std::string Framed() const;

  // One staged write. `updated_default` is used when the record has no `updated`.
  // REQUIRES: CheckStorable(record).ok()
  void AddRecord(const TableInfo& table, const model::Record& record, core::EpochMs updated_default,
                 const std::string& hash, const Fingerprint& fp, const std::string& source,
                 core::EpochMs fetched_at, int64_t run_id, int64_t ord,
                 rapidjson::StringBuffer& scratch);
  // One staged tombstone of `id`, deleted at `when` by `run_id` of `source`.
  void AddTombstone(const TableInfo& table, std::string_view id, core::EpochMs when,
                    const std::string& source, int64_t run_id, int64_t ord);

 private:
  void BeginRow(int fields);
  void Null();
  void Bytes(std::string_view b);
  void Int64(int64_t v);
  void Bool(bool v);

  std::string buf_;
  int64_t rows_ = 0;
};

// Reads column `col` of `row` (binary format) as a value of `field`; Corruption when it cannot
// be one.
Result<model::Value> ReadValue(const PGresult* r, int row, int col, const model::FieldSpec& field,
                               const TableInfo& table);

// Reads a row selected with `table.select_list` into a record with its provenance.
Result<model::Record> ReadRecord(const PGresult* r, int row, const TableInfo& table);

// The civil date of a binary `date` value (days since 2000-01-01); nullopt for infinities and
// years outside 0..9999.
std::optional<core::CivilDate> DateFromPg(int64_t days);
int64_t DateToPg(const core::CivilDate& d);

}  // namespace meabridge::store::postgres
