#include "store/sqlite/sqlite_store.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <thread>
#include <utility>
#include <vector>

#include "core/hash.h"
#include "core/json.h"
#include "core/log.h"
#include "core/strings.h"
#include "model/canonical_json.h"
#include "store/fingerprint.h"
#include "store/lock_guarded.h"
#include "store/run_counts.h"
#include "store/sqlite/connection.h"
#include "store/sqlite/lease.h"
#include "store/sqlite/query_sql.h"
#include "store/sqlite/schema.h"

namespace meabridge::store::sqlite {
namespace {

using model::EntitySpec;
using model::FieldType;
using model::Record;

// The writer's page cache: 32 MiB. A larger run spills dirty pages into the WAL before its
// commit; measured (bench/memory_bench.sh, 100k records of 2.3 KB): the same time as a 256 MiB
// cache that never spills, with a flat 65 MB peak instead of 306 MB growing with the run.
constexpr int kWriterCacheKib = 32768;
constexpr int kReaderCacheKib = 16384;
// The WAL is truncated back to this size after a checkpoint (a big run can grow it to
// hundreds of megabytes).
constexpr int64_t kJournalSizeLimit = 64 << 20;
// The background checkpoint runs once a commit leaves at least this many pages in the WAL
// (SQLite's own wal_autocheckpoint default, about 4 MB). A small commit (a not-modified run's
// run record) is durable once its WAL frames are synced, so it asks for no checkpoint: a
// `meabridge harvest` that wrote little then exits without waiting for one (closing the last
// connection still folds the WAL into the database file, as SQLite always does).
constexpr int kCheckpointPages = 1000;

// The fixed SQL of one entity table, built once per store.
struct TableSql {
  std::string get;        // ?1 id -> the live row
  std::string state;      // ?1 id -> _seq, _fp, _hash, _deleted, _source (the covering __state index)
  std::string insert;     // fields ?1..?n, then _seq ... _run_id (BookColumn order)
  std::string update;     // as insert, and ?(n+8) the row's current _seq
  std::string tombstone;  // ?1 current _seq, ?2 new _seq, ?3 time, ?4 source, ?5 run
  std::string live_ids;   // ?1 source
  std::string changes;    // ?1 since
  std::string counts;     // _deleted, count(*)
};

TableSql BuildTableSql(const TableInfo& t) {
  const auto& fields = t.entity->fields;
  size_t n = fields.size();
  TableSql s;
  s.get = "SELECT " + t.select_list + " FROM " + t.table +
          " AS t WHERE t.\"id\" = ?1 AND t._deleted = 0";
  s.state = "SELECT _seq, _fp, _hash, _deleted, _source FROM " + t.table + " INDEXED BY " + t.table +
            "__state WHERE \"id\" = ?1";
  static const char* const kBook[] = {"_seq",       "_deleted",    "_hash",   "_source",
                                      "_source_id", "_fetched_at", "_run_id", "_fp"};
  static_assert(sizeof kBook / sizeof kBook[0] == kBookCount);
  std::string cols, values, sets;
  for (size_t i = 0; i < n + kBookCount; ++i) {
    std::string col = i < n ? t.columns[i] : std::string(kBook[i - n]);
    std::string ref = "?" + std::to_string(i + 1);
    std::string sep = i + 1 < n + kBookCount ? ", " : "";
    cols += col + sep;
    values += ref + sep;
    sets += col + " = " + ref + sep;
  }
  s.insert = "INSERT INTO " + t.table + " (" + cols + ") VALUES (" + values + ")";
  // Setting _seq (the rowid) moves the row to the end of the table, in change order.
  s.update =
      "UPDATE " + t.table + " SET " + sets + " WHERE _seq = ?" + std::to_string(n + kBookCount + 1);
  s.tombstone = "UPDATE " + t.table +
                " SET _seq = ?2, _deleted = 1, _hash = NULL, _fp = NULL, \"updated\" = ?3";
  for (size_t i = 2; i < n; ++i) s.tombstone += ", " + t.columns[i] + " = NULL";
  s.tombstone += ", _source = ?4, _fetched_at = ?3, _run_id = ?5 WHERE _seq = ?1";
  s.live_ids = "SELECT \"id\" FROM " + t.table + " INDEXED BY " + t.table +
               "__state WHERE _source = ?1 AND _deleted = 0 ORDER BY \"id\"";
  s.changes =
      "SELECT " + t.select_list + " FROM " + t.table + " AS t WHERE t._seq > ?1 ORDER BY t._seq";
  s.counts = "SELECT _deleted, count(*) FROM " + t.table + " GROUP BY _deleted";
  return s;
}

// A run's columns: id, source, started, finished, status, full_run (0 to 5), the counts
// (run_counts.h, from 6), warnings and error. Bound without the id: source is ?1, the counts
// ?6 on, warnings ?kRunWarnings, error ?kRunWarnings + 1.
constexpr int kRunCounts = 6;
constexpr int kRunWarnings = kRunCounts + kRunCountFieldCount;

std::string Placeholder(int n) { return "?" + std::to_string(n); }

const std::string& RunColumns() {
  static const std::string kColumns =
      "id, source, started, finished, status, full_run, " + RunCountColumns() + ", warnings, error";
  return kColumns;
}

RunRecord ReadRun(sqlite3_stmt* s) {
  RunRecord r;
  r.id = sqlite3_column_int64(s, 0);
  r.source = ColumnText(s, 1);
  r.started = sqlite3_column_int64(s, 2);
  r.finished = sqlite3_column_int64(s, 3);
  r.status = ColumnText(s, 4);
  r.full = sqlite3_column_int64(s, 5) != 0;
  for (int i = 0; i < kRunCountFieldCount; ++i) {
    r.counts.*kRunCountFields[i].member = sqlite3_column_int64(s, kRunCounts + i);
  }
  std::string_view warnings = ColumnTextView(s, kRunWarnings);
  if (!warnings.empty()) {
    rapidjson::Document doc;
    if (json::Parse(warnings, doc).ok() && doc.IsArray()) {
      for (const auto& w : doc.GetArray()) {
        if (w.IsString()) r.warnings.emplace_back(w.GetString(), w.GetStringLength());
      }
    }
  }
  r.error = ColumnText(s, kRunWarnings + 1);
  return r;
}

std::string WarningsJson(const std::vector<std::string>& warnings) {
  if (warnings.empty()) return "";
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartArray();
  for (const std::string& s : warnings)
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  w.EndArray();
  return std::string(buf.GetString(), buf.GetSize());
}

// Binds the run columns from source (?1) to error (?kRunWarnings + 1).
int BindRun(sqlite3_stmt* s, const RunRecord& r) {
  int rc = SQLITE_OK;
  auto check = [&rc](int r2) {
    if (rc == SQLITE_OK) rc = r2;
  };
  check(BindText(s, 1, r.source));
  check(sqlite3_bind_int64(s, 2, r.started));
  check(sqlite3_bind_int64(s, 3, r.finished));
  check(BindText(s, 4, r.status));
  check(sqlite3_bind_int64(s, 5, r.full ? 1 : 0));
  for (int i = 0; i < kRunCountFieldCount; ++i) {
    check(sqlite3_bind_int64(s, kRunCounts + i, r.counts.*kRunCountFields[i].member));
  }
  std::string warnings = WarningsJson(r.warnings);
  check(warnings.empty() ? sqlite3_bind_null(s, kRunWarnings)
                         : BindText(s, kRunWarnings, warnings));
  check(r.error.empty() ? sqlite3_bind_null(s, kRunWarnings + 1)
                        : BindText(s, kRunWarnings + 1, r.error));
  return rc;
}

// Checkpoints the WAL on a thread of its own after a run's commit that left at least
// kCheckpointPages in it, so that a commit costs
// one fsync of the WAL instead of also copying everything it wrote into the database file
// (SQLite's automatic checkpoint would run inside the committing call). Thread-safe.
class Checkpointer {
 public:
  explicit Checkpointer(std::string path) : path_(std::move(path)), thread_([this] { Loop(); }) {}
  ~Checkpointer() {
    {
      auto s = state_.lock();
      s->stop = true;
    }
    cv_.notify_one();
    thread_.join();
  }
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // Asks for a checkpoint soon.
  void Poke() {
    {
      auto s = state_.lock();
      s->pending = true;
    }
    cv_.notify_one();
  }

