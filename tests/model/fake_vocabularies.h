// A tiny vocabulary set for model tests, so they do not depend on iso-codes.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "vocab/vocabulary.h"

namespace meabridge::model::testing {

class ListVocabulary : public vocab::Vocabulary {
 public:
  ListVocabulary(std::string name, std::vector<std::string> codes) : name_(std::move(name)) {
    for (auto& c : codes) terms_.push_back(vocab::Term{c, c, {}, {}, "", "", false});
  }
  std::string_view name() const override { return name_; }
  std::string_view description() const override { return "test"; }
  const std::vector<vocab::Term>& terms() const override { return terms_; }
  const vocab::Term* Lookup(std::string_view input) const override { return FindCode(input); }
  const vocab::Term* FindCode(std::string_view code) const override {
    for (const auto& t : terms_) {
      if (t.code == code) return &t;
    }
    return nullptr;
  }

 private:
  std::string name_;
  std::vector<vocab::Term> terms_;
};

inline std::unique_ptr<vocab::Vocabularies> FakeVocabularies() {
  std::vector<std::unique_ptr<vocab::Vocabulary>> v;
  v.push_back(
      std::make_unique<ListVocabulary>("countries", std::vector<std::string>{"FR", "BB", "EU"}));
  v.push_back(std::make_unique<ListVocabulary>(
      "treaties", std::vector<std::string>{"cbd", "unfccc", "nagoya"}));
  v.push_back(std::make_unique<ListVocabulary>("languages",
                                               std::vector<std::string>{"en", "fr", "zh-hans"}));
  v.push_back(std::make_unique<ListVocabulary>(
      "membership-status", std::vector<std::string>{"ratification", "accession"}));
  return std::make_unique<vocab::Vocabularies>(std::move(v));
}

}  // namespace meabridge::model::testing
