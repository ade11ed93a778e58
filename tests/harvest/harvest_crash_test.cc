// Crash safety of a harvest: a child process (tests/helpers/harvest_crash_child.cc) harvests a
// changing source from a server on 127.0.0.1 into one SQLite store, run after run, and is
// killed with SIGKILL at a random moment, again and again. After every kill the store passes
// PRAGMA integrity_check, and the watermark is exactly that of the run whose data is committed:
// never ahead of it (nor behind).
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
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

TEST(HarvestCrashTest, SigkillAtRandomMomentsNeverCorruptsTheStoreOrRunsTheWatermarkAhead) {
  meabridge::testing::TempDir dir;
  const std::string path = dir.File("crash.db");
  std::atomic<int64_t> generation{0};
  HttpTestServer server(nullptr);
  server.SetHandler([&](const SeenRequest& r) {
    int64_t g = r.query.count("g") ? std::stoll(r.query.at("g")) : ++generation;
    int page = r.query.count("p") ? std::stoi(r.query.at("p")) : 1;
    std::vector<Contact> all = Generation(g);
    size_t from = static_cast<size_t>(page - 1) * kPageSize;
    std::vector<Contact> slice(
        all.begin() + static_cast<long>(std::min(from, all.size())),
        all.begin() + static_cast<long>(std::min(from + kPageSize, all.size())));
    std::string next;
    if (from + kPageSize < all.size()) {
      next = server.Url("/c?g=" + std::to_string(g) + "&p=" + std::to_string(page + 1));
    }
    return Reply::Json(V2Page(slice, next)).Header("Date", testing::HttpDate(kT0 + g * 1000));
  });
  const std::string helper = meabridge::testing::HelperPath("harvest_crash_child");
  const std::string url = server.Url("/c");
  const std::string mapping = MappingPath("informea-odata-v2/contacts.xml");
  const auto seed = static_cast<uint32_t>(std::random_device{}());
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> delay_ms(20, 700);
  int64_t highest = 0;
  int committed_changes = 0;
  for (int kill = 0; kill < kKills; ++kill) {
    pid_t pid = fork();
    if (pid == 0) {
      int devnull = ::open("/dev/null", O_WRONLY);
      ::dup2(devnull, 2);
      execl(helper.c_str(), helper.c_str(), path.c_str(), url.c_str(), mapping.c_str(),
            static_cast<char*>(nullptr));
      _exit(127);
    }
    ASSERT_GT(pid, 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status))
        << "the child ended by itself (status " << status << "): see its stderr";
    if (::access(path.c_str(), F_OK) != 0) continue;  // killed before it created the store
    ASSERT_EQ(IntegrityCheck(path), "ok") << "after kill " << kill;
    int64_t g = CheckCommittedGeneration(path);
    ASSERT_GE(g, 0) << "after kill " << kill;
    if (g != highest) ++committed_changes;
    EXPECT_GE(g, highest) << "a committed run went missing";
    highest = std::max(highest, g);
    if (::testing::Test::HasFailure()) break;
  }
  EXPECT_GT(committed_changes, 5) << "the kills should land between and inside many runs";
}

}  // namespace
}  // namespace meabridge::harvest::test
