#include "core/time_zone.h"

#include <date/tz.h>

#include <chrono>

namespace meabridge::core {
namespace {

// "+01:00", "-0530", "+02": minutes east of UTC; false for anything else.
bool ParseOffset(std::string_view s, int* minutes) {
  if (s.size() < 3 || (s[0] != '+' && s[0] != '-')) return false;
  std::string digits;
  for (size_t i = 1; i < s.size(); ++i) {
    if (s[i] == ':' && i == 3) continue;
    if (s[i] < '0' || s[i] > '9') return false;
    digits += s[i];
  }
  if (digits.size() != 2 && digits.size() != 4) return false;
  int h = std::stoi(digits.substr(0, 2));
  int m = digits.size() == 4 ? std::stoi(digits.substr(2)) : 0;
  if (h > 14 || m > 59) return false;
  *minutes = (s[0] == '-' ? -1 : 1) * (h * 60 + m);
  return true;
}

}  // namespace

Result<TimeZone> TimeZone::Parse(std::string_view text) {
  TimeZone z;
  z.name_ = std::string(text);
  if (text == "Z" || text == "UTC" || text == "+00:00") return z;
  if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
    if (!ParseOffset(text, &z.offset_minutes_)) {
      return Status::InvalidArgument("time zone '" + z.name_ +
                                     "' is not an offset from -14:00 to +14:00 (+01:00, -0530)");
    }
    return z;
  }
  try {
    z.zone_ = date::locate_zone(z.name_);
  } catch (const std::exception& e) {
    return Status::InvalidArgument(
        "time zone '" + z.name_ +
        "' is not in the system's tz database (/usr/share/zoneinfo): write an IANA name such "
        "as Europe/Paris or America/New_York, or an offset such as +01:00 (" +
        std::string(e.what()) + ")");
  }
  return z;
}

EpochMs TimeZone::ToUtc(int64_t local_ms) const {
  if (!zone_) return local_ms - int64_t{offset_minutes_} * 60000;
  const auto* zone = static_cast<const date::time_zone*>(zone_);
  using std::chrono::milliseconds;
  const date::local_time<milliseconds> local{milliseconds{local_ms}};
  const date::local_info info = zone->get_info(date::floor<std::chrono::seconds>(local));
  // unique: its offset; ambiguous: `first` is the earlier instant's; nonexistent: `first` is
  // the offset before the gap.
  const int64_t offset_ms =
      std::chrono::duration_cast<milliseconds>(info.first.offset).count();
  return local_ms - offset_ms;
}

}  // namespace meabridge::core
