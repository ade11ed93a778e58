#include "support/sql_servers.h"

#include <Poco/Data/MySQL/Connector.h>
#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <Poco/Exception.h>
#include <unistd.h>

#include <atomic>
#include <mutex>

#include "support/mariadb_server.h"
#include "support/postgres_server.h"

namespace meabridge::testing {
namespace {

[[maybe_unused]] ::testing::Environment* const kSqlServersPostgresEnvironment =
    ::testing::AddGlobalTestEnvironment(new PostgresEnvironment);
[[maybe_unused]] ::testing::Environment* const kSqlServersMariadbEnvironment =
    ::testing::AddGlobalTestEnvironment(new MariadbEnvironment);

std::atomic<int> g_databases{0};

void RegisterConnectors() {
  static std::once_flag once;
  std::call_once(once, [] {
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::PostgreSQL::Connector::registerConnector();
    Poco::Data::MySQL::Connector::registerConnector();
  });
}

std::string ReplaceAll(std::string s, const std::string& what, const std::string& with) {
  for (size_t at = 0; (at = s.find(what, at)) != std::string::npos; at += with.size()) {
    s.replace(at, what.size(), with);
  }
  return s;
}

std::string FreshName() {
  return "tk" + std::to_string(getpid()) + "_" + std::to_string(g_databases.fetch_add(1) + 1);
}

}  // namespace

std::vector<std::string> SqlDatabase::Drivers() { return {"sqlite", "postgresql", "mysql"}; }

SqlDatabase::~SqlDatabase() = default;

std::unique_ptr<SqlDatabase> SqlDatabase::Create(const std::string& driver, const std::string& dir,
                                                 std::string* error, bool* skip) {
  RegisterConnectors();
  if (skip) *skip = false;
  std::unique_ptr<SqlDatabase> db(new SqlDatabase());
  db->driver_ = driver;
  try {
    if (driver == "sqlite") {
      db->connection_ = dir + "/" + FreshName() + ".db";
      db->session_ = std::make_unique<Poco::Data::Session>(Poco::Data::SQLite::Connector::KEY,
                                                           db->connection_);
      return db;
    }
    if (driver == "postgresql") {
      PostgresServer* server = PostgresServer::Shared(error);
      if (!server) return nullptr;
      const std::string base = "host=" + server->host() + " port=" +
                               std::to_string(server->port()) + " user=" + server->user() +
                               " password=" + server->password();
      const std::string name = FreshName();
      {
        Poco::Data::Session admin(Poco::Data::PostgreSQL::Connector::KEY, base + " dbname=postgres");
        admin << "CREATE DATABASE " + name, Poco::Data::Keywords::now;
      }
      db->connection_ = base + " dbname=" + name;
      db->session_ = std::make_unique<Poco::Data::Session>(Poco::Data::PostgreSQL::Connector::KEY,
                                                           db->connection_);
      return db;
    }
    if (driver == "mysql") {
      bool missing = false;
      MariadbServer* server = MariadbServer::Shared(error, &missing);
      if (!server) {
        if (skip) *skip = missing;
        return nullptr;
      }
      const std::string name = FreshName();
      if (!server->Admin("CREATE DATABASE " + name, error)) return nullptr;
      db->connection_ = "host=" + server->host() + ";port=" + std::to_string(server->port()) +
                        ";user=" + server->user() + ";password=" + server->password() +
                        ";db=" + name;
      db->session_ =
          std::make_unique<Poco::Data::Session>(Poco::Data::MySQL::Connector::KEY, db->connection_);
      return db;
    }
    *error = "no test database for driver '" + driver + "'";
  } catch (const Poco::Exception& e) {
    *error = "cannot make a " + driver + " test database: " + e.displayText();
  }
  return nullptr;
}

std::string SqlDatabase::Translate(const std::string& sql) const {
  if (driver_ == "mysql") return sql;
  std::string out = ReplaceAll(sql, "`", "\"");
  out = ReplaceAll(out, " longtext", " text");
  out = ReplaceAll(out, " tinyint", " smallint");
  if (driver_ == "postgresql") out = ReplaceAll(out, " datetime", " timestamp");
  return out;
}

bool SqlDatabase::Exec(const std::string& sql, std::string* error) {
  try {
    *session_ << Translate(sql), Poco::Data::Keywords::now;
    return true;
  } catch (const Poco::Exception& e) {
    *error = e.displayText();
    return false;
  }
}

}  // namespace meabridge::testing
