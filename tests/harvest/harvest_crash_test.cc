// Crash safety of a harvest: a child process (tests/helpers/harvest_crash_child.cc) harvests a
// changing source from a server on 127.0.0.1 into one SQLite store, run after run, and is
// killed with SIGKILL at a random page of its first or second run, again and again. After
// every kill the store passes PRAGMA integrity_check, and the watermark is exactly that of the
// run whose data is committed: never ahead of it (nor behind).
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "harvest/state.h"
#include "harvest_fixture.h"

namespace meabridge::harvest::test {
namespace {

using testing::HttpTestServer;
using testing::Reply;
using testing::SeenRequest;

constexpr int kIds = 1000;
constexpr int kPageSize = 300;
constexpr int kKills = 60;
const core::EpochMs kT0 = 1'700'000'000'000;

// Generation g lists the ids i with (i + g) % 10 != 0, each named "gen g", and its pages carry
// the server time T0 + g seconds.
std::vector<Contact> Generation(int64_t g) {
  std::vector<Contact> out;
  for (int i = 0; i < kIds; ++i) {
    if ((i + g) % 10 == 0) continue;
    Contact c;
    char id[16];
    std::snprintf(id, sizeof id, "k%04d", i);
    c.id = id;
    c.last_name = "gen " + std::to_string(g);
    out.push_back(c);
  }
  return out;
}

std::string IntegrityCheck(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return "cannot open";
  }
  std::string result;
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, nullptr);
  while (sqlite3_step(s) == SQLITE_ROW) {
    if (!result.empty()) result += "; ";
    result += reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
  }
  sqlite3_finalize(s);
  sqlite3_close(db);
  return result;
}

