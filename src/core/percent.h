// Percent-coding (RFC 3986 section 2.1), the one implementation: the publisher decodes request
// paths and queries with it, the harvester edits and redacts source URLs with it, the
// PostgreSQL store reads its connection URI with it. Pure functions: thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace meabridge::core {

// Percent-encodes every byte but RFC 3986's unreserved characters (A-Z a-z 0-9 - . _ ~) and
// the ASCII characters in `keep` (the sub-delimiters a path segment or query value may keep).
// Hex digits are upper-case.
std::string PercentEncode(std::string_view s, std::string_view keep = "");

// Decodes %XX (either case), and '+' as a space when `plus_is_space` (query components as
// HTML forms write them). Strict: nullopt for a '%' not followed by two hex digits. For input
// that must be well-formed (a request target).
std::optional<std::string> PercentDecode(std::string_view s, bool plus_is_space = false);

// The same decoding, lenient: a '%' not followed by two hex digits stays as it is ("100%").
// For URLs written by hand or by other servers, which are taken as they come.
std::string PercentDecodeLenient(std::string_view s, bool plus_is_space = false);

}  // namespace meabridge::core
