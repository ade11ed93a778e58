// The file, sql and vocabulary source kinds, secrets, the source claim, and the harvesting keys of
// the configuration.
#include <sqlite3.h>
#include <stdlib.h>

#include <atomic>
#include <mutex>

#include "config/config.h"
#include "core/log.h"
#include "harvest/state.h"
#include "harvest_fixture.h"

namespace meabridge::harvest::test {
namespace {

using testing::HttpTestServer;
using testing::Reply;
using testing::SeenRequest;

class SourcesTest : public HarvestTest {};

// The tests below that exercise the store run on every backend (support/store_backends.h).
class SourcesStoresTest : public meabridge::testing::OnEachStore<SourcesTest> {};

TEST_P(SourcesStoresTest, FileSourceDecodesOnceAndThenOnlyWhenTheFileChanges) {
  std::string path = dir_.File("fp.csv");
  meabridge::testing::WriteFile(path, ReadFile(FixturePath("csv/focal-points.csv")));
  config::SourceConfig s = Source("sheet", "", "focal-points-csv/contacts.json");
  s.kind = "file";
  s.path = path;
  s.deletion = "snapshot";
  RunReport r = Harvest(s);
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_EQ(r.run.counts.created, 3);
  EXPECT_EQ(r.run.counts.rejected, 1);
  std::vector<store::Reject> rejects = Rejects(r.run.id);
  ASSERT_EQ(rejects.size(), 1u);
  EXPECT_EQ(rejects[0].record_id, "fp-3");
  EXPECT_EQ(rejects[0].position, "line 4");
  EXPECT_EQ(rejects[0].field, "country");
  EXPECT_EQ(rejects[0].value, "Atlantis");

  r = Harvest(s);
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_TRUE(r.not_modified);

  // One row less: the snapshot deletes it (1 of 3 is more than 20%: forced).
  std::string csv = ReadFile(path);
  csv = csv.substr(0, csv.rfind("fp-4,"));
  meabridge::testing::WriteFile(path, csv);
  r = Harvest(s, false, /*force=*/true);
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_EQ(r.run.counts.deleted, 1);
  EXPECT_FALSE(Live("fp-4"));
  EXPECT_TRUE(Live("fp-1"));

  s.path = dir_.File("nope.csv");
  r = Harvest(s);
  EXPECT_EQ(r.run.status, "failed");
  EXPECT_NE(r.run.error.find("nope.csv"), std::string::npos) << r.run.error;
}

// The vocabulary kind: the treaties vocabulary becomes the Treaties entity set (the embedded
// default's `treaties` source), every term a record; unchanged, it is not decoded again.
TEST_P(SourcesStoresTest, VocabularySourcePublishesTheTreatyList) {
  config::SourceConfig s = Source("treaties", "", "vocab/treaties.json");
  s.kind = "vocabulary";
  s.vocabulary = "treaties";
  s.deletion = "snapshot";
  RunReport r = Harvest(s);
  ASSERT_TRUE(r.ok()) << r.run.error;
  const vocab::Vocabulary* treaties = vocab::Vocabularies::System().Find("treaties");
  ASSERT_NE(treaties, nullptr);
  EXPECT_EQ(r.run.counts.created, static_cast<int64_t>(treaties->terms().size()));
  EXPECT_EQ(r.run.counts.rejected, 0);
  const model::EntitySpec& t = *model::Registry::Default().Find("Treaties");
  auto view = store_->Read();
  auto cartagena = (*view)->Get(t, "cartagena");
  ASSERT_TRUE(cartagena.ok() && cartagena->has_value());
  EXPECT_EQ(std::get<std::string>(*(*cartagena)->Find("parent")), "cbd");
  const auto& title = std::get<model::Multilingual>(*(*cartagena)->Find("title"));
  ASSERT_NE(model::FindText(title, "en"), nullptr);
  EXPECT_EQ(*model::FindText(title, "en"), treaties->FindCode("cartagena")->label);

  r = Harvest(s);
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_TRUE(r.not_modified);

  s.vocabulary = "planets";
  r = Harvest(s);
  EXPECT_EQ(r.run.status, "failed");
  EXPECT_NE(r.run.error.find("source 'treaties': there is no vocabulary 'planets'; there are "),
            std::string::npos)
      << r.run.error;
}

void Exec(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
}

TEST_F(SourcesTest, SqlSourceOnSqliteMapsRowsLikeCsv) {
  std::string path = dir_.File("secretariat.db");
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  Exec(db, R"(CREATE TABLE focal_points ("ID" TEXT, "Treaties" TEXT, "Country" TEXT,
      "First name" TEXT, "Last name" TEXT, "Email" TEXT, "Primary" TEXT, "Last updated" TEXT,
      changed_ms INTEGER);
    INSERT INTO focal_points VALUES ('sql-1', 'cbd;cms', 'FR', 'Claire', 'Martin', NULL, 'yes', '2021-05-01', 1000);
    INSERT INTO focal_points VALUES ('sql-2', 'ramsar', 'Kenya', 'Peter', 'Otieno', 'p@example.ke', 'no', '2021-05-02', 2000);
    INSERT INTO focal_points VALUES ('sql-3', 'basel', 'Atlantis', 'Nemo', 'Captain', NULL, NULL, NULL, 3000);)");
  config::SourceConfig s = Source("db", "", "focal-points-csv/contacts.json");
  s.kind = "sql";
  s.driver = "sqlite";
  s.connection = path;
  s.query = "SELECT * FROM focal_points ORDER BY \"ID\"";
  s.deletion = "snapshot";
  RunReport r = Harvest(s);
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_EQ(r.run.counts.created, 2);
  EXPECT_EQ(r.run.counts.rejected, 1);
  EXPECT_EQ(Field("sql-2", "country"), "KE");
  EXPECT_EQ(Field("sql-1", "email"), "") << "NULL is no value";
  std::vector<store::Reject> rejects = Rejects(r.run.id);
  ASSERT_EQ(rejects.size(), 1u);
  EXPECT_EQ(rejects[0].position, "row 3");
  EXPECT_EQ(rejects[0].record_id, "sql-3");

