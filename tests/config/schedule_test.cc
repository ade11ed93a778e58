// Schedules (config/schedule.h): parsing, errors, next-fire times in UTC, jitter offsets.
#include "config/schedule.h"

#include <gtest/gtest.h>

#include <set>

#include "config/config.h"
#include "core/time.h"
#include "support/test_support.h"

namespace meabridge::config {
namespace {

core::EpochMs T(const char* text) {
  auto t = core::ParseDateTime(text);
  EXPECT_TRUE(t.has_value()) << text;
  return t.value_or(0);
}

std::string Next(const char* schedule, const char* after) {
  auto s = Schedule::Parse(schedule);
  EXPECT_TRUE(s.ok()) << schedule << ": " << s.status().message();
  if (!s.ok()) return "";
  auto n = s->NextAfter(T(after));
  return n ? core::FormatDateTime(*n) : "never";
}

TEST(ScheduleTest, ManualNeverFires) {
  auto s = Schedule::Parse("manual");
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->manual());
  EXPECT_FALSE(s->NextAfter(0).has_value());
  EXPECT_EQ(s->DefaultJitterMs(), 0);
}

TEST(ScheduleTest, EveryIsAnchoredAtTheEpoch) {
  EXPECT_EQ(Next("every 6h", "2024-05-01T07:30:00Z"), "2024-05-01T12:00:00Z");
  EXPECT_EQ(Next("every 6h", "2024-05-01T12:00:00Z"), "2024-05-01T18:00:00Z");  // strictly after
  EXPECT_EQ(Next("every 30m", "2024-05-01T23:59:59Z"), "2024-05-02T00:00:00Z");
  EXPECT_EQ(Next("every 1d", "2024-02-28T10:00:00Z"), "2024-02-29T00:00:00Z");
  EXPECT_EQ(Next("every 1s", "2024-05-01T00:00:00.400Z"), "2024-05-01T00:00:01Z");
  auto s = Schedule::Parse("  every 90s ");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->kind(), Schedule::Kind::kEvery);
  EXPECT_EQ(s->every_ms(), 90000);
  EXPECT_EQ(s->text(), "every 90s");
}

TEST(ScheduleTest, DefaultJitterIsATenthAtMostFiveMinutes) {
  EXPECT_EQ(Schedule::Parse("every 1s")->DefaultJitterMs(), 100);
  EXPECT_EQ(Schedule::Parse("every 10m")->DefaultJitterMs(), 60000);
  EXPECT_EQ(Schedule::Parse("every 6h")->DefaultJitterMs(), 300000);
  EXPECT_EQ(Schedule::Parse("0 3 * * *")->DefaultJitterMs(), 0);
}

