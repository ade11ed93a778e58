// The store contract suite: the behaviour every Store backend must show (store/store.h,
// store/query.h, docs/store.md), written once and value-parameterised over a backend.
// store_contract_test.cc holds the tests and instantiates them for every backend that
// ContractBackends() lists (in store_contract_test.cc: the one place to add a backend). Each
// backend's harness lives in its own test file (SqliteBackend() in sqlite_store_test.cc,
// PostgresBackend() in postgres_store_test.cc).
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "core/clock.h"
#include "model/record.h"
#include "model/registry.h"
#include "store/store.h"

namespace meabridge::store::testing {

// One empty store per test, opened as often as a test asks (every Open reaches the same data).
class StoreHarness {
 public:
  virtual ~StoreHarness() = default;
  // Opens the store. BeginRun on a store whose writer is busy waits at most
  // `begin_run_timeout_ms` before answering Unavailable. Run times and lease deadlines follow
  // `clock` (a core::ManualClock in the tests that move time), which must outlive the store.
  virtual Result<std::unique_ptr<Store>> Open(int begin_run_timeout_ms,
                                              const core::Clock& clock) = 0;
  Result<std::unique_ptr<Store>> Open(int begin_run_timeout_ms) {
    return Open(begin_run_timeout_ms, core::SystemClock::Instance());
  }
  // The store's location for OpenStore, e.g. in a child process ("sqlite:/tmp/.../store.db",
  // "postgresql://...").
  virtual std::string Location() const = 0;
  // True once thread `tid` of this process waits inside BeginRun for another run to end (the
  // backend's own lock: SQLite's writer, PostgreSQL's per-source run lock), so that a test
  // waits for that event instead of sleeping.
  virtual bool WaitsToBeginARun(int tid) const = 0;
};

// True when thread `tid` of this process is asleep in the kernel (/proc/self/task/TID/stat
// says S): blocked on a lock, a condition or a socket.
bool ThreadIsAsleep(int tid);

struct Backend {
  std::string name;
  std::function<std::unique_ptr<StoreHarness>()> make;
};

// Every backend the contract suite runs against.
std::vector<Backend> ContractBackends();
Backend SqliteBackend();
// Each instance is a fresh schema on the test binary's PostgreSQL server
// (support/postgres_server.h); Open fails, saying why, when that server cannot start.
Backend PostgresBackend();
// The location of a fresh, empty PostgreSQL store (a schema of its own on the test server); ""
// with *error set when the server cannot start.
std::string FreshPostgresLocation(std::string* error);

inline void PrintTo(const Backend& backend, std::ostream* os) { *os << backend.name; }

inline std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param.name;
}

class StoreContractTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override;

  // The store under test (opened in SetUp, with a 5 s BeginRun bound).
  Store& store() { return *store_; }
  StoreHarness& harness() { return *harness_; }

  std::unique_ptr<StoreHarness> harness_;
  std::unique_ptr<Store> store_;
};

// --- fixtures shared by the backend tests ---------------------------------------------------

const model::Registry& Reg();
const model::EntitySpec& Contacts();
const model::EntitySpec& Treaties();
const model::EntitySpec& Decisions();
const model::EntitySpec& Meetings();
const model::EntitySpec& Memberships();
int Field(const model::EntitySpec& e, const char* name);  // fails the test when unknown

model::Record Contact(const std::string& id, const std::string& country,
                      std::vector<std::string> treaties, const std::string& first_name);

// Upserts `records` in one committed run of `source`; returns the run id.
int64_t CommitRun(Store& store, const std::string& source,
                  const std::vector<model::Record>& records, core::EpochMs started = 1700000000000);

// Ids of the records a query returns, in order.
std::vector<std::string> Ids(ReadView& view, const Query& query);

}  // namespace meabridge::store::testing
