// Building blocks shared by the vocabularies: a claim index that leaves out every key two terms
// claim (an ambiguous key is a miss, never a guess), and a vocabulary over a fixed table of terms
// (treaties, statuses, meeting and decision types).
//
// Builders are used by one thread while loading; what they build is immutable and safe to read
// from any number of threads.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/status.h"
#include "vocab/vocabulary.h"

namespace meabridge::vocab {

// Hashes std::string and std::string_view alike, so that a lookup with a view into a scratch
// buffer needs no temporary string.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

using NameIndex = std::unordered_map<std::string, uint32_t, StringHash, std::equal_to<>>;

// Collects claims "key -> term, at priority p" (0 is the strongest) and keeps, per key, the
// term of its strongest claim. When two different terms claim a key at the same strongest
// priority the key is ambiguous: Build leaves it out, and weaker claims cannot take it either.
// Example: "congo" is claimed by CG's ISO name (strong) and by a variant generated from CD's
// "Congo, The Democratic Republic of the" (weak): CG keeps it. "korea" is claimed by variants
// of KR and KP at the same priority: nobody gets it.
template <typename Key, typename Hash = std::hash<Key>>
class ClaimIndexBuilder {
 public:
  struct Conflict {
    Key key;
    uint32_t first;
    uint32_t second;
    int priority;
  };

  void Claim(const Key& key, uint32_t term, int priority) {
    auto [it, inserted] = claims_.try_emplace(key, Entry{term, term, priority, false});
    if (inserted) return;
    Entry& e = it->second;
    if (priority < e.priority) {
      e = Entry{term, term, priority, false};
    } else if (priority == e.priority && term != e.term && !e.ambiguous) {
      e.ambiguous = true;
      e.other = term;
    }
  }

  // The keys Build leaves out, with two of the terms that claimed each.
  std::vector<Conflict> Conflicts() const {
    std::vector<Conflict> out;
    for (const auto& [key, e] : claims_) {
      if (e.ambiguous) out.push_back(Conflict{key, e.term, e.other, e.priority});
    }
    return out;
  }

  // The strongest claim on `key` so far: its term (kAmbiguous when two terms tie) and priority.
  static constexpr uint32_t kAmbiguous = UINT32_MAX;
  std::optional<std::pair<uint32_t, int>> Strongest(const Key& key) const {
    auto it = claims_.find(key);
    if (it == claims_.end()) return std::nullopt;
    return std::make_pair(it->second.ambiguous ? kAmbiguous : it->second.term, it->second.priority);
  }

  std::unordered_map<Key, uint32_t, Hash, std::equal_to<>> Build() const {
    std::unordered_map<Key, uint32_t, Hash, std::equal_to<>> out;
    out.reserve(claims_.size());
    for (const auto& [key, e] : claims_) {
      if (!e.ambiguous) out.emplace(key, e.term);
    }
    return out;
  }

 private:
  struct Entry {
    uint32_t term;
    uint32_t other;
    int priority;
    bool ambiguous;
  };
  std::unordered_map<Key, Entry, Hash, std::equal_to<>> claims_;
};

using NameIndexBuilder = ClaimIndexBuilder<std::string, StringHash>;

// A vocabulary over a table we keep ourselves. Lookup tries, in order: the exact forms
// (case-sensitive), the canonical code exactly, then the folded name (vocab/fold.h) against
// every term's code, label and aliases, so matching is case-, diacritic- and
// punctuation-insensitive.
class TableVocabulary : public Vocabulary {
 public:
  struct Spec {
    std::string name;
    std::string description;
    std::vector<Term> terms;
    // Forms matched exactly and case-sensitively before anything else, form -> canonical code
    // (the UN Treaty Collection suffixes of membership status: "a" accession, "A" acceptance).
    // They are added to the terms' aliases for `vocab list`.
    std::vector<std::pair<std::string, std::string>> exact_forms;
  };

  // Indexes the table. Two terms claiming one folded key, an exact form naming an unknown code
  // or a code used twice are mistakes in our own table: Internal, naming them.
  static Result<std::unique_ptr<TableVocabulary>> Build(Spec spec);

  std::string_view name() const override { return name_; }
  std::string_view description() const override { return description_; }
  const std::vector<Term>& terms() const override { return terms_; }
  const Term* Lookup(std::string_view input) const override;
  const Term* FindCode(std::string_view code) const override;

 private:
  TableVocabulary() = default;

  std::string name_;
  std::string description_;
  std::vector<Term> terms_;
  NameIndex codes_;
  NameIndex exact_;
  NameIndex names_;
};

}  // namespace meabridge::vocab
