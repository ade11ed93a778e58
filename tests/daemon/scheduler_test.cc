// The scheduler (daemon/scheduler.h) on a ManualClock: slots and jitter, one run per source,
// the concurrency bound, missed slots coalesced, requests, timeouts and stuck runs, reloads.
#include "daemon/scheduler.h"

#include <gtest/gtest.h>

#include "core/time.h"

namespace meabridge::daemon {
namespace {

core::EpochMs T(const char* text) { return core::ParseDateTime(text).value(); }

Scheduler::Entry Source(std::string name, const char* schedule, int64_t jitter_ms = 0,
                        std::optional<core::EpochMs> last_started = std::nullopt) {
  Scheduler::Entry e;
  e.name = std::move(name);
  e.kind = "file";
  auto s = config::Schedule::Parse(schedule);
  EXPECT_TRUE(s.ok()) << s.status().message();
  e.schedule = *s;
  e.jitter_ms = jitter_ms;
  e.last_started = last_started;
  return e;
}

Scheduler::Limits Limits(int max_concurrent, int64_t run_timeout_ms = 3600000,
                         int64_t stop_timeout_ms = 20000) {
  Scheduler::Limits l;
  l.max_concurrent = max_concurrent;
  l.run_timeout_ms = run_timeout_ms;
  l.stop_timeout_ms = stop_timeout_ms;
  return l;
}

std::vector<std::string> Names(const std::vector<Job>& jobs) {
  std::vector<std::string> out;
  for (const Job& j : jobs) out.push_back(j.source);
  return out;
}

TEST(SchedulerTest, NeverHarvestedRunsAtOnceThenAtItsSlots) {
  core::ManualClock clock(T("2024-05-01T10:20:00Z"));
  Scheduler s(clock);
  s.SetSources({Source("a", "every 1h")}, Limits(4));
  std::vector<Job> due = s.TakeDue();
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].source, "a");
  EXPECT_EQ(due[0].slot, 0);  // a first harvest: any run counts
  EXPECT_TRUE(s.TakeDue().empty());
  clock.Advance(5000);
  s.Finished(due[0].id);
  EXPECT_TRUE(s.TakeDue().empty());
  EXPECT_EQ(s.Sources()[0].next_run_ms, T("2024-05-01T11:00:00Z"));
  EXPECT_EQ(*s.MsUntilNextEvent(), T("2024-05-01T11:00:00Z") - clock.NowMs());
  clock.Set(T("2024-05-01T10:59:59Z"));
  EXPECT_TRUE(s.TakeDue().empty());
  clock.Set(T("2024-05-01T11:00:00Z"));
  due = s.TakeDue();
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].slot, T("2024-05-01T11:00:00Z"));
  s.Finished(due[0].id);
  EXPECT_EQ(s.Sources()[0].next_run_ms, T("2024-05-01T12:00:00Z"));
}

TEST(SchedulerTest, JitterOffsetDelaysEverySlotWithinItsWindow) {
  core::ManualClock clock(T("2024-05-01T10:00:30Z"));
  Scheduler s(clock);
  const int64_t jitter = 6 * 60000;
  s.SetSources({Source("jittery", "every 1h", jitter, T("2024-05-01T10:00:10Z"))}, Limits(4));
  int64_t offset = config::JitterOffsetMs("jittery", jitter);
  ASSERT_GT(offset, 0);
  EXPECT_EQ(s.Sources()[0].next_run_ms, T("2024-05-01T11:00:00Z") + offset);
  clock.Set(T("2024-05-01T11:00:00Z") + offset - 1);
  EXPECT_TRUE(s.TakeDue().empty());
  clock.Advance(1);
  ASSERT_EQ(s.TakeDue().size(), 1u);
}

