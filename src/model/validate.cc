#include "model/validate.h"

#include "core/strings.h"

namespace meabridge::model {
namespace {

// Where a value sits, built only when it is reported: "country", "treaties[2]",
// "title.fr", "files[1].language". Most records have no violation, so the hot path never
// makes these strings.
struct Where {
  const std::string& field;
  size_t index = kNone;              // list element or item
  const std::string* sub = nullptr;  // language or item field
  static constexpr size_t kNone = static_cast<size_t>(-1);
  std::string ToString() const {
    std::string s = field;
    if (index != kNone) s += "[" + std::to_string(index) + "]";
    if (sub) s += "." + *sub;
    return s;
  }
};

class Checker {
 public:
  Checker(const Record& r, const Validator& validator, std::vector<Violation>* out)
      : record_(r), validator_(validator), out_(out) {}

  void Add(std::string field, std::string value, std::string rule, std::string message) {
    out_->push_back(Violation{record_.entity().set_name, record_.id(), std::move(field),
                              std::move(value), std::move(rule), std::move(message)});
  }

  void CheckString(const Where& where, const std::string& s) {
    size_t bad = 0;
    if (!core::IsValidUtf8(s, &bad)) {
      Add(where.ToString(), "(invalid UTF-8)", "utf8",
          "malformed UTF-8 at byte " + std::to_string(bad) + "; the source must send UTF-8");
    }
  }

  // `v` is the resolved vocabulary of `name` (nullptr when the registry names one that does
  // not exist).
  void CheckTerm(const Where& where, const std::string& name, const vocab::Vocabulary* v,
                 const std::string& code) {
    if (name.empty()) return;
    if (!v) {
      Add(where.ToString(), code, "vocabulary",
          "unknown vocabulary '" + name + "' (a registry bug)");
      return;
    }
    if (!v->FindCode(code)) {
      Add(where.ToString(), code, "vocabulary",
          "not a code of the " + name +
              " vocabulary; map the source value through a lookup (meabridge vocab lookup " + name +
              " VALUE shows what it resolves to)");
    }
  }

  void CheckField(size_t index, const FieldSpec& f, const Value& v) {
    if (f.required && IsEmpty(v)) {
      Add(f.name, "", "required", "required field '" + f.name + "' has no value");
      return;
    }
    if (!HoldsType(v, f.type)) {
      Add(f.name, ValueToString(v), "type",
          std::string("expects a value of type ") + FieldTypeName(f.type));
      return;
    }
    const vocab::Vocabulary* vocabulary = validator_.FieldVocabulary(index);
    if (const auto* s = std::get_if<std::string>(&v)) {
      CheckString(Where{f.name}, *s);
      if (f.type == FieldType::kTerm && !s->empty()) {
        CheckTerm(Where{f.name}, f.vocabulary, vocabulary, *s);
      }
    } else if (const auto* m = std::get_if<Multilingual>(&v)) {
      const vocab::Vocabulary* languages = validator_.languages();
      for (const LangText& t : *m) {
        Where where{f.name, Where::kNone, &t.lang};
        CheckString(where, t.text);
        if (!languages || !languages->FindCode(t.lang)) {
          Add(where.ToString(), t.lang, "language",
              "not a language code (ISO 639-1, zh-hans, zh-hant); map the source's language "
              "through the languages vocabulary");
        }
      }
    } else if (const auto* l = std::get_if<StringList>(&v)) {
      for (size_t i = 0; i < l->size(); ++i) {
        Where where{f.name, i};
        CheckString(where, (*l)[i]);
        CheckTerm(where, f.vocabulary, vocabulary, (*l)[i]);
      }
    } else if (const auto* items = std::get_if<ItemList>(&v)) {
      for (size_t i = 0; i < items->size(); ++i) CheckItem(index, f, i, (*items)[i]);
    }
  }

  void CheckItem(size_t field_index, const FieldSpec& f, size_t index, const Item& item) {
    for (const auto& [name, value] : item) {
      const ItemFieldSpec* spec = f.ItemField(name);
      Where where{f.name, index, &name};
      if (!spec) {
        std::string known;
        for (const ItemFieldSpec& s : f.item_fields) known += (known.empty() ? "" : ", ") + s.name;
        Add(where.ToString(), value, "item-field",
            "'" + f.name + "' items have no field '" + name + "' (they have: " + known + ")");
        continue;
      }
      CheckString(where, value);
      if (spec->type == FieldType::kTerm && !value.empty()) {
        CheckTerm(where, spec->vocabulary,
                  validator_.ItemVocabulary(field_index,
                                            static_cast<size_t>(spec - f.item_fields.data())),
                  value);
      }
    }
    for (const ItemFieldSpec& spec : f.item_fields) {
      if (!spec.required) continue;
      auto it = item.find(spec.name);
      if (it == item.end() || it->second.empty()) {
        Add(Where{f.name, index, &spec.name}.ToString(), "", "required",
            "required item field '" + spec.name + "' has no value");
      }
    }
  }

  void CheckId() {
    const std::string& id = record_.id();
    if (id.empty()) {
      Add("id", "", "id", "the record has no id; check the mapping's id rule");
      return;
    }
    if (id.size() > 1024) Add("id", core::Quote(id), "id", "id longer than 1024 bytes");
    for (char c : id) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
        Add("id", core::Quote(id), "id", "id contains a control character");
        break;
      }
    }
  }

 private:
  const Record& record_;
  const Validator& validator_;
  std::vector<Violation>* out_;
};

}  // namespace

std::string Violation::ToString() const {
  std::string s = entity + " " + core::Quote(id) + ": field '" + field + "'";
  if (!value.empty()) s += " = " + core::Quote(value);
  s += ": " + rule + ": " + message;
  return s;
}

Validator::Validator(const EntitySpec& entity, const vocab::Vocabularies& vocabularies)
    : entity_(entity), languages_(vocabularies.Find("languages")) {
  field_vocabularies_.resize(entity.fields.size());
  item_vocabularies_.resize(entity.fields.size());
  for (size_t i = 0; i < entity.fields.size(); ++i) {
    const FieldSpec& f = entity.fields[i];
    if (!f.vocabulary.empty()) field_vocabularies_[i] = vocabularies.Find(f.vocabulary);
    for (const ItemFieldSpec& item : f.item_fields) {
      item_vocabularies_[i].push_back(item.vocabulary.empty() ? nullptr
                                                              : vocabularies.Find(item.vocabulary));
    }
  }
}

std::vector<Violation> Validator::Validate(const Record& record) const {
  std::vector<Violation> out;
  Checker c(record, *this, &out);
  c.CheckId();
  const auto& fields = entity_.fields;
  for (size_t i = 1; i < fields.size(); ++i) c.CheckField(i, fields[i], record.Get(i));
  return out;
}

std::vector<Violation> Validate(const Record& record, const vocab::Vocabularies& vocabularies) {
  return Validator(record.entity(), vocabularies).Validate(record);
}

}  // namespace meabridge::model
