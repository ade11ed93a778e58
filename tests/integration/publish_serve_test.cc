// The real binary publishing: `meabridge serve` on the embedded default (the README's first
// command) and on a configured store that another process writes to, stopped by SIGTERM.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include "core/time.h"
#include "model/record.h"
#include "model/registry.h"
#include "store/store.h"
#include "support/test_support.h"

namespace meabridge {
namespace {

using meabridge::testing::TempDir;

// `meabridge serve` as a child process, its standard error read until it says where it listens.
class Daemon {
 public:
  Daemon(const std::vector<std::string>& args, const std::string& cwd) {
    int err[2];
    if (pipe(err)) throw std::runtime_error("pipe");
    pid_ = fork();
    if (pid_ == 0) {
      dup2(err[1], 2);
      close(err[0]);
      close(err[1]);
      if (chdir(cwd.c_str()) != 0) _exit(126);
      std::vector<std::string> argv = {meabridge::testing::BinaryPath(), "serve"};
      argv.insert(argv.end(), args.begin(), args.end());
      std::vector<char*> c;
      for (auto& a : argv) c.push_back(a.data());
      c.push_back(nullptr);
      execv(c[0], c.data());
      _exit(127);
    }
    close(err[1]);
    err_ = err[0];
  }
  ~Daemon() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (err_ >= 0) close(err_);
  }

  // Reads standard error until the "publishing ... on http://HOST:PORT/" line; 0 on failure.
  int WaitForPort(int seconds = 20) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    std::regex listening("publishing .* on http://[^:]+:([0-9]+)/");
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{err_, POLLIN, 0};
      if (poll(&p, 1, 200) <= 0) continue;
      char buf[4096];
      ssize_t n = read(err_, buf, sizeof buf);
      if (n <= 0) return 0;
      log_.append(buf, static_cast<size_t>(n));
      std::smatch m;
      if (std::regex_search(log_, m, listening)) return std::stoi(m[1]);
    }
    return 0;
  }

  // Sends `sig` and waits (up to `seconds`) for the exit code; -1 on timeout.
  int Stop(int sig = SIGTERM, int seconds = 10) {
    kill(pid_, sig);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      pid_t r = waitpid(pid_, &status, WNOHANG);
      if (r == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      usleep(20000);
    }
    return -1;
  }

  // Reads what standard error holds by now (waiting up to `ms` for more).
  const std::string& Drain(int ms = 300) {
    pollfd p{err_, POLLIN, 0};
    while (poll(&p, 1, ms) > 0) {
      char buf[4096];
      ssize_t n = read(err_, buf, sizeof buf);
      if (n <= 0) break;
      log_.append(buf, static_cast<size_t>(n));
    }
    return log_;
  }

  const std::string& log() const { return log_; }

 private:
  pid_t pid_ = -1;
  int err_ = -1;
  std::string log_;
};

struct Answer {
  int status = 0;
  std::string etag;
  std::string body;
};

Answer Get(int port, const std::string& target) {
  Poco::Net::HTTPClientSession s("127.0.0.1", static_cast<Poco::UInt16>(port));
  Poco::Net::HTTPRequest req("GET", target, Poco::Net::HTTPMessage::HTTP_1_1);
  s.sendRequest(req);
  Poco::Net::HTTPResponse resp;
  std::istream& in = s.receiveResponse(resp);
  Answer a;
  a.status = static_cast<int>(resp.getStatus());
  a.etag = resp.get("ETag", "");
  Poco::StreamCopier::copyToString(in, a.body);
  return a;
}

void CommitContacts(const std::string& location, const std::vector<std::string>& ids,
                    const std::string& position) {
  auto store = store::OpenStore(location);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  const model::EntitySpec& contacts = *model::Registry::Default().Find("Contacts");
  auto w = (*store)->BeginRun("integration", 1700000000000, false);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  for (const std::string& id : ids) {
    model::Record r(contacts);
    r.set_id(id);
    r.Set("treaties", model::Value(model::StringList{"cbd"}));
    r.Set("country", model::Value(std::string("FR")));
    r.Set("position", model::Value(position));
    ASSERT_TRUE((*w)->Upsert(r).ok());
  }
  store::RunRecord summary;
  summary.status = "ok";
  ASSERT_TRUE((*w)->Commit(summary).ok());
}

