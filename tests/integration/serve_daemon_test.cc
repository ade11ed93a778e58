// `meabridge serve` as a daemon, the real binary (docs/daemon.md): scheduled runs happen, one
// at a time per source; SIGHUP with a broken file keeps the running configuration and logs the
// error with file:line, SIGHUP with a good one adds a source; SIGTERM during a stalled HTTP
// harvest exits 0 within stop-timeout and commits nothing; systemd notifications (READY=1,
// STATUS=, RELOADING=1, WATCHDOG=1, STOPPING=1) reach $NOTIFY_SOCKET; the embedded default
// harvests the bundled demo data and serves it.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <chrono>
#include <cstring>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "store/store.h"
#include "support/http_test_server.h"
#include "support/serve_process.h"
#include "support/test_support.h"

namespace meabridge {
namespace {

using testing::ServeProcess;
using testing::TempDir;
using testing::WriteFile;

struct Answer {
  int status = 0;
  std::string body;
};

Answer Get(int port, const std::string& target) {
  Answer a;
  try {
    Poco::Net::HTTPClientSession s("127.0.0.1", static_cast<Poco::UInt16>(port));
    s.setTimeout(Poco::Timespan(10, 0));
    Poco::Net::HTTPRequest req("GET", target, Poco::Net::HTTPMessage::HTTP_1_1);
    s.sendRequest(req);
    Poco::Net::HTTPResponse resp;
    std::istream& in = s.receiveResponse(resp);
    a.status = static_cast<int>(resp.getStatus());
    Poco::StreamCopier::copyToString(in, a.body);
  } catch (const std::exception& e) {
    a.body = e.what();
  }
  return a;
}

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

const char* kContactsCsv =
    "ID,Treaties,Country,First name,Last name,Email\n"
    "c1,CBD,Kenya,Amina,Test,amina@example.org\n"
    "c2,CITES,Chile,Camila,Test,camila@example.org\n";

std::string FileSource(const std::string& name, const std::string& schedule,
                       const std::string& file) {
  return "  <source name=\"" + name + "\" kind=\"file\" path=\"" + file +
         "\" mapping=\"mappings/focal-points-csv/contacts.json\" schedule=\"" + schedule + "\"/>\n";
}

std::string Config(const std::string& body, const std::string& scheduler = "") {
  return "<meabridge>\n  <store location=\"sqlite:mb.db\"/>\n  <server threads=\"4\"/>\n" +
         (scheduler.empty() ? std::string() : "  " + scheduler + "\n") + body + "</meabridge>\n";
}

std::vector<store::RunRecord> Runs(const std::string& store_file, const std::string& source) {
  auto store = store::OpenStore("sqlite:" + store_file);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  if (!store.ok()) return {};
  auto view = (*store)->Read();
  EXPECT_TRUE(view.ok());
  if (!view.ok()) return {};
  auto runs = (*view)->Runs(source, 1000);
  EXPECT_TRUE(runs.ok());
  return runs.ok() ? *runs : std::vector<store::RunRecord>{};
}

TEST(ServeDaemonTest, ScheduledRunsHappenOneAtATimePerSource) {
  TempDir dir;
  WriteFile(dir.File("a.csv"), kContactsCsv);
  WriteFile(dir.File("b.csv"), kContactsCsv);
  WriteFile(dir.File("meabridge.xml"),
            // The same records from both: shared on purpose (share-with), or b's are rejected.
            Config(FileSource("a", "every 1s", "a.csv") +
                       FileSource("b\" share-with=\"a", "every 1s", "b.csv"),
                   "<scheduler max-concurrent-runs=\"1\"/>"));
  ServeProcess d({"--config", dir.File("meabridge.xml"), "--port", "0"}, dir.path());
  int port = d.WaitForPort();
  ASSERT_GT(port, 0) << d.log();
  // Each source runs at start and then once a second: wait for the fourth run of each.
  for (int i = 0; i < 200; ++i) {
    std::string log = d.log();
    if (Count(log, "source=a run=") >= 4 && Count(log, "source=b run=") >= 4) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::string log = d.log();
  EXPECT_GE(Count(log, "source=a run="), 4u) << log;
  EXPECT_GE(Count(log, "source=b run="), 4u) << log;
  EXPECT_NE(log.find("source=a harvest job 1 starts (schedule every 1s)"), std::string::npos)
      << log;
  EXPECT_EQ(Get(port, "/odata/v4/Contacts/$count").body, "2");
  EXPECT_EQ(d.Stop(SIGTERM), 0) << d.log();
  // max-concurrent-runs="1": no two runs overlap, whatever their source; each slot ran once.
  std::vector<store::RunRecord> all = Runs(dir.File("mb.db"), "");
  ASSERT_GE(all.size(), 8u);
  std::sort(all.begin(), all.end(),
            [](const store::RunRecord& x, const store::RunRecord& y) { return x.id < y.id; });
  std::set<std::pair<std::string, int64_t>> slots;
  for (size_t i = 0; i < all.size(); ++i) {
    // The SIGTERM may come while a run is in flight: that run, the last one started, is
    // stopped (aborted, nothing committed); every other run completed.
    if (i + 1 == all.size() && all[i].status == "aborted") {
      EXPECT_NE(all[i].error.find("stopped"), std::string::npos) << all[i].error;
    } else {
      EXPECT_EQ(all[i].status, "ok") << all[i].error;
    }
    if (i > 0) {
      EXPECT_GE(all[i].started, all[i - 1].finished) << "runs overlap";
    }
    if (i >= 2) {  // after the first harvests: at most one run per source and second
      EXPECT_TRUE(slots.emplace(all[i].source, all[i].started / 1000).second)
          << all[i].source << " ran twice in the second of " << all[i].started;
    }
  }
}

TEST(ServeDaemonTest, SighupWithABrokenFileKeepsTheRunningConfigAGoodOneAddsASource) {
  TempDir dir;
  WriteFile(dir.File("a.csv"), kContactsCsv);
  WriteFile(dir.File("b.csv"),
            "ID,Treaties,Country,First name,Last name,Email\n"
            "b1,Ramsar,Norway,Ingrid,Reload,ingrid@example.org\n");
  const std::string cfg = dir.File("meabridge.xml");
  WriteFile(cfg, Config(FileSource("a", "every 1h", "a.csv")));
  ServeProcess d({"--config", cfg, "--port", "0"}, dir.path());
  int port = d.WaitForPort();
  ASSERT_GT(port, 0) << d.log();
  ASSERT_TRUE(d.WaitForLog("source=a run=1 ")) << d.log();

  // Broken: a schedule that does not parse, on line 5.
  WriteFile(cfg,
            Config(FileSource("a", "every 1h", "a.csv") + FileSource("b", "0 25 * * *", "b.csv")));
  kill(d.pid(), SIGHUP);
  ASSERT_TRUE(d.WaitForLog("the running configuration stays in force")) << d.log();
  std::string log = d.log();
  EXPECT_NE(log.find("reload refused: " + cfg + ":5:"), std::string::npos) << log;
  EXPECT_NE(log.find("bad schedule: hour field '25'"), std::string::npos) << log;
  EXPECT_EQ(Get(port, "/odata/v4/Contacts/$count").body, "2") << "still serving";

  // Broken: a mapping that does not compile, refused as check-config refuses it (issue 14,
  // point 4), where a reload once put it in force and failed every later harvest of it.
  WriteFile(dir.File("broken.xml"),
            "<mapping entity=\"Contacts\">\n<decoder format=\"csv\"/>\n<id path=\"ID\"/>\n"
            "<field name=\"country\" path=\"C\"><step fn=\"lookup\" vocabulary=\"nations\"/>"
            "</field>\n</mapping>\n");
  WriteFile(cfg, Config(FileSource("a", "every 1h", "a.csv") +
                        "  <source name=\"c\" kind=\"file\" path=\"b.csv\" mapping=\"" +
                        dir.File("broken.xml") + "\"/>\n"));
  kill(d.pid(), SIGHUP);
  ASSERT_TRUE(d.WaitForLog("unknown vocabulary 'nations'")) << d.log();
  ASSERT_TRUE(d.WaitForLog("1 error(s) in " + cfg + "; the running configuration stays in force"))
      << d.log();
  EXPECT_NE(d.log().find("reload refused: " + cfg + ":5:3: source 'c': " + dir.File("broken.xml")),
            std::string::npos)
      << d.log();
  EXPECT_EQ(d.log().find("in force: 2 sources"), std::string::npos) << d.log();
  testing::ProcessResult check = testing::RunMeabridge({"check-config", "--config", cfg});
  EXPECT_EQ(check.exit_code, 2) << check.out << check.err;

  // Good: b is added and harvested at once (never harvested before).
  WriteFile(cfg,
            Config(FileSource("a", "every 1h", "a.csv") + FileSource("b", "every 1h", "b.csv")));
  kill(d.pid(), SIGHUP);
  ASSERT_TRUE(d.WaitForLog("in force: 2 sources (1 added, 0 removed)")) << d.log();
  ASSERT_TRUE(d.WaitForLog("source=b run=")) << d.log();
  EXPECT_EQ(Get(port, "/odata/v4/Contacts/$count").body, "3");
  EXPECT_EQ(Count(d.log(), "source=a run="), 1u) << "a keeps its schedule: " << d.log();

  // A key that needs a restart is named, and the running value stays.
  WriteFile(cfg, "<meabridge>\n  <store location=\"sqlite:other.db\"/>\n" +
                     FileSource("a", "every 1h", "a.csv") + "</meabridge>\n");
  kill(d.pid(), SIGHUP);
  ASSERT_TRUE(d.WaitForLog("changed; that takes a restart")) << d.log();
  EXPECT_NE(d.log().find("reload: <store location>, <server threads> changed"), std::string::npos)
      << d.log();
  EXPECT_EQ(Get(port, "/odata/v4/Contacts/$count").body, "3");
  EXPECT_EQ(d.Stop(SIGTERM), 0) << d.log();
}

TEST(ServeDaemonTest, SigtermDuringAStalledHarvestExitsInTimeAndCommitsNothing) {
  testing::HttpTestServer server([](const testing::SeenRequest&) {
    testing::Reply r = testing::Reply::Json("{\"value\": []}");
    r.delay_ms = 60000;  // stalls: headers never come
    return r;
  });
  TempDir dir;
  WriteFile(dir.File("meabridge.xml"),
            Config("  <source name=\"stall\" kind=\"http\" url=\"" + server.Url("/Contacts") +
                       "\" mapping=\"mappings/informea-odata-v4/contacts.json\" "
                       "schedule=\"every 1h\" retries=\"0\"/>\n",
                   "<scheduler stop-timeout=\"5s\"/>"));
  ServeProcess d({"--config", dir.File("meabridge.xml"), "--port", "0"}, dir.path());
  ASSERT_GT(d.WaitForPort(), 0) << d.log();
  for (int i = 0; i < 200 && server.request_count() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_GT(server.request_count(), 0u) << d.log();
  // A one-off harvest of the same source meanwhile is skipped: the daemon holds its lease.
  testing::ProcessResult once =
      testing::RunMeabridge({"harvest", "--config", dir.File("meabridge.xml"), "stall"});
  EXPECT_EQ(once.exit_code, 1) << once.out << once.err;
  EXPECT_NE(once.out.find("stall: skipped: source 'stall' is being harvested by another"),
            std::string::npos)
      << once.out;
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(d.Stop(SIGTERM, 15), 0) << d.log();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_LT(seconds, 6.0) << "stop-timeout is 5s";
  std::string log = d.log();
  EXPECT_NE(log.find("serve: stopped"), std::string::npos) << log;
  // Nothing committed: no data, and the run (if recorded) is aborted.
  auto store = store::OpenStore("sqlite:" + dir.File("mb.db"));
  ASSERT_TRUE(store.ok());
  auto view = (*store)->Read();
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(*(*view)->MaxSeq(), 0);
  std::vector<store::RunRecord> runs = Runs(dir.File("mb.db"), "stall");
  for (const store::RunRecord& r : runs) EXPECT_EQ(r.status, "aborted") << r.error;
}

TEST(ServeDaemonTest, ARunPastItsTimeoutIsStoppedAndRecordedAborted) {
  testing::HttpTestServer server([](const testing::SeenRequest&) {
    testing::Reply r = testing::Reply::Json("{\"value\": []}");
    r.delay_ms = 60000;
    return r;
  });
  TempDir dir;
  WriteFile(dir.File("meabridge.xml"),
            Config("  <source name=\"stall\" kind=\"http\" url=\"" + server.Url("/Contacts") +
                       "\" mapping=\"mappings/informea-odata-v4/contacts.json\" "
                       "schedule=\"every 1h\" retries=\"0\"/>\n",
                   "<scheduler run-timeout=\"1s\"/>"));
  ServeProcess d({"--config", dir.File("meabridge.xml"), "--port", "0"}, dir.path());
  int port = d.WaitForPort();
  ASSERT_GT(port, 0) << d.log();
  ASSERT_TRUE(d.WaitForLog("passed the run timeout (1.0s); stopping it")) << d.log();
  ASSERT_TRUE(d.WaitForLog("source=stall run=1 harvest aborted")) << d.log();
  EXPECT_EQ(Get(port, "/readyz").status, 200) << "the daemon keeps serving";
  EXPECT_EQ(d.Stop(SIGTERM), 0) << d.log();
  std::vector<store::RunRecord> runs = Runs(dir.File("mb.db"), "stall");
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].status, "aborted");
}

// Receives what the daemon sends to $NOTIFY_SOCKET.
class NotifyListener {
 public:
  explicit NotifyListener(const std::string& path) : path_(path) {
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    ok_ = fd_ >= 0 && bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~NotifyListener() {
    if (fd_ >= 0) close(fd_);
  }
  bool ok() const { return ok_; }
  // Collects messages until one contains `what` (true) or `seconds` pass (false).
  bool WaitFor(const std::string& what, int seconds = 20) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) continue;
      char buf[4096];
      ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) continue;
      std::string m(buf, static_cast<size_t>(n));
      messages_.push_back(m);
      if (m.find(what) != std::string::npos) return true;
    }
    return false;
  }
  std::string All() const {
    std::string out;
    for (const std::string& m : messages_) out += "[" + m + "]\n";
    return out;
  }

 private:
  std::string path_;
  int fd_ = -1;
  bool ok_ = false;
  std::vector<std::string> messages_;
};

