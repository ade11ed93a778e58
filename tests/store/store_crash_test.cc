// Crash safety: a child process harvesting into a store (tests/helpers/store_crash_child.cc)
// is killed with SIGKILL at a random step of its runs, again and again on the same store.
// After every kill the store must hold exactly the last committed run: nothing of the run the
// kill interrupted, nothing less than the child had reported committed. An SQLite file must also pass PRAGMA integrity_check. PostgreSQL: a lighter
// version (fewer kills) on the test server, where the killed run's transaction is the
// server's to roll back when it notices the closed connection.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "model/registry.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store.h"
#include "store/store_contract.h"
#include "support/test_support.h"

namespace meabridge::store {
namespace {

constexpr int kRecords = 2000;
constexpr int kKills = 60;

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

// The store holds exactly the state of its last committed run; returns that run's k (0: none).
int64_t CheckLastCommittedRun(const std::string& location) {
  auto opened = OpenStore(location);
  EXPECT_TRUE(opened.ok()) << opened.status().ToString();
  if (!opened.ok()) return -1;
  auto view = (*opened)->Read();
  EXPECT_TRUE(view.ok());
  const model::EntitySpec& contacts = *model::Registry::Default().Find("Contacts");
  auto wm = (*view)->Watermark("crash");
  EXPECT_TRUE(wm.ok());
  Query all;
  all.entity = &contacts;
  int64_t live = *(*view)->Count(all);
  auto runs = (*view)->Runs("", -1);
  EXPECT_TRUE(runs.ok());
  if (!wm->has_value()) {
    // Killed before the first commit: nothing at all.
    EXPECT_EQ(live, 0);
    EXPECT_TRUE(runs->empty());
    EXPECT_EQ(*(*view)->MaxSeq(), 0);
    return 0;
  }
  int64_t k = std::stoll(**wm);
  std::string mark = "k=" + std::to_string(k);
  // One run row per committed run, all ok, the newest carrying the watermark's k.
  EXPECT_EQ(static_cast<int64_t>(runs->size()), k);
  EXPECT_EQ(runs->front().status, "ok");
  EXPECT_EQ(runs->front().warnings, std::vector<std::string>{mark});
  for (const RunRecord& r : *runs) EXPECT_EQ(r.status, "ok") << "run " << r.id;
  // Every live record says k; the ones run k deleted are tombstones.
  int64_t deleted_by_k = 0;
  for (int i = static_cast<int>(k % 7); i < kRecords; i += 7) ++deleted_by_k;
  EXPECT_EQ(live, kRecords - deleted_by_k);
  int64_t other = 0;
  Status s = (*view)->Scan(all, [&](const model::Record& r) {
    const auto* first = std::get_if<std::string>(r.Find("firstName"));
    if (!first || *first != mark) ++other;
    if (r.provenance.run_id != runs->front().id) ++other;
    return Status::Ok();
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(other, 0) << "records from another run than " << mark;
  auto rejects = (*view)->Rejects(runs->front().id, 10);
  EXPECT_EQ(rejects->size(), 3u);
  for (const Reject& r : *rejects) EXPECT_EQ(r.value, std::to_string(k));
  // The change sequence ends with run k's writes.
  int64_t max_seq = *(*view)->MaxSeq();
  int64_t last_seq = 0;
  EXPECT_TRUE((*view)
                  ->ScanChanges(nullptr, 0, -1,
                                [&](const Change& c) {
                                  last_seq = c.seq;
                                  return Status::Ok();
                                })
                  .ok());
  EXPECT_EQ(last_seq, max_seq);
  return k;
}

// Steps the child reports per run (tests/helpers/store_crash_child.cc): begin, one "upserted"
// per 500 records, staged, committed.
constexpr int kStepsPerRun = 1 + kRecords / 500 + 2;

// What one life of the child reported before it was killed.
struct Life {
  int steps = 0;           // progress lines read
  int64_t committed = 0;   // the last run it reported committed (0: none)
  std::string last_line;
};

// Starts the child on `location`, reads its progress lines until it has reported `steps` of
// them, then kills it with SIGKILL, after `jitter_us` microseconds. The jitter only spreads the
// kill over the step in progress; nothing asserted depends on it. The kill is tied to the
// child's progress, not to a delay, so a slow machine changes nothing but the test's duration.
Life KillAtStep(const std::string& location, int steps, int jitter_us) {
  Life life;
  int fds[2];
  if (::pipe(fds) != 0) {
    ADD_FAILURE() << "pipe: " << std::strerror(errno);
    return life;
  }
  std::string helper = meabridge::testing::HelperPath("store_crash_child");
  std::string records = std::to_string(kRecords);
  pid_t pid = fork();
  if (pid == 0) {
    ::dup2(fds[1], 1);
    ::close(fds[0]);
    ::close(fds[1]);
    execl(helper.c_str(), helper.c_str(), location.c_str(), records.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  ::close(fds[1]);
  if (pid < 0) {
    ADD_FAILURE() << "fork: " << std::strerror(errno);
    ::close(fds[0]);
    return life;
  }
  std::string pending;
  bool ended = false;
  while (life.steps < steps && !ended) {
    pollfd p{fds[0], POLLIN, 0};
    // A guard against a hung child, not a wait for an event: a step takes milliseconds.
    if (::poll(&p, 1, 120'000) <= 0) {
      ADD_FAILURE() << "the child reported nothing for 120 s after \"" << life.last_line << "\"";
      break;
    }
    char buf[512];
    ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n <= 0) {
      ended = true;
      break;
    }
    pending.append(buf, static_cast<size_t>(n));
    size_t nl;
    while (life.steps < steps && (nl = pending.find('\n')) != std::string::npos) {
      life.last_line = pending.substr(0, nl);
      pending.erase(0, nl + 1);
      ++life.steps;
      if (life.last_line.rfind("committed ", 0) == 0) {
        life.committed = std::stoll(life.last_line.substr(10));
      }
    }
  }
  if (!ended && jitter_us > 0) std::this_thread::sleep_for(std::chrono::microseconds(jitter_us));
  ::kill(pid, SIGKILL);
  ::close(fds[0]);
  int status = 0;
  EXPECT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFSIGNALED(status))
      << "the child ended by itself (exit " << WEXITSTATUS(status) << ") after \""
      << life.last_line << "\": see its message above";
  return life;
}

// The schedule of kills: every third one comes after the first run of that life has been
// reported committed (so the store moves forward by at least that many runs, on any machine);
// the others at any step of the first two runs, the open included.
int StepsFor(int kill_no, std::mt19937& rng) {
  if (kill_no % 3 == 0) {
    return 1 + kStepsPerRun + 1 + static_cast<int>(rng() % kStepsPerRun);
  }
  return 1 + static_cast<int>(rng() % (2 * kStepsPerRun));
}

// Kills the child `kills` times on `location`; after every kill the store holds exactly its
// last committed run, no earlier than any run the child reported committed.
void KillRepeatedly(const std::string& location, bool sqlite_file, int kills) {
  const auto seed =
      static_cast<unsigned>(std::chrono::steady_clock::now().time_since_epoch().count());
  std::mt19937 rng(seed);
  SCOPED_TRACE("seed " + std::to_string(seed));
  auto started = std::chrono::steady_clock::now();
  std::set<int64_t> committed;
  int64_t previous = 0;
  int guaranteed = 0;
  for (int kill_no = 0; kill_no < kills; ++kill_no) {
    SCOPED_TRACE("kill " + std::to_string(kill_no));
    const int steps = StepsFor(kill_no, rng);
    if (steps > 1 + kStepsPerRun) ++guaranteed;
    Life life = KillAtStep(location, steps, static_cast<int>(rng() % 3000));
    ASSERT_FALSE(::testing::Test::HasFailure());
    ASSERT_EQ(life.steps, steps);
    if (sqlite_file) {
      ASSERT_EQ(IntegrityCheck(location), "ok");
    }
    int64_t k = CheckLastCommittedRun(location);
    ASSERT_FALSE(::testing::Test::HasFailure());
    EXPECT_GE(k, previous) << "a committed run was lost";
    EXPECT_GE(k, life.committed) << "the child had reported run " << life.committed
                                 << " committed (its last line: " << life.last_line << ")";
    previous = k;
    committed.insert(k);
  }
  auto elapsed = std::chrono::steady_clock::now() - started;
  // Each kill scheduled after a reported commit moved the store forward.
  EXPECT_GE(committed.size(), static_cast<size_t>(guaranteed))
      << "only " << committed.size() << " distinct states";
  std::printf("[ crash    ] %s: %d kills, last committed run %lld, %zu distinct states, %lld ms\n",
              sqlite_file ? "SQLite" : "PostgreSQL", kills, static_cast<long long>(previous),
              committed.size(),
              static_cast<long long>(
                  std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count()));
}

TEST(StoreCrashTest, SigkillMidRunAlwaysLeavesTheLastCommittedRun) {
  meabridge::testing::TempDir dir;
  KillRepeatedly(dir.File("crash.db"), /*sqlite_file=*/true, kKills);
}

// The same on PostgreSQL, lighter: 10 kills. The killed run's transaction is the server's to
// roll back when it notices the closed connection.
TEST(StoreCrashTest, PostgresSigkillMidRunAlwaysLeavesTheLastCommittedRun) {
  std::string error;
  const std::string location = testing::FreshPostgresLocation(&error);
  ASSERT_FALSE(location.empty()) << error;
  KillRepeatedly(location, /*sqlite_file=*/false, 10);
}

}  // namespace
}  // namespace meabridge::store
