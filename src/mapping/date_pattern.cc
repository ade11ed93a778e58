#include "mapping/date_pattern.h"

#include <cctype>
#include <cstdio>

#include "core/strings.h"

namespace meabridge::mapping {
namespace {

constexpr const char* kMonths[12] = {"january",   "february", "march",    "april",
                                     "may",       "june",     "july",     "august",
                                     "september", "october",  "november", "december"};
constexpr const char* kMonthNames[12] = {"January",   "February", "March",    "April",
                                         "May",       "June",     "July",     "August",
                                         "September", "October",  "November", "December"};

constexpr int64_t kMsPerDay = 86400000;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Reads between `min` and `max` digits.
bool Digits(std::string_view in, size_t* pos, size_t min, size_t max, int64_t* value) {
  size_t start = *pos;
  int64_t v = 0;
  while (*pos < in.size() && *pos - start < max && IsDigit(in[*pos])) {
    v = v * 10 + (in[*pos] - '0');
    ++*pos;
  }
  if (*pos - start < min) {
    *pos = start;
    return false;
  }
  *value = v;
  return true;
}

// A month name (full when `full`, else the 3-letter abbreviation or "Sept").
bool MonthName(std::string_view in, size_t* pos, bool full, int* month) {
  size_t start = *pos;
  while (*pos < in.size() && IsAlpha(in[*pos])) ++*pos;
  std::string word;
  for (size_t i = start; i < *pos; ++i) word += Lower(in[i]);
  for (int m = 0; m < 12; ++m) {
    std::string_view name = kMonths[m];
    if (full ? word == name : (word == name.substr(0, 3) || (m == 8 && word == "sept"))) {
      *month = m + 1;
      return true;
    }
  }
  *pos = start;
  return false;
}

// Z, +hh:mm, +hhmm, +hh (also -).
bool Offset(std::string_view in, size_t* pos, int* minutes) {
  if (*pos < in.size() && (in[*pos] == 'Z' || in[*pos] == 'z')) {
    ++*pos;
    *minutes = 0;
    return true;
  }
  if (*pos >= in.size() || (in[*pos] != '+' && in[*pos] != '-')) return false;
  int sign = in[*pos] == '-' ? -1 : 1;
  size_t p = *pos + 1;
  int64_t hh = 0, mm = 0;
  if (!Digits(in, &p, 2, 2, &hh)) return false;
  if (p < in.size() && in[p] == ':') {
    ++p;
    if (!Digits(in, &p, 2, 2, &mm)) return false;
  } else if (p + 1 < in.size() && IsDigit(in[p])) {
    if (!Digits(in, &p, 2, 2, &mm)) return false;
  }
  if (hh > 23 || mm > 59) return false;
  *minutes = sign * static_cast<int>(hh * 60 + mm);
  *pos = p;
  return true;
}

std::string Pad(int64_t v, int width) {
  std::string s = std::to_string(v < 0 ? -v : v);
  while (static_cast<int>(s.size()) < width) s = "0" + s;
  return v < 0 ? "-" + s : s;
}

}  // namespace

core::EpochMs ParsedDate::Instant() const {
  if (has_instant) return instant;
  return core::DaysFromCivil(date) * kMsPerDay + ms_of_day -
         static_cast<int64_t>(offset_minutes) * 60000;
}

bool ParseIsoDate(std::string_view in, ParsedDate* out) {
  *out = ParsedDate();
  size_t p = 0;
  int64_t y = 0, mo = 0, d = 0;
  if (!Digits(in, &p, 4, 4, &y) || p >= in.size() || in[p] != '-') return false;
  ++p;
  if (!Digits(in, &p, 2, 2, &mo) || p >= in.size() || in[p] != '-') return false;
  ++p;
  if (!Digits(in, &p, 2, 2, &d)) return false;
  if (!core::IsValidDate(static_cast<int>(y), static_cast<int>(mo), static_cast<int>(d))) {
    return false;
  }
  out->date = core::CivilDate{static_cast<int>(y), static_cast<int>(mo), static_cast<int>(d)};
  if (p == in.size()) return true;
  if (in[p] != 'T' && in[p] != 't' && in[p] != ' ') return false;
  ++p;
  int64_t hh = 0, mi = 0, ss = 0, ms = 0;
  if (!Digits(in, &p, 2, 2, &hh) || p >= in.size() || in[p] != ':') return false;
  ++p;
  if (!Digits(in, &p, 2, 2, &mi)) return false;
  if (p < in.size() && in[p] == ':') {
    ++p;
    if (!Digits(in, &p, 2, 2, &ss)) return false;
    if (p < in.size() && (in[p] == '.' || in[p] == ',')) {
      ++p;
      size_t start = p;
      int64_t frac = 0;
      if (!Digits(in, &p, 1, 9, &frac)) return false;
      size_t n = p - start;
      while (n < 3) {
        frac *= 10;
        ++n;
      }
      while (n > 3) {
        frac /= 10;
        --n;
      }
      ms = frac;
      while (p < in.size() && IsDigit(in[p])) ++p;  // more precision than we keep
    }
  }
  if (hh > 23 || mi > 59 || ss > 60) return false;
  if (ss == 60) ss = 59;  // a leap second reads as the second before
  out->has_time = true;
  out->ms_of_day = ((hh * 60 + mi) * 60 + ss) * 1000 + ms;
  if (p < in.size()) {
    int minutes = 0;
    if (!Offset(in, &p, &minutes)) return false;
    out->has_offset = true;
    out->offset_minutes = minutes;
  }
  return p == in.size();
}

namespace {

bool ParseOData(std::string_view in, ParsedDate* out) {
  *out = ParsedDate();
  constexpr std::string_view kOpen = "/Date(";
  constexpr std::string_view kClose = ")/";
  if (in.size() < kOpen.size() + kClose.size() + 1) return false;
  if (in.substr(0, kOpen.size()) != kOpen) return false;
  if (in.substr(in.size() - kClose.size()) != kClose) return false;
  std::string_view body = in.substr(kOpen.size(), in.size() - kOpen.size() - kClose.size());
  size_t p = 0;
  bool negative = false;
  if (p < body.size() && body[p] == '-') {
    negative = true;
    ++p;
  }
  int64_t ms = 0;
  if (!Digits(body, &p, 1, 15, &ms)) return false;
  if (negative) ms = -ms;
  int minutes = 0;
  bool has_offset = false;
  if (p < body.size()) {
    if (body[p] != '+' && body[p] != '-') return false;
    int sign = body[p] == '-' ? -1 : 1;
    ++p;
    int64_t hhmm = 0;
    size_t start = p;
    if (!Digits(body, &p, 4, 4, &hhmm) || p - start != 4) return false;
    if (hhmm / 100 > 23 || hhmm % 100 > 59) return false;
    minutes = sign * static_cast<int>((hhmm / 100) * 60 + hhmm % 100);
    has_offset = true;
  }
  if (p != body.size()) return false;
  // The milliseconds are UTC; the offset only says which local date the source meant.
  out->has_instant = true;
  out->instant = ms;
  out->has_offset = has_offset;
  out->offset_minutes = minutes;
  core::EpochMs local = ms + static_cast<int64_t>(minutes) * 60000;
  out->date = core::DateOf(local);
  int64_t mod = local % kMsPerDay;
  if (mod < 0) mod += kMsPerDay;
  out->ms_of_day = mod;
  out->has_time = true;
  return out->date.year >= 0 && out->date.year <= 9999;
}

bool ParseEpoch(std::string_view in, int64_t scale, ParsedDate* out) {
  *out = ParsedDate();
  size_t p = 0;
  bool negative = false;
  if (!in.empty() && in[0] == '-') {
    negative = true;
    ++p;
  }
  int64_t v = 0;
  if (!Digits(in, &p, 1, scale == 1 ? 15 : 12, &v) || p != in.size()) return false;
  if (negative) v = -v;
  out->has_instant = true;
  out->instant = v * scale;
  out->date = core::DateOf(out->instant);
  int64_t mod = out->instant % kMsPerDay;
  if (mod < 0) mod += kMsPerDay;
  out->ms_of_day = mod;
  out->has_time = true;
  return out->date.year >= 0 && out->date.year <= 9999;
}

bool ParseUntc(std::string_view in, ParsedDate* out) {
  *out = ParsedDate();
  size_t p = 0;
  int64_t d = 0, y = 0;
  int mo = 0;
  if (!Digits(in, &p, 1, 2, &d)) return false;
  if (p >= in.size() || !IsSpace(in[p])) return false;
  while (p < in.size() && IsSpace(in[p])) ++p;
  if (!MonthName(in, &p, false, &mo) && !MonthName(in, &p, true, &mo)) return false;
  if (p >= in.size() || !IsSpace(in[p])) return false;
  while (p < in.size() && IsSpace(in[p])) ++p;
  if (!Digits(in, &p, 4, 4, &y)) return false;
  if (!core::IsValidDate(static_cast<int>(y), mo, static_cast<int>(d))) return false;
  out->date = core::CivilDate{static_cast<int>(y), mo, static_cast<int>(d)};
  // Optional instrument letters, then optional footnote marks (numbers, commas, spaces).
  while (p < in.size() && IsSpace(in[p])) ++p;
  size_t start = p;
  while (p < in.size() && IsAlpha(in[p])) ++p;
  if (p - start > 3) return false;
  out->suffix = std::string(in.substr(start, p - start));
  while (p < in.size() && (IsSpace(in[p]) || IsDigit(in[p]) || in[p] == ',')) ++p;
  return p == in.size();
}

}  // namespace

Result<DatePattern> DatePattern::Compile(std::string_view text) {
  DatePattern pattern;
  pattern.text_ = std::string(text);
  std::vector<std::string> parts = core::Split(text, '|');
  for (const std::string& raw : parts) {
    std::string_view part = core::Trim(raw);
    Alternative alt;
    if (part.empty()) {
      return Status::InvalidArgument("empty date pattern in '" + std::string(text) +
                                     "' (write iso, odata, untc, epoch-ms, epoch-s or tokens "
                                     "such as d F Y; separate alternatives with |)");
    }
    if (part == "iso") {
      alt.kind = Kind::kIso;
    } else if (part == "odata") {
      alt.kind = Kind::kOData;
    } else if (part == "untc") {
      alt.kind = Kind::kUntc;
    } else if (part == "epoch-ms") {
      alt.kind = Kind::kEpochMs;
    } else if (part == "epoch-s") {
      alt.kind = Kind::kEpochS;
    } else {
      alt.kind = Kind::kTokens;
      int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, fraction = 0, offset = 0;
      for (size_t i = 0; i < part.size();) {
        char c = part[i];
        auto starts = [&](std::string_view tok) { return part.substr(i, tok.size()) == tok; };
        Token t{TokenKind::kLiteral, ""};
        size_t len = 1;
        if (starts("yyyy")) {
          t.kind = TokenKind::kYear, len = 4, ++year;
        } else if (c == 'Y') {
          t.kind = TokenKind::kYear, ++year;
        } else if (starts("mm")) {
          t.kind = TokenKind::kMonth2, len = 2, ++month;
        } else if (c == 'm') {
          t.kind = TokenKind::kMonth, ++month;
        } else if (starts("dd")) {
          t.kind = TokenKind::kDay2, len = 2, ++day;
        } else if (c == 'd') {
          t.kind = TokenKind::kDay, ++day;
        } else if (c == 'F') {
          t.kind = TokenKind::kMonthName, ++month;
        } else if (c == 'M') {
          t.kind = TokenKind::kMonthAbbr, ++month;
        } else if (starts("HH")) {
          t.kind = TokenKind::kHour2, len = 2, ++hour;
        } else if (c == 'H') {
          t.kind = TokenKind::kHour, ++hour;
        } else if (c == 'i') {
          t.kind = TokenKind::kMinute, ++minute;
        } else if (c == 's') {
          t.kind = TokenKind::kSecond, ++second;
        } else if (c == 'u') {
          t.kind = TokenKind::kFraction, ++fraction;
        } else if (c == 'Z') {
          t.kind = TokenKind::kOffset, ++offset;
        } else if (c == 'T') {
          t.literal = "T";
        } else if (c == '\'') {
          size_t end = i + 1;
          std::string lit;
          bool closed = false;
          while (end < part.size()) {
            if (part[end] == '\'') {
              if (end + 1 < part.size() && part[end + 1] == '\'') {
                lit += '\'';
                end += 2;
                continue;
              }
              closed = true;
              break;
            }
            lit += part[end++];
          }
          if (!closed) {
            return Status::InvalidArgument("unclosed quote in date pattern '" + std::string(part) +
                                           "' (literal text is written 'like this')");
          }
          t.literal = lit.empty() ? "'" : lit;
          len = end - i + 1;
        } else if (IsSpace(c)) {
          t.kind = TokenKind::kSpace;
          while (i + len < part.size() && IsSpace(part[i + len])) ++len;
        } else if (IsAlpha(c)) {
          return Status::InvalidArgument(
              std::string("unknown date token '") + c + "' in pattern '" + std::string(part) +
              "'; tokens are yyyy Y mm m dd d F M HH H i s u Z T (quote literal letters: 'at')");
        } else {
          t.literal = std::string(1, c);
        }
        alt.tokens.push_back(std::move(t));
        i += len;
      }
      if (year != 1 || month != 1 || day != 1) {
        return Status::InvalidArgument(
            "date pattern '" + std::string(part) +
            "' must have exactly one year (yyyy or Y), one month (mm, m, F or M) and one day "
            "(dd or d)");
      }
      if (hour > 1 || minute > 1 || second > 1 || fraction > 1 || offset > 1 || (minute && !hour) ||
          (second && !minute) || (fraction && !second)) {
        return Status::InvalidArgument(
            "date pattern '" + std::string(part) +
            "': a time is H (or HH), then optionally i, s and u, each at most once");
      }
    }
    pattern.alternatives_.push_back(std::move(alt));
  }
  return pattern;
}

bool DatePattern::ParseTokens(const std::vector<Token>& tokens, std::string_view in,
                              ParsedDate* out) {
  *out = ParsedDate();
  size_t p = 0;
  int64_t year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, ms = 0;
  bool has_time = false;
  for (const Token& t : tokens) {
    switch (t.kind) {
      case TokenKind::kYear:
        if (!Digits(in, &p, 4, 4, &year)) return false;
        break;
      case TokenKind::kMonth2:
        if (!Digits(in, &p, 2, 2, &month)) return false;
        break;
      case TokenKind::kMonth:
        if (!Digits(in, &p, 1, 2, &month)) return false;
        break;
      case TokenKind::kDay2:
        if (!Digits(in, &p, 2, 2, &day)) return false;
        break;
      case TokenKind::kDay:
        if (!Digits(in, &p, 1, 2, &day)) return false;
        break;
      case TokenKind::kMonthName: {
        int m = 0;
        if (!MonthName(in, &p, true, &m)) return false;
        month = m;
        break;
      }
      case TokenKind::kMonthAbbr: {
        int m = 0;
        if (!MonthName(in, &p, false, &m)) return false;
        month = m;
        break;
      }
      case TokenKind::kHour2:
        if (!Digits(in, &p, 2, 2, &hour)) return false;
        has_time = true;
        break;
      case TokenKind::kHour:
        if (!Digits(in, &p, 1, 2, &hour)) return false;
        has_time = true;
        break;
      case TokenKind::kMinute:
        if (!Digits(in, &p, 2, 2, &minute)) return false;
        break;
      case TokenKind::kSecond:
        if (!Digits(in, &p, 2, 2, &second)) return false;
        break;
      case TokenKind::kFraction: {
        size_t start = p;
        int64_t frac = 0;
        if (!Digits(in, &p, 1, 9, &frac)) return false;
        size_t n = p - start;
        for (; n < 3; ++n) frac *= 10;
        for (; n > 3; --n) frac /= 10;
        ms = frac;
        break;
      }
      case TokenKind::kOffset: {
        int minutes = 0;
        if (!Offset(in, &p, &minutes)) return false;
        out->has_offset = true;
        out->offset_minutes = minutes;
        break;
      }
      case TokenKind::kSpace:
        if (p >= in.size() || !IsSpace(in[p])) return false;
        while (p < in.size() && IsSpace(in[p])) ++p;
        break;
      case TokenKind::kLiteral:
        if (in.substr(p, t.literal.size()) != t.literal) return false;
        p += t.literal.size();
        break;
    }
  }
  if (p != in.size()) return false;
  if (!core::IsValidDate(static_cast<int>(year), static_cast<int>(month), static_cast<int>(day))) {
    return false;
  }
  if (hour > 23 || minute > 59 || second > 59) return false;
  out->date =
      core::CivilDate{static_cast<int>(year), static_cast<int>(month), static_cast<int>(day)};
  out->has_time = has_time;
  out->ms_of_day = ((hour * 60 + minute) * 60 + second) * 1000 + ms;
  return true;
}

bool DatePattern::ParseAlternative(const Alternative& alt, std::string_view in, ParsedDate* out) {
  switch (alt.kind) {
    case Kind::kIso:
      return ParseIsoDate(in, out);
    case Kind::kOData:
      return ParseOData(in, out);
    case Kind::kUntc:
      return ParseUntc(in, out);
    case Kind::kEpochMs:
      return ParseEpoch(in, 1, out);
    case Kind::kEpochS:
      return ParseEpoch(in, 1000, out);
    case Kind::kTokens:
      return ParseTokens(alt.tokens, in, out);
  }
  return false;
}

bool DatePattern::Parse(std::string_view input, ParsedDate* out) const {
  std::string_view in = core::Trim(input);
  for (const Alternative& alt : alternatives_) {
    if (ParseAlternative(alt, in, out)) return true;
  }
  return false;
}

std::string DatePattern::FormatTokens(const std::vector<Token>& tokens, const core::CivilDate& d,
                                      int64_t ms_of_day) {
  std::string s;
  int64_t hour = ms_of_day / 3600000, minute = ms_of_day / 60000 % 60,
          second = ms_of_day / 1000 % 60, ms = ms_of_day % 1000;
  for (const Token& t : tokens) {
    switch (t.kind) {
      case TokenKind::kYear:
        s += Pad(d.year, 4);
        break;
      case TokenKind::kMonth2:
        s += Pad(d.month, 2);
        break;
      case TokenKind::kMonth:
        s += std::to_string(d.month);
        break;
      case TokenKind::kDay2:
        s += Pad(d.day, 2);
        break;
      case TokenKind::kDay:
        s += std::to_string(d.day);
        break;
      case TokenKind::kMonthName:
        s += kMonthNames[d.month - 1];
        break;
      case TokenKind::kMonthAbbr:
        s += std::string(kMonthNames[d.month - 1]).substr(0, 3);
        break;
      case TokenKind::kHour2:
        s += Pad(hour, 2);
        break;
      case TokenKind::kHour:
        s += std::to_string(hour);
        break;
      case TokenKind::kMinute:
        s += Pad(minute, 2);
        break;
      case TokenKind::kSecond:
        s += Pad(second, 2);
        break;
      case TokenKind::kFraction:
        s += Pad(ms, 3);
        break;
      case TokenKind::kOffset:
        s += "Z";
        break;
      case TokenKind::kSpace:
        s += " ";
        break;
      case TokenKind::kLiteral:
        s += t.literal;
        break;
    }
  }
  return s;
}

std::string DatePattern::FormatDate(const core::CivilDate& d) const {
  const Alternative& alt = alternatives_.front();
  switch (alt.kind) {
    case Kind::kIso:
      return core::FormatDate(d);
    case Kind::kOData:
      return "/Date(" + std::to_string(core::DaysFromCivil(d) * kMsPerDay) + ")/";
    case Kind::kUntc:
      return std::to_string(d.day) + " " + std::string(kMonthNames[d.month - 1]).substr(0, 3) +
             " " + Pad(d.year, 4);
    case Kind::kEpochMs:
      return std::to_string(core::DaysFromCivil(d) * kMsPerDay);
    case Kind::kEpochS:
      return std::to_string(core::DaysFromCivil(d) * 86400);
    case Kind::kTokens:
      return FormatTokens(alt.tokens, d, 0);
  }
  return "";
}

std::string DatePattern::FormatInstant(core::EpochMs ms) const {
  const Alternative& alt = alternatives_.front();
  core::CivilDate d = core::DateOf(ms);
  int64_t of_day = ms % kMsPerDay;
  if (of_day < 0) of_day += kMsPerDay;
  switch (alt.kind) {
    case Kind::kIso:
      return core::FormatDateTime(ms);
    case Kind::kOData:
      return "/Date(" + std::to_string(ms) + ")/";
    case Kind::kUntc:
      return FormatDate(d);
    case Kind::kEpochMs:
      return std::to_string(ms);
    case Kind::kEpochS:
      return std::to_string(ms / 1000);
    case Kind::kTokens:
      return FormatTokens(alt.tokens, d, of_day);
  }
  return "";
}

}  // namespace meabridge::mapping