TEST(ServeDaemonTest, NotifiesSystemd) {
  TempDir dir;
  WriteFile(dir.File("a.csv"), kContactsCsv);
  WriteFile(dir.File("meabridge.xml"), Config(FileSource("a", "every 1h", "a.csv")));
  NotifyListener listener(dir.File("notify.sock"));
  ASSERT_TRUE(listener.ok()) << std::strerror(errno);
  // WatchdogSec=0.4s: WATCHDOG=1 every 200 ms.
  ServeProcess d({"--config", dir.File("meabridge.xml"), "--port", "0"}, dir.path(), "serve.log",
                 {"NOTIFY_SOCKET=" + dir.File("notify.sock"), "WATCHDOG_USEC=400000"});
  ASSERT_TRUE(listener.WaitFor("READY=1")) << listener.All() << d.log();
  int port = d.WaitForPort();
  ASSERT_GT(port, 0);
  EXPECT_EQ(Get(port, "/odata/v4/").status, 200) << "READY=1 comes once the port is bound";
  EXPECT_NE(listener.All().find("STATUS=serving on http://127.0.0.1:" + std::to_string(port) +
                                "/, 1 source, "),
            std::string::npos)
      << listener.All();
  ASSERT_TRUE(listener.WaitFor("WATCHDOG=1")) << listener.All();
  ASSERT_TRUE(listener.WaitFor("WATCHDOG=1")) << listener.All();
  kill(d.pid(), SIGHUP);
  ASSERT_TRUE(listener.WaitFor("RELOADING=1")) << listener.All();
  ASSERT_TRUE(listener.WaitFor("READY=1")) << listener.All();
  kill(d.pid(), SIGTERM);
  ASSERT_TRUE(listener.WaitFor("STOPPING=1")) << listener.All();
  EXPECT_EQ(d.Stop(SIGTERM), 0) << d.log();
}

