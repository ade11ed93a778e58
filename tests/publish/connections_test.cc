// Connections cost no worker while idle or still arriving (src/publish/http/reactor.h): 2,000
// idle connections from one address while other clients are served; the caps per client and
// overall answer 503 and leave everyone else served; a request that trickles in past
// header-timeout and a connection idle past keep-alive-timeout are closed, and nobody waited
// for them. Real sockets on 127.0.0.1 (and 127.0.0.2, another client address).
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "publish_fixture.h"
#include "support/raw_http.h"

namespace meabridge::publish::testing {
namespace {

using meabridge::testing::ReadUntilClosed;

int Connect(int port, const char* from = "127.0.0.1") {
  return meabridge::testing::ConnectFrom(port, from);
}

// One request with Connection: close from `from`; the whole answer.
std::string Request(int port, const std::string& target, const char* from = "127.0.0.1") {
  return meabridge::testing::Exchange(
      port, "GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", from);
}

class ConnectionsTest : public PublishTest {
 protected:
  config::Config Config() override {
    config::Config c = PublishTest::Config();
    c.server_threads = 4;  // few workers: one held by an idle connection would show
    c.server_max_connections_per_client = per_client_;
    c.server_header_timeout_ms = header_timeout_ms_;
    c.server_keep_alive_timeout_ms = idle_timeout_ms_;
    return c;
  }
  void TearDown() override {
    for (int fd : idle_) close(fd);
    PublishTest::TearDown();
  }
  // Opens `n` connections from 127.0.0.1 that send nothing.
  void OpenIdle(int n) {
    for (int i = 0; i < n; ++i) {
      int fd = Connect(port_);
      ASSERT_GE(fd, 0) << "connection " << i << ": " << std::strerror(errno);
      idle_.push_back(fd);
    }
  }
  // Waits until the server has taken `n` connections (it accepts them on its own thread).
  void WaitForOpen(int64_t n) {
    for (int i = 0; i < 3000 && publisher_->stats().connections_open < n; ++i) {
      Request(port_, "/odata/v4/", "127.0.0.2");  // a round trip lets the server's thread run
    }
    ASSERT_GE(publisher_->stats().connections_open, n);
  }

  int per_client_ = 5000;
  int64_t header_timeout_ms_ = 10000;
  int64_t idle_timeout_ms_ = 60000;
  std::vector<int> idle_;
};

TEST_F(ConnectionsTest, TwoThousandIdleConnectionsFromOneAddressCostNoWorker) {
  rlimit rl{};
  getrlimit(RLIMIT_NOFILE, &rl);
  if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < 4400) {
    GTEST_SKIP() << "the file limit (" << rl.rlim_cur
                 << ") is too low for 2,000 connections on both ends; raise ulimit -n";
  }
  OpenIdle(2000);
  WaitForOpen(2000);
  // 4 workers, 2,000 idle connections: every other client is still served, at once.
  for (const char* from : {"127.0.0.1", "127.0.0.2"}) {
    for (int i = 0; i < 20; ++i) {
      std::string answer = Request(port_, "/odata/v4/Contacts?$top=2", from);
      ASSERT_EQ(answer.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << from << " #" << i << ":\n" << answer;
    }
  }
  // And a keep-alive client among them keeps its connection for many requests.
  HttpResult r = Get("/odata/v4/Contacts/$count");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(publisher_->stats().connections_refused, 0);
}

class ConnectionCapsTest : public ConnectionsTest {
 protected:
  void SetUp() override {
    per_client_ = 8;
    ConnectionsTest::SetUp();
  }
};

TEST_F(ConnectionCapsTest, OverThePerClientCapA503AndEveryoneElseServed) {
  OpenIdle(8);
  WaitForOpen(8);
  // The ninth from the same address: 503, closed.
  std::string refused = Request(port_, "/odata/v4/");
  EXPECT_EQ(refused.rfind("HTTP/1.1 503 Service Unavailable\r\n", 0), 0u) << refused;
  EXPECT_NE(refused.find("Retry-After: 1\r\n"), std::string::npos) << refused;
  EXPECT_GE(publisher_->stats().connections_refused, 1);
  // Another address is served.
  std::string served = Request(port_, "/odata/v4/", "127.0.0.2");
  EXPECT_EQ(served.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << served;
  // Once one of the eight goes, the address may connect again.
  close(idle_.back());
  idle_.pop_back();
  std::string again;
  for (int i = 0; i < 3000; ++i) {
    again = Request(port_, "/odata/v4/");
    if (again.rfind("HTTP/1.1 200 OK\r\n", 0) == 0) break;
  }
  EXPECT_EQ(again.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << again;
}

class ConnectionTimeoutsTest : public ConnectionsTest {
 protected:
  void SetUp() override {
    header_timeout_ms_ = 300;
    idle_timeout_ms_ = 300;
    ConnectionsTest::SetUp();
  }
};

TEST_F(ConnectionTimeoutsTest, ATricklingRequestAndAnIdleConnectionAreClosedWhileOthersAreServed) {
  int slow = Connect(port_);
  ASSERT_GE(slow, 0);
  // Part of a head, never finished.
  ASSERT_EQ(send(slow, "GET /odata/v4/ HTTP/1.1\r\nHo", 27, MSG_NOSIGNAL), 27);
  int idle = Connect(port_);
  ASSERT_GE(idle, 0);
  // Both hold no worker: 4 workers, and others are served while they wait.
  for (int i = 0; i < 10; ++i) {
    std::string answer = Request(port_, "/odata/v4/", "127.0.0.2");
    ASSERT_EQ(answer.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << answer;
  }
  // The server closes both (header-timeout, keep-alive-timeout), answering nothing.
  EXPECT_EQ(ReadUntilClosed(slow), "");
  EXPECT_EQ(ReadUntilClosed(idle), "");
  close(slow);
  close(idle);
  EXPECT_GE(publisher_->stats().connections_timed_out, 2);
}

TEST_F(ConnectionsTest, PipelinedRequestsAndABodyInPiecesAreAnsweredInOrder) {
  int fd = Connect(port_);
  ASSERT_GE(fd, 0);
  std::string two =
      "GET /odata/v4/Contacts/$count HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /odata/v4/Treaties/$count HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  // Sent in three pieces, cut inside the first head and inside the second.
  ASSERT_EQ(send(fd, two.data(), 20, MSG_NOSIGNAL), 20);
  ASSERT_EQ(send(fd, two.data() + 20, 50, MSG_NOSIGNAL), 50);
  ASSERT_EQ(send(fd, two.data() + 70, two.size() - 70, MSG_NOSIGNAL),
            static_cast<ssize_t>(two.size() - 70));
  std::string answers = ReadUntilClosed(fd);
  close(fd);
  size_t first = answers.find("HTTP/1.1 200 OK\r\n");
  size_t second = answers.find("HTTP/1.1 200 OK\r\n", first + 1);
  ASSERT_NE(first, std::string::npos) << answers;
  ASSERT_NE(second, std::string::npos) << answers;
  EXPECT_NE(answers.find("\r\n\r\n19", first), std::string::npos) << answers;
}

}  // namespace
}  // namespace meabridge::publish::testing
