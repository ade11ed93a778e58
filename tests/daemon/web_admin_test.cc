// The admin API: off without a token file, 401 for a missing or wrong token, the token file
// re-read when it changes, every endpoint's answers, and the constant-time comparison helper.
#include <sys/stat.h>

#include <ctime>

#include "core/json.h"
#include "daemon/web/admin.h"
#include "web_fixture.h"

namespace meabridge::daemon::web::testing {
namespace {

using meabridge::testing::WriteFile;

// Writes the token file with an mtime of its own, so that the server sees every rewrite even
// on a file system with coarse timestamps.
void WriteToken(const std::string& path, const std::string& token, int generation) {
  WriteFile(path, token);
  struct timespec times[2];
  times[0].tv_sec = 1700000000 + generation;
  times[0].tv_nsec = 0;
  times[1] = times[0];
  ASSERT_EQ(utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
}

class AdminTest : public WebTest {
 protected:
  void SetUp() override {
    WebTest::SetUp();
    token_file_ = dir_.File("admin-token");
    WriteToken(token_file_, "  s3cret-token-0123456789\n", 0);
    control_.SetAdminTokenFile(token_file_);
  }

  HttpAnswer Admin(const std::string& method, const std::string& target,
                   const std::string& token = "s3cret-token-0123456789") {
    return Call(server_->port(), method, target, {{"Authorization", "Bearer " + token}});
  }

  static rapidjson::Document Json(const HttpAnswer& a) {
    rapidjson::Document doc;
    Status st = json::Parse(a.body, doc);
    EXPECT_TRUE(st.ok()) << st.ToString() << "\n" << a.body;
    return doc;
  }

  std::string token_file_;
};

TEST(AdminTokens, ConstantTimeComparisonMatchesExactlyTheSameToken) {
  EXPECT_TRUE(TokenMatches("abc", "abc"));
  EXPECT_FALSE(TokenMatches("abd", "abc"));
  EXPECT_FALSE(TokenMatches("ab", "abc"));
  EXPECT_FALSE(TokenMatches("abcd", "abc"));
  EXPECT_FALSE(TokenMatches("", "abc"));
  EXPECT_FALSE(TokenMatches("", "")) << "an empty expected token never matches";
  std::string long_token(4096, 'x');
  EXPECT_TRUE(TokenMatches(long_token, long_token));
  EXPECT_FALSE(TokenMatches(long_token + "y", long_token));
  EXPECT_FALSE(TokenMatches(std::string("abc\0d", 5), "abc"));
}

TEST(AdminTokens, BearerTokenParsing) {
  struct Case {
    const char* header;
    const char* token;
  };
  for (const Case& c : std::vector<Case>{{"Bearer abc", "abc"},
                                         {"bearer abc", "abc"},
                                         {"BEARER   abc  ", "abc"},
                                         {"Bearer\tabc", "abc"},
                                         {"Bearer", ""},
                                         {"Bearer ", ""},
                                         {"Bearerabc", ""},
                                         {"Basic YWxhZGRpbjpvcGVuc2VzYW1l", ""},
                                         {"", ""}}) {
    EXPECT_EQ(BearerToken(c.header), c.token) << c.header;
  }
}

TEST_F(WebTest, AdminIsOffWithoutATokenFile) {
  for (const char* method : {"GET", "POST", "DELETE"}) {
    for (const char* path :
         {"/admin/sources", "/admin/reload", "/admin/", "/admin", "/admin/sources/alpha/harvest"}) {
      HttpAnswer a = Call(server_->port(), method, path, {{"Authorization", "Bearer x"}});
      EXPECT_EQ(a.status, 404) << method << " " << path;
      EXPECT_NE(a.body.find("admin API is off"), std::string::npos) << a.body;
    }
  }
  EXPECT_TRUE(control_.harvests().empty());
  EXPECT_EQ(control_.reloads(), 0);
}

// Issue 14, point 7: off means absent, for every method; OPTIONS (a CORS preflight) and
// methods HTTP does not define included.
TEST_F(WebTest, AdminIsOffForEveryMethodOptionsIncluded) {
  for (const char* method : {"OPTIONS", "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "TRACE",
                             "CONNECT", "PROPFIND", "BREW"}) {
    for (const char* path : {"/admin/sources", "/admin/", "/admin", "/admin/runs/1/rejects"}) {
      HttpAnswer a = Call(server_->port(), method, path,
                          {{"Origin", "https://evil.example"},
                           {"Access-Control-Request-Method", "POST"},
                           {"Access-Control-Request-Headers", "authorization"}});
      EXPECT_EQ(a.status, 404) << method << " " << path;
      EXPECT_EQ(a.Header("allow"), "") << method << " " << path;
      for (const auto& [k, v] : a.headers) {
        EXPECT_NE(k.rfind("access-control-", 0), 0u) << method << " " << path << ": " << k;
      }
    }
  }
  // The published feeds still answer their preflight.
  HttpAnswer feed = Call(server_->port(), "OPTIONS", "/healthz");
  EXPECT_EQ(feed.status, 204);
  EXPECT_NE(feed.Header("access-control-allow-methods"), "");
}

// Issue 14, point 7: on, nothing answers without a valid token (no preflight either), and no
// answer of the admin API carries a CORS header, with or without the token.
TEST_F(AdminTest, NothingAnswersWithoutTheTokenAndNoCorsHeaderEver) {
  auto no_cors = [](const HttpAnswer& a, const std::string& what) {
    for (const auto& [k, v] : a.headers) {
      EXPECT_NE(k.rfind("access-control-", 0), 0u) << what << ": " << k;
    }
  };
  for (const char* method :
       {"OPTIONS", "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "TRACE", "BREW"}) {
    for (const char* path : {"/admin/sources", "/admin/reload", "/admin/", "/admin/nothing"}) {
      std::string what = std::string(method) + " " + path;
      for (const char* token : {"", "wrong"}) {
        std::vector<std::pair<std::string, std::string>> headers = {
            {"Origin", "https://evil.example"},
            {"Access-Control-Request-Method", "POST"},
            {"Access-Control-Request-Headers", "authorization"}};
        if (*token) headers.emplace_back("Authorization", std::string("Bearer ") + token);
        HttpAnswer a = Call(server_->port(), method, path, headers);
        EXPECT_EQ(a.status, 401) << what << " token=" << token;
        EXPECT_EQ(a.Header("allow"), "") << what;
        no_cors(a, what);
      }
      HttpAnswer with = Call(server_->port(), method, path,
                             {{"Origin", "https://evil.example"},
                              {"Authorization", "Bearer s3cret-token-0123456789"}});
      EXPECT_NE(with.status, 401) << what;
      no_cors(with, what + " with the token");
    }
  }
  EXPECT_EQ(control_.reloads(), 1) << "only POST /admin/reload with the token reloads";
  EXPECT_TRUE(control_.harvests().empty());
  // With the token, OPTIONS answers the endpoint's Allow (and still no CORS).
  HttpAnswer opt = Admin("OPTIONS", "/admin/reload");
  EXPECT_EQ(opt.status, 204);
  EXPECT_EQ(opt.Header("allow"), "POST, OPTIONS");
  EXPECT_EQ(Admin("OPTIONS", "/admin/sources").Header("allow"), "GET, HEAD, OPTIONS");
  EXPECT_EQ(Admin("OPTIONS", "/admin/nothing").status, 404);
  EXPECT_EQ(Admin("TRACE", "/admin/sources").status, 405);
}

TEST_F(AdminTest, MissingOrWrongTokenAnswers401WithTheSameBody) {
  HttpAnswer none = Call(server_->port(), "GET", "/admin/sources");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.Header("www-authenticate"), "Bearer realm=\"meabridge admin\"");
  std::string body = none.body;
  for (const std::string& header :
       {std::string("Bearer wrong"), std::string("Bearer s3cret-token-012345678"),
        std::string("Bearer s3cret-token-01234567890"), std::string("Basic czNjcmV0"),
        std::string("Bearer "), std::string("s3cret-token-0123456789")}) {
    HttpAnswer a = Call(server_->port(), "GET", "/admin/sources", {{"Authorization", header}});
    EXPECT_EQ(a.status, 401) << header;
    EXPECT_EQ(a.body, body) << "the body never says how close a token was";
    EXPECT_EQ(a.Header("www-authenticate"),
              "Bearer realm=\"meabridge admin\", error=\"invalid_token\"");
    EXPECT_EQ(a.Header("access-control-allow-origin"), "") << "no CORS on the admin API";
  }
  // Unknown paths and wrong methods answer 401 too: nothing is revealed without the token.
  EXPECT_EQ(Call(server_->port(), "GET", "/admin/nothing").status, 401);
  EXPECT_EQ(Call(server_->port(), "POST", "/admin/sources/alpha/harvest").status, 401);
  EXPECT_TRUE(control_.harvests().empty());
  EXPECT_EQ(Admin("GET", "/admin/sources").status, 200);
  EXPECT_EQ(Call(server_->port(), "GET", "/admin/sources",
                 {{"Authorization", "bearer s3cret-token-0123456789"}})
                .status,
            200);
}

TEST_F(AdminTest, TheTokenFileIsReReadWhenItChangesAndAReloadCanTurnTheApiOff) {
  EXPECT_EQ(Admin("GET", "/admin/").status, 200);
  WriteToken(token_file_, "second-token\n", 1);
  EXPECT_EQ(Admin("GET", "/admin/").status, 401);
  EXPECT_EQ(Admin("GET", "/admin/", "second-token").status, 200);
  // A missing file: 503, and the path stays out of the answer.
  ASSERT_EQ(::unlink(token_file_.c_str()), 0);
  HttpAnswer gone = Admin("GET", "/admin/", "second-token");
  EXPECT_EQ(gone.status, 503);
  EXPECT_EQ(gone.body.find(token_file_), std::string::npos) << gone.body;
  // An empty file: 503 as well (an empty token must never let an empty header in).
  WriteToken(token_file_, " \n", 2);
  EXPECT_EQ(Admin("GET", "/admin/", "").status, 503);
  WriteToken(token_file_, "third", 3);
  EXPECT_EQ(Admin("GET", "/admin/", "third").status, 200);
  // The configuration in force decides: a reload without <admin> turns it off.
  control_.SetAdminTokenFile("");
  EXPECT_EQ(Admin("GET", "/admin/", "third").status, 404);
}

TEST_F(AdminTest, StartAHarvest) {
  HttpAnswer a = Admin("POST", "/admin/sources/alpha/harvest");
  EXPECT_EQ(a.status, 202) << a.body;
  EXPECT_EQ(a.Header("location"), "/admin/runs?source=alpha");
  rapidjson::Document doc = Json(a);
  EXPECT_STREQ(doc["source"].GetString(), "alpha");
  EXPECT_FALSE(doc["full"].GetBool());
  a = Admin("POST", "/admin/sources/alpha/harvest?full=true");
  EXPECT_EQ(a.status, 202);
  EXPECT_TRUE(Json(a)["full"].GetBool());
  auto h = control_.harvests();
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[0], std::make_pair(std::string("alpha"), false));
  EXPECT_EQ(h[1], std::make_pair(std::string("alpha"), true));

  HttpAnswer busy = Admin("POST", "/admin/sources/beta/harvest");
  EXPECT_EQ(busy.status, 409);
  EXPECT_NE(busy.body.find("in progress"), std::string::npos);
  HttpAnswer missing = Admin("POST", "/admin/sources/nope/harvest");
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(missing.body.find("no source nope"), std::string::npos);
  EXPECT_EQ(Admin("POST", "/admin/sources/alpha/harvest?full=maybe").status, 400);
  HttpAnswer get = Admin("GET", "/admin/sources/alpha/harvest");
  EXPECT_EQ(get.status, 405);
  EXPECT_EQ(get.Header("allow"), "POST, OPTIONS");
  EXPECT_EQ(control_.harvests().size(), 4u) << "GET never starts a harvest";
}

TEST_F(AdminTest, ListSourcesWithSchedulerStateAndLastRun) {
  HttpAnswer a = Admin("GET", "/admin/sources");
  ASSERT_EQ(a.status, 200);
  EXPECT_EQ(a.Header("content-type"), "application/json");
  EXPECT_EQ(a.Header("cache-control"), "no-store");
  rapidjson::Document doc = Json(a);
  const auto& s = doc["sources"];
  ASSERT_EQ(s.Size(), 3u);
  EXPECT_STREQ(s[0]["name"].GetString(), "alpha");
  EXPECT_STREQ(s[0]["schedule"].GetString(), "every 6h");
  EXPECT_STREQ(s[0]["nextRun"].GetString(), "2030-01-01T06:00:00Z");
  EXPECT_EQ(s[0]["lastRun"]["id"].GetInt64(), last_alpha_run_);
  EXPECT_EQ(s[0]["lastRun"]["counts"]["rejected"].GetInt64(), 2);
  EXPECT_TRUE(s[1]["running"].GetBool());
  EXPECT_STREQ(s[1]["lastRun"]["status"].GetString(), "failed");
  EXPECT_TRUE(s[2]["lastRun"].IsNull());
  EXPECT_TRUE(s[2]["nextRun"].IsNull());
  EXPECT_FALSE(s[2]["enabled"].GetBool());
  EXPECT_EQ(Admin("POST", "/admin/sources").status, 405);
}

TEST_F(AdminTest, ListRunsAndOneRunAndItsRejects) {
  HttpAnswer a = Admin("GET", "/admin/runs");
  ASSERT_EQ(a.status, 200);
  rapidjson::Document doc = Json(a);
  ASSERT_EQ(doc["runs"].Size(), 3u);
  EXPECT_EQ(doc["runs"][0]["id"].GetInt64(), beta_run_) << "newest first";
  EXPECT_STREQ(doc["runs"][0]["error"].GetString(),
               "GET http://127.0.0.1:9/feed: connection refused; check the source's url");

  doc = Json(Admin("GET", "/admin/runs?source=alpha&limit=1"));
  ASSERT_EQ(doc["runs"].Size(), 1u);
  const auto& run = doc["runs"][0];
  EXPECT_EQ(run["id"].GetInt64(), last_alpha_run_);
  EXPECT_STREQ(run["source"].GetString(), "alpha");
  EXPECT_STREQ(run["status"].GetString(), "ok");
  EXPECT_EQ(run["counts"]["fetched"].GetInt64(), 4);
  EXPECT_EQ(run["counts"]["deleted"].GetInt64(), 1);
  EXPECT_DOUBLE_EQ(run["durationSeconds"].GetDouble(), 1.5);
  EXPECT_STREQ(run["warnings"][0].GetString(), "page 2 had no next link");
  EXPECT_TRUE(run["error"].IsNull());
  EXPECT_EQ(Json(Admin("GET", "/admin/runs?source=nobody"))["runs"].Size(), 0u);
  for (const char* bad : {"0", "-1", "x", "1001"}) {
    HttpAnswer b = Admin("GET", std::string("/admin/runs?limit=") + bad);
    EXPECT_EQ(b.status, 400) << bad;
    EXPECT_NE(b.body.find("from 1 to 1000"), std::string::npos) << b.body;
  }

  std::string id = std::to_string(last_alpha_run_);
  doc = Json(Admin("GET", "/admin/runs/" + id));
  EXPECT_EQ(doc["id"].GetInt64(), last_alpha_run_);
  EXPECT_STREQ(doc["rejects"].GetString(), ("/admin/runs/" + id + "/rejects").c_str());
  EXPECT_EQ(Admin("GET", "/admin/runs/99999").status, 404);
  EXPECT_EQ(Admin("GET", "/admin/runs/abc").status, 404);

  doc = Json(Admin("GET", "/admin/runs/" + id + "/rejects"));
  EXPECT_EQ(doc["run"].GetInt64(), last_alpha_run_);
  EXPECT_EQ(doc["total"].GetInt64(), 2);
  ASSERT_EQ(doc["rejects"].Size(), 2u);
  EXPECT_STREQ(doc["rejects"][0]["entity"].GetString(), "Memberships");
  EXPECT_STREQ(doc["rejects"][0]["value"].GetString(), "Atlantis");
  EXPECT_STREQ(doc["rejects"][0]["message"].GetString(), "not a country");
  EXPECT_EQ(Json(Admin("GET", "/admin/runs/" + id + "/rejects?limit=1"))["rejects"].Size(), 1u);
  EXPECT_EQ(Admin("GET", "/admin/runs/" + id + "/other").status, 404);
  HttpAnswer del = Admin("DELETE", "/admin/runs/" + id);
  EXPECT_EQ(del.status, 405);
  EXPECT_EQ(del.Header("allow"), "GET, HEAD, OPTIONS");
}

TEST_F(AdminTest, ReloadAnswers200Or400WithTheErrors) {
  HttpAnswer ok = Admin("POST", "/admin/reload");
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_STREQ(Json(ok)["status"].GetString(), "reloaded");
  control_.SetReloadStatus(
      Status::InvalidArgument("/etc/meabridge/meabridge.xml:3:5: unknown attribute 'prot'\n"
                              "/etc/meabridge/meabridge.xml:9:1: <source> needs a name"));
  HttpAnswer bad = Admin("POST", "/admin/reload");
  EXPECT_EQ(bad.status, 400);
  rapidjson::Document doc = Json(bad);
  EXPECT_STREQ(doc["error"]["code"].GetString(), "InvalidConfiguration");
  ASSERT_EQ(doc["error"]["details"].Size(), 2u);
  EXPECT_STREQ(doc["error"]["details"][1].GetString(),
               "/etc/meabridge/meabridge.xml:9:1: <source> needs a name");
  EXPECT_EQ(control_.reloads(), 2);
  HttpAnswer get = Admin("GET", "/admin/reload");
  EXPECT_EQ(get.status, 405);
  EXPECT_EQ(get.Header("allow"), "POST, OPTIONS");
  EXPECT_EQ(control_.reloads(), 2);
  EXPECT_EQ(Admin("GET", "/admin/unknown").status, 404);
}

TEST_F(AdminTest, TheIndexListsTheEndpoints) {
  for (const char* path : {"/admin", "/admin/"}) {
    HttpAnswer a = Admin("GET", path);
    ASSERT_EQ(a.status, 200) << path;
    rapidjson::Document doc = Json(a);
    ASSERT_TRUE(doc["endpoints"].IsArray());
    EXPECT_EQ(doc["endpoints"].Size(), 6u);
  }
  EXPECT_EQ(Admin("HEAD", "/admin/sources").status, 200);
  EXPECT_EQ(Admin("POST", "/admin/").status, 405);
}

TEST(DaemonRoutes, RegistrationNeedsEveryDependencyAndFreePaths) {
  publish::http::RouteRegistry routes;
  EXPECT_EQ(RegisterDaemonRoutes(routes, WebDeps{}).code(), Status::Code::kInvalidArgument);
  meabridge::testing::TempDir dir;
  auto store = store::OpenStore("sqlite:" + dir.File("s.db"));
  ASSERT_TRUE(store.ok());
  FakeControl control;
  Metrics metrics;
  WebDeps deps;
  deps.control = &control;
  deps.store = store->get();
  deps.metrics = &metrics;
  ASSERT_TRUE(RegisterDaemonRoutes(routes, deps).ok());
  for (const char* path : {"/status", "/healthz", "/readyz", "/metrics", "/admin"}) {
    EXPECT_NE(routes.Find(path).route, nullptr) << path;
  }
  EXPECT_FALSE(RegisterDaemonRoutes(routes, deps).ok()) << "the paths are taken";
}

}  // namespace
}  // namespace meabridge::daemon::web::testing
