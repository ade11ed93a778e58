#include "store/postgres/postgres_store.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/hash.h"
#include "core/json.h"
#include "core/strings.h"
#include "model/canonical_json.h"
#include "store/fingerprint.h"
#include "store/postgres/connection.h"
#include "store/postgres/location.h"
#include "store/postgres/lock_ids.h"
#include "store/postgres/query_sql.h"
#include "store/postgres/schema.h"
#include "store/run_counts.h"

namespace meabridge::store::postgres {
namespace {

using model::EntitySpec;
using model::FieldType;
using model::Record;

// A run loads the state of its source's rows of an entity after this many point lookups, and
// a filter of the other sources' ids after as many more.
constexpr int64_t kLoadAfterLookups = 256;
// A staging COPY stream is sent when it reaches this size.
constexpr size_t kCopyFlushBytes = 1 << 20;
// Scans and change scans with a limit up to this run as one query; larger or unlimited ones
// stream through a cursor, this many rows per FETCH.
constexpr int64_t kDirectRows = 1000;
constexpr int kFetchRows = 512;

using Sha1 = std::array<unsigned char, 20>;

// A Bloom filter of ids (about 1% false positives at 10 bits per id, 7 probes): "certainly
// absent" without a round trip.
class IdFilter {
 public:
  explicit IdFilter(size_t expected) : bits_(std::max<size_t>(1024, expected * 10)) {}
  void Add(std::string_view id) {
    auto [a, b] = Hashes(id);
    for (uint64_t i = 0; i < kProbes; ++i) Set((a + i * b) % bits_.size());
  }
  bool MayContain(std::string_view id) const {
    auto [a, b] = Hashes(id);
    for (uint64_t i = 0; i < kProbes; ++i) {
      if (!bits_[(a + i * b) % bits_.size()]) return false;
    }
    return true;
  }

 private:
  static constexpr uint64_t kProbes = 7;
  static std::pair<uint64_t, uint64_t> Hashes(std::string_view id) {
    Fingerprint h = Murmur3x64_128(id.data(), id.size(), 0x6d656162);
    uint64_t a = 0, b = 0;
    std::memcpy(&a, h.data(), 8);
    std::memcpy(&b, h.data() + 8, 8);
    return {a, b | 1};
  }
  void Set(uint64_t bit) { bits_[bit] = true; }
  std::vector<bool> bits_;
};

std::optional<Sha1> HexToSha1(std::string_view hex) {
  if (hex.size() != 40) return std::nullopt;
  Sha1 out;
  for (size_t i = 0; i < 20; ++i) {
    int v = 0;
    for (size_t k = 0; k < 2; ++k) {
      char c = hex[2 * i + k];
      int d = c >= '0' && c <= '9'   ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                     : -1;
      if (d < 0) return std::nullopt;
      v = v * 16 + d;
    }
    out[i] = static_cast<unsigned char>(v);
  }
  return out;
}

bool Storable(std::string_view s) {
  return s.find('\0') == std::string_view::npos && core::IsValidUtf8(s);
}

// The fixed SQL of one entity table, built once per store.
struct TableSql {
  std::string get;            // $1 id -> the live row
  std::string state;          // $1 id -> _deleted, _fp, _hash, _source
  std::string source_state;   // $1 source -> id, _deleted, _fp, _hash of its rows
  std::string foreign;        // $1 source -> whether rows of other sources exist
  std::string foreign_ids;    // $1 source -> ids of the other sources' rows
  std::string taken;          // $1 allowed owners (comma-separated) -> a staged id another
                              // source committed meanwhile, and that source
  std::string merge;          // $1 base: the staging table into the entity table
  std::string merge_dedup;    // the same when an id was staged twice: its last write wins
  std::string changes;        // $1 since
  std::string changes_limit;  // $1 since, $2 limit
  std::string counts;         // _deleted, count(*)
  std::string staging_ddl;
  std::string staging_copy;
};

TableSql BuildTableSql(const TableInfo& t) {
  const auto& fields = t.entity->fields;
  TableSql s;
  s.get = "SELECT " + t.select_list + " FROM " + t.table +
          " AS t WHERE t.\"id\" = $1::text AND NOT t._deleted";
  s.state = "SELECT _deleted, _fp, _hash, _source FROM " + t.table + " WHERE \"id\" = $1::text";
  s.source_state =
      "SELECT \"id\", _deleted, _fp, _hash FROM " + t.table + " WHERE _source = $1::text";
  // min and max are two probes of the __source index, whatever the table's size.
  s.foreign = "SELECT coalesce(min(_source) <> $1::text OR max(_source) <> $1::text, false) FROM " +
              t.table;
  // Two ranges of the __source index, read from the index alone.
  s.foreign_ids = "SELECT \"id\" FROM " + t.table +
                  " WHERE _source < $1::text UNION ALL SELECT \"id\" FROM " + t.table +
                  " WHERE _source > $1::text";
  std::string cols, select, sets;
  for (size_t i = 0; i < fields.size(); ++i) {
    cols += t.columns[i] + ", ";
    select += "s." + t.columns[i] + ", ";
    if (i > 0) sets += t.columns[i] + " = EXCLUDED." + t.columns[i] + ", ";
  }
  cols += "_seq, _deleted, _hash, _source, _source_id, _fetched_at, _run_id, _fp";
  select +=
      "$1::bigint + s._ord, s._deleted, s._hash, s._source, s._source_id, s._fetched_at, "
      "s._run_id, s._fp";
  // A tombstone keeps the source id of what it deletes (as in SQLite).
  sets +=
      "_seq = EXCLUDED._seq, _deleted = EXCLUDED._deleted, _hash = EXCLUDED._hash, _source = "
      "EXCLUDED._source, _source_id = CASE WHEN EXCLUDED._deleted THEN t._source_id ELSE "
      "EXCLUDED._source_id END, _fetched_at = EXCLUDED._fetched_at, _run_id = EXCLUDED._run_id, "
      "_fp = EXCLUDED._fp";
  std::string conflict = " ON CONFLICT (\"id\") DO UPDATE SET " + sets;
  s.merge = "INSERT INTO " + t.table + " AS t (" + cols + ") SELECT " + select + " FROM " +
            t.staging + " AS s" + conflict;
  s.merge_dedup = "INSERT INTO " + t.table + " AS t (" + cols + ") SELECT DISTINCT ON (s.\"id\") " +
                  select + " FROM " + t.staging + " AS s ORDER BY s.\"id\", s._ord DESC" + conflict;
  s.taken = "SELECT s.\"id\", t._source FROM " + t.staging + " AS s JOIN " + t.table +
            " AS t ON t.\"id\" = s.\"id\" WHERE NOT t._deleted AND t._source <> s._source AND "
            "NOT t._source = ANY (string_to_array($1::text, ',')) LIMIT 1";
  s.changes = "SELECT " + t.select_list + " FROM " + t.table +
              " AS t WHERE t._seq > $1::bigint ORDER BY t._seq";
  s.changes_limit = s.changes + " LIMIT $2::bigint";
  s.counts = "SELECT _deleted, count(*) FROM " + t.table + " GROUP BY _deleted";
  s.staging_ddl = StagingDdl(t);
  s.staging_copy = StagingCopySql(t);
  return s;
}

// A run's columns: id, source, started, finished, status, full_run (0 to 5), the counts
// (run_counts.h, from 6), warnings and error. Bound without the id: source is $1, the counts
// $6 on, warnings $kRunWarnings, error $kRunWarnings + 1.
constexpr int kRunCounts = 6;
constexpr int kRunWarnings = kRunCounts + kRunCountFieldCount;

std::string Placeholder(int n, std::string_view type) {
  return "$" + std::to_string(n) + "::" + std::string(type);
}

const std::string& RunColumns() {
  static const std::string kColumns = "id, source, started, finished, status, full_run, " +
                                      RunCountColumns() + ", warnings::text, error";
  return kColumns;
}

RunRecord ReadRun(const PGresult* r, int row) {
  RunRecord run;
  run.id = Int(r, row, 0);
  run.source = std::string(Bytes(r, row, 1));
  run.started = Int(r, row, 2);
  run.finished = Int(r, row, 3);
  run.status = std::string(Bytes(r, row, 4));
  run.full = Bool(r, row, 5);
  for (int i = 0; i < kRunCountFieldCount; ++i) {
    run.counts.*kRunCountFields[i].member = Int(r, row, kRunCounts + i);
  }
  if (!IsNull(r, row, kRunWarnings)) {
    rapidjson::Document doc;
    if (json::Parse(Bytes(r, row, kRunWarnings), doc).ok() && doc.IsArray()) {
      for (const auto& w : doc.GetArray()) {
        if (w.IsString()) run.warnings.emplace_back(w.GetString(), w.GetStringLength());
      }
    }
  }
  run.error = std::string(Bytes(r, row, kRunWarnings + 1));
  return run;
}

std::string WarningsJson(const std::vector<std::string>& warnings) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartArray();
  for (const std::string& s : warnings) {
    std::string safe = SafeText(s);
    w.String(safe.data(), static_cast<rapidjson::SizeType>(safe.size()));
  }
  w.EndArray();
  return std::string(buf.GetString(), buf.GetSize());
}

// The run columns from source ($1) to error ($kRunWarnings + 1).
void AddRunParams(Params& p, const RunRecord& r) {
  p.Text(SafeText(r.source)).Int(r.started).Int(r.finished).Text(SafeText(r.status)).Bool(r.full);
  for (const RunCountField& f : kRunCountFields) p.Int(r.counts.*f.member);
  if (r.warnings.empty()) {
    p.Null();
  } else {
    p.Text(WarningsJson(r.warnings));
  }
  if (r.error.empty()) {
    p.Null();
  } else {
    p.Text(SafeText(r.error));
  }
}

// The VALUES of AddRunParams' parameters.
const std::string& RunValues() {
  static const std::string kValues =
      "$1::text, $2::bigint, $3::bigint, $4::text, $5::boolean, " +
      JoinRunCounts([](std::string_view, int i) { return Placeholder(kRunCounts + i, "bigint"); }) +
      ", " + Placeholder(kRunWarnings, "jsonb") + ", " + Placeholder(kRunWarnings + 1, "text");
  return kValues;
}

// What the store, its views, writers and leases share. Kept alive by each of them.
struct Shared {
  std::shared_ptr<const Endpoint> endpoint;
  PostgresOptions options;  // options.clock is never null
  Schema schema;
  std::string schema_name;    // current_schema() of the store's connections
  std::vector<TableSql> sql;  // per schema table
  std::string staging_ddl;    // every staging table
  Pool pool;

