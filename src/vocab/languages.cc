#include "vocab/languages.h"

#include <algorithm>

#include "core/strings.h"
#include "vocab/fold.h"
#include "vocab/iso_codes.h"
#include "vocab/table_vocabulary.h"

namespace meabridge::vocab {
namespace {

constexpr const char* kHans = "zh-hans";
constexpr const char* kHant = "zh-hant";

enum Priority : int { kOurName = 0, kIsoName = 1, kVariant = 2 };

bool IsAsciiAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool IsAsciiLetters(std::string_view s) {
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) return false;
  }
  return !s.empty();
}
// Lower-cases a short code into `buf`; REQUIRES: s.size() <= 8.
std::string_view Lower(std::string_view s, char (&buf)[8]) {
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    buf[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return std::string_view(buf, s.size());
}

class LanguageVocabulary : public Vocabulary {
 public:
  std::string_view name() const override { return "languages"; }
  std::string_view description() const override {
    return "Languages: ISO 639-1 codes, plus zh-hans and zh-hant for Chinese scripts";
  }
  const std::vector<Term>& terms() const override { return terms_; }

  const Term* Lookup(std::string_view input) const override {
    std::string_view s = core::Trim(input);
    if (const Term* t = FindCode(s)) return t;
    if ((s.size() == 2 || s.size() == 3) && IsAsciiLetters(s)) {
      if (const Term* t = LookupCode(s)) return t;  // else a short name ("Ewe", "Lao")
    }
    if (s.find_first_of("-_") != std::string_view::npos) {
      if (const Term* t = LookupTag(s)) return t;
    }
    FoldBuffer buffer;
    std::string_view key = FoldName(s, buffer);
    if (key.empty()) return nullptr;
    auto it = names_.find(key);
    return it == names_.end() ? nullptr : &terms_[it->second];
  }

  const Term* FindCode(std::string_view code) const override {
    auto it = canonical_.find(code);
    return it == canonical_.end() ? nullptr : &terms_[it->second];
  }

 private:
  friend Result<std::unique_ptr<Vocabulary>> vocab::LoadLanguages(const LoadOptions& options);

  // An alpha-2 or alpha-3 code, any case.
  const Term* LookupCode(std::string_view s) const {
    char buf[8];
    auto it = codes_.find(Lower(s, buf));
    return it == codes_.end() ? nullptr : &terms_[it->second];
  }

  // "en-GB", "pt_BR", "zh-Hant-TW", "fr_CA.UTF-8@euro": the language, and for Chinese the
  // script (given, or implied by the region). A malformed tag is a miss.
  const Term* LookupTag(std::string_view s) const {
    s = s.substr(0, s.find_first_of(".@"));  // POSIX locale: charset and modifier
    std::string_view subtags[8];
    size_t n = 0;
    size_t start = 0;
    while (true) {
      size_t end = s.find_first_of("-_", start);
      std::string_view sub = s.substr(start, end == std::string_view::npos ? end : end - start);
      if (sub.empty() || sub.size() > 8 || n == std::size(subtags)) return nullptr;
      for (char c : sub) {
        if (!IsAsciiAlnum(c)) return nullptr;
      }
      subtags[n++] = sub;
      if (end == std::string_view::npos) break;
      start = end + 1;
    }
    if ((subtags[0].size() != 2 && subtags[0].size() != 3) || !IsAsciiLetters(subtags[0])) {
      return nullptr;
    }
    const Term* lang = LookupCode(subtags[0]);
    if (!lang || lang->code != "zh") return lang;
    for (size_t i = 1; i < n; ++i) {
      char buf[8];
      std::string_view sub = Lower(subtags[i], buf);
      if (sub == "hans" || sub == "cn" || sub == "sg" || sub == "my") return FindCode(kHans);
      if (sub == "hant" || sub == "tw" || sub == "hk" || sub == "mo") return FindCode(kHant);
    }
    return lang;
  }

  std::vector<Term> terms_;
  NameIndex canonical_;
  NameIndex codes_;  // lower-case alpha-2, alpha-3 (T and B) -> term
  NameIndex names_;  // folded English names -> term
};

}  // namespace