TEST(SchedulerTest, StartRuleUsesTheLastRecordedRun) {
  core::ManualClock clock(T("2024-05-01T10:20:00Z"));
  Scheduler s(clock);
  s.SetSources(
      {Source("fresh", "every 1h", 0, T("2024-05-01T10:05:00Z")),
       Source("stale", "every 1h", 0, T("2024-05-01T09:05:00Z")),
       Source("cron", "0 3 * * *", 0, T("2024-05-01T03:00:02Z")), Source("manual", "manual")},
      Limits(4));
  EXPECT_EQ(Names(s.TakeDue()), std::vector<std::string>{"stale"});  // the 10:00 slot passed
  std::vector<SourceState> st = s.Sources();
  EXPECT_EQ(st[0].next_run_ms, T("2024-05-01T11:00:00Z"));
  EXPECT_EQ(st[2].next_run_ms, T("2024-05-02T03:00:00Z"));
  EXPECT_EQ(st[3].next_run_ms, 0);
  EXPECT_TRUE(st[1].running);
  EXPECT_EQ(st[1].running_since_ms, clock.NowMs());
}

TEST(SchedulerTest, OneRunPerSourceAndMissedSlotsCoalesce) {
  core::ManualClock clock(T("2024-05-01T00:00:00.500Z"));
  Scheduler s(clock);
  s.SetSources({Source("a", "every 1s")}, Limits(4));
  std::vector<Job> due = s.TakeDue();
  ASSERT_EQ(due.size(), 1u);
  // The run lasts 5.2 s: five slots pass, and the source is never started a second time.
  for (int i = 0; i < 52; ++i) {
    clock.Advance(100);
    EXPECT_TRUE(s.TakeDue().empty());
    EXPECT_EQ(s.Request("a", false).code(), Status::Code::kFailedPrecondition);
  }
  s.Finished(due[0].id);
  // The missed slots are one run, now (for the latest slot), then the schedule resumes.
  due = s.TakeDue();
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].slot, T("2024-05-01T00:00:05Z"));
  clock.Advance(100);
  s.Finished(due[0].id);
  EXPECT_TRUE(s.TakeDue().empty());
  EXPECT_EQ(s.Sources()[0].next_run_ms, T("2024-05-01T00:00:06Z"));
}

TEST(SchedulerTest, ConcurrencyIsBounded) {
  core::ManualClock clock(T("2024-05-01T00:00:00Z"));
  Scheduler s(clock);
  s.SetSources({Source("a", "every 1h"), Source("b", "every 1h"), Source("c", "every 1h"),
                Source("d", "every 1h"), Source("e", "every 1h")},
               Limits(2));
  std::vector<Job> first = s.TakeDue();
  EXPECT_EQ(Names(first), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(s.TakeDue().empty());
  EXPECT_EQ(s.running(), 2);
  EXPECT_FALSE(s.MsUntilNextEvent().has_value() && *s.MsUntilNextEvent() == 0)
      << "no free run slot: nothing to wake up for";
  s.Finished(first[0].id);
  std::vector<Job> second = s.TakeDue();
  EXPECT_EQ(Names(second), std::vector<std::string>{"c"});
  EXPECT_EQ(s.running(), 2);
  s.Finished(first[1].id);
  s.Finished(second[0].id);
  EXPECT_EQ(Names(s.TakeDue()), (std::vector<std::string>{"d", "e"}));
}

TEST(SchedulerTest, RequestsGoFirstAndKeepTheSchedule) {
  core::ManualClock clock(T("2024-05-01T00:30:00Z"));
  Scheduler s(clock);
  s.SetSources({Source("a", "every 1h", 0, T("2024-05-01T00:00:01Z")), Source("m", "manual"),
                Source("b", "every 1h")},
               Limits(1));
  EXPECT_EQ(s.Request("nope", false).code(), Status::Code::kNotFound);
  ASSERT_TRUE(s.Request("m", true).ok());
  EXPECT_EQ(s.Request("m", false).code(), Status::Code::kFailedPrecondition);  // pending
  std::vector<Job> due = s.TakeDue();
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].source, "m");  // the request before b's first harvest
  EXPECT_TRUE(due[0].requested);
  EXPECT_TRUE(due[0].full);
  EXPECT_EQ(due[0].slot, -1);
  s.Finished(due[0].id);
  EXPECT_EQ(Names(s.TakeDue()), std::vector<std::string>{"b"});
  EXPECT_EQ(s.Sources()[0].next_run_ms, T("2024-05-01T01:00:00Z"));
  EXPECT_EQ(s.Sources()[1].next_run_ms, 0);  // manual stays manual
}

