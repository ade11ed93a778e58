#include "store/sqlite/schema.h"

#include <map>
#include <set>
#include <utility>

#include "core/strings.h"
#include "core/time.h"
#include "model/canonical_json.h"

namespace meabridge::store::sqlite {
namespace {

using model::FieldType;

bool IsIdentifier(std::string_view s, bool lower_only) {
  if (s.empty() || s.size() > 64) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool letter = (c >= 'a' && c <= 'z') || (!lower_only && c >= 'A' && c <= 'Z');
    bool ok = letter || (i > 0 && ((c >= '0' && c <= '9') || c == '_'));
    if (!ok) return false;
  }
  return true;
}

const char* SqlType(FieldType type) {
  switch (KindOf(type)) {
    case ColumnKind::kInteger:
      return "INTEGER";
    case ColumnKind::kReal:
      return "REAL";
    case ColumnKind::kText:
    case ColumnKind::kJson:
      return "TEXT";
  }
  return "TEXT";
}

// Runs a statement that returns one integer (or no row: `fallback`).
Result<int64_t> QueryInt(Connection& conn, const std::string& sql, int64_t fallback) {
  MB_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, conn.Prepare(sql));
  StmtScope scope(stmt);
  int rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW) return static_cast<int64_t>(sqlite3_column_int64(stmt, 0));
  if (rc == SQLITE_DONE) return fallback;
  return conn.Error(rc, "reading the store's schema");
}

Status MigrateTo1(Connection& conn) {
  return conn.Exec(R"sql(
CREATE TABLE meta (key TEXT NOT NULL PRIMARY KEY, value INTEGER NOT NULL);
INSERT INTO meta (key, value) VALUES ('schema_version', 0), ('seq', 0), ('purged_seq', 0);
CREATE TABLE registry_fields (
  tbl TEXT NOT NULL, field TEXT NOT NULL, type TEXT NOT NULL, PRIMARY KEY (tbl, field));
CREATE TABLE runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  source TEXT NOT NULL,
  started INTEGER NOT NULL,
  finished INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL,
  full_run INTEGER NOT NULL DEFAULT 0,
  fetched INTEGER NOT NULL DEFAULT 0,
  created INTEGER NOT NULL DEFAULT 0,
  updated INTEGER NOT NULL DEFAULT 0,
  unchanged INTEGER NOT NULL DEFAULT 0,
  deleted INTEGER NOT NULL DEFAULT 0,
  rejected INTEGER NOT NULL DEFAULT 0,
  pages INTEGER NOT NULL DEFAULT 0,
  bytes INTEGER NOT NULL DEFAULT 0,
  warnings TEXT,
  error TEXT);
CREATE INDEX runs_source ON runs (source, id);
CREATE TABLE rejects (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  source TEXT NOT NULL,
  entity TEXT,
  record_id TEXT,
  position TEXT,
  field TEXT,
  rule TEXT,
  value TEXT,
  message TEXT);
CREATE INDEX rejects_run ON rejects (run_id, id);
CREATE TABLE watermarks (
  source TEXT NOT NULL PRIMARY KEY,
  value TEXT NOT NULL,
  run_id INTEGER REFERENCES runs (id),
  updated INTEGER NOT NULL);
)sql");
}