  // Incremental: {since} is a bound parameter carrying the watermark.
  Exec(db, "UPDATE focal_points SET \"Last name\" = 'Martin-Dupont', changed_ms = " +
               std::to_string(int64_t{4102444800000}) + " WHERE \"ID\" = 'sql-1'");
  s.incremental = "param";
  s.since_format = "epoch-ms";
  s.since_overlap_ms = 0;
  s.query = "SELECT * FROM focal_points WHERE changed_ms > {since} ORDER BY \"ID\"";
  r = Harvest(s);  // the first run with this query: still a full one (no last_full yet? no: it has)
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_FALSE(r.run.full) << "the watermark of the last run makes it incremental";
  EXPECT_EQ(r.run.counts.fetched, 1);
  EXPECT_EQ(r.run.counts.updated, 1);
  EXPECT_EQ(Field("sql-1", "lastName"), "Martin-Dupont");
  EXPECT_EQ(LiveCount(), 2) << "an incremental run deletes nothing";

  // A query that fails names the source and the driver.
  s.query = "SELECT * FROM no_such_table";
  s.incremental = "none";
  r = Harvest(s);
  EXPECT_EQ(r.run.status, "failed");
  EXPECT_NE(r.run.error.find("source 'db' (sqlite)"), std::string::npos) << r.run.error;
  EXPECT_NE(r.run.error.find("no_such_table"), std::string::npos) << r.run.error;
  sqlite3_close(db);
}

std::mutex log_mu;
std::vector<std::string> log_lines;
void CaptureLog(core::LogLevel, std::string_view line) {
  std::lock_guard lock(log_mu);
  log_lines.emplace_back(line);
}

TEST_F(SourcesTest, SecretsAuthenticateAndNeverShowInReportsRejectsOrLogs) {
  const std::string secret = "tok-9f8e7d6c5b4a";
  std::atomic<bool> refuse{false};
  HttpTestServer server([&](const SeenRequest& r) {
    if (r.Header("authorization") != "Bearer " + secret) return Reply::Status(401);
    if (refuse) return Reply::Status(403, "token " + secret + " revoked");
    // A record whose value carries the secret, rejected with it in its message.
    return Reply::Json(V2Page(MakeContacts(2)).substr(0, 20) +
                       "{\"id\": \"x\", \"treaties\": [{\"value\": \"" + secret + "\"}]}, " +
                       V2Page(MakeContacts(2)).substr(20));
  });
  meabridge::testing::WriteFile(dir_.File("token"), "  " + secret + "\n");
  config::SourceConfig s = Source("auth", server.Url("/c?access_token=" + secret));
  s.auth = "bearer";
  s.secret_file = dir_.File("token");
  core::SetLogSink(&CaptureLog);
  core::SetLogLevel(core::LogLevel::kDebug);
  RunReport ok = Harvest(s);
  refuse = true;
  RunReport failed = Harvest(s);
  core::SetLogSink(nullptr);
  core::SetLogLevel(core::LogLevel::kInfo);
  ASSERT_TRUE(ok.ok()) << ok.run.error;
  EXPECT_EQ(ok.run.counts.created, 2);
  EXPECT_EQ(ok.run.counts.rejected, 1);
  EXPECT_EQ(failed.run.status, "failed");
  EXPECT_NE(failed.run.error.find("HTTP 403"), std::string::npos) << failed.run.error;
  auto clean = [&](const std::string& text, const std::string& what) {
    EXPECT_EQ(text.find(secret), std::string::npos) << what << ": " << text;
  };
  clean(failed.run.error, "error");
  for (const RunReport* r : {&ok, &failed}) {
    for (const std::string& w : r->run.warnings) clean(w, "warning");
  }
  for (const store::RunRecord& run : Runs("auth")) clean(run.error, "recorded error");
  for (const store::Reject& rej : Rejects(ok.run.id)) {
    clean(rej.message, "reject message");
    clean(rej.value, "reject value");
  }
  std::lock_guard lock(log_mu);
  ASSERT_FALSE(log_lines.empty());
  for (const std::string& line : log_lines) clean(line, "log");
  log_lines.clear();
}

TEST_F(SourcesTest, SecretFromTheEnvironmentAndMissingSecrets) {
  HttpTestServer server([](const SeenRequest& r) {
    if (r.Header("x-api-key") != "env-key-123") return Reply::Status(401);
    return Reply::Json(V2Page(MakeContacts(1)));
  });
  config::SourceConfig s = Source("env", server.Url("/c"));
  s.auth = "header";
  s.auth_header = "X-API-Key";
  s.secret_env = "MEABRIDGE_TEST_HARVEST_KEY";
  ::unsetenv("MEABRIDGE_TEST_HARVEST_KEY");
  RunReport r = Harvest(s);
  EXPECT_EQ(r.run.status, "failed");
  EXPECT_NE(r.run.error.find("MEABRIDGE_TEST_HARVEST_KEY (secret-env) is not set"),
            std::string::npos)
      << r.run.error;
  ::setenv("MEABRIDGE_TEST_HARVEST_KEY", "env-key-123", 1);
  r = Harvest(s);
  ::unsetenv("MEABRIDGE_TEST_HARVEST_KEY");
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_EQ(r.run.counts.created, 1);
}

TEST_F(SourcesTest, ASourceIsHarvestedByOneRunAtATime) {
  LocalClaims claims;
  auto first = claims.Claim("a");
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(claims.Claim("a").ok());
  EXPECT_TRUE(claims.Claim("b").ok());

  // A run of a claimed source does nothing and records nothing.
  HttpTestServer server([](const SeenRequest&) { return Reply::Json(V2Page(MakeContacts(1))); });
  HarvesterDeps deps = Deps();
  deps.claims = &claims;
  Harvester h(config_, *store_, deps);
  RunReport r = h.Run(Source("a", server.Url("/")), HarvestOptions{});
  EXPECT_FALSE(r.claimed);
  EXPECT_NE(r.run.error.find("being harvested by another run"), std::string::npos);
  EXPECT_EQ(server.request_count(), 0u);
  EXPECT_TRUE(Runs("a").empty());
  first->reset();
  r = h.Run(Source("a", server.Url("/")), HarvestOptions{});
  EXPECT_TRUE(r.ok()) << r.run.error;
}

TEST_P(SourcesStoresTest, ThreadsHarvestDifferentSourcesAtOnce) {
  HttpTestServer server(
      [](const SeenRequest& r) { return Reply::Json(V2Page(MakeContacts(50, r.path.substr(1)))); });
  Harvester h(config_, *store_, Deps());
  std::vector<std::thread> threads;
  std::vector<RunReport> reports(4);
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      std::string name = "t" + std::to_string(i);
      reports[i] = h.Run(Source(name, server.Url("/" + name)), HarvestOptions{});
    });
  }
  for (std::thread& t : threads) t.join();
  for (const RunReport& r : reports) EXPECT_TRUE(r.ok()) << r.run.error;
  EXPECT_EQ(LiveCount(), 200);
}

