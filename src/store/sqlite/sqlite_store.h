// The SQLite store: the embedded default backend of store::Store (semantics in store/store.h,
// file layout in store/sqlite/schema.h and docs/store.md).
//
// One file in WAL mode with synchronous=FULL: a run's commit costs one fsync of the WAL and
// survives power loss; readers never block the writer, and the writer never blocks readers.
// Written with the sqlite3 C API directly (see store/sqlite/connection.h for why not
// Poco::Data).
//
// Threads: the Store is thread-safe. It keeps one writer connection, handed to one RunWriter
// (or RecordFailedRun) at a time: BeginRun waits up to `begin_run_timeout_ms` for the writer
// of this process, then SQLite's busy handler waits up to the same bound for a writer in
// another process (BEGIN IMMEDIATE), and answers Unavailable after that. Read views take a
// connection from a pool (a new one when the pool is empty) and hold one read transaction
// for their lifetime. A ReadView or RunWriter is used by one thread at a time; both keep the
// store's internals alive, so they may outlive the Store object.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "core/clock.h"
#include "core/status.h"
#include "model/registry.h"
#include "store/backend_registry.h"
#include "store/store.h"

namespace meabridge::store::sqlite {

struct SqliteOptions {
  // How long reads and the statements of a run wait for a lock held by another connection.
  int busy_timeout_ms = 5000;
  // How long BeginRun and RecordFailedRun wait for the writer (of this process, then of any
  // other) before answering Unavailable.
  int begin_run_timeout_ms = 30000;
  // Idle read connections kept for the next ReadView.
  size_t max_idle_readers = 8;
  // The registry the tables are derived from; nullptr: model::Registry::Default(). It must
  // outlive the store, its views and writers.
  const model::Registry* registry = nullptr;
  // The clock of run times (a run's `finished`) and lease deadlines; nullptr:
  // core::SystemClock. It must outlive the store, its views, writers and leases.
  const core::Clock* clock = nullptr;
};

// Opens (creating when absent) the store file at `path` and migrates it (store/sqlite/schema.h).
// Errors name the file and say what to do: IoError when it cannot be created or written,
// FailedPrecondition when it is not a meabridge store or was written by a newer meabridge.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path,
                                               const SqliteOptions& options = {});

// Claims "sqlite:PATH" and plain paths.
void Register(BackendRegistry& registry);

}  // namespace meabridge::store::sqlite