// The registry-driven part of the schema, applied at every open inside the migration
// transaction.
Status ApplyRegistry(Connection& conn, const Schema& schema) {
  for (const TableInfo& t : schema.tables()) {
    const auto& fields = t.entity->fields;
    MB_ASSIGN_OR_RETURN(int64_t exists,
                        QueryInt(conn,
                                 "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                                 "name = '" +
                                     t.table + "'",
                                 0));
    if (!exists) {
      std::string sql = "CREATE TABLE " + t.table +
                        " (_seq INTEGER PRIMARY KEY, \"id\" TEXT NOT NULL UNIQUE, _deleted "
                        "INTEGER NOT NULL DEFAULT 0, _hash TEXT, _source TEXT NOT NULL DEFAULT "
                        "'', _source_id TEXT, _fetched_at INTEGER, _run_id INTEGER, _fp BLOB";
      for (size_t i = 1; i < fields.size(); ++i) {
        sql += ", " + t.columns[i] + " " + SqlType(fields[i].type);
      }
      sql += ")";
      MB_RETURN_IF_ERROR(conn.Exec(sql));
    }
    // Columns the table has, and the registry types they were made for.
    std::set<std::string> have;
    {
      MB_ASSIGN_OR_RETURN(sqlite3_stmt * info,
                          conn.Prepare("SELECT name FROM pragma_table_info('" + t.table + "')"));
      StmtScope scope(info);
      int rc;
      while ((rc = sqlite3_step(info)) == SQLITE_ROW) have.insert(ColumnText(info, 0));
      if (rc != SQLITE_DONE) return conn.Error(rc, "reading the columns of " + t.table);
    }
    // Bookkeeping columns that later versions added (nullable, so ADD COLUMN works).
    for (const char* book : {"_fp BLOB"}) {
      std::string name(book, std::string_view(book).find(' '));
      if (!have.count(name)) {
        MB_RETURN_IF_ERROR(conn.Exec("ALTER TABLE " + t.table + " ADD COLUMN " + book));
      }
    }
    std::map<std::string, std::string> made_for;
    {
      MB_ASSIGN_OR_RETURN(sqlite3_stmt * rf,
                          conn.Prepare("SELECT field, type FROM registry_fields WHERE tbl = ?1"));
      StmtScope scope(rf);
      BindText(rf, 1, t.table);
      int rc;
      while ((rc = sqlite3_step(rf)) == SQLITE_ROW) made_for[ColumnText(rf, 0)] = ColumnText(rf, 1);
      if (rc != SQLITE_DONE) return conn.Error(rc, "reading registry_fields");
    }
    for (size_t i = 0; i < fields.size(); ++i) {
      const model::FieldSpec& f = fields[i];
      std::string type = model::FieldTypeName(f.type);
      auto it = made_for.find(f.name);
      if (it != made_for.end() && it->second != type) {
        return Status::FailedPrecondition(
            "store " + conn.path() + ": column " + t.table + "." + f.name + " holds " + it->second +
            " values but the registry now declares " + t.entity->set_name + "." + f.name + " as " +
            type +
            ": a field whose type changes needs a versioned migration in "
            "src/store/sqlite/schema.cc");
      }
      if (!have.count(f.name)) {
        MB_RETURN_IF_ERROR(conn.Exec("ALTER TABLE " + t.table + " ADD COLUMN " + t.columns[i] +
                                     " " + SqlType(f.type)));
      }
      if (it == made_for.end()) {
        MB_ASSIGN_OR_RETURN(
            sqlite3_stmt * ins,
            conn.Prepare("INSERT INTO registry_fields (tbl, field, type) VALUES (?1, ?2, ?3)"));
        StmtScope scope(ins);
        BindText(ins, 1, t.table);
        BindText(ins, 2, f.name);
        BindText(ins, 3, type);
        int rc = sqlite3_step(ins);
        if (rc != SQLITE_DONE) return conn.Error(rc, "writing registry_fields");
      }
    }
    // Indexes. The change sequence is the rowid (_seq INTEGER PRIMARY KEY): new records append
    // to the table and ScanChanges reads it in order, with no index of its own. The id is
    // UNIQUE. __state (id, _deleted, _source, _fp, _hash) covers the unchanged check of
    // Upsert and LiveIds, so neither reads the (1 KB) rows. Then (updated, id), and (field, id)
    // for every indexed scalar field. JSON-typed fields get none: an index on JSON text cannot
    // serve membership tests (json_each scans them; PostgreSQL will use GIN on jsonb).
    std::string idx = "CREATE INDEX IF NOT EXISTS " + t.table + "__state ON " + t.table +
                      " (\"id\", _deleted, _source, _fp, _hash);\n";
    for (size_t i = 1; i < fields.size(); ++i) {
      const model::FieldSpec& f = fields[i];
      bool wanted = f.indexed || i == static_cast<size_t>(model::EntitySpec::kUpdatedField);
      if (!wanted || KindOf(f.type) == ColumnKind::kJson) continue;
      idx += "CREATE INDEX IF NOT EXISTS \"" + t.table + "_" + f.name + "\" ON " + t.table + " (" +
             t.columns[i] + ", \"id\");\n";
    }
    MB_RETURN_IF_ERROR(conn.Exec(idx));
  }
  return Status::Ok();
}

}  // namespace

ColumnKind KindOf(FieldType type) {
  switch (type) {
    case FieldType::kString:
    case FieldType::kText:
    case FieldType::kTerm:
    case FieldType::kDate:
      return ColumnKind::kText;
    case FieldType::kDateTime:
    case FieldType::kBool:
    case FieldType::kInt:
      return ColumnKind::kInteger;
    case FieldType::kDouble:
      return ColumnKind::kReal;
    case FieldType::kMultilingual:
    case FieldType::kStringList:
    case FieldType::kItemList:
      return ColumnKind::kJson;
  }
  return ColumnKind::kText;
}

