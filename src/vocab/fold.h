// Name folding: the one normalisation every vocabulary applies to a name before looking it up,
// so that "Côte d’Ivoire", "COTE D'IVOIRE" and "Cote d'Ivoire 1/" meet at the same key.
//
// Pure functions over caller-owned buffers: thread-safe, and FoldName(text, buffer) does not
// allocate (the hot path of a country lookup). The allocating overload is for building indexes.
//
// The fold, in order of the input:
//   - ASCII letters are lower-cased; letters of Latin-1 Supplement and Latin Extended-A (and
//     the Romanian comma letters) lose their diacritics ("é" -> "e", "ß" -> "ss", "Ł" -> "l",
//     "Œ" -> "oe"); combining marks (U+0300..U+036F) are dropped; Cyrillic and Greek capitals
//     are lower-cased; other scripts (Arabic, CJK ...) pass through unchanged.
//     Why a table and not Unicode decomposition: neither Poco nor the standard library
//     decomposes (NFD), ICU is a heavy dependency for this, and the names we meet only use
//     these blocks. A character outside them is kept as is, never guessed at.
//   - apostrophes (' ` ’ ‘ ʼ ´ ′) are dropped, so "d’Ivoire" and "d'Ivoire" fold alike;
//   - a period after a single letter is dropped ("U.S.A." -> "usa", "D.R." -> "dr"); any
//     other period, dashes, "&", brackets, commas, footnote marks (* † ‡ § and superscripts)
//     and every kind of space separate words;
//   - the words "the", "of" and "and" are dropped (so "&" vs "and", "X (Y of)" vs "Y of X",
//     "St Vincent & Grenadines" vs "... and the Grenadines" meet); "st" becomes "saint",
//     "rep" "republic", "dem" "democratic";
//   - trailing digits are footnote marks and are dropped ("France 1/", "Chile 4", "Spain [3]",
//     "Bolivia (Plurinational State of)5", "France1"): no name ends in a number;
//   - words are joined by one space.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace meabridge::vocab {

// A folded key longer than this is a miss: no vocabulary name comes near it.
inline constexpr size_t kMaxFoldedKey = 255;

struct FoldBuffer {
  char data[kMaxFoldedKey + 1];
};

// Folds `text` into `buffer` and returns the key (a view into `buffer`). Returns an empty view
// when nothing is left (only punctuation, footnote marks or stop words), when `text` is not
// well-formed UTF-8 (a mis-decoded feed is a miss, not a guess) or when the key is too long.
std::string_view FoldName(std::string_view text, FoldBuffer& buffer);

// The same, as a string ("" where the view would be empty).
std::string FoldName(std::string_view text);

// Other spellings of a name from a reference list (iso-codes), for building indexes:
//   "X, Y"  -> "Y X" and "X"    ("Korea, Republic of" -> "Republic of Korea", "Korea")
//   "X (Y)" -> "X"              ("Holy See (Vatican City State)" -> "Holy See")
//   with `invert_of`, "A of B" -> "B, A of" ("Kingdom of the Netherlands" ->
//   "the Netherlands, Kingdom of", which folds like the UN's "Netherlands (Kingdom of the)").
// ("X (Y)" itself needs no variant: it folds like "X, Y".) A variant may be claimed by several
// entries ("Korea"): indexes must drop such keys (table_vocabulary.h, ClaimIndexBuilder).
std::vector<std::string> NameVariants(std::string_view name, bool invert_of);

}  // namespace meabridge::vocab
