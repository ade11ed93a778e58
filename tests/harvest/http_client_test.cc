// The libcurl client and its retries against a real server on 127.0.0.1 with faults on demand.
#include "harvest/fetch/http_client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "core/hash.h"
#include "core/version.h"
#include "support/http_test_server.h"

namespace meabridge::harvest {
namespace {

using testing::HttpTestServer;
using testing::Reply;
using testing::SeenRequest;

struct Client {
  explicit Client(HttpSettings s = {}, std::vector<std::string> secrets = {})
      : client(std::move(s), Redactor(std::move(secrets)), stop.get_token()) {}
  std::stop_source stop;
  HttpClient client;
};

HttpSettings Settings() {
  HttpSettings s;
  s.connect_timeout_ms = 2000;
  s.timeout_ms = 5000;
  s.max_size = 1 << 20;
  return s;
}

TEST(HttpClientTest, GetsAPageWithUserAgentAndAcceptAndReusesTheConnection) {
  HttpTestServer server(
      [](const SeenRequest& r) { return Reply::Json("{\"path\":\"" + r.path + "\"}"); });
  HttpSettings s = Settings();
  s.accept = "application/json";
  s.headers = {{"Accept-Language", "fr"}};
  Client c(s);
  for (int i = 0; i < 3; ++i) {
    Result<HttpResponse> r = c.client.Get({server.Url("/p" + std::to_string(i)), "", ""});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "{\"path\":\"/p" + std::to_string(i) + "\"}");
    EXPECT_FALSE(r->date.empty());
    EXPECT_GT(r->wire_bytes, 0);
  }
  std::vector<SeenRequest> seen = server.requests();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].Header("user-agent"), kUserAgent);
  EXPECT_EQ(seen[0].Header("accept"), "application/json");
  EXPECT_EQ(seen[0].Header("accept-language"), "fr");
  EXPECT_NE(seen[0].Header("accept-encoding").find("gzip"), std::string::npos);
  EXPECT_EQ(server.connection_count(), 1u) << "pages of one run share one connection";
}

TEST(HttpClientTest, DecodesGzip) {
  const std::string body = std::string(5000, 'a') + "end";
  HttpTestServer server([&](const SeenRequest&) {
    Reply r = Reply::Json(testing::Gzip(body));
    r.Header("Content-Encoding", "gzip");
    return r;
  });
  Client c(Settings());
  Result<HttpResponse> r = c.client.Get({server.Url("/z"), "", ""});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->body, body);
  EXPECT_LT(r->wire_bytes, 1000);
}

// Past memory_bytes the body goes to a temporary file as it arrives; Body() reads it back
// whole, and the SHA-1 (computed as it arrived) is that of the whole body.
TEST(HttpClientTest, ABodyLargerThanMemoryBytesIsKeptInATemporaryFile) {
  std::string body;
  for (int i = 0; body.size() < 300000; ++i) body += "line " + std::to_string(i) + "\n";
  HttpTestServer server([&](const SeenRequest& r) {
    Reply rep = Reply::Json(r.path == "/small" ? std::string("{}") : testing::Gzip(body));
    if (r.path != "/small") rep.Header("Content-Encoding", "gzip");
    return rep;
  });
  HttpSettings s = Settings();
  s.memory_bytes = 64 * 1024;
  Client c(s);
  Result<HttpResponse> r = c.client.Get({server.Url("/big"), "", ""});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->body.empty()) << "not held in memory";
  ASSERT_TRUE(r->spilled);
  EXPECT_EQ(r->body_size, static_cast<int64_t>(body.size()));
  EXPECT_EQ(r->body_sha1, core::ContentHash(body));
  Result<std::string> back = codec::ReadAll(*r->Body("big"));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, body);
  Result<std::string> again = codec::ReadAll(*r->Body("big"));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->size(), body.size()) << "read twice (a page decoded, then kept aside)";

  Result<HttpResponse> small = c.client.Get({server.Url("/small"), "", ""});
  ASSERT_TRUE(small.ok());
  EXPECT_EQ(small->body, "{}") << "a small body stays in memory";
  EXPECT_FALSE(small->spilled);
  EXPECT_EQ(small->body_sha1, core::ContentHash("{}"));
}

