#include "config/schedule.h"

#include <algorithm>
#include <vector>

#include "config/values.h"
#include "core/strings.h"

namespace meabridge::config {
namespace {

constexpr int64_t kMinuteMs = 60000;
constexpr int64_t kHourMs = 60 * kMinuteMs;
constexpr int64_t kDayMs = 24 * kHourMs;
constexpr const char* kForms =
    "\"every 6h\", a cron expression \"MINUTE HOUR DAY-OF-MONTH MONTH DAY-OF-WEEK\" in UTC such "
    "as \"0 3 * * *\" or \"*/15 * * * mon-fri\", or \"manual\"";

struct FieldSpec {
  const char* name;
  int min;
  int max;
  const char* const* names;  // nullptr, or names for min..min+count-1
  int name_count;
  const char* example;
};

const char* const kMonthNames[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                   "jul", "aug", "sep", "oct", "nov", "dec"};
const char* const kDayNames[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

const FieldSpec kFields[5] = {
    {"minute", 0, 59, nullptr, 0, "0, 30, */15, 0-45/15"},
    {"hour", 0, 23, nullptr, 0, "3, 9-17, */6"},
    {"day-of-month", 1, 31, nullptr, 0, "1, 1,15, 1-7"},
    {"month", 1, 12, kMonthNames, 12, "1, jan, jan-jun, */3"},
    {"day-of-week", 0, 7, kDayNames, 7, "mon, mon-fri, 0 (Sunday), sat,sun"},
};

Status FieldError(const FieldSpec& f, std::string_view field, const std::string& why) {
  return Status::InvalidArgument(std::string(f.name) + " field '" + std::string(field) + "' " +
                                 why + "; the field takes " + std::to_string(f.min) + "-" +
                                 std::to_string(f.max) + (f.names ? " or names" : "") +
                                 ", lists, ranges and steps, e.g. " + f.example);
}

// One value of a field: a number or (months, weekdays) a three-letter name.
std::optional<int> FieldValue(const FieldSpec& f, std::string_view text) {
  if (auto n = core::ParseInt(text)) {
    if (*n < f.min || *n > f.max) return std::nullopt;
    return static_cast<int>(*n);
  }
  std::string lower = core::AsciiLower(text);
  for (int i = 0; f.names && i < f.name_count; ++i) {
    if (lower == f.names[i]) return f.min + i;
  }
  return std::nullopt;
}

// Parses one field into `bits` (bit i = value i). Returns whether it starts with '*'.
template <size_t N>
Result<bool> ParseField(const FieldSpec& f, std::string_view field, std::bitset<N>* bits) {
  if (field.empty()) return FieldError(f, field, "is empty");
  for (std::string_view part : core::Split(field, ',')) {
    if (part.empty()) return FieldError(f, field, "has an empty list item");
    std::string_view range = part;
    int step = 1;
    if (size_t slash = part.find('/'); slash != std::string_view::npos) {
      range = part.substr(0, slash);
      auto s = core::ParseInt(part.substr(slash + 1));
      if (!s || *s < 1 || *s > f.max + 1) {
        return FieldError(f, field,
                          "has the step '" + std::string(part.substr(slash + 1)) +
                              "' (a step is a whole number from 1 to " + std::to_string(f.max + 1) +
                              ")");
      }
      step = static_cast<int>(*s);
    }
    int lo = f.min;
    int hi = f.max;
    if (range == "*") {
      // the whole range
    } else if (size_t dash = range.find('-'); dash != std::string_view::npos) {
      auto a = FieldValue(f, range.substr(0, dash));
      auto b = FieldValue(f, range.substr(dash + 1));
      if (!a || !b) {
        return FieldError(f, field, "has '" + std::string(range) + "', which is not a range");
      }
      if (*a > *b) {
        return FieldError(f, field, "has the range '" + std::string(range) + "' running backwards");
      }
      lo = *a;
      hi = *b;
    } else {
      auto a = FieldValue(f, range);
      if (!a) return FieldError(f, field, "has '" + std::string(range) + "', out of range");
      lo = *a;
      hi = part.find('/') != std::string_view::npos ? f.max : *a;  // "5/20": 5 to max by 20
    }
    for (int v = lo; v <= hi; v += step) {
      int bit = v;
      if (N == 7 && bit == 7) bit = 0;  // day-of-week 7 is Sunday
      bits->set(static_cast<size_t>(bit));
    }
  }
  return !field.empty() && field[0] == '*';
}

int Weekday(int64_t days) {  // 1970-01-01 was a Thursday (4)
  int64_t w = (days + 4) % 7;
  return static_cast<int>(w < 0 ? w + 7 : w);
}

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

}  // namespace

Result<Schedule> Schedule::Parse(std::string_view raw) {
  std::string_view text = core::Trim(raw);
  Schedule s;
  s.text_ = std::string(text);
  if (text == "manual") return s;
  if (text.empty()) {
    return Status::InvalidArgument("the schedule is empty; write " + std::string(kForms));
  }
  if (text.rfind("every", 0) == 0) {
    std::string_view d = core::Trim(text.substr(5));
    auto ms = ParseDurationMs(d);
    if (DurationTooLong(d)) {
      return Status::InvalidArgument("'" + std::string(text) +
                                     "' is too long; the longest interval is " +
                                     kMaxDurationText + "; write e.g. \"every 1d\"");
    }
    if (d.empty() || !ms) {
      return Status::InvalidArgument("'" + std::string(text) +
                                     "' has no duration after 'every'; write e.g. \"every 30m\", "
                                     "\"every 6h\" or \"every 1d\" (ms, s, m, h, d)");
    }
    if (*ms < 1000) {
      return Status::InvalidArgument("'" + std::string(text) +
                                     "' is shorter than the shortest interval, 1s; write e.g. "
                                     "\"every 1s\" or \"every 5m\"");
    }
    s.kind_ = Kind::kEvery;
    s.every_ms_ = *ms;
    return s;
  }
  std::string expr(text);
  if (text[0] == '@') {
    static const std::pair<const char*, const char*> kMacros[] = {
        {"@hourly", "0 * * * *"},  {"@daily", "0 0 * * *"},   {"@midnight", "0 0 * * *"},
        {"@weekly", "0 0 * * 0"},  {"@monthly", "0 0 1 * *"}, {"@yearly", "0 0 1 1 *"},
        {"@annually", "0 0 1 1 *"}};
    bool found = false;
    for (const auto& [name, value] : kMacros) {
      if (core::AsciiLower(text) == name) {
        expr = value;
        found = true;
      }
    }
    if (!found) {
      return Status::InvalidArgument("unknown schedule '" + std::string(text) +
                                     "'; write one of @hourly, @daily, @weekly, @monthly, "
                                     "@yearly, or " +
                                     kForms);
    }
  }
  std::vector<std::string> pieces = core::Split(expr, ' ');
  std::vector<std::string_view> fields;
  for (std::string_view f : pieces) {
    f = core::Trim(f);
    if (!f.empty()) fields.push_back(f);
  }
  if (fields.size() != 5) {
    return Status::InvalidArgument(
        "schedule '" + std::string(text) + "' is not understood: a cron expression has 5 fields, " +
        "this has " + std::to_string(fields.size()) + "; write " + kForms);
  }
  s.kind_ = Kind::kCron;
  MB_ASSIGN_OR_RETURN(bool minute_star, ParseField(kFields[0], fields[0], &s.minutes_));
  MB_ASSIGN_OR_RETURN(bool hour_star, ParseField(kFields[1], fields[1], &s.hours_));
  MB_ASSIGN_OR_RETURN(bool day_star, ParseField(kFields[2], fields[2], &s.days_));
  MB_ASSIGN_OR_RETURN(bool month_star, ParseField(kFields[3], fields[3], &s.months_));
  MB_ASSIGN_OR_RETURN(bool weekday_star, ParseField(kFields[4], fields[4], &s.weekdays_));
  (void)minute_star;
  (void)hour_star;
  (void)month_star;
  s.days_star_ = day_star;
  s.weekdays_star_ = weekday_star;
  // A day that never comes ("0 0 31 2 *", "0 0 30 feb *") is refused rather than silently
  // never harvested. Eight years cover every day-of-month/month combination (leap days too).
  if (!s.NextAfter(0)) {
    return Status::InvalidArgument("schedule '" + std::string(text) +
                                   "' never fires (that day does not exist in those months); " +
                                   "write a day that does, e.g. \"0 3 28 2 *\"");
  }
  return s;
}

bool Schedule::DayMatches(const core::CivilDate& d) const {
  int64_t days = core::DaysFromCivil(d);
  bool dom = days_.test(static_cast<size_t>(d.day));
  bool dow = weekdays_.test(static_cast<size_t>(Weekday(days)));
  // Both restricted: either (cron's OR rule). A field that starts with '*' ("*", "*/2")
  // counts as unrestricted and the two are ANDed, as in Vixie cron.
  if (days_star_ || weekdays_star_) return dom && dow;
  return dom || dow;
}

std::optional<core::EpochMs> Schedule::NextAfter(core::EpochMs after) const {
  switch (kind_) {
    case Kind::kManual:
      return std::nullopt;
    case Kind::kEvery:
      return (FloorDiv(after, every_ms_) + 1) * every_ms_;
    case Kind::kCron:
      break;
  }
  // The next whole minute after `after`, then field by field from the largest unit: a month
  // that does not match jumps to the next month's first day, a day to the next day, an hour
  // to the next hour. At most ~8 years of days are looked at (a schedule that never fires
  // is refused at parse time with that bound).
  int64_t t = (FloorDiv(after, kMinuteMs) + 1) * kMinuteMs;
  const int64_t limit = t + 8 * 366 * kDayMs;
  while (t < limit) {
    int64_t days = FloorDiv(t, kDayMs);
    core::CivilDate d = core::CivilFromDays(days);
    if (!months_.test(static_cast<size_t>(d.month))) {
      core::CivilDate next{d.month == 12 ? d.year + 1 : d.year, d.month == 12 ? 1 : d.month + 1, 1};
      t = core::DaysFromCivil(next) * kDayMs;
      continue;
    }
    if (!DayMatches(d)) {
      t = (days + 1) * kDayMs;
      continue;
    }
    int64_t in_day = t - days * kDayMs;
    int hour = static_cast<int>(in_day / kHourMs);
    int minute = static_cast<int>((in_day % kHourMs) / kMinuteMs);
    if (!hours_.test(static_cast<size_t>(hour))) {
      t = days * kDayMs + (hour + 1) * kHourMs;
      continue;
    }
    if (!minutes_.test(static_cast<size_t>(minute))) {
      t += kMinuteMs;
      continue;
    }
    return t;
  }
  return std::nullopt;
}

int64_t Schedule::DefaultJitterMs() const {
  if (kind_ != Kind::kEvery) return 0;
  return std::min<int64_t>(every_ms_ / 10, 5 * kMinuteMs);
}

int64_t Schedule::MinGapMs() const {
  switch (kind_) {
    case Kind::kManual:
      return 0;
    case Kind::kEvery:
      return every_ms_;
    case Kind::kCron:
      break;
  }
  // The smallest gap between consecutive minutes in the minute set (wrapping into the next
  // hour) when every hour is listed; otherwise at least that. A cheap bound: the gaps between
  // set minutes within one hour.
  int64_t best = 60;
  int first = -1;
  int prev = -1;
  for (int m = 0; m < 60; ++m) {
    if (!minutes_.test(static_cast<size_t>(m))) continue;
    if (first < 0) first = m;
    if (prev >= 0) best = std::min<int64_t>(best, m - prev);
    prev = m;
  }
  if (first >= 0 && hours_.all()) best = std::min<int64_t>(best, first + 60 - prev);
  return best * kMinuteMs;
}

int64_t JitterOffsetMs(std::string_view source, int64_t jitter_ms) {
  if (jitter_ms <= 0) return 0;
  uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (unsigned char c : source) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return static_cast<int64_t>(h % static_cast<uint64_t>(jitter_ms + 1));
}

}  // namespace meabridge::config