// Checks the store after a kill; returns the committed generation (0: nothing committed yet).
int64_t CheckCommittedGeneration(const std::string& path) {
  auto opened = store::OpenStore("sqlite:" + path);
  EXPECT_TRUE(opened.ok()) << opened.status().ToString();
  if (!opened.ok()) return -1;
  auto view = (*opened)->Read();
  auto wm = (*view)->Watermark("crash");
  EXPECT_TRUE(wm.ok());
  const model::EntitySpec& contacts = *model::Registry::Default().Find("Contacts");
  store::Query all;
  all.entity = &contacts;
  if (!wm->has_value()) {
    EXPECT_EQ(*(*view)->Count(all), 0) << "data committed without its watermark";
    return 0;
  }
  Result<SourceState> state = SourceState::FromWatermark(*wm);
  EXPECT_TRUE(state.ok() && state->since.has_value()) << **wm;
  if (!state.ok() || !state->since) return -1;
  const int64_t g = (*state->since - kT0) / 1000;
  std::set<std::string> expected;
  for (const Contact& c : Generation(g)) expected.insert(c.id);
  std::set<std::string> live;
  int64_t other = 0;
  Status s = (*view)->Scan(all, [&](const model::Record& r) {
    live.insert(r.id());
    const auto* name = std::get_if<std::string>(r.Find("lastName"));
    if (!name || *name != "gen " + std::to_string(g)) ++other;
    return Status::Ok();
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(other, 0) << "records of another generation than the watermark's (" << g << ")";
  EXPECT_EQ(live, expected) << "generation " << g;
  auto runs = (*view)->Runs("crash", 1);
  EXPECT_TRUE(runs.ok() && !runs->empty());
  if (runs.ok() && !runs->empty()) {
    EXPECT_EQ(runs->front().status, "ok");
  }
  return g;
}

// Where a life of the child is killed: when the server is asked for page `page` of the
// child's run number `run` (1: its first run), plus a jitter. A run's pages come one after the
// other, and a run starts only once the one before it is committed, so a kill at run 2 or later
// comes after that life committed a run: the store moves forward on any machine, however slow.
// The jitter (0-20 ms, while the page is served and then mapped or committed) only spreads the
// kill inside that step; nothing asserted depends on it.
struct KillPoint {
  int run = 1;
  int page = 1;
};

TEST(HarvestCrashTest, SigkillAtRandomMomentsNeverCorruptsTheStoreOrRunsTheWatermarkAhead) {
  meabridge::testing::TempDir dir;
  const std::string path = dir.File("crash.db");
  std::atomic<int64_t> generation{0};
  const int pages_per_run = static_cast<int>((Generation(0).size() + kPageSize - 1) / kPageSize);
  std::mutex mu;
  std::condition_variable cv;
  KillPoint target;
  int life = 0;        // the current life of the child; each asks with its own ?life=
  int life_runs = 0;   // runs the current life has started
  bool reached = false;
  HttpTestServer server(nullptr);
  server.SetHandler([&](const SeenRequest& r) {
    const bool first_page = !r.query.count("g");
    const std::string from_life = r.query.count("life") ? r.query.at("life") : "";
    int64_t g = first_page ? ++generation : std::stoll(r.query.at("g"));
    int page = r.query.count("p") ? std::stoi(r.query.at("p")) : 1;
    {
      // A request a killed life sent just before its death may reach the server after the next
      // life started: it counts for nothing.
      std::lock_guard<std::mutex> lock(mu);
      if (from_life == std::to_string(life)) {
        if (first_page) ++life_runs;
        if (life_runs == target.run && page == target.page) reached = true;
      }
    }
    cv.notify_all();
    std::vector<Contact> all = Generation(g);
    size_t from = static_cast<size_t>(page - 1) * kPageSize;
    std::vector<Contact> slice(
        all.begin() + static_cast<long>(std::min(from, all.size())),
        all.begin() + static_cast<long>(std::min(from + kPageSize, all.size())));
    std::string next;
    if (from + kPageSize < all.size()) {
      next = server.Url("/c?life=" + from_life + "&g=" + std::to_string(g) +
                        "&p=" + std::to_string(page + 1));
    }
    return Reply::Json(V2Page(slice, next)).Header("Date", testing::HttpDate(kT0 + g * 1000));
  });
  const std::string helper = meabridge::testing::HelperPath("harvest_crash_child");
  const std::string mapping = MappingPath("informea-odata-v2/contacts.xml");
  const auto seed = static_cast<uint32_t>(std::random_device{}());
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  int64_t highest = 0;
  int committed_changes = 0;
  for (int kill = 0; kill < kKills; ++kill) {
    {
      std::lock_guard<std::mutex> lock(mu);
      // Every other life is killed in its second run (after committing its first), the others
      // anywhere in their first.
      target.run = kill % 2 == 0 ? 2 : 1;
      target.page = 1 + static_cast<int>(rng() % static_cast<uint32_t>(pages_per_run));
      ++life;
      life_runs = 0;
      reached = false;
    }
    const std::string url = server.Url("/c?life=" + std::to_string(life));
    pid_t pid = fork();
    if (pid == 0) {
      int devnull = ::open("/dev/null", O_WRONLY);
      ::dup2(devnull, 2);
      execl(helper.c_str(), helper.c_str(), path.c_str(), url.c_str(), mapping.c_str(),
            static_cast<char*>(nullptr));
      _exit(127);
    }
    ASSERT_GT(pid, 0);
    bool child_ended = false;
    {
      std::unique_lock<std::mutex> lock(mu);
      // Waits for the server to see the kill point; checks now and then that the child still
      // lives (a child that failed would never ask for it).
      while (!reached && !child_ended) {
        cv.wait_for(lock, std::chrono::milliseconds(200));
        int status = 0;
        child_ended = ::waitpid(pid, &status, WNOHANG) == pid;
      }
    }
    ASSERT_FALSE(child_ended) << "the child ended by itself before run " << target.run
                              << " page " << target.page << ": run it by hand to see why";
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % 20'000));
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status))
        << "the child ended by itself (status " << status << "): see its stderr";
    ASSERT_EQ(::access(path.c_str(), F_OK), 0) << "the child asked for a page without a store";
    ASSERT_EQ(IntegrityCheck(path), "ok") << "after kill " << kill;
    int64_t g = CheckCommittedGeneration(path);
    ASSERT_GE(g, 0) << "after kill " << kill;
    if (g != highest) ++committed_changes;
    EXPECT_GE(g, highest) << "a committed run went missing";
    if (target.run >= 2) {
      EXPECT_GT(g, highest) << "the life committed a run, the store did not move";
    }
    highest = std::max(highest, g);
    if (::testing::Test::HasFailure()) break;
  }
  EXPECT_GE(committed_changes, kKills / 2) << "every kill in a second run follows a commit";
}

}  // namespace
}  // namespace meabridge::harvest::test