Result<Schema> Schema::Build(const model::Registry& registry) {
  Schema s;
  s.registry_ = &registry;
  for (const model::EntitySpec& e : registry.entities()) {
    if (!IsIdentifier(e.name, true)) {
      return Status::Internal("entity name " + core::Quote(e.name) +
                              " cannot name an SQL table: use [a-z][a-z0-9_]*");
    }
    if (e.fields.size() < 2 || e.fields[0].name != "id" || e.fields[1].name != "updated") {
      return Status::Internal("entity " + e.set_name + " lacks the id and updated fields");
    }
    TableInfo t;
    t.entity = &e;
    t.index = s.tables_.size();
    t.table = "e_" + e.name;
    for (const model::FieldSpec& f : e.fields) {
      if (!IsIdentifier(f.name, false)) {
        return Status::Internal("field " + e.set_name + "." + core::Quote(f.name) +
                                " cannot name an SQL column: use [A-Za-z][A-Za-z0-9_]*");
      }
      for (const model::ItemFieldSpec& item : f.item_fields) {
        if (!IsIdentifier(item.name, false)) {
          return Status::Internal("item field " + e.set_name + "." + f.name + "." +
                                  core::Quote(item.name) + " is not an identifier");
        }
      }
      t.columns.push_back("\"" + f.name + "\"");
      if (!t.select_list.empty()) t.select_list += ", ";
      t.select_list += "t.\"" + f.name + "\"";
    }
    t.select_list +=
        ", t._seq, t._deleted, t._hash, t._source, t._source_id, t._fetched_at, t._run_id, t._fp";
    t.book_offset = static_cast<int>(e.fields.size());
    s.tables_.push_back(std::move(t));
  }
  return s;
}

const TableInfo* Schema::Find(const model::EntitySpec& entity) const {
  for (const TableInfo& t : tables_) {
    if (t.entity == &entity) return &t;
  }
  for (const TableInfo& t : tables_) {
    if (t.entity->set_name != entity.set_name) continue;
    if (t.entity->fields.size() != entity.fields.size()) return nullptr;
    for (size_t i = 0; i < entity.fields.size(); ++i) {
      if (t.entity->fields[i].name != entity.fields[i].name ||
          t.entity->fields[i].type != entity.fields[i].type) {
        return nullptr;
      }
    }
    return &t;
  }
  return nullptr;
}

const std::vector<Migration>& Migrations() {
  static const std::vector<Migration>* const migrations = new std::vector<Migration>{
      {1, "meta, registry_fields, runs, rejects, watermarks", MigrateTo1},
  };
  return *migrations;
}

Result<int> StoredSchemaVersion(Connection& conn) {
  MB_ASSIGN_OR_RETURN(
      int64_t has_meta,
      QueryInt(conn, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'",
               0));
  if (!has_meta) {
    MB_ASSIGN_OR_RETURN(int64_t tables,
                        QueryInt(conn,
                                 "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE "
                                 "'sqlite_%'",
                                 0));
    if (tables > 0) {
      return Status::FailedPrecondition(
          conn.path() +
          " is an SQLite database but not a meabridge store (it has no meta table): point "
          "<store location> at a meabridge store or at a new file");
    }
    return 0;
  }
  MB_ASSIGN_OR_RETURN(int64_t v,
                      QueryInt(conn, "SELECT value FROM meta WHERE key = 'schema_version'", -1));
  if (v < 0) {
    return Status::Corruption("store " + conn.path() +
                              " has a meta table without a schema_version: restore it from a "
                              "backup (docs/store.md, \"Backups\")");
  }
  return static_cast<int>(v);
}

