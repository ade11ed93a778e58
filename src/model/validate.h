// Validation of a canonical record against the registry and the vocabularies.
//
// Every broken rule becomes one Violation naming the entity, the record id, the field, the
// value and the rule, so a reject can say exactly what to fix. Pure: thread-safe.
#pragma once

#include <string>
#include <vector>

#include "model/record.h"
#include "vocab/vocabulary.h"

namespace meabridge::model {

struct Violation {
  std::string entity;   // "Contacts"
  std::string id;       // record id ("" when missing)
  std::string field;    // "country", "files[2].language"
  std::string value;    // the offending value, rendered
  std::string rule;     // "required", "type", "vocabulary", "language", "item-field", "id", "utf8"
  std::string message;  // what is wrong and what is expected

  // "Contacts 'c1': field 'country' = "XX": vocabulary: ... "
  std::string ToString() const;
};

// Rules:
//  - id: present, at most 1024 bytes, no control characters;
//  - required: a required field (or required item field) has a non-empty value;
//  - type: each value holds the alternative of its field type;
//  - vocabulary: kTerm values, string-list values and kTerm item fields with a vocabulary are
//    canonical codes of that vocabulary;
//  - language: multilingual values are keyed by canonical codes of "languages";
//  - item-field: items carry only declared item fields;
//  - utf8: every string is well-formed UTF-8.
std::vector<Violation> Validate(const Record& record, const vocab::Vocabularies& vocabularies);

// The same rules with the vocabularies of an entity's fields resolved once, instead of looked
// up by name for every field of every record: what the mapping engine keeps per compiled
// mapping. Immutable after construction, so thread-safe; `entity` and `vocabularies` must
// outlive it.
class Validator {
 public:
  Validator(const EntitySpec& entity, const vocab::Vocabularies& vocabularies);
  // REQUIRES: &record.entity() is the entity given at construction.
  std::vector<Violation> Validate(const Record& record) const;

  // The vocabulary of field `index` (registry order; nullptr for none, or for a name no
  // vocabulary has), of its item field `item`, and the languages vocabulary.
  const vocab::Vocabulary* FieldVocabulary(size_t index) const {
    return field_vocabularies_[index];
  }
  const vocab::Vocabulary* ItemVocabulary(size_t index, size_t item) const {
    return item_vocabularies_[index][item];
  }
  const vocab::Vocabulary* languages() const { return languages_; }

 private:
  const EntitySpec& entity_;
  const vocab::Vocabulary* languages_;
  std::vector<const vocab::Vocabulary*> field_vocabularies_;
  std::vector<std::vector<const vocab::Vocabulary*>> item_vocabularies_;
};

}  // namespace meabridge::model