TEST_F(SourcesTest, ProgressIsReported) {
  HttpTestServer server(nullptr);
  server.SetHandler([&](const SeenRequest& r) { return ServeFixture(r, server.Url("")); });
  Harvester h(config_, *store_, Deps());
  HarvestOptions o;
  std::vector<Progress> seen;
  o.progress = [&](const Progress& p) { seen.push_back(p); };
  ASSERT_TRUE(h.Run(Source("p", server.Url("/v2/contacts-1.json")), o).ok());
  ASSERT_GE(seen.size(), 4u);
  EXPECT_EQ(seen.front().source, "p");
  bool fetched_three = false;
  for (const Progress& p : seen)
    fetched_three = fetched_three || (p.phase == "fetch" && p.pages == 3 && p.records == 7);
  EXPECT_TRUE(fetched_three);
}

// ---- configuration ----

config::LoadResult Load(const std::string& dir, const std::string& source_xml) {
  meabridge::testing::WriteFile(dir + "/m.xml", "<mapping/>");
  meabridge::testing::WriteFile(dir + "/token", "x");
  return config::LoadConfigText("<meabridge>" + source_xml + "</meabridge>", "c.xml", dir);
}

std::string Errors(const config::LoadResult& r) {
  std::string s;
  for (const config::ConfigError& e : r.errors) s += e.ToString() + "\n";
  return s;
}

