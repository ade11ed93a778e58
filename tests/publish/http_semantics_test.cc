// HTTP semantics of every published endpoint: ETags and 304, Last-Modified, gzip, HEAD, CORS,
// 405 with Allow, limits (414, 431), the response cache, 500 from a handler that throws, and
// readers while harvests commit.
#include <Poco/InflatingStream.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <sstream>
#include <thread>

#include "publish/http/server.h"
#include "publish/http/wire.h"
#include "publish_fixture.h"

namespace meabridge::publish::testing {
namespace {

std::string Gunzip(const std::string& gz) {
  std::istringstream in(gz);
  Poco::InflatingInputStream inflate(in, Poco::InflatingStreamBuf::STREAM_GZIP);
  std::string out;
  Poco::StreamCopier::copyToString(inflate, out);
  return out;
}

class HttpSemanticsTest : public PublishTest {
 protected:
  config::Config Config() override {
    config::Config c = PublishTest::Config();
    c.server_max_url_length = 600;
    c.server_max_header_size = 2048;
    return c;
  }
};

// One target per family, each answering 200.
std::vector<std::string> Targets() {
  return {"/odata/v4/",
          "/odata/v4/$metadata",
          "/odata/v4/Contacts?$filter=" + Enc("country eq 'FR'"),
          "/odata/v4/Contacts('c01')",
          "/odata/v4/Contacts/$count",
          "/informea.svc/",
          "/informea.svc/$metadata",
          "/informea.svc/Contacts",
          "/informea.svc/Contacts?$format=json",
          "/informea.svc/Contacts('c01')",
          "/feeds/contacts.atom",
          "/ld/contacts",
          "/ld/contacts/c01",
          "/ld/context/contacts.jsonld",
          "/export/contacts.csv",
          "/vocab/",
          "/vocab/treaties"};
}

// The tests below that exercise the store run on every backend (support/store_backends.h).
class HttpSemanticsStoresTest : public meabridge::testing::OnEachStore<HttpSemanticsTest> {};

TEST_P(HttpSemanticsStoresTest, EveryGetHasAStrongETagAndAnswers304) {
  for (const std::string& t : Targets()) {
    HttpResult r = Get(t);
    ASSERT_EQ(r.status, 200) << t << "\n" << r.body;
    std::string etag = r.Header("etag");
    ASSERT_FALSE(etag.empty()) << t;
    EXPECT_EQ(etag.front(), '"') << t;
    EXPECT_NE(etag.substr(0, 2), "W/") << t << ": strong";
    HttpResult again = Get(t, {{"If-None-Match", etag}});
    EXPECT_EQ(again.status, 304) << t;
    EXPECT_TRUE(again.body.empty()) << t;
    EXPECT_EQ(again.Header("etag"), etag) << t;
    EXPECT_EQ(Get(t, {{"If-None-Match", "W/" + etag}}).status, 304) << t << ": weak comparison";
    EXPECT_EQ(Get(t, {{"If-None-Match", "\"other\", " + etag}}).status, 304) << t;
    EXPECT_EQ(Get(t, {{"If-None-Match", "*"}}).status, 304) << t;
    EXPECT_EQ(Get(t, {{"If-None-Match", "\"other\""}}).status, 200) << t;
    EXPECT_EQ(r.Header("access-control-allow-origin"), "*") << t;
  }
}

TEST_P(HttpSemanticsStoresTest, ETagsChangeWhenTheStoreChanges) {
  std::string collection = "/odata/v4/Contacts?$filter=" + Enc("country eq 'FR'");
  std::string before = Get(collection).Header("etag");
  std::string entity_before = Get("/odata/v4/Contacts('c05')").Header("etag");
  std::string changed_before = Get("/odata/v4/Contacts('c01')").Header("etag");
  Record c01 = FixtureContacts()[0];
  c01.Set("email", Value(std::string("other@example.org")));
  Commit(fixture_.store(), "fixtures", {c01}, {}, Ms("2023-06-01T00:00:00Z"));
  HttpResult after = Get(collection, {{"If-None-Match", before}});
  EXPECT_EQ(after.status, 200);
  EXPECT_NE(after.Header("etag"), before);
  EXPECT_NE(after.body.find("other@example.org"), std::string::npos);
  // An entity's ETag follows its own content: c05 did not change, c01 did.
  EXPECT_EQ(Get("/odata/v4/Contacts('c05')").Header("etag"), entity_before);
  EXPECT_NE(Get("/odata/v4/Contacts('c01')").Header("etag"), changed_before);
  EXPECT_EQ(Get("/odata/v4/Contacts('c05')", {{"If-None-Match", entity_before}}).status, 304);
}

TEST_F(HttpSemanticsTest, LastModifiedAndIfModifiedSince) {
  HttpResult r = Get("/odata/v4/Contacts");
  std::string lm = r.Header("last-modified");
  ASSERT_FALSE(lm.empty());
  EXPECT_NE(lm.find("GMT"), std::string::npos);
  EXPECT_EQ(Get("/odata/v4/Contacts", {{"If-Modified-Since", lm}}).status, 304);
  EXPECT_EQ(
      Get("/odata/v4/Contacts", {{"If-Modified-Since", "Mon, 01 Jan 2001 00:00:00 GMT"}}).status,
      200);
  EXPECT_FALSE(Get("/odata/v4/Contacts('c01')").Header("last-modified").empty());
}

TEST_F(HttpSemanticsTest, GzipWhenAccepted) {
  for (const std::string& t :
       {std::string("/odata/v4/Contacts?$top=20"), std::string("/export/contacts.csv"),
        std::string("/feeds/contacts.atom")}) {
    HttpResult plain = Get(t);
    HttpResult gz = Get(t, {{"Accept-Encoding", "gzip, deflate"}});
    ASSERT_EQ(gz.status, 200) << t;
    EXPECT_EQ(gz.Header("content-encoding"), "gzip") << t;
    EXPECT_NE(gz.Header("vary").find("Accept-Encoding"), std::string::npos) << t;
    EXPECT_EQ(Gunzip(gz.body), plain.body) << t;
    EXPECT_NE(gz.Header("etag"), plain.Header("etag")) << t << ": each coding has its own tag";
    EXPECT_EQ(Get(t, {{"Accept-Encoding", "gzip;q=0"}}).Header("content-encoding"), "") << t;
    EXPECT_EQ(Get(t, {{"Accept-Encoding", "gzip"}, {"If-None-Match", gz.Header("etag")}}).status,
              304);
  }
}

TEST_F(HttpSemanticsTest, HeadAnswersTheHeadersOfGet) {
  for (const std::string& t : Targets()) {
    HttpResult get = Get(t);
    HttpResult head = Fetch(port_, t, {}, "HEAD");
    EXPECT_EQ(head.status, 200) << t;
    EXPECT_TRUE(head.body.empty()) << t;
    EXPECT_EQ(head.Header("etag"), get.Header("etag")) << t;
    EXPECT_EQ(head.Header("content-type"), get.Header("content-type")) << t;
    if (!get.Header("content-length").empty()) {
      EXPECT_EQ(head.Header("content-length"), get.Header("content-length")) << t;
    }
  }
}

TEST_F(HttpSemanticsTest, WritesToPublicPathsAre405WithAllow) {
  for (const char* method : {"POST", "PUT", "PATCH", "DELETE"}) {
    for (const std::string& t :
         {std::string("/odata/v4/Contacts"), std::string("/odata/v4/Contacts('c01')"),
          std::string("/informea.svc/Contacts"), std::string("/feeds/contacts.atom"),
          std::string("/export/contacts.csv"), std::string("/vocab/")}) {
      HttpResult r =
          Fetch(port_, t, {{"Content-Type", "application/json"}}, method, "{\"id\":\"x\"}");
      EXPECT_EQ(r.status, 405) << method << " " << t;
      EXPECT_EQ(r.Header("allow"), "GET, HEAD, OPTIONS") << method << " " << t;
      EXPECT_NE(r.body.find("read-only"), std::string::npos) << r.body;
    }
  }
  // The server still answers on new connections afterwards.
  EXPECT_EQ(Get("/odata/v4/Contacts('c01')").status, 200);
}

TEST_F(HttpSemanticsTest, CorsPreflight) {
  HttpResult r = Fetch(port_, "/odata/v4/Contacts",
                       {{"Origin", "https://portal.example"},
                        {"Access-Control-Request-Method", "GET"},
                        {"Access-Control-Request-Headers", "Prefer, OData-MaxVersion"}},
                       "OPTIONS");
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.Header("access-control-allow-origin"), "*");
  EXPECT_EQ(r.Header("access-control-allow-methods"), "GET, HEAD, OPTIONS");
  EXPECT_EQ(r.Header("access-control-allow-headers"), "Prefer, OData-MaxVersion");
}

TEST_F(HttpSemanticsTest, UnknownPathsAndLimits) {
  HttpResult missing = Get("/nothing/here");
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(missing.body.find("nothing is published"), std::string::npos);
  HttpResult long_url =
      Get("/odata/v4/Contacts?$filter=" + Enc("country eq '" + std::string(700, 'x') + "'"));
  EXPECT_EQ(long_url.status, 414);
  EXPECT_NE(long_url.body.find("limit of 600"), std::string::npos) << long_url.body;
  HttpResult big_headers = Get("/odata/v4/Contacts", {{"X-Padding", std::string(3000, 'p')}});
  EXPECT_EQ(big_headers.status, 431);
  EXPECT_NE(big_headers.body.find("limit of 2048"), std::string::npos) << big_headers.body;
  HttpResult bad_escape = Get("/odata/v4/Contacts?$filter=%zz");
  EXPECT_EQ(bad_escape.status, 400);
  EXPECT_NE(bad_escape.body.find("percent-escape"), std::string::npos);
}

TEST_F(HttpSemanticsTest, RepeatedRequestsAreServedFromTheCache) {
  std::string t = "/odata/v4/Contacts?$filter=" + Enc("country eq 'DE'");
  HttpResult first = Get(t);
  int64_t hits = publisher_->stats().cache_hits;
  HttpResult second = Get(t);
  EXPECT_EQ(second.body, first.body);
  EXPECT_EQ(publisher_->stats().cache_hits, hits + 1);
  // A commit moves MaxSeq: the next request renders anew.
  Record c03 = FixtureContacts()[2];
  c03.Set("email", Value(std::string("mei@example.org")));
  Commit(fixture_.store(), "fixtures", {c03}, {}, Ms("2023-07-01T00:00:00Z"));
  HttpResult third = Get(t);
  EXPECT_NE(third.body, first.body);
  EXPECT_NE(third.body.find("mei@example.org"), std::string::npos);
}

TEST_P(HttpSemanticsStoresTest, ReadersDuringCommitsSeeWholeRuns) {
  // A writer commits runs that set every French contact's position to "run N"; readers must
  // never get an error, nor a response with two different markers.
  std::atomic<bool> stop{false};
  std::atomic<int> errors{0};
  std::atomic<int> mixed{0};
  std::atomic<int> responses{0};
  std::vector<std::thread> readers;
  for (int i = 0; i < 4; ++i) {
    readers.emplace_back([&, i] {
      std::string t = "/odata/v4/Contacts?$filter=" + Enc("country eq 'FR'") +
                      "&$select=id,position&$top=50&r=" + std::to_string(i);
      while (!stop) {
        HttpResult r = Fetch(port_, t);
        if (r.status != 200) {
          ++errors;
          continue;
        }
        rapidjson::Document d;
        if (!json::Parse(r.body, d).ok()) {
          ++errors;
          continue;
        }
        std::set<std::string> markers;
        for (const auto& v : d["value"].GetArray()) {
          markers.insert(v["position"].IsString() ? v["position"].GetString() : "");
        }
        if (markers.size() > 1) ++mixed;
        ++responses;
      }
    });
  }
  std::vector<Record> french;
  for (const Record& r : LiveContacts()) {
    auto* c = std::get_if<std::string>(r.Find("country"));
    if (c && *c == "FR") french.push_back(r);
  }
  for (int run = 1; run <= 30; ++run) {
    // Let the readers answer between commits, however slow the build (ASan) or the machine:
    // the test is about reads that overlap commits, not about how many fit in a time.
    const int seen = responses.load();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (responses.load() < seen + 2 && errors.load() == 0 &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    for (Record& r : french) r.Set("position", Value("run " + std::to_string(run)));
    Commit(fixture_.store(), "churn", french, {}, Ms("2023-08-01T00:00:00Z") + run * 1000);
  }
  stop = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(mixed.load(), 0);
  EXPECT_GT(responses.load(), 30);
}

TEST(HttpServerTest, AHandlerThatThrowsAnswers500AndTheServerKeepsServing) {
  auto routes = std::make_shared<http::RouteRegistry>();
  http::Route boom;
  boom.name = "boom";
  boom.path = "/boom";
  boom.cache = http::CacheMode::kNone;
  boom.handler = [](http::Exchange&) -> http::Response {
    throw std::runtime_error("broken invariant in a handler");
  };
  ASSERT_TRUE(routes->Add(boom).ok());
  http::Route ok;
  ok.name = "ok";
  ok.path = "/ok";
  ok.cache = http::CacheMode::kNone;
  ok.handler = [](http::Exchange&) { return http::Response::Make(200, "text/plain", "fine"); };
  ASSERT_TRUE(routes->Add(ok).ok());
  http::ServerOptions o;
  o.port = 0;
  o.connections.workers = 4;
  o.access_log = false;
  http::Server server(o, routes, nullptr);
  ASSERT_TRUE(server.Start().ok());
  HttpResult r = Fetch(server.port(), "/boom");
  EXPECT_EQ(r.status, 500);
  EXPECT_NE(r.body.find("internal error"), std::string::npos);
  EXPECT_EQ(r.body.find("broken invariant"), std::string::npos) << "never sent to the client";
  EXPECT_EQ(Fetch(server.port(), "/ok").body, "fine");
  EXPECT_EQ(routes->Add(ok).code(), Status::Code::kInvalidArgument) << "a path claimed twice";
}

// The bytes a server answers to `request`, sent as they are on a fresh connection.
std::string RawExchange(int port, const std::string& request) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  EXPECT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  EXPECT_EQ(::send(fd, request.data(), request.size(), MSG_NOSIGNAL),
            static_cast<ssize_t>(request.size()));
  ::shutdown(fd, SHUT_WR);
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) out.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return out;
}