 private:
  struct State {
    bool pending = false;
    bool stop = false;
  };

  void Loop() {
    std::unique_ptr<Connection> conn;
    for (;;) {
      {
        auto s = state_.lock();
        s.WaitFor(cv_, std::chrono::hours(24),
                  [](const State& st) { return st.pending || st.stop; });
        if (s->stop) return;
        if (!s->pending) continue;
        s->pending = false;
      }
      if (!conn) {
        ConnectionOptions o;
        o.busy_timeout_ms = 1000;
        o.cache_size_kib = 2048;
        Result<std::unique_ptr<Connection>> c = Connection::Open(path_, o);
        if (!c.ok()) {
          core::LogWarning("store checkpoint skipped: " + c.status().message());
          continue;
        }
        conn = std::move(*c);
      }
      // PASSIVE: copies what no reader still needs, never waits for readers or the writer.
      Status st = conn->Exec("PRAGMA wal_checkpoint(PASSIVE)");
      if (!st.ok() && st.code() != Status::Code::kUnavailable) {
        core::LogWarning("store checkpoint failed: " + st.message());
        conn.reset();
      }
    }
  }

  std::string path_;
  std::condition_variable cv_;
  LockGuarded<State> state_;
  std::thread thread_;  // last: starts after the members it uses
};

// What the store, its views and its writers share. Kept alive by each of them.
struct Shared {
  std::string path;
  SqliteOptions options;  // options.clock is never null
  Schema schema;
  std::vector<TableSql> sql;  // per schema table
  // Pages in the WAL after the writer's last commit (its sqlite3_wal_hook). Declared before
  // `writer`, whose connection reports to it, so that it outlives that connection.
  std::atomic<int> wal_pages{0};

  std::condition_variable writer_cv;
  // The writer connection; null while a RunWriter or RecordFailedRun holds it.
  LockGuarded<std::unique_ptr<Connection>> writer;
  // Idle read connections.
  LockGuarded<std::vector<std::unique_ptr<Connection>>> readers;
  // Last member: destroyed (stopped and joined) first.
  Checkpointer checkpointer;

  Shared(std::string p, SqliteOptions o, Schema s)
      : path(std::move(p)), options(o), schema(std::move(s)), checkpointer(path) {
    if (!options.clock) options.clock = &core::SystemClock::Instance();
    for (const TableInfo& t : schema.tables()) sql.push_back(BuildTableSql(t));
  }

  Result<std::unique_ptr<Connection>> TakeWriter(std::string_view for_what) {
    auto w = writer.lock();
    bool got = w.WaitFor(writer_cv, std::chrono::milliseconds(options.begin_run_timeout_ms),
                         [](const std::unique_ptr<Connection>& c) { return c != nullptr; });
    if (!got) {
      return Status::Unavailable("store " + path + ": cannot start " + std::string(for_what) +
                                 ": another run of this process holds the write transaction "
                                 "(waited " +
                                 std::to_string(options.begin_run_timeout_ms) +
                                 " ms); retry when it ends");
    }
    return std::move(*w);
  }

  void ReturnWriter(std::unique_ptr<Connection> conn) {
    {
      auto w = writer.lock();
      *w = std::move(conn);
    }
    writer_cv.notify_one();
  }

  Result<std::unique_ptr<Connection>> TakeReader() {
    {
      auto r = readers.lock();
      if (!r->empty()) {
        std::unique_ptr<Connection> c = std::move(r->back());
        r->pop_back();
        return c;
      }
    }
    ConnectionOptions o;
    o.read_only = true;
    o.busy_timeout_ms = options.busy_timeout_ms;
    o.cache_size_kib = kReaderCacheKib;
    return Connection::Open(path, o);
  }

  void ReturnReader(std::unique_ptr<Connection> conn) {
    auto r = readers.lock();
    if (r->size() < options.max_idle_readers) r->push_back(std::move(conn));
  }

