#include "vocab/countries.h"

#include <algorithm>
#include <array>
#include <cstdint>

#include "core/log.h"
#include "core/strings.h"
#include "vocab/fold.h"
#include "vocab/iso_codes.h"
#include "vocab/table_vocabulary.h"

namespace meabridge::vocab {
namespace {

// ---------------------------------------------------------------------------------------------
// Our own data: the one hand-kept table of country names iso-codes does not give us (short forms,
// former official names still found in depositary lists, and the EU's names). Everything else is
// read from iso-codes or generated from its names. Each entry: canonical code, name. An entry
// may only add a name: the build fails (Internal) if one names an ISO name of another country.
struct CountryAlias {
  const char* code;
  const char* name;
};
constexpr CountryAlias kCountryAliases[] = {
    {"AE", "UAE"},
    {"BN", "Brunei"},
    {"CD", "DR Congo"},
    {"CD", "DRC"},
    {"CD", "Congo DR"},
    {"CD", "Congo-Kinshasa"},
    {"CG", "Congo-Brazzaville"},
    {"CI", "Ivory Coast"},
    {"CV", "Cape Verde"},
    {"FM", "Micronesia, Fed. Sts."},
    {"GB", "UK"},
    {"GB", "Great Britain"},
    {"KN", "Saint Christopher and Nevis"},
    {"KP", "Korea, North"},
    {"KR", "Korea, South"},
    {"LA", "Lao PDR"},
    {"LY", "Libyan Arab Jamahiriya"},
    {"MK", "Macedonia"},
    {"MK", "The former Yugoslav Republic of Macedonia"},
    {"MK", "FYR Macedonia"},
    {"MM", "Burma"},  // still in use for Myanmar; the former code BU (BUMM) stays historical
    {"MO", "Macau"},
    {"RU", "Russia"},
    {"ST", "Sao Tome"},
    {"SZ", "Swaziland"},
    {"TR", "Turkey"},
    {"TW", "Chinese Taipei"},
    {"VA", "Vatican City"},
    {"VA", "Vatican"},
    {"VE", "Venezuela, RB"},
    {"EU", "European Community"},  // the party to the older MEAs, before the Lisbon Treaty
    {"EU", "European Economic Community"},
    {"EU", "EEC"},
    {"SUHH", "Soviet Union"},
};

// The European Union is a party to most MEAs but has no ISO 3166-1 code: "EU" is exceptionally
// reserved for it, "EUU" is the alpha-3 the UN and the World Bank use, "EUR" the one some lists
// use. Labels in the six UN languages (the names the EU uses in each).
constexpr const char* kEuCode = "EU";
constexpr const char* kEuOtherCodes[] = {"EUU", "EUR"};
constexpr const char* kEuLabel = "European Union";
constexpr std::pair<const char*, const char*> kEuLabels[] = {
    {"ar", "الاتحاد الأوروبي"}, {"es", "Unión Europea"}, {"fr", "Union européenne"},
    {"ru", "Европейский союз"}, {"zh", "欧洲联盟"},
};

// The UN languages other than English, with the locale directory of iso-codes' catalogue.
constexpr std::pair<const char*, const char*> kUnLanguages[] = {
    {"ar", "ar"}, {"es", "es"}, {"fr", "fr"}, {"ru", "ru"}, {"zh", "zh_CN"},
};
// ---------------------------------------------------------------------------------------------

// Name claim priorities (see countries.h).
enum Priority : int {
  kAliasTable = 0,
  kIsoName = 1,
  kIsoFormerName = 2,
  kVariant = 3,
  kFormerVariant = 4,
  kTranslation = 5,
  kFormerTranslation = 6,
};

// Code claim priorities. Historical codes: see the comment on LoadCountries below.
enum CodePriority : int { kOurCode = 0, kIsoCode = 1, kFormerCode = 2 };

bool IsAsciiLetter(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

// 2 to 4 ASCII letters packed upper-case into one word (0: not a letter code).
uint32_t PackCode(std::string_view s) {
  if (s.size() < 2 || s.size() > 4) return 0;
  uint32_t packed = 0;
  for (char c : s) {
    if (!IsAsciiLetter(c)) return 0;
    if (c >= 'a') c = static_cast<char>(c - 'a' + 'A');
    packed = (packed << 8) | static_cast<unsigned char>(c);
  }
  return packed;
}

// 1 to 3 ASCII digits ("4", "04", "004"); -1 otherwise.
int ParseNumeric(std::string_view s) {
  if (s.empty() || s.size() > 3) return -1;
  int n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return -1;
    n = n * 10 + (c - '0');
  }
  return n;
}

class CountryVocabulary : public Vocabulary {
 public:
  std::string_view name() const override { return "countries"; }
  std::string_view description() const override {
    return "Countries (ISO 3166-1 alpha-2; alpha-3 and numeric accepted), former countries "
           "(ISO 3166-3 alpha-4) and the European Union (EU)";
  }
  const std::vector<Term>& terms() const override { return terms_; }