TEST(ScheduleTest, CronNextFire) {
  struct Case {
    const char* schedule;
    const char* after;
    const char* next;
  } cases[] = {
      {"0 3 * * *", "2024-01-31T02:59:00Z", "2024-01-31T03:00:00Z"},
      {"0 3 * * *", "2024-01-31T03:00:00Z", "2024-02-01T03:00:00Z"},  // month end
      {"0 3 * * *", "2024-12-31T03:00:30Z", "2025-01-01T03:00:00Z"},  // year end
      {"*/15 * * * *", "2024-05-01T10:07:12Z", "2024-05-01T10:15:00Z"},
      {"*/15 * * * *", "2024-05-01T23:59:00Z", "2024-05-02T00:00:00Z"},
      {"0-30/10 9 * * *", "2024-05-01T09:21:00Z", "2024-05-01T09:30:00Z"},
      {"5/20 * * * *", "2024-05-01T09:26:00Z", "2024-05-01T09:45:00Z"},
      {"0 0 31 * *", "2024-04-01T00:00:00Z", "2024-05-31T00:00:00Z"},  // April has 30 days
      {"0 0 29 2 *", "2023-03-01T00:00:00Z", "2024-02-29T00:00:00Z"},  // the next leap day
      {"0 0 29 2 *", "2024-02-29T00:00:00Z", "2028-02-29T00:00:00Z"},
      {"59 23 31 12 *", "2024-12-31T23:59:00Z", "2025-12-31T23:59:00Z"},
      {"0 12 * * 0", "2024-06-10T00:00:00Z", "2024-06-16T12:00:00Z"},  // Sunday
      {"0 12 * * 7", "2024-06-10T00:00:00Z", "2024-06-16T12:00:00Z"},  // 7 is Sunday too
      {"0 9 * jan,jul mon-fri", "2024-06-10T00:00:00Z", "2024-07-01T09:00:00Z"},
      {"0 9 * * SAT", "2024-06-10T00:00:00Z", "2024-06-15T09:00:00Z"},
      // Both day fields restricted: a day matching either (the 15th, a Saturday, comes before
      // Monday the 17th).
      {"0 0 15 * mon", "2024-06-10T00:00:00Z", "2024-06-15T00:00:00Z"},
      {"0 0 15 * mon", "2024-06-15T00:00:00Z", "2024-06-17T00:00:00Z"},
      // A day field starting with '*' counts as unrestricted: the two are ANDed (odd days that
      // are Mondays: the 17th; with OR it would be Tuesday the 11th).
      {"0 0 */2 * mon", "2024-06-10T00:00:00Z", "2024-06-17T00:00:00Z"},
      {"@daily", "2024-05-01T10:00:00Z", "2024-05-02T00:00:00Z"},
      {"@hourly", "2024-05-01T10:00:00Z", "2024-05-01T11:00:00Z"},
      {"@weekly", "2024-06-10T00:00:00Z", "2024-06-16T00:00:00Z"},
      {"@monthly", "2024-01-31T00:00:00Z", "2024-02-01T00:00:00Z"},
      {"@yearly", "2024-01-01T00:00:00Z", "2025-01-01T00:00:00Z"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Next(c.schedule, c.after), c.next) << c.schedule << " after " << c.after;
  }
}

TEST(ScheduleTest, ErrorsSayWhatToWrite) {
  struct Case {
    const char* schedule;
    const char* says;
  } cases[] = {
      {"", "is empty"},
      {"every", "no duration after 'every'"},
      {"every soon", "no duration after 'every'"},
      {"every 500ms", "shorter than the shortest interval, 1s"},
      {"every 36501d", "is too long; the longest interval is 36500d (100 years)"},
      {"every 9999999999999999999999999h", "is too long; the longest interval is 36500d"},
      {"every 1000000000000000000000000000000000000000000000000000000000000000000000000000000"
       "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
       "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
       "000000000000000000000000000000000000000000000000000000000000000000000000000000000s",
       "is too long"},
      {"daily", "a cron expression has 5 fields, this has 1"},
      {"0 3 * *", "this has 4"},
      {"0 3 * * * *", "this has 6"},
      {"61 * * * *", "minute field '61'"},
      {"0 24 * * *", "hour field '24'"},
      {"0 0 0 * *", "day-of-month field '0'"},
      {"0 0 1 13 *", "month field '13'"},
      {"0 0 1 foo *", "month field 'foo'"},
      {"0 0 * * 8", "day-of-week field '8'"},
      {"0 0 * * mon-", "not a range"},
      {"30-10 * * * *", "running backwards"},
      {"*/0 * * * *", "the step '0'"},
      {"1,,2 * * * *", "empty list item"},
      {"0 0 31 2 *", "never fires"},
      {"0 0 30 feb *", "never fires"},
      {"@fortnightly", "unknown schedule '@fortnightly'"},
  };
  for (const Case& c : cases) {
    auto s = Schedule::Parse(c.schedule);
    ASSERT_FALSE(s.ok()) << c.schedule;
    EXPECT_NE(s.status().message().find(c.says), std::string::npos)
        << c.schedule << ": " << s.status().message();
  }
  // Every message shows a form to write.
  auto s = Schedule::Parse("61 * * * *");
  EXPECT_NE(s.status().message().find("0-59"), std::string::npos) << s.status().message();
}