  Shared(std::shared_ptr<const Endpoint> ep, PostgresOptions o, Schema s, std::string schema_nm)
      : endpoint(ep),
        options(o),
        schema(std::move(s)),
        schema_name(std::move(schema_nm)),
        pool(ep, o.pool_size, std::chrono::milliseconds(o.pool_wait_ms)) {
    if (!options.clock) options.clock = &core::SystemClock::Instance();
    for (const TableInfo& t : schema.tables()) {
      sql.push_back(BuildTableSql(t));
      staging_ddl += sql.back().staging_ddl + ";\n";
    }
  }

  const std::string& where() const { return endpoint->display; }

  Result<const TableInfo*> Table(const EntitySpec& entity) const {
    const TableInfo* t = schema.Find(entity);
    if (!t) {
      return Status::InvalidArgument("entity " + entity.set_name +
                                     " is not in the registry of store " + where() + " (it has " +
                                     schema.registry().SetNames() + ")");
    }
    return t;
  }

  // A pooled connection on which `start` succeeded. A connection taken from the idle ones may
  // have been closed by the server meanwhile: then one fresh connection is tried.
  template <typename Fn>
  Result<std::unique_ptr<Connection>> Start(std::string_view for_what, Fn start) {
    for (int attempt = 0;; ++attempt) {
      bool reused = false;
      MB_ASSIGN_OR_RETURN(std::unique_ptr<Connection> conn, pool.Acquire(for_what, &reused));
      Status s = start(*conn);
      if (s.ok()) return conn;
      bool retry = reused && conn->Broken() && attempt == 0;
      if (!conn->Broken() && PQtransactionStatus(conn->raw()) != PQTRANS_IDLE) {
        (void)conn->Exec("ROLLBACK", "rolling back");
      }
      pool.Release(std::move(conn));
      if (!retry) return s;
    }
  }
};

// Gives a connection back to the pool, rolling back whatever transaction it still has open.
void ReturnConnection(Shared& shared, std::unique_ptr<Connection> conn) {
  if (!conn) return;
  if (!conn->Broken() && PQtransactionStatus(conn->raw()) != PQTRANS_IDLE) {
    (void)conn->Exec("ROLLBACK", "rolling back");
  }
  shared.pool.Release(std::move(conn));
}

// ---------------------------------------------------------------------------------------------

class PgRunWriter final : public RunWriter {
 public:
  PgRunWriter(std::shared_ptr<Shared> shared, std::unique_ptr<Connection> conn, int64_t run_id,
              std::string source, core::EpochMs started, bool full)
      : shared_(std::move(shared)),
        conn_(std::move(conn)),
        run_id_(run_id),
        source_(std::move(source)),
        started_(started),
        full_(full),
        entities_(shared_->sql.size()) {}

  ~PgRunWriter() override { ReturnConnection(*shared_, std::move(conn_)); }

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
    MB_RETURN_IF_ERROR(CheckStorable(record));
    const model::Provenance& p = record.provenance;
    if (!Storable(p.source) || !Storable(p.source_id)) {
      return Status::InvalidArgument(t->entity->set_name + " record " + core::Quote(SafeText(id)) +
                                     ": its provenance holds a NUL character or bytes that are "
                                     "not UTF-8, which a PostgreSQL store cannot keep");
    }
    EntityState& es = entities_[t->index];
    // Unchanged? First by fingerprint (cheap: no serialization), then by the content hash,
    // both over what the source gave (before `updated` is defaulted).
    const Fingerprint fp = fingerprinter_.Of(record);
    MB_ASSIGN_OR_RETURN(Entry * e, Find(es, *t, id));
    bool live = e && !e->deleted;
    const std::string& source = p.source.empty() ? source_ : p.source;
    if (live && !e->ours && !MayWrite(e->owner, source)) {
      refused_owner_ = e->owner;
      return UpsertOutcome::kOwnedByOther;
    }
    if (live && e->has_fp && e->fp == fp) return UpsertOutcome::kUnchanged;
    content_.Clear();
    {
      rapidjson::Writer<rapidjson::StringBuffer> w(content_);
      w.StartObject();
      model::internal::WriteFields(record, w);
      w.EndObject();
    }
    std::string hash = hasher_.Hex(std::string_view(content_.GetString(), content_.GetSize()));
    std::optional<Sha1> sha = HexToSha1(hash);
    if (live && e->has_hash && sha && *sha == e->hash) return UpsertOutcome::kUnchanged;

