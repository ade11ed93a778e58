// The countries vocabulary: ISO 3166-1 countries read at run time from Debian's iso-codes,
// former countries from ISO 3166-3, and the European Union as a party; labels in the six UN
// languages from iso-codes' gettext catalogues. docs/vocabularies.md describes the accepted
// input forms and the decisions below for users.
//
// Lookup accepts, codes first: alpha-2 (canonical), alpha-3 and numeric codes ("4", "004") in
// any case, then names folded by vocab/fold.h, matched against (strongest first):
//   0. our alias table (kCountryAliases in countries.cc: the one hand-kept list of names);
//   1. iso-codes names, official names and common names of current countries;
//   2. iso-codes names of former countries;
//   3. variants generated from 1 ("Korea, Republic of" -> "Republic of Korea", "Korea";
//      "Holy See (Vatican City State)" -> "Holy See"; "Kingdom of the Netherlands" ->
//      "Netherlands, Kingdom of the" which folds like the UN's "Netherlands (Kingdom of the)");
//   4. variants generated from 2;
//   5./6. the translated names (ar, es, fr, ru, zh) of current / former countries.
// A folded key claimed by two different countries at its strongest level is left out: "Korea"
// (KR and KP) and "Virgin Islands" (VG and VI) are misses, never guesses. "Congo" stays CG: it is
// CG's ISO name (level 1) and only a generated variant of CD's (level 3).
//
// The built vocabulary is immutable: Lookup is thread-safe, and does not allocate.
#pragma once

#include <memory>
#include <string_view>
#include <utility>
#include <vector>
#include "core/status.h"
#include "vocab/vocabulary.h"

namespace meabridge::vocab {

// Reads iso-codes (options.iso_codes_dir, options.locale_dir) and builds the vocabulary.
// Missing JSON tables fail with the path and `apt-get install iso-codes`; a missing catalogue
// only leaves that language's labels out (logged as a warning); a corrupt catalogue fails.
Result<std::unique_ptr<Vocabulary>> LoadCountries(const LoadOptions& options);

// Our hand-kept table of country names (canonical code, name), for tests and docs.
std::vector<std::pair<std::string_view, std::string_view>> CountryAliases();

}  // namespace meabridge::vocab
