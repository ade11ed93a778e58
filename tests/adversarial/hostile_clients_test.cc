// Issue 14, point 10: hostile clients, in one place. A real publisher on 127.0.0.1 over the
// fixture store (publish/publish_fixture.h: 19 live contacts, 6 treaties, 2 meetings), fed raw
// bytes on real sockets: an idle flood (500 connections that send nothing while another
// client is served), request smuggling (Content-Length with Transfer-Encoding: chunked, two
// Content-Length headers that disagree, a second request hidden in a body), two pipelined
// requests in one write, a huge head (a request line over 8 KB, header fields over 16 KB, a
// head that never ends), and $filter built to exhaust the parser or the store (51 levels of
// parentheses, 1,001 `or` terms; 400 terms answered as a simple equivalent query is). Each
// test checks what was answered, that nothing else was (no answer to a smuggled request), and
// that the server keeps serving afterwards: GET /odata/v4/Contacts/$count answers 200 and 19.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "publish/publish_fixture.h"
#include "support/raw_http.h"

namespace meabridge::publish::testing {
namespace {

using meabridge::testing::Exchange;
using meabridge::testing::ReadUntilClosed;

int Connect(int port, const char* from = "127.0.0.1") {
  return meabridge::testing::ConnectFrom(port, from);
}
bool SendAll(int fd, const std::string& bytes) { return meabridge::testing::SendAllBytes(fd, bytes); }

std::string RawGet(const std::string& target, const std::string& extra = "") {
  return "GET " + target + " HTTP/1.1\r\nHost: x\r\n" + extra + "\r\n";
}

struct Answer {
  std::string status;  // "HTTP/1.1 200 OK"
  std::string body;
};

// The answers in `stream`, in order (bodies framed by Content-Length or chunked); whatever
// does not parse as an answer ends the list as one whose status is "<unparsed: ...>".
std::vector<Answer> Answers(const std::string& stream) {
  std::vector<Answer> out;
  size_t at = 0;
  auto unparsed = [&] {
    out.push_back({"<unparsed: " + stream.substr(at, 200) + ">", ""});
    return out;
  };
  while (at < stream.size()) {
    size_t end = stream.find("\r\n\r\n", at);
    if (stream.compare(at, 9, "HTTP/1.1 ") != 0 || end == std::string::npos) return unparsed();
    Answer a;
    a.status = stream.substr(at, stream.find("\r\n", at) - at);
    const std::string head = core::AsciiLower(stream.substr(at, end - at + 2));
    size_t body = end + 4;
    size_t cl = head.find("\r\ncontent-length:");
    if (cl != std::string::npos) {
      size_t length = std::stoul(head.substr(cl + 17));
      if (body + length > stream.size()) return unparsed();
      a.body = stream.substr(body, length);
      at = body + length;
    } else if (head.find("\r\ntransfer-encoding: chunked\r\n") != std::string::npos) {
      for (;;) {
        size_t eol = stream.find("\r\n", body);
        if (eol == std::string::npos) return unparsed();
        size_t size = std::stoul(stream.substr(body, eol - body), nullptr, 16);
        if (eol + 2 + size + 2 > stream.size()) return unparsed();
        a.body += stream.substr(eol + 2, size);
        body = eol + 2 + size + 2;
        if (size == 0) break;
      }
      at = body;
    } else {
      at = body;  // no body
    }
    out.push_back(std::move(a));
  }
  return out;
}

std::vector<std::string> Statuses(const std::vector<Answer>& answers) {
  std::vector<std::string> out;
  for (const Answer& a : answers) out.push_back(a.status);
  return out;
}

// The status lines, one a line, for failure messages.
std::string Shown(const std::vector<Answer>& answers) {
  std::string s;
  for (const Answer& a : answers) s += "\n  " + a.status;
  return s;
}

class HostileClientTest : public PublishTest {
 protected:
  config::Config Config() override {
    config::Config c = PublishTest::Config();
    c.server_threads = 4;
    c.server_max_connections_per_client = 2000;
    return c;
  }
  void TearDown() override {
    for (int fd : idle_) close(fd);
    PublishTest::TearDown();
  }

