// The PostgreSQL store: the backend of store::Store for deployments where several meabridge
// nodes share one database (semantics in store/store.h, layout in store/postgres/schema.h,
// docs/store.md "PostgreSQL"). Written with libpq directly (store/postgres/connection.h says
// why not Poco::Data).
//
// How a run works, and why the change sequence never hides a change from a delta reader:
//  - BeginRun takes a pooled connection, opens a READ COMMITTED transaction, takes the
//    transaction-level advisory lock of the run's source (runs of one source wait for each
//    other, up to `begin_run_timeout_ms`; runs of different sources proceed side by side), and
//    inserts the run's row.
//  - Upsert and Delete decide the outcome against a cache of the source's rows (id, fingerprint,
//    content hash, tombstone flag), loaded with one query when the run first needs it (LiveIds,
//    or after a few hundred point lookups), or against a point lookup; an unchanged record costs
//    no round trip. Writes are appended, in call order, to a binary COPY stream into a temporary
//    staging table; nothing touches the entity tables before Commit.
//  - Commit writes the run row, rejects and watermark, then, when the run wrote anything, takes
//    the change-sequence advisory lock (a transaction-level lock: held until COMMIT ends), reads
//    the last sequence number S, merges every staging table into its entity table in one
//    INSERT ... ON CONFLICT per table giving each write the number S + its position in the run,
//    sets the last number, and COMMITs while still holding the lock. So runs take their numbers
//    in the order they commit, and a transaction never becomes visible with numbers below ones a
//    reader has already seen: a reader that saw MaxSeq = M and later reads "seq > M" misses
//    nothing. Runs that wrote nothing never take the lock.
//  - Destroying a writer without Commit, or killing its process, rolls everything back: the
//    entity tables were never touched.
//  - Read views hold a pooled connection in a REPEATABLE READ READ ONLY transaction: one
//    snapshot per view. Large scans stream through server-side cursors.
//
// Threads: the Store is thread-safe. A ReadView or RunWriter is used by one thread at a time;
// both keep the store's internals alive, so they may outlive the Store object. A SourceLease is
// thread-safe.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "core/clock.h"
#include "core/status.h"
#include "model/registry.h"
#include "store/store.h"

namespace meabridge::store::postgres {

struct PostgresOptions {
  // Connections kept for read views and runs; 0: the location's pool_size (default 10).
  size_t pool_size = 0;
  // How long Read, BeginRun and RecordFailedRun wait for a pooled connection when all are in
  // use, before answering Unavailable.
  int pool_wait_ms = 30000;
  // How long BeginRun waits for another run of the same source (in any process or node)
  // before answering Unavailable.
  int begin_run_timeout_ms = 30000;
  // The registry the tables are derived from; nullptr: model::Registry::Default(). It must
  // outlive the store, its views and writers.
  const model::Registry* registry = nullptr;
  // The clock of run times (a run's `finished`) and of the holder's side of lease deadlines
  // (the server's idle_session_timeout keeps real time); nullptr: core::SystemClock. It must
  // outlive the store, its views, writers and leases.
  const core::Clock* clock = nullptr;
};

// Opens the store at a postgresql:// (or postgres://) location, creating its tables when the
// schema is empty and migrating them (store/postgres/schema.h). Errors name the location
// without its password and say what to do: Unavailable when the server cannot be reached,
// FailedPrecondition when it refuses the login, lacks a privilege, is older than PostgreSQL
// 14, holds another application's tables or a store written by a newer meabridge.
Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& location,
                                                 const PostgresOptions& options = {});

}  // namespace meabridge::store::postgres
