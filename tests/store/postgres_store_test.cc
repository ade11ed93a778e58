// The PostgreSQL store: its contract-suite harness (a fresh schema per store on the test
// binary's own server, support/postgres_server.h), and what only PostgreSQL has: the location
// and its password, the database layout, migrations under the advisory lock, the pool, texts
// PostgreSQL cannot hold, the change-sequence lock, the server-enforced lease ttl, and one
// workload run on both backends with the same changes as the result.
#include <libpq-fe.h>

#include <atomic>
#include <chrono>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/hash.h"
#include "model/canonical_json.h"
#include "store/postgres/connection.h"
#include "store/postgres/location.h"
#include "store/postgres/lock_ids.h"
#include "store/postgres/postgres_store.h"
#include "store/postgres/query_sql.h"
#include "store/postgres/schema.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store_contract.h"
#include "support/postgres_server.h"
#include "support/test_support.h"

namespace meabridge::store::testing {

using meabridge::testing::PostgresServer;

// The server starts on first use and stops after the last test of this binary.
[[maybe_unused]] ::testing::Environment* const kPostgresEnvironment =
    ::testing::AddGlobalTestEnvironment(new meabridge::testing::PostgresEnvironment);

namespace {

// A superuser connection to the test server, for looking at what the store wrote and for
// building databases by hand.
class Admin {
 public:
  explicit Admin(const std::string& url) : conn_(PQconnectdb(url.c_str())) {
    if (PQstatus(conn_.get()) != CONNECTION_OK) {
      ADD_FAILURE() << "admin connection: " << PQerrorMessage(conn_.get());
    }
  }
  // The test server's "postgres" database with `schema` first on the search path.
  static std::string Url(const std::string& schema = "") {
    std::string error;
    PostgresServer* server = PostgresServer::Shared(&error);
    if (!server) {
      ADD_FAILURE() << error;
      return "";
    }
    return server->Url("postgres", schema.empty() ? "" : "options=-csearch_path%3D" + schema);
  }

  void Exec(const std::string& sql) {
    postgres::ResultHandle r(PQexec(conn_.get(), sql.c_str()));
    ExecStatusType st = PQresultStatus(r.get());
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
      ADD_FAILURE() << sql << ": " << PQresultErrorMessage(r.get());
    }
  }
  // Column `col` of every row, as text ("NULL" for nulls).
  std::vector<std::string> Column(const std::string& sql, int col = 0,
                                  const postgres::Params& params = {}) {
    std::vector<std::string> out;
    postgres::ResultHandle r(PQexecParams(conn_.get(), sql.c_str(), params.size(), nullptr,
                                          params.Values(), nullptr, nullptr, 0));
    if (PQresultStatus(r.get()) != PGRES_TUPLES_OK) {
      ADD_FAILURE() << sql << ": " << PQresultErrorMessage(r.get());
      return out;
    }
    for (int i = 0; i < PQntuples(r.get()); ++i) {
      out.emplace_back(PQgetisnull(r.get(), i, col) ? "NULL" : PQgetvalue(r.get(), i, col));
    }
    return out;
  }
  std::string Text(const std::string& sql) {
    auto c = Column(sql);
    return c.empty() ? "" : c[0];
  }

 private:
  postgres::ConnHandle conn_;
};

std::atomic<int> g_schemas{0};

class PostgresHarness : public StoreHarness {
 public:
  PostgresHarness() { location_ = FreshPostgresLocation(&error_); }

  Result<std::unique_ptr<Store>> Open(int begin_run_timeout_ms,
                                      const core::Clock& clock) override {
    if (location_.empty()) {
      return Status::FailedPrecondition("no PostgreSQL server for the tests: " + error_);
    }
    postgres::PostgresOptions o;
    o.begin_run_timeout_ms = begin_run_timeout_ms;
    o.clock = &clock;
    return postgres::OpenPostgresStore(location_, o);
  }
  std::string Location() const override { return location_; }
  // A run that waits for another shows in pg_locks as a run lock not granted (the test
  // server serves this process alone).
  bool WaitsToBeginARun(int) const override {
    Admin admin(Admin::Url());
    return admin.Text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT "
                      "granted AND classid = " +
                      std::to_string(postgres::kLockRun)) != "0";
  }

 private:
  std::string location_;
  std::string error_;
};

}  // namespace

std::string FreshPostgresLocation(std::string* error) {
  PostgresServer* server = PostgresServer::Shared(error);
  if (!server) return "";
  std::string schema =
      "t" + std::to_string(getpid()) + "_" + std::to_string(g_schemas.fetch_add(1) + 1);
  Admin admin(server->Url());
  admin.Exec("CREATE SCHEMA " + schema);
  return server->Url("postgres", "options=-csearch_path%3D" + schema);
}

Backend PostgresBackend() {
  return Backend{"Postgres", [] { return std::make_unique<PostgresHarness>(); }};
}

namespace {

using model::Record;
using model::Value;
using postgres::OpenPostgresStore;
using postgres::PostgresOptions;

constexpr core::EpochMs kT0 = 1700000000000;

Query AllContacts() {
  Query q;
  q.entity = &Contacts();
  return q;
}

// The schema part of a location made by FreshPostgresLocation.
std::string SchemaOf(const std::string& location) {
  return location.substr(location.rfind("%3D") + 3);
}

class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    location_ = FreshPostgresLocation(&error);
    ASSERT_FALSE(location_.empty()) << error;
    schema_ = SchemaOf(location_);
  }

  std::unique_ptr<Store> OpenOrDie(PostgresOptions o = {}) {
    auto s = OpenPostgresStore(location_, o);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(*s) : nullptr;
  }
  Admin AdminHere() { return Admin(Admin::Url(schema_)); }

  std::string location_;
  std::string schema_;
};

