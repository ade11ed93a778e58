// Issue 14, point 10: hostile upstreams, in one place. A real loopback HTTP server
// (support/http_test_server.h) feeds the real harvester over a SQLite store that already holds
// a good run of 5 contacts; the server then turns hostile: a response slower than the source's
// timeout, a body cut short, a connection reset in the middle of page 2, a gzip bomb on page 2,
// redirect games (a loop across two servers, an endless chain, a redirect to file://, ftp://
// or gopher://, a redirect to another host that must not receive the credentials), a record
// holding U+FFFE, U+FFFF and C0 controls (stored as U+FFFD, then published as XML a strict
// parser reads), a lone surrogate in one record of a page of 10, a 5 MB record id, and secrets
// in the source's URL and secret-file that must not reach the store's watermark, runs or
// rejects. Each test checks (a) what the store holds afterwards, (b) what the run answered,
// and (c) that the harvester keeps harvesting: a good run right after stores the new data.
#include <atomic>
#include <functional>
#include <mutex>

#include "core/json.h"
#include "core/strings.h"
#include "harvest/harvest_fixture.h"
#include "publish/publish_fixture.h"
#include "support/test_support.h"

namespace meabridge::harvest::test {
namespace {

using meabridge::testing::HttpTestServer;
using meabridge::testing::ProcessResult;
using meabridge::testing::Reply;
using meabridge::testing::RunProcess;
using meabridge::testing::SeenRequest;

// A source of 5 good contacts (c0000..c0004, version "good") harvested once; the server then
// answers with `Hostile(...)` until the test calls ExpectStillHarvests.
class HostileUpstreamTest : public HarvestTest {
 protected:
  void SetUp() override {
    HarvestTest::SetUp();
    server_ = std::make_unique<HttpTestServer>([this](const SeenRequest& r) {
      std::function<Reply(const SeenRequest&)> f;
      std::string version;
      {
        std::lock_guard lock(mu_);
        f = hostile_;
        version = version_;
      }
      if (f) return f(r);
      return Reply::Json(V2Page(MakeContacts(5, "c", version)));
    });
    source_ = Source("partner", server_->Url("/Contacts"));
    RunReport first = Harvest(source_);
    ASSERT_TRUE(first.ok()) << first.run.error;
    ASSERT_EQ(LiveCount(), 5);
    watermark_ = Watermark("partner");
    seq_ = MaxSeq();
    server_->ClearRequests();
  }

  void Hostile(std::function<Reply(const SeenRequest&)> f) {
    std::lock_guard lock(mu_);
    hostile_ = std::move(f);
  }

  // (a) for a run that failed: nothing of it was committed, the previous run's records,
  // watermark and sequence are as they were, and the failure is recorded with its error.
  void ExpectNothingCommitted(const RunReport& r) {
    EXPECT_EQ(r.run.status, "failed") << r.run.error;
    EXPECT_FALSE(r.run.error.empty());
    EXPECT_EQ(LiveCount(), 5);
    EXPECT_EQ(Field("c0003", "lastName"), "Name 3 good");
    EXPECT_EQ(Watermark("partner"), watermark_);
    EXPECT_EQ(MaxSeq(), seq_);
    std::vector<store::RunRecord> runs = Runs("partner");
    ASSERT_FALSE(runs.empty());
    EXPECT_EQ(runs[0].id, r.run.id);
    EXPECT_EQ(runs[0].status, "failed");
    EXPECT_EQ(runs[0].error, r.run.error);
    EXPECT_EQ(runs[0].counts.created + runs[0].counts.updated + runs[0].counts.deleted, 0);
  }

  // (c): the server turns good again (a new version of the 5 contacts); the next run of the
  // same harvester over the same store succeeds and stores it. `live` is the store's count
  // afterwards.
  void ExpectStillHarvests(int64_t live = 5) {
    Hostile(nullptr);
    {
      std::lock_guard lock(mu_);
      version_ = "after";
    }
    config::SourceConfig s = source_;
    s.url = server_->Url("/Contacts");
    RunReport r = Harvest(s);
    ASSERT_TRUE(r.ok()) << r.run.error;
    EXPECT_EQ(r.run.counts.updated, 5);
    EXPECT_EQ(Field("c0003", "lastName"), "Name 3 after");
    EXPECT_EQ(LiveCount(), live);
    EXPECT_EQ(Runs("partner").at(0).status, "ok");
  }