  Result<const TableInfo*> Table(const EntitySpec& entity) const {
    const TableInfo* t = schema.Find(entity);
    if (!t) {
      return Status::InvalidArgument("entity " + entity.set_name +
                                     " is not in the registry of store " + path + " (it has " +
                                     schema.registry().SetNames() + ")");
    }
    return t;
  }
};

// Binds text that stays alive until the statement is stepped and reset: no copy.
int BindStatic(sqlite3_stmt* s, int index, const std::string& text) {
  return sqlite3_bind_text64(s, index, text.data(), text.size(), SQLITE_STATIC, SQLITE_UTF8);
}

// BEGIN IMMEDIATE on the writer: the SQLite write lock, waiting through the busy handler.
Status BeginImmediate(Connection& conn, const Shared& shared, std::string_view for_what) {
  int rc = sqlite3_exec(conn.db(), "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
  if (rc == SQLITE_OK) return Status::Ok();
  if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) {
    return Status::Unavailable("store " + shared.path + ": cannot start " + std::string(for_what) +
                               ": another meabridge process holds the write transaction "
                               "(waited " +
                               std::to_string(shared.options.begin_run_timeout_ms) +
                               " ms); retry when its run ends");
  }
  return conn.Error(rc, "starting " + std::string(for_what));
}

Result<int64_t> ReadMeta(Connection& conn, const char* key) {
  MB_ASSIGN_OR_RETURN(sqlite3_stmt * s, conn.Prepare("SELECT value FROM meta WHERE key = ?1"));
  StmtScope scope(s);
  BindText(s, 1, key);
  int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) return static_cast<int64_t>(sqlite3_column_int64(s, 0));
  if (rc == SQLITE_DONE) {
    return Status::Corruption("store " + conn.path() + " has no " + key +
                              " in its meta table: restore it from a backup");
  }
  return conn.Error(rc, "reading the meta table");
}

// ---------------------------------------------------------------------------------------------

class SqliteRunWriter final : public RunWriter {
 public:
  SqliteRunWriter(std::shared_ptr<Shared> shared, std::unique_ptr<Connection> conn, int64_t run_id,
                  std::string source, core::EpochMs started, bool full, int64_t seq)
      : shared_(std::move(shared)),
        conn_(std::move(conn)),
        run_id_(run_id),
        source_(std::move(source)),
        started_(started),
        full_(full),
        seq_(seq),
        stmts_(shared_->sql.size()) {}

  ~SqliteRunWriter() override {
    if (state_ != State::kCommitted) {
      conn_->ResetAll();
      if (!sqlite3_get_autocommit(conn_->db())) {
        (void)conn_->Exec("ROLLBACK");
      }
    }
    shared_->ReturnWriter(std::move(conn_));
  }

  int64_t run_id() const override { return run_id_; }

  void ShareWith(std::vector<std::string> sources) override { shared_with_ = std::move(sources); }
  const std::string& refused_owner() const override { return refused_owner_; }

  Result<UpsertOutcome> Upsert(const Record& record) override {
    MB_RETURN_IF_ERROR(CheckOpen());
    MB_ASSIGN_OR_RETURN(const TableInfo* t, shared_->Table(record.entity()));
    const auto& fields = t->entity->fields;
    const std::string& id = record.id();
    if (id.empty()) {
      return Status::InvalidArgument("a " + t->entity->set_name +
                                     " record without an id cannot be stored (run " +
                                     std::to_string(run_id_) + " of " + source_ + ")");
    }
    for (size_t i = 0; i < fields.size(); ++i) {
      if (!model::HoldsType(record.Get(i), fields[i].type)) {
        return Status::InvalidArgument(t->entity->set_name + " record " + core::Quote(id) +
                                       ": field " + fields[i].name + " is a " +
                                       model::FieldTypeName(fields[i].type) + " but holds " +
                                       core::Quote(model::ValueToString(record.Get(i))));
      }
    }
    const model::Provenance& p = record.provenance;
    const std::string& source = p.source.empty() ? source_ : p.source;
    // Unchanged? First by fingerprint (cheap: no serialization), then by the content hash,
    // both over what the source gave (before `updated` is defaulted below).
    const Fingerprint fp = fingerprinter_.Of(record);
    MB_ASSIGN_OR_RETURN(Stmts * stp, StmtsOf(*t));
    Stmts& st = *stp;
    int64_t old_seq = 0;  // 0: no row for this id
    bool live = false;
    std::string old_hash;
    {
      StmtScope scope(st.state);
      BindStatic(st.state, 1, id);
      int rc = sqlite3_step(st.state);
      if (rc == SQLITE_ROW) {
        old_seq = sqlite3_column_int64(st.state, 0);
        live = sqlite3_column_int64(st.state, 3) == 0;
        if (live && !MayWrite(ColumnTextView(st.state, 4), source)) {
          refused_owner_ = ColumnText(st.state, 4);
          return UpsertOutcome::kOwnedByOther;
        }
        if (live) {
          const void* stored = sqlite3_column_blob(st.state, 1);
          if (stored && sqlite3_column_bytes(st.state, 1) == static_cast<int>(fp.size()) &&
              std::memcmp(stored, fp.data(), fp.size()) == 0) {
            return UpsertOutcome::kUnchanged;
          }
          old_hash = ColumnText(st.state, 2);
        }
      } else if (rc != SQLITE_DONE) {
        return Failed(rc, "reading " + t->entity->set_name + " " + core::Quote(id));
      }
    }
    // The content hash: SHA-1 of the bytes of model::ContentJson, written into a buffer this
    // writer reuses.
    content_.Clear();
    {
      rapidjson::Writer<rapidjson::StringBuffer> w(content_);
      w.StartObject();
      model::internal::WriteFields(record, w);
      w.EndObject();
    }
    std::string hash = hasher_.Hex(std::string_view(content_.GetString(), content_.GetSize()));
    if (live && hash == old_hash) return UpsertOutcome::kUnchanged;  // nothing written

    int64_t seq = seq_ + 1;
    {
      sqlite3_stmt* s = old_seq ? st.update : st.insert;
      StmtScope scope(s);
      int rc = SQLITE_OK;
      for (size_t i = 0; i < fields.size() && rc == SQLITE_OK; ++i) {
        const model::Value& v = record.Get(i);
        if (i == static_cast<size_t>(EntitySpec::kUpdatedField) &&
            std::holds_alternative<std::monostate>(v)) {
          rc = sqlite3_bind_int64(s, 2, started_);
        } else {
          rc = BindValue(s, static_cast<int>(i + 1), fields[i], v, scratch_);
        }
      }
      int b = static_cast<int>(fields.size()) + 1;
      if (rc == SQLITE_OK) rc = sqlite3_bind_int64(s, b + kBookSeq, seq);
      if (rc == SQLITE_OK) rc = sqlite3_bind_int64(s, b + kBookDeleted, 0);
      if (rc == SQLITE_OK) rc = BindStatic(s, b + kBookHash, hash);
      if (rc == SQLITE_OK) rc = BindStatic(s, b + kBookSource, source);
      if (rc == SQLITE_OK) {
        rc = p.source_id.empty() ? sqlite3_bind_null(s, b + kBookSourceId)
                                 : BindStatic(s, b + kBookSourceId, p.source_id);
      }
      if (rc == SQLITE_OK) {
        rc = sqlite3_bind_int64(s, b + kBookFetchedAt, p.fetched_at ? p.fetched_at : started_);
      }
      if (rc == SQLITE_OK) {
        rc = sqlite3_bind_int64(s, b + kBookRunId, p.run_id ? p.run_id : run_id_);
      }
      if (rc == SQLITE_OK) {
        rc = sqlite3_bind_blob(s, b + kBookFp, fp.data(), static_cast<int>(fp.size()),
                               SQLITE_STATIC);
      }
      if (rc == SQLITE_OK && old_seq) rc = sqlite3_bind_int64(s, b + kBookCount, old_seq);
      if (rc == SQLITE_OK) rc = sqlite3_step(s);
      if (rc != SQLITE_DONE) {
        return Failed(rc, "writing " + t->entity->set_name + " " + core::Quote(id));
      }
    }
    seq_ = seq;
    return old_seq && live ? UpsertOutcome::kUpdated : UpsertOutcome::kCreated;
  }