// --- the location -------------------------------------------------------------------------------

TEST(PostgresLocationTest, ParsedWithTheStoresOwnParametersAndNoPasswordShown) {
  auto e = postgres::ParseLocation(
      "postgresql://meabridge:s%40cret-pw@db.example.org:5433/mea?sslmode=require&pool_size=4&"
      "connect_timeout=3");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->display,
            "postgresql://meabridge@db.example.org:5433/mea?sslmode=require&pool_size=4&"
            "connect_timeout=3");
  EXPECT_EQ(e->uri,
            "postgresql://meabridge:s%40cret-pw@db.example.org:5433/mea?sslmode=require&"
            "connect_timeout=3");
  EXPECT_EQ(e->password, "s@cret-pw");
  EXPECT_EQ(e->pool_size, 4u);

  auto p = postgres::ParseLocation("postgres://u@h/db?password=hunter22&application_name=x");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->display, "postgres://u@h/db?application_name=x");
  EXPECT_EQ(p->password, "hunter22");
  EXPECT_EQ(p->pool_size, postgres::kDefaultPoolSize);

  for (const char* bad :
       {"postgresql://u:hunter22@h/db?pool_size=0", "postgresql://u:hunter22@h/db?pool_size=many",
        "postgresql://u:hunter22@h/db?pool_size=1001"}) {
    auto b = postgres::ParseLocation(bad);
    EXPECT_EQ(b.status().code(), Status::Code::kInvalidArgument) << bad;
    EXPECT_NE(b.status().message().find("pool_size"), std::string::npos) << b.status().message();
    EXPECT_EQ(b.status().message().find("hunter22"), std::string::npos) << b.status().message();
  }

  EXPECT_EQ(RedactStoreLocation("postgresql://u:pw@[::1]:5432/db"), "postgresql://u@[::1]:5432/db");
  EXPECT_EQ(RedactStoreLocation("POSTGRES://u:pw@h/db?sslpassword=k&x=1"), "POSTGRES://u@h/db?x=1");
  EXPECT_EQ(RedactStoreLocation("postgresql://h/db"), "postgresql://h/db");
  EXPECT_EQ(RedactStoreLocation("sqlite:/var/lib/meabridge/meabridge.db"),
            "sqlite:/var/lib/meabridge/meabridge.db");
  EXPECT_EQ(postgres::Scrub("failed for hunter22 and hunter22", "hunter22"),
            "failed for **** and ****");
}

