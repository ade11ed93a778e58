// TEMPORARY stub, replaced by the vocabulary implementation.
#include "vocab/vocabulary.h"
namespace meabridge::vocab {
Vocabularies::Vocabularies(std::vector<std::unique_ptr<Vocabulary>> v) : vocabularies_(std::move(v)) {}
Result<std::unique_ptr<Vocabularies>> Vocabularies::Load(const LoadOptions&) {
  return Status::Unimplemented("vocabularies");
}
const Vocabularies& Vocabularies::System() { throw InternalError("vocabularies"); }
const Vocabulary* Vocabularies::Find(std::string_view name) const {
  for (const auto& v : vocabularies_) if (v->name() == name) return v.get();
  return nullptr;
}
std::string Vocabularies::Names() const { return ""; }
}  // namespace meabridge::vocab
