#include "core/time.h"

#include <cstdio>
#include <cstring>

namespace meabridge::core {
namespace {

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// Reads exactly `n` digits at text[*pos]; advances *pos.
bool Digits(std::string_view text, size_t* pos, int n, int* out) {
  if (*pos + static_cast<size_t>(n) > text.size()) return false;
  int v = 0;
  for (int i = 0; i < n; ++i) {
    char c = text[*pos + static_cast<size_t>(i)];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *pos += static_cast<size_t>(n);
  *out = v;
  return true;
}

bool Expect(std::string_view text, size_t* pos, char c) {
  if (*pos < text.size() && text[*pos] == c) {
    ++*pos;
    return true;
  }
  return false;
}

constexpr int64_t kMsPerDay = 86'400'000;

}  // namespace

bool IsValidDate(int year, int month, int day) {
  return month >= 1 && month <= 12 && day >= 1 && day <= DaysInMonth(year, month);
}

// Howard Hinnant's days_from_civil / civil_from_days (public domain algorithms).
int64_t DaysFromCivil(const CivilDate& d) {
  int64_t y = d.year - (d.month <= 2 ? 1 : 0);
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t mp = (d.month + 9) % 12;
  int64_t doy = (153 * mp + 2) / 5 + d.day - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

CivilDate CivilFromDays(int64_t z) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t d = doy - (153 * mp + 2) / 5 + 1;
  int64_t m = mp < 10 ? mp + 3 : mp - 9;
  return CivilDate{static_cast<int>(y + (m <= 2 ? 1 : 0)), static_cast<int>(m),
                   static_cast<int>(d)};
}

std::string FormatDate(const CivilDate& d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day);
  return buf;
}

std::optional<CivilDate> ParseDate(std::string_view text) {
  size_t pos = 0;
  CivilDate d;
  if (!Digits(text, &pos, 4, &d.year) || !Expect(text, &pos, '-') ||
      !Digits(text, &pos, 2, &d.month) || !Expect(text, &pos, '-') ||
      !Digits(text, &pos, 2, &d.day) || pos != text.size() ||
      !IsValidDate(d.year, d.month, d.day)) {
    return std::nullopt;
  }
  return d;
}

std::optional<EpochMs> ParseDateTime(std::string_view text) {
  size_t pos = 0;
  CivilDate d;
  if (!Digits(text, &pos, 4, &d.year) || !Expect(text, &pos, '-') ||
      !Digits(text, &pos, 2, &d.month) || !Expect(text, &pos, '-') ||
      !Digits(text, &pos, 2, &d.day) || !IsValidDate(d.year, d.month, d.day)) {
    return std::nullopt;
  }
  int64_t ms = DaysFromCivil(d) * kMsPerDay;
  if (pos == text.size()) return ms;
  if (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ') return std::nullopt;
  ++pos;
  int hh = 0, mi = 0, ss = 0;
  if (!Digits(text, &pos, 2, &hh) || !Expect(text, &pos, ':') || !Digits(text, &pos, 2, &mi)) {
    return std::nullopt;
  }
  if (Expect(text, &pos, ':') && !Digits(text, &pos, 2, &ss)) return std::nullopt;
  if (hh > 23 || mi > 59 || ss > 60) return std::nullopt;
  int frac_ms = 0;
  if (Expect(text, &pos, '.') || Expect(text, &pos, ',')) {
    int scale = 100, digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      frac_ms += (text[pos] - '0') * scale;
      scale /= 10;
      ++pos;
      ++digits;
    }
    if (digits == 0) return std::nullopt;
  }
  int64_t offset_min = 0;
  if (pos < text.size()) {
    char c = text[pos++];
    if (c == 'Z' || c == 'z') {
      // UTC
    } else if (c == '+' || c == '-') {
      int oh = 0, om = 0;
      if (!Digits(text, &pos, 2, &oh)) return std::nullopt;
      Expect(text, &pos, ':');
      if (!Digits(text, &pos, 2, &om) || oh > 23 || om > 59) return std::nullopt;
      offset_min = (oh * 60 + om) * (c == '-' ? -1 : 1);
    } else {
      return std::nullopt;
    }
  }
  if (pos != text.size()) return std::nullopt;
  ms += ((hh * 60 + mi) * 60 + ss) * 1000LL + frac_ms - offset_min * 60'000;
  return ms;
}

std::string FormatDateTime(EpochMs ms) {
  int64_t days = ms >= 0 ? ms / kMsPerDay : -((-ms + kMsPerDay - 1) / kMsPerDay);
  int64_t rem = ms - days * kMsPerDay;
  CivilDate d = CivilFromDays(days);
  int secs = static_cast<int>(rem / 1000);
  int millis = static_cast<int>(rem % 1000);
  char buf[40];
  if (d.year >= 0 && d.year <= 9999) {
    // By hand: snprintf was a twentieth of the CPU time of a large CSV export.
    auto put = [](char* p, int v, int width) {
      for (int i = width - 1; i >= 0; --i, v /= 10) p[i] = static_cast<char>('0' + v % 10);
    };
    std::memcpy(buf, "0000-00-00T00:00:00.000Z", 25);
    put(buf, d.year, 4);
    put(buf + 5, d.month, 2);
    put(buf + 8, d.day, 2);
    put(buf + 11, secs / 3600, 2);
    put(buf + 14, secs / 60 % 60, 2);
    put(buf + 17, secs % 60, 2);
    if (millis == 0) {
      buf[19] = 'Z';
      return std::string(buf, 20);
    }
    put(buf + 20, millis, 3);
    return std::string(buf, 24);
  }
  if (millis == 0) {
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", d.year, d.month, d.day,
                  secs / 3600, secs / 60 % 60, secs % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", d.year, d.month, d.day,
                  secs / 3600, secs / 60 % 60, secs % 60, millis);
  }
  return buf;
}

CivilDate DateOf(EpochMs ms) {
  int64_t days = ms >= 0 ? ms / kMsPerDay : -((-ms + kMsPerDay - 1) / kMsPerDay);
  return CivilFromDays(days);
}

}  // namespace meabridge::core