TEST_F(PostgresStoreTest, OpenStoreFormsAndThePasswordNeverShows) {
  std::string error;
  PostgresServer* server = PostgresServer::Shared(&error);
  ASSERT_TRUE(server) << error;
  const std::string& password = server->password();
  {
    auto s = OpenStore(location_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    auto info = (*s)->Info();
    ASSERT_TRUE(info.ok()) << info.status().ToString();
    EXPECT_EQ(info->backend, "postgresql");
    EXPECT_EQ(info->location.find(password), std::string::npos) << info->location;
    EXPECT_EQ(info->location, RedactStoreLocation(location_));
    EXPECT_NE(info->location.find("meabridge@127.0.0.1:"), std::string::npos) << info->location;
  }
  {
    std::string short_form = "postgres://" + location_.substr(std::string("postgresql://").size());
    auto s = OpenStore("  " + short_form + "\n");
    ASSERT_TRUE(s.ok()) << s.status().ToString();
  }
  // A wrong password: refused, saying what to check, without either password.
  std::string wrong = location_;
  wrong.replace(wrong.find(password), password.size(), "wrong-secret-42");
  auto refused = OpenStore(wrong);
  EXPECT_EQ(refused.status().code(), Status::Code::kFailedPrecondition)
      << refused.status().ToString();
  EXPECT_NE(refused.status().message().find("user and password"), std::string::npos)
      << refused.status().message();
  EXPECT_EQ(refused.status().message().find("wrong-secret-42"), std::string::npos);
  EXPECT_EQ(refused.status().message().find(password), std::string::npos);
  // No server on that port: Unavailable, naming host and port.
  int closed_port = server->port() == 1 ? 2 : 1;
  auto down =
      OpenStore("postgresql://meabridge:" + password + "@127.0.0.1:" + std::to_string(closed_port) +
                "/postgres?connect_timeout=2");
  EXPECT_EQ(down.status().code(), Status::Code::kUnavailable) << down.status().ToString();
  EXPECT_NE(down.status().message().find("127.0.0.1:" + std::to_string(closed_port)),
            std::string::npos)
      << down.status().message();
  EXPECT_EQ(down.status().message().find(password), std::string::npos);
  // A database that does not exist.
  auto missing = OpenStore(server->Url("no_such_db"));
  EXPECT_EQ(missing.status().code(), Status::Code::kFailedPrecondition)
      << missing.status().ToString();
  EXPECT_NE(missing.status().message().find("createdb"), std::string::npos)
      << missing.status().message();
  EXPECT_EQ(missing.status().message().find(password), std::string::npos);
  // A search_path that names no schema.
  auto no_schema = OpenStore(server->Url("postgres", "options=-csearch_path%3Dnope"));
  EXPECT_EQ(no_schema.status().code(), Status::Code::kFailedPrecondition)
      << no_schema.status().ToString();
  EXPECT_NE(no_schema.status().message().find("CREATE SCHEMA"), std::string::npos)
      << no_schema.status().message();
}

// --- the database
// ---------------------------------------------------------------------------------

TEST_F(PostgresStoreTest, LayoutFollowsTheRegistry) {
  auto store = OpenOrDie();
  ASSERT_TRUE(store);
  Admin db = AdminHere();
  EXPECT_EQ(db.Text("SELECT value FROM meta WHERE key = 'schema_version'"),
            std::to_string(postgres::kSchemaVersion));
  for (const model::EntitySpec& e : Reg().entities()) {
    SCOPED_TRACE(e.set_name);
    std::string table = "e_" + e.name;
    auto cols = db.Column(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = "
        "current_schema() AND table_name = '" +
        table + "'");
    for (const model::FieldSpec& f : e.fields) {
      EXPECT_NE(std::find(cols.begin(), cols.end(), f.name), cols.end()) << f.name;
    }
    for (const char* book :
         {"_seq", "_deleted", "_hash", "_source", "_source_id", "_fetched_at", "_run_id", "_fp"}) {
      EXPECT_NE(std::find(cols.begin(), cols.end(), book), cols.end()) << book;
    }
    auto indexes = db.Column(
        "SELECT indexname FROM pg_indexes WHERE schemaname = "
        "current_schema() AND tablename = '" +
        table + "'");
    for (std::string want : {table + "__seq", table + "__source", table + "_updated"}) {
      EXPECT_NE(std::find(indexes.begin(), indexes.end(), want), indexes.end()) << want;
    }
    for (const model::FieldSpec& f : e.fields) {
      if (!f.indexed || f.type == model::FieldType::kMultilingual ||
          f.type == model::FieldType::kItemList) {
        continue;
      }
      EXPECT_NE(std::find(indexes.begin(), indexes.end(), table + "_" + f.name), indexes.end())
          << f.name;
    }
  }
  auto type = [&](const std::string& table, const std::string& column) {
    return db.Text(
        "SELECT data_type || coalesce(' ' || collation_name, '') FROM "
        "information_schema.columns WHERE table_schema = current_schema() AND "
        "table_name = '" +
        table + "' AND column_name = '" + column + "'");
  };
  EXPECT_EQ(type("e_contacts", "updated"), "bigint");
  EXPECT_EQ(type("e_contacts", "country"), "text C");
  EXPECT_EQ(type("e_contacts", "id"), "text C");
  EXPECT_EQ(type("e_contacts", "treaties"), "jsonb");
  EXPECT_EQ(type("e_contacts", "primary"), "boolean");
  EXPECT_EQ(type("e_meetings", "latitude"), "double precision");
  EXPECT_EQ(type("e_treaties", "entryIntoForce"), "date");
  EXPECT_NE(db.Text("SELECT indexdef FROM pg_indexes WHERE indexname = 'e_contacts_treaties' AND "
                    "schemaname = current_schema()")
                .find("USING gin"),
            std::string::npos);
  EXPECT_NE(db.Text("SELECT indexdef FROM pg_indexes WHERE indexname = 'e_contacts_country' AND "
                    "schemaname = current_schema()")
                .find("NULLS FIRST"),
            std::string::npos);
  EXPECT_EQ(db.Text("SELECT type FROM registry_fields WHERE tbl = 'e_contacts' AND field = "
                    "'treaties'"),
            "string-list");
}

TEST_F(PostgresStoreTest, ColumnsHoldTheDocumentedRepresentation) {
  auto store = OpenOrDie();
  Record c = Contact("c1", "FR", {"cbd", "cms"}, "Anne");
  c.Set("primary", Value(true));
  c.Set("lastName", Value(std::string()));  // empty: stored as NULL
  c.Set("roles", Value(model::ItemList{{{"treaty", "cbd"}, {"role", "NFP"}}}));
  Record t(Treaties());
  t.set_id("cbd");
  model::Multilingual title;
  model::SetText(title, "fr", "CDB");
  model::SetText(title, "en", "CBD");
  t.Set("title", Value(title));
  t.Set("entryIntoForce", Value(core::CivilDate{1993, 12, 29}));
  CommitRun(*store, "s", {c, t}, kT0);
  Admin db = AdminHere();
  EXPECT_EQ(db.Text("SELECT treaties::text FROM e_contacts"), R"(["cbd", "cms"])");
  EXPECT_EQ(db.Text("SELECT roles::text FROM e_contacts"), R"([{"role": "NFP", "treaty": "cbd"}])");
  EXPECT_EQ(db.Text("SELECT \"primary\"::text FROM e_contacts"), "true");
  EXPECT_EQ(db.Text("SELECT \"lastName\" IS NULL FROM e_contacts"), "t");
  EXPECT_EQ(db.Text("SELECT updated FROM e_contacts"), std::to_string(kT0));
  EXPECT_EQ(db.Text("SELECT title->>'fr' FROM e_treaties"), "CDB");
  EXPECT_EQ(db.Text("SELECT to_char(\"entryIntoForce\", 'YYYY-MM-DD') FROM e_treaties"),
            "1993-12-29");
  EXPECT_EQ(db.Text("SELECT value FROM meta WHERE key = 'seq'"), "2");
  EXPECT_EQ(db.Text("SELECT length(_fp) || ' ' || length(_hash) FROM e_contacts"), "16 40");
  EXPECT_EQ(db.Text("SELECT _hash FROM e_contacts"), core::ContentHash(model::ContentJson(c)));
}

TEST_F(PostgresStoreTest, UnchangedIsDecidedByTheContentHashWhenNoFingerprintIsStored) {
  auto store = OpenOrDie();
  Record c = Contact("c1", "FR", {"cbd"}, "Anne");
  CommitRun(*store, "s", {c}, kT0);
  Admin db = AdminHere();
  db.Exec("UPDATE e_contacts SET _fp = NULL");
  {
    auto w = store->BeginRun("s", kT0 + 1, false);
    ASSERT_TRUE(w.ok());
    EXPECT_EQ(*(*w)->Upsert(c), UpsertOutcome::kUnchanged);
    ASSERT_TRUE((*w)->Commit({}).ok());
  }
  EXPECT_EQ(db.Text("SELECT _seq || ' ' || (_fp IS NULL) FROM e_contacts"), "1 true");
  c.Set("firstName", Value(std::string("Anna")));
  {
    auto w = store->BeginRun("s", kT0 + 2, false);
    ASSERT_TRUE(w.ok());
    EXPECT_EQ(*(*w)->Upsert(c), UpsertOutcome::kUpdated);
    ASSERT_TRUE((*w)->Commit({}).ok());
  }
  EXPECT_EQ(db.Text("SELECT _seq || ' ' || length(_fp) FROM e_contacts"), "2 16");
  {
    auto w = store->BeginRun("s", kT0 + 3, false);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE(*(*w)->Delete(Contacts(), "c1"));
    ASSERT_TRUE((*w)->Commit({}).ok());
  }
  EXPECT_EQ(db.Text("SELECT (_fp IS NULL) || ' ' || (_hash IS NULL) FROM e_contacts"), "true true");
}

TEST_F(PostgresStoreTest, AnotherApplicationsSchemaIsRefused) {
  AdminHere().Exec("CREATE TABLE invoices (id bigint PRIMARY KEY, total numeric)");
  auto s = OpenPostgresStore(location_);
  EXPECT_EQ(s.status().code(), Status::Code::kFailedPrecondition) << s.status().ToString();
  EXPECT_NE(s.status().message().find("not a meabridge store"), std::string::npos)
      << s.status().message();
  EXPECT_EQ(AdminHere().Text("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()"),
            "1");  // left alone
}

TEST_F(PostgresStoreTest, NewerStoreIsRefusedWithWhatToDo) {
  { auto store = OpenOrDie(); }
  AdminHere().Exec("UPDATE meta SET value = 99 WHERE key = 'schema_version'");
  auto s = OpenPostgresStore(location_);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_EQ(s.status().message(),
            "store " + RedactStoreLocation(location_) +
                " was written by a newer meabridge (schema 99; this version reads up to " +
                std::to_string(postgres::kSchemaVersion) +
                "): upgrade meabridge or point <store location> at another database");
  EXPECT_EQ(AdminHere().Text("SELECT value FROM meta WHERE key = 'schema_version'"), "99");
}

// Two nodes (here: eight threads) open a fresh database at the same moment: the migration lock
// makes them migrate it once, one after the other.
TEST_F(PostgresStoreTest, NodesOpeningAFreshDatabaseAtOnceMigrateItOnce) {
  constexpr int kNodes = 8;
  std::vector<Status> results(kNodes);
  std::vector<std::thread> nodes;
  std::atomic<bool> go{false};
  for (int i = 0; i < kNodes; ++i) {
    nodes.emplace_back([&, i] {
      while (!go.load()) std::this_thread::yield();
      auto s = OpenPostgresStore(location_);
      results[static_cast<size_t>(i)] = s.ok() ? Status::Ok() : s.status();
    });
  }
  go = true;
  for (std::thread& t : nodes) t.join();
  for (const Status& s : results) EXPECT_TRUE(s.ok()) << s.ToString();
  Admin db = AdminHere();
  EXPECT_EQ(db.Text("SELECT count(*) FROM meta"), "3");
  EXPECT_EQ(db.Text("SELECT count(*) = count(DISTINCT (tbl, field)) FROM registry_fields"), "t");
  EXPECT_EQ(db.Text("SELECT value FROM meta WHERE key = 'schema_version'"), "1");
}

TEST_F(PostgresStoreTest, VersionedMigrationsRunInOrderOnceAndAtomically) {
  auto store = OpenOrDie();
  CommitRun(*store, "s", {Contact("a", "fr", {}, "A")}, kT0);
  store.reset();
  auto schema = postgres::Schema::Build(Reg());
  ASSERT_TRUE(schema.ok());
  auto endpoint = postgres::ParseLocation(location_);
  ASSERT_TRUE(endpoint.ok());
  auto conn = postgres::Connection::Open(std::make_shared<const postgres::Endpoint>(*endpoint));
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();

  std::vector<postgres::Migration> failing = postgres::Migrations();
  failing.push_back({2, "test: a migration that fails", [](postgres::Connection& c) -> Status {
                       MB_ASSIGN_OR_RETURN(auto r, c.Exec("CREATE TABLE half_done (x int)", "t"));
                       MB_ASSIGN_OR_RETURN(auto r2, c.Exec("UPDATE no_such_table SET x = 1", "t"));
                       return Status::Ok();
                     }});
  Status s = postgres::Migrate(**conn, *schema, failing);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("schema 2"), std::string::npos) << s.message();
  Admin db = AdminHere();
  EXPECT_EQ(db.Text("SELECT value FROM meta WHERE key = 'schema_version'"), "1");
  EXPECT_EQ(db.Text("SELECT count(*) FROM pg_tables WHERE tablename = 'half_done'"), "0");

  int applied = 0;
  std::vector<postgres::Migration> next = postgres::Migrations();
  next.push_back({2, "test: upper-case countries", [&applied](postgres::Connection& c) -> Status {
                    ++applied;
                    MB_ASSIGN_OR_RETURN(auto r, c.Exec("CREATE TABLE notes (x int); UPDATE "
                                                       "e_contacts SET country = upper(country)",
                                                       "t"));
                    return Status::Ok();
                  }});
  ASSERT_TRUE(postgres::Migrate(**conn, *schema, next).ok());
  ASSERT_TRUE(postgres::Migrate(**conn, *schema, next).ok());  // at 2 already: nothing runs
  EXPECT_EQ(applied, 1);
  EXPECT_EQ(db.Text("SELECT value FROM meta WHERE key = 'schema_version'"), "2");
  EXPECT_EQ(db.Text("SELECT country FROM e_contacts WHERE id = 'a'"), "FR");
  conn->reset();
  auto refused = OpenPostgresStore(location_);
  EXPECT_EQ(refused.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("(schema 2; this version reads up to 1)"),
            std::string::npos)
      << refused.status().message();
}

