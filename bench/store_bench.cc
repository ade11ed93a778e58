// The store figures, measured in one run: SQLite on a file in a temporary folder, PostgreSQL
// on a server the benchmark starts itself (tests/support/postgres_server.cc, compiled in here:
// initdb + pg_ctl on 127.0.0.1, as `nobody` when run as root, in durable mode: fsync,
// synchronous_commit and full_page_writes on, 256 MB shared_buffers).
//
//   (a) StoreUpsertNew        N new 1 KB Contacts records upserted in one run transaction
//   (b) StoreUpsertUnchanged  the same N records again, unchanged (hash, compare, write nothing)
//   (c) RawSqliteInsert       baseline: raw sqlite3 INSERT of the same canonical JSON blobs into
//                             a two-column table (id, doc) in one transaction, same pragmas
//                             (WAL, synchronous=FULL, 256 MB page cache, no checkpoint inside
//                             the commit: the store checkpoints on a background thread)
//   (d) PgUpsertNew           (a) on the PostgreSQL store (a fresh schema per iteration)
//   (e) PgUpsertUnchanged     (b) on the PostgreSQL store
//
// Each figure times the run from BeginRun (BEGIN) to the end of Commit (COMMIT, with its
// fsync); opening and closing the store are outside the timing.
//
// Goals: (a) >= 100k records/s; (b) >= 3x (a). Printed at the end: records/s of each, the
// ratios (a)/(c) and (b)/(a), and the harvest throughput of PostgreSQL against SQLite, (d)/(a)
// and (e)/(b).
//
//   build-store/bench/store_bench [--records=N] [--benchmark_filter=Pg]
#define MEABRIDGE_POSTGRES_SERVER_NO_GTEST
// The test server's code, compiled into this program (bench/CMakeLists.txt builds each
// *_bench.cc alone; the server code depends on POSIX and the standard library only).
#include "../tests/support/postgres_server.cc"

#include <benchmark/benchmark.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "user_cpu.h"

#include "model/canonical_json.h"
#include "model/record.h"
#include "model/registry.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"

namespace {

namespace fs = std::filesystem;
using namespace meabridge;

int g_records = 100000;

const model::EntitySpec& ContactsSpec() { return *model::Registry::Default().Find("Contacts"); }

// N contacts of about 1 KB of canonical JSON each, the same on every call.
const std::vector<model::Record>& Records() {
  static const std::vector<model::Record>* records = [] {
    auto* out = new std::vector<model::Record>();
    const char* countries[] = {"FR", "DE", "BR", "KE", "CN", "US", "IN", "ZA", "AU", "CA"};
    const char* treaties[] = {"cbd", "cms", "cites", "ramsar", "unfccc", "unccd"};
    const std::string address_tail(420, 'a');
    for (int i = 0; i < g_records; ++i) {
      model::Record r(ContactsSpec());
      char id[32];
      std::snprintf(id, sizeof id, "contact-%07d", i);
      r.set_id(id);
      r.Set("treaties", model::Value(model::StringList{treaties[i % 6], treaties[(i / 6) % 6]}));
      r.Set("country", model::Value(std::string(countries[i % 10])));
      r.Set("prefix", model::Value(std::string(i % 2 ? "Ms." : "Dr.")));
      r.Set("firstName", model::Value("Firstname" + std::to_string(i)));
      r.Set("lastName", model::Value("Lastname-" + std::to_string(i * 7919 % 100003)));
      r.Set("position",
            model::Value(std::string("Director, Department of Biodiversity Conservation")));
      r.Set("institution",
            model::Value(std::string("Ministry of Environment, Forestry and Climate Change")));
      r.Set("department", model::Value(std::string("Division of International Cooperation")));
      r.Set("type", model::Value(std::string("National Focal Point")));
      r.Set("roles", model::Value(model::ItemList{
                         {{"treaty", treaties[i % 6]}, {"role", "Primary NFP"}},
                         {{"treaty", treaties[(i + 1) % 6]}, {"role", "CHM NFP"}}}));
      r.Set("address", model::Value("Building " + std::to_string(i) + ", " + address_tail));
      r.Set("email", model::Value("focal.point" + std::to_string(i) + "@environment.example.org"));
      r.Set("phone", model::Value(std::string("+33 1 23 45 67 89")));
      r.Set("fax", model::Value(std::string("+33 1 23 45 67 90")));
      r.Set("primary", model::Value(i % 3 == 0));
      r.provenance.source_id = id;
      out->push_back(std::move(r));
    }
    return out;
  }();
  return *records;
}

double AverageJsonBytes() {
  double total = 0;
  for (const model::Record& r : Records())
    total += static_cast<double>(model::CanonicalJson(r).size());
  return total / static_cast<double>(Records().size());
}

class TempFolder {
 public:
  TempFolder() {
    std::string t = (fs::temp_directory_path() / "meabridge-bench-XXXXXX").string();
    if (!mkdtemp(t.data())) std::abort();
    path_ = t;
  }
  ~TempFolder() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string File(const std::string& name) const { return path_ + "/" + name; }
  void Clear() {
    for (const auto& e : fs::directory_iterator(path_)) fs::remove(e.path());
  }