Status Migrate(Connection& conn, const Schema& schema, const std::vector<Migration>& migrations,
               int busy_timeout_ms) {
  int newest = migrations.empty() ? 0 : migrations.back().version;
  // At the newest version already (a plain read: WAL readers never wait), try the write lock
  // without waiting; a writer holding it means a meabridge that opened this store through here.
  MB_ASSIGN_OR_RETURN(int current, StoredSchemaVersion(conn));
  if (current == newest && newest > 0) {
    sqlite3_busy_timeout(conn.db(), 0);
    int rc = sqlite3_exec(conn.db(), "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    sqlite3_busy_timeout(conn.db(), busy_timeout_ms);
    if ((rc & 0xff) == SQLITE_BUSY) return Status::Ok();
    if (rc != SQLITE_OK) return conn.Error(rc, "starting its schema check");
  } else {
    MB_RETURN_IF_ERROR(conn.Exec("BEGIN IMMEDIATE"));
  }
  Status s = [&]() -> Status {
    MB_ASSIGN_OR_RETURN(int stored, StoredSchemaVersion(conn));
    if (stored > newest) {
      return Status::FailedPrecondition(
          "store " + conn.path() + " was written by a newer meabridge (schema " +
          std::to_string(stored) + "; this version reads up to " + std::to_string(newest) +
          "): upgrade meabridge or point <store location> at another file");
    }
    for (const Migration& m : migrations) {
      if (m.version <= stored) continue;
      Status applied = m.apply(conn);
      if (!applied.ok()) {
        return applied.WithContext("migrating store " + conn.path() + " to schema " +
                                   std::to_string(m.version) + " (" + m.what + ")");
      }
      MB_RETURN_IF_ERROR(conn.Exec("UPDATE meta SET value = " + std::to_string(m.version) +
                                   " WHERE key = 'schema_version'"));
    }
    return ApplyRegistry(conn, schema);
  }();
  if (!s.ok()) {
    conn.ResetAll();
    (void)conn.Exec("ROLLBACK");
    return s;
  }
  conn.ResetAll();
  return conn.Exec("COMMIT");
}

// --- values <-> columns -------------------------------------------------------------------

int BindValue(sqlite3_stmt* stmt, int index, const model::FieldSpec& field,
              const model::Value& value, rapidjson::StringBuffer& scratch) {
  if (model::IsEmpty(value)) return sqlite3_bind_null(stmt, index);
  switch (KindOf(field.type)) {
    case ColumnKind::kJson: {
      scratch.Clear();
      rapidjson::Writer<rapidjson::StringBuffer> w(scratch);
      model::WriteValueJson(value, w);
      return BindText(stmt, index, std::string_view(scratch.GetString(), scratch.GetSize()));
    }
    default:
      break;
  }
  if (const auto* s = std::get_if<std::string>(&value)) {
    // The record outlives the statement's step: no copy.
    return sqlite3_bind_text64(stmt, index, s->data(), s->size(), SQLITE_STATIC, SQLITE_UTF8);
  }
  if (const auto* b = std::get_if<bool>(&value)) return sqlite3_bind_int64(stmt, index, *b ? 1 : 0);
  if (const auto* i = std::get_if<int64_t>(&value)) return sqlite3_bind_int64(stmt, index, *i);
  if (const auto* d = std::get_if<double>(&value)) return sqlite3_bind_double(stmt, index, *d);
  if (const auto* date = std::get_if<core::CivilDate>(&value)) {
    return BindText(stmt, index, core::FormatDate(*date));
  }
  if (const auto* t = std::get_if<model::DateTime>(&value)) {
    return sqlite3_bind_int64(stmt, index, t->ms);
  }
  return SQLITE_MISMATCH;
}

Result<model::Value> ReadValue(sqlite3_stmt* stmt, int col, const model::FieldSpec& field,
                               const TableInfo& table) {
  if (sqlite3_column_type(stmt, col) == SQLITE_NULL) return model::Value();
  auto corrupt = [&](std::string_view what) {
    return Status::Corruption("column " + table.table + "." + field.name + " holds " +
                              core::Quote(ColumnTextView(stmt, col)) + ", not " +
                              std::string(what) + ": restore the store from a backup");
  };
  switch (field.type) {
    case FieldType::kString:
    case FieldType::kText:
    case FieldType::kTerm:
      return model::Value(ColumnText(stmt, col));
    case FieldType::kDate: {
      auto d = core::ParseDate(ColumnTextView(stmt, col));
      if (!d) return corrupt("a date");
      return model::Value(*d);
    }
    case FieldType::kDateTime:
      return model::Value(model::DateTime{sqlite3_column_int64(stmt, col)});
    case FieldType::kBool:
      return model::Value(sqlite3_column_int64(stmt, col) != 0);
    case FieldType::kInt:
      return model::Value(static_cast<int64_t>(sqlite3_column_int64(stmt, col)));
    case FieldType::kDouble:
      return model::Value(sqlite3_column_double(stmt, col));
    case FieldType::kMultilingual:
    case FieldType::kStringList:
    case FieldType::kItemList: {
      rapidjson::Document doc;
      if (!json::Parse(ColumnTextView(stmt, col), doc).ok()) return corrupt("JSON");
      Result<model::Value> v = model::ValueFromJson(field, doc);
      if (!v.ok()) return corrupt("a " + std::string(model::FieldTypeName(field.type)) + " value");
      return v;
    }
  }
  return corrupt("a value");
}

Result<model::Record> ReadRecord(sqlite3_stmt* stmt, const TableInfo& table) {
  model::Record r(*table.entity);
  const auto& fields = table.entity->fields;
  for (size_t i = 0; i < fields.size(); ++i) {
    MB_ASSIGN_OR_RETURN(model::Value v, ReadValue(stmt, static_cast<int>(i), fields[i], table));
    r.Set(i, std::move(v));
  }
  int b = table.book_offset;
  r.provenance.content_hash = ColumnText(stmt, b + kBookHash);
  r.provenance.source = ColumnText(stmt, b + kBookSource);
  r.provenance.source_id = ColumnText(stmt, b + kBookSourceId);
  r.provenance.fetched_at = sqlite3_column_int64(stmt, b + kBookFetchedAt);
  r.provenance.run_id = sqlite3_column_int64(stmt, b + kBookRunId);
  return r;
}

}  // namespace meabridge::store::sqlite
