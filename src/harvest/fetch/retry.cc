#include "harvest/fetch/retry.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>

#include "core/strings.h"
#include "core/time.h"

namespace meabridge::harvest {

int64_t RetryPolicy::BackoffMs(int retry, const std::function<double()>& random01) const {
  if (retry < 1) retry = 1;
  int64_t delay = base_delay_ms;
  for (int i = 1; i < retry && delay < max_delay_ms; ++i) delay *= 2;
  delay = std::min(delay, max_delay_ms);
  double r = random01 ? random01() : 0.0;
  r = std::clamp(r, 0.0, 1.0);
  return delay - static_cast<int64_t>(static_cast<double>(delay) * 0.5 * r);
}

namespace {

int MonthIndex(std::string_view m) {
  static const char* kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                  "jul", "aug", "sep", "oct", "nov", "dec"};
  std::string lower = core::AsciiLower(m);
  for (int i = 0; i < 12; ++i) {
    if (lower == kMonths[i]) return i + 1;
  }
  return 0;
}

std::optional<core::EpochMs> Compose(int year, int month, int day, int h, int mi, int s) {
  if (!core::IsValidDate(year, month, day) || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 ||
      s > 60) {
    return std::nullopt;
  }
  int64_t days = core::DaysFromCivil(core::CivilDate{year, month, day});
  return ((days * 24 + h) * 60 + mi) * 60000 + int64_t{s} * 1000;
}

}  // namespace

std::optional<core::EpochMs> ParseHttpDate(std::string_view value) {
  std::string v(core::Trim(value));
  char wday[16] = {0}, mon[8] = {0}, tz[8] = {0};
  int day = 0, year = 0, h = 0, mi = 0, s = 0;
  // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
  if (std::sscanf(v.c_str(), "%15[A-Za-z], %d %7s %d %d:%d:%d %7s", wday, &day, mon, &year, &h, &mi,
                  &s, tz) == 8) {
    return Compose(year, MonthIndex(mon), day, h, mi, s);
  }
  // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
  if (std::sscanf(v.c_str(), "%15[A-Za-z], %d-%3s-%d %d:%d:%d %7s", wday, &day, mon, &year, &h, &mi,
                  &s, tz) == 8) {
    if (year < 100) year += year < 70 ? 2000 : 1900;
    return Compose(year, MonthIndex(mon), day, h, mi, s);
  }
  // asctime: Sun Nov  6 08:49:37 1994
  if (std::sscanf(v.c_str(), "%15s %7s %d %d:%d:%d %d", wday, mon, &day, &h, &mi, &s, &year) == 7) {
    return Compose(year, MonthIndex(mon), day, h, mi, s);
  }
  return std::nullopt;
}

std::string FormatHttpDate(core::EpochMs ms) {
  static const char* kDays[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
  int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  int64_t rem = secs - days * 86400;
  core::CivilDate d = core::CivilFromDays(days);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[((days % 7) + 7) % 7],
                d.day, kMonths[d.month - 1], d.year, static_cast<int>(rem / 3600),
                static_cast<int>(rem / 60 % 60), static_cast<int>(rem % 60));
  return buf;
}

std::optional<int64_t> ParseRetryAfterMs(std::string_view value, core::EpochMs now) {
  std::string_view v = core::Trim(value);
  if (v.empty()) return std::nullopt;
  if (auto secs = core::ParseInt(v)) {
    if (*secs < 0) return std::nullopt;
    return std::min<int64_t>(*secs, int64_t{1} << 40) * 1000;
  }
  if (auto at = ParseHttpDate(v)) return std::max<int64_t>(0, *at - now);
  return std::nullopt;
}

bool IsRetryableStatus(long status) {
  if (status == 408 || status == 425 || status == 429) return true;
  return status >= 500 && status <= 599 && status != 501 && status != 505;
}

bool SystemWaiter::Wait(int64_t ms, const std::stop_token& stop) {
  if (stop.stop_requested()) return false;
  if (ms <= 0) return true;
  std::mutex m;
  std::condition_variable_any cv;
  std::unique_lock lock(m);
  cv.wait_for(lock, stop, std::chrono::milliseconds(ms), [] { return false; });
  return !stop.stop_requested();
}

SystemWaiter& SystemWaiter::Instance() {
  static SystemWaiter waiter;
  return waiter;
}

bool ManualWaiter::Wait(int64_t ms, const std::stop_token& stop) {
  if (stop.stop_requested()) return false;
  waits_.push_back(ms);
  if (clock_) clock_->Advance(ms);
  return true;
}

}  // namespace meabridge::harvest
