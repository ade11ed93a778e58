// The entity schema registry: the one declaration of every entity type and its fields.
//
// Storage (table columns and indexes), validation, OData $metadata, CSV columns, JSON-LD and
// the mapping compiler's check of canonical field names all read this registry; nothing else
// keeps a list of fields. Adding an entity type or a field is one change in registry.cc.
//
// The registry is built once and immutable afterwards: thread-safe for reading.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace meabridge::model {

enum class FieldType {
  kString,        // a short single-line text: names, codes, e-mail addresses, URLs
  kText,          // a long text: addresses, notes, declarations
  kMultilingual,  // language code -> text
  kDate,          // a civil date, "YYYY-MM-DD"
  kDateTime,      // an instant, RFC 3339 UTC
  kBool,
  kInt,
  kDouble,
  kStringList,  // a list of strings (of vocabulary terms when `vocabulary` is set)
  kItemList,    // a list of structured items; their fields are `item_fields`
  kTerm,        // one term of the vocabulary named by `vocabulary`
};

// "string", "text", "multilingual", "date", "datetime", "bool", "int", "double",
// "string-list", "item-list", "term".
const char* FieldTypeName(FieldType type);

// A field of a structured item (files[].url, roles[].treaty). Items hold scalars only.
struct ItemFieldSpec {
  std::string name;
  FieldType type = FieldType::kString;  // kString, kText, kTerm, kInt, kDouble, kBool, kDate
  std::string vocabulary;               // for kTerm
  bool required = false;
  std::string doc;
};

// The published forms whose property names may differ from the registry's own (canonical) ones.
enum class Dialect {
  kCanonical,   // store, mappings, OData V4, JSON-LD, CSV, /feeds/
  kInforMeaV2,  // /informea.svc/: the names the InforMEA OData provider publishes and its
                // harvester reads (../shared/corpus/informea-toolkit/odata-provider/model)
};

struct FieldSpec {
  std::string name;  // InforMEA API name, e.g. "firstName"
  FieldType type = FieldType::kString;
  bool required = false;
  std::string vocabulary;                  // kTerm, and kStringList of terms; "" otherwise
  std::vector<ItemFieldSpec> item_fields;  // kItemList only
  bool indexed = false;  // the store keeps an index: a field partners filter or order on
  std::string doc;       // one line for docs/, $metadata and the JSON-LD context
  std::string jsonld;    // schema.org term ("schema:email"); "" means an InforMEA term
  std::string v2_name;   // the InforMEA V2 dialect's name when it differs ("phoneNumber")

  // The field's name in a dialect.
  const std::string& NameIn(Dialect dialect) const {
    return dialect == Dialect::kInforMeaV2 && !v2_name.empty() ? v2_name : name;
  }

  bool IsList() const { return type == FieldType::kStringList || type == FieldType::kItemList; }
  const ItemFieldSpec* ItemField(std::string_view item_field) const;
};

struct EntitySpec {
  std::string set_name;   // OData entity set and URL segment: "Contacts"
  std::string type_name;  // OData entity type: "Contact"
  std::string name;       // CLI and file name: "contacts" (--entity contacts, /feeds/contacts.atom)
  std::string key_doc;    // how the key is formed, for docs
  std::string jsonld_type;  // "schema:Person", or an InforMEA class
  // fields[0] is always "id" (string, required) and fields[1] "updated" (datetime): every
  // entity has them, so the registry adds them; the rest follow in declaration order.
  std::vector<FieldSpec> fields;

  static constexpr int kIdField = 0;
  static constexpr int kUpdatedField = 1;

  int FieldIndex(std::string_view field) const;  // -1 when unknown
  // By the field's name in a dialect; -1 when unknown.
  int FieldIndex(std::string_view field, Dialect dialect) const;
  const FieldSpec* Field(std::string_view field) const;
};

class Registry {
 public:
  // The entities of DESIGN.md: Treaties, Contacts, Memberships, Decisions, Meetings,
  // CountryReports, NationalPlans, Sites, Documents.
  static const Registry& Default();

  const std::vector<EntitySpec>& entities() const { return entities_; }
  // By set name ("Contacts") or name ("contacts"), ASCII case-insensitive; nullptr if unknown.
  const EntitySpec* Find(std::string_view name) const;
  // "Contacts, Decisions, ..." for error messages.
  std::string SetNames() const;

  // Used by Default() and by tests that build a registry of their own.
  explicit Registry(std::vector<EntitySpec> entities);

 private:
  std::vector<EntitySpec> entities_;
};

}  // namespace meabridge::model