 private:
  std::string path_;
};

void Check(const Status& s, benchmark::State& state) {
  if (!s.ok()) state.SkipWithError(s.ToString().c_str());
}

std::unique_ptr<store::Store> Open(const std::string& path, benchmark::State& state) {
  auto s = store::sqlite::OpenSqliteStore(path);
  if (!s.ok()) {
    state.SkipWithError(s.status().ToString().c_str());
    return nullptr;
  }
  return std::move(*s);
}

// Upserts every record in one run; counts the outcomes.
void UpsertAll(store::Store& s, int64_t started, benchmark::State& state, int64_t* unchanged) {
  auto w = s.BeginRun("bench", started, false);
  if (!w.ok()) return Check(w.status(), state);
  for (const model::Record& r : Records()) {
    auto o = (*w)->Upsert(r);
    if (!o.ok()) return Check(o.status(), state);
    if (*o == store::UpsertOutcome::kUnchanged) ++*unchanged;
  }
  Check((*w)->Commit({}), state);
}

void BM_StoreUpsertNew(benchmark::State& state) {
  Records();
  TempFolder dir;
  int64_t unchanged = 0;
  bench::UserCpu user;
  for (auto _ : state) {
    state.PauseTiming();
    dir.Clear();
    auto s = Open(dir.File("store.db"), state);
    if (!s) break;
    state.ResumeTiming();
    user.Start();
    UpsertAll(*s, 1700000000000, state, &unchanged);
    user.Stop();
    state.PauseTiming();
    s.reset();
    state.ResumeTiming();
  }
  if (unchanged != 0) state.SkipWithError("records were unchanged in a fresh store");
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(Records().size()));
  state.counters["json_bytes"] = AverageJsonBytes();
  user.Report(state);
}

void BM_StoreUpsertUnchanged(benchmark::State& state) {
  Records();
  TempFolder dir;
  auto s = Open(dir.File("store.db"), state);
  if (!s) return;
  int64_t unchanged = 0;
  UpsertAll(*s, 1700000000000, state, &unchanged);
  unchanged = 0;
  bench::UserCpu user;
  for (auto _ : state) {
    user.Start();
    UpsertAll(*s, 1700000001000, state, &unchanged);
    user.Stop();
  }
  if (unchanged != state.iterations() * static_cast<int64_t>(Records().size())) {
    state.SkipWithError("some records were not unchanged");
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(Records().size()));
  user.Report(state);
}

void Exec(sqlite3* db, const char* sql, benchmark::State& state) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    state.SkipWithError(err ? err : "sqlite error");
  }
  sqlite3_free(err);
}

void BM_RawSqliteInsert(benchmark::State& state) {
  std::vector<std::pair<std::string, std::string>> blobs;
  for (const model::Record& r : Records()) blobs.emplace_back(r.id(), model::CanonicalJson(r));
  TempFolder dir;
  bench::UserCpu user;
  for (auto _ : state) {
    state.PauseTiming();
    dir.Clear();
    sqlite3* db = nullptr;
    sqlite3_open(dir.File("raw.db").c_str(), &db);
    Exec(db,
         "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA cache_size=-262144; "
         "PRAGMA wal_autocheckpoint=0;",
         state);
    Exec(db, "CREATE TABLE docs (id TEXT PRIMARY KEY, doc TEXT NOT NULL)", state);
    state.ResumeTiming();
    user.Start();
    Exec(db, "BEGIN", state);
    sqlite3_stmt* ins = nullptr;
    sqlite3_prepare_v2(db, "INSERT INTO docs (id, doc) VALUES (?1, ?2)", -1, &ins, nullptr);
    for (const auto& [id, doc] : blobs) {
      sqlite3_bind_text(ins, 1, id.data(), static_cast<int>(id.size()), SQLITE_STATIC);
      sqlite3_bind_text(ins, 2, doc.data(), static_cast<int>(doc.size()), SQLITE_STATIC);
      if (sqlite3_step(ins) != SQLITE_DONE) state.SkipWithError(sqlite3_errmsg(db));
      sqlite3_reset(ins);
    }
    sqlite3_finalize(ins);
    Exec(db, "COMMIT", state);
    user.Stop();
    state.PauseTiming();
    sqlite3_close(db);
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(blobs.size()));
  user.Report(state);
}

// --- PostgreSQL ----------------------------------------------------------------------------

