// The Store: where canonical records live, with change tracking, harvest runs, rejects and
// watermarks. SQLite (store/sqlite/) is the embedded default; PostgreSQL carries shared
// deployments. Every backend passes the contract suite in tests/store/store_contract_test.cc.
//
// Semantics (DESIGN.md, "Store semantics"):
//  - Records are keyed by (entity, id). Upsert computes a content hash over the record's
//    canonical JSON; an unchanged record writes nothing, a new or changed one takes the next
//    global change sequence number (strictly increasing across all entities).
//  - Delete leaves a tombstone carrying its own sequence number; an upsert of a tombstoned id
//    brings the record back with a new number.
//  - All writes of one harvest run, its rejects, its watermark and its run record commit in one
//    transaction (RunWriter::Commit). Readers see the previous run or the whole new one.
//  - When a record has no `updated` value, the store sets it to the run's start time whenever
//    the record is created or changed.
//  - Ownership: a live record belongs to the source that wrote it last. A run does not
//    overwrite or delete another source's live record unless it shares with that source
//    (RunWriter::ShareWith; the configuration's share-with): Upsert answers kOwnedByOther
//    and writes nothing. A tombstone belongs to nobody: any source may bring the id back.
//    The check is made inside the run's write transaction; a record another source commits
//    while the run is open (PostgreSQL) makes Commit fail with nothing written.
//
//  - Source leases (TryLeaseSource) let several processes or nodes sharing one store agree
//    that each source is harvested by one of them at a time; see SourceLease.
//
// Threads: a Store is thread-safe. A ReadView or RunWriter is used by one thread at a time.
// At most one RunWriter is open per store at a time in SQLite (BeginRun waits for the other);
// PostgreSQL runs writers of different sources side by side (runs of one source wait for each
// other). A SourceLease is thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "model/record.h"
#include "store/query.h"

namespace meabridge::store {

// One record that did not make it, and why. Positions are a JSON pointer, an XPath, or
// "line N" of a CSV/SQL row.
struct Reject {
  int64_t run_id = 0;  // set by the store
  std::string source;  // set by the store
  std::string entity;
  std::string record_id;  // when known
  std::string position;
  std::string field;
  std::string rule;
  std::string value;
  std::string message;
};

struct RunCounts {
  int64_t fetched = 0;
  int64_t created = 0;
  int64_t updated = 0;
  int64_t unchanged = 0;
  int64_t deleted = 0;
  int64_t rejected = 0;
  int64_t pages = 0;
  int64_t bytes = 0;
};

// A harvest run as recorded in the runs table.
struct RunRecord {
  int64_t id = 0;
  std::string source;
  core::EpochMs started = 0;
  core::EpochMs finished = 0;
  std::string status;  // "ok", "failed", "aborted" (guard tripped / shutdown)
  bool full = false;   // a full reconciliation
  RunCounts counts;
  std::vector<std::string> warnings;
  std::string error;
};

// kOwnedByOther: the live record belongs to another source this run does not share with;
// nothing was written (RunWriter::refused_owner() names that source).
enum class UpsertOutcome { kCreated, kUpdated, kUnchanged, kOwnedByOther };

// A stored record as a change: the record itself, or a tombstone.
struct Change {
  const model::EntitySpec* entity = nullptr;
  std::string id;
  int64_t seq = 0;
  bool deleted = false;
  std::optional<model::Record> record;  // absent for tombstones
  // Tombstones: when the store recorded the deletion (the deleting run's start time), for
  // RFC 6721's `when`. 0 for records.
  core::EpochMs deleted_at = 0;
};

// One open write transaction for one run of one source. Destroying it without a successful
// Commit rolls everything back.
class RunWriter {
 public:
  virtual ~RunWriter() = default;

  virtual int64_t run_id() const = 0;

  // The other sources whose live records this run may overwrite and delete (see Ownership
  // above). Call before the first write; the default is none.
  virtual void ShareWith(std::vector<std::string> sources) = 0;

  // After Upsert answered kOwnedByOther: the source the refused record belongs to.
  virtual const std::string& refused_owner() const = 0;

  // Stores the record. Provenance fields left empty are filled from the run (source, run id,
  // fetched-at = run start); the content hash is always computed here.
  virtual Result<UpsertOutcome> Upsert(const model::Record& record) = 0;

  // Tombstones (entity, id). True when a live record was deleted; false when there was none,
  // it was already deleted, or it belongs to another source this run does not share with
  // (nothing written then).
  virtual Result<bool> Delete(const model::EntitySpec& entity, std::string_view id) = 0;

  // Ids of the live records of `entity` last written by this run's source, sorted.
  virtual Result<std::vector<std::string>> LiveIds(const model::EntitySpec& entity) = 0;

  virtual Status AddReject(const Reject& reject) = 0;

  // The source's watermark (server time at the start of the run, or its cursor).
  virtual Status SetWatermark(std::string_view value) = 0;

  // Commits data, rejects, watermark and `summary` (its id and source are taken from the run)
  // in one transaction.
  virtual Status Commit(const RunRecord& summary) = 0;
};

// One consistent snapshot of the store: every read through one view sees the same committed
// state, whatever commits meanwhile.
class ReadView {
 public:
  virtual ~ReadView() = default;

  // The highest change sequence number visible in this snapshot (0 for an empty store).
  virtual Result<int64_t> MaxSeq() = 0;

