// Calendar arithmetic and the two canonical time formats of meabridge:
//   date      "YYYY-MM-DD"                         (a civil date, no time zone)
//   datetime  RFC 3339 in UTC, "YYYY-MM-DDTHH:MM:SSZ", with ".mmm" only when the
//             milliseconds are not zero; held in memory as milliseconds since the epoch.
// Pure functions: thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace meabridge::core {

using EpochMs = int64_t;  // milliseconds since 1970-01-01T00:00:00Z

struct CivilDate {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
  bool operator==(const CivilDate&) const = default;
};

bool IsValidDate(int year, int month, int day);
int64_t DaysFromCivil(const CivilDate& d);  // days since 1970-01-01 (negative before)
CivilDate CivilFromDays(int64_t days);

// "YYYY-MM-DD". REQUIRES: the date is valid and 0 <= year <= 9999.
std::string FormatDate(const CivilDate& d);
// Strict "YYYY-MM-DD"; nullopt when the text is anything else or the date does not exist.
std::optional<CivilDate> ParseDate(std::string_view text);

// RFC 3339 / ISO 8601 date-time: "YYYY-MM-DDTHH:MM[:SS[.fff]](Z|+hh:mm|-hh:mm|+hhmm)", a space
// instead of "T" accepted; without an offset the time is taken as UTC. A plain date gives
// midnight UTC. nullopt for anything else.
std::optional<EpochMs> ParseDateTime(std::string_view text);
std::string FormatDateTime(EpochMs ms);

// The date (UTC) of an instant.
CivilDate DateOf(EpochMs ms);

}  // namespace meabridge::core