  Result<bool> Delete(const EntitySpec& entity, std::string_view id) override {
    MB_RETURN_IF_ERROR(CheckOpen());
    MB_ASSIGN_OR_RETURN(const TableInfo* t, shared_->Table(entity));
    MB_ASSIGN_OR_RETURN(Stmts * stp, StmtsOf(*t));
    Stmts& st = *stp;
    int64_t old_seq = 0;
    {
      StmtScope scope(st.state);
      BindText(st.state, 1, id);
      int rc = sqlite3_step(st.state);
      if (rc == SQLITE_DONE) return false;
      if (rc != SQLITE_ROW) return Failed(rc, "reading " + entity.set_name + " " + core::Quote(id));
      if (sqlite3_column_int64(st.state, 3) != 0) return false;
      if (!MayWrite(ColumnTextView(st.state, 4), source_)) return false;
      old_seq = sqlite3_column_int64(st.state, 0);
    }
    int64_t seq = seq_ + 1;
    {
      StmtScope scope(st.tombstone);
      sqlite3_stmt* s = st.tombstone;
      sqlite3_bind_int64(s, 1, old_seq);
      sqlite3_bind_int64(s, 2, seq);
      sqlite3_bind_int64(s, 3, started_);
      BindText(s, 4, source_);
      sqlite3_bind_int64(s, 5, run_id_);
      int rc = sqlite3_step(s);
      if (rc != SQLITE_DONE) {
        return Failed(rc, "deleting " + entity.set_name + " " + core::Quote(id));
      }
    }
    seq_ = seq;
    return true;
  }

  Result<std::vector<std::string>> LiveIds(const EntitySpec& entity) override {
    MB_RETURN_IF_ERROR(CheckOpen());
    MB_ASSIGN_OR_RETURN(const TableInfo* t, shared_->Table(entity));
    MB_ASSIGN_OR_RETURN(sqlite3_stmt * s, conn_->Prepare(shared_->sql[t->index].live_ids));
    StmtScope scope(s);
    BindText(s, 1, source_);
    std::vector<std::string> ids;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) ids.push_back(ColumnText(s, 0));
    if (rc != SQLITE_DONE)
      return Failed(rc, "listing the live " + entity.set_name + " of " + source_);
    return ids;
  }

  Status AddReject(const Reject& r) override {
    MB_RETURN_IF_ERROR(CheckOpen());
    MB_ASSIGN_OR_RETURN(sqlite3_stmt * s,
                        conn_->Prepare("INSERT INTO rejects (run_id, source, entity, record_id, "
                                       "position, field, rule, value, message) VALUES (?1, ?2, "
                                       "?3, ?4, ?5, ?6, ?7, ?8, ?9)"));
    StmtScope scope(s);
    sqlite3_bind_int64(s, 1, run_id_);
    BindText(s, 2, source_);
    BindText(s, 3, r.entity);
    BindText(s, 4, r.record_id);
    BindText(s, 5, r.position);
    BindText(s, 6, r.field);
    BindText(s, 7, r.rule);
    BindText(s, 8, r.value);
    BindText(s, 9, r.message);
    int rc = sqlite3_step(s);
    if (rc != SQLITE_DONE) return Failed(rc, "recording a reject");
    return Status::Ok();
  }

  Status SetWatermark(std::string_view value) override {
    MB_RETURN_IF_ERROR(CheckOpen());
    MB_ASSIGN_OR_RETURN(
        sqlite3_stmt * s,
        conn_->Prepare("INSERT INTO watermarks (source, value, run_id, updated) VALUES (?1, ?2, "
                       "?3, ?4) ON CONFLICT (source) DO UPDATE SET value = excluded.value, "
                       "run_id = excluded.run_id, updated = excluded.updated"));
    StmtScope scope(s);
    BindText(s, 1, source_);
    BindText(s, 2, value);
    sqlite3_bind_int64(s, 3, run_id_);
    sqlite3_bind_int64(s, 4, started_);
    int rc = sqlite3_step(s);
    if (rc != SQLITE_DONE) return Failed(rc, "setting the watermark of " + source_);
    return Status::Ok();
  }

