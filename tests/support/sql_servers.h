// One database of each sql source driver for the tests that read the secretariat's own
// database (tests/harvest/toolkit_sql_test.cc, bench/toolkit_bench.sh): a SQLite file in the
// test's folder, a fresh database on this binary's PostgreSQL server (support/postgres_server.h)
// or on its MariaDB server (support/mariadb_server.h). Statements are written in MySQL's dialect
// (what the InforMEA toolkit's views are written in) and translated for the others:
// `backticks` become "double quotes", longtext text, datetime timestamp (PostgreSQL), tinyint
// smallint.
//
// A binary that uses this file links Poco::Data and its connectors (meabridge_harvest does).
// When a server cannot start, Create answers nullptr with a message saying what to install:
// tests fail with it, they are never skipped silently (only MariaDB, whose binaries the
// machine may lack, answers "skip: ..." for GTEST_SKIP; see Create).
//
// Thread-compatible: one per test.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace Poco::Data {
class Session;
}

namespace meabridge::testing {

class SqlDatabase {
 public:
  // The drivers a contract suite runs over: sqlite, postgresql, mysql.
  static std::vector<std::string> Drivers();
  // A fresh, empty database of `driver` (the SQLite file in `dir`); nullptr with *error set
  // when it cannot be made. *skip is set (and *error says why) when the driver's server
  // binaries are absent from this machine and the test should be skipped.
  static std::unique_ptr<SqlDatabase> Create(const std::string& driver, const std::string& dir,
                                             std::string* error, bool* skip = nullptr);
  ~SqlDatabase();

  const std::string& driver() const { return driver_; }
  // The connection as a source's `connection` attribute writes it.
  const std::string& connection() const { return connection_; }
  // Runs one statement (MySQL dialect, translated); false with *error set when it fails.
  bool Exec(const std::string& sql, std::string* error);
  // `sql` in this driver's dialect.
  std::string Translate(const std::string& sql) const;

 private:
  SqlDatabase() = default;
  std::string driver_;
  std::string connection_;
  std::unique_ptr<Poco::Data::Session> session_;
};

}  // namespace meabridge::testing
