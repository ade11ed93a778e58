// `meabridge harvest` and `meabridge check-config` as a user runs them: the real binary, a
// configuration file, a server on 127.0.0.1 serving the project's fixtures with faults.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <mutex>
#include <sstream>

#include <unistd.h>

#include "support/http_test_server.h"
#include "support/store_backends.h"
#include "support/test_support.h"

namespace meabridge {
namespace {

using testing::HttpTestServer;
using testing::Reply;
using testing::SeenRequest;

std::string Fixture(const std::string& relative) {
  std::ifstream in(testing::TestDataDir() + "/harvest/" + relative, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Replace(std::string s, const std::string& what, const std::string& with) {
  for (size_t at = 0; (at = s.find(what, at)) != std::string::npos; at += with.size()) {
    s.replace(at, what.size(), with);
  }
  return s;
}

std::string Contacts(int n, const std::string& version) {
  std::string s = "{\"d\": {\"results\": [";
  for (int i = 0; i < n; ++i) {
    if (i) s += ",";
    s += "{\"id\": \"c" + std::to_string(i) +
         "\", \"treaties\": [{\"value\": \"cbd\"}], \"country\": \"FR\", \"lastName\": \"" +
         version + "\"}";
  }
  return s + "]}}";
}

class HarvestCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<HttpTestServer>([this](const SeenRequest& r) {
      std::lock_guard lock(mu_);
      if (r.path == "/broken") return Reply::Status(500);
      if (r.path == "/auth") {
        if (r.Header("authorization") != "Bearer sekr1t-value") return Reply::Status(401);
        return Reply::Status(403, "the token sekr1t-value is revoked");
      }
      if (r.path == "/count") return Reply::Json(Contacts(count_, "v"));
      if (r.path == "/bomb") return Reply::Json(bomb_).Header("Content-Encoding", "gzip");
      if (r.path == "/v3") return Reply::Json(Replace(Fixture(v3_), "{base}", server_->Url("")));
      std::string body = Fixture(r.path.substr(1));
      if (body.empty()) return Reply::Status(404);
      return Reply::Json(Replace(body, "{base}", server_->Url("")));
    });
    config_ = dir_.File("meabridge.xml");
    testing::WriteFile(dir_.File("token"), "sekr1t-value\n");
  }

  void Config(const std::string& sources) {
    if (location_.empty()) location_ = StoreLocation(dir_.path());
    ASSERT_FALSE(location_.empty());
    testing::WriteFile(config_, "<meabridge>\n  <store location=\"" + location_ + "\"/>\n" +
                                    Replace(sources, "{base}", server_->Url("")) +
                                    "\n</meabridge>\n");
  }

  // The store: SQLite beside the configuration; testing::OnEachStore runs the TEST_P tests on
  // every backend (support/store_backends.h).
  virtual std::string StoreLocation(const std::string&) { return "sqlite:store.db"; }

  testing::ProcessResult Meabridge(std::vector<std::string> args) {
    args.insert(args.begin(), {"harvest", "--config", config_});
    return testing::RunMeabridge(args);
  }

  testing::TempDir dir_;
  std::string config_;
  std::string location_;
  std::mutex mu_;
  int count_ = 10;
  std::string bomb_;
  std::string v3_ = "v3/contacts.json";
  std::unique_ptr<HttpTestServer> server_;
};

// A gzip bomb (300 MB of zeros, about 300 KB on the wire) against the default max-size of
// 256 MB, through the real binary: the run fails at max-size, and its peak memory stays near
// that of a harvest of ten records (past 4 MB a body goes to a temporary file as it inflates),
// where holding it would cost 256 MB.
TEST_F(HarvestCliTest, AGzipBombStopsAtMaxSizeWithTheMemoryOfASmallPage) {
  ASSERT_EQ(access("/usr/bin/time", X_OK), 0) << "/usr/bin/time is missing: run scripts/setup.sh";
  bomb_ = testing::GzipBomb(int64_t{300} << 20);
  auto peak_kb = [&](const std::string& url, int want_exit, const std::string& want_out) {
    Config(R"(<source name="s" kind="http" url=")" + url +
           R"(" mapping="mappings/informea-odata-v2/contacts.xml"/>)");
    const std::string rss = dir_.File("rss");
    testing::ProcessResult r = testing::RunProcess(
        {"/usr/bin/time", "-f", "%M", "-o", rss, testing::BinaryPath(), "harvest", "--config",
         config_});
    EXPECT_EQ(r.exit_code, want_exit) << r.out << r.err;
    EXPECT_NE((r.out + r.err).find(want_out), std::string::npos) << r.out << r.err;
    // The last line (time writes "Command exited with non-zero status 1" before it).
    std::string text = testing::ReadFileOrDie(rss);
    while (!text.empty() && text.back() == '\n') text.pop_back();
    return std::stoll(text.substr(text.rfind('\n') + 1));
  };
  const int64_t small = peak_kb("{base}/count", 0, "s: ok  fetched 10");
  const int64_t bomb =
      peak_kb("{base}/bomb", 1, "larger than max-size (256.0 MB, counted after decompression)");
  EXPECT_LT(bomb, small + 48 * 1024) << "peak RSS: " << bomb << " KB for the bomb, " << small
                                     << " KB for ten records";
}

// The tests below that exercise the store run on every backend (support/store_backends.h).
class HarvestCliStoresTest : public meabridge::testing::OnEachStore<HarvestCliTest> {};

TEST_P(HarvestCliStoresTest, HarvestsEveryEnabledSourceAndPrintsASummaryEach) {
  Config(R"(
  <source name="v2" kind="http" url="{base}/v2/contacts-1.json"
          mapping="mappings/informea-odata-v2/contacts.xml"/>
  <source name="sheet" kind="file" path=")" +
         testing::TestDataDir() + R"(/harvest/csv/focal-points.csv"
          mapping="mappings/focal-points-csv/contacts.json"/>
  <source name="off" kind="http" url="{base}/broken" enabled="false"
          mapping="mappings/informea-odata-v2/contacts.xml"/>)");
  testing::ProcessResult r = Meabridge({});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("v2: ok  fetched 7  created 7  updated 0  unchanged 0  deleted 0  "
                       "rejected 0  pages 3"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("sheet: ok  fetched 4  created 3"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  rejects: 1 (all of them: meabridge rejects --run "), std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("off:"), std::string::npos) << "a disabled source runs only when named";
  EXPECT_EQ(r.err.find("\r"), std::string::npos) << "no progress line without a terminal";

  r = Meabridge({});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("v2: ok (not modified)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("sheet: ok (not modified)"), std::string::npos) << r.out;

  r = Meabridge({"--full", "v2"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("v2: ok  fetched 7  created 0  updated 0  unchanged 7"), std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("sheet:"), std::string::npos);
}

TEST_P(HarvestCliStoresTest, AFailingSourceExitsOneAndTheOthersStillRun) {
  Config(R"(
  <source name="bad" kind="http" url="{base}/broken" retries="0"
          mapping="mappings/informea-odata-v2/contacts.xml"/>
  <source name="good" kind="http" url="{base}/v2/contacts-1.json"
          mapping="mappings/informea-odata-v2/contacts.xml"/>)");
  testing::ProcessResult r = Meabridge({});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("bad: FAILED"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  error: source 'bad', page 1: GET " + server_->Url("/broken") +
                       ": HTTP 500 Internal Server Error (gave up after 1 try"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("good: ok  fetched 7  created 7"), std::string::npos) << r.out;
}

TEST_P(HarvestCliStoresTest, TheGuardAbortsAndForceCommits) {
  Config(R"(
  <source name="drop" kind="http" url="{base}/count" deletion="snapshot"
          mapping="mappings/informea-odata-v2/contacts.xml"/>)");
  ASSERT_EQ(Meabridge({}).exit_code, 0);
  {
    std::lock_guard lock(mu_);
    count_ = 1;
  }
  testing::ProcessResult r = Meabridge({});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("drop: ABORTED"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("mass-deletion guard: this run would delete 9 of the 10 records"),
            std::string::npos)
      << r.out;
  r = Meabridge({"--force", "drop"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("deleted 9"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("warning: mass-deletion guard overridden (--force)"), std::string::npos)
      << r.out;
}

TEST_P(HarvestCliStoresTest, SecondHarvestOfEditedContactsUpdatesAndDuplicatesNone) {
  Config(R"(
  <source name="cbd" kind="http" url="{base}/v3" deletion="snapshot"
          mapping="mappings/informea-odata-v3/contacts.xml"/>)");
  testing::ProcessResult r = Meabridge({});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("created 3"), std::string::npos) << r.out;
  {
    std::lock_guard lock(mu_);
    v3_ = "v3/contacts-updated.json";
  }
  r = Meabridge({});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("fetched 3  created 0  updated 2  unchanged 1  deleted 0"),
            std::string::npos)
      << r.out;
}

TEST_F(HarvestCliTest, UsageErrorsExitTwo) {
  Config(R"(
  <source name="cbd-contacts" kind="http" url="{base}/v2/contacts-1.json"
          mapping="mappings/informea-odata-v2/contacts.xml"/>)");
  testing::ProcessResult r = Meabridge({"cbd-contact"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no source named 'cbd-contact'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("did you mean 'cbd-contacts'?"), std::string::npos) << r.err;
  r = Meabridge({"--fast"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  testing::WriteFile(config_, "<meabridge><source name=\"x\" kind=\"http\"/></meabridge>");
  r = Meabridge({});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("needs the attribute 'mapping'"), std::string::npos) << r.err;
}

TEST_F(HarvestCliTest, HelpSaysEverything) {
  testing::ProcessResult r = testing::RunMeabridge({"harvest", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* part :
       {"usage: meabridge harvest [--config FILE] [--full] [--force] [SOURCE...]", "--full",
        "--force", "exit status", "examples:", "meabridge harvest -c meabridge.xml cbd-contacts"}) {
    EXPECT_NE(r.out.find(part), std::string::npos) << part << "\n" << r.out;
  }
}

TEST_F(HarvestCliTest, SecretsNeverShowInOutputLogsOrCheckConfig) {
  Config(R"(
  <source name="auth" kind="http" url="{base}/auth?access_token=sekr1t-value&amp;page=1"
          auth="bearer" secret-file="token" retries="0"
          mapping="mappings/informea-odata-v2/contacts.xml">
    <header name="X-Partner-Key" value="hdr-key-777"/>
  </source>
  <source name="db" kind="sql" driver="postgresql" secret-env="DB_PASSWORD"
          connection="host=127.0.0.1 dbname=nfp user=reader password={secret}"
          query="SELECT 1" mapping="mappings/focal-points-csv/contacts.json"/>
  <source name="db2" kind="sql" driver="mysql"
          connection="host=127.0.0.1;db=nfp;user=reader;password=inline-pw-42"
          query="SELECT 1" mapping="mappings/focal-points-csv/contacts.json"/>)");
  testing::ProcessResult r = testing::RunMeabridge({"harvest", "--config", config_, "auth"},
                                                   {"MEABRIDGE_LOG_LEVEL=debug"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("HTTP 403 Forbidden"), std::string::npos) << r.out;
  testing::ProcessResult check = testing::RunMeabridge({"check-config", "--config", config_});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_NE(check.out.find("auth     bearer, secret from file " + dir_.File("token")),
            std::string::npos)
      << check.out;
  EXPECT_NE(check.out.find("headers  X-Partner-Key (values not shown)"), std::string::npos)
      << check.out;
  EXPECT_NE(check.out.find("password={secret}"), std::string::npos) << check.out;
  EXPECT_NE(check.out.find("password=***"), std::string::npos) << check.out;
  for (std::string secret : {"sekr1t-value", "hdr-key-777", "inline-pw-42"}) {
    for (const std::string* text : {&r.out, &r.err, &check.out, &check.err}) {
      EXPECT_EQ(text->find(secret), std::string::npos) << secret << " in:\n" << *text;
    }
  }
}

// Issue 14, point 5: a successful run with credentials in its URL and a configured secret
// leaves none of them in the store file, in `status` (text and JSON) or in the logs.
TEST_F(HarvestCliTest, ASuccessfulRunStoresAndPrintsNoSecret) {
  const std::string base = Replace(server_->Url(""), "http://", "http://reader:PW-5555@");
  Config(R"(
  <source name="keyed" kind="http"
          url=")" + base + R"(/v2/contacts-1.json?api_key=AK-1111&amp;access_token=AT-2222&amp;token=TK-3333&amp;key=KY-4444"
          auth="header" auth-header="X-Key" secret-file="token"
          mapping="mappings/informea-odata-v2/contacts.xml"/>)");
  testing::ProcessResult r =
      testing::RunMeabridge({"harvest", "--config", config_}, {"MEABRIDGE_LOG_LEVEL=debug"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  testing::ProcessResult again =
      testing::RunMeabridge({"harvest", "--config", config_}, {"MEABRIDGE_LOG_LEVEL=debug"});
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_NE(again.out.find("not modified"), std::string::npos)
      << "the stored pages still match the configured URL\n" << again.out;
  testing::ProcessResult text = testing::RunMeabridge({"status", "--config", config_});
  testing::ProcessResult json = testing::RunMeabridge({"status", "--config", config_, "--json"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_NE(text.out.find("api_key=***"), std::string::npos) << text.out;
  std::string store_bytes;
  for (const char* file : {"store.db", "store.db-wal"}) {
    std::ifstream in(dir_.File(file), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    store_bytes += ss.str();
  }
  ASSERT_FALSE(store_bytes.empty());
  for (const char* secret :
       {"AK-1111", "AT-2222", "TK-3333", "KY-4444", "PW-5555", "sekr1t-value"}) {
    for (const std::string* where :
         {&r.out, &r.err, &again.out, &again.err, &text.out, &json.out, &store_bytes}) {
      EXPECT_EQ(where->find(secret), std::string::npos)
          << secret << " found in " << (where == &store_bytes ? std::string("the store file")
                                                              : *where);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Stores, HarvestCliStoresTest,
                         ::testing::ValuesIn(meabridge::testing::StoreBackends()),
                         meabridge::testing::StoreBackendName);

}  // namespace
}  // namespace meabridge
