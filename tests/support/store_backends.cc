#include "support/store_backends.h"

#include <unistd.h>

#include <atomic>

#include "support/postgres_server.h"
#include "support/test_support.h"

namespace meabridge::testing {

// This file is linked into a test binary only when the binary uses it (static library): the
// binaries that run tests on PostgreSQL stop their server after the last test.
[[maybe_unused]] ::testing::Environment* const kStoreBackendsPostgresEnvironment =
    ::testing::AddGlobalTestEnvironment(new PostgresEnvironment);

namespace {
std::atomic<int> g_schemas{0};
}  // namespace

std::vector<StoreBackend> StoreBackends() { return {{"sqlite", false}, {"postgresql", true}}; }

std::string FreshPostgresLocation(std::string* error) {
  PostgresServer* server = PostgresServer::Shared(error);
  if (!server) return "";
  const std::string schema =
      "s" + std::to_string(getpid()) + "_" + std::to_string(g_schemas.fetch_add(1) + 1);
  // psql rather than libpq: this library links meabridge_core only.
  ProcessResult r = RunProcess({server->bindir() + "/psql", "-X", "-q", "-v", "ON_ERROR_STOP=1",
                                "-d", server->Url(), "-c", "CREATE SCHEMA " + schema});
  if (r.exit_code != 0) {
    *error = "cannot create schema " + schema + " on the test PostgreSQL server (" + server->dir() +
             "/postgres.log): psql exit " + std::to_string(r.exit_code) + ": " + r.err;
    return "";
  }
  return server->Url("postgres", "options=-csearch_path%3D" + schema);
}

std::string FreshStoreLocation(const StoreBackend& backend, const std::string& dir,
                               std::string* error) {
  if (!backend.postgres) return "sqlite:" + dir + "/store.db";
  return FreshPostgresLocation(error);
}

}  // namespace meabridge::testing