TEST(HttpClientTest, SizeLimitCountsDecodedBytesSoAGzipBombStops) {
  const std::string bomb = testing::GzipBomb(int64_t{64} << 20);  // 64 MB of zeros
  ASSERT_LT(bomb.size(), 200000u);
  HttpTestServer server([&](const SeenRequest& r) {
    if (r.path == "/big") return Reply::Json(std::string(2 << 20, 'x'));
    Reply rep = Reply::Json(bomb);
    rep.Header("Content-Encoding", "gzip");
    return rep;
  });
  Client c(Settings());  // max 1 MB
  Result<HttpResponse> r = c.client.Get({server.Url("/bomb"), "", ""});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kIoError);
  EXPECT_NE(r.status().message().find("larger than max-size (1.0 MB, counted after decompression)"),
            std::string::npos)
      << r.status().message();
  r = c.client.Get({server.Url("/big"), "", ""});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("larger than max-size"), std::string::npos);
}

TEST(HttpClientTest, ConditionalGetSendsValidatorsAnd304HasNoBody) {
  HttpTestServer server([](const SeenRequest& r) {
    if (r.Header("if-none-match") == "\"v1\"") return Reply::Status(304);
    Reply rep = Reply::Json("{}");
    rep.Header("ETag", "\"v1\"").Header("Last-Modified", "Wed, 01 May 2024 10:00:00 GMT");
    return rep;
  });
  Client c(Settings());
  Result<HttpResponse> r = c.client.Get({server.Url("/c"), "", ""});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->etag, "\"v1\"");
  EXPECT_EQ(r->last_modified, "Wed, 01 May 2024 10:00:00 GMT");
  r = c.client.Get({server.Url("/c"), r->etag, r->last_modified});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 304);
  EXPECT_TRUE(r->body.empty());
  EXPECT_EQ(server.requests()[1].Header("if-modified-since"), "Wed, 01 May 2024 10:00:00 GMT");
}

TEST(HttpClientTest, RedirectsAreFollowedCountedAndLoopsNamed) {
  HttpTestServer server([](const SeenRequest& r) {
    if (r.path == "/a") return Reply::Status(301).Header("Location", "/b");
    if (r.path == "/b") return Reply::Status(302).Header("Location", "/c?x=1");
    if (r.path == "/loop1") return Reply::Status(302).Header("Location", "/loop2");
    if (r.path == "/loop2") return Reply::Status(307).Header("Location", "/loop1");
    if (r.path == "/ftp") return Reply::Status(302).Header("Location", "ftp://127.0.0.1/x");
    if (r.path == "/file") return Reply::Status(302).Header("Location", "file:///etc/passwd");
    return Reply::Json("\"" + r.target + "\"");
  });
  HttpSettings s = Settings();
  s.max_redirects = 2;
  Client c(s);
  Result<HttpResponse> r = c.client.Get({server.Url("/a"), "", ""});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->body, "\"/c?x=1\"");
  EXPECT_EQ(r->redirects, 2);
  EXPECT_EQ(r->url, server.Url("/c?x=1"));

  r = c.client.Get({server.Url("/loop1"), "", ""});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("redirect loop"), std::string::npos) << r.status().message();

  HttpSettings one = Settings();
  one.max_redirects = 1;
  Client c1(one);
  r = c1.client.Get({server.Url("/a"), "", ""});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("more than 1 redirects (max-redirects)"), std::string::npos)
      << r.status().message();

  for (const char* path : {"/ftp", "/file"}) {
    r = c.client.Get({server.Url(path), "", ""});
    ASSERT_FALSE(r.ok()) << path;
    EXPECT_NE(r.status().message().find("only http and https URLs are followed"), std::string::npos)
        << r.status().message();
  }
  r = c.client.Get({"file:///etc/passwd", "", ""});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("only http and https"), std::string::npos);
}

TEST(HttpClientTest, CredentialsGoOnlyToTheirOrigin) {
  HttpTestServer other([](const SeenRequest&) { return Reply::Json("{}"); });
  HttpTestServer server([&](const SeenRequest& r) {
    if (r.path == "/away") return Reply::Status(302).Header("Location", other.Url("/x"));
    return Reply::Json("{}");
  });
  for (std::string auth : {"bearer", "header", "basic"}) {
    HttpSettings s = Settings();
    s.auth = auth;
    s.auth_user = "harvester";
    s.auth_header = "X-API-Key";
    s.secret = "t0ps3cret";
    s.credential_origin = "http://127.0.0.1:" + std::to_string(server.port());
    Client c(s, {"t0ps3cret"});
    server.ClearRequests();
    other.ClearRequests();
    ASSERT_TRUE(c.client.Get({server.Url("/away"), "", ""}).ok());
    SeenRequest first = server.requests().at(0);
    SeenRequest second = other.requests().at(0);
    std::string want_auth = auth == "bearer"  ? "Bearer t0ps3cret"
                            : auth == "basic" ? "Basic aGFydmVzdGVyOnQwcHMzY3JldA=="
                                              : "";
    EXPECT_EQ(first.Header("authorization"), want_auth) << auth;
    EXPECT_EQ(first.Header("x-api-key"), auth == "header" ? "t0ps3cret" : "") << auth;
    EXPECT_EQ(second.Header("authorization"), "") << auth;
    EXPECT_EQ(second.Header("x-api-key"), "") << auth;
  }
}