Result<std::unique_ptr<Vocabulary>> LoadLanguages(const LoadOptions& options) {
  MB_ASSIGN_OR_RETURN(std::vector<IsoEntry> entries, ReadIsoTable(options.iso_codes_dir, "639-2"));
  std::vector<const IsoEntry*> with_alpha_2;
  for (const IsoEntry& e : entries) {
    if (!e.alpha_2.empty()) with_alpha_2.push_back(&e);
  }
  std::sort(with_alpha_2.begin(), with_alpha_2.end(),
            [](const IsoEntry* a, const IsoEntry* b) { return a->alpha_2 < b->alpha_2; });

  std::unique_ptr<LanguageVocabulary> v(new LanguageVocabulary());
  std::vector<Term>& terms = v->terms_;
  std::vector<std::vector<std::string>> names_of;  // per term: the English names
  for (const IsoEntry* e : with_alpha_2) {
    // "Spanish; Castilian": the first name is the label, the others are aliases.
    std::vector<std::string> names;
    for (const std::string& part : core::Split(e->name, ';')) {
      std::string_view trimmed = core::Trim(part);
      if (!trimmed.empty()) names.emplace_back(trimmed);
    }
    if (!e->common_name.empty()) names.push_back(e->common_name);
    if (names.empty() || e->alpha_2.size() != 2 || !IsAsciiLetters(e->alpha_2)) {
      return Status::ParseError(options.iso_codes_dir + "/json/iso_639-2.json: " +
                                core::Quote(e->name) + " has no valid alpha_2 code");
    }
    Term t;
    t.code = core::AsciiLower(e->alpha_2);
    t.label = names.front();
    for (const std::string* c : {&e->alpha_3, &e->bibliographic}) {
      if (!c->empty()) t.aliases.push_back(*c);
    }
    t.aliases.insert(t.aliases.end(), names.begin() + 1, names.end());
    terms.push_back(std::move(t));
    names_of.push_back(std::move(names));
  }
  // Chinese by script: our own terms (iso-codes has no script-qualified languages).
  struct Script {
    const char* code;
    const char* label;
    std::vector<std::string> names;
    std::vector<std::string> tags;
  };
  const Script scripts[] = {
      {kHans, "Chinese (Simplified)", {"Simplified Chinese"}, {"zh-Hans", "zh-CN", "zh-SG"}},
      {kHant, "Chinese (Traditional)", {"Traditional Chinese"}, {"zh-Hant", "zh-TW", "zh-HK"}},
  };
  for (const Script& s : scripts) {
    Term t;
    t.code = s.code;
    t.label = s.label;
    t.aliases = s.tags;
    t.aliases.insert(t.aliases.end(), s.names.begin(), s.names.end());
    terms.push_back(std::move(t));
    std::vector<std::string> names = {s.label};
    names.insert(names.end(), s.names.begin(), s.names.end());
    names_of.push_back(std::move(names));
  }
  // Sort terms (and their names alongside) by code: zh, zh-hans, zh-hant, zu.
  std::vector<size_t> order(terms.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return terms[a].code < terms[b].code; });
  std::vector<Term> sorted_terms;
  std::vector<std::vector<std::string>> sorted_names;
  for (size_t i : order) {
    sorted_terms.push_back(std::move(terms[i]));
    sorted_names.push_back(std::move(names_of[i]));
  }
  terms = std::move(sorted_terms);
  names_of = std::move(sorted_names);

  ClaimIndexBuilder<std::string, StringHash> codes;
  NameIndexBuilder names;
  for (uint32_t i = 0; i < terms.size(); ++i) {
    const Term& t = terms[i];
    if (!v->canonical_.emplace(t.code, i).second) {
      return Status::ParseError(options.iso_codes_dir + "/json/iso_639-2.json: language code " +
                                t.code + " appears twice");
    }
    if (t.code.size() == 2) {
      codes.Claim(t.code, i, 0);
      for (const std::string& alias : t.aliases) {
        if (alias.size() == 3 && IsAsciiLetters(alias)) codes.Claim(core::AsciiLower(alias), i, 0);
      }
    }
    const int base = t.code.size() == 2 ? kIsoName : kOurName;
    for (const std::string& n : names_of[i]) {
      std::string key = FoldName(n);
      if (!key.empty()) names.Claim(key, i, base);
      if (base != kIsoName) continue;
      for (const std::string& variant : NameVariants(n, false)) {
        std::string vkey = FoldName(variant);
        if (!vkey.empty()) names.Claim(vkey, i, kVariant);
      }
    }
  }
  v->codes_ = codes.Build();
  v->names_ = names.Build();
  return std::unique_ptr<Vocabulary>(std::move(v));
}

}  // namespace meabridge::vocab
