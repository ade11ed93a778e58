// A vocabulary as JSON: {"name", "description", "terms": [{"code", "label", "labels",
// "aliases", "parent", "uri", "historical"}]}. The one rendering of a vocabulary's terms: what
// /vocab/{name} publishes, and the document the `vocabulary` source kind feeds to its mapping
// (harvest/sources/vocabulary_source.cc), so that a vocabulary harvested into records and the
// one published are the same terms in the same shape.
//
// Pure functions: thread-safe.
#pragma once

#include <string>

#include "core/json.h"
#include "vocab/vocabulary.h"

namespace meabridge::vocab {

void WriteTermJson(rapidjson::Writer<rapidjson::StringBuffer>& w, const Term& t);

// The whole vocabulary, compact, without a trailing newline.
std::string VocabularyJson(const Vocabulary& v);

}  // namespace meabridge::vocab