model::Registry ExtendedRegistry(model::FieldType nickname_type = model::FieldType::kString) {
  std::vector<model::EntitySpec> entities = Reg().entities();
  for (model::EntitySpec& e : entities) {
    if (e.set_name != "Contacts") continue;
    model::FieldSpec nick;
    nick.name = "nickname";
    nick.type = nickname_type;
    nick.indexed = true;
    e.fields.push_back(nick);
  }
  model::EntitySpec sites = entities.front();
  sites.set_name = "Sites";
  sites.type_name = "Site";
  sites.name = "sites";
  sites.fields.resize(2);
  entities.push_back(sites);
  return model::Registry(std::move(entities));
}

TEST_F(PostgresStoreTest, ARegistryWithAnExtraFieldAddsItsColumnAndATypeChangeIsRefused) {
  {
    auto store = OpenOrDie();
    CommitRun(*store, "s", {Contact("a", "FR", {"cbd"}, "A")}, kT0);
  }
  model::Registry extended = ExtendedRegistry();
  const model::EntitySpec& xc = *extended.Find("Contacts");
  PostgresOptions o;
  o.registry = &extended;
  {
    auto store = OpenOrDie(o);
    ASSERT_TRUE(store);
    auto view = store->Read();
    auto a = (*view)->Get(xc, "a");
    ASSERT_TRUE(a.ok() && a->has_value()) << a.status().ToString();
    EXPECT_TRUE(std::holds_alternative<std::monostate>(*(*a)->Find("nickname")));
    view->reset();
    Record b(xc);
    b.set_id("b");
    b.Set("nickname", Value(std::string("Bee")));
    Record site(*extended.Find("Sites"));
    site.set_id("s1");
    CommitRun(*store, "s", {b, site}, kT0);
    auto v2 = store->Read();
    Query q;
    q.entity = &xc;
    q.filter = Expr::Compare(xc.FieldIndex("nickname"), Expr::Op::kEq, Value(std::string("Bee")));
    EXPECT_EQ(Ids(**v2, q), std::vector<std::string>{"b"});
    EXPECT_TRUE((*v2)->Get(*extended.Find("Sites"), "s1")->has_value());
  }
  Admin db = AdminHere();
  EXPECT_EQ(db.Text("SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema() AND "
                    "indexname = 'e_contacts_nickname'"),
            "1");
  auto store = OpenOrDie();  // the default registry still reads it
  ASSERT_TRUE(store);
  EXPECT_EQ(*(*store->Read())->Count(AllContacts()), 2);
  store.reset();
  model::Registry changed = ExtendedRegistry(model::FieldType::kInt);
  o.registry = &changed;
  auto s = OpenPostgresStore(location_, o);
  EXPECT_EQ(s.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_NE(s.status().message().find("nickname"), std::string::npos) << s.status().message();
  EXPECT_NE(s.status().message().find("versioned migration"), std::string::npos);
}

// --- connections ------------------------------------------------------------------------------

TEST_F(PostgresStoreTest, AnExhaustedPoolAnswersUnavailableNamingPoolSize) {
  auto store = OpenPostgresStore(location_ + "&pool_size=2", PostgresOptions{0, 300, 30000});
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto a = (*store)->Read();
  auto b = (*store)->Read();
  ASSERT_TRUE(a.ok() && b.ok());
  auto start = std::chrono::steady_clock::now();
  auto c = (*store)->Read();
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(250));
  EXPECT_EQ(c.status().code(), Status::Code::kUnavailable) << c.status().ToString();
  EXPECT_NE(c.status().message().find("pool_size"), std::string::npos) << c.status().message();
  a->reset();
  auto d = (*store)->Read();
  EXPECT_TRUE(d.ok()) << d.status().ToString();
}

