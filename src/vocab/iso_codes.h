// Reading Debian's iso-codes data (package `iso-codes`): the JSON tables under
// <iso_codes_dir>/json/ and the gettext catalogues that translate their names under
// <locale_dir>/<lang>/LC_MESSAGES/<domain>.mo.
//
// Why our own .mo reader rather than gettext(3): glibc's dgettext only answers for a locale
// that is generated on the machine (locale-gen), and it switches the process locale to do so;
// a server reads all six UN languages at once, on machines where those locales usually do not
// exist. The .mo format is small and documented (GNU gettext manual, "The Format of GNU MO
// Files"); the file is read as untrusted input: every offset and length is bounds-checked, both
// byte orders are accepted, anything inconsistent is an error and never a crash.
//
// Plain functions and immutable values: thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"

namespace meabridge::vocab {

// One entry of an iso-codes table; absent fields are "".
struct IsoEntry {
  std::string alpha_2;
  std::string alpha_3;
  std::string alpha_4;        // ISO 3166-3 only
  std::string numeric;        // ISO 3166, as written ("004")
  std::string bibliographic;  // ISO 639-2 only: the B code where it differs from alpha_3
  std::string name;
  std::string official_name;
  std::string common_name;
};

// Reads <iso_codes_dir>/json/iso_<standard>.json (standard: "3166-1", "3166-3", "639-2") and
// returns the entries of its top-level array. Fails with NotFound naming the path and saying
// `apt-get install iso-codes` when the file is missing, with ParseError (path, line, column)
// when it is malformed, and with ParseError naming the entry when one lacks a name or holds a
// field that is not a string.
Result<std::vector<IsoEntry>> ReadIsoTable(const std::string& iso_codes_dir,
                                           std::string_view standard);

// Path of the catalogue for `lang` (a directory name under locale_dir: "fr", "zh_CN").
std::string CataloguePath(const std::string& locale_dir, std::string_view lang,
                          std::string_view domain);

// A gettext message catalogue: msgid -> translation (the singular form for plural entries).
// Entries with an empty translation and the header entry (msgid "") are left out.
class MoCatalogue {
 public:
  // Parses the bytes of a .mo file. `origin` (the path) starts every error message.
  static Result<MoCatalogue> Parse(std::string_view data, std::string_view origin);
  // Reads and parses a file; NotFound when it does not exist.
  static Result<MoCatalogue> ReadFile(const std::string& path);

  // The translation of `msgid`; nullptr when the catalogue has none.
  const std::string* Translate(std::string_view msgid) const;
  size_t size() const { return entries_.size(); }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, std::string, Hash, std::equal_to<>> entries_;
};

// Reads a whole file of at most `max_bytes`. NotFound when it does not exist, IoError otherwise;
// messages name the path.
Result<std::string> ReadSmallFile(const std::string& path, size_t max_bytes);

}  // namespace meabridge::vocab
