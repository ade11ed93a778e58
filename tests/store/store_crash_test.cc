// Crash safety: a child process harvesting into a store (tests/helpers/store_crash_child.cc)
// is killed with SIGKILL at random moments, again and again on the same store. After every
// kill the store must hold exactly the last committed run: nothing of the run the kill
// interrupted. An SQLite file must also pass PRAGMA integrity_check. PostgreSQL: a lighter
// version (fewer kills) on the test server, where the killed run's transaction is the
// server's to roll back when it notices the closed connection.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
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

pid_t StartChild(const std::string& location) {
  std::string helper = meabridge::testing::HelperPath("store_crash_child");
  std::string records = std::to_string(kRecords);
  pid_t pid = fork();
  if (pid == 0) {
    execl(helper.c_str(), helper.c_str(), location.c_str(), records.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  return pid;
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

TEST(StoreCrashTest, SigkillMidRunAlwaysLeavesTheLastCommittedRun) {
  meabridge::testing::TempDir dir;
  const std::string path = dir.File("crash.db");
  const auto seed =
      static_cast<unsigned>(std::chrono::steady_clock::now().time_since_epoch().count());
  std::mt19937 rng(seed);
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::uniform_int_distribution<int> delay_ms(1, 150);
  auto started = std::chrono::steady_clock::now();
  std::set<int64_t> committed;
  int64_t previous = 0;
  int stall_ms = 0;  // grows while kills leave no new commit (a slow machine, a sanitizer build)
  for (int kill_no = 0; kill_no < kKills; ++kill_no) {
    SCOPED_TRACE("kill " + std::to_string(kill_no));
    pid_t pid = StartChild(path);
    ASSERT_GT(pid, 0);
    // Mostly short lives, sometimes long ones, so that kills land in every phase of a run.
    int ms = delay_ms(rng) + (kill_no % 10 == 9 ? 400 : 0) + stall_ms;
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    ::kill(pid, SIGKILL);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status))
        << "the child ended by itself (exit " << WEXITSTATUS(status) << "): see its message above";
    if (access(path.c_str(), F_OK) != 0) {
      // Killed before it created the file: nothing to check yet.
      committed.insert(0);
      continue;
    }
    ASSERT_EQ(IntegrityCheck(path), "ok");
    int64_t k = CheckLastCommittedRun(path);
    ASSERT_FALSE(HasFailure());
    EXPECT_GE(k, previous) << "a committed run was lost";
    stall_ms = k > previous ? 0 : stall_ms + 50;
    previous = k;
    committed.insert(k);
  }
  auto elapsed = std::chrono::steady_clock::now() - started;
  // The kills hit different runs: the store kept moving forward.
  EXPECT_GE(committed.size(), 10u) << "only " << committed.size() << " distinct states";
  std::printf("[ crash    ] %d kills, last committed run %lld, %zu distinct states, %lld ms\n",
              kKills, static_cast<long long>(previous), committed.size(),
              static_cast<long long>(
                  std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count()));
}

// The same on PostgreSQL, lighter: 10 kills.
TEST(StoreCrashTest, PostgresSigkillMidRunAlwaysLeavesTheLastCommittedRun) {
  constexpr int kPgKills = 10;
  std::string error;
  const std::string location = testing::FreshPostgresLocation(&error);
  ASSERT_FALSE(location.empty()) << error;
  const auto seed =
      static_cast<unsigned>(std::chrono::steady_clock::now().time_since_epoch().count());
  std::mt19937 rng(seed);
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::uniform_int_distribution<int> delay_ms(20, 400);
  auto started = std::chrono::steady_clock::now();
  std::set<int64_t> committed;
  int64_t previous = 0;
  int stall_ms = 0;
  for (int kill_no = 0; kill_no < kPgKills; ++kill_no) {
    SCOPED_TRACE("kill " + std::to_string(kill_no));
    pid_t pid = StartChild(location);
    ASSERT_GT(pid, 0);
    int ms = delay_ms(rng) + (kill_no % 3 == 2 ? 600 : 0) + stall_ms;
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    ::kill(pid, SIGKILL);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status))
        << "the child ended by itself (exit " << WEXITSTATUS(status) << "): see its message above";
    int64_t k = CheckLastCommittedRun(location);
    ASSERT_FALSE(HasFailure());
    EXPECT_GE(k, previous) << "a committed run was lost";
    stall_ms = k > previous ? 0 : stall_ms + 100;
    previous = k;
    committed.insert(k);
  }
  auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_GE(committed.size(), 3u) << "only " << committed.size() << " distinct states";
  std::printf(
      "[ crash    ] PostgreSQL: %d kills, last committed run %lld, %zu distinct states, "
      "%lld ms\n",
      kPgKills, static_cast<long long>(previous), committed.size(),
      static_cast<long long>(
          std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count()));
}

}  // namespace
}  // namespace meabridge::store