TEST(HttpClientTest, TransportFailuresAreUnavailableOrIoErrors) {
  int closed_port;
  {
    HttpTestServer gone([](const SeenRequest&) { return Reply::Json("{}"); });
    closed_port = gone.port();
  }
  HttpTestServer server([](const SeenRequest& r) {
    if (r.path == "/slow") {
      Reply rep = Reply::Json("{}");
      rep.delay_ms = 3000;
      return rep;
    }
    Reply rep = Reply::Json(std::string(100000, 'x'));
    rep.reset_after = 1000;
    return rep;
  });
  HttpSettings s = Settings();
  s.timeout_ms = 300;
  Client c(s);
  Result<HttpResponse> r = c.client.Get({server.Url("/slow"), "", ""});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kUnavailable);
  EXPECT_NE(r.status().message().find("timed out"), std::string::npos) << r.status().message();

  r = c.client.Get({server.Url("/reset"), "", ""});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kUnavailable) << r.status().ToString();

  r = c.client.Get({"http://127.0.0.1:" + std::to_string(closed_port) + "/x", "", ""});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kUnavailable) << r.status().ToString();
}

// Issue 14, point 9: an answer that is not HTTP is named for what it is, not as a scheme
// that is not fetched.
TEST(HttpClientTest, ANonHttpAnswerIsNamedAsOne) {
  HttpTestServer server([](const SeenRequest&) {
    Reply rep;
    rep.not_http = true;
    rep.body = "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n";
    return rep;
  });
  Client c(Settings());
  Result<HttpResponse> r = c.client.Get({server.Url("/page"), "", ""});
  ASSERT_FALSE(r.ok());
  const std::string& m = r.status().message();
  EXPECT_EQ(m.find("only http and https"), std::string::npos) << m;
  EXPECT_NE(m.find("GET " + server.Url("/page") + ": the server's answer is not HTTP"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("check the host and port"), std::string::npos) << m;
}

TEST(HttpClientTest, AStopRequestAbortsATransfer) {
  // The stop comes once the server has the request (the transfer is under way), not after a
  // guessed delay.
  std::mutex mu;
  std::condition_variable cv;
  bool requested = false;
  HttpTestServer server([&](const SeenRequest&) {
    {
      std::lock_guard lock(mu);
      requested = true;
    }
    cv.notify_all();
    Reply rep = Reply::Json("{}");
    rep.delay_ms = 5000;
    return rep;
  });
  HttpSettings s = Settings();
  s.timeout_ms = 20000;
  Client c(s);
  std::thread stopper([&] {
    std::unique_lock lock(mu);
    cv.wait_for(lock, std::chrono::seconds(30), [&] { return requested; });
    c.stop.request_stop();
  });
  auto t0 = std::chrono::steady_clock::now();
  Result<HttpResponse> r = c.client.Get({server.Url("/slow"), "", ""});
  stopper.join();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kAborted);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(3));
}

TEST(HttpClientTest, SecretsAreRedactedFromMessages) {
  HttpTestServer server(
      [](const SeenRequest&) { return Reply::Status(302).Header("Location", "/x"); });
  HttpSettings s = Settings();
  s.max_redirects = 0;
  Client c(s, {"hunter2"});
  Result<HttpResponse> r =
      c.client.Get({server.Url("/feed?api_key=hunter2&user=u:hunter2"), "", ""});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().find("hunter2"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("api_key=***"), std::string::npos) << r.status().message();
}

// ---- retries ----