TEST(PublishServeTest, TheReadmesFirstCommandServesTheEmbeddedDefault) {
  TempDir cwd;
  Daemon d({"--port", "0"}, cwd.path());
  int port = d.WaitForPort();
  ASSERT_GT(port, 0) << d.log();
  EXPECT_TRUE(std::filesystem::exists(cwd.File("meabridge.db")))
      << "the default store is ./meabridge.db";
  Answer svc = Get(port, "/odata/v4/");
  EXPECT_EQ(svc.status, 200);
  EXPECT_NE(svc.body.find("\"Contacts\""), std::string::npos);
  // The bundled demo sources are harvested at start (serve_daemon_test checks what they
  // publish); here only that the count answers.
  EXPECT_EQ(Get(port, "/informea.svc/Contacts/$count").status, 200);
  EXPECT_EQ(d.Stop(SIGTERM), 0) << d.log();
}

TEST(PublishServeTest, ServesWhatAnotherProcessCommits) {
  TempDir dir;
  std::string location = "sqlite:" + dir.File("store.db");
  CommitContacts(location, {"a1", "a2"}, "first");
  meabridge::testing::WriteFile(dir.File("meabridge.xml"),
                                "<meabridge><store location=\"" + location +
                                    "\"/><server port=\"8080\" threads=\"8\"/></meabridge>");
  Daemon d({"--config", dir.File("meabridge.xml"), "--port", "0"}, dir.path());
  int port = d.WaitForPort();
  ASSERT_GT(port, 0) << d.log();
  Answer before = Get(port, "/odata/v4/Contacts?$select=id,position");
  ASSERT_EQ(before.status, 200) << before.body;
  EXPECT_NE(before.body.find("\"first\""), std::string::npos);
  // Another process (this test) commits a run; the next request sees it whole.
  CommitContacts(location, {"a1", "a2", "a3"}, "second");
  Answer after = Get(port, "/odata/v4/Contacts?$select=id,position");
  EXPECT_NE(after.etag, before.etag);
  EXPECT_EQ(after.body.find("\"first\""), std::string::npos) << after.body;
  EXPECT_NE(after.body.find("\"a3\""), std::string::npos);
  EXPECT_NE(d.Drain().find("http GET \"/odata/v4/Contacts?$select=id,position\" 200"),
            std::string::npos)
      << "access log lines: " << d.log();
  EXPECT_EQ(d.Stop(SIGINT), 0) << d.log();
}

TEST(PublishServeTest, StartUpErrorsSayWhatToDo) {
  TempDir dir;
  meabridge::testing::WriteFile(dir.File("bad.xml"),
                                "<meabridge><server port=\"8080\" max-top=\"lots\"/></meabridge>");
  auto bad = meabridge::testing::RunMeabridge({"serve", "--config", dir.File("bad.xml")});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("max-top"), std::string::npos) << bad.err;
  auto port = meabridge::testing::RunMeabridge({"serve", "--port", "99999"});
  EXPECT_EQ(port.exit_code, 2);
  // A port in use: the second server fails with exit 1 and says what to do.
  Daemon first({"--port", "0"}, dir.path());
  int used = first.WaitForPort();
  ASSERT_GT(used, 0) << first.log();
  auto second = meabridge::testing::RunProcess({"/bin/sh", "-c",
                                                "cd " + dir.path() + " && exec " +
                                                    meabridge::testing::BinaryPath() +
                                                    " serve --port " + std::to_string(used)});
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_NE(second.err.find("choose another one"), std::string::npos) << second.err;
  EXPECT_EQ(first.Stop(), 0);
}

}  // namespace
}  // namespace meabridge