    ++ord_;
    if (!live) es.created = true;
    es.copy.AddRecord(*t, record, started_, hash, fp, source,
                      p.fetched_at ? p.fetched_at : started_, p.run_id ? p.run_id : run_id_, ord_,
                      scratch_);
    UpsertOutcome outcome = live ? UpsertOutcome::kUpdated : UpsertOutcome::kCreated;
    Entry& entry = e ? *e : es.entries[id];
    if (entry.staged) es.dups = true;
    entry.staged = true;
    entry.deleted = false;
    entry.fp = fp;
    entry.has_fp = true;
    entry.has_hash = sha.has_value();
    if (sha) entry.hash = *sha;
    entry.ours = source == source_;
    entry.owner = entry.ours ? std::string() : source;
    MB_RETURN_IF_ERROR(MaybeFlush(es, *t));
    return outcome;
  }

  Result<bool> Delete(const EntitySpec& entity, std::string_view id) override {
    MB_RETURN_IF_ERROR(CheckOpen());
    MB_ASSIGN_OR_RETURN(const TableInfo* t, shared_->Table(entity));
    if (id.empty() || !Storable(id)) return false;  // no such record can be stored
    EntityState& es = entities_[t->index];
    MB_ASSIGN_OR_RETURN(Entry * e, Find(es, *t, std::string(id)));
    if (!e || e->deleted) return false;
    if (!e->ours && !MayWrite(e->owner, source_)) return false;
    ++ord_;
    es.copy.AddTombstone(*t, id, started_, source_, run_id_, ord_);
    if (e->staged) es.dups = true;
    e->staged = true;
    e->deleted = true;
    e->has_fp = false;
    e->has_hash = false;
    e->ours = true;
    e->owner.clear();
    MB_RETURN_IF_ERROR(MaybeFlush(es, *t));
    return true;
  }

  Result<std::vector<std::string>> LiveIds(const EntitySpec& entity) override {
    MB_RETURN_IF_ERROR(CheckOpen());
    MB_ASSIGN_OR_RETURN(const TableInfo* t, shared_->Table(entity));
    EntityState& es = entities_[t->index];
    if (!es.loaded) MB_RETURN_IF_ERROR(Load(es, *t));
    std::vector<std::string> ids;
    for (const auto& [id, e] : es.entries) {
      if (!e.deleted && e.ours) ids.push_back(id);
    }
    std::sort(ids.begin(), ids.end());  // byte order: COLLATE "C"
    return ids;
  }

  Status AddReject(const Reject& r) override {
    MB_RETURN_IF_ERROR(CheckOpen());
    Params p;
    p.Int(run_id_)
        .Text(source_)
        .Text(SafeText(r.entity))
        .Text(SafeText(r.record_id))
        .Text(SafeText(r.position))
        .Text(SafeText(r.field))
        .Text(SafeText(r.rule))
        .Text(SafeText(r.value))
        .Text(SafeText(r.message));
    return Run(conn_->QueryPrepared(
                   "INSERT INTO rejects (run_id, source, entity, record_id, position, field, rule, "
                   "value, message) VALUES ($1::bigint, $2::text, $3::text, $4::text, $5::text, "
                   "$6::text, $7::text, $8::text, $9::text)",
                   p, "recording a reject of run " + std::to_string(run_id_)))
        .status();
  }

  Status SetWatermark(std::string_view value) override {
    MB_RETURN_IF_ERROR(CheckOpen());
    if (!Storable(value)) {
      return Status::InvalidArgument("the watermark of " + source_ +
                                     " holds a NUL character or bytes that are not UTF-8, which "
                                     "a PostgreSQL store cannot keep");
    }
    watermark_ = std::string(value);
    return Status::Ok();
  }

  Status Commit(const RunRecord& summary) override {
    MB_RETURN_IF_ERROR(CheckOpen());
    const std::string run = "run " + std::to_string(run_id_) + " of " + source_;
    for (size_t i = 0; i < entities_.size(); ++i) {
      MB_RETURN_IF_ERROR(Flush(entities_[i], shared_->schema.tables()[i]));
    }
    RunRecord r = summary;
    r.id = run_id_;
    r.source = source_;
    r.started = started_;
    r.full = summary.full || full_;
    if (r.status.empty()) r.status = "ok";
    if (r.finished == 0) r.finished = shared_->options.clock->NowMs();
    {
      Params p;
      AddRunParams(p, r);
      p.Int(run_id_);
      static const std::string kUpdate =
          "UPDATE runs SET source = $1::text, started = $2::bigint, finished = $3::bigint, "
          "status = $4::text, full_run = $5::boolean, " +
          JoinRunCounts([](std::string_view name, int i) {
            return std::string(name) + " = " + Placeholder(kRunCounts + i, "bigint");
          }) +
          ", warnings = " + Placeholder(kRunWarnings, "jsonb") +
          ", error = " + Placeholder(kRunWarnings + 1, "text") +
          " WHERE id = " + Placeholder(kRunWarnings + 2, "bigint");
      MB_RETURN_IF_ERROR(Run(conn_->QueryPrepared(kUpdate, p, "recording " + run)).status());
    }
    if (watermark_) {
      MB_RETURN_IF_ERROR(
          Run(conn_->QueryPrepared(
                  "INSERT INTO watermarks (source, value, run_id, updated) VALUES ($1::text, "
                  "$2::text, $3::bigint, $4::bigint) ON CONFLICT (source) DO UPDATE SET value = "
                  "EXCLUDED.value, run_id = EXCLUDED.run_id, updated = EXCLUDED.updated",
                  Params().Text(source_).Text(*watermark_).Int(run_id_).Int(started_),
                  "setting the watermark of " + source_))
              .status());
    }
    if (ord_ > 0) {
      // The commit phase: under the change-sequence lock, held until COMMIT ends, read the
      // last number, give this run's writes the next ones in the order they were made, and
      // commit. Each statement of a READ COMMITTED transaction sees what was committed when it
      // started, so the sequence read after the lock includes the previous holder's numbers.
      MB_ASSIGN_OR_RETURN(
          ResultHandle seq,
          Run(conn_->Exec("SELECT pg_advisory_xact_lock(" + std::to_string(kLockSequence) + ", " +
                              std::to_string(LockKey(shared_->schema_name)) +
                              "); SELECT value FROM meta WHERE key = 'seq'",
                          "taking the change sequence for " + run)));
      std::optional<int64_t> base = TextInt(seq.get(), 0, 0);
      if (!base) {
        state_ = State::kFailed;
        return Status::Corruption("store " + shared_->where() +
                                  " has no seq in its meta table: restore it from a backup");
      }
      for (size_t i = 0; i < entities_.size(); ++i) {
        const EntityState& es = entities_[i];
        if (!es.staged_any) continue;
        const TableSql& sql = shared_->sql[i];
        if (es.created) MB_RETURN_IF_ERROR(CheckNotTaken(i, run));
        MB_RETURN_IF_ERROR(
            Run(conn_->QueryPrepared(
                    es.dups ? sql.merge_dedup : sql.merge, Params().Int(*base),
                    "writing the " + shared_->schema.tables()[i].entity->set_name + " of " + run))
                .status());
      }
      MB_RETURN_IF_ERROR(
          Run(conn_->QueryPrepared("UPDATE meta SET value = $1::bigint WHERE key = 'seq'",
                                   Params().Int(*base + ord_), "writing the change sequence"))
              .status());
    }
    Result<ResultHandle> committed = conn_->Exec("COMMIT", "committing " + run);
    if (!committed.ok()) {
      state_ = State::kFailed;
      if (conn_->Broken()) {
        return Status::Unavailable(committed.status().message() +
                                   " (the connection broke during COMMIT: the run may or may not "
                                   "have been committed; the next run of the source finds out)");
      }
      return committed.status();
    }
    state_ = State::kCommitted;
    return Status::Ok();
  }