struct Retrying {
  explicit Retrying(HttpTestServer& server, int retries = 3, int64_t max_delay_ms = 60000)
      : clock(1'700'000'000'000), waiter(&clock), client(Settings(), Redactor(), stop.get_token()) {
    (void)server;
    RetryPolicy p;
    p.retries = retries;
    p.base_delay_ms = 1000;
    p.max_delay_ms = max_delay_ms;
    fetcher = std::make_unique<Fetcher>(
        client, p, clock, waiter, stop.get_token(),
        [this](std::string w) { warnings.push_back(w); }, [] { return 0.0; });
  }
  core::ManualClock clock;
  ManualWaiter waiter;
  std::stop_source stop;
  HttpClient client;
  std::unique_ptr<Fetcher> fetcher;
  std::vector<std::string> warnings;
};

TEST(FetcherTest, RetriesServerErrorsWithExponentialBackoff) {
  std::atomic<int> calls{0};
  HttpTestServer server([&](const SeenRequest&) {
    return ++calls <= 3 ? Reply::Status(500, "oops") : Reply::Json("{}");
  });
  Retrying t(server);
  Result<HttpResponse> r = t.fetcher->Fetch({server.Url("/x"), "", ""});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(t.waiter.waits(), (std::vector<int64_t>{1000, 2000, 4000}));
  ASSERT_EQ(t.warnings.size(), 3u);
  EXPECT_NE(t.warnings[0].find("HTTP 500 Internal Server Error; retry 1 of 3 in 1.0s (backoff)"),
            std::string::npos)
      << t.warnings[0];
}

TEST(FetcherTest, HonoursRetryAfterOn503And429) {
  std::atomic<int> calls{0};
  HttpTestServer server([&](const SeenRequest&) {
    int n = ++calls;
    if (n == 1) return Reply::Status(503).Header("Retry-After", "7");
    if (n == 2)
      return Reply::Status(429).Header("Retry-After", testing::HttpDate(1'700'000'012'000));
    return Reply::Json("{}");
  });
  Retrying t(server);
  Result<HttpResponse> r = t.fetcher->Fetch({server.Url("/x"), "", ""});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  // 7 s, then the date 12 s after the start, which is 5 s after the first wait.
  EXPECT_EQ(t.waiter.waits(), (std::vector<int64_t>{7000, 5000}));
  EXPECT_NE(t.warnings[0].find("(Retry-After)"), std::string::npos);
}

TEST(FetcherTest, GivesUpAfterTheRetriesAndNamesTheUrlAndStatus) {
  HttpTestServer server([](const SeenRequest&) { return Reply::Status(502); });
  Retrying t(server, 2);
  Result<HttpResponse> r = t.fetcher->Fetch({server.Url("/x?token=abc"), "", ""});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kUnavailable);
  EXPECT_NE(r.status().message().find("HTTP 502 Bad Gateway (gave up after 3 tries"),
            std::string::npos)
      << r.status().message();
  EXPECT_EQ(r.status().message().find("abc"), std::string::npos);
  EXPECT_EQ(server.request_count(), 3u);
}

TEST(FetcherTest, ARetryAfterBeyondTheMaximumFailsAtOnce) {
  HttpTestServer server(
      [](const SeenRequest&) { return Reply::Status(503).Header("Retry-After", "3600"); });
  Retrying t(server, 5, 60000);
  Result<HttpResponse> r = t.fetcher->Fetch({server.Url("/x"), "", ""});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("retry after 3600s, longer than retry-max-delay (60s)"),
            std::string::npos)
      << r.status().message();
  EXPECT_EQ(server.request_count(), 1u);
  EXPECT_TRUE(t.waiter.waits().empty());
}

TEST(FetcherTest, OtherClientErrorsAreReturnedAtOnce) {
  HttpTestServer server(
      [](const SeenRequest& r) { return Reply::Status(r.path == "/gone" ? 404 : 403); });
  Retrying t(server);
  Result<HttpResponse> r = t.fetcher->Fetch({server.Url("/x"), "", ""});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 403);
  EXPECT_EQ(server.request_count(), 1u);
  EXPECT_TRUE(t.waiter.waits().empty());
}

TEST(FetcherTest, ConnectionErrorsAreRetried) {
  std::atomic<int> calls{0};
  HttpTestServer server([&](const SeenRequest&) {
    Reply rep = Reply::Json(std::string(50000, 'y'));
    if (++calls == 1) rep.reset_after = 100;  // a reset in the middle of the body
    return rep;
  });
  Retrying t(server);
  Result<HttpResponse> r = t.fetcher->Fetch({server.Url("/x"), "", ""});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->body.size(), 50000u);
  EXPECT_EQ(t.waiter.waits(), (std::vector<int64_t>{1000}));
}

}  // namespace
}  // namespace meabridge::harvest