  const Term* Lookup(std::string_view input) const override {
    if (const Term* t = LookupCode(core::Trim(input))) return t;
    FoldBuffer buffer;
    std::string_view key = FoldName(input, buffer);
    if (key.empty()) return nullptr;
    if (auto it = names_.find(key); it != names_.end()) return &terms_[it->second];
    // A code with a footnote mark: "GBR*", "FRA 1/".
    return LookupCode(key);
  }

  const Term* FindCode(std::string_view code) const override {
    auto it = canonical_.find(code);
    return it == canonical_.end() ? nullptr : &terms_[it->second];
  }

 private:
  friend Result<std::unique_ptr<Vocabulary>> vocab::LoadCountries(const LoadOptions& options);

  const Term* LookupCode(std::string_view s) const {
    if (int n = ParseNumeric(s); n >= 0) {
      int32_t i = numeric_[static_cast<size_t>(n)];
      return i < 0 ? nullptr : &terms_[static_cast<size_t>(i)];
    }
    if (uint32_t packed = PackCode(s)) {
      auto it = codes_.find(packed);
      return it == codes_.end() ? nullptr : &terms_[it->second];
    }
    return nullptr;
  }

  std::vector<Term> terms_;
  NameIndex canonical_;  // canonical code -> term
  std::unordered_map<uint32_t, uint32_t, std::hash<uint32_t>, std::equal_to<>>
      codes_;                            // packed code -> term
  std::array<int32_t, 1000> numeric_{};  // numeric code -> term, -1 if none
  NameIndex names_;                      // folded name -> term
};

// A source of translated labels: the catalogues of one iso-codes domain, per UN language.
struct Translations {
  std::vector<std::pair<std::string, MoCatalogue>> catalogues;  // language -> catalogue

  std::vector<std::pair<std::string, std::string>> LabelsFor(const std::string& msgid) const {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& [lang, cat] : catalogues) {
      if (const std::string* t = cat.Translate(msgid)) out.emplace_back(lang, *t);
    }
    return out;
  }
};

Result<Translations> ReadTranslations(const LoadOptions& options, std::string_view domain,
                                      std::vector<std::string>* missing) {
  Translations out;
  for (const auto& [lang, dir] : kUnLanguages) {
    std::string path = CataloguePath(options.locale_dir, dir, domain);
    Result<MoCatalogue> cat = MoCatalogue::ReadFile(path);
    if (!cat.ok()) {
      if (cat.status().IsNotFound()) {
        missing->push_back(path);
        continue;
      }
      std::string msg =
          cat.status().message() + "; reinstall iso-codes (apt-get install --reinstall iso-codes)";
      return cat.status().code() == Status::Code::kIoError ? Status::IoError(std::move(msg))
                                                           : Status::ParseError(std::move(msg));
    }
    out.catalogues.emplace_back(lang, std::move(cat).value());
  }
  return out;
}

std::vector<std::string> NamesOf(const IsoEntry& e) {
  std::vector<std::string> out = {e.name};
  if (!e.official_name.empty() && e.official_name != e.name) out.push_back(e.official_name);
  if (!e.common_name.empty() && e.common_name != e.name) out.push_back(e.common_name);
  return out;
}

}  // namespace

std::vector<std::pair<std::string_view, std::string_view>> CountryAliases() {
  std::vector<std::pair<std::string_view, std::string_view>> out;
  for (const CountryAlias& a : kCountryAliases) out.emplace_back(a.code, a.name);
  return out;
}