// Issue 14, point 9: a duplicate Host, or none on HTTP/1.1, answers 400 (RFC 9112 section 3.2)
// and closes the connection, so a second request behind it is never answered.
TEST_F(HttpSemanticsTest, HostMissingOrDuplicateAnswers400) {
  for (const std::string& head :
       {std::string("GET /odata/v4/ HTTP/1.1\r\n"),
        std::string("GET /odata/v4/ HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n"),
        std::string("GET /odata/v4/ HTTP/1.0\r\nHost: a.example\r\nHost: a.example\r\n")}) {
    std::string answer = RawExchange(port_, head + "\r\nGET /odata/v4/ HTTP/1.1\r\n"
                                                             "Host: x\r\n\r\n");
    EXPECT_EQ(answer.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << head << answer;
    EXPECT_NE(answer.find("RFC 9112 section 3.2"), std::string::npos) << answer;
    EXPECT_EQ(answer.find("HTTP/1.1 200"), std::string::npos) << "nothing answered after it";
  }
  std::string ok = RawExchange(port_, "GET /odata/v4/ HTTP/1.0\r\n\r\n");
  EXPECT_EQ(ok.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << ok;
  ok = RawExchange(port_, "GET /odata/v4/ HTTP/1.1\r\nHost: x\r\n"
                                    "Connection: close\r\n\r\n");
  EXPECT_EQ(ok.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << ok;
}

TEST(HttpServerTest, BindErrorsSayWhatToDo) {
  auto routes = std::make_shared<http::RouteRegistry>();
  http::ServerOptions o;
  o.port = 0;
  o.access_log = false;
  http::Server first(o, routes, nullptr);
  ASSERT_TRUE(first.Start().ok());
  o.port = first.port();
  http::Server second(o, routes, nullptr);
  Status st = second.Start();
  EXPECT_EQ(st.code(), Status::Code::kUnavailable);
  EXPECT_NE(st.message().find("choose another one"), std::string::npos) << st.message();
}

TEST(HttpWireTest, HttpDates) {
  EXPECT_EQ(http::FormatHttpDate(784111777000), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(http::ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777000);
  EXPECT_EQ(http::ParseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT"), 784111777000);
  EXPECT_EQ(http::ParseHttpDate("Sun Nov  6 08:49:37 1994"), 784111777000);
  EXPECT_FALSE(http::ParseHttpDate("yesterday").has_value());
}

INSTANTIATE_TEST_SUITE_P(Stores, HttpSemanticsStoresTest,
                         ::testing::ValuesIn(meabridge::testing::StoreBackends()),
                         meabridge::testing::StoreBackendName);

}  // namespace
}  // namespace meabridge::publish::testing
