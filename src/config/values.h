// Parsers for the value kinds of the configuration (config/spec.h). Pure: thread-safe.
// Each returns nullopt on anything it does not accept; the caller reports the error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meabridge::config {

std::optional<bool> ParseBool(std::string_view s);           // true/false yes/no on/off 1/0
std::optional<int64_t> ParseDurationMs(std::string_view s);  // 500ms 30s 5m 6h 1d; bare = s
// The longest duration accepted anywhere: 36500d (100 years).
inline constexpr int64_t kMaxDurationMs = 36500LL * 86'400'000;
inline constexpr const char* kMaxDurationText = "36500d (100 years)";
// True when `s` is written as a duration but is longer than kMaxDurationMs (ParseDurationMs
// refuses it: the caller says "too long" rather than "not a duration").
bool DurationTooLong(std::string_view s);
std::optional<int64_t> ParseSizeBytes(std::string_view s);   // 512 64KB 10MB 1GB (1024-based)
std::optional<double> ParseShare(std::string_view s);        // 0.2 or 20%, within [0, 1]

// The candidate closest to `word` by edit distance, when close enough to be a likely typo;
// "" otherwise. Used for "did you mean" hints.
std::string ClosestMatch(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace meabridge::config
