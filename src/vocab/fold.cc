#include "vocab/fold.h"

#include <cstdint>
#include <vector>

namespace meabridge::vocab {
namespace {

// U+00C0..U+00FF without diacritics; nullptr marks the two signs (× ÷), which separate words.
constexpr const char* kLatin1Letters[64] = {
    "a", "a", "a", "a", "a", "a", "ae", "c",     "e", "e", "e", "e", "i", "i", "i",  "i",   // C0
    "d", "n", "o", "o", "o", "o", "o",  nullptr, "o", "u", "u", "u", "u", "y", "th", "ss",  // D0
    "a", "a", "a", "a", "a", "a", "ae", "c",     "e", "e", "e", "e", "i", "i", "i",  "i",   // E0
    "d", "n", "o", "o", "o", "o", "o",  nullptr, "o", "u", "u", "u", "u", "y", "th", "y",   // F0
};

// U+0100..U+017F (Latin Extended-A) without diacritics, one letter each; '#' marks the two
// ligatures that fold to two letters (U+0132/0133 "ij", U+0152/0153 "oe").
constexpr char kLatinExtendedA[129] =
    "aaaaaaccccccccdd"   // 0100
    "ddeeeeeeeeeegggg"   // 0110
    "gggghhhhiiiiiiii"   // 0120
    "ii##jjkkklllllll"   // 0130
    "lllnnnnnnnnnoooo"   // 0140
    "oo##rrrrrrssssss"   // 0150
    "ssttttttuuuuuuuu"   // 0160
    "uuuuwwyyyzzzzzzs";  // 0170

// Decodes one code point of well-formed UTF-8 at s[i]; returns its length, 0 when malformed
// (overlong forms, surrogates, values above U+10FFFF, truncated sequences).
size_t DecodeUtf8(std::string_view s, size_t i, uint32_t* cp) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  size_t n = s.size() - i;
  auto cont = [&](size_t k) { return (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80; };
  auto bits = [&](size_t k) {
    return static_cast<uint32_t>(static_cast<unsigned char>(s[i + k]) & 0x3F);
  };
  if (b0 < 0x80) {
    *cp = b0;
    return 1;
  }
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    if (n < 2 || !cont(1)) return 0;
    *cp = (static_cast<uint32_t>(b0 & 0x1F) << 6) | bits(1);
    return 2;
  }
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    if (n < 3 || !cont(1) || !cont(2)) return 0;
    *cp = (static_cast<uint32_t>(b0 & 0x0F) << 12) | (bits(1) << 6) | bits(2);
    if (*cp < 0x800 || (*cp >= 0xD800 && *cp <= 0xDFFF)) return 0;
    return 3;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    if (n < 4 || !cont(1) || !cont(2) || !cont(3)) return 0;
    *cp = (static_cast<uint32_t>(b0 & 0x07) << 18) | (bits(1) << 12) | (bits(2) << 6) | bits(3);
    if (*cp < 0x10000 || *cp > 0x10FFFF) return 0;
    return 4;
  }
  return 0;
}

bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }

// Writes the folded key into a fixed buffer, word by word. A word is committed when a separator
// (or the end) arrives; that is where stop words are dropped and abbreviations expanded.
class KeyWriter {
 public:
  explicit KeyWriter(FoldBuffer& buffer) : out_(buffer.data) {}

  bool overflow() const { return overflow_; }

  // Appends bytes to the current word, opening one if needed.
  void Append(std::string_view bytes) {
    if (!in_word_) {
      if (len_ > 0) Put(' ');
      word_start_ = len_;
      segment_ = 0;
      in_word_ = true;
    }
    for (char c : bytes) Put(c);
    ++segment_;
  }
  void AppendAscii(char c) { Append(std::string_view(&c, 1)); }

  // A period: dropped after a single letter ("U.S.A."), a word break otherwise ("St.Lucia").
  void Period() {
    if (in_word_ && segment_ == 1) {
      segment_ = 0;
    } else {
      Separate();
    }
  }