 private:
  enum class State { kOpen, kCommitted, kFailed };

  // What the run knows of one stored row.
  struct Entry {
    Fingerprint fp{};
    Sha1 hash{};
    bool has_fp = false;
    bool has_hash = false;
    bool deleted = false;
    bool ours = false;    // its _source is the run's source
    bool staged = false;  // this run wrote it
    std::string owner;    // its _source when not ours
  };

  // What the run knows of one entity table.
  struct EntityState {
    bool loaded = false;  // every row of the run's source is in `entries`
    bool foreign = true;  // rows of other sources existed when loaded
    int64_t lookups = 0;  // point lookups so far
    // The other sources' ids when loaded (after many lookups that found nothing).
    std::unique_ptr<IdFilter> foreign_ids;
    int64_t misses = 0;  // point lookups that found nothing
    std::unordered_map<std::string, Entry> entries;
    CopyBuffer copy;          // staged writes not sent yet
    bool staged_any = false;  // rows were sent to the staging table
    bool dups = false;        // an id was staged twice
    bool created = false;     // a record was staged where no live row was known
  };

  // Whether a run writing for `source` may overwrite or delete a live row of `owner`.
  bool MayWrite(std::string_view owner, std::string_view source) const {
    return owner == source || owner == source_ ||
           std::find(shared_with_.begin(), shared_with_.end(), owner) != shared_with_.end();
  }

  // Under the change-sequence lock: no record this run creates was committed meanwhile by a
  // source it does not share with (the Upsert check saw no live row then). Such a run fails
  // with nothing written; its next run refuses the record as owned by that source.
  Status CheckNotTaken(size_t table, const std::string& run) {
    const TableInfo& t = shared_->schema.tables()[table];
    std::string allowed = source_;
    for (const std::string& s : shared_with_) allowed += "," + s;
    MB_ASSIGN_OR_RETURN(
        ResultHandle r,
        Run(conn_->QueryPrepared(shared_->sql[table].taken, Params().Text(allowed),
                                 "checking the owners of the " + t.entity->set_name + " of " + run)));
    if (PQntuples(r.get()) == 0) return Status::Ok();
    state_ = State::kFailed;
    const std::string id(Bytes(r.get(), 0, 0)), owner(Bytes(r.get(), 0, 1));
    return Status::FailedPrecondition(
        t.entity->set_name + " " + core::Quote(id) + ": source '" + owner +
        "' committed it while " + run +
        " was open, and it now belongs to that source: nothing of this run was committed. Run "
        "it again: the record is then refused (rule owned-by-other-source), unless the sources "
        "share the entity (share-with=\"" +
        owner + "\" on source '" + source_ + "')");
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

  // A statement's result; any server error ends the run (PostgreSQL aborts the transaction).
  template <typename T>
  Result<T> Run(Result<T> r) {
    if (!r.ok()) state_ = State::kFailed;
    return r;
  }
  Status Run(Status s) {
    if (!s.ok()) state_ = State::kFailed;
    return s;
  }

  // The row of `id` as this run knows it: from the run's cache, else (all rows of the source
  // being cached and no other source having rows) absent, else a point lookup.
  Result<Entry*> Find(EntityState& es, const TableInfo& t, const std::string& id) {
    auto it = es.entries.find(id);
    if (it != es.entries.end()) return &it->second;
    if (!es.loaded && ++es.lookups > kLoadAfterLookups) {
      MB_RETURN_IF_ERROR(Load(es, t));
      it = es.entries.find(id);
      if (it != es.entries.end()) return &it->second;
    }
    if (es.loaded && !es.foreign) return nullptr;
    if (es.loaded && !es.foreign_ids && es.misses > kLoadAfterLookups) {
      MB_RETURN_IF_ERROR(LoadForeignIds(es, t));
    }
    if (es.foreign_ids && !es.foreign_ids->MayContain(id)) return nullptr;
    MB_ASSIGN_OR_RETURN(
        ResultHandle r,
        Run(conn_->QueryPrepared(shared_->sql[t.index].state, Params().Text(id),
                                 "reading " + t.entity->set_name + " " + core::Quote(id))));
    if (PQntuples(r.get()) == 0) {
      ++es.misses;
      return nullptr;
    }
    Entry e = EntryOf(r.get(), 0, 0);
    e.ours = Bytes(r.get(), 0, 3) == source_;
    if (!e.ours) e.owner = std::string(Bytes(r.get(), 0, 3));
    return &es.entries.emplace(id, e).first->second;
  }

  // Reads _deleted, _fp, _hash from columns first .. first+2.
  static Entry EntryOf(const PGresult* r, int row, int first) {
    Entry e;
    e.deleted = Bool(r, row, first);
    std::string_view fp = Bytes(r, row, first + 1);
    if (!IsNull(r, row, first + 1) && fp.size() == e.fp.size()) {
      std::memcpy(e.fp.data(), fp.data(), fp.size());
      e.has_fp = true;
    }
    if (!IsNull(r, row, first + 2)) {
      if (auto h = HexToSha1(Bytes(r, row, first + 2))) {
        e.hash = *h;
        e.has_hash = true;
      }
    }
    return e;
  }

  // Caches every row of the run's source (what this run already wrote stays as it is).
  Status Load(EntityState& es, const TableInfo& t) {
    const TableSql& sql = shared_->sql[t.index];
    std::string what = "reading the state of the " + t.entity->set_name + " of " + source_;
    MB_ASSIGN_OR_RETURN(ResultHandle r,
                        Run(conn_->QueryPrepared(sql.source_state, Params().Text(source_), what)));
    int n = PQntuples(r.get());
    es.entries.reserve(es.entries.size() + static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
      Entry e = EntryOf(r.get(), i, 1);
      e.ours = true;
      es.entries.emplace(std::string(Bytes(r.get(), i, 0)), e);
    }
    MB_ASSIGN_OR_RETURN(ResultHandle f,
                        Run(conn_->QueryPrepared(sql.foreign, Params().Text(source_), what)));
    es.foreign = PQntuples(f.get()) == 0 || Bool(f.get(), 0, 0);
    es.loaded = true;
    return Status::Ok();
  }

  // A filter of the ids other sources have in the table: new records then need no lookup.
  // Rows other runs commit later are not in it: their ids, if this run writes them too, are
  // merged at commit like any update (the outcome then says created).
  Status LoadForeignIds(EntityState& es, const TableInfo& t) {
    MB_ASSIGN_OR_RETURN(
        ResultHandle r,
        Run(conn_->QueryPrepared(shared_->sql[t.index].foreign_ids, Params().Text(source_),
                                 "reading the ids of the other sources' " + t.entity->set_name)));
    int n = PQntuples(r.get());
    es.foreign_ids = std::make_unique<IdFilter>(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) es.foreign_ids->Add(Bytes(r.get(), i, 0));
    return Status::Ok();
  }

  Status MaybeFlush(EntityState& es, const TableInfo& t) {
    return es.copy.size() >= kCopyFlushBytes ? Flush(es, t) : Status::Ok();
  }

  Status Flush(EntityState& es, const TableInfo& t) {
    if (es.copy.empty()) return Status::Ok();
    if (!conn_->staging_ready) {
      // Created once per connection, outside any run it may serve later, would be better;
      // inside this transaction they would vanish on a rollback, so BeginRun creates them.
      return Status::Internal("store " + shared_->where() + ": staging tables missing");
    }
    Status s = conn_->CopyIn(shared_->sql[t.index].staging_copy, es.copy.Framed(),
                             "staging the " + t.entity->set_name + " of run " +
                                 std::to_string(run_id_) + " of " + source_);
    es.copy.Clear();
    MB_RETURN_IF_ERROR(Run(s));
    es.staged_any = true;
    return Status::Ok();
  }

  std::shared_ptr<Shared> shared_;
  std::unique_ptr<Connection> conn_;
  int64_t run_id_;
  std::string source_;
  core::EpochMs started_;
  bool full_;
  int64_t ord_ = 0;  // writes staged so far: the last one's position in the run
  std::vector<std::string> shared_with_;
  std::string refused_owner_;
  State state_ = State::kOpen;
  std::vector<EntityState> entities_;  // per schema table
  std::optional<std::string> watermark_;
  core::Hasher hasher_;
  Fingerprinter fingerprinter_;
  rapidjson::StringBuffer content_;  // the record's content JSON
  rapidjson::StringBuffer scratch_;  // jsonb column values
};

// ---------------------------------------------------------------------------------------------

class PgReadView final : public ReadView {
 public:
  PgReadView(std::shared_ptr<Shared> shared, std::unique_ptr<Connection> conn, int64_t max_seq)
      : shared_(std::move(shared)), conn_(std::move(conn)), max_seq_(max_seq) {}

