// The store backends that the harvester's, the publisher's and the integration tests run
// against (the store's own contract suite has its harness in tests/store/store_contract.h).
//
// A test that exercises store semantics (commit, a failed run's rollback, deletions and the
// guard, watermarks, paging across a commit, delta links, ETags after a commit) runs once per
// backend; parsing and HTTP tests stay on SQLite only, to keep CI short. For a fixture class
// `XTest` with a `virtual std::string StoreLocation(const std::string& dir)`:
//
//   class XStoresTest : public meabridge::testing::OnEachStore<XTest> {};
//   TEST_P(XStoresTest, Something) { ... }
//   INSTANTIATE_TEST_SUITE_P(Stores, XStoresTest, ::testing::ValuesIn(StoreBackends()),
//                            StoreBackendName);
//
// The PostgreSQL backend is a fresh schema per test on the test binary's own server
// (support/postgres_server.h: started on first use, stopped after the last test; a binary
// that links this file registers the PostgresEnvironment that stops it). When the server cannot
// start, the location is "" and the test fails saying what to install: never skipped silently.
//
// Thread-safe.
#pragma once

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

namespace meabridge::testing {

struct StoreBackend {
  std::string name;  // "sqlite" or "postgresql"
  bool postgres = false;
};

// Every backend, SQLite first: the one place to add one.
std::vector<StoreBackend> StoreBackends();

inline void PrintTo(const StoreBackend& backend, std::ostream* os) { *os << backend.name; }
inline std::string StoreBackendName(const ::testing::TestParamInfo<StoreBackend>& info) {
  return info.param.name;
}

// The location of a fresh, empty store of `backend`: "sqlite:DIR/store.db", or a schema of its
// own on this binary's PostgreSQL server ("postgresql://...?options=-csearch_path%3D<schema>").
// "" with *error set when the PostgreSQL server cannot start or the schema cannot be made.
std::string FreshStoreLocation(const StoreBackend& backend, const std::string& dir,
                               std::string* error);

// A fresh, empty schema on this binary's PostgreSQL server, as a store location; "" with *error
// set on failure.
std::string FreshPostgresLocation(std::string* error);

// Runs the tests of `Fixture` once per backend (see above). `Fixture` opens its store at
// StoreLocation(dir), which this overrides with the parameter's fresh location.
template <class Fixture>
class OnEachStore : public Fixture, public ::testing::WithParamInterface<StoreBackend> {
 protected:
  std::string StoreLocation(const std::string& dir) override {
    std::string error;
    std::string location = FreshStoreLocation(GetParam(), dir, &error);
    if (location.empty()) ADD_FAILURE() << error;
    return location;
  }
};

}  // namespace meabridge::testing