  void Separate() {
    if (!in_word_) return;
    in_word_ = false;
    std::string_view word(out_ + word_start_, len_ - word_start_);
    if (word == "the" || word == "of" || word == "and") {
      Retract();
    } else if (word == "st") {
      Replace("saint");
    } else if (word == "rep") {
      Replace("republic");
    } else if (word == "dem") {
      Replace("democratic");
    }
  }

  std::string_view Finish() {
    Separate();
    // Trailing digits are footnote marks: "chile 4" -> "chile", "france1" -> "france".
    while (len_ > 0 && IsAsciiDigit(out_[len_ - 1])) {
      while (len_ > 0 && IsAsciiDigit(out_[len_ - 1])) --len_;
      if (len_ > 0 && out_[len_ - 1] == ' ') --len_;
    }
    if (overflow_) return {};
    return std::string_view(out_, len_);
  }

 private:
  void Put(char c) {
    if (len_ >= kMaxFoldedKey) {
      overflow_ = true;
      return;
    }
    out_[len_++] = c;
  }
  // Removes the current word and the space before it.
  void Retract() {
    len_ = word_start_;
    if (len_ > 0) --len_;
  }
  void Replace(std::string_view with) {
    len_ = word_start_;
    for (char c : with) Put(c);
  }

  char* out_;
  size_t len_ = 0;
  size_t word_start_ = 0;
  size_t segment_ = 0;  // letters since the word began or since the last dropped period
  bool in_word_ = false;
  bool overflow_ = false;
};