  Status Commit(const RunRecord& summary) override {
    MB_RETURN_IF_ERROR(CheckOpen());
    RunRecord r = summary;
    r.id = run_id_;
    r.source = source_;
    r.started = started_;
    r.full = summary.full || full_;
    if (r.status.empty()) r.status = "ok";
    if (r.finished == 0) r.finished = shared_->options.clock->NowMs();
    {
      static const std::string kUpdate =
          "UPDATE runs SET source = ?1, started = ?2, finished = ?3, status = ?4, full_run = ?5, " +
          JoinRunCounts([](std::string_view name, int i) {
            return std::string(name) + " = " + Placeholder(kRunCounts + i);
          }) +
          ", warnings = " + Placeholder(kRunWarnings) +
          ", error = " + Placeholder(kRunWarnings + 1) +
          " WHERE id = " + Placeholder(kRunWarnings + 2);
      MB_ASSIGN_OR_RETURN(sqlite3_stmt * s, conn_->Prepare(kUpdate));
      StmtScope scope(s);
      int rc = BindRun(s, r);
      if (rc == SQLITE_OK) rc = sqlite3_bind_int64(s, kRunWarnings + 2, run_id_);
      if (rc == SQLITE_OK) rc = sqlite3_step(s);
      if (rc != SQLITE_DONE) return Failed(rc, "recording run " + std::to_string(run_id_));
    }
    {
      MB_ASSIGN_OR_RETURN(sqlite3_stmt * s,
                          conn_->Prepare("UPDATE meta SET value = ?1 WHERE key = 'seq'"));
      StmtScope scope(s);
      sqlite3_bind_int64(s, 1, seq_);
      int rc = sqlite3_step(s);
      if (rc != SQLITE_DONE) return Failed(rc, "writing the change sequence");
    }
    conn_->ResetAll();
    int rc = sqlite3_exec(conn_->db(), "COMMIT", nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) {
      Status s = Failed(rc, "committing run " + std::to_string(run_id_) + " of " + source_);
      if (!sqlite3_get_autocommit(conn_->db())) (void)conn_->Exec("ROLLBACK");
      state_ = State::kFailed;
      return s;
    }
    state_ = State::kCommitted;
    if (shared_->wal_pages.load(std::memory_order_relaxed) >= kCheckpointPages) {
      shared_->checkpointer.Poke();
    }
    return Status::Ok();
  }

 private:
  enum class State { kOpen, kCommitted, kFailed };

  // The cached statements of one table on this writer's connection.
  struct Stmts {
    sqlite3_stmt* state = nullptr;
    sqlite3_stmt* insert = nullptr;
    sqlite3_stmt* update = nullptr;
    sqlite3_stmt* tombstone = nullptr;
  };

  Result<Stmts*> StmtsOf(const TableInfo& t) {
    Stmts& st = stmts_[t.index];
    if (!st.state) {
      const TableSql& sql = shared_->sql[t.index];
      MB_ASSIGN_OR_RETURN(sqlite3_stmt * state, conn_->Prepare(sql.state));
      MB_ASSIGN_OR_RETURN(sqlite3_stmt * insert, conn_->Prepare(sql.insert));
      MB_ASSIGN_OR_RETURN(sqlite3_stmt * update, conn_->Prepare(sql.update));
      MB_ASSIGN_OR_RETURN(sqlite3_stmt * tombstone, conn_->Prepare(sql.tombstone));
      st = Stmts{state, insert, update, tombstone};
    }
    return &st;
  }

  Status CheckOpen() const {
    switch (state_) {
      case State::kOpen:
        return Status::Ok();
      case State::kCommitted:
        return Status::FailedPrecondition("run " + std::to_string(run_id_) + " of " + source_ +
                                          " is already committed");
      case State::kFailed:
        return Status::FailedPrecondition("run " + std::to_string(run_id_) + " of " + source_ +
                                          " was rolled back after an earlier error; start a new "
                                          "run");
    }
    return Status::Ok();
  }

  // Whether a run writing for `source` may overwrite or delete a live row of `owner`.
  bool MayWrite(std::string_view owner, std::string_view source) const {
    return owner == source || owner == source_ ||
           std::find(shared_with_.begin(), shared_with_.end(), owner) != shared_with_.end();
  }

  // The status of a failed statement; when SQLite rolled the transaction back by itself (disk
  // full, I/O error), the run is over.
  Status Failed(int rc, const std::string& what) {
    Status s = conn_->Error(rc, what);
    if (sqlite3_get_autocommit(conn_->db())) state_ = State::kFailed;
    return s;
  }

  std::shared_ptr<Shared> shared_;
  std::unique_ptr<Connection> conn_;
  int64_t run_id_;
  std::string source_;
  core::EpochMs started_;
  bool full_;
  int64_t seq_;  // the last sequence number taken
  std::vector<std::string> shared_with_;
  std::string refused_owner_;
  State state_ = State::kOpen;
  std::vector<Stmts> stmts_;  // per schema table, prepared on first use
  core::Hasher hasher_;
  Fingerprinter fingerprinter_;
  rapidjson::StringBuffer content_;  // the record's content JSON
  rapidjson::StringBuffer scratch_;  // JSON-typed column values
};

// ---------------------------------------------------------------------------------------------

class SqliteReadView final : public ReadView {
 public:
  SqliteReadView(std::shared_ptr<Shared> shared, std::unique_ptr<Connection> conn, int64_t max_seq)
      : shared_(std::move(shared)), conn_(std::move(conn)), max_seq_(max_seq) {}

  ~SqliteReadView() override {
    conn_->ResetAll();
    if (conn_->Exec("COMMIT").ok()) shared_->ReturnReader(std::move(conn_));
  }

  Result<int64_t> MaxSeq() override { return max_seq_; }