TEST(ServeDaemonTest, TheEmbeddedDefaultHarvestsTheDemoDataAndServesIt) {
  TempDir cwd;
  ServeProcess d({"--port", "0"}, cwd.path(), "serve.log",
                 {"MEABRIDGE_DATADIR=" + meabridge::testing::SourceDir()});
  int port = d.WaitForPort();
  ASSERT_GT(port, 0) << d.log();
  for (const char* source : {"treaties", "demo-contacts", "demo-unfccc-status", "demo-cbd-status",
                             "demo-decisions", "demo-meetings"}) {
    ASSERT_TRUE(d.WaitForLog(std::string("source=") + source + " run=")) << d.log();
  }
  std::string log = d.log();
  EXPECT_EQ(log.find("harvest failed"), std::string::npos) << log;
  EXPECT_EQ(log.find("rejected 1"), std::string::npos) << "demo data maps cleanly: " << log;
  for (const char* entity : {"Treaties", "Contacts", "Memberships", "Decisions", "Meetings"}) {
    Answer count = Get(port, std::string("/odata/v4/") + entity + "/$count");
    EXPECT_EQ(count.status, 200);
    EXPECT_GT(std::atoi(count.body.c_str()), 1) << entity << ": " << count.body;
  }
  // Treaties out of the box, from the treaties vocabulary: the demo decisions' and
  // memberships' treatyRecord navigation resolves.
  Answer cbd = Get(port, "/odata/v4/Treaties('cartagena')");
  EXPECT_NE(cbd.body.find("\"parent\":\"cbd\""), std::string::npos) << cbd.body;
  Answer expanded = Get(port, "/odata/v4/Memberships?$expand=treatyRecord&$top=1");
  EXPECT_NE(expanded.body.find("\"treatyRecord\":{"), std::string::npos) << expanded.body;
  Answer atom = Get(port, "/feeds/Decisions.atom");
  EXPECT_EQ(atom.status, 200);
  EXPECT_NE(atom.body.find("<entry"), std::string::npos) << atom.body;
  Answer v2 = Get(port, "/informea.svc/Memberships?$format=json");
  EXPECT_NE(v2.body.find("unfccc"), std::string::npos) << v2.body;
  // The daemon's own endpoints (daemon/web/) are wired in: probes, the status page showing
  // the demo sources, and metrics fed by the runs and the requests above.
  EXPECT_EQ(Get(port, "/healthz").status, 200);
  EXPECT_EQ(Get(port, "/readyz").status, 200);
  Answer status = Get(port, "/status");
  EXPECT_EQ(status.status, 200);
  EXPECT_NE(status.body.find("demo-decisions"), std::string::npos) << status.body;
  Answer metrics = Get(port, "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("meabridge_harvest_runs_total{"), std::string::npos) << metrics.body;
  EXPECT_NE(metrics.body.find("meabridge_http_requests_total{"), std::string::npos) << metrics.body;
  EXPECT_EQ(d.Stop(SIGTERM), 0) << d.log();
}

}  // namespace
}  // namespace meabridge