TEST(SchedulerTest, TimeoutThenStuckEachReportedOnce) {
  core::ManualClock clock(T("2024-05-01T00:00:00Z"));
  Scheduler s(clock);
  s.SetSources({Source("slow", "every 1d")}, Limits(4, 60000, 10000));
  std::vector<Job> due = s.TakeDue();
  ASSERT_EQ(due.size(), 1u);
  clock.Advance(59999);
  EXPECT_TRUE(s.TakeTimedOut().empty());
  EXPECT_EQ(*s.MsUntilNextEvent(), 1);
  clock.Advance(1);
  std::vector<Job> timed_out = s.TakeTimedOut();
  ASSERT_EQ(timed_out.size(), 1u);
  EXPECT_EQ(timed_out[0].id, due[0].id);
  EXPECT_TRUE(s.TakeTimedOut().empty());
  clock.Advance(9999);
  EXPECT_TRUE(s.TakeStuck().empty());
  clock.Advance(1);
  EXPECT_EQ(s.TakeStuck().size(), 1u);
  EXPECT_TRUE(s.TakeStuck().empty());
  EXPECT_FALSE(s.MsUntilNextEvent().has_value());
  s.Finished(due[0].id);
  EXPECT_EQ(s.running(), 0);
}

TEST(SchedulerTest, StopAllStartsTheStuckClock) {
  core::ManualClock clock(T("2024-05-01T00:00:00Z"));
  Scheduler s(clock);
  s.SetSources({Source("a", "every 1d"), Source("b", "every 1d")}, Limits(4, 3600000, 5000));
  ASSERT_EQ(s.TakeDue().size(), 2u);
  s.StopAll();
  clock.Advance(5000);
  EXPECT_EQ(s.TakeStuck().size(), 2u);
  EXPECT_TRUE(s.TakeTimedOut().empty());
}

TEST(SchedulerTest, ReloadKeepsUnchangedSourcesAndRestartsChangedOnes) {
  core::ManualClock clock(T("2024-05-01T00:10:00Z"));
  Scheduler s(clock);
  s.SetSources({Source("a", "every 1h", 0, T("2024-05-01T00:00:01Z")),
                Source("b", "every 1h", 0, T("2024-05-01T00:00:01Z"))},
               Limits(4));
  EXPECT_TRUE(s.TakeDue().empty());
  ASSERT_TRUE(s.Request("a", false).ok());
  s.SetSources({Source("a", "every 1h", 0, T("2024-05-01T00:00:01Z")),
                Source("b", "every 30m", 0, T("2024-05-01T00:00:01Z")), Source("c", "every 1h")},
               Limits(4));
  std::vector<SourceState> st = s.Sources();
  ASSERT_EQ(st.size(), 3u);
  EXPECT_EQ(st[0].next_run_ms, T("2024-05-01T01:00:00Z"));
  EXPECT_EQ(st[1].next_run_ms, T("2024-05-01T00:30:00Z"));  // the new schedule
  // a's pending request survived; c is new and never harvested.
  EXPECT_EQ(Names(s.TakeDue()), (std::vector<std::string>{"a", "c"}));
  // A removed source's running job ends quietly.
  std::vector<Job> b_job;
  clock.Set(T("2024-05-01T00:30:00Z"));
  b_job = s.TakeDue();
  ASSERT_EQ(Names(b_job), std::vector<std::string>{"b"});
  s.SetSources({Source("a", "every 1h", 0, T("2024-05-01T00:00:01Z"))}, Limits(4));
  s.Finished(b_job[0].id);
  EXPECT_EQ(s.Sources().size(), 1u);
}

}  // namespace
}  // namespace meabridge::daemon