  Result<std::optional<Record>> Get(const EntitySpec& entity, std::string_view id) override {
    MB_ASSIGN_OR_RETURN(const TableInfo* t, shared_->Table(entity));
    MB_ASSIGN_OR_RETURN(sqlite3_stmt * s, conn_->Prepare(shared_->sql[t->index].get));
    StmtScope scope(s);
    BindText(s, 1, id);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) return std::optional<Record>();
    if (rc != SQLITE_ROW)
      return conn_->Error(rc, "reading " + entity.set_name + " " + core::Quote(id));
    MB_ASSIGN_OR_RETURN(Record r, ReadRecord(s, *t));
    return std::optional<Record>(std::move(r));
  }

  Status Scan(const Query& query, const std::function<Status(const Record&)>& fn) override {
    if (!query.entity) return Status::InvalidArgument("a query without an entity");
    MB_ASSIGN_OR_RETURN(const TableInfo* t, shared_->Table(*query.entity));
    MB_ASSIGN_OR_RETURN(CompiledSql c, CompileSelect(*t, query));
    MB_ASSIGN_OR_RETURN(StmtHandle h, conn_->Take(c.sql));
    LeasedStmt s(conn_.get(), c.sql, std::move(h));
    int rc = BindAll(s.get(), c.params);
    if (rc != SQLITE_OK) return conn_->Error(rc, "binding a query of " + t->entity->set_name);
    while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
      MB_ASSIGN_OR_RETURN(Record r, ReadRecord(s.get(), *t));
      MB_RETURN_IF_ERROR(fn(r));
    }
    if (rc != SQLITE_DONE) return conn_->Error(rc, "querying " + t->entity->set_name);
    return Status::Ok();
  }

  Result<int64_t> Count(const Query& query) override {
    if (!query.entity) return Status::InvalidArgument("a query without an entity");
    MB_ASSIGN_OR_RETURN(const TableInfo* t, shared_->Table(*query.entity));
    MB_ASSIGN_OR_RETURN(CompiledSql c, CompileCount(*t, query));
    MB_ASSIGN_OR_RETURN(StmtHandle h, conn_->Take(c.sql));
    LeasedStmt s(conn_.get(), c.sql, std::move(h));
    int rc = BindAll(s.get(), c.params);
    if (rc == SQLITE_OK) rc = sqlite3_step(s.get());
    if (rc != SQLITE_ROW) return conn_->Error(rc, "counting " + t->entity->set_name);
    return static_cast<int64_t>(sqlite3_column_int64(s.get(), 0));
  }

  Status ScanChanges(const EntitySpec* entity, int64_t since, int64_t limit,
                     const std::function<Status(const Change&)>& fn) override {
    std::vector<const TableInfo*> tables;
    if (entity) {
      MB_ASSIGN_OR_RETURN(const TableInfo* t, shared_->Table(*entity));
      tables.push_back(t);
    } else {
      for (const TableInfo& t : shared_->schema.tables()) tables.push_back(&t);
    }
    // A k-way merge of one seq-ordered cursor per table: streams in global seq order.
    struct Cursor {
      const TableInfo* table;
      sqlite3_stmt* stmt;
      bool row;
    };
    std::vector<Cursor> cursors;
    // Leased statements: `fn` may use this view, even call ScanChanges again.
    std::vector<std::unique_ptr<LeasedStmt>> leases;
    for (const TableInfo* t : tables) {
      const std::string& sql = shared_->sql[t->index].changes;
      MB_ASSIGN_OR_RETURN(StmtHandle h, conn_->Take(sql));
      leases.push_back(std::make_unique<LeasedStmt>(conn_.get(), sql, std::move(h)));
      sqlite3_stmt* s = leases.back()->get();
      sqlite3_bind_int64(s, 1, since);
      int rc = sqlite3_step(s);
      if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        return conn_->Error(rc, "reading the changes of " + t->entity->set_name);
      }
      cursors.push_back(Cursor{t, s, rc == SQLITE_ROW});
    }
    int64_t emitted = 0;
    while (limit < 0 || emitted < limit) {
      Cursor* next = nullptr;
      int64_t next_seq = 0;
      for (Cursor& c : cursors) {
        if (!c.row) continue;
        int64_t seq = sqlite3_column_int64(c.stmt, c.table->book_offset + kBookSeq);
        if (!next || seq < next_seq) {
          next = &c;
          next_seq = seq;
        }
      }
      if (!next) break;
      const TableInfo& t = *next->table;
      Change change;
      change.entity = t.entity;
      change.id = ColumnText(next->stmt, EntitySpec::kIdField);
      change.seq = next_seq;
      change.deleted = sqlite3_column_int64(next->stmt, t.book_offset + kBookDeleted) != 0;
      if (change.deleted) {
        change.deleted_at = sqlite3_column_int64(next->stmt, EntitySpec::kUpdatedField);
      } else {
        MB_ASSIGN_OR_RETURN(Record r, ReadRecord(next->stmt, t));
        change.record = std::move(r);
      }
      MB_RETURN_IF_ERROR(fn(change));
      ++emitted;
      int rc = sqlite3_step(next->stmt);
      if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        return conn_->Error(rc, "reading the changes of " + t.entity->set_name);
      }
      next->row = rc == SQLITE_ROW;
    }
    return Status::Ok();
  }

  Result<int64_t> OldestTrackedSeq() override { return ReadMeta(*conn_, "purged_seq"); }

  Result<std::vector<std::pair<std::string, int64_t>>> CountBy(const EntitySpec& entity,
                                                               int field) override {
    MB_ASSIGN_OR_RETURN(const TableInfo* t, shared_->Table(entity));
    const auto& fields = t->entity->fields;
    if (field < 0 || static_cast<size_t>(field) >= fields.size()) {
      return Status::InvalidArgument(entity.set_name + " has no field #" + std::to_string(field));
    }
    const model::FieldSpec& f = fields[static_cast<size_t>(field)];
    std::string col = t->Col(field);
    std::string sql;
    switch (f.type) {
      case FieldType::kString:
      case FieldType::kText:
      case FieldType::kTerm:
      case FieldType::kDate:
      case FieldType::kBool:
      case FieldType::kInt:
        sql = "SELECT " + col + ", count(*) FROM " + t->table + " AS t WHERE t._deleted = 0 AND " +
              col + " IS NOT NULL GROUP BY 1 ORDER BY 1";
        break;
      case FieldType::kStringList:
        sql = "SELECT j.value, count(DISTINCT t.\"id\") FROM " + t->table + " AS t, json_each(" +
              col + ") AS j WHERE t._deleted = 0 GROUP BY 1 ORDER BY 1";
        break;
      default:
        return Status::InvalidArgument("cannot count " + entity.set_name + " per " + f.name + " (" +
                                       model::FieldTypeName(f.type) +
                                       "): counts need a string, term, date, bool or int field or "
                                       "a list of strings");
    }
    MB_ASSIGN_OR_RETURN(sqlite3_stmt * s, conn_->Prepare(sql));
    StmtScope scope(s);
    std::vector<std::pair<std::string, int64_t>> out;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
      std::string key = ColumnText(s, 0);
      if (f.type == FieldType::kBool) key = sqlite3_column_int64(s, 0) ? "true" : "false";
      out.emplace_back(std::move(key), sqlite3_column_int64(s, 1));
    }
    if (rc != SQLITE_DONE)
      return conn_->Error(rc, "counting " + entity.set_name + " per " + f.name);
    return out;
  }

  Result<std::vector<RunRecord>> Runs(std::string_view source, int64_t limit) override {
    std::string sql = "SELECT " + RunColumns() + " FROM runs" +
                      (source.empty() ? " WHERE ?1 = ''" : " WHERE source = ?1") +
                      " ORDER BY id DESC LIMIT ?2";
    MB_ASSIGN_OR_RETURN(sqlite3_stmt * s, conn_->Prepare(sql));
    StmtScope scope(s);
    BindText(s, 1, source);
    sqlite3_bind_int64(s, 2, limit < 0 ? -1 : limit);
    std::vector<RunRecord> out;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) out.push_back(ReadRun(s));
    if (rc != SQLITE_DONE) return conn_->Error(rc, "reading runs");
    return out;
  }

  Result<std::optional<RunRecord>> Run(int64_t run_id) override {
    MB_ASSIGN_OR_RETURN(sqlite3_stmt * s,
                        conn_->Prepare("SELECT " + RunColumns() + " FROM runs WHERE id = ?1"));
    StmtScope scope(s);
    sqlite3_bind_int64(s, 1, run_id);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) return std::optional<RunRecord>();
    if (rc != SQLITE_ROW) return conn_->Error(rc, "reading run " + std::to_string(run_id));
    return std::optional<RunRecord>(ReadRun(s));
  }

  Result<std::vector<Reject>> Rejects(int64_t run_id, int64_t limit) override {
    MB_ASSIGN_OR_RETURN(
        sqlite3_stmt * s,
        conn_->Prepare("SELECT run_id, source, entity, record_id, position, field, rule, value, "
                       "message FROM rejects WHERE run_id = ?1 ORDER BY id LIMIT ?2"));
    StmtScope scope(s);
    sqlite3_bind_int64(s, 1, run_id);
    sqlite3_bind_int64(s, 2, limit < 0 ? -1 : limit);
    std::vector<Reject> out;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
      Reject r;
      r.run_id = sqlite3_column_int64(s, 0);
      r.source = ColumnText(s, 1);
      r.entity = ColumnText(s, 2);
      r.record_id = ColumnText(s, 3);
      r.position = ColumnText(s, 4);
      r.field = ColumnText(s, 5);
      r.rule = ColumnText(s, 6);
      r.value = ColumnText(s, 7);
      r.message = ColumnText(s, 8);
      out.push_back(std::move(r));
    }
    if (rc != SQLITE_DONE)
      return conn_->Error(rc, "reading the rejects of run " + std::to_string(run_id));
    return out;
  }

  Result<std::optional<std::string>> Watermark(std::string_view source) override {
    MB_ASSIGN_OR_RETURN(sqlite3_stmt * s,
                        conn_->Prepare("SELECT value FROM watermarks WHERE source = ?1"));
    StmtScope scope(s);
    BindText(s, 1, source);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) return std::optional<std::string>();
    if (rc != SQLITE_ROW)
      return conn_->Error(rc, "reading the watermark of " + std::string(source));
    return std::optional<std::string>(ColumnText(s, 0));
  }

  Result<StoreInfo> Info() {
    StoreInfo info;
    info.backend = "sqlite";
    info.location = shared_->path;
    MB_ASSIGN_OR_RETURN(int64_t version, ReadMeta(*conn_, "schema_version"));
    info.schema_version = static_cast<int>(version);
    info.max_seq = max_seq_;
    for (const TableInfo& t : shared_->schema.tables()) {
      MB_ASSIGN_OR_RETURN(sqlite3_stmt * s, conn_->Prepare(shared_->sql[t.index].counts));
      StmtScope scope(s);
      int64_t live = 0;
      int64_t dead = 0;
      int rc;
      while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (sqlite3_column_int64(s, 0) == 0) {
          live += sqlite3_column_int64(s, 1);
        } else {
          dead += sqlite3_column_int64(s, 1);
        }
      }
      if (rc != SQLITE_DONE) return conn_->Error(rc, "counting " + t.entity->set_name);
      info.live_records.emplace_back(t.entity->set_name, live);
      info.tombstones_by_entity.emplace_back(t.entity->set_name, dead);
      info.tombstones += dead;
    }
    MB_ASSIGN_OR_RETURN(sqlite3_stmt * s, conn_->Prepare("SELECT count(*) FROM runs"));
    StmtScope scope(s);
    int rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) return conn_->Error(rc, "counting runs");
    info.runs = sqlite3_column_int64(s, 0);
    return info;
  }

 private:
  std::shared_ptr<Shared> shared_;
  std::unique_ptr<Connection> conn_;
  int64_t max_seq_;
};

