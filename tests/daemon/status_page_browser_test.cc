// The status page in a real browser, from the real daemon: `meabridge serve` runs a
// configuration with a file source (one row of which is rejected) and an admin token; the test
// starts the source's harvest through the admin API, waits for its run, then headless Chromium
// (Debian's `chromium`) loads /status: the rendered DOM (--dump-dom) is checked for the tables'
// contents, and a screenshot is kept in the build tree (its path is printed;
// docs/operations.md#the-status-page). /metrics then counts the run. Skipped, saying so, when
// chromium is not installed.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "core/json.h"
#include "support/test_support.h"
#include "web_fixture.h"

namespace meabridge::daemon::web::testing {
namespace {

using meabridge::testing::ProcessResult;
using meabridge::testing::RunProcess;
using meabridge::testing::TempDir;
using meabridge::testing::WriteFile;

std::string Chromium() {
  for (const char* p : {"/usr/bin/chromium", "/usr/bin/chromium-browser"}) {
    if (::access(p, X_OK) == 0) return p;
  }
  return "";
}

// The server as a child process, its standard error in a file; stopped by SIGTERM.
class ServerProcess {
 public:
  ServerProcess(const std::vector<std::string>& argv, const std::string& log) : log_(log) {
    pid_ = fork();
    if (pid_ == 0) {
      int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd >= 0) dup2(fd, 2);
      std::vector<char*> c;
      std::vector<std::string> copy = argv;
      for (auto& a : copy) c.push_back(a.data());
      c.push_back(nullptr);
      execv(c[0], c.data());
      _exit(127);
    }
  }
  ~ServerProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status = 0;
      for (int i = 0; i < 100 && waitpid(pid_, &status, WNOHANG) == 0; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      if (waitpid(pid_, &status, WNOHANG) == 0) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
      }
    }
  }
  // SIGTERM, and the exit code (128+signal when killed, -1 when it did not end in time).
  int Stop(int seconds = 20) {
    if (pid_ <= 0) return -1;
    kill(pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < seconds * 20; ++i) {
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return -1;
  }
  // The port from the "publishing ... on http://HOST:PORT/" line; 0 when it never came.
  int WaitForPort(int seconds = 30) {
    std::regex listening("publishing .* on http://[^:]+:([0-9]+)/");
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (std::chrono::steady_clock::now() < deadline) {
      std::string text = Log();
      std::smatch m;
      if (std::regex_search(text, m, listening)) return std::stoi(m[1]);
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        return 0;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return 0;
  }
  std::string Log() const {
    std::ifstream in(log_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

 private:
  pid_t pid_ = -1;
  std::string log_;
};

// The text of the cells of the row `<tr data-ATTR="VALUE">` of the table `id`, tags removed.
std::vector<std::string> Cells(const std::string& dom, const std::string& id,
                               const std::string& attr, const std::string& value) {
  size_t table = dom.find("<table id=\"" + id + "\"");
  if (table == std::string::npos) return {};
  size_t row = dom.find("<tr data-" + attr + "=\"" + value + "\">", table);
  size_t end = dom.find("</tr>", row);
  if (row == std::string::npos || end == std::string::npos) return {};
  std::string tr = dom.substr(row, end - row);
  std::vector<std::string> out;
  static const std::regex kCell("<td[^>]*>(.*?)</td>");
  static const std::regex kTag("<[^>]*>");
  for (auto it = std::sregex_iterator(tr.begin(), tr.end(), kCell); it != std::sregex_iterator();
       ++it) {
    out.push_back(std::regex_replace((*it)[1].str(), kTag, ""));
  }
  return out;
}

TEST(StatusPageBrowser, ChromiumRendersTheTablesOfARunningServer) {
  std::string chromium = Chromium();
  if (chromium.empty()) {
    GTEST_SKIP() << "chromium is not installed (apt-get install chromium): the status page's "
                    "browser test needs it";
  }
  TempDir dir;
  WriteFile(dir.File("status.csv"),
            "Code,Name,Signature,Ratification-Acceptance-Accession-Approval-Succession,Kind\n"
            "FRA,France,,1994-03-25,Approval\n"
            "DEU,Germany,1992-06-12,1993-12-09,Ratification\n"
            "XXA,Atlantis,,2001-01-01,Ratification\n");
  WriteFile(dir.File("admin-token"), "browser-test-token\n");
  WriteFile(dir.File("meabridge.xml"),
            "<meabridge>\n"
            "  <store location=\"sqlite:store.db\"/>\n"
            "  <server bind=\"127.0.0.1\" port=\"8080\"/>\n"
            "  <admin token-file=\"admin-token\"/>\n"
            "  <source name=\"unfccc-status\" kind=\"file\" path=\"status.csv\" mapping=\"" +
                meabridge::testing::SourceDir() +
                "/mappings/status-csv/memberships.json\" schedule=\"manual\">\n"
                "    <param name=\"treaty\" value=\"unfccc\"/>\n"
                "  </source>\n"
                "</meabridge>\n");
  ServerProcess server({meabridge::testing::BinaryPath(), "serve", "--config",
                        dir.File("meabridge.xml"), "--port", "0"},
                       dir.File("serve.log"));
  int port = server.WaitForPort();
  ASSERT_GT(port, 0) << server.Log();
  std::string url = "http://127.0.0.1:" + std::to_string(port) + "/status";
  const std::vector<std::pair<std::string, std::string>> auth = {
      {"Authorization", "Bearer browser-test-token"}};
  HttpAnswer started = Call(port, "POST", "/admin/sources/unfccc-status/harvest", auth);
  ASSERT_EQ(started.status, 202) << started.body << server.Log();
  // The run goes on in the background: wait (bounded) until the store has it.
  HttpAnswer runs;
  for (int i = 0; i < 600; ++i) {
    runs = Call(port, "GET", "/admin/runs?source=unfccc-status", auth);
    ASSERT_EQ(runs.status, 200) << runs.body;
    if (runs.body.find("\"id\":") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_NE(runs.body.find("\"status\":\"ok\""), std::string::npos) << runs.body << server.Log();

  std::vector<std::string> common = {"/usr/bin/timeout",
                                     "90",
                                     chromium,
                                     "--headless",
                                     "--no-sandbox",
                                     "--disable-gpu",
                                     "--no-first-run",
                                     "--disable-dev-shm-usage",
                                     "--user-data-dir=" + dir.File("chromium-profile")};
  std::vector<std::string> dump = common;
  dump.push_back("--dump-dom");
  dump.push_back(url);
  ProcessResult dom = RunProcess(dump);
  ASSERT_EQ(dom.exit_code, 0) << dom.err;
  ASSERT_NE(dom.out.find("<table id=\"last-runs\""), std::string::npos) << dom.out;

  std::vector<std::string> source = Cells(dom.out, "sources", "source", "unfccc-status");
  ASSERT_EQ(source.size(), 6u) << dom.out;
  EXPECT_EQ(source[0], "unfccc-status");
  EXPECT_EQ(source[1], "file");
  EXPECT_EQ(source[2], "manual");

  // source, run, status, started, duration, fetched, created, updated, unchanged, deleted,
  // rejected, warnings, error
  std::vector<std::string> run = Cells(dom.out, "last-runs", "source", "unfccc-status");
  ASSERT_EQ(run.size(), 13u) << dom.out;
  EXPECT_EQ(run[2], "ok (full)");
  EXPECT_EQ(run[5], "3");   // fetched
  EXPECT_EQ(run[6], "2");   // created
  EXPECT_EQ(run[9], "0");   // deleted
  EXPECT_EQ(run[10], "1");  // rejected: Atlantis
  EXPECT_NE(dom.out.find("/status/rejects?run=1\">1</a>"), std::string::npos)
      << "the rejected count links to the run's rejects page";
  EXPECT_NE(dom.out.find("sign in with the admin token"), std::string::npos);

  std::vector<std::string> memberships = Cells(dom.out, "records", "entity", "Memberships");
  ASSERT_EQ(memberships.size(), 4u);
  EXPECT_EQ(memberships[1], "2");
  std::vector<std::string> unfccc = Cells(dom.out, "treaties", "treaty", "unfccc");
  EXPECT_NE(std::find(unfccc.begin(), unfccc.end(), "2"), unfccc.end()) << dom.out;

  // A screenshot, kept beside the test binary in the build tree.
  std::string png =
      std::filesystem::canonical("/proc/self/exe").parent_path().string() + "/status-page.png";
  std::filesystem::remove(png);
  std::vector<std::string> shot = common;
  shot.push_back("--hide-scrollbars");
  shot.push_back("--window-size=1280,1100");
  shot.push_back("--screenshot=" + png);
  shot.push_back(url);
  ProcessResult taken = RunProcess(shot);
  ASSERT_EQ(taken.exit_code, 0) << taken.err;
  std::string bytes = meabridge::testing::ReadFileOrDie(png);
  ASSERT_GT(bytes.size(), 10000u) << png;
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  std::cout << "status page screenshot: " << png << "\n";

  // Rejects in the browser: sign in once through the form, as a person would (the DevTools
  // protocol types the token and submits), land on the rejects page with the cookie set.
  ProcessResult signed_in = RunProcess(
      {"/usr/bin/timeout", "90", "/usr/bin/python3",
       meabridge::testing::SourceDir() + "/tests/support/cdp_sign_in.py", chromium,
       dir.File("chromium-cdp-profile"),
       "http://127.0.0.1:" + std::to_string(port) +
           "/status/sign-in?next=%2Fstatus%2Frejects%3Frun%3D1",
       "browser-test-token", url});
  ASSERT_EQ(signed_in.exit_code, 0) << signed_in.err << signed_in.out;
  rapidjson::Document cdp;
  ASSERT_TRUE(json::Parse(signed_in.out, cdp).ok()) << signed_in.out;
  const auto& landed = cdp["pages"][0];
  EXPECT_EQ(std::string(landed["url"].GetString()),
            "http://127.0.0.1:" + std::to_string(port) + "/status/rejects?run=1");
  const std::string rejects_dom = landed["dom"].GetString();
  EXPECT_NE(rejects_dom.find("<table id=\"reject-groups\""), std::string::npos) << rejects_dom;
  // record id (none: the id is made from the country), position, field, rule, value, message
  std::vector<std::string> atlantis = Cells(rejects_dom, "rejects", "record", "");
  ASSERT_EQ(atlantis.size(), 6u) << rejects_dom;
  EXPECT_EQ(atlantis[1], "line 4");
  EXPECT_EQ(atlantis[2], "country");
  EXPECT_EQ(atlantis[3], "lookup");
  EXPECT_EQ(atlantis[4], "Atlantis");
  EXPECT_NE(atlantis[5].find("'Atlantis' is not in the countries vocabulary"), std::string::npos)
      << atlantis[5];
  EXPECT_NE(std::string(cdp["pages"][1]["dom"].GetString()).find("Signed in with the admin token"),
            std::string::npos);
  bool found = false;
  for (const auto& c : cdp["cookies"].GetArray()) {
    if (std::string(c["name"].GetString()) != "meabridge_status") continue;
    found = true;
    EXPECT_TRUE(c["httpOnly"].GetBool());
    EXPECT_STREQ(c["sameSite"].GetString(), "Strict");
    EXPECT_FALSE(c["secure"].GetBool()) << "plain http on loopback";
    EXPECT_STREQ(c["path"].GetString(), "/status");
    EXPECT_EQ(std::string(c["value"].GetString()).find("browser-test-token"), std::string::npos);
  }
  EXPECT_TRUE(found) << signed_in.out;
  EXPECT_STREQ(cdp["documentCookie"].GetString(), "") << "HttpOnly: no script reads it";

  HttpAnswer metrics = Call(port, "GET", "/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(
      metrics.body.find("meabridge_harvest_runs_total{source=\"unfccc-status\",status=\"ok\"} 1\n"),
      std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("meabridge_records{entity=\"Memberships\"} 2\n"), std::string::npos);
  EXPECT_EQ(server.Stop(), 0) << server.Log();
}

}  // namespace
}  // namespace meabridge::daemon::web::testing