  std::mutex mu_;
  std::function<Reply(const SeenRequest&)> hostile_;  // guarded by mu_
  std::string version_ = "good";                      // guarded by mu_
  std::unique_ptr<HttpTestServer> server_;
  config::SourceConfig source_;
  std::string watermark_;
  int64_t seq_ = 0;
};

// ---- slow, cut and reset bodies ----

TEST_F(HostileUpstreamTest, AServerSlowerThanTheTimeoutIsRetriedThenTheRunFails) {
  Hostile([](const SeenRequest&) {
    Reply rep = Reply::Json(V2Page(MakeContacts(5, "c", "slow")));
    rep.delay_ms = 5000;  // the server's own bound; its destructor cuts it short
    return rep;
  });
  source_.timeout_ms = 250;
  source_.retries = 2;
  RunReport r = Harvest(source_);
  EXPECT_NE(r.run.error.find("timed out"), std::string::npos) << r.run.error;
  EXPECT_NE(r.run.error.find("gave up after 3 tries"), std::string::npos) << r.run.error;
  EXPECT_EQ(server_->request_count(), 3u) << "the first try and 2 retries";
  EXPECT_EQ(waiter_.waits().size(), 2u);
  ExpectNothingCommitted(r);
  ExpectStillHarvests();
}

// A timeout under a second is named as it is (it was shown in whole seconds: "the source's
// timeout is 0s", found by this suite).
TEST_F(HostileUpstreamTest, ATimeoutUnderASecondIsNamedAsItIs) {
  Hostile([](const SeenRequest&) {
    Reply rep = Reply::Json(V2Page(MakeContacts(5, "c", "slow")));
    rep.delay_ms = 5000;
    return rep;
  });
  source_.timeout_ms = 250;
  source_.retries = 0;
  RunReport r = Harvest(source_);
  EXPECT_NE(r.run.error.find("timed out"), std::string::npos) << r.run.error;
  EXPECT_EQ(r.run.error.find("timeout is 0s"), std::string::npos) << r.run.error;
  EXPECT_NE(r.run.error.find("250"), std::string::npos) << r.run.error;
  ExpectNothingCommitted(r);
  ExpectStillHarvests();
}

TEST_F(HostileUpstreamTest, ABodyAlwaysCutShortOfItsContentLengthFailsTheRun) {
  Hostile([](const SeenRequest&) {
    Reply rep = Reply::Json(V2Page(MakeContacts(5, "c", "cut")));
    rep.truncate_after = static_cast<int64_t>(rep.body.size() / 2);
    return rep;
  });
  RunReport r = Harvest(source_);
  EXPECT_NE(r.run.error.find("gave up after 3 tries"), std::string::npos) << r.run.error;
  EXPECT_EQ(server_->request_count(), 3u);
  ExpectNothingCommitted(r);
  ExpectStillHarvests();
}

TEST_F(HostileUpstreamTest, ABodyCutMidRecordWithoutContentLengthFailsTheRunWithThePosition) {
  // No Content-Length: the close looks like the end of the body, so only the JSON says the
  // body is cut (in the middle of the third record).
  const std::string page = V2Page(MakeContacts(5, "c", "cut"));
  const size_t cut = page.find("c0002") + 3;
  Hostile([&](const SeenRequest&) {
    Reply rep = Reply::Json(page.substr(0, cut));
    rep.no_content_length = true;
    return rep;
  });
  RunReport r = Harvest(source_);
  EXPECT_NE(r.run.error.find("JSON"), std::string::npos) << r.run.error;
  EXPECT_NE(r.run.error.find("page 1"), std::string::npos) << r.run.error;
  EXPECT_NE(r.run.error.find("offset"), std::string::npos) << r.run.error;
  ExpectNothingCommitted(r);
  EXPECT_FALSE(Live("c0002") && Field("c0002", "lastName") == "Name 2 cut");
  ExpectStillHarvests();
}

// Page 1 is good (5 new versions), page 2 resets the connection every time: the run fails
// and page 1's records are not committed either (a run is one transaction).
TEST_F(HostileUpstreamTest, AConnectionResetMidBodyOnPage2CommitsNothingOfPage1) {
  Hostile([this](const SeenRequest& q) {
    if (q.query.count("page")) {
      Reply rep = Reply::Json(V2Page(MakeContacts(5, "d", "reset")));
      rep.reset_after = 40;
      return rep;
    }
    return Reply::Json(V2Page(MakeContacts(5, "c", "new"), server_->Url("/Contacts?page=2")));
  });
  RunReport r = Harvest(source_);
  EXPECT_NE(r.run.error.find("gave up after 3 tries"), std::string::npos) << r.run.error;
  EXPECT_NE(r.run.error.find("page=2"), std::string::npos) << r.run.error;
  ExpectNothingCommitted(r);
  EXPECT_FALSE(Live("d0000"));
  ExpectStillHarvests();
}

// A 64 MB gzip bomb (about 64 KB on the wire) on page 2 against max-size 1 MB: stopped at the
// limit while inflating, not retried, nothing committed.
TEST_F(HostileUpstreamTest, AGzipBombOnPage2StopsAtMaxSizeAndCommitsNothing) {
  const std::string bomb = meabridge::testing::GzipBomb(int64_t{64} << 20);
  Hostile([&](const SeenRequest& q) {
    if (q.query.count("page")) {
      Reply rep = Reply::Json(bomb);
      rep.Header("Content-Encoding", "gzip");
      return rep;
    }
    return Reply::Json(V2Page(MakeContacts(5, "c", "new"), server_->Url("/Contacts?page=2")));
  });
  source_.max_size = 1 << 20;
  RunReport r = Harvest(source_);
  EXPECT_NE(r.run.error.find("larger than max-size (1.0 MB, counted after decompression)"),
            std::string::npos)
      << r.run.error;
  EXPECT_EQ(server_->request_count(), 2u) << "page 1, then page 2 once: not retried";
  EXPECT_LT(r.run.counts.bytes, 4 << 20) << "the bomb was not inflated to its end";
  ExpectNothingCommitted(r);
  ExpectStillHarvests();
}

// ---- redirect games ----

TEST_F(HostileUpstreamTest, ARedirectLoopAcrossTwoServersFailsTheRun) {
  HttpTestServer other([this](const SeenRequest&) {
    return Reply::Status(302).Header("Location", server_->Url("/Contacts"));
  });
  Hostile([&](const SeenRequest&) {
    return Reply::Status(307).Header("Location", other.Url("/bounce"));
  });
  RunReport r = Harvest(source_);
  EXPECT_NE(r.run.error.find("redirect loop: " + server_->Url("/Contacts") + " -> " +
                             other.Url("/bounce") + " -> " + server_->Url("/Contacts")),
            std::string::npos)
      << r.run.error;
  EXPECT_EQ(server_->request_count(), 1u) << "not retried";
  EXPECT_EQ(other.request_count(), 1u);
  ExpectNothingCommitted(r);
  ExpectStillHarvests();
}

TEST_F(HostileUpstreamTest, AnEndlessChainOfRedirectsStopsAtMaxRedirects) {
  std::atomic<int> hop{0};
  Hostile([&](const SeenRequest&) {
    return Reply::Status(301).Header("Location", "/moved/" + std::to_string(++hop));
  });
  source_.max_redirects = 5;
  RunReport r = Harvest(source_);
  EXPECT_NE(r.run.error.find("more than 5 redirects (max-redirects)"), std::string::npos)
      << r.run.error;
  EXPECT_EQ(server_->request_count(), 6u) << "the request and 5 redirects followed, no retry";
  ExpectNothingCommitted(r);
  ExpectStillHarvests();
}

TEST_F(HostileUpstreamTest, ARedirectToAnotherSchemeIsRefusedBeforeAnyConnection) {
  // Something listens where the ftp:// and gopher:// redirects point: it must see nobody.
  HttpTestServer listener([](const SeenRequest&) { return Reply::Status(200, "root:x:0:0"); });
  const std::string port = std::to_string(listener.port());
  for (const std::string& location :
       {std::string("file:///etc/passwd"), "ftp://127.0.0.1:" + port + "/pub/contacts.json",
        "gopher://127.0.0.1:" + port + "/1", std::string("FILE:///etc/passwd")}) {
    Hostile([&](const SeenRequest&) { return Reply::Status(302).Header("Location", location); });
    RunReport r = Harvest(source_);
    EXPECT_NE(r.run.error.find("refusing the redirect from " + server_->Url("/Contacts")),
              std::string::npos)
        << location << ": " << r.run.error;
    EXPECT_NE(r.run.error.find("only http and https URLs are followed"), std::string::npos)
        << location << ": " << r.run.error;
    EXPECT_EQ(r.run.error.find("root:"), std::string::npos) << r.run.error;
    ExpectNothingCommitted(r);
  }
  EXPECT_EQ(listener.connection_count(), 0u);
  ExpectStillHarvests();
}

// The source's credentials (a bearer token from its secret-file, user:password@ in its URL)
// go to its own origin only: a redirect to another host gets neither, and is followed.
TEST_F(HostileUpstreamTest, ARedirectToAnotherHostNeverReceivesTheCredentials) {
  HttpTestServer other(
      [](const SeenRequest&) { return Reply::Json(V2Page(MakeContacts(5, "c", "moved"))); });
  // "localhost" rather than 127.0.0.1: another host name, on the same machine.
  const std::string away = "http://localhost:" + std::to_string(other.port()) + "/Contacts";
  Hostile([&](const SeenRequest&) { return Reply::Status(302).Header("Location", away); });
  meabridge::testing::WriteFile(dir_.File("token"), "bearer-T0K3N\n");

  config::SourceConfig bearer = source_;
  bearer.auth = "bearer";
  bearer.secret_file = dir_.File("token");
  config::SourceConfig userinfo = source_;
  userinfo.url =
      "http://harvester:pa55word@127.0.0.1:" + std::to_string(server_->port()) + "/Contacts";
  struct Case {
    const char* name;
    const config::SourceConfig* source;
    std::string sent;  // the Authorization header the source's own server sees
  };
  for (const Case& c : {Case{"bearer", &bearer, "Bearer bearer-T0K3N"},
                        Case{"user:password@", &userinfo, "Basic aGFydmVzdGVyOnBhNTV3b3Jk"}}) {
    server_->ClearRequests();
    other.ClearRequests();
    RunReport r = Harvest(*c.source);
    ASSERT_TRUE(r.ok()) << c.name << ": " << r.run.error;
    EXPECT_EQ(Field("c0003", "lastName"), "Name 3 moved") << c.name;
    std::vector<SeenRequest> own = server_->requests();
    std::vector<SeenRequest> moved = other.requests();
    ASSERT_EQ(own.size(), 1u) << c.name;
    ASSERT_EQ(moved.size(), 1u) << c.name;
    EXPECT_EQ(own[0].Header("authorization"), c.sent) << c.name;
    EXPECT_EQ(moved[0].Header("authorization"), "") << c.name;
    EXPECT_EQ(moved[0].Header("host"), "localhost:" + std::to_string(other.port()));
    for (const auto& [name, value] : moved[0].headers) {
      EXPECT_EQ(value.find("T0K3N"), std::string::npos) << c.name << ": " << name;
      EXPECT_EQ(value.find("aGFydmVzdGVy"), std::string::npos) << c.name << ": " << name;
    }
  }
  ExpectStillHarvests();
}

// ---- hostile records ----

// U+FFFE, U+FFFF (raw and escaped) and C0 controls are text JSON may carry: stored as given;
// published, the XML answers replace what XML 1.0 cannot carry (a strict parser reads them),
// and the JSON answer gives the text back as stored.
TEST_F(HostileUpstreamTest, NonCharactersAndControlsAreStoredAsReplacementsAndPublishedAsStrictXml) {
  std::string page = V2Page(MakeContacts(5, "c", "good"));
  const std::string hostile =
      ",\n {\"id\": \"x1\", \"treaties\": [{\"value\": \"cbd\"}], \"country\": \"FR\", "
      "\"firstName\": \"Non\xEF\xBF\xBE"
      "char\", "
      "\"lastName\": \"A\\u0001B\\u000bC\\uffffD\\u001fE\\ufffe\", "
      "\"updated\": \"/Date(1431103200000)/\"}";
  page.insert(page.rfind(']'), hostile);
  Hostile([&](const SeenRequest&) { return Reply::Json(page); });
  RunReport r = Harvest(source_);
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_EQ(r.run.counts.created, 1);
  EXPECT_EQ(r.run.counts.rejected, 0);
  EXPECT_TRUE(Rejects(r.run.id).empty());
  // Stored as U+FFFD, with a warning per field (model::ReplaceXmlIllegal).
  const std::string first =
      "Non\xEF\xBF\xBD"
      "char";
  const std::string last =
      "A\xEF\xBF\xBD"
      "B\xEF\xBF\xBD"
      "C\xEF\xBF\xBD"
      "D\xEF\xBF\xBD"
      "E\xEF\xBF\xBD";
  EXPECT_EQ(Field("x1", "firstName"), first);
  EXPECT_EQ(Field("x1", "lastName"), last);
  std::string warnings;
  for (const std::string& w : r.run.warnings) warnings += w + "\n";
  EXPECT_NE(warnings.find("field 'firstName' of 1 record (the first: \"x1\") held characters XML "
                          "1.0 cannot carry"),
            std::string::npos)
      << warnings;
  EXPECT_NE(warnings.find("field 'lastName' of 1 record"), std::string::npos) << warnings;

  config::Config c;
  c.server_port = 0;
  c.server_threads = 2;
  c.server_access_log = false;
  auto p = publish::Publisher::Create(c, store_.get(), &vocab::Vocabularies::System());
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  std::unique_ptr<publish::Publisher> publisher = std::move(*p);
  ASSERT_TRUE(publisher->Start().ok());
  const int port = publisher->port();
  const char* kStrict =
      "import sys, xml.dom.minidom\n"
      "xml.dom.minidom.parseString(sys.stdin.buffer.read())\n";
  for (const char* target : {"/informea.svc/Contacts", "/feeds/contacts.atom"}) {
    publish::testing::HttpResult got = publish::testing::Fetch(port, target);
    ASSERT_EQ(got.status, 200) << target << "\n" << got.body;
    ASSERT_NE(got.body.find("x1"), std::string::npos) << target << "\n" << got.body;
    ProcessResult parsed = RunProcess({"/usr/bin/python3", "-c", kStrict}, got.body);
    EXPECT_EQ(parsed.exit_code, 0) << target << ": " << parsed.err << "\n" << got.body;
    for (const char* raw : {"\xEF\xBF\xBE", "\xEF\xBF\xBF", "\x01", "\x0B", "\x1F"}) {
      EXPECT_EQ(got.body.find(raw), std::string::npos) << target;
    }
    EXPECT_NE(got.body.find("A\xEF\xBF\xBD"
                            "B\xEF\xBF\xBD"
                            "C"),
              std::string::npos)
        << target;
    EXPECT_NE(got.body.find("Non\xEF\xBF\xBD"
                            "char"),
              std::string::npos)
        << target;
  }
  publish::testing::HttpResult json = publish::testing::Fetch(port, "/odata/v4/Contacts('x1')");
  ASSERT_EQ(json.status, 200) << json.body;
  rapidjson::Document d;
  ASSERT_TRUE(json::Parse(json.body, d).ok()) << json.body;
  ASSERT_TRUE(d.IsObject() && d.HasMember("lastName") && d["lastName"].IsString()) << json.body;
  EXPECT_EQ(std::string(d["lastName"].GetString(), d["lastName"].GetStringLength()), last);

  ExpectStillHarvests(6);
  publish::testing::HttpResult count = publish::testing::Fetch(port, "/odata/v4/Contacts/$count");
  EXPECT_EQ(count.status, 200);
  EXPECT_EQ(count.body, "6");
  publisher->Stop();
}

TEST_F(HostileUpstreamTest, ALoneSurrogateRejectsItsRecordWithFieldAndPositionAndNineAreStored) {
  std::string page = V2Page(MakeContacts(10, "s", "v1"));
  const std::string bad = "\"Name 4 v1\"";
  ASSERT_NE(page.find(bad), std::string::npos);
  page.replace(page.find(bad), bad.size(), "\"Name \\ud800 4\"");
  Hostile([&](const SeenRequest&) { return Reply::Json(page); });
  RunReport r = Harvest(source_);
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_EQ(r.run.counts.fetched, 10);
  EXPECT_EQ(r.run.counts.created, 9);
  EXPECT_EQ(r.run.counts.rejected, 1);
  std::vector<store::Reject> rejects = Rejects(r.run.id);
  ASSERT_EQ(rejects.size(), 1u);
  EXPECT_EQ(rejects[0].record_id, "s0004");
  EXPECT_EQ(rejects[0].entity, "Contacts");
  EXPECT_EQ(rejects[0].field, "lastName");
  EXPECT_EQ(rejects[0].position, "/d/results/4");
  EXPECT_NE(rejects[0].message.find("lone UTF-16 surrogate"), std::string::npos)
      << rejects[0].message;
  EXPECT_FALSE(Live("s0004"));
  for (const char* id : {"s0000", "s0003", "s0005", "s0009"}) EXPECT_TRUE(Live(id)) << id;
  EXPECT_EQ(Field("s0005", "lastName"), "Name 5 v1");
  EXPECT_EQ(LiveCount(), 5 + 9);
  ExpectStillHarvests(5 + 9);
}

TEST_F(HostileUpstreamTest, AFiveMegabyteIdIsARejectWithItsIdCut) {
  std::vector<Contact> contacts = MakeContacts(5, "c", "good");
  contacts.push_back(MakeContacts(1, "z", "long")[0]);
  const size_t kIdBytes = size_t{5} << 20;
  contacts.back().id = std::string(kIdBytes, 'i');
  const std::string page = V2Page(contacts);
  Hostile([&](const SeenRequest&) { return Reply::Json(page); });
  RunReport r = Harvest(source_);
  ASSERT_TRUE(r.ok()) << r.run.error.substr(0, 300);
  EXPECT_EQ(r.run.counts.rejected, 1);
  EXPECT_EQ(r.run.counts.unchanged, 5);
  std::vector<store::Reject> rejects = Rejects(r.run.id);
  ASSERT_EQ(rejects.size(), 1u);
  EXPECT_EQ(rejects[0].record_id, std::string(core::kMaxNameBytes, 'i') + "... [" +
                                      std::to_string(kIdBytes - core::kMaxNameBytes) +
                                      " more bytes]");
  EXPECT_LE(rejects[0].position.size(), core::kMaxNameBytes + 32);
  EXPECT_LE(rejects[0].value.size(), core::kMaxValueBytes + 32);
  EXPECT_LE(rejects[0].message.size(), core::kMaxMessageBytes + 32);
  std::vector<store::RunRecord> runs = Runs("partner");
  ASSERT_FALSE(runs.empty());
  for (const std::string& w : runs[0].warnings) EXPECT_LE(w.size(), core::kMaxMessageBytes + 32);
  EXPECT_EQ(LiveCount(), 5);
  EXPECT_EQ(MaxSeq(), seq_) << "nothing stored for the long id";
  ExpectStillHarvests();
}

// ---- secrets ----

// A source with every kind of secret: api_key and access_token in its URL (the server writes
// them into its next link too), user:password@ in its URL and a bearer token from its
// secret-file. The server echoes what `echoes` gives (record values, rejected as unknown
// treaties), then refuses the next run with a 403 whose body holds the token.
class SecretsTest : public HostileUpstreamTest {
 protected:
  void SetUp() override {
    HostileUpstreamTest::SetUp();
    meabridge::testing::WriteFile(dir_.File("secret"), "  " + kToken + "\n");
    configured_ = "http://harvester:" + kPassword +
                  "@127.0.0.1:" + std::to_string(server_->port()) + "/Contacts?api_key=" + kApiKey +
                  "&access_token=" + kAccessToken;
    source_.url = configured_;
    source_.auth = "bearer";
    source_.secret_file = dir_.File("secret");
  }

