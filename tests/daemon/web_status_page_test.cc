// /status: the page's content for a store with runs and rejects, its links (every entity set of
// the registry), and hostile source names, warnings and errors escaped. The page is written so
// that an XML parser reads it too (void elements self-closed): the tests parse it with pugixml,
// which catches any unescaped '<' or '&' as a well-formedness error.
#include <pugixml.hpp>

#include <set>

#include "core/percent.h"
#include "daemon/web/status_page.h"
#include "daemon/web/session.h"
#include "web_fixture.h"

namespace meabridge::daemon::web::testing {
namespace {

// All the text under `node`, markup removed.
std::string TextOf(pugi::xml_node node) {
  std::string out;
  for (pugi::xml_node c : node.children()) {
    if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) {
      out += c.value();
    } else {
      out += TextOf(c);
    }
  }
  return out;
}

// The text of every cell of the row of `table_id` whose `attr` is `value`.
std::vector<std::string> Row(const pugi::xml_document& doc, const std::string& table_id,
                             const std::string& attr, const std::string& value) {
  pugi::xpath_variable_set vars;
  vars.set("v", value.c_str());
  std::string xpath = "//table[@id='" + table_id + "']/tbody/tr[@" + attr + "=$v]/td";
  pugi::xpath_query q(xpath.c_str(), &vars);
  std::vector<std::string> cells;
  for (const pugi::xpath_node& n : q.evaluate_node_set(doc)) cells.push_back(TextOf(n.node()));
  return cells;
}

class StatusPageTest : public WebTest {
 protected:
  pugi::xml_document Page(const std::string& target = "/status") {
    HttpAnswer a = Get(target);
    EXPECT_EQ(a.status, 200) << a.body;
    EXPECT_EQ(a.Header("content-type"), "text/html; charset=utf-8");
    EXPECT_EQ(a.Header("cache-control"), "no-store");
    body_ = a.body;
    pugi::xml_document doc;
    pugi::xml_parse_result r = doc.load_string(a.body.c_str());
    EXPECT_TRUE(r) << "not well-formed at offset " << r.offset << ": " << r.description() << "\n"
                   << a.body.substr(r.offset > 80 ? r.offset - 80 : 0, 200);
    return doc;
  }
  std::string body_;
};

TEST_F(StatusPageTest, ShowsSourcesLastRunsCountsAndFeeds) {
  pugi::xml_document doc = Page();
  EXPECT_EQ(body_.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_EQ(body_.find("<script"), std::string::npos);
  EXPECT_EQ(body_.find("http://fonts"), std::string::npos);
  EXPECT_EQ(body_.find("<link"), std::string::npos) << "no external stylesheet";

  std::vector<std::string> alpha = Row(doc, "sources", "data-source", "alpha");
  ASSERT_EQ(alpha.size(), 6u);
  EXPECT_EQ(alpha[1], "file");
  EXPECT_EQ(alpha[2], "every 6h");
  EXPECT_EQ(alpha[4], "2030-01-01T06:00:00Z");
  EXPECT_EQ(alpha[5], "no");
  std::vector<std::string> beta = Row(doc, "sources", "data-source", "beta");
  ASSERT_EQ(beta.size(), 6u);
  EXPECT_EQ(beta[5], "running since 2029-12-31T23:00:00Z");
  EXPECT_EQ(Row(doc, "sources", "data-source", "gamma")[3], "no");

  // source, run, status, started, duration, fetched, created, updated, unchanged, deleted,
  // rejected, warnings, error
  std::vector<std::string> run = Row(doc, "last-runs", "data-source", "alpha");
  ASSERT_EQ(run.size(), 13u);
  EXPECT_EQ(run[1], std::to_string(last_alpha_run_));
  EXPECT_EQ(run[2], "ok");
  EXPECT_EQ(run[3], "2026-01-02T00:00:00Z");
  EXPECT_EQ(run[4], "1.500 s");
  EXPECT_EQ(run[5], "4");
  EXPECT_EQ(run[6], "1");
  EXPECT_EQ(run[7], "0");
  EXPECT_EQ(run[8], "1");
  EXPECT_EQ(run[9], "1");
  EXPECT_EQ(run[10], "2");
  EXPECT_EQ(run[11], "page 2 had no next link");
  EXPECT_EQ(run[12], "");
  // The admin API is off: the rejected count is a number, not a link.
  EXPECT_TRUE(doc.select_nodes("//table[@id='last-runs']//a").empty());
  std::vector<std::string> failed = Row(doc, "last-runs", "data-source", "beta");
  ASSERT_EQ(failed.size(), 13u);
  EXPECT_EQ(failed[2], "failed");
  EXPECT_EQ(failed[12], "GET http://127.0.0.1:9/feed: connection refused; check the source's url");
  std::vector<std::string> never = Row(doc, "last-runs", "data-source", "gamma");
  ASSERT_EQ(never.size(), 2u);
  EXPECT_EQ(never[1], "no run recorded yet");

  // Records per entity set: every set of the registry, with its feeds.
  for (const model::EntitySpec& e : model::Registry::Default().entities()) {
    std::vector<std::string> cells = Row(doc, "records", "data-entity", e.set_name);
    ASSERT_EQ(cells.size(), 4u) << e.set_name;
    std::set<std::string> hrefs;
    std::string xpath = "//table[@id='records']/tbody/tr[@data-entity='" + e.set_name + "']//a";
    for (const auto& a : doc.select_nodes(xpath.c_str())) {
      hrefs.insert(a.node().attribute("href").value());
    }
    std::string base = "http://127.0.0.1:" + std::to_string(server_->port()) + "/";
    EXPECT_EQ(hrefs, (std::set<std::string>{
                         base + "odata/v4/" + e.set_name, base + "informea.svc/" + e.set_name,
                         base + "feeds/" + e.name + ".atom", base + "export/" + e.name + ".csv",
                         base + "ld/" + e.name}))
        << e.set_name;
  }
  EXPECT_EQ(Row(doc, "records", "data-entity", "Memberships")[1], "2");
  EXPECT_EQ(Row(doc, "records", "data-entity", "Memberships")[2], "1");
  EXPECT_EQ(Row(doc, "records", "data-entity", "Contacts")[1], "1");

  // Per treaty: the entity sets with a `treaty` field (Contacts' list is left out: a scan).
  std::vector<std::string> heads;
  for (const auto& th : doc.select_nodes("//table[@id='treaties']/thead/tr/th")) {
    heads.push_back(th.node().child_value());
  }
  std::vector<std::string> want_heads = {"treaty"};
  std::vector<std::string> want_cbd = {"cbd"};
  for (const model::EntitySpec& e : model::Registry::Default().entities()) {
    const model::FieldSpec* t = e.Field("treaty");
    if (!t || t->type != model::FieldType::kTerm) continue;
    want_heads.push_back(e.set_name);
    want_cbd.push_back(e.set_name == "Memberships" ? "2" : "0");
  }
  EXPECT_EQ(want_heads.size(), 8u) << "Memberships, Decisions, Meetings, CountryReports, "
                                      "NationalPlans, Sites, Documents";
  EXPECT_EQ(heads, want_heads);
  EXPECT_EQ(Row(doc, "treaties", "data-treaty", "cbd"), want_cbd);
  EXPECT_TRUE(Row(doc, "treaties", "data-treaty", "cites").empty()) << "no membership of cites";
  EXPECT_TRUE(Row(doc, "treaties", "data-treaty", "unfccc").empty()) << "its record was deleted";

  std::set<std::string> feeds;
  for (const auto& a : doc.select_nodes("//ul[@id='feeds']//a"))
    feeds.insert(a.node().child_value());
  for (const char* path :
       {"/odata/v4/", "/odata/v4/$metadata", "/informea.svc/", "/informea.svc/$metadata", "/vocab/",
        "/ld/", "/metrics", "/healthz", "/readyz"}) {
    EXPECT_TRUE(feeds.count(path)) << path;
  }
}

TEST_F(StatusPageTest, RejectsLinkToTheRejectsPageWhenTheAdminApiIsOn) {
  control_.SetAdminTokenFile(dir_.File("token"));
  pugi::xml_document doc = Page();
  auto links = doc.select_nodes("//table[@id='last-runs']/tbody/tr[@data-source='alpha']//a");
  ASSERT_EQ(links.size(), 1u);
  EXPECT_EQ(std::string(links.first().node().child_value()), "2");
  std::string href = links.first().node().attribute("href").value();
  EXPECT_TRUE(href.ends_with("/status/rejects?run=" + std::to_string(last_alpha_run_))) << href;
  EXPECT_NE(body_.find("sign in with the admin token"), std::string::npos) << body_;
}

// ---- rejects in the browser: the sign-in, its cookie, publish-rejects ----

class RejectsPageTest : public StatusPageTest {
 protected:
  void SetUp() override {
    StatusPageTest::SetUp();
    meabridge::testing::WriteFile(dir_.File("token"), "s3cret-token\n");
    control_.SetAdminTokenFile(dir_.File("token"));
  }
  std::string RejectsTarget() const {
    return "/status/rejects?run=" + std::to_string(last_alpha_run_);
  }
  HttpAnswer Post(const std::string& target, const std::string& form) {
    return Call(server_->port(), "POST", target,
                {{"Content-Type", "application/x-www-form-urlencoded"}}, form);
  }
  // The cookie pair ("meabridge_status=...") of a Set-Cookie value.
  static std::string Pair(const std::string& set_cookie) {
    return set_cookie.substr(0, set_cookie.find(';'));
  }
};

TEST_F(RejectsPageTest, SignInOnceThenTheCookieShowsTheRejects) {
  HttpAnswer a = Get(RejectsTarget());
  EXPECT_EQ(a.status, 303) << a.body;
  const std::string base = "http://127.0.0.1:" + std::to_string(server_->port()) + "/";
  EXPECT_EQ(a.Header("location"), base + "status/sign-in?next=%2Fstatus%2Frejects%3Frun%3D" +
                                      std::to_string(last_alpha_run_));
  pugi::xml_document form = Page("/status/sign-in?next=" + RejectsTarget());
  EXPECT_STREQ(form.select_node("//form[@id='sign-in']").node().attribute("method").value(),
               "post");
  EXPECT_STREQ(form.select_node("//input[@name='next']").node().attribute("value").value(),
               RejectsTarget().c_str());
  EXPECT_STREQ(form.select_node("//input[@name='token']").node().attribute("type").value(),
               "password");

  a = Post("/status/sign-in", "token=wrong&next=%2Fstatus");
  EXPECT_EQ(a.status, 401);
  EXPECT_NE(a.body.find("That is not the admin token."), std::string::npos) << a.body;
  EXPECT_EQ(a.Header("set-cookie"), "");

  a = Post("/status/sign-in", "token=s3cret-token&next=" +
                                  core::PercentEncode(RejectsTarget()));
  ASSERT_EQ(a.status, 303) << a.body;
  EXPECT_EQ(a.Header("location"), base + RejectsTarget().substr(1));
  const std::string set_cookie = a.Header("set-cookie");
  EXPECT_EQ(set_cookie.rfind("meabridge_status=v1.", 0), 0u) << set_cookie;
  EXPECT_NE(set_cookie.find("; Path=/status; Max-Age=43200; HttpOnly; SameSite=Strict"),
            std::string::npos)
      << set_cookie;
  EXPECT_EQ(set_cookie.find("Secure"), std::string::npos) << "http: " << set_cookie;
  EXPECT_EQ(set_cookie.find("s3cret"), std::string::npos) << "the token is not in the cookie";

  a = Get(RejectsTarget(), {{"Cookie", "other=1; " + Pair(set_cookie)}});
  ASSERT_EQ(a.status, 200) << a.body;
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(a.body.c_str())) << a.body;
  EXPECT_EQ(Row(doc, "reject-groups", "data-group", "country/vocabulary"),
            (std::vector<std::string>{"country", "vocabulary", "2",
                                      "\"cbd:XX\" (/data/3): not a country\"cbd:YY\" (/data/4): "
                                      "not a country"}));
  EXPECT_EQ(Row(doc, "rejects", "data-record", "cbd:YY"),
            (std::vector<std::string>{"cbd:YY", "/data/4", "country", "vocabulary", "Atlantis",
                                      "not a country"}));
  EXPECT_NE(a.body.find("id=\"sign-out\""), std::string::npos);
  // The status page knows it, too.
  HttpAnswer status = Get("/status", {{"Cookie", Pair(set_cookie)}});
  EXPECT_NE(status.body.find("Signed in with the admin token"), std::string::npos) << status.body;

  // A tampered, an expired or another token's cookie is no session.
  std::string tampered = Pair(set_cookie);
  tampered.back() = tampered.back() == 'A' ? 'B' : 'A';
  EXPECT_EQ(Get(RejectsTarget(), {{"Cookie", tampered}}).status, 303);
  const core::EpochMs now = core::SystemClock::Instance().NowMs();
  EXPECT_EQ(Get(RejectsTarget(),
                {{"Cookie", "meabridge_status=" + SessionValue("s3cret-token", now - 1000)}})
                .status,
            303);
  EXPECT_EQ(Get(RejectsTarget(),
                {{"Cookie", "meabridge_status=" + SessionValue("other-token", now + 60000)}})
                .status,
            303);
  // Changing the token ends the session.
  meabridge::testing::WriteFile(dir_.File("token"), "a-new-token-of-other-length\n");
  EXPECT_EQ(Get(RejectsTarget(), {{"Cookie", Pair(set_cookie)}}).status, 303);

  a = Post("/status/sign-out", "");
  EXPECT_EQ(a.status, 303);
  EXPECT_EQ(a.Header("set-cookie"),
            "meabridge_status=; Path=/status; Max-Age=0; HttpOnly; SameSite=Strict");
}

TEST_F(RejectsPageTest, TheSignInGoesBackOnlyUnderStatus) {
  for (const char* next : {"https%3A%2F%2Fevil.example%2F", "%2F%2Fevil.example%2F", "%2Fodata%2Fv4"}) {
    HttpAnswer a = Post("/status/sign-in", std::string("token=s3cret-token&next=") + next);
    ASSERT_EQ(a.status, 303) << next;
    EXPECT_EQ(a.Header("location"),
              "http://127.0.0.1:" + std::to_string(server_->port()) + "/status")
        << next;
  }
}

TEST_F(RejectsPageTest, PublishedRejectsNeedNoSignInAndBadRunsSaySo) {
  control_.SetPublishRejects(true);
  HttpAnswer a = Get(RejectsTarget());
  EXPECT_EQ(a.status, 200) << a.body;
  EXPECT_NE(a.body.find("meabridge rejects --run " + std::to_string(last_alpha_run_)),
            std::string::npos);
  EXPECT_EQ(a.body.find("id=\"sign-out\""), std::string::npos);
  EXPECT_NE(Get("/status").body.find("published: publish-rejects"), std::string::npos);
  a = Get("/status/rejects?run=999");
  EXPECT_EQ(a.status, 404);
  EXPECT_NE(a.body.find("no run 999 in the store"), std::string::npos) << a.body;
  a = Get("/status/rejects?run=abc");
  EXPECT_EQ(a.status, 400);
  EXPECT_NE(a.body.find("say which run: /status/rejects?run=N"), std::string::npos) << a.body;

  // Neither published nor an admin token: refused, saying what turns it on.
  control_.SetPublishRejects(false);
  control_.SetAdminTokenFile("");
  a = Get(RejectsTarget());
  EXPECT_EQ(a.status, 403);
  EXPECT_NE(a.body.find("set <server publish-rejects=\"true\">, or <admin token-file>"),
            std::string::npos)
      << a.body;
  EXPECT_EQ(Get("/status/sign-in").status, 404);
}

TEST(SessionTest, SignedExpiringAndSecureOverHttps) {
  // A cookie issued before stays valid, spelled the same (computed with Python's hmac).
  EXPECT_EQ(SessionValue("t", 2000), "v1.2000._ca1lQPZJJrKlwMqXxFfBMOcgAt_quCwTUWQdW1Ngso");
  EXPECT_TRUE(SessionValid("v1.2000._ca1lQPZJJrKlwMqXxFfBMOcgAt_quCwTUWQdW1Ngso", "t", 1999));
  EXPECT_TRUE(SessionValid(SessionValue("t", 2000), "t", 1999));
  EXPECT_FALSE(SessionValid(SessionValue("t", 2000), "t", 2000));
  EXPECT_FALSE(SessionValid(SessionValue("t", 2000), "u", 1000));
  EXPECT_FALSE(SessionValid(SessionValue("t", 2000), "", 1000));
  EXPECT_FALSE(SessionValid("v1.99999999999999.AAAA", "t", 1000));
  EXPECT_FALSE(SessionValid("", "t", 1000));
  // The expiry is signed: a later one with the old MAC fails.
  std::string v = SessionValue("t", 2000);
  std::string later = "v1.999999" + v.substr(v.rfind('.'));
  EXPECT_FALSE(SessionValid(later, "t", 1000));
  EXPECT_EQ(SessionSetCookie("x", 60, true),
            "meabridge_status=x; Path=/status; Max-Age=60; HttpOnly; SameSite=Strict; Secure");
}

TEST_F(StatusPageTest, NotReadyAndLinksFollowThePublicBase) {
  control_.SetReady(false);
  pugi::xml_document doc = Page();
  EXPECT_EQ(std::string(doc.select_node("//*[@id='ready']").node().child_value()), "not ready");
}

class HostileStatusPageTest : public StatusPageTest {
 protected:
  static constexpr const char* kName = "<script>alert(\"x\")</script>&amp;'";
  void Populate() override {
    store::RunRecord r;
    r.source = kName;
    r.started = Ms("2026-01-03T00:00:00Z");
    r.finished = Ms("2026-01-03T00:00:01Z");
    r.status = "failed";
    r.warnings = {"<img src=x onerror=alert(1)>", "a & b"};
    r.error = "</td></tr></table><script>alert(2)</script>\" onmouseover=\"x";
    ASSERT_TRUE(store_->RecordFailedRun(r).ok());
  }
  void SetUp() override {
    StatusPageTest::SetUp();
    control_.SetSources(
        {SourceState{kName, "<b>http</b>", "\"every 1h\" & <i>", true, false, 0, 0}});
  }
};

TEST_F(HostileStatusPageTest, EverythingFromSourcesAndRunsIsEscaped) {
  pugi::xml_document doc = Page();
  EXPECT_EQ(body_.find("<script"), std::string::npos) << body_;
  EXPECT_EQ(body_.find("<img"), std::string::npos);
  EXPECT_EQ(body_.find("<b>http"), std::string::npos);
  EXPECT_NE(body_.find("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;amp;'"),
            std::string::npos);
  // The parsed page shows the texts exactly as they were.
  std::vector<std::string> src = Row(doc, "sources", "data-source", kName);
  ASSERT_EQ(src.size(), 6u);
  EXPECT_EQ(src[0], kName);
  EXPECT_EQ(src[1], "<b>http</b>");
  EXPECT_EQ(src[2], "\"every 1h\" & <i>");
  std::vector<std::string> run = Row(doc, "last-runs", "data-source", kName);
  ASSERT_EQ(run.size(), 13u);
  EXPECT_EQ(run[11], "<img src=x onerror=alert(1)>a & b");
  EXPECT_EQ(run[12], "</td></tr></table><script>alert(2)</script>\" onmouseover=\"x");
}

}  // namespace
}  // namespace meabridge::daemon::web::testing
