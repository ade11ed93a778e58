// A real MariaDB server for the tests of one binary (and for bench/toolkit_bench): Debian's
// mariadb-server binaries (mariadb-install-db and mariadbd in /usr/bin and /usr/sbin, or
// $MEABRIDGE_MARIADB_BINDIR) initialise a fresh data folder under $TMPDIR and serve it on
// 127.0.0.1 and a free port, tuned to start fast (no binary log, small buffer pool, no flush
// at commit). As root (CI) the server runs as root (mariadbd --user=root), in a folder of its
// own.
//
// The server's own time zone is +01:00 (--default-time-zone): a view that writes
// FROM_UNIXTIME(...) answers in server-local time unless the session says otherwise, which is
// what the toolkit's views meet in production; meabridge's sql source sets its session to UTC.
//
// Start-up waits for mariadbd's own readiness notice (sd_notify READY=1 on a socket of ours,
// NOTIFY_SOCKET), not for a timer. One server per process, started on first use
// (MariadbServer::Shared), stopped by StopShared (MariadbEnvironment after the last test) and,
// whatever happens to the test process, by a watchdog (a shell in its own session that waits
// for EOF on a pipe, then stops the server and removes its folder).
//
// When the binaries are missing, Shared() answers nullptr with *missing set and a message
// saying what to install: the MariaDB tests are then skipped with that message (the only
// server the suite skips for: Debian's mariadb-server is not on every developer machine;
// scripts/setup.sh installs it, so CI always runs them).
//
// Thread-safe. Depends on POSIX and the standard library only.
#pragma once

#include <sys/types.h>

#include <string>

namespace meabridge::testing {

class MariadbServer {
 public:
  // The server of this process, started on first call; nullptr (with *error set, and *missing
  // when the binaries are absent) when it cannot be started. Later calls answer the same.
  static MariadbServer* Shared(std::string* error, bool* missing = nullptr);
  static void StopShared();

  const std::string& host() const { return host_; }
  int port() const { return port_; }
  const std::string& user() const { return user_; }  // may create databases
  const std::string& password() const { return password_; }
  const std::string& dir() const { return dir_; }  // data in dir()/data, log in dir()/error.log
  // The client (mariadb) and its arguments to reach the server as root over its socket.
  std::string client() const { return client_; }
  std::string socket() const { return dir_ + "/mysqld.sock"; }

  // Runs `sql` as root through the client; false with *error set.
  bool Admin(const std::string& sql, std::string* error) const;

  MariadbServer(const MariadbServer&) = delete;
  MariadbServer& operator=(const MariadbServer&) = delete;

 private:
  MariadbServer() = default;
  bool Start(std::string* error, bool* missing);
  void Stop();

  std::string dir_;
  std::string host_ = "127.0.0.1";
  int port_ = 0;
  std::string user_ = "meabridge";
  std::string password_;
  std::string client_;
  pid_t server_pid_ = -1;
  int watchdog_fd_ = -1;
  pid_t watchdog_pid_ = -1;
};

}  // namespace meabridge::testing

#ifndef MEABRIDGE_MARIADB_SERVER_NO_GTEST
#include <gtest/gtest.h>

namespace meabridge::testing {

// Register once per test binary that uses the server (support/sql_servers.cc does).
class MariadbEnvironment : public ::testing::Environment {
 public:
  void TearDown() override { MariadbServer::StopShared(); }
};

}  // namespace meabridge::testing
#endif