TEST_F(SourcesTest, ConfigurationReadsEveryHarvestKey) {
  config::LoadResult r = Load(dir_.path(), R"xml(
  <source name="cbd" kind="http" url="https://api.example.org/svc/Contacts" mapping="m.xml"
          paging="skip" page-size="250" max-pages="40" deletion="probe" max-deletion-share="10%"
          probe-url="https://api.example.org/svc/Contacts('{id}')" incremental="filter"
          since-filter="modified gt {since}" since-format="odata-v2" since-overlap="5m"
          full-every="7d" conditional="false" auth="basic" auth-user="me" secret-file="token"
          connect-timeout="3s" timeout="45s" max-size="10MB" max-redirects="2" tls-verify="false"
          retries="6" retry-delay="500ms" retry-max-delay="2m">
    <header name="Accept-Language" value="fr"/>
  </source>
  <source name="db" kind="sql" driver="sqlite" connection="nfp.db" mapping="m.xml"
          query="SELECT * FROM t WHERE u > {since}" incremental="param" since-format="epoch-ms"/>)xml");
  ASSERT_TRUE(r.config) << Errors(r);
  const config::SourceConfig& s = *r.config->FindSource("cbd");
  EXPECT_EQ(s.paging, "skip");
  EXPECT_EQ(s.page_size, 250);
  EXPECT_EQ(s.max_pages, 40);
  EXPECT_EQ(s.deletion, "probe");
  EXPECT_DOUBLE_EQ(s.max_deletion_share, 0.1);
  EXPECT_EQ(s.incremental, "filter");
  EXPECT_EQ(s.since_filter, "modified gt {since}");
  EXPECT_EQ(s.since_format, "odata-v2");
  EXPECT_EQ(s.since_overlap_ms, 300000);
  EXPECT_EQ(s.full_every_ms, 7 * 86400000);
  EXPECT_FALSE(s.conditional);
  EXPECT_EQ(s.auth, "basic");
  EXPECT_EQ(s.secret_file, dir_.File("token"));
  EXPECT_EQ(s.connect_timeout_ms, 3000);
  EXPECT_EQ(s.timeout_ms, 45000);
  EXPECT_EQ(s.max_size, 10 << 20);
  EXPECT_EQ(s.max_redirects, 2);
  EXPECT_FALSE(s.tls_verify);
  EXPECT_EQ(s.retries, 6);
  EXPECT_EQ(s.retry_delay_ms, 500);
  EXPECT_EQ(s.retry_max_delay_ms, 120000);
  ASSERT_EQ(s.headers.size(), 1u);
  EXPECT_EQ(s.headers[0].value, "fr");
  const config::SourceConfig& db = *r.config->FindSource("db");
  EXPECT_EQ(db.connection, dir_.File("nfp.db"));
  EXPECT_EQ(db.incremental, "param");

  // The defaults.
  r = Load(dir_.path(), R"(<source name="d" kind="http" url="https://h/x" mapping="m.xml"/>)");
  ASSERT_TRUE(r.config) << Errors(r);
  const config::SourceConfig& d = r.config->sources[0];
  EXPECT_EQ(d.paging, "auto");
  EXPECT_EQ(d.deletion, "none");
  EXPECT_DOUBLE_EQ(d.max_deletion_share, 0.2);
  EXPECT_EQ(d.incremental, "none");
  EXPECT_TRUE(d.conditional);
  EXPECT_TRUE(d.tls_verify);
  EXPECT_EQ(d.max_size, int64_t{256} << 20);
  EXPECT_EQ(d.retries, 4);
}

TEST_F(SourcesTest, ConfigurationRefusesContradictions) {
  struct Case {
    const char* xml;
    const char* error;
  } cases[] = {
      {R"(<source name="a" kind="file" path="m.xml" mapping="m.xml" deletion="probe"/>)",
       "a file source cannot be probed"},
      {R"(<source name="a" kind="http" url="https://h/" mapping="m.xml" auth="bearer"/>)",
       "auth=\"bearer\" needs a secret"},
      {R"(<source name="a" kind="http" url="https://h/" mapping="m.xml" auth="basic" secret-env="X"/>)",
       "needs auth-user"},
      {R"(<source name="a" kind="http" url="https://h/" mapping="m.xml" auth="header" secret-env="X"/>)",
       "needs auth-header"},
      {R"(<source name="a" kind="http" url="https://h/" mapping="m.xml" secret-env="X" secret-file="token"/>)",
       "not both"},
      {R"(<source name="a" kind="http" url="https://h/" mapping="m.xml" secret-file="missing"/>)",
       "secret file"},
      {R"(<source name="a" kind="http" url="https://h/" mapping="m.xml" incremental="filter" since-filter="updated gt 1"/>)",
       "since-filter must contain {since}"},
      {R"(<source name="a" kind="http" url="https://h/" mapping="m.xml" probe-url="https://h/x"/>)",
       "probe-url must contain {id}"},
      {R"(<source name="a" kind="sql" mapping="m.xml"/>)", "needs a driver"},
      {R"(<source name="a" kind="sql" driver="sqlite" connection="x.db" mapping="m.xml" query="SELECT 1" incremental="param"/>)",
       "needs {since} in the query"},
      {R"(<source name="a" kind="http" url="https://h/" mapping="m.xml" query="SELECT 1"/>)",
       "query applies to sql sources"},
      {R"(<source name="a" kind="sql" driver="sqlite" connection="x.db" mapping="m.xml" query="SELECT 1"><child name="t" key="a_id" query="SELECT 1"/></source>)",
       "source 'a' has <child> queries but no key"},
      {R"(<source name="a" kind="sql" driver="sqlite" connection="x.db" mapping="m.xml" key="id" query="SELECT 1 WHERE x > {since}" incremental="param"><child name="t" key="a_id" query="SELECT 1"/></source>)",
       "source 'a': child 't' needs {since} too"},
      {R"(<source name="a" kind="file" path="m.xml" mapping="m.xml"><child name="t" key="a_id" query="SELECT 1"/></source>)",
       "<child> applies to sql sources"},
      {R"(<source name="a" kind="file" path="m.xml" mapping="m.xml" default-language="en"/>)",
       "default-language applies to sql sources"},
      {R"(<source name="a" kind="sql" driver="sqlite" connection="x.db" mapping="m.xml" query="SELECT 1" time-zone="Europe/Atlantis"/>)",
       "source 'a': time zone 'Europe/Atlantis' is not in the system's tz database"},
      {R"(<source name="a" kind="sql" driver="sqlite" connection="x.db" mapping="m.xml" query="SELECT 1" time-zone="+1:00"/>)",
       "source 'a': time zone '+1:00' is not an offset"},
      {R"(<source name="a" kind="sql" driver="sqlite" connection="x.db" mapping="m.xml" query="SELECT 1"><child name="t" query="SELECT 1"/></source>)",
       "key"},
      {R"(<source name="a" kind="vocabulary" mapping="m.xml"/>)",
       "source 'a' of kind vocabulary needs a vocabulary"},
      {R"(<source name="a" kind="file" path="m.xml" mapping="m.xml" vocabulary="treaties"/>)",
       "source 'a': vocabulary applies to vocabulary sources (this one is file)"},
      {R"(<source name="a" kind="vocabulary" vocabulary="treaties" mapping="m.xml" incremental="param"/>)",
       "a vocabulary source has no query to add a parameter to"},
      {R"(<source name="a" kind="file" path="m.xml" mapping="m.xml"><header name="A" value="b"/></source>)",
       "<header> applies to http sources"},
      {R"(<source name="a" kind="http" url="https://h/" mapping="m.xml" deletion="sometimes"/>)",
       "not one of none, snapshot, probe, flag"},
      {R"(<source name="a" kind="http" url="https://h/" mapping="m.xml" max-deletion-share="150%"/>)",
       "expected a share"},
  };
  for (const Case& c : cases) {
    config::LoadResult r = Load(dir_.path(), c.xml);
    EXPECT_FALSE(r.config) << c.xml;
    EXPECT_NE(Errors(r).find(c.error), std::string::npos) << c.xml << "\n" << Errors(r);
  }
}

INSTANTIATE_TEST_SUITE_P(Stores, SourcesStoresTest,
                         ::testing::ValuesIn(meabridge::testing::StoreBackends()),
                         meabridge::testing::StoreBackendName);

}  // namespace
}  // namespace meabridge::harvest::test