// ---------------------------------------------------------------------------------------------

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(std::shared_ptr<Shared> shared) : shared_(std::move(shared)) {}

  Result<std::unique_ptr<ReadView>> Read() override {
    MB_ASSIGN_OR_RETURN(auto view, OpenView());
    return std::unique_ptr<ReadView>(std::move(view));
  }

  Result<std::unique_ptr<RunWriter>> BeginRun(std::string_view source, core::EpochMs started,
                                              bool full) override {
    std::string what = "a run of " + core::Quote(source);
    if (source.empty()) return Status::InvalidArgument("a run needs a source name");
    MB_ASSIGN_OR_RETURN(std::unique_ptr<Connection> conn, shared_->TakeWriter(what));
    Status s = BeginImmediate(*conn, *shared_, what);
    int64_t seq = 0;
    int64_t run_id = 0;
    if (s.ok()) {
      Result<int64_t> r = ReadMeta(*conn, "seq");
      if (r.ok()) {
        seq = *r;
        Result<int64_t> id = InsertRun(*conn, std::string(source), started, full);
        if (id.ok()) {
          run_id = *id;
        } else {
          s = id.status();
        }
      } else {
        s = r.status();
      }
      if (!s.ok()) {
        conn->ResetAll();
        (void)conn->Exec("ROLLBACK");
      }
    }
    if (!s.ok()) {
      shared_->ReturnWriter(std::move(conn));
      return s;
    }
    return std::unique_ptr<RunWriter>(std::make_unique<SqliteRunWriter>(
        shared_, std::move(conn), run_id, std::string(source), started, full, seq));
  }

  Result<int64_t> RecordFailedRun(const RunRecord& run) override {
    std::string what = "recording a failed run of " + core::Quote(run.source);
    MB_ASSIGN_OR_RETURN(std::unique_ptr<Connection> conn, shared_->TakeWriter(what));
    Result<int64_t> id = [&]() -> Result<int64_t> {
      MB_RETURN_IF_ERROR(BeginImmediate(*conn, *shared_, what));
      Result<int64_t> r = WriteFailedRun(*conn, run, shared_->options.clock->NowMs());
      conn->ResetAll();
      if (!r.ok()) {
        (void)conn->Exec("ROLLBACK");
        return r;
      }
      int rc = sqlite3_exec(conn->db(), "COMMIT", nullptr, nullptr, nullptr);
      if (rc != SQLITE_OK) {
        Status s = conn->Error(rc, what);
        if (!sqlite3_get_autocommit(conn->db())) (void)conn->Exec("ROLLBACK");
        return s;
      }
      return r;
    }();
    shared_->ReturnWriter(std::move(conn));
    return id;
  }

  Result<StoreInfo> Info() override {
    MB_ASSIGN_OR_RETURN(auto view, OpenView());
    return view->Info();
  }

  // Lock files beside the store (store/sqlite/lease.h).
  Result<std::unique_ptr<SourceLease>> TryLeaseSource(std::string_view source,
                                                      std::string_view node_id,
                                                      int64_t ttl_ms) override {
    return TryLeaseSqliteSource(shared_->path, source, node_id, ttl_ms, *shared_->options.clock);
  }

 private:
  Result<std::unique_ptr<SqliteReadView>> OpenView() {
    MB_ASSIGN_OR_RETURN(std::unique_ptr<Connection> conn, shared_->TakeReader());
    MB_RETURN_IF_ERROR(conn->Exec("BEGIN"));
    // The first read fixes the snapshot for the whole view.
    Result<int64_t> seq = ReadMeta(*conn, "seq");
    if (!seq.ok()) {
      conn->ResetAll();
      (void)conn->Exec("ROLLBACK");
      return seq.status();
    }
    return std::make_unique<SqliteReadView>(shared_, std::move(conn), *seq);
  }

  static Result<int64_t> InsertRun(Connection& conn, const std::string& source,
                                   core::EpochMs started, bool full) {
    MB_ASSIGN_OR_RETURN(sqlite3_stmt * s,
                        conn.Prepare("INSERT INTO runs (source, started, status, full_run) "
                                     "VALUES (?1, ?2, 'running', ?3)"));
    StmtScope scope(s);
    BindText(s, 1, source);
    sqlite3_bind_int64(s, 2, started);
    sqlite3_bind_int64(s, 3, full ? 1 : 0);
    int rc = sqlite3_step(s);
    if (rc != SQLITE_DONE) return conn.Error(rc, "recording a new run of " + source);
    return static_cast<int64_t>(sqlite3_last_insert_rowid(conn.db()));
  }

  // The failed run keeps its id when it had one that is still free (the id its log lines
  // carried while the rolled-back run was open).
  static Result<int64_t> WriteFailedRun(Connection& conn, const RunRecord& run,
                                        core::EpochMs now) {
    RunRecord r = run;
    if (r.status.empty() || r.status == "ok") r.status = "failed";
    if (r.finished == 0) r.finished = now;
    bool keep_id = false;
    if (r.id > 0) {
      MB_ASSIGN_OR_RETURN(sqlite3_stmt * q, conn.Prepare("SELECT 1 FROM runs WHERE id = ?1"));
      StmtScope scope(q);
      sqlite3_bind_int64(q, 1, r.id);
      int rc = sqlite3_step(q);
      if (rc != SQLITE_ROW && rc != SQLITE_DONE) return conn.Error(rc, "reading runs");
      keep_id = rc == SQLITE_DONE;
    }
    static const std::string kInsert = [] {
      std::string values;
      for (int n = 1; n <= kRunWarnings + 2; ++n) values += (n > 1 ? ", " : "") + Placeholder(n);
      return "INSERT INTO runs (source, started, finished, status, full_run, " + RunCountColumns() +
             ", warnings, error, id) VALUES (" + values + ")";
    }();
    MB_ASSIGN_OR_RETURN(sqlite3_stmt * s, conn.Prepare(kInsert));
    StmtScope scope(s);
    int rc = BindRun(s, r);
    constexpr int kId = kRunWarnings + 2;
    if (rc == SQLITE_OK)
      rc = keep_id ? sqlite3_bind_int64(s, kId, r.id) : sqlite3_bind_null(s, kId);
    if (rc == SQLITE_OK) rc = sqlite3_step(s);
    if (rc != SQLITE_DONE) return conn.Error(rc, "recording a failed run of " + r.source);
    return static_cast<int64_t>(sqlite3_last_insert_rowid(conn.db()));
  }

  std::shared_ptr<Shared> shared_;
};

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path,
                                               const SqliteOptions& options) {
  if (path.empty()) return Status::InvalidArgument("an SQLite store needs a file path");
  const model::Registry& registry =
      options.registry ? *options.registry : model::Registry::Default();
  MB_ASSIGN_OR_RETURN(Schema schema, Schema::Build(registry));

  ConnectionOptions co;
  co.create = true;
  co.busy_timeout_ms = options.begin_run_timeout_ms;
  co.cache_size_kib = kWriterCacheKib;
  MB_ASSIGN_OR_RETURN(std::unique_ptr<Connection> writer, Connection::Open(path, co));
  {
    // The first statement that reads the file: a file that is not a database fails here.
    MB_ASSIGN_OR_RETURN(sqlite3_stmt * s, writer->Prepare("PRAGMA journal_mode=WAL"));
    StmtScope scope(s);
    int rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) return writer->Error(rc, "switching it to WAL mode");
    if (!core::EqualsIgnoreCase(ColumnTextView(s, 0), "wal")) {
      return Status::IoError("store " + path + " cannot use WAL mode (journal mode stays " +
                             ColumnText(s, 0) +
                             "): put it on a local file system that supports shared memory");
    }
  }
  // No automatic checkpoint inside Commit: the store's Checkpointer runs them.
  MB_RETURN_IF_ERROR(
      writer->Exec("PRAGMA synchronous=FULL; PRAGMA wal_autocheckpoint=0; "
                   "PRAGMA journal_size_limit=" +
                   std::to_string(kJournalSizeLimit) + ";"));
  MB_RETURN_IF_ERROR(Migrate(*writer, schema, Migrations(), co.busy_timeout_ms));

  auto shared = std::make_shared<Shared>(path, options, std::move(schema));
  sqlite3_wal_hook(
      writer->db(),
      [](void* pages, sqlite3*, const char*, int n) {
        static_cast<std::atomic<int>*>(pages)->store(n, std::memory_order_relaxed);
        return SQLITE_OK;
      },
      &shared->wal_pages);
  shared->ReturnWriter(std::move(writer));
  return std::unique_ptr<Store>(std::make_unique<SqliteStore>(std::move(shared)));
}

void Register(BackendRegistry& registry) {
  Backend b;
  b.name = "sqlite";
  b.prefixes = {"sqlite:"};
  b.plain_paths = true;
  b.forms = "sqlite:PATH or a plain PATH for an SQLite file";
  b.open = [](const std::string&, const std::string& rest) { return OpenSqliteStore(rest); };
  registry.Add(std::move(b));
}

}  // namespace meabridge::store::sqlite