  // (c): a new client is still served, with the right count.
  void ExpectStillServing() {
    HttpResult r = PublishTest::Get("/odata/v4/Contacts/$count");
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.body, "19");
  }

  // The message of an OData JSON error body ("" when it is not one).
  static std::string ErrorMessage(const std::string& body) {
    rapidjson::Document d;
    if (!json::Parse(body, d).ok() || !d.IsObject() || !d.HasMember("error")) return "";
    const auto& e = d["error"];
    if (!e.IsObject() || !e.HasMember("message") || !e["message"].IsString()) return "";
    return e["message"].GetString();
  }

  std::vector<int> idle_;
};

// ---- an idle flood ----

TEST_F(HostileClientTest, FiveHundredIdleConnectionsLeaveAnotherClientServed) {
  rlimit rl{};
  getrlimit(RLIMIT_NOFILE, &rl);
  if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < 1200) {
    GTEST_SKIP() << "the file limit (" << rl.rlim_cur
                 << ") is too low for 500 connections on both ends; raise ulimit -n";
  }
  for (int i = 0; i < 500; ++i) {
    int fd = Connect(port_);
    ASSERT_GE(fd, 0) << "connection " << i << ": " << std::strerror(errno);
    idle_.push_back(fd);
  }
  // Bounded polling until the server has taken all 500 (it accepts them on its own thread);
  // each round trip from the other client lets it run.
  for (int i = 0; i < 3000 && publisher_->stats().connections_open < 500; ++i) {
    Exchange(port_, RawGet("/odata/v4/", "Connection: close\r\n"), "127.0.0.2");
  }
  ASSERT_GE(publisher_->stats().connections_open, 500);
  // 4 workers, 500 connections that send nothing: 20 requests of another client all served.
  for (int i = 0; i < 20; ++i) {
    std::vector<Answer> got = Answers(
        Exchange(port_, RawGet("/odata/v4/Contacts/$count", "Connection: close\r\n"), "127.0.0.2"));
    ASSERT_EQ(got.size(), 1u) << "#" << i << ":" << Shown(got);
    EXPECT_EQ(got[0].status, "HTTP/1.1 200 OK") << "#" << i;
    EXPECT_EQ(got[0].body, "19") << "#" << i;
  }
  EXPECT_EQ(publisher_->stats().connections_refused, 0);
  // An idle connection that speaks at last is answered too.
  ASSERT_TRUE(SendAll(idle_[0], RawGet("/odata/v4/Treaties/$count", "Connection: close\r\n")));
  std::vector<Answer> late = Answers(ReadUntilClosed(idle_[0]));
  ASSERT_EQ(Statuses(late), std::vector<std::string>{"HTTP/1.1 200 OK"});
  EXPECT_EQ(late[0].body, "6");
  ExpectStillServing();
}

// ---- request smuggling ----