  ~PgReadView() override { ReturnConnection(*shared_, std::move(conn_)); }

  Result<int64_t> MaxSeq() override { return max_seq_; }

  Result<std::optional<Record>> Get(const EntitySpec& entity, std::string_view id) override {
    MB_RETURN_IF_ERROR(CheckUsable());
    MB_ASSIGN_OR_RETURN(const TableInfo* t, shared_->Table(entity));
    if (!Storable(id)) return std::optional<Record>();  // no such record can be stored
    MB_ASSIGN_OR_RETURN(ResultHandle r, Check(conn_->QueryPrepared(
                                            shared_->sql[t->index].get, Params().Text(id),
                                            "reading " + entity.set_name + " " + core::Quote(id))));
    if (PQntuples(r.get()) == 0) return std::optional<Record>();
    MB_ASSIGN_OR_RETURN(Record rec, ReadRecord(r.get(), 0, *t));
    return std::optional<Record>(std::move(rec));
  }

  Status Scan(const Query& query, const std::function<Status(const Record&)>& fn) override {
    MB_RETURN_IF_ERROR(CheckUsable());
    if (!query.entity) return Status::InvalidArgument("a query without an entity");
    MB_ASSIGN_OR_RETURN(const TableInfo* t, shared_->Table(*query.entity));
    MB_ASSIGN_OR_RETURN(CompiledSql c, CompileSelect(*t, query));
    std::string what = "querying " + t->entity->set_name;
    if (query.limit >= 0 && query.limit <= kDirectRows) {
      MB_ASSIGN_OR_RETURN(ResultHandle r, Check(conn_->Query(c.sql, c.params, what)));
      for (int i = 0; i < PQntuples(r.get()); ++i) {
        MB_ASSIGN_OR_RETURN(Record rec, ReadRecord(r.get(), i, *t));
        MB_RETURN_IF_ERROR(fn(rec));
      }
      return Status::Ok();
    }
    MB_ASSIGN_OR_RETURN(std::string cursor, Declare(c.sql, c.params, what));
    Status s = [&]() -> Status {
      for (;;) {
        MB_ASSIGN_OR_RETURN(ResultHandle r, Fetch(cursor, what));
        int n = PQntuples(r.get());
        for (int i = 0; i < n; ++i) {
          MB_ASSIGN_OR_RETURN(Record rec, ReadRecord(r.get(), i, *t));
          MB_RETURN_IF_ERROR(fn(rec));
        }
        if (n < kFetchRows) return Status::Ok();
      }
    }();
    Close(cursor);
    return s;
  }

  Result<int64_t> Count(const Query& query) override {
    MB_RETURN_IF_ERROR(CheckUsable());
    if (!query.entity) return Status::InvalidArgument("a query without an entity");
    MB_ASSIGN_OR_RETURN(const TableInfo* t, shared_->Table(*query.entity));
    MB_ASSIGN_OR_RETURN(CompiledSql c, CompileCount(*t, query));
    MB_ASSIGN_OR_RETURN(ResultHandle r,
                        Check(conn_->Query(c.sql, c.params, "counting " + t->entity->set_name)));
    return Int(r.get(), 0, 0);
  }

  Status ScanChanges(const EntitySpec* entity, int64_t since, int64_t limit,
                     const std::function<Status(const Change&)>& fn) override {
    MB_RETURN_IF_ERROR(CheckUsable());
    std::vector<const TableInfo*> tables;
    if (entity) {
      MB_ASSIGN_OR_RETURN(const TableInfo* t, shared_->Table(*entity));
      tables.push_back(t);
    } else {
      for (const TableInfo& t : shared_->schema.tables()) tables.push_back(&t);
    }
    // A k-way merge of one seq-ordered stream per table: changes in global seq order. With a
    // small limit each stream is one query of at most `limit` rows; otherwise a cursor.
    const bool direct = limit >= 0 && limit <= kDirectRows;
    struct Stream {
      const TableInfo* table;
      std::string cursor;  // "" when direct
      ResultHandle rows;
      int row = 0;
      bool done = false;
    };
    std::vector<Stream> streams;
    Status s = [&]() -> Status {
      for (const TableInfo* t : tables) {
        Stream st{t, "", nullptr};
        const TableSql& sql = shared_->sql[t->index];
        std::string what = "reading the changes of " + t->entity->set_name;
        if (direct) {
          MB_ASSIGN_OR_RETURN(
              st.rows,
              Check(conn_->QueryPrepared(sql.changes_limit, Params().Int(since).Int(limit), what)));
          st.done = true;  // no more rows after these
        } else {
          MB_ASSIGN_OR_RETURN(st.cursor, Declare(sql.changes, Params().Int(since), what));
          streams.push_back(std::move(st));  // closed below even when the fetch fails
          Stream& back = streams.back();
          MB_ASSIGN_OR_RETURN(back.rows, Fetch(back.cursor, what));
          back.done = PQntuples(back.rows.get()) < kFetchRows;
          continue;
        }
        streams.push_back(std::move(st));
      }
      int64_t emitted = 0;
      while (limit < 0 || emitted < limit) {
        Stream* next = nullptr;
        int64_t next_seq = 0;
        for (Stream& st : streams) {
          if (st.row >= PQntuples(st.rows.get())) {
            if (st.done) continue;
            MB_ASSIGN_OR_RETURN(
                st.rows, Fetch(st.cursor, "reading the changes of " + st.table->entity->set_name));
            st.row = 0;
            st.done = PQntuples(st.rows.get()) < kFetchRows;
            if (PQntuples(st.rows.get()) == 0) continue;
          }
          int64_t seq = Int(st.rows.get(), st.row, st.table->book_offset + kBookSeq);
          if (!next || seq < next_seq) {
            next = &st;
            next_seq = seq;
          }
        }
        if (!next) break;
        const TableInfo& t = *next->table;
        const PGresult* r = next->rows.get();
        Change change;
        change.entity = t.entity;
        change.id = std::string(Bytes(r, next->row, EntitySpec::kIdField));
        change.seq = next_seq;
        change.deleted = Bool(r, next->row, t.book_offset + kBookDeleted);
        if (change.deleted) {
          change.deleted_at = Int(r, next->row, EntitySpec::kUpdatedField);
        } else {
          MB_ASSIGN_OR_RETURN(Record rec, ReadRecord(r, next->row, t));
          change.record = std::move(rec);
        }
        ++next->row;
        MB_RETURN_IF_ERROR(fn(change));
        ++emitted;
      }
      return Status::Ok();
    }();
    for (const Stream& st : streams) {
      if (!st.cursor.empty()) Close(st.cursor);
    }
    return s;
  }