  // A live record; nullopt when absent or deleted.
  virtual Result<std::optional<model::Record>> Get(const model::EntitySpec& entity,
                                                   std::string_view id) = 0;

  // Calls `fn` for every live record matching `query`, in order; stops early (and returns
  // that status) when `fn` returns a non-ok status. Streams: memory does not grow with the
  // number of records.
  virtual Status Scan(const Query& query,
                      const std::function<Status(const model::Record&)>& fn) = 0;
  // Live records matching the query's filter (limit/offset/after ignored).
  virtual Result<int64_t> Count(const Query& query) = 0;

  // Changes (records and tombstones) with seq > `since`, in seq order, at most `limit`
  // (-1: all); `entity` nullptr means every entity.
  virtual Status ScanChanges(const model::EntitySpec* entity, int64_t since, int64_t limit,
                             const std::function<Status(const Change&)>& fn) = 0;
  // The lowest sequence number a delta link may still start from (tombstones older than it
  // were purged); 0 while nothing was ever purged.
  virtual Result<int64_t> OldestTrackedSeq() = 0;

  // Live records per value of `field` (a term or string field), e.g. per treaty.
  virtual Result<std::vector<std::pair<std::string, int64_t>>> CountBy(
      const model::EntitySpec& entity, int field) = 0;

  // The newest runs first; `source` "" means every source.
  virtual Result<std::vector<RunRecord>> Runs(std::string_view source, int64_t limit) = 0;
  virtual Result<std::optional<RunRecord>> Run(int64_t run_id) = 0;
  virtual Result<std::vector<Reject>> Rejects(int64_t run_id, int64_t limit) = 0;
  virtual Result<std::optional<std::string>> Watermark(std::string_view source) = 0;
};

// What `meabridge status` prints about the store itself.
struct StoreInfo {
  std::string backend;   // "sqlite", "postgresql"
  std::string location;  // path or connection string without password
  int schema_version = 0;
  int64_t max_seq = 0;
  std::vector<std::pair<std::string, int64_t>> live_records;  // per entity set
  std::vector<std::pair<std::string, int64_t>> tombstones_by_entity;  // per entity set
  int64_t tombstones = 0;  // the sum of tombstones_by_entity
  int64_t runs = 0;
};

// A lease on one source: while it is held, no other holder (thread, process or node using the
// same store) obtains a lease on that source. It ends when the object is destroyed, when its
// holder dies (process killed, node lost: the backend notices without the holder's help), or
// when it is not renewed within its ttl. It survives nothing but its holder.
//
//   SQLite      an exclusive flock(2) on `<store file>-leases/<source>.lock`: released by the
//               kernel when the holder's process ends, however it ends. The ttl is checked by
//               the holder (Renew after it fails); another process cannot break a live
//               holder's lock, as every holder runs on the same machine.
//   PostgreSQL  a session-level advisory lock on a connection of its own, with the server's
//               idle_session_timeout set to the ttl: the server releases it when the holder's
//               connection ends (process killed, node gone) or stays idle longer than the ttl
//               (a holder that stopped renewing). docs/store.md lists the lock ids.
//
// The daemon takes a lease before a run, renews it at least every ttl/3 while the run lasts,
// and stops the run (rolls it back) when Renew fails. Thread-safe: a timer thread may renew
// while the harvesting thread works.
class SourceLease {
 public:
  virtual ~SourceLease() = default;  // releases the lease

  virtual const std::string& source() const = 0;
  virtual const std::string& node_id() const = 0;

  // Extends the lease to `ttl_ms` from now. Not ok when the lease is lost (the ttl passed
  // since the last renewal, or the connection that holds it broke): the holder no longer owns
  // the source and must stop its run at once; the lease object then holds nothing.
  virtual Status Renew() = 0;
};

// `location` as it may be shown in messages, logs and status pages: a postgresql:// URL
// without its password (user info and `password=` parameters); other locations unchanged.
std::string RedactStoreLocation(std::string_view location);

class Store {
 public:
  virtual ~Store() = default;

  virtual Result<std::unique_ptr<ReadView>> Read() = 0;

  // Opens the write transaction of a run of `source` starting at `started`.
  virtual Result<std::unique_ptr<RunWriter>> BeginRun(std::string_view source,
                                                      core::EpochMs started, bool full) = 0;

  // Records a run that failed or was aborted: its run record only (no data, no watermark).
  // Returns the run id.
  virtual Result<int64_t> RecordFailedRun(const RunRecord& run) = 0;

  virtual Result<StoreInfo> Info() = 0;

  // A lease on `source` for `node_id` (a name for the holder: shown in lease files and in
  // PostgreSQL's pg_stat_activity), valid `ttl_ms` until renewed. nullptr (an ok Result) when
  // another holder has the source; an error status when the store cannot tell.
  // REQUIRES: source not empty, ttl_ms >= 100.
  // The default answers Unimplemented (a store without coordination).
  virtual Result<std::unique_ptr<SourceLease>> TryLeaseSource(std::string_view source,
                                                              std::string_view node_id,
                                                              int64_t ttl_ms);
};

// Opens the store named by `location`: "sqlite:PATH", a plain PATH (SQLite), or a
// "postgresql://" URL. Creates it when absent and applies schema migrations; refuses a store
// written by a newer meabridge.
Result<std::unique_ptr<Store>> OpenStore(const std::string& location);

}  // namespace meabridge::store
