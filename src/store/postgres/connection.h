// One libpq connection of the PostgreSQL store, the pool that keeps them, the bound parameters
// of a statement, the decoding of binary result values, and the mapping of PostgreSQL errors to
// Status values that name the store (without its password), say what failed and what to do.
//
// Uses libpq directly rather than Poco::Data::PostgreSQL (which stays for `sql` sources): the
// store needs control over each session's transactions (READ COMMITTED runs that take an
// advisory lock at commit, REPEATABLE READ read views, session-level advisory locks for leases
// that must stay on one connection), prepared statements cached per connection, binary result
// values (no text round trip for integers, doubles, dates, jsonb), and COPY ... FROM STDIN in
// binary format to stage a run's writes (store/postgres/postgres_store.cc). Poco::Data's
// session layer hides or lacks each of these.
//
// Threads: a Connection is used by one thread at a time (the pool hands each connection to one
// read view or one run at a time). A Pool is thread-safe.
#pragma once

#include <libpq-fe.h>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/status.h"
#include "store/lock_guarded.h"
#include "store/postgres/location.h"

namespace meabridge::store::postgres {

struct ConnCloser {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};
struct ResultClearer {
  void operator()(PGresult* result) const { PQclear(result); }
};
using ConnHandle = std::unique_ptr<PGconn, ConnCloser>;
using ResultHandle = std::unique_ptr<PGresult, ResultClearer>;

// The parameters of one statement, sent in text format (the SQL casts each one: $1::bigint).
class Params {
 public:
  Params& Null();
  Params& Text(std::string_view text);
  Params& Int(int64_t value);
  Params& Double(double value);  // exact: 17 significant digits, Infinity, NaN
  Params& Bool(bool value);

  int size() const { return static_cast<int>(values_.size()); }
  // Pointers for libpq, valid until the next change of this object.
  const char* const* Values() const;

 private:
  std::vector<std::string> values_;
  std::vector<bool> null_;
  mutable std::vector<const char*> pointers_;
};

struct ConnectionSettings {
  std::string application_name = "meabridge";  // shown in pg_stat_activity
  // Extra libpq keywords that override the location's (for lease connections).
  std::vector<std::pair<std::string, std::string>> forced;
  // Statements run once after connecting ("SET idle_session_timeout = 3000").
  std::string session_sql;
};

class Connection {
 public:
  // Connects; Unavailable when the server cannot be reached, FailedPrecondition when it
  // refuses the login or the database does not exist (with what to check).
  static Result<std::unique_ptr<Connection>> Open(std::shared_ptr<const Endpoint> endpoint,
                                                  const ConnectionSettings& settings = {});

  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  PGconn* raw() const { return conn_.get(); }
  const Endpoint& endpoint() const { return *endpoint_; }
  // The server's version as PQserverVersion reports it (150018 for 15.18).
  int server_version() const { return PQserverVersion(conn_.get()); }
  // Connected and outside any transaction: fit to go back to the pool.
  bool Reusable() const;
  bool Broken() const { return PQstatus(conn_.get()) != CONNECTION_OK; }

  // Runs SQL through the simple protocol (one or more statements, no parameters); returns the
  // last statement's result, in text format.
  Result<ResultHandle> Exec(std::string_view sql, std::string_view what);
  // One statement with parameters; results in binary format.
  Result<ResultHandle> Query(const std::string& sql, const Params& params, std::string_view what);
  // As Query, through a statement prepared on this connection the first time `sql` is seen
  // (for the store's fixed SQL: a bounded set).
  Result<ResultHandle> QueryPrepared(const std::string& sql, const Params& params,
                                     std::string_view what);
  // COPY ... FROM STDIN with `data` as the whole stream.
  Status CopyIn(const std::string& copy_sql, std::string_view data, std::string_view what);

  // The Status for a failed `result` (or, when null, the connection's last error) while doing
  // `what`.
  Status Error(const PGresult* result, std::string_view what) const;

  // Per-connection state of the store: the temporary staging tables of a run exist.
  bool staging_ready = false;

 private:
  Connection(std::shared_ptr<const Endpoint> endpoint, ConnHandle conn)
      : endpoint_(std::move(endpoint)), conn_(std::move(conn)) {}

  Result<ResultHandle> Check(PGresult* raw, std::string_view what) const;

  std::shared_ptr<const Endpoint> endpoint_;
  ConnHandle conn_;
  std::unordered_map<std::string, std::string> prepared_;  // sql -> statement name
};

// The Status for a PostgreSQL error with SQLSTATE `sqlstate` and message `message` (already
// scrubbed of the password) while doing `what` on the store `display`.
Status PgStatus(std::string_view display, std::string_view sqlstate, std::string_view message,
                std::string_view what, bool connection_lost);

// Connections for read views and runs: at most `max` open at once; idle ones are kept for the
// next caller. Acquire waits up to `wait` for a connection to come back when all are in use,
// then answers Unavailable. Thread-safe.
class Pool {
 public:
  Pool(std::shared_ptr<const Endpoint> endpoint, size_t max, std::chrono::milliseconds wait);
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // A connection, and whether it was taken from the idle ones (it may then have been closed
  // by the server since: callers retry once with a fresh one when its first statement fails on
  // a broken connection).
  Result<std::unique_ptr<Connection>> Acquire(std::string_view for_what, bool* reused = nullptr);
  // Gives a connection back: kept when reusable, closed otherwise.
  void Release(std::unique_ptr<Connection> conn);
  // Forgets a connection that will not come back (closed by its user).
  void Discard(std::unique_ptr<Connection> conn);

  size_t max() const { return max_; }

 private:
  struct State {
    std::vector<std::unique_ptr<Connection>> idle;
    size_t open = 0;  // idle + in use
  };

  std::shared_ptr<const Endpoint> endpoint_;
  size_t max_;
  std::chrono::milliseconds wait_;
  std::condition_variable cv_;
  LockGuarded<State> state_;
};

// --- binary result values -------------------------------------------------------------------

inline bool IsNull(const PGresult* r, int row, int col) { return PQgetisnull(r, row, col) != 0; }
inline std::string_view Bytes(const PGresult* r, int row, int col) {
  return std::string_view(PQgetvalue(r, row, col), static_cast<size_t>(PQgetlength(r, row, col)));
}
// int2, int4 or int8 in binary format; 0 for anything else.
int64_t Int(const PGresult* r, int row, int col);
bool Bool(const PGresult* r, int row, int col);
double Float8(const PGresult* r, int row, int col);
// An integer in a text-format result (simple protocol); nullopt when it is none.
std::optional<int64_t> TextInt(const PGresult* r, int row, int col);

}  // namespace meabridge::store::postgres