  Result<int64_t> OldestTrackedSeq() override {
    MB_RETURN_IF_ERROR(CheckUsable());
    MB_ASSIGN_OR_RETURN(ResultHandle r, Check(conn_->QueryPrepared(
                                            "SELECT value FROM meta WHERE key = 'purged_seq'",
                                            Params(), "reading the meta table")));
    if (PQntuples(r.get()) == 0) {
      return Status::Corruption("store " + shared_->where() +
                                " has no purged_seq in its meta table: restore it from a backup");
    }
    return Int(r.get(), 0, 0);
  }

  Result<std::vector<std::pair<std::string, int64_t>>> CountBy(const EntitySpec& entity,
                                                               int field) override {
    MB_RETURN_IF_ERROR(CheckUsable());
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
        sql = "SELECT " + col + ", count(*) FROM " + t->table + " AS t WHERE NOT t._deleted AND " +
              col + " IS NOT NULL GROUP BY 1 ORDER BY 1";
        break;
      case FieldType::kStringList:
        sql = "SELECT j.v COLLATE \"C\", count(DISTINCT t.\"id\") FROM " + t->table +
              " AS t, jsonb_array_elements_text(" + col +
              ") AS j(v) WHERE NOT t._deleted GROUP BY 1 ORDER BY 1";
        break;
      default:
        return Status::InvalidArgument("cannot count " + entity.set_name + " per " + f.name + " (" +
                                       model::FieldTypeName(f.type) +
                                       "): counts need a string, term, date, bool or int field or "
                                       "a list of strings");
    }
    MB_ASSIGN_OR_RETURN(ResultHandle r,
                        Check(conn_->QueryPrepared(
                            sql, Params(), "counting " + entity.set_name + " per " + f.name)));
    std::vector<std::pair<std::string, int64_t>> out;
    for (int i = 0; i < PQntuples(r.get()); ++i) {
      std::string key;
      switch (f.type) {
        case FieldType::kBool:
          key = Bool(r.get(), i, 0) ? "true" : "false";
          break;
        case FieldType::kInt:
          key = std::to_string(Int(r.get(), i, 0));
          break;
        case FieldType::kDate: {
          auto d = DateFromPg(Int(r.get(), i, 0));
          key = d ? core::FormatDate(*d) : "";
          break;
        }
        default:
          key = std::string(Bytes(r.get(), i, 0));
          break;
      }
      out.emplace_back(std::move(key), Int(r.get(), i, 1));
    }
    return out;
  }

  Result<std::vector<RunRecord>> Runs(std::string_view source, int64_t limit) override {
    MB_RETURN_IF_ERROR(CheckUsable());
    std::string sql = "SELECT " + RunColumns() + " FROM runs" +
                      (source.empty() ? " WHERE $1::text = ''" : " WHERE source = $1::text") +
                      " ORDER BY id DESC LIMIT $2::bigint";
    if (!Storable(source)) return std::vector<RunRecord>();
    Params p;
    p.Text(source);
    if (limit < 0) {
      p.Null();
    } else {
      p.Int(limit);
    }
    MB_ASSIGN_OR_RETURN(ResultHandle r, Check(conn_->QueryPrepared(sql, p, "reading runs")));
    std::vector<RunRecord> out;
    for (int i = 0; i < PQntuples(r.get()); ++i) out.push_back(ReadRun(r.get(), i));
    return out;
  }

  Result<std::optional<RunRecord>> Run(int64_t run_id) override {
    MB_RETURN_IF_ERROR(CheckUsable());
    MB_ASSIGN_OR_RETURN(
        ResultHandle r,
        Check(conn_->QueryPrepared("SELECT " + RunColumns() + " FROM runs WHERE id = $1::bigint",
                                   Params().Int(run_id), "reading run " + std::to_string(run_id))));
    if (PQntuples(r.get()) == 0) return std::optional<RunRecord>();
    return std::optional<RunRecord>(ReadRun(r.get(), 0));
  }

  Result<std::vector<Reject>> Rejects(int64_t run_id, int64_t limit) override {
    MB_RETURN_IF_ERROR(CheckUsable());
    Params p;
    p.Int(run_id);
    if (limit < 0) {
      p.Null();
    } else {
      p.Int(limit);
    }
    MB_ASSIGN_OR_RETURN(
        ResultHandle r,
        Check(conn_->QueryPrepared(
            "SELECT run_id, source, entity, record_id, position, field, rule, value, message FROM "
            "rejects WHERE run_id = $1::bigint ORDER BY id LIMIT $2::bigint",
            p, "reading the rejects of run " + std::to_string(run_id))));
    std::vector<Reject> out;
    for (int i = 0; i < PQntuples(r.get()); ++i) {
      Reject rej;
      rej.run_id = Int(r.get(), i, 0);
      rej.source = std::string(Bytes(r.get(), i, 1));
      rej.entity = std::string(Bytes(r.get(), i, 2));
      rej.record_id = std::string(Bytes(r.get(), i, 3));
      rej.position = std::string(Bytes(r.get(), i, 4));
      rej.field = std::string(Bytes(r.get(), i, 5));
      rej.rule = std::string(Bytes(r.get(), i, 6));
      rej.value = std::string(Bytes(r.get(), i, 7));
      rej.message = std::string(Bytes(r.get(), i, 8));
      out.push_back(std::move(rej));
    }
    return out;
  }

  Result<std::optional<std::string>> Watermark(std::string_view source) override {
    MB_RETURN_IF_ERROR(CheckUsable());
    if (!Storable(source)) return std::optional<std::string>();
    MB_ASSIGN_OR_RETURN(ResultHandle r, Check(conn_->QueryPrepared(
                                            "SELECT value FROM watermarks WHERE source = $1::text",
                                            Params().Text(source),
                                            "reading the watermark of " + std::string(source))));
    if (PQntuples(r.get()) == 0) return std::optional<std::string>();
    return std::optional<std::string>(std::string(Bytes(r.get(), 0, 0)));
  }

