// The canonical record: one entity instance in the shared InforMEA vocabulary, with a value
// slot per registry field and its provenance.
//
// A Record is a value type: thread-compatible. It points at its EntitySpec, which lives in an
// immutable Registry that outlives every record.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/time.h"
#include "model/registry.h"

namespace meabridge::model {

struct LangText {
  std::string lang;  // "en", "fr", "zh-hans" ...
  std::string text;
  bool operator==(const LangText&) const = default;
};
// Sorted by language, one entry per language (use SetText to keep it so).
using Multilingual = std::vector<LangText>;
using StringList = std::vector<std::string>;
// Item field name -> value; item fields without a value are absent.
using Item = std::map<std::string, std::string>;
using ItemList = std::vector<Item>;

struct DateTime {
  core::EpochMs ms = 0;
  bool operator==(const DateTime&) const = default;
};

// One field's value. monostate is "no value". Which alternative a field holds follows its
// FieldType: kString/kText/kTerm -> std::string, kBool -> bool, kInt -> int64_t,
// kDouble -> double, kDate -> core::CivilDate, kDateTime -> DateTime,
// kMultilingual -> Multilingual, kStringList -> StringList, kItemList -> ItemList.
using Value = std::variant<std::monostate, std::string, bool, int64_t, double, core::CivilDate,
                           DateTime, Multilingual, StringList, ItemList>;

// True for monostate and for an empty string, list or multilingual value.
bool IsEmpty(const Value& v);
// True when `v` holds the alternative that `type` calls for (monostate always fits).
bool HoldsType(const Value& v, FieldType type);
// Sets the text for `lang`, replacing an earlier one, keeping the list sorted.
void SetText(Multilingual& m, std::string lang, std::string text);
const std::string* FindText(const Multilingual& m, std::string_view lang);
// A short human rendering for messages ("2024-01-02", "[cbd, cms]", "{en: ...}").
std::string ValueToString(const Value& v);

class Record;
// Replaces, in every text of `record` but its id (strings, multilingual texts, list values,
// item fields), each character XML 1.0 cannot carry by U+FFFD (core::ReplaceXmlIllegal).
// Returns the names of the fields it changed, in registry order. The harvest applies it to
// every record it spools; an id holding a control character stays a reject (validate.h).
std::vector<std::string> ReplaceXmlIllegal(Record& record);

// Where a stored record came from.
struct Provenance {
  std::string source;     // source name in the configuration
  std::string source_id;  // the record's id at the source (before the id template)
  core::EpochMs fetched_at = 0;
  int64_t run_id = 0;
  std::string content_hash;  // ContentHash(CanonicalJson(record)); set by the store
};

class Record {
 public:
  explicit Record(const EntitySpec& entity);

  const EntitySpec& entity() const { return *entity_; }

  const std::string& id() const;
  void set_id(std::string id);

  // REQUIRES: 0 <= index < entity().fields.size()
  const Value& Get(size_t index) const { return values_[index]; }
  Value& Mutable(size_t index) { return values_[index]; }
  void Set(size_t index, Value v) { values_[index] = std::move(v); }

  // By field name; nullptr / false when the entity has no such field.
  const Value* Find(std::string_view field) const;
  bool Set(std::string_view field, Value v);

  const std::vector<Value>& values() const { return values_; }

  Provenance provenance;

  // Same entity, id and field values (provenance is not compared).
  bool SameContent(const Record& other) const;

 private:
  const EntitySpec* entity_;
  std::vector<Value> values_;
};

}  // namespace meabridge::model