  // Harvests twice (page 2 holds one record per echo, each rejected; then a 403) and checks
  // that no secret is in the watermark, the runs or the rejects, read through the store's API.
  void HarvestAndExpectNoSecretStored(const std::vector<std::string>& echoes) {
    std::atomic<bool> refuse{false};
    Hostile([&](const SeenRequest& q) {
      if (refuse) return Reply::Status(403, "token " + kToken + " for " + q.target + " revoked");
      if (q.query.count("page")) {
        std::vector<Contact> page = MakeContacts(static_cast<int>(echoes.size()) + 1, "p", "two");
        for (size_t i = 0; i < echoes.size(); ++i) page[i].treaty = echoes[i];
        return Reply::Json(V2Page(page));
      }
      return Reply::Json(V2Page(MakeContacts(5, "c", "one"), configured_ + "&page=2"));
    });
    RunReport ok = Harvest(source_);
    ASSERT_TRUE(ok.ok()) << ok.run.error;
    EXPECT_EQ(ok.run.counts.rejected, static_cast<int64_t>(echoes.size())) << Warnings(ok);
    EXPECT_EQ(LiveCount(), 6);
    // The server did receive every credential (the test would prove nothing otherwise).
    std::vector<SeenRequest> seen = server_->requests();
    ASSERT_EQ(seen.size(), 2u);
    for (const SeenRequest& q : seen) {
      EXPECT_EQ(q.query.at("api_key"), kApiKey) << q.target;
      EXPECT_EQ(q.query.at("access_token"), kAccessToken) << q.target;
      EXPECT_EQ(q.Header("authorization"), "Bearer " + kToken) << q.target;
    }

    refuse = true;
    RunReport failed = Harvest(source_);
    EXPECT_EQ(failed.run.status, "failed");
    EXPECT_NE(failed.run.error.find("HTTP 403"), std::string::npos) << failed.run.error;

    auto clean = [&](const std::string& text, const std::string& what) {
      for (const std::string& s : {kApiKey, kAccessToken, kPassword, kToken}) {
        EXPECT_EQ(text.find(s), std::string::npos) << what << " holds " << s << ": " << text;
      }
    };
    const std::string watermark = Watermark("partner");
    EXPECT_NE(watermark.find("page=2"), std::string::npos) << "the pages are kept: " << watermark;
    clean(watermark, "the watermark");
    std::vector<store::RunRecord> runs = Runs("partner");
    ASSERT_EQ(runs.size(), 3u);
    size_t rejects = 0;
    for (const store::RunRecord& run : runs) {
      const std::string name = "run " + std::to_string(run.id);
      clean(run.error, name + "'s error");
      for (const std::string& w : run.warnings) clean(w, "a warning of " + name);
      for (const store::Reject& rej : Rejects(run.id)) {
        ++rejects;
        for (const std::string* f :
             {&rej.record_id, &rej.position, &rej.field, &rej.rule, &rej.value, &rej.message}) {
          clean(*f, "a reject of " + name);
        }
      }
    }
    EXPECT_EQ(rejects, echoes.size());
    ExpectStillHarvests(6);
  }

  const std::string kApiKey = "AK-7c1e9b";
  const std::string kAccessToken = "AT-4d2f8a";
  const std::string kPassword = "PW-9e3b7c";
  const std::string kToken = "SF-2a6d5e";
  std::string configured_;  // the source's URL, set once the server has its port
};

// The secret-file's token echoed alone, and the whole configured URL echoed (its password and
// credential parameters are hidden as in any URL shown).
TEST_F(SecretsTest, SecretsAreNeverInTheWatermarkRunsOrRejects) {
  HarvestAndExpectNoSecretStored({kToken, configured_, "token " + kToken + " in a sentence"});
}

// The credentials written in the source's URL (the api_key and access_token values, the
// user:password@ password), echoed alone by the server in a record, are hidden as the
// secret-file's token is (found by this suite: they were stored verbatim in the reject's value
// and message, "'AK-7c1e9b' is not in the treaties vocabulary ...").
TEST_F(SecretsTest, UrlCredentialsEchoedAloneAreNeverInRejects) {
  HarvestAndExpectNoSecretStored({kApiKey, kAccessToken, kPassword});
}

}  // namespace
}  // namespace meabridge::harvest::test