TEST(ScheduleTest, JitterOffsetsStayInTheirWindowAndAreStable) {
  std::set<int64_t> seen;
  for (int i = 0; i < 500; ++i) {
    std::string name = "source-" + std::to_string(i);
    int64_t off = JitterOffsetMs(name, 60000);
    EXPECT_GE(off, 0);
    EXPECT_LE(off, 60000);
    EXPECT_EQ(off, JitterOffsetMs(name, 60000));  // the same on every node and every start
    seen.insert(off / 6000);
  }
  EXPECT_GE(seen.size(), 9u) << "offsets should spread over the window";
  EXPECT_EQ(JitterOffsetMs("x", 0), 0);
  EXPECT_EQ(JitterOffsetMs("x", -5), 0);
  EXPECT_LE(JitterOffsetMs("x", 1), 1);
}

// A bad schedule in a file is a configuration error with file:line:col and the forms to write.
TEST(ScheduleTest, BadScheduleIsAConfigErrorAtItsPosition) {
  LoadResult r = LoadConfigText(R"(<meabridge>
  <source name="a" kind="http" url="https://example.org/a" mapping="m.xml"
          schedule="0 25 * * *"/>
  <source name="b" kind="http" url="https://example.org/b" mapping="m.xml"
          schedule="every 6h" jitter="7h"/>
</meabridge>)",
                                "test.xml", "/nonexistent");
  ASSERT_EQ(r.config, nullptr);
  std::string all;
  for (const ConfigError& e : r.errors) all += e.ToString() + "\n";
  // Attributes are reported at their element's position.
  EXPECT_NE(all.find("test.xml:2:3: source 'a': bad schedule"), std::string::npos) << all;
  EXPECT_NE(all.find("source 'a': bad schedule: hour field '25'"), std::string::npos) << all;
  EXPECT_NE(all.find("test.xml:4:3: source 'b': jitter"), std::string::npos) << all;
  EXPECT_NE(all.find("jitter=\"36m\""), std::string::npos) << all;
  EXPECT_NE(all.find("jitter 7h is not shorter than the time between two slots"), std::string::npos)
      << all;
}

TEST(ScheduleTest, SchedulerElementAndResolvedJitter) {
  LoadResult ok = LoadConfigText(R"(<meabridge>
  <scheduler max-concurrent-runs="2" run-timeout="10m" stop-timeout="5s" lease-ttl="9s"/>
  <source name="a" kind="http" url="https://example.org/a"
          mapping="mappings/informea-odata-v4/contacts.json" schedule="every 1h"/>
  <source name="b" kind="http" url="https://example.org/b"
          mapping="mappings/informea-odata-v4/contacts.json" schedule="0 3 * * *" jitter="15m"/>
</meabridge>)",
                                 "test.xml", meabridge::testing::SourceDir());
  ASSERT_NE(ok.config, nullptr) << (ok.errors.empty() ? "" : ok.errors[0].ToString());
  EXPECT_EQ(ok.config->scheduler_max_concurrent_runs, 2);
  EXPECT_EQ(ok.config->scheduler_run_timeout_ms, 600000);
  EXPECT_EQ(ok.config->scheduler_stop_timeout_ms, 5000);
  EXPECT_EQ(ok.config->scheduler_lease_ttl_ms, 9000);
  EXPECT_EQ(ok.config->sources[0].jitter_ms, 300000);  // default: min(1h/10, 5m)
  EXPECT_EQ(ok.config->sources[0].when.kind(), Schedule::Kind::kEvery);
  EXPECT_EQ(ok.config->sources[1].jitter_ms, 900000);
  EXPECT_EQ(ok.config->sources[1].when.kind(), Schedule::Kind::kCron);
}

}  // namespace
}  // namespace meabridge::config
