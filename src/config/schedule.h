// A source's schedule (<source schedule="...">, docs/daemon.md "Schedules"): when `serve`
// harvests it. Three forms:
//
//   every DURATION   "every 30m", "every 6h", "every 1d": slots at whole multiples of the
//                    duration since 1970-01-01T00:00:00Z (so "every 6h" is 00:00, 06:00, 12:00
//                    and 18:00 UTC, on every node alike); at least 1s
//   cron             five fields "minute hour day-of-month month day-of-week", in UTC, with
//                    lists (1,15), ranges (1-5), steps (*/15, 0-30/10, 5/20), month names
//                    (jan-dec) and day names (sun-sat; 0 and 7 are Sunday), or one of @hourly,
//                    @daily (@midnight), @weekly, @monthly, @yearly (@annually). When both day
//                    fields are restricted a day matching either runs (cron's OR rule); a field
//                    that starts with '*' counts as unrestricted
//   manual           never on its own: `meabridge harvest` or the admin API start it
//
// Parsed at configuration load (a bad schedule is a configuration error); next-fire times are
// computed here, in UTC. Schedule is a value: thread-compatible, immutable once parsed.
#pragma once

#include <bitset>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "core/time.h"

namespace meabridge::config {

class Schedule {
 public:
  enum class Kind { kManual, kEvery, kCron };

  Schedule() = default;  // manual

  // Parses one of the three forms. InvalidArgument says which part is wrong and what to write.
  static Result<Schedule> Parse(std::string_view text);

  Kind kind() const { return kind_; }
  bool manual() const { return kind_ == Kind::kManual; }
  // kEvery: the interval.
  int64_t every_ms() const { return every_ms_; }
  const std::string& text() const { return text_; }

  // The first slot strictly after `after` (UTC); nullopt for manual.
  std::optional<core::EpochMs> NextAfter(core::EpochMs after) const;

  // The default jitter (docs/daemon.md): a tenth of the interval, at most 5 minutes, for
  // "every"; 0 for cron (it fires at the minute written) and manual.
  int64_t DefaultJitterMs() const;
  // The shortest gap between two slots (kEvery: the interval; kCron: an upper bound on the
  // shortest gap, 60s granularity, used to bound the jitter); 0 for manual.
  int64_t MinGapMs() const;

 private:
  Kind kind_ = Kind::kManual;
  std::string text_ = "manual";
  int64_t every_ms_ = 0;
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_;     // 1..31
  std::bitset<13> months_;   // 1..12
  std::bitset<7> weekdays_;  // 0 = Sunday
  bool days_star_ = true;
  bool weekdays_star_ = true;

  bool DayMatches(const core::CivilDate& d) const;
};

// The fixed offset of `source` within its jitter window: a hash of the name mapped into
// [0, jitter_ms], the same on every node and across restarts, so that sources sharing a
// schedule spread out and every node agrees when a source's slot fires.
int64_t JitterOffsetMs(std::string_view source, int64_t jitter_ms);

}  // namespace meabridge::config
