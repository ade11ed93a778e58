// The installed vocabularies (iso-codes from /usr/share), loaded once per test binary.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "vocab/vocabulary.h"

namespace meabridge::vocab::testing {

inline const Vocabulary& Vocab(std::string_view name) {
  const Vocabulary* v = Vocabularies::System().Find(name);
  if (!v) throw std::logic_error("no vocabulary " + std::string(name));
  return *v;
}

// "FR" for a hit, "<miss>" for a miss: readable in table-driven failures.
inline std::string Resolve(const Vocabulary& v, std::string_view input) {
  const Term* t = v.Lookup(input);
  return t ? t->code : "<miss>";
}

inline constexpr const char* kMiss = "<miss>";

}  // namespace meabridge::vocab::testing
