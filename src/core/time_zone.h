// Time zones for timestamps a source writes without an offset (a sql source's time-zone:
// MySQL DATETIME, "2024-05-01 10:00:00"): an IANA name from the system's tz database
// (/usr/share/zoneinfo, Debian's tzdata), or a fixed offset.
//
// The IANA zones are read through Howard Hinnant's date library (Debian's
// libhowardhinnant-date-dev, built to read the system's zoneinfo): the prototype of C++20's
// std::chrono::locate_zone, which libstdc++ 12 (Debian 12) does not have yet. Poco only knows
// the process's own local zone. When g++ gets <chrono>'s tzdb this file is the one to change.
//
// Immutable: thread-safe (the date library's tz database is loaded once, thread-safely).
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "core/time.h"

namespace meabridge::core {

class TimeZone {
 public:
  // "Europe/Paris", "UTC", or a fixed offset "+01:00", "-0530", "+02". InvalidArgument saying
  // why for a name the tz database does not have or an offset out of range.
  static Result<TimeZone> Parse(std::string_view text);

  // The UTC instant of a local wall-clock time (`local_ms`: milliseconds since 1970-01-01T00:00
  // local). A time the clocks went through twice (the hour repeated when they go back) is the
  // earlier instant; a time they skipped (the hour lost when they go forward) is read with the
  // offset before the change (02:30 in a 02:00->03:00 gap is 03:30 after it).
  EpochMs ToUtc(int64_t local_ms) const;

  const std::string& name() const { return name_; }

 private:
  std::string name_;
  int offset_minutes_ = 0;      // a fixed offset (zone_ null)
  const void* zone_ = nullptr;  // a date::time_zone of the tz database
};

}  // namespace meabridge::core
