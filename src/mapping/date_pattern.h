// Date patterns: how a mapping says what a source's dates look like. A pattern is a named
// form or a sequence of tokens; several patterns separated by "|" are tried in order.
//
//   named:  iso       ISO 8601 / RFC 3339: 2024-05-17, 2024-05-17T09:30:00Z,
//                     2024-05-17 09:30:00.250+02:00, ...+0200, ...+02
//           odata     OData verbose JSON: /Date(1431103154000)/, /Date(1431103154000+0120)/
//           untc      UN Treaty Collection: "19 Sep 2002", "19 Sep 2002 a", "3 Jun 1992 AA 4"
//                     (the letters after the date are the kind of instrument: `suffix`;
//                     trailing footnote numbers are ignored)
//           epoch-ms, epoch-s   a number of milliseconds / seconds since 1970-01-01 UTC
//   tokens: yyyy or Y  year (4 digits)      mm  month, 2 digits     m  month, 1-2 digits
//           dd  day, 2 digits               d   day, 1-2 digits
//           F   month name (January)        M   month abbreviation (Jan, Sept)
//           HH  hour, 2 digits              H   hour, 1-2 digits
//           i   minutes, 2 digits           s   seconds, 2 digits
//           u   fraction of a second (1-9 digits)
//           Z   offset: Z, +hh:mm, +hhmm or +hh      T  the letter T
//           'text'  literal text ('' is a quote);  a space matches one or more spaces;
//           other characters (- / . , :) match themselves; any other letter is an error.
//   examples: "d F Y" (5 June 1992), "d M Y" (5 Jun 1992), "dd/mm/yyyy" (05/06/1992),
//             "iso | d F Y"
// Month names are English, matched without regard to case.
//
// Compiled patterns are immutable: thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/time.h"

namespace meabridge::mapping {

// What a pattern read from a value.
struct ParsedDate {
  core::CivilDate date;  // the calendar date as written (local to the source)
  bool has_time = false;
  int64_t ms_of_day = 0;  // local time of day as written
  bool has_offset = false;
  int offset_minutes = 0;    // local = UTC + offset
  bool has_instant = false;  // odata / epoch values: the UTC instant is exact
  core::EpochMs instant = 0;
  std::string suffix;  // untc: the instrument code ("a", "A", "AA", "d"); "" if none

  // The UTC instant (midnight UTC for a plain date; an absent offset means UTC).
  core::EpochMs Instant() const;
};

class DatePattern {
 public:
  // InvalidArgument saying what is wrong with `text` and what is expected.
  static Result<DatePattern> Compile(std::string_view text);

  // True when `input` (surrounding whitespace ignored) matches one of the alternatives and
  // names a real date and time.
  bool Parse(std::string_view input, ParsedDate* out) const;

  // Renders a date (outbound) in the first alternative: iso gives YYYY-MM-DD for a date and
  // RFC 3339 UTC for an instant; odata gives /Date(ms)/; tokens render each part.
  std::string FormatDate(const core::CivilDate& d) const;
  std::string FormatInstant(core::EpochMs ms) const;

  const std::string& text() const { return text_; }

 private:
  enum class TokenKind : uint8_t {
    kYear,
    kMonth2,
    kMonth,
    kDay2,
    kDay,
    kMonthName,
    kMonthAbbr,
    kHour2,
    kHour,
    kMinute,
    kSecond,
    kFraction,
    kOffset,
    kLiteral,
    kSpace
  };
  struct Token {
    TokenKind kind;
    std::string literal;
  };
  enum class Kind : uint8_t { kIso, kOData, kUntc, kEpochMs, kEpochS, kTokens };
  struct Alternative {
    Kind kind = Kind::kTokens;
    std::vector<Token> tokens;
  };

  static bool ParseAlternative(const Alternative& alt, std::string_view in, ParsedDate* out);
  static bool ParseTokens(const std::vector<Token>& tokens, std::string_view in, ParsedDate* out);
  static std::string FormatTokens(const std::vector<Token>& tokens, const core::CivilDate& d,
                                  int64_t ms_of_day);

  std::string text_;
  std::vector<Alternative> alternatives_;
};

// ISO 8601 date or date-time as `iso` reads it (exposed for the implicit conversion of text
// to date fields).
bool ParseIsoDate(std::string_view input, ParsedDate* out);

}  // namespace meabridge::mapping
