#include "core/xml_text.h"

namespace meabridge::core {

namespace {

// The length of the character XML 1.0 cannot carry at text[i] (a C0 control other than tab,
// newline and carriage return: 1 byte; U+FFFE or U+FFFF: 3 bytes), or 0.
size_t IllegalAt(std::string_view text, size_t i) {
  const auto c = static_cast<unsigned char>(text[i]);
  if (c < 0x20) return c == '\t' || c == '\n' || c == '\r' ? 0 : 1;
  if (c == 0xEF && i + 2 < text.size() && text[i + 1] == '\xBF' &&
      (text[i + 2] == '\xBE' || text[i + 2] == '\xBF')) {
    return 3;
  }
  return 0;
}

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

}  // namespace

void AppendXmlEscaped(std::string& out, std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    const char ch = text[i];
    switch (ch) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        if (size_t n = IllegalAt(text, i); n > 0) {
          out += kReplacement;
          i += n - 1;
        } else {
          out += ch;
        }
    }
  }
}

bool ReplaceXmlIllegal(std::string& text) {
  size_t i = 0;
  // The common case: nothing to replace, one pass and no copy.
  while (i < text.size() && IllegalAt(text, i) == 0) ++i;
  if (i == text.size()) return false;
  std::string out(text, 0, i);
  for (; i < text.size(); ++i) {
    if (size_t n = IllegalAt(text, i); n > 0) {
      out += kReplacement;
      i += n - 1;
    } else {
      out += text[i];
    }
  }
  text = std::move(out);
  return true;
}

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  AppendXmlEscaped(out, text);
  return out;
}

}  // namespace meabridge::core