void AppendCodePoint(KeyWriter& w, uint32_t cp) {
  char buf[4];
  if (cp < 0x800) {
    buf[0] = static_cast<char>(0xC0 | (cp >> 6));
    buf[1] = static_cast<char>(0x80 | (cp & 0x3F));
    w.Append(std::string_view(buf, 2));
  } else if (cp < 0x10000) {
    buf[0] = static_cast<char>(0xE0 | (cp >> 12));
    buf[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    buf[2] = static_cast<char>(0x80 | (cp & 0x3F));
    w.Append(std::string_view(buf, 3));
  } else {
    buf[0] = static_cast<char>(0xF0 | (cp >> 18));
    buf[1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    buf[2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    buf[3] = static_cast<char>(0x80 | (cp & 0x3F));
    w.Append(std::string_view(buf, 4));
  }
}

void FoldAscii(KeyWriter& w, char c) {
  if (c >= 'A' && c <= 'Z') {
    w.AppendAscii(static_cast<char>(c - 'A' + 'a'));
  } else if ((c >= 'a' && c <= 'z') || IsAsciiDigit(c)) {
    w.AppendAscii(c);
  } else if (c == '\'' || c == '`') {
    // apostrophe: dropped inside the word
  } else if (c == '.') {
    w.Period();
  } else {
    w.Separate();
  }
}

void FoldNonAscii(KeyWriter& w, uint32_t cp, std::string_view raw) {
  if (cp >= 0xC0 && cp <= 0xFF) {
    const char* folded = kLatin1Letters[cp - 0xC0];
    if (folded) {
      w.Append(folded);
    } else {
      w.Separate();
    }
  } else if (cp >= 0x100 && cp <= 0x17F) {
    char c = kLatinExtendedA[cp - 0x100];
    if (c != '#') {
      w.AppendAscii(c);
    } else {
      w.Append(cp <= 0x133 ? "ij" : "oe");
    }
  } else if (cp == 0x218 || cp == 0x219) {
    w.AppendAscii('s');  // Ș ș (Romanian)
  } else if (cp == 0x21A || cp == 0x21B) {
    w.AppendAscii('t');  // Ț ț
  } else if (cp == 0xB4 || cp == 0xAD || cp == 0x2BB || cp == 0x2BC || cp == 0x2018 ||
             cp == 0x2019 || cp == 0x201B || cp == 0x2032 || (cp >= 0x200B && cp <= 0x200D) ||
             cp == 0x2060 || cp == 0xFEFF || cp == 0x640 || (cp >= 0x300 && cp <= 0x36F)) {
    // apostrophes, acute accent, soft hyphen, zero-width characters, Arabic tatweel and
    // combining marks: dropped inside the word
  } else if (cp < 0xC0 || (cp >= 0x2000 && cp <= 0x206F) || (cp >= 0x2070 && cp <= 0x209F) ||
             (cp >= 0x3000 && cp <= 0x303F) || cp == 0x2212 || cp == 0x60C || cp == 0x61B ||
             cp == 0x61F || cp == 0x6D4) {
    // Latin-1 punctuation and signs (NBSP, superscripts ² ³ ¹, §, «»), general punctuation
    // (dashes, quotes, † ‡, spaces), superscripts, CJK and Arabic punctuation, minus sign
    w.Separate();
  } else if (cp >= 0xFF01 && cp <= 0xFF5E) {
    FoldAscii(w, static_cast<char>(cp - 0xFF01 + 0x21));  // full-width ASCII forms
  } else if (cp >= 0x410 && cp <= 0x42F) {
    AppendCodePoint(w, cp + 0x20);  // Cyrillic capitals
  } else if (cp >= 0x400 && cp <= 0x40F) {
    AppendCodePoint(w, cp == 0x401 ? 0x435 : cp + 0x50);  // Ё -> е, like ё below
  } else if (cp == 0x451) {
    AppendCodePoint(w, 0x435);  // ё is often written е
  } else if (cp >= 0x391 && cp <= 0x3A9 && cp != 0x3A2) {
    AppendCodePoint(w, cp + 0x20);  // Greek capitals
  } else {
    w.Append(raw);
  }
}

// Removes "(...)" groups and the spaces they leave: "Cocos (Keeling) Islands" -> "Cocos Islands".
std::string WithoutParentheses(std::string_view name) {
  std::string out;
  int depth = 0;
  for (char c : name) {
    if (c == '(') {
      ++depth;
    } else if (c == ')' && depth > 0) {
      --depth;
    } else if (depth == 0) {
      if (c == ' ' && (out.empty() || out.back() == ' ')) continue;
      if (c == ',' && !out.empty() && out.back() == ' ') out.pop_back();
      out += c;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace

std::string_view FoldName(std::string_view text, FoldBuffer& buffer) {
  KeyWriter w(buffer);
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (static_cast<unsigned char>(c) < 0x80) {
      FoldAscii(w, c);
      ++i;
    } else {
      uint32_t cp = 0;
      size_t n = DecodeUtf8(text, i, &cp);
      if (n == 0) return {};
      FoldNonAscii(w, cp, text.substr(i, n));
      i += n;
    }
    if (w.overflow()) return {};
  }
  return w.Finish();
}

std::string FoldName(std::string_view text) {
  FoldBuffer buffer;
  return std::string(FoldName(text, buffer));
}

std::vector<std::string> NameVariants(std::string_view name, bool invert_of) {
  std::vector<std::string> out;
  std::vector<std::string> bases = {std::string(name)};
  if (name.find('(') != std::string_view::npos) {
    std::string stripped = WithoutParentheses(name);
    if (!stripped.empty() && stripped != name) {
      out.push_back(stripped);
      bases.push_back(std::move(stripped));
    }
  }
  for (const std::string& b : bases) {
    if (size_t comma = b.find(", "); comma != std::string::npos) {
      // "Korea, Republic of" -> "Republic of Korea", "Korea"
      std::string x = b.substr(0, comma), y = b.substr(comma + 2);
      out.push_back(y + " " + x);
      out.push_back(x);
    } else if (size_t of = b.find(" of "); invert_of && of != std::string::npos) {
      // "Kingdom of the Netherlands" -> "Netherlands, Kingdom of the"
      out.push_back(b.substr(of + 4) + ", " + b.substr(0, of) + " of");
    }
  }
  return out;
}

}  // namespace meabridge::vocab