// The server ends the store's idle connections (a restart, an administrator): the next view
// and the next run take fresh ones.
TEST_F(PostgresStoreTest, ConnectionsClosedByTheServerAreReplaced) {
  auto store = OpenOrDie();
  CommitRun(*store, "s", {Contact("a", "FR", {}, "A")}, kT0);
  { EXPECT_EQ(*(*store->Read())->Count(AllContacts()), 1); }
  Admin db(Admin::Url());
  db.Exec(
      "SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity WHERE application_name = "
      "'meabridge' AND pid <> pg_backend_pid()");  // waits until each one is gone
  auto view = store->Read();
  ASSERT_TRUE(view.ok()) << view.status().ToString();
  EXPECT_EQ(*(*view)->Count(AllContacts()), 1);
  view->reset();
  db.Exec(
      "SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity WHERE application_name = "
      "'meabridge' AND pid <> pg_backend_pid()");  // waits until each one is gone
  CommitRun(*store, "s", {Contact("b", "FR", {}, "B")}, kT0 + 1);
  EXPECT_EQ(*(*store->Read())->Count(AllContacts()), 2);
}

TEST_F(PostgresStoreTest, ViewsWritersAndLeasesMayOutliveTheStore) {
  auto store = OpenOrDie();
  CommitRun(*store, "s", {Contact("a", "FR", {}, "A")}, kT0);
  auto view = store->Read();
  ASSERT_TRUE(view.ok());
  auto writer = store->BeginRun("s", kT0 + 1, false);
  ASSERT_TRUE(writer.ok());
  auto lease = store->TryLeaseSource("s", "n", 60000);
  ASSERT_TRUE(lease.ok() && *lease);
  store.reset();
  EXPECT_TRUE((*view)->Get(Contacts(), "a")->has_value());
  ASSERT_TRUE((*writer)->Upsert(Contact("b", "FR", {}, "B")).ok());
  ASSERT_TRUE((*writer)->Commit({}).ok());
  EXPECT_TRUE((*lease)->Renew().ok());
  writer->reset();
  view->reset();
  lease->reset();
  auto again = OpenOrDie();
  EXPECT_EQ(*(*again->Read())->Count(AllContacts()), 2);
}

