// Vocabularies: loads every vocabulary once; the process-wide set behind System().
#include <utility>

#include "core/strings.h"
#include "vocab/countries.h"
#include "vocab/languages.h"
#include "vocab/statuses.h"
#include "vocab/treaties.h"
#include "vocab/vocabulary.h"

namespace meabridge::vocab {

Vocabularies::Vocabularies(std::vector<std::unique_ptr<Vocabulary>> vocabularies)
    : vocabularies_(std::move(vocabularies)) {}

Result<std::unique_ptr<Vocabularies>> Vocabularies::Load(const LoadOptions& options) {
  std::vector<std::unique_ptr<Vocabulary>> all;
  // In the order of `meabridge vocab`'s usage text.
  MB_ASSIGN_OR_RETURN(all.emplace_back(), LoadCountries(options));
  MB_ASSIGN_OR_RETURN(all.emplace_back(), MakeTreaties());
  MB_ASSIGN_OR_RETURN(all.emplace_back(), MakeMembershipStatus());
  MB_ASSIGN_OR_RETURN(all.emplace_back(), MakeDecisionType());
  MB_ASSIGN_OR_RETURN(all.emplace_back(), MakeDecisionStatus());
  MB_ASSIGN_OR_RETURN(all.emplace_back(), MakeMeetingType());
  MB_ASSIGN_OR_RETURN(all.emplace_back(), MakeMeetingStatus());
  MB_ASSIGN_OR_RETURN(all.emplace_back(), LoadLanguages(options));
  return std::make_unique<Vocabularies>(std::move(all));
}

const Vocabularies& Vocabularies::System() {
  // A function-local static is initialised once, thread-safely; if loading throws, the next
  // call tries again.
  static const std::unique_ptr<Vocabularies> system = [] {
    Result<std::unique_ptr<Vocabularies>> loaded = Load();
    if (!loaded.ok()) {
      throw InternalError("cannot load the vocabularies: " + loaded.status().message());
    }
    return std::move(loaded).value();
  }();
  return *system;
}

const Vocabulary* Vocabularies::Find(std::string_view name) const {
  for (const auto& v : vocabularies_) {
    if (v->name() == name) return v.get();
  }
  return nullptr;
}

std::string Vocabularies::Names() const {
  std::vector<std::string> names;
  for (const auto& v : vocabularies_) names.emplace_back(v->name());
  return core::Join(names, ", ");
}

}  // namespace meabridge::vocab
