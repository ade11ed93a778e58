// Helpers for the mapping tests: a small vocabulary set (so the engine's unit tests do not
// depend on iso-codes), a sink that collects records and rejects, and one-call runners.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "codec/byte_source.h"
#include "core/strings.h"
#include "mapping/mapping.h"
#include "model/canonical_json.h"
#include "vocab/vocabulary.h"

namespace meabridge::mapping::testing {

// Terms with aliases; Lookup matches a code or an alias, ASCII case-insensitively (codes of
// membership-status suffixes are case-sensitive: "a" and "A" differ).
class AliasVocabulary : public vocab::Vocabulary {
 public:
  AliasVocabulary(std::string name,
                  std::vector<std::pair<std::string, std::vector<std::string>>> terms,
                  bool case_sensitive = false)
      : name_(std::move(name)), case_sensitive_(case_sensitive) {
    for (auto& [code, aliases] : terms) {
      vocab::Term t;
      t.code = code;
      t.label = code + " label";
      t.aliases = aliases;
      terms_.push_back(std::move(t));
    }
  }
  std::string_view name() const override { return name_; }
  std::string_view description() const override { return "test vocabulary"; }
  const std::vector<vocab::Term>& terms() const override { return terms_; }
  const vocab::Term* Lookup(std::string_view input) const override {
    for (const vocab::Term& t : terms_) {
      if (Same(t.code, input)) return &t;
      for (const std::string& a : t.aliases) {
        if (Same(a, input)) return &t;
      }
    }
    return nullptr;
  }
  const vocab::Term* FindCode(std::string_view code) const override {
    for (const vocab::Term& t : terms_) {
      if (t.code == code) return &t;
    }
    return nullptr;
  }

 private:
  bool Same(std::string_view a, std::string_view b) const {
    return case_sensitive_ ? a == b : core::EqualsIgnoreCase(a, b);
  }
  std::string name_;
  bool case_sensitive_;
  std::vector<vocab::Term> terms_;
};

inline const vocab::Vocabularies& TestVocabularies() {
  static const vocab::Vocabularies* v = [] {
    std::vector<std::unique_ptr<vocab::Vocabulary>> list;
    list.push_back(std::make_unique<AliasVocabulary>(
        "countries", std::vector<std::pair<std::string, std::vector<std::string>>>{
                         {"FR", {"FRA", "France"}},
                         {"DE", {"DEU", "Germany"}},
                         {"BO", {"BOL", "Bolivia (Plurinational State of)"}},
                         {"EU", {"EUU", "European Union"}},
                         {"GH", {"GHA", "Ghana"}}}));
    list.push_back(std::make_unique<AliasVocabulary>(
        "treaties", std::vector<std::pair<std::string, std::vector<std::string>>>{
                        {"cbd", {"Convention on Biological Diversity"}},
                        {"cartagena", {}},
                        {"plant_treaty", {"itpgrfa"}},
                        {"unfccc", {}},
                        {"basel", {}}}));
    list.push_back(std::make_unique<AliasVocabulary>(
        "languages", std::vector<std::pair<std::string, std::vector<std::string>>>{
                         {"en", {"English", "eng"}},
                         {"fr", {"French", "fre", "fra"}},
                         {"es", {"Spanish", "spa"}},
                         {"zh-hans", {"Chinese (Simplified)"}}}));
    list.push_back(std::make_unique<AliasVocabulary>(
        "membership-status",
        std::vector<std::pair<std::string, std::vector<std::string>>>{
            {"ratification", {"Ratification"}},
            {"accession", {"a", "Accession"}},
            {"acceptance", {"A", "Acceptance"}},
            {"approval", {"AA", "Approval"}},
            {"succession", {"d", "Succession"}},
            {"signatory", {"Signatory"}},
            {"definitive-signature", {"s"}}},
        /*case_sensitive=*/true));
    list.push_back(std::make_unique<AliasVocabulary>(
        "decision-type", std::vector<std::pair<std::string, std::vector<std::string>>>{
                             {"decision", {}}, {"resolution", {}}, {"recommendation", {}}}));
    list.push_back(std::make_unique<AliasVocabulary>(
        "decision-status", std::vector<std::pair<std::string, std::vector<std::string>>>{
                               {"active", {}}, {"adopted", {}}}));
    list.push_back(std::make_unique<AliasVocabulary>(
        "meeting-type", std::vector<std::pair<std::string, std::vector<std::string>>>{
                            {"cop", {"COP"}}, {"mop", {"MOP"}}}));
    list.push_back(std::make_unique<AliasVocabulary>(
        "meeting-status",
        std::vector<std::pair<std::string, std::vector<std::string>>>{{"confirmed", {}}}));
    return new vocab::Vocabularies(std::move(list));
  }();
  return *v;
}

class CollectSink : public RecordSink {
 public:
  Status OnRecord(model::Record record) override {
    records.push_back(std::move(record));
    return Status::Ok();
  }
  Status OnReject(Reject reject) override {
    rejects.push_back(std::move(reject));
    return Status::Ok();
  }
  Status OnDeleted(std::string id, std::string position) override {
    deleted.push_back(position + " " + id);
    return Status::Ok();
  }
  std::vector<std::string> Json() const {
    std::vector<std::string> out;
    for (const model::Record& r : records) out.push_back(model::CanonicalJson(r));
    return out;
  }
  std::string RejectsText() const {
    std::string s;
    for (const Reject& r : rejects) s += r.ToString() + "\n";
    return s;
  }
  std::vector<model::Record> records;
  std::vector<Reject> rejects;
  std::vector<std::string> deleted;  // "position id" of each deletion mark
};

// Loads a mapping from text (XML unless it starts with '{').
inline Result<std::shared_ptr<const Mapping>> LoadMapping(
    const std::string& text, const vocab::Vocabularies& vocabs = TestVocabularies()) {
  bool json = !text.empty() && text.find_first_not_of(" \n\t") != std::string::npos &&
              text[text.find_first_not_of(" \n\t")] == '{';
  return Mapping::LoadText(text, "test.mapping", json, vocabs);
}

struct RunOutput {
  Status status;
  DocumentInfo info;
  CollectSink sink;
};

inline RunOutput RunMapping(const Mapping& m, const std::string& input, const Params& params = {},
                            const std::vector<std::string>& capture = {}) {
  RunOutput out;
  auto source = codec::ByteSource::FromString(input, "input");
  Result<DocumentInfo> r = m.Run(*source, params, out.sink, capture);
  out.status = r.status();
  if (r.ok()) out.info = *r;
  return out;
}

}  // namespace meabridge::mapping::testing