  Result<StoreInfo> Info() {
    MB_RETURN_IF_ERROR(CheckUsable());
    StoreInfo info;
    info.backend = "postgresql";
    info.location = shared_->where();
    MB_ASSIGN_OR_RETURN(ResultHandle v, Check(conn_->QueryPrepared(
                                            "SELECT value FROM meta WHERE key = 'schema_version'",
                                            Params(), "reading the schema version")));
    info.schema_version = PQntuples(v.get()) ? static_cast<int>(Int(v.get(), 0, 0)) : 0;
    info.max_seq = max_seq_;
    for (const TableInfo& t : shared_->schema.tables()) {
      MB_ASSIGN_OR_RETURN(ResultHandle r,
                          Check(conn_->QueryPrepared(shared_->sql[t.index].counts, Params(),
                                                     "counting " + t.entity->set_name)));
      int64_t live = 0;
      int64_t dead = 0;
      for (int i = 0; i < PQntuples(r.get()); ++i) {
        if (Bool(r.get(), i, 0)) {
          dead += Int(r.get(), i, 1);
        } else {
          live += Int(r.get(), i, 1);
        }
      }
      info.live_records.emplace_back(t.entity->set_name, live);
      info.tombstones_by_entity.emplace_back(t.entity->set_name, dead);
      info.tombstones += dead;
    }
    MB_ASSIGN_OR_RETURN(ResultHandle n, Check(conn_->QueryPrepared("SELECT count(*) FROM runs",
                                                                   Params(), "counting runs")));
    info.runs = Int(n.get(), 0, 0);
    return info;
  }

 private:
  Status CheckUsable() const {
    if (failed_) {
      return Status::FailedPrecondition("store " + shared_->where() +
                                        ": this read view failed earlier (" + failure_ +
                                        "); open a new one");
    }
    return Status::Ok();
  }

  // A failed statement aborts the view's transaction: later reads through it fail fast.
  template <typename T>
  Result<T> Check(Result<T> r) {
    if (!r.ok() && !failed_) {
      failed_ = true;
      failure_ = r.status().message();
    }
    return r;
  }

  Result<std::string> Declare(const std::string& sql, const Params& params, std::string_view what) {
    std::string name = "mb_c" + std::to_string(++cursors_);
    MB_ASSIGN_OR_RETURN(
        ResultHandle r,
        Check(conn_->Query("DECLARE " + name + " NO SCROLL CURSOR FOR " + sql, params, what)));
    return name;
  }

  Result<ResultHandle> Fetch(const std::string& cursor, std::string_view what) {
    return Check(
        conn_->Query("FETCH " + std::to_string(kFetchRows) + " FROM " + cursor, Params(), what));
  }

  void Close(const std::string& cursor) {
    if (!failed_) (void)Check(conn_->Exec("CLOSE " + cursor, "closing a cursor"));
  }

  std::shared_ptr<Shared> shared_;
  std::unique_ptr<Connection> conn_;
  int64_t max_seq_;
  int64_t cursors_ = 0;
  bool failed_ = false;
  std::string failure_;
};

// ---------------------------------------------------------------------------------------------

class PgLease final : public SourceLease {
 public:
  PgLease(std::shared_ptr<Shared> shared, std::unique_ptr<Connection> conn, std::string source,
          std::string node, int64_t ttl_ms, int32_t key, int64_t taken)
      : shared_(std::move(shared)),
        source_(std::move(source)),
        node_(std::move(node)),
        ttl_(ttl_ms),
        key_(key) {
    auto s = state_.lock();
    s->conn = std::move(conn);
    s->deadline = taken + ttl_.count();
  }

  ~PgLease() override {
    auto s = state_.lock();
    ReleaseLocked(*s);
  }

  const std::string& source() const override { return source_; }
  const std::string& node_id() const override { return node_; }

  Status Renew() override {
    auto s = state_.lock();
    if (!s->conn) {
      return Status::FailedPrecondition("the lease of " + node_ + " on source " +
                                        core::Quote(source_) + " was lost earlier: " + s->lost);
    }
    int64_t start = shared_->options.clock->MonotonicMs();
    if (start > s->deadline) {
      s->lost = "it was not renewed within " + std::to_string(ttl_.count()) +
                " ms, so another node may hold the source now";
      ReleaseLocked(*s);
      return Status::FailedPrecondition("the lease of " + node_ + " on source " +
                                        core::Quote(source_) + " expired: " + s->lost +
                                        "; stop the run");
    }
    // Any statement resets the server's idle_session_timeout; one that succeeds also proves
    // that the session, and so the lock, is still there.
    Result<ResultHandle> r = s->conn->Exec("SELECT 1", "renewing the lease on " + source_);
    if (!r.ok()) {
      s->lost = r.status().message();
      ReleaseLocked(*s);
      return Status::FailedPrecondition("the lease of " + node_ + " on source " +
                                        core::Quote(source_) + " is lost: " + s->lost +
                                        "; stop the run");
    }
    s->deadline = start + ttl_.count();
    return Status::Ok();
  }

 private:
  struct State {
    std::unique_ptr<Connection> conn;  // null once released or lost
    int64_t deadline = 0;              // options.clock->MonotonicMs()
    std::string lost;
  };

  void ReleaseLocked(State& s) {
    if (!s.conn) return;
    // Unlock explicitly: closing alone releases the lock too, but only once the server has
    // noticed, a moment later.
    if (!s.conn->Broken()) {
      (void)s.conn->Query("SELECT pg_advisory_unlock($1::int, $2::int)",
                          Params().Int(kLockLease).Int(key_), "releasing a lease");
    }
    s.conn.reset();
  }

  std::shared_ptr<Shared> shared_;
  std::string source_;
  std::string node_;
  std::chrono::milliseconds ttl_;
  int32_t key_;
  LockGuarded<State> state_;
};

// ---------------------------------------------------------------------------------------------

class PgStore final : public Store {
 public:
  explicit PgStore(std::shared_ptr<Shared> shared) : shared_(std::move(shared)) {}

  Result<std::unique_ptr<ReadView>> Read() override {
    MB_ASSIGN_OR_RETURN(auto view, OpenView());
    return std::unique_ptr<ReadView>(std::move(view));
  }

  Result<std::unique_ptr<RunWriter>> BeginRun(std::string_view source, core::EpochMs started,
                                              bool full) override {
    if (source.empty()) return Status::InvalidArgument("a run needs a source name");
    if (!Storable(source)) {
      return Status::InvalidArgument("source name " + core::Quote(SafeText(source)) +
                                     " holds a NUL character or bytes that are not UTF-8");
    }
    const std::string src(source);
    const std::string what = "a run of " + core::Quote(source);
    const int timeout_ms = std::max(1, shared_->options.begin_run_timeout_ms);
    int64_t run_id = 0;
    MB_ASSIGN_OR_RETURN(
        std::unique_ptr<Connection> conn, shared_->Start(what, [&](Connection& c) -> Status {
          if (!c.staging_ready) {
            MB_ASSIGN_OR_RETURN(ResultHandle r,
                                c.Exec(shared_->staging_ddl, "creating the staging tables"));
            c.staging_ready = true;
          }
          // Runs of one source wait for each other, up to the timeout.
          Result<ResultHandle> locked =
              c.Exec("BEGIN; SET LOCAL lock_timeout = " + std::to_string(timeout_ms) +
                         "; SELECT pg_advisory_xact_lock(" + std::to_string(kLockRun) + ", " +
                         std::to_string(SourceLockKey(shared_->schema_name, src)) +
                         "); SET LOCAL lock_timeout = 0",
                     "starting " + what);
          if (!locked.ok()) {
            if (locked.status().code() == Status::Code::kUnavailable && !c.Broken()) {
              return Status::Unavailable("store " + shared_->where() + ": cannot start " + what +
                                         ": another run of this source holds it (waited " +
                                         std::to_string(timeout_ms) +
                                         " ms); retry when its run ends");
            }
            return locked.status();
          }
          MB_ASSIGN_OR_RETURN(
              ResultHandle r,
              c.QueryPrepared("INSERT INTO runs (source, started, status, full_run) VALUES "
                              "($1::text, $2::bigint, 'running', $3::boolean) RETURNING id",
                              Params().Text(src).Int(started).Bool(full),
                              "recording a new run of " + src));
          run_id = Int(r.get(), 0, 0);
          return Status::Ok();
        }));
    return std::unique_ptr<RunWriter>(
        std::make_unique<PgRunWriter>(shared_, std::move(conn), run_id, src, started, full));
  }