TEST_F(HostileClientTest, ContentLengthWithChunkedIs411AndTheConnectionClosed) {
  // A front end that reads Content-Length would see one request; one that reads the chunks
  // would see a second (GET /odata/v4/Treaties/$count). The server answers neither way: 411,
  // and closes, so the bytes after the head are never read as a request.
  const std::string smuggled = RawGet("/odata/v4/Treaties/$count");
  const std::string body = "0\r\n\r\n" + smuggled;
  std::vector<Answer> got = Answers(Exchange(
      port_, "POST /odata/v4/Contacts HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                 std::to_string(body.size()) + "\r\nTransfer-Encoding: chunked\r\n\r\n" + body));
  ASSERT_EQ(got.size(), 1u) << "one answer, then closed:" << Shown(got);
  EXPECT_EQ(got[0].status.rfind("HTTP/1.1 411 ", 0), 0u) << got[0].status;
  EXPECT_NE(ErrorMessage(got[0].body).find("send a Content-Length"), std::string::npos)
      << got[0].body;
  ExpectStillServing();
}

// RFC 9110's reason phrase for 411 (found by this suite: it went out as "411 Client Error").
TEST_F(HostileClientTest, The411CarriesTheReasonPhraseLengthRequired) {
  std::vector<Answer> got =
      Answers(Exchange(port_,
                       "POST /odata/v4/Contacts HTTP/1.1\r\nHost: x\r\nContent-Length: 5"
                       "\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"));
  EXPECT_EQ(Statuses(got), std::vector<std::string>{"HTTP/1.1 411 Length Required"});
  ExpectStillServing();
}

TEST_F(HostileClientTest, TwoContentLengthsThatDisagreeAre400AndTheConnectionClosed) {
  const std::string smuggled = RawGet("/odata/v4/Treaties/$count");
  std::vector<Answer> got =
      Answers(Exchange(port_,
                       "GET /odata/v4/Contacts/$count HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n"
                       "Content-Length: " +
                           std::to_string(smuggled.size()) + "\r\n\r\n" + smuggled));
  ASSERT_EQ(Statuses(got), std::vector<std::string>{"HTTP/1.1 400 Bad Request"})
      << "one answer, then closed";
  EXPECT_NE(ErrorMessage(got[0].body).find("Content-Length"), std::string::npos) << got[0].body;
  ExpectStillServing();
}

TEST_F(HostileClientTest, ARequestInsideABodyIsNeverAnsweredAsARequest) {
  // A request whose body is itself a request for the treaties' count, then a genuine last
  // request for the meetings' count: two answers, the second 2, and never a 6.
  const std::string smuggled = RawGet("/odata/v4/Treaties/$count");
  for (const std::string method : {"GET", "POST"}) {
    std::vector<Answer> got = Answers(Exchange(
        port_, method + " /odata/v4/Contacts/$count HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                   std::to_string(smuggled.size()) + "\r\n\r\n" + smuggled +
                   RawGet("/odata/v4/Meetings/$count", "Connection: close\r\n")));
    const std::string first =
        method == "GET" ? "HTTP/1.1 200 OK" : "HTTP/1.1 405 Method Not Allowed";
    ASSERT_EQ(Statuses(got), (std::vector<std::string>{first, "HTTP/1.1 200 OK"})) << method;
    if (method == "GET") {
      EXPECT_EQ(got[0].body, "19");
    }
    EXPECT_EQ(got[1].body, "2") << method;
  }
  ExpectStillServing();
}

// ---- pipelining ----

TEST_F(HostileClientTest, TwoRequestsInOneWriteAreAnsweredInOrder) {
  std::vector<Answer> got =
      Answers(Exchange(port_, RawGet("/odata/v4/Treaties/$count") +
                                  RawGet("/odata/v4/Contacts/$count", "Connection: close\r\n")));
  ASSERT_EQ(Statuses(got), (std::vector<std::string>{"HTTP/1.1 200 OK", "HTTP/1.1 200 OK"}));
  EXPECT_EQ(got[0].body, "6");
  EXPECT_EQ(got[1].body, "19");
  ExpectStillServing();
}

// ---- huge heads ----

TEST_F(HostileClientTest, ARequestLineOver8KbIs414) {
  const std::string target =
      "/odata/v4/Contacts?$filter=" + Enc("id eq '" + std::string(9000, 'c') + "'");
  std::vector<Answer> got = Answers(Exchange(port_, RawGet(target, "Connection: close\r\n")));
  ASSERT_EQ(Statuses(got), std::vector<std::string>{"HTTP/1.1 414 URI Too Long"});
  EXPECT_NE(ErrorMessage(got[0].body).find("limit of 8192"), std::string::npos) << got[0].body;
  ExpectStillServing();
}

TEST_F(HostileClientTest, HeaderFieldsOver16KbAre431) {
  std::string headers = "Connection: close\r\n";
  for (int i = 0; i < 20; ++i) {
    headers += "X-Pad-" + std::to_string(i) + ": " + std::string(1000, 'p') + "\r\n";
  }
  std::vector<Answer> got = Answers(Exchange(port_, RawGet("/odata/v4/Contacts/$count", headers)));
  ASSERT_EQ(Statuses(got),
            std::vector<std::string>{"HTTP/1.1 431 Request Header Fields Too Large"});
  EXPECT_NE(ErrorMessage(got[0].body).find("limit of 16384"), std::string::npos) << got[0].body;
  ExpectStillServing();
}

TEST_F(HostileClientTest, AHeadThatNeverEndsIsAnsweredAndClosed) {
  // 64 KB of header lines and no empty line: answered once the head is over every limit, and
  // closed, without waiting for the rest.
  std::string head = "GET /odata/v4/Contacts/$count HTTP/1.1\r\nHost: x\r\n";
  while (head.size() < (64 << 10)) head += "X-More: " + std::string(100, 'm') + "\r\n";
  std::vector<Answer> got = Answers(Exchange(port_, head));
  ASSERT_EQ(Statuses(got), std::vector<std::string>{"HTTP/1.1 431 Request Header Fields Too Large"})
      << "one answer, then closed";
  ExpectStillServing();
}

// ---- $filter built to exhaust the parser or the store ----

class HostileFilterTest : public HostileClientTest {
 protected:
  config::Config Config() override {
    config::Config c = HostileClientTest::Config();
    c.server_max_url_length = 256 * 1024;  // long filters reach the parser, not the 414
    return c;
  }
  HttpResult Count(const std::string& filter) {
    return PublishTest::Get("/odata/v4/Contacts/$count?$filter=" + Enc(filter));
  }
};

TEST_F(HostileFilterTest, FiftyOneLevelsOfParenthesesAre400NamingTheLimit) {
  auto nested = [](int levels) {
    return std::string(static_cast<size_t>(levels), '(') + "country eq 'FR'" +
           std::string(static_cast<size_t>(levels), ')');
  };
  HttpResult deep = Count(nested(51));
  EXPECT_EQ(deep.status, 400) << deep.body;
  EXPECT_NE(ErrorMessage(deep.body).find("$filter nests deeper than 50 levels"), std::string::npos)
      << deep.body;
  // 100,000 levels: still a 400, not a stack overflow.
  HttpResult deeper = Count(nested(100000));
  EXPECT_EQ(deeper.status, 400) << deeper.body.substr(0, 300);
  EXPECT_NE(ErrorMessage(deeper.body).find("nests deeper than 50 levels"), std::string::npos)
      << deeper.body.substr(0, 300);
  // Within the limit it is answered.
  HttpResult ok = Count(nested(40));
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.body, "5");
  ExpectStillServing();
}

TEST_F(HostileFilterTest, AThousandAndOneOrTermsAre400AndFourHundredAreAnsweredRight) {
  // Terms that name the French and German contacts among many that name nobody.
  auto chain = [](int n) {
    std::string f;
    for (int i = 0; i < n; ++i) {
      if (i) f += " or ";
      f += i % 100 == 0    ? "country eq 'FR'"
           : i % 100 == 50 ? "country eq 'DE'"
                           : "id eq 'x" + std::to_string(i) + "'";
    }
    return f;
  };
  HttpResult wide = Count(chain(1001));
  EXPECT_EQ(wide.status, 400) << wide.body.substr(0, 300);
  EXPECT_NE(ErrorMessage(wide.body).find("more than 1000 conditions"), std::string::npos)
      << wide.body.substr(0, 300);
  ExpectStillServing();

  HttpResult four_hundred = Count(chain(400));
  HttpResult simple = Count("country in ('FR', 'DE')");
  ASSERT_EQ(four_hundred.status, 200) << four_hundred.body.substr(0, 300);
  ASSERT_EQ(simple.status, 200) << simple.body;
  EXPECT_EQ(four_hundred.body, simple.body);
  EXPECT_EQ(simple.body, "7");
  // And as a collection (its first page): the same ids.
  HttpResult list = PublishTest::Get("/odata/v4/Contacts?$filter=" + Enc(chain(400)));
  HttpResult list_simple =
      PublishTest::Get("/odata/v4/Contacts?$filter=" + Enc("country in ('FR', 'DE')"));
  ASSERT_EQ(list.status, 200) << list.body.substr(0, 300);
  EXPECT_EQ(Ids(Json(list.body)), Ids(Json(list_simple.body)));
  ExpectStillServing();
}

}  // namespace
}  // namespace meabridge::publish::testing
