// One SQLite connection of the store: the sqlite3 handle, its pragmas, a cache of prepared
// statements, and the mapping of SQLite result codes to Status values that name the store
// file and say what to do.
//
// Uses the sqlite3 C API directly rather than Poco::Data: the upsert path runs a million
// statements per harvest and needs cached prepared statements with no per-call allocation,
// and the store must control WAL, BEGIN IMMEDIATE and the busy handler itself, which
// Poco::Data's session layer hides.
//
// Threads: a Connection is used by one thread at a time (it is opened SQLITE_OPEN_NOMUTEX;
// the store hands each connection to one writer or one read view at a time).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "core/status.h"

namespace meabridge::store::sqlite {

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using DbHandle = std::unique_ptr<sqlite3, DbCloser>;
using StmtHandle = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

// A value bound to a statement parameter.
using Param = std::variant<std::monostate, int64_t, double, std::string>;

struct ConnectionOptions {
  bool create = false;     // create the file when absent
  bool read_only = false;  // PRAGMA query_only: this connection never writes
  int busy_timeout_ms = 5000;
  int cache_size_kib = 16384;  // page cache of this connection
};

class Connection {
 public:
  // Opens `path` and applies the per-connection pragmas (busy_timeout, foreign_keys,
  // cache_size, temp_store; query_only for readers). The journal mode (WAL) and
  // synchronous=FULL are set by the store when it opens the file.
  static Result<std::unique_ptr<Connection>> Open(const std::string& path,
                                                  const ConnectionOptions& options);

  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  sqlite3* db() const { return db_.get(); }
  const std::string& path() const { return path_; }

  // Runs SQL without parameters (one or more statements).
  Status Exec(std::string_view sql);

  // A prepared statement for `sql`, cached for the connection's lifetime: for the fixed SQL
  // of the store (a bounded set). The caller resets it when done (StmtScope does).
  Result<sqlite3_stmt*> Prepare(const std::string& sql);

  // A statement for SQL built per request (queries): owned by the caller, taken from a small
  // cache of recently used ones or freshly prepared. Give it back with Recycle.
  Result<StmtHandle> Take(const std::string& sql);
  // Resets `stmt` and keeps it for the next Take of `sql` (the oldest kept one goes when more
  // than kRecycled are kept).
  void Recycle(std::string sql, StmtHandle stmt);
  static constexpr size_t kRecycled = 64;

  // The Status for SQLite result code `rc` while doing `what` ("reading Contacts"): names the
  // store file, carries SQLite's message, and says what to do.
  Status Error(int rc, std::string_view what) const;

  // Resets every cached statement (before COMMIT/ROLLBACK, so none stays active).
  void ResetAll();

 private:
  Connection(std::string path, DbHandle db) : path_(std::move(path)), db_(std::move(db)) {}

  std::string path_;
  // Statements are declared after the handle so that they are finalized first.
  DbHandle db_;
  std::unordered_map<std::string, StmtHandle> statements_;
  std::deque<std::pair<std::string, StmtHandle>> recycled_;  // newest at the back
};

// A statement taken with Connection::Take, recycled when it leaves scope.
class LeasedStmt {
 public:
  LeasedStmt(Connection* conn, std::string sql, StmtHandle stmt)
      : conn_(conn), sql_(std::move(sql)), stmt_(std::move(stmt)) {}
  ~LeasedStmt() { conn_->Recycle(std::move(sql_), std::move(stmt_)); }
  LeasedStmt(const LeasedStmt&) = delete;
  LeasedStmt& operator=(const LeasedStmt&) = delete;
  sqlite3_stmt* get() const { return stmt_.get(); }

 private:
  Connection* conn_;
  std::string sql_;
  StmtHandle stmt_;
};

// The Status for result code `rc` on `path`, for callers without a Connection.
// `system_errno` is sqlite3_system_errno() of the handle (0 when unknown): SQLite reports a
// write that failed with ENOSPC as a plain I/O error (SQLITE_IOERR_WRITE, _SHMSIZE ...), and
// the errno is what says the disk is full.
Status SqliteStatus(int rc, const std::string& path, std::string_view what,
                    std::string_view sqlite_message, int system_errno = 0);

// Resets and clears a statement when it leaves scope, so that no statement stays active
// between calls (an active statement would keep a read transaction or block COMMIT).
class StmtScope {
 public:
  explicit StmtScope(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~StmtScope() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  StmtScope(const StmtScope&) = delete;
  StmtScope& operator=(const StmtScope&) = delete;
  sqlite3_stmt* get() const { return stmt_; }

 private:
  sqlite3_stmt* stmt_;
};

// Binds `param` to parameter `index` (1-based); strings are copied (SQLITE_TRANSIENT).
// Return SQLite result codes.
int BindParam(sqlite3_stmt* stmt, int index, const Param& param);
int BindText(sqlite3_stmt* stmt, int index, std::string_view text);  // SQLITE_TRANSIENT
// Binds params[i] to ?(i+1).
int BindAll(sqlite3_stmt* stmt, const std::vector<Param>& params);

// Column accessors that never return a null pointer.
std::string ColumnText(sqlite3_stmt* stmt, int col);
std::string_view ColumnTextView(sqlite3_stmt* stmt, int col);  // valid until the next step

}  // namespace meabridge::store::sqlite
