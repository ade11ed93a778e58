// The languages vocabulary: ISO 639-1 codes (the entries of iso-codes' iso_639-2.json that have
// an alpha-2 code) plus "zh-hans" and "zh-hant", the codes multilingual fields use.
//
// Lookup accepts: the canonical code; an alpha-2 code in any case; an ISO 639-2 alpha-3 code,
// bibliographic or terminologic ("fre", "fra" -> fr); a BCP 47 tag or POSIX locale, reduced to
// its language ("en-GB", "pt_BR", "fr_CA.UTF-8" -> en, pt, fr), where Chinese keeps its script:
// zh-Hans, zh-CN, zh-SG, zh-MY -> zh-hans; zh-Hant, zh-TW, zh-HK, zh-MO -> zh-hant; and English
// language names from iso-codes ("French", "Spanish", "Castilian", "Chinese"). Anything else
// is a miss: an unknown language never defaults to English.
//
// Immutable once built: Lookup is thread-safe.
#pragma once

#include <memory>

#include "core/status.h"
#include "vocab/vocabulary.h"

namespace meabridge::vocab {

Result<std::unique_ptr<Vocabulary>> LoadLanguages(const LoadOptions& options);

}  // namespace meabridge::vocab
