// Small string utilities shared by every module. Pure functions: thread-safe.
// Case functions are ASCII-only on purpose (codes, keys, HTTP tokens); text folding for
// names lives in vocab/fold.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meabridge::core {

std::string_view Trim(std::string_view s);  // ASCII whitespace, both ends
std::string AsciiLower(std::string_view s);
std::string AsciiUpper(std::string_view s);
bool EqualsIgnoreCase(std::string_view a, std::string_view b);  // ASCII

// Splits on `sep`; keeps empty pieces.
std::vector<std::string> Split(std::string_view s, char sep);
std::vector<std::string> Split(std::string_view s, std::string_view sep);
std::string Join(const std::vector<std::string>& parts, std::string_view sep);

// True when `s` is well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
// On false, *bad_offset (if given) is the offset of the first bad byte.
bool IsValidUtf8(std::string_view s, size_t* bad_offset = nullptr);

// The scheme of "scheme://..." (RFC 3986: a letter, then letters, digits, '+', '-', '.'), or
// "" when `s` does not start with one (a file path, "sqlite:PATH").
std::string_view UrlScheme(std::string_view s);

// Strict integer / floating point parsing of the whole string (no spaces, no trailing text).
std::optional<int64_t> ParseInt(std::string_view s);
std::optional<double> ParseDouble(std::string_view s);

// `text` quoted for an error message, cut to `max` bytes (on a UTF-8 boundary) with "...".
std::string Quote(std::string_view text, size_t max = 80);

// `text` as it may be copied into a message, a log line or the store: whole up to `max` bytes,
// else its first `max` bytes (on a UTF-8 boundary) and "... [N more bytes]". Hostile values (a
// 5 MB record id, a 1 MB next link) are copied through this, at the limits below
// (docs/harvesting.md, "Bounded values").
std::string Cut(std::string_view text, size_t max);
inline constexpr size_t kMaxNameBytes = 1024;     // a record id, a field, a rule, a position
inline constexpr size_t kMaxValueBytes = 4096;    // a rejected value
inline constexpr size_t kMaxMessageBytes = 8192;  // a message, a run's error, a warning
inline constexpr size_t kMaxLogLineBytes = 16384;

}  // namespace meabridge::core
