#include "config/values.h"

#include <algorithm>
#include <limits>

#include "core/strings.h"

namespace meabridge::config {
namespace {

// Splits "30s" into 30 and "s"; the number may have a fraction.
bool SplitNumberUnit(std::string_view s, double* number, std::string* unit) {
  s = core::Trim(s);
  size_t i = 0;
  while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.')) ++i;
  if (i == 0) return false;
  auto n = core::ParseDouble(s.substr(0, i));
  if (!n || *n < 0) return false;
  *number = *n;
  *unit = core::AsciiLower(core::Trim(s.substr(i)));
  return true;
}

// Edit distance where swapping two adjacent letters counts as one edit ("prot" -> "port"),
// the commonest typo (optimal string alignment distance).
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

}  // namespace

std::optional<bool> ParseBool(std::string_view s) {
  std::string v = core::AsciiLower(core::Trim(s));
  if (v == "true" || v == "yes" || v == "on" || v == "1") return true;
  if (v == "false" || v == "no" || v == "off" || v == "0") return false;
  return std::nullopt;
}

namespace {

// The duration `s` in milliseconds, unbounded (+inf for a number too large for a double);
// nullopt when `s` is not a duration.
std::optional<double> DurationMs(std::string_view s) {
  std::string_view t = core::Trim(s);
  size_t i = 0;
  while (i < t.size() && ((t[i] >= '0' && t[i] <= '9') || t[i] == '.')) ++i;
  double n = 0;
  std::string unit;
  if (!SplitNumberUnit(s, &n, &unit)) {
    // Digits past a double's range ("every 1" followed by 400 zeros) are a duration too long.
    bool digits = i > 0 && std::count(t.begin(), t.begin() + static_cast<long>(i), '.') <= 1;
    if (!digits) return std::nullopt;
    n = std::numeric_limits<double>::infinity();
    unit = core::AsciiLower(core::Trim(t.substr(i)));
  }
  double factor;
  if (unit == "ms")
    factor = 1;
  else if (unit.empty() || unit == "s")
    factor = 1000;
  else if (unit == "m" || unit == "min")
    factor = 60'000;
  else if (unit == "h")
    factor = 3'600'000;
  else if (unit == "d")
    factor = 86'400'000;
  else
    return std::nullopt;
  return n * factor;
}

}  // namespace

std::optional<int64_t> ParseDurationMs(std::string_view s) {
  std::optional<double> ms = DurationMs(s);
  if (!ms || *ms > static_cast<double>(kMaxDurationMs)) return std::nullopt;
  return static_cast<int64_t>(*ms);
}

bool DurationTooLong(std::string_view s) {
  std::optional<double> ms = DurationMs(s);
  return ms && *ms > static_cast<double>(kMaxDurationMs);
}

std::optional<int64_t> ParseSizeBytes(std::string_view s) {
  double n = 0;
  std::string unit;
  if (!SplitNumberUnit(s, &n, &unit)) return std::nullopt;
  double factor;
  if (unit.empty() || unit == "b")
    factor = 1;
  else if (unit == "k" || unit == "kb" || unit == "kib")
    factor = 1024.0;
  else if (unit == "m" || unit == "mb" || unit == "mib")
    factor = 1024.0 * 1024;
  else if (unit == "g" || unit == "gb" || unit == "gib")
    factor = 1024.0 * 1024 * 1024;
  else
    return std::nullopt;
  double bytes = n * factor;
  if (bytes > 1e15) return std::nullopt;
  return static_cast<int64_t>(bytes);
}

std::optional<double> ParseShare(std::string_view s) {
  std::string_view t = core::Trim(s);
  bool percent = !t.empty() && t.back() == '%';
  if (percent) t = core::Trim(t.substr(0, t.size() - 1));
  auto n = core::ParseDouble(t);
  if (!n) return std::nullopt;
  double v = percent ? *n / 100 : *n;
  if (v < 0 || v > 1) return std::nullopt;
  return v;
}

std::string ClosestMatch(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_d = SIZE_MAX;
  std::string lower = core::AsciiLower(word);
  for (const std::string& c : candidates) {
    size_t d = EditDistance(lower, core::AsciiLower(c));
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  size_t limit = std::max<size_t>(1, std::min<size_t>(3, word.size() / 3));
  return best_d <= limit ? best : "";
}

}  // namespace meabridge::config