  Result<int64_t> RecordFailedRun(const RunRecord& run) override {
    std::string what = "recording a failed run of " + core::Quote(SafeText(run.source));
    RunRecord r = run;
    if (r.status.empty() || r.status == "ok") r.status = "failed";
    if (r.finished == 0) r.finished = shared_->options.clock->NowMs();
    int64_t id = 0;
    MB_ASSIGN_OR_RETURN(
        std::unique_ptr<Connection> conn, shared_->Start(what, [&](Connection& c) -> Status {
          MB_ASSIGN_OR_RETURN(ResultHandle begin, c.Exec("BEGIN", what));
          // The failed run keeps its id when it had one that is still free (the id its log
          // lines carried while the rolled-back run was open).
          bool keep_id = false;
          if (r.id > 0) {
            MB_ASSIGN_OR_RETURN(ResultHandle q,
                                c.QueryPrepared("SELECT 1 FROM runs WHERE id = $1::bigint",
                                                Params().Int(r.id), what));
            keep_id = PQntuples(q.get()) == 0;
          }
          Params p;
          AddRunParams(p, r);
          std::string sql = "INSERT INTO runs (source, started, finished, status, full_run, " +
                            RunCountColumns() + ", warnings, error";
          if (keep_id) {
            p.Int(r.id);
            sql += ", id) VALUES (" + RunValues() + ", " + Placeholder(kRunWarnings + 2, "bigint") +
                   ") RETURNING id";
          } else {
            sql += ") VALUES (" + RunValues() + ") RETURNING id";
          }
          MB_ASSIGN_OR_RETURN(ResultHandle ins, c.QueryPrepared(sql, p, what));
          id = Int(ins.get(), 0, 0);
          MB_ASSIGN_OR_RETURN(ResultHandle commit, c.Exec("COMMIT", what));
          return Status::Ok();
        }));
    shared_->pool.Release(std::move(conn));
    return id;
  }

  Result<StoreInfo> Info() override {
    MB_ASSIGN_OR_RETURN(auto view, OpenView());
    return view->Info();
  }

  Result<std::unique_ptr<SourceLease>> TryLeaseSource(std::string_view source,
                                                      std::string_view node_id,
                                                      int64_t ttl_ms) override {
    if (source.empty() || !Storable(source)) {
      return Status::InvalidArgument("a lease needs a source name (UTF-8, without NUL)");
    }
    if (ttl_ms < 100) {
      return Status::InvalidArgument("a lease on " + core::Quote(source) +
                                     " needs a ttl of at "
                                     "least 100 ms, not " +
                                     std::to_string(ttl_ms));
    }
    ConnectionSettings settings;
    // Shown in pg_stat_activity: who holds which source (PostgreSQL keeps 63 bytes).
    std::string app = "meabridge lease " + SafeText(source) + " @ " + SafeText(node_id);
    if (app.size() > 63) {
      size_t cut = 63;
      while (cut > 0 && (static_cast<unsigned char>(app[cut]) & 0xC0) == 0x80) --cut;
      app.resize(cut);
    }
    settings.application_name = app;
    const std::string ttl = std::to_string(ttl_ms);
    settings.forced = {{"application_name", app},
                       // A holder cut off by the network notices within the ttl.
                       {"tcp_user_timeout", ttl},
                       {"keepalives", "1"},
                       {"keepalives_idle", std::to_string(std::max<int64_t>(1, ttl_ms / 3000))},
                       {"keepalives_interval", "1"},
                       {"keepalives_count", "3"}};
    // The server ends the session, and so releases the lock, when the holder stays silent
    // longer than the ttl (a holder that hangs or lost the network).
    settings.session_sql = "SET idle_session_timeout = " + ttl;
    const int64_t taken = shared_->options.clock->MonotonicMs();
    MB_ASSIGN_OR_RETURN(std::unique_ptr<Connection> conn,
                        Connection::Open(shared_->endpoint, settings));
    const int32_t key = SourceLockKey(shared_->schema_name, source);
    MB_ASSIGN_OR_RETURN(ResultHandle r, conn->Query("SELECT pg_try_advisory_lock($1::int, $2::int)",
                                                    Params().Int(kLockLease).Int(key),
                                                    "taking the lease on " + std::string(source)));
    if (!Bool(r.get(), 0, 0)) return std::unique_ptr<SourceLease>();
    return std::unique_ptr<SourceLease>(std::make_unique<PgLease>(
        shared_, std::move(conn), std::string(source), std::string(node_id), ttl_ms, key, taken));
  }

 private:
  Result<std::unique_ptr<PgReadView>> OpenView() {
    int64_t max_seq = 0;
    MB_ASSIGN_OR_RETURN(
        std::unique_ptr<Connection> conn,
        shared_->Start("a read view", [&](Connection& c) -> Status {
          // The first query of a REPEATABLE READ transaction fixes its snapshot.
          MB_ASSIGN_OR_RETURN(ResultHandle r,
                              c.Exec("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY; SELECT "
                                     "value FROM meta WHERE key = 'seq'",
                                     "opening a read view"));
          std::optional<int64_t> seq = TextInt(r.get(), 0, 0);
          if (!seq) {
            return Status::Corruption("store " + shared_->where() +
                                      " has no seq in its meta table: restore it from a backup");
          }
          max_seq = *seq;
          return Status::Ok();
        }));
    return std::make_unique<PgReadView>(shared_, std::move(conn), max_seq);
  }

  std::shared_ptr<Shared> shared_;
};

}  // namespace

Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& location,
                                                 const PostgresOptions& options) {
  MB_ASSIGN_OR_RETURN(Endpoint parsed, ParseLocation(location));
  auto endpoint = std::make_shared<const Endpoint>(std::move(parsed));
  PostgresOptions o = options;
  if (o.pool_size == 0) o.pool_size = endpoint->pool_size;
  const model::Registry& registry = o.registry ? *o.registry : model::Registry::Default();
  MB_ASSIGN_OR_RETURN(Schema schema, Schema::Build(registry));
  MB_ASSIGN_OR_RETURN(std::unique_ptr<Connection> conn, Connection::Open(endpoint));
  int version = conn->server_version();
  if (version < 140000) {
    return Status::FailedPrecondition(
        "store " + endpoint->display + ": the server runs PostgreSQL " +
        std::to_string(version / 10000) + "." + std::to_string(version % 10000) +
        "; meabridge needs PostgreSQL 14 or newer (idle_session_timeout for leases): upgrade "
        "the server or use an SQLite store");
  }
  MB_ASSIGN_OR_RETURN(std::string schema_name, CurrentSchema(*conn));
  MB_RETURN_IF_ERROR(Migrate(*conn, schema, Migrations()));
  conn.reset();
  auto shared = std::make_shared<Shared>(endpoint, o, std::move(schema), std::move(schema_name));
  return std::unique_ptr<Store>(std::make_unique<PgStore>(std::move(shared)));
}

}  // namespace meabridge::store::postgres
