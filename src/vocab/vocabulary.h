// The shared vocabularies: countries, treaties, membership status, decision type and status,
// meeting type and status, languages. Each maps the many ways sources write a term to one
// canonical code, and says "no match" rather than guess.
//
// A Vocabularies set is built once (Load) and immutable afterwards: every method is safe to
// call from any number of threads without locking.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace meabridge::vocab {

struct Term {
  std::string code;   // canonical code: "FR", "cbd", "ratification", "zh-hans"
  std::string label;  // English label
  // Labels in other languages, language code -> label, sorted by language
  // (countries: the six UN languages from iso-codes' translations).
  std::vector<std::pair<std::string, std::string>> labels;
  std::vector<std::string> aliases;  // other codes and names Lookup accepts, for `vocab list`
  std::string parent;                // treaties: the parent treaty of a protocol; "" otherwise
  std::string uri;                   // glossary terms: the concept URI; "" otherwise
  bool historical = false;           // countries: a former code (ISO 3166-3)
};

class Vocabulary {
 public:
  virtual ~Vocabulary() = default;

  // "countries", "treaties", "membership-status", ... (the name fields of the registry use)
  virtual std::string_view name() const = 0;
  virtual std::string_view description() const = 0;

  // Canonical terms in a stable order (code order, or the order of the vocabulary's source).
  virtual const std::vector<Term>& terms() const = 0;

  // The canonical term for a code, alias, name or other accepted form of `input`; nullptr
  // when `input` cannot be resolved with certainty (an unknown or ambiguous value is a miss,
  // never a guess).
  virtual const Term* Lookup(std::string_view input) const = 0;

  // The term whose canonical code is exactly `code`; nullptr otherwise. Validation uses it.
  virtual const Term* FindCode(std::string_view code) const = 0;
};

struct LoadOptions {
  // Debian's iso-codes data: json/iso_3166-1.json, json/iso_3166-3.json, json/iso_639-2.json.
  std::string iso_codes_dir = "/usr/share/iso-codes";
  // gettext catalogues: <locale_dir>/<lang>/LC_MESSAGES/iso_3166-1.mo
  std::string locale_dir = "/usr/share/locale";
};

class Vocabularies {
 public:
  // Reads iso-codes and builds every vocabulary. Fails (with the path and what to install)
  // when iso-codes is missing or unreadable.
  static Result<std::unique_ptr<Vocabularies>> Load(const LoadOptions& options = {});

  // The process-wide set loaded with default options on first use.
  // Throws InternalError when it cannot be loaded (a fatal start-up problem).
  static const Vocabularies& System();

  // nullptr when there is no vocabulary of that name.
  const Vocabulary* Find(std::string_view name) const;
  // All vocabularies, in the order of `meabridge vocab list`'s usage text.
  const std::vector<std::unique_ptr<Vocabulary>>& all() const { return vocabularies_; }
  // "countries, treaties, ..." for error messages.
  std::string Names() const;

  explicit Vocabularies(std::vector<std::unique_ptr<Vocabulary>> vocabularies);

 private:
  std::vector<std::unique_ptr<Vocabulary>> vocabularies_;
};

}  // namespace meabridge::vocab
