// Text for XML documents (Atom, CSDL, EDMX, profile feeds, rendered mapping documents): the one
// escaping, and the characters XML 1.0 cannot
// carry (control characters other than tab, newline and carriage return, and the non-characters
// U+FFFE and U+FFFF, outside XML 1.0's Char production) replaced by U+FFFD so
// that a stray byte in a partner's record never makes a feed unparseable.
//
// Pure functions: thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace meabridge::core {

// Escapes & < > " and replaces characters XML 1.0 forbids. Apostrophes stay: attributes are
// always written in double quotes.
std::string XmlEscape(std::string_view text);
// The same, appended to `out`.
void AppendXmlEscaped(std::string& out, std::string_view text);

// Replaces, in place, each character XML 1.0 cannot carry (the same ones AppendXmlEscaped
// replaces) by U+FFFD; true when it replaced any. The mapping applies it to every value it
// produces (model::ReplaceXmlIllegal), so the store holds what every feed can carry.
bool ReplaceXmlIllegal(std::string& text);

}  // namespace meabridge::core