// The location of a fresh schema on the benchmark's server; "" (and the benchmark skipped with
// the reason) when the server cannot start.
// $MEABRIDGE_BENCH_PG_URL (a superuser's postgresql:// URL without a query) measures another
// server instead of the one the benchmark starts.
std::string FreshPgLocation(benchmark::State& state) {
  static int counter = 0;
  std::string base;
  if (const char* env = std::getenv("MEABRIDGE_BENCH_PG_URL"); env && *env) {
    base = env;
  } else {
    std::string error;
    testing::PostgresServer* server = testing::PostgresServer::Shared(&error);
    if (!server) {
      state.SkipWithError(error.c_str());
      return "";
    }
    base = server->Url();
  }
  std::string schema = "bench_" + std::to_string(getpid()) + "_" + std::to_string(++counter);
  PGconn* admin = PQconnectdb(base.c_str());
  PGresult* r = PQexec(admin, ("CREATE SCHEMA " + schema + "; CHECKPOINT").c_str());
  bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
  if (!ok) state.SkipWithError(PQresultErrorMessage(r));
  PQclear(r);
  PQfinish(admin);
  return ok ? base + "?options=-csearch_path%3D" + schema : "";
}

std::unique_ptr<store::Store> OpenPg(const std::string& location, benchmark::State& state) {
  auto s = store::postgres::OpenPostgresStore(location);
  if (!s.ok()) {
    state.SkipWithError(s.status().ToString().c_str());
    return nullptr;
  }
  return std::move(*s);
}

void BM_PgUpsertNew(benchmark::State& state) {
  Records();
  int64_t unchanged = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::string location = FreshPgLocation(state);
    auto s = location.empty() ? nullptr : OpenPg(location, state);
    if (!s) break;
    state.ResumeTiming();
    UpsertAll(*s, 1700000000000, state, &unchanged);
    state.PauseTiming();
    s.reset();
    state.ResumeTiming();
  }
  if (unchanged != 0) state.SkipWithError("records were unchanged in a fresh store");
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(Records().size()));
}

void BM_PgUpsertUnchanged(benchmark::State& state) {
  Records();
  std::string location = FreshPgLocation(state);
  if (location.empty()) return;
  auto s = OpenPg(location, state);
  if (!s) return;
  int64_t unchanged = 0;
  UpsertAll(*s, 1700000000000, state, &unchanged);
  unchanged = 0;
  for (auto _ : state) UpsertAll(*s, 1700000001000, state, &unchanged);
  if (unchanged != state.iterations() * static_cast<int64_t>(Records().size())) {
    state.SkipWithError("some records were not unchanged");
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(Records().size()));
}

BENCHMARK(BM_RawSqliteInsert)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();
BENCHMARK(BM_StoreUpsertNew)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();
BENCHMARK(BM_StoreUpsertUnchanged)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();
BENCHMARK(BM_PgUpsertNew)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();
BENCHMARK(BM_PgUpsertUnchanged)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

// Keeps each benchmark's records/s to print the ratios at the end.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& r : runs) {
      auto it = r.counters.find("items_per_second");
      if (it == r.counters.end()) continue;
      std::string name = r.benchmark_name();
      rates[name.substr(0, name.find('/'))] = it->second.value;
    }
  }
  std::map<std::string, double> rates;
};

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--records=", 10) == 0) g_records = std::atoi(argv[i] + 10);
  }
  // Drop our own flag before Google Benchmark reads the rest.
  int out = 1;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--records=", 10) != 0) argv[out++] = argv[i];
  }
  argc = out;
  benchmark::Initialize(&argc, argv);
  meabridge::testing::PostgresServer::Configure({/*durable=*/true});
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  double a = reporter.rates["BM_StoreUpsertNew"];
  double b = reporter.rates["BM_StoreUpsertUnchanged"];
  double c = reporter.rates["BM_RawSqliteInsert"];
  double d = reporter.rates["BM_PgUpsertNew"];
  double e = reporter.rates["BM_PgUpsertUnchanged"];
  std::printf("\nstore figures, %d records of %.0f bytes of canonical JSON on average:\n",
              g_records, AverageJsonBytes());
  std::printf("  (a) upsert new         %10.0f records/s   (goal >= 100000)\n", a);
  std::printf("  (b) upsert unchanged   %10.0f records/s\n", b);
  std::printf("  (c) raw sqlite insert  %10.0f records/s\n", c);
  if (a > 0 && c > 0) std::printf("  (a)/(c) = %.2f\n", a / c);
  if (a > 0 && b > 0) std::printf("  (b)/(a) = %.2f   (goal >= 3)\n", b / a);
  if (d > 0 || e > 0) {
    std::printf("  (d) PostgreSQL upsert new        %10.0f records/s\n", d);
    std::printf("  (e) PostgreSQL upsert unchanged  %10.0f records/s\n", e);
    if (a > 0 && d > 0)
      std::printf("  (d)/(a) = %.2f   PostgreSQL vs SQLite, new records\n", d / a);
    if (b > 0 && e > 0) std::printf("  (e)/(b) = %.2f   PostgreSQL vs SQLite, unchanged\n", e / b);
    if (d > 0 && e > 0) std::printf("  (e)/(d) = %.2f\n", e / d);
  }
  benchmark::Shutdown();
  meabridge::testing::PostgresServer::StopShared();
  return 0;
}