// Historical codes (ISO 3166-3), decided here and documented in docs/vocabularies.md:
//  - a former country's canonical code is its ISO 3166-3 alpha-4 code (CSHH Czechoslovakia,
//    CSXX Serbia and Montenegro, SUHH USSR, DDDE German Democratic Republic, YUCS Yugoslavia):
//    it is the only code that is unique. Its term is marked historical.
//  - its former alpha-2, alpha-3 and numeric codes are accepted only where no current country
//    uses them (BY, SK, AI, GE were reassigned; 104 is Myanmar's) and no other former country
//    had them (CS was Czechoslovakia and Serbia and Montenegro; 891 both SCG and YUG).
//  - names of former countries resolve to the former country, never to a successor: a record
//    about Czechoslovakia is not a record about Czechia. (A current short form in our alias
//    table, "Burma", names the current country.)
Result<std::unique_ptr<Vocabulary>> LoadCountries(const LoadOptions& options) {
  MB_ASSIGN_OR_RETURN(std::vector<IsoEntry> current, ReadIsoTable(options.iso_codes_dir, "3166-1"));
  MB_ASSIGN_OR_RETURN(std::vector<IsoEntry> former, ReadIsoTable(options.iso_codes_dir, "3166-3"));
  std::vector<std::string> missing;
  MB_ASSIGN_OR_RETURN(Translations current_tr, ReadTranslations(options, "iso_3166-1", &missing));
  MB_ASSIGN_OR_RETURN(Translations former_tr, ReadTranslations(options, "iso_3166-3", &missing));
  if (!missing.empty()) {
    core::LogWarning("iso-codes translations not found: " + core::Join(missing, ", ") +
                     "; country labels in those languages are left out (is /usr/share/locale "
                     "excluded from the installation?)");
  }

  std::unique_ptr<CountryVocabulary> v(new CountryVocabulary());
  std::vector<Term>& terms = v->terms_;

  // Terms: current countries and the EU in code order, then former countries in code order.
  for (const IsoEntry& e : current) {
    if (e.alpha_2.size() != 2 || !PackCode(e.alpha_2)) {
      return Status::ParseError(options.iso_codes_dir + "/json/iso_3166-1.json: " +
                                core::Quote(e.name) + " has no valid alpha_2 code");
    }
    Term t;
    t.code = e.alpha_2;
    t.label = e.name;
    t.labels = current_tr.LabelsFor(e.name);
    if (!e.alpha_3.empty()) t.aliases.push_back(e.alpha_3);
    if (!e.numeric.empty()) t.aliases.push_back(e.numeric);
    std::vector<std::string> names = NamesOf(e);
    t.aliases.insert(t.aliases.end(), names.begin() + 1, names.end());
    terms.push_back(std::move(t));
  }
  {
    Term eu;
    eu.code = kEuCode;
    eu.label = kEuLabel;
    for (const auto& [lang, label] : kEuLabels) eu.labels.emplace_back(lang, label);
    for (const char* c : kEuOtherCodes) eu.aliases.push_back(c);
    terms.push_back(std::move(eu));
  }
  std::sort(terms.begin(), terms.end(),
            [](const Term& a, const Term& b) { return a.code < b.code; });
  std::vector<const IsoEntry*> former_sorted;
  for (const IsoEntry& e : former) {
    if (e.alpha_4.size() != 4 || !PackCode(e.alpha_4)) {
      return Status::ParseError(options.iso_codes_dir + "/json/iso_3166-3.json: " +
                                core::Quote(e.name) + " has no valid alpha_4 code");
    }
    former_sorted.push_back(&e);
  }
  std::sort(former_sorted.begin(), former_sorted.end(),
            [](const IsoEntry* a, const IsoEntry* b) { return a->alpha_4 < b->alpha_4; });
  for (const IsoEntry* e : former_sorted) {
    Term t;
    t.code = e->alpha_4;
    t.label = e->name;
    t.labels = former_tr.LabelsFor(e->name);
    t.historical = true;
    terms.push_back(std::move(t));
  }
  for (uint32_t i = 0; i < terms.size(); ++i) {
    if (!v->canonical_.emplace(terms[i].code, i).second) {
      return Status::ParseError(options.iso_codes_dir + ": country code " + terms[i].code +
                                " appears twice in iso-codes");
    }
  }
  auto index_of = [&](std::string_view code) -> uint32_t {
    auto it = v->canonical_.find(code);
    if (it == v->canonical_.end())
      throw InternalError("country code vanished: " + std::string(code));
    return it->second;
  };

  // Codes.
  ClaimIndexBuilder<uint32_t> codes;
  ClaimIndexBuilder<int> numerics;
  auto claim_numeric = [&](const std::string& numeric, uint32_t term, int priority) {
    if (int n = ParseNumeric(numeric); n >= 0) numerics.Claim(n, term, priority);
  };
  codes.Claim(PackCode(kEuCode), index_of(kEuCode), kOurCode);
  for (const char* c : kEuOtherCodes) codes.Claim(PackCode(c), index_of(kEuCode), kOurCode);
  for (const IsoEntry& e : current) {
    uint32_t i = index_of(e.alpha_2);
    codes.Claim(PackCode(e.alpha_2), i, kIsoCode);
    if (uint32_t p = PackCode(e.alpha_3)) codes.Claim(p, i, kIsoCode);
    claim_numeric(e.numeric, i, kIsoCode);
  }
  for (const IsoEntry& e : former) {
    uint32_t i = index_of(e.alpha_4);
    codes.Claim(PackCode(e.alpha_4), i, kIsoCode);
    if (uint32_t p = PackCode(e.alpha_2)) codes.Claim(p, i, kFormerCode);
    if (uint32_t p = PackCode(e.alpha_3)) codes.Claim(p, i, kFormerCode);
    claim_numeric(e.numeric, i, kFormerCode);
  }
  v->codes_ = codes.Build();
  v->numeric_.fill(-1);
  for (const auto& [n, term] : numerics.Build()) {
    v->numeric_[static_cast<size_t>(n)] = static_cast<int32_t>(term);
  }
  // Former countries list the former codes that stayed theirs.
  for (const IsoEntry& e : former) {
    uint32_t i = index_of(e.alpha_4);
    for (const std::string* c : {&e.alpha_2, &e.alpha_3}) {
      auto it = v->codes_.find(PackCode(*c));
      if (it != v->codes_.end() && it->second == i) terms[i].aliases.push_back(*c);
    }
    int n = ParseNumeric(e.numeric);
    if (n >= 0 && v->numeric_[static_cast<size_t>(n)] == static_cast<int32_t>(i)) {
      terms[i].aliases.push_back(e.numeric);
    }
  }

  // Names.
  NameIndexBuilder names;
  auto claim = [&](std::string_view name, uint32_t term, int priority) {
    std::string key = FoldName(name);
    if (!key.empty()) names.Claim(key, term, priority);
  };
  claim(kEuLabel, index_of(kEuCode), kIsoName);
  for (const IsoEntry& e : current) {
    uint32_t i = index_of(e.alpha_2);
    for (const std::string& n : NamesOf(e)) {
      claim(n, i, kIsoName);
      for (const std::string& variant : NameVariants(n, n == e.official_name)) {
        claim(variant, i, kVariant);
      }
      for (const auto& [lang, label] : current_tr.LabelsFor(n)) claim(label, i, kTranslation);
    }
  }
  for (const IsoEntry& e : former) {
    uint32_t i = index_of(e.alpha_4);
    for (const std::string& n : NamesOf(e)) {
      claim(n, i, kIsoFormerName);
      for (const std::string& variant : NameVariants(n, n == e.official_name)) {
        claim(variant, i, kFormerVariant);
      }
      for (const auto& [lang, label] : former_tr.LabelsFor(n)) claim(label, i, kFormerTranslation);
    }
  }
  for (const auto& [code, name] : kEuLabels) claim(name, index_of(kEuCode), kTranslation);
  // Our alias table last, so that a mistake in it shows: it may not take another country's ISO
  // name, and must resolve to a known code.
  for (const CountryAlias& a : kCountryAliases) {
    auto it = v->canonical_.find(a.code);
    if (it == v->canonical_.end()) {
      // Only with an iso-codes that lacks the country (tests check the table against the
      // installed one, see CountryAliases()).
      core::LogDebug("country alias " + core::Quote(a.name) + ": no country " + a.code);
      continue;
    }
    std::string key = FoldName(a.name);
    if (key.empty()) return Status::Internal("country alias " + core::Quote(a.name) + " is empty");
    if (auto prior = names.Strongest(key);
        prior && prior->second <= kIsoFormerName && prior->first != it->second) {
      return Status::Internal("country alias " + core::Quote(a.name) + " of " + a.code +
                              " is an iso-codes name of another country");
    }
    names.Claim(key, it->second, kAliasTable);
    terms[it->second].aliases.push_back(a.name);
  }
  for (const auto& c : names.Conflicts()) {
    if (c.priority == kAliasTable) {
      return Status::Internal("country alias table: " + core::Quote(c.key) + " names both " +
                              terms[c.first].code + " and " + terms[c.second].code);
    }
  }
  v->names_ = names.Build();
  return std::unique_ptr<Vocabulary>(std::move(v));
}

}  // namespace meabridge::vocab
