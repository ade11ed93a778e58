// A real PostgreSQL server for the tests of one binary (and for bench/store_bench): Debian's
// server binaries (/usr/lib/postgresql/<version>/bin, or $MEABRIDGE_PG_BINDIR) run initdb in a
// fresh folder under $TMPDIR and pg_ctl start on 127.0.0.1 and a free port, tuned to start fast
// (fsync off, small shared_buffers). initdb and pg_ctl refuse to run as root, so when the tests
// run as root (CI) every server process runs as `nobody`, in a folder that user owns.
//
// The database's default collation is ICU "en-US" (when the server has ICU), so that a query
// relying on the default collation instead of COLLATE "C" shows up as a wrong order.
//
// One server per process, started on first use (PostgresServer::Shared). It is stopped by
// StopShared (the PostgresEnvironment below calls it after the last test), and, whatever
// happens to the test process (a crash, SIGKILL), by a watchdog started with it: a shell in a
// session of its own that waits for the test process's end (EOF on a pipe) and then stops the
// server and removes its folder.
//
// When the server binaries are missing, Shared() answers nullptr with a message saying what to
// install: PostgreSQL tests fail with it (they are never skipped silently).
//
// Thread-safe. Depends on POSIX and the standard library only (bench/store_bench.cc compiles
// this file into itself).
#pragma once

#include <sys/types.h>
#include <string>

namespace meabridge::testing {

class PostgresServer {
 public:
  struct Options {
    // fsync, synchronous_commit and full_page_writes on, 256 MB shared_buffers: what a
    // production server does, for benchmarks. Tests leave it off (fast start, fast commits).
    bool durable = false;
  };
  // Options for the shared server; only before its first use.
  static void Configure(const Options& options);

  // The server of this process, started on first call; nullptr (with *error set) when it
  // cannot be started. Later calls answer the same.
  static PostgresServer* Shared(std::string* error);
  // Stops the shared server if it was started.
  static void StopShared();

  const std::string& host() const { return host_; }
  int port() const { return port_; }
  const std::string& user() const { return user_; }          // a superuser
  const std::string& password() const { return password_; }  // of that user
  const std::string& bindir() const { return bindir_; }
  const std::string& dir() const { return dir_; }  // data in dir()/data, log in dir()/postgres.log

  // postgresql://USER:PASSWORD@127.0.0.1:PORT/DATABASE[?QUERY]
  std::string Url(const std::string& database = "postgres", const std::string& query = "") const;

  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

 private:
  PostgresServer() = default;
  bool Start(const Options& options, std::string* error);
  void Stop();

  std::string bindir_;
  std::string dir_;
  std::string host_ = "127.0.0.1";
  int port_ = 0;
  std::string user_ = "meabridge";
  std::string password_;
  uid_t uid_ = 0;  // the user the server runs as
  gid_t gid_ = 0;
  bool drop_privileges_ = false;
  int watchdog_fd_ = -1;  // write end of the watchdog's pipe
  pid_t watchdog_pid_ = -1;
};

}  // namespace meabridge::testing

#ifndef MEABRIDGE_POSTGRES_SERVER_NO_GTEST
#include <gtest/gtest.h>

namespace meabridge::testing {

// Register once per test binary that uses the server:
//   const auto* const kPg = ::testing::AddGlobalTestEnvironment(new PostgresEnvironment);
// The server starts on first use (tests filtered to SQLite only never start it) and stops
// after the last test.
class PostgresEnvironment : public ::testing::Environment {
 public:
  void TearDown() override { PostgresServer::StopShared(); }
};

}  // namespace meabridge::testing
#endif