TEST_F(PostgresStoreTest, FailedRunKeepsTheIdItsLogLinesCarried) {
  auto store = OpenOrDie();
  int64_t id = 0;
  {
    auto w = store->BeginRun("s", kT0, false);
    ASSERT_TRUE(w.ok());
    id = (*w)->run_id();
  }
  RunRecord failed;
  failed.id = id;
  failed.source = "s";
  failed.error = "boom";
  auto recorded = store->RecordFailedRun(failed);
  ASSERT_TRUE(recorded.ok()) << recorded.status().ToString();
  EXPECT_EQ(*recorded, id);
  auto again = store->RecordFailedRun(failed);
  ASSERT_TRUE(again.ok());
  EXPECT_GT(*again, id);
  auto next = store->BeginRun("s", kT0, false);  // the identity sequence is not disturbed
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_NE((*next)->run_id(), *again);
  ASSERT_TRUE((*next)->Commit({}).ok());
  EXPECT_EQ((*(*store->Read())->Run(id))->status, "failed");
}

// --- what PostgreSQL cannot hold ----------------------------------------------------------------

TEST_F(PostgresStoreTest, TextsPostgreSQLCannotHoldAreRefusedClearlyAndTheRunGoesOn) {
  auto store = OpenOrDie();
  auto w = store->BeginRun("s", kT0, false);
  ASSERT_TRUE(w.ok());
  Record nul = Contact("n1", "FR", {}, std::string("An\0ne", 5));
  auto o = (*w)->Upsert(nul);
  EXPECT_EQ(o.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(o.status().message().find("firstName"), std::string::npos) << o.status().message();
  EXPECT_NE(o.status().message().find("NUL"), std::string::npos) << o.status().message();
  Record latin1 = Contact("n2", "FR", {"caf\xe9"}, "X");
  o = (*w)->Upsert(latin1);
  EXPECT_EQ(o.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(o.status().message().find("treaties"), std::string::npos) << o.status().message();
  // Diagnostics keep what they can: rejects are stored with U+FFFD in place of such bytes.
  Reject r;
  r.value = std::string("bad\0value\xff", 10);
  r.message = "a reject";
  ASSERT_TRUE((*w)->AddReject(r).ok());
  EXPECT_EQ((*w)->SetWatermark(std::string("w\0", 2)).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(*(*w)->Upsert(Contact("ok", "FR", {}, "Ok")), UpsertOutcome::kCreated);
  int64_t run = (*w)->run_id();
  ASSERT_TRUE((*w)->Commit({}).ok());
  auto view = store->Read();
  EXPECT_TRUE((*view)->Get(Contacts(), "ok")->has_value());
  auto rejects = (*view)->Rejects(run, 10);
  ASSERT_EQ(rejects->size(), 1u);
  EXPECT_EQ((*rejects)[0].value, "bad\xEF\xBF\xBDvalue\xEF\xBF\xBD");
  // Reads with such texts find nothing instead of failing.
  EXPECT_FALSE((*view)->Get(Contacts(), std::string("o\0k", 3))->has_value());
  Query q = AllContacts();
  q.filter =
      Expr::Compare(Field(Contacts(), "country"), Expr::Op::kEq, Value(std::string("F\0R", 3)));
  EXPECT_EQ((*view)->Scan(q, [](const Record&) { return Status::Ok(); }).code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(*(*view)->Count(AllContacts()), 1);  // the view still works
}

// --- the change sequence ------------------------------------------------------------------------

// The commit phase of a run that wrote something waits for the change-sequence lock; a run that
// wrote nothing never takes it; readers never wait for it.
TEST_F(PostgresStoreTest, OnlyRunsThatWroteTakeTheSequenceLock) {
  auto store = OpenOrDie();
  CommitRun(*store, "a", {Contact("a1", "FR", {}, "A")}, kT0);
  Admin holder(Admin::Url(schema_));
  holder.Exec("SELECT pg_advisory_lock(7310002, " + std::to_string(postgres::LockKey(schema_)) +
              ")");
  // Nothing to write: commits while the lock is held elsewhere.
  {
    auto w = store->BeginRun("a", kT0 + 1, false);
    ASSERT_TRUE(w.ok());
    EXPECT_EQ(*(*w)->Upsert(Contact("a1", "FR", {}, "A")), UpsertOutcome::kUnchanged);
    ASSERT_TRUE((*w)->SetWatermark("w").ok());
    ASSERT_TRUE((*w)->Commit({}).ok());
  }
  std::atomic<bool> committed{false};
  std::thread writer([&] {
    auto w = store->BeginRun("b", kT0 + 2, false);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->Upsert(Contact("b1", "FR", {}, "B")).ok());
    EXPECT_TRUE((*w)->Commit({}).ok());
    committed = true;
  });
  // Wait for the writer's commit to queue on the sequence lock (pg_locks), not for a guess.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!committed && std::chrono::steady_clock::now() < deadline &&
         holder.Text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
                     "AND classid = " +
                     std::to_string(postgres::kLockSequence)) == "0") {
  }
  EXPECT_FALSE(committed.load()) << "the commit did not wait for the sequence lock";
  {
    auto view = store->Read();  // readers do not wait
    ASSERT_TRUE(view.ok());
    EXPECT_EQ(*(*view)->MaxSeq(), 1);
    EXPECT_EQ(**(*view)->Watermark("a"), "w");
  }
  holder.Exec("SELECT pg_advisory_unlock(7310002, " + std::to_string(postgres::LockKey(schema_)) +
              ")");
  writer.join();
  EXPECT_TRUE(committed.load());
  EXPECT_EQ(*(*store->Read())->MaxSeq(), 2);
}

// The same workload on SQLite and on PostgreSQL gives the same outcomes and the same changes:
// sequence numbers, tombstones, records. It covers big runs (several COPY streams), ids written
// twice in one run, deletions, resurrections, unchanged records, records of other sources (point
// lookups, then the filter of their ids), and records whose provenance names another source.
TEST_F(PostgresStoreTest, TheSameWorkloadGivesTheSameChangesAsSqlite) {
  meabridge::testing::TempDir dir;
  auto sqlite = sqlite::OpenSqliteStore(dir.File("store.db"));
  ASSERT_TRUE(sqlite.ok()) << sqlite.status().ToString();
  auto pg = OpenOrDie();
  ASSERT_TRUE(pg);
  std::mt19937 rng(42);
  const std::string filler(900, 'f');
  std::vector<std::string> outcomes[2];
  for (int run = 0; run < 8; ++run) {
    // Run 1 stages several COPY streams; run 6, a new source on a table others fill, looks up
    // more ids than the run caches and filters.
    std::string source = run == 6 ? "late" : run % 3 == 2 ? "other" : "main";
    int n = run == 1 ? 4000 : run == 6 ? 1500 : 300;
    int ids = run == 6 ? 6000 : 3000;
    std::vector<std::tuple<int, int, int>> ops;  // kind (0 upsert, 1 delete), id, version
    for (int i = 0; i < n; ++i) {
      int id = static_cast<int>(rng() % static_cast<unsigned>(ids));
      int kind = rng() % 5 == 0 ? 1 : 0;
      int version = static_cast<int>(rng() % 3);
      ops.emplace_back(kind, id, version);
    }
    Store* stores[2] = {sqlite->get(), pg.get()};
    for (int b = 0; b < 2; ++b) {
      SCOPED_TRACE(b == 0 ? "sqlite" : "postgres");
      auto w = stores[b]->BeginRun(source, kT0 + run * 1000, run % 2 == 0);
      ASSERT_TRUE(w.ok()) << w.status().ToString();
      if (run == 5) {
        auto live = (*w)->LiveIds(Contacts());
        ASSERT_TRUE(live.ok());
        outcomes[b].push_back("live " + std::to_string(live->size()) + " " +
                              (live->empty() ? "" : live->front() + " " + live->back()));
      }
      for (const auto& [kind, id, version] : ops) {
        char name[16];
        std::snprintf(name, sizeof name, "c%04d", id);
        if (kind == 1) {
          auto d = (*w)->Delete(Contacts(), name);
          ASSERT_TRUE(d.ok()) << d.status().ToString();
          outcomes[b].push_back(*d ? "D" : "d");
          continue;
        }
        Record r =
            Contact(name, version == 0 ? "FR" : "DE", {"cbd"}, "v" + std::to_string(version));
        r.Set("address", Value(filler));
        if (id % 11 == 0) r.provenance.source = "elsewhere";
        if (id % 7 == 0) r.Set("updated", Value(model::DateTime{kT0 - id}));
        auto o = (*w)->Upsert(r);
        ASSERT_TRUE(o.ok()) << o.status().ToString();
        outcomes[b].push_back(std::to_string(static_cast<int>(*o)));
      }
      ASSERT_TRUE((*w)->Commit({}).ok());
    }
  }
  EXPECT_TRUE(outcomes[0] == outcomes[1]) << "the upsert outcomes differ";
  auto changes = [](Store& s) {
    std::vector<std::string> out;
    auto view = s.Read();
    EXPECT_TRUE(view.ok());
    Status st = (*view)->ScanChanges(nullptr, 0, -1, [&](const Change& c) {
      std::string line = std::to_string(c.seq) + " " + c.entity->set_name + "/" + c.id;
      if (c.deleted) {
        line += " deleted at " + std::to_string(c.deleted_at);
      } else {
        line += " " + model::CanonicalJson(*c.record) + " " + c.record->provenance.source + " " +
                std::to_string(c.record->provenance.run_id) + " " +
                c.record->provenance.content_hash;
      }
      out.push_back(line);
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    out.push_back("max " + std::to_string(*(*view)->MaxSeq()));
    return out;
  };
  std::vector<std::string> a = changes(**sqlite);
  std::vector<std::string> b = changes(*pg);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) ASSERT_EQ(a[i], b[i]) << "change #" << i;
  auto ia = (*sqlite)->Info();
  auto ib = pg->Info();
  EXPECT_EQ(ia->live_records, ib->live_records);
  EXPECT_EQ(ia->tombstones, ib->tombstones);
  EXPECT_EQ(ia->runs, ib->runs);
}

// --- leases: the server enforces the ttl
// ----------------------------------------------------------

// A holder that stays silent (hung, cut off) longer than its ttl loses the lease without its
// help: the server ends its session (idle_session_timeout), which releases the lock.
TEST_F(PostgresStoreTest, TheServerReleasesTheLeaseOfASilentHolder) {
  auto store = OpenOrDie();
  auto silent = store->TryLeaseSource("cites", "node-silent", 1000);
  ASSERT_TRUE(silent.ok() && *silent) << silent.status().ToString();
  auto start = std::chrono::steady_clock::now();
  auto other = OpenOrDie();
  std::unique_ptr<SourceLease> taken;
  while (!taken && std::chrono::steady_clock::now() - start < std::chrono::seconds(10)) {
    auto t = other->TryLeaseSource("cites", "node-other", 60000);
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    taken = std::move(*t);
    if (!taken) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  auto waited = std::chrono::steady_clock::now() - start;
  ASSERT_NE(taken, nullptr);
  EXPECT_GE(waited, std::chrono::milliseconds(900));
  Status late = (*silent)->Renew();
  EXPECT_EQ(late.code(), Status::Code::kFailedPrecondition) << late.ToString();
  // Who holds what is visible to the database administrator.
  Admin db(Admin::Url());
  EXPECT_EQ(db.Text("SELECT count(*) FROM pg_stat_activity WHERE application_name = "
                    "'meabridge lease cites @ node-other'"),
            "1");
}

// --- queries: parameters and plans
// ----------------------------------------------------------------

TEST(PostgresQuerySqlTest, EveryLiteralIsABoundParameter) {
  auto schema = postgres::Schema::Build(Reg());
  ASSERT_TRUE(schema.ok());
  const model::EntitySpec& C = Contacts();
  const postgres::TableInfo* t = schema->Find(C);
  ASSERT_TRUE(t);
  auto marker = [](int i) { return Value("MARK" + std::to_string(i) + "'\";--"); };
  auto text = [&](Expr::Kind k, int field, int i, std::string item = "") {
    auto e = std::make_unique<Expr>();
    e->kind = k;
    e->field = field;
    e->literal = marker(i);
    e->item_field = std::move(item);
    return e;
  };
  auto in = std::make_unique<Expr>();
  in->kind = Expr::Kind::kIn;
  in->field = Field(C, "country");
  in->list = {marker(1), marker(2)};
  auto any = std::make_unique<Expr>();
  any->kind = Expr::Kind::kAny;
  any->field = Field(C, "roles");
  any->children.push_back(text(Expr::Kind::kContains, Expr::kElement, 3, "role"));
  std::unique_ptr<Expr> e =
      Expr::And(Expr::And(std::move(in), std::move(any)),
                Expr::Or(Expr::Or(Expr::Compare(Field(C, "firstName"), Expr::Op::kEq, marker(4)),
                                  Expr::Compare(Field(C, "treaties"), Expr::Op::kNe, marker(5))),
                         Expr::Or(text(Expr::Kind::kStartsWith, Field(C, "lastName"), 6),
                                  text(Expr::Kind::kEndsWith, Field(C, "email"), 7))));
  Query q;
  q.entity = &C;
  q.filter = std::move(e);
  q.order_by = {{Field(C, "lastName"), true}};
  q.after = {marker(8), marker(9)};
  q.limit = 10;
  auto sql = postgres::CompileSelect(*t, q);
  ASSERT_TRUE(sql.ok()) << sql.status().ToString();
  EXPECT_EQ(sql->sql.find("MARK"), std::string::npos) << sql->sql;
  int found = 0;
  for (int i = 0; i < sql->params.size(); ++i) {
    const char* v = sql->params.Values()[i];
    if (v && std::string(v).rfind("MARK", 0) == 0) ++found;
  }
  EXPECT_EQ(found, 9);
  EXPECT_NE(sql->sql.find("DESC NULLS LAST"), std::string::npos) << sql->sql;
}

TEST_F(PostgresStoreTest, QueriesUseTheIndexes) {
  auto store = OpenOrDie();
  std::vector<Record> records;
  for (int i = 0; i < 2000; ++i) {
    records.push_back(Contact("c" + std::to_string(i), i % 50 == 0 ? "FR" : "DE",
                              {i % 100 == 0 ? "ramsar" : "cbd"}, "N"));
  }
  CommitRun(*store, "s", records, kT0);
  Admin db = AdminHere();
  db.Exec("ANALYZE");
  auto schema = postgres::Schema::Build(Reg());
  const model::EntitySpec& C = Contacts();
  const postgres::TableInfo* t = schema->Find(C);
  auto plan = [&](const Query& q) {
    auto c = postgres::CompileSelect(*t, q);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    std::string all;
    for (const std::string& row : db.Column("EXPLAIN (COSTS OFF) " + c->sql, 0, c->params)) {
      all += row + "; ";
    }
    return all;
  };
  Query by_country;
  by_country.entity = &C;
  by_country.filter = Expr::Compare(Field(C, "country"), Expr::Op::kEq, Value(std::string("FR")));
  EXPECT_NE(plan(by_country).find("e_contacts_country"), std::string::npos) << plan(by_country);
  Query by_treaty;
  by_treaty.entity = &C;
  by_treaty.filter =
      Expr::Compare(Field(C, "treaties"), Expr::Op::kEq, Value(std::string("ramsar")));
  EXPECT_NE(plan(by_treaty).find("e_contacts_treaties"), std::string::npos) << plan(by_treaty);
  Query by_updated;
  by_updated.entity = &C;
  by_updated.order_by = {{Field(C, "updated"), false}};
  by_updated.limit = 100;
  EXPECT_NE(plan(by_updated).find("e_contacts_updated"), std::string::npos) << plan(by_updated);
  Query by_id;
  by_id.entity = &C;
  by_id.limit = 100;
  EXPECT_EQ(plan(by_id).find("Sort"), std::string::npos) << plan(by_id);
}

}  // namespace
}  // namespace meabridge::store::testing
