#include "vocab/table_vocabulary.h"

#include "core/strings.h"
#include "vocab/fold.h"

namespace meabridge::vocab {

Result<std::unique_ptr<TableVocabulary>> TableVocabulary::Build(Spec spec) {
  std::unique_ptr<TableVocabulary> v(new TableVocabulary());
  v->name_ = std::move(spec.name);
  v->description_ = std::move(spec.description);
  v->terms_ = std::move(spec.terms);
  const std::string where = "vocabulary " + v->name_;

  NameIndexBuilder names;
  for (uint32_t i = 0; i < v->terms_.size(); ++i) {
    const Term& t = v->terms_[i];
    if (!v->codes_.emplace(t.code, i).second) {
      return Status::Internal(where + ": code " + core::Quote(t.code) + " is used twice");
    }
    std::vector<const std::string*> forms = {&t.code, &t.label};
    for (const std::string& a : t.aliases) forms.push_back(&a);
    for (const std::string* form : forms) {
      std::string key = FoldName(*form);
      if (key.empty()) {
        return Status::Internal(where + ": " + core::Quote(*form) + " of " + t.code +
                                " folds to nothing");
      }
      names.Claim(key, i, 0);
    }
  }
  if (auto conflicts = names.Conflicts(); !conflicts.empty()) {
    const auto& c = conflicts.front();
    return Status::Internal(where + ": " + core::Quote(c.key) + " names both " +
                            v->terms_[c.first].code + " and " + v->terms_[c.second].code);
  }
  v->names_ = names.Build();

  for (auto& [form, code] : spec.exact_forms) {
    auto it = v->codes_.find(code);
    if (it == v->codes_.end()) {
      return Status::Internal(where + ": exact form " + core::Quote(form) + " names unknown code " +
                              core::Quote(code));
    }
    v->terms_[it->second].aliases.push_back(form);
    if (!v->exact_.emplace(std::move(form), it->second).second) {
      return Status::Internal(where + ": an exact form is listed twice");
    }
  }
  return v;
}

const Term* TableVocabulary::Lookup(std::string_view input) const {
  if (auto it = exact_.find(core::Trim(input)); it != exact_.end()) return &terms_[it->second];
  if (const Term* t = FindCode(input)) return t;
  FoldBuffer buffer;
  std::string_view key = FoldName(input, buffer);
  if (key.empty()) return nullptr;
  auto it = names_.find(key);
  return it == names_.end() ? nullptr : &terms_[it->second];
}

const Term* TableVocabulary::FindCode(std::string_view code) const {
  auto it = codes_.find(code);
  return it == codes_.end() ? nullptr : &terms_[it->second];
}

}  // namespace meabridge::vocab
