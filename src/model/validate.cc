#include "model/validate.h"

#include "core/strings.h"

namespace meabridge::model {
namespace {

class Checker {
 public:
  Checker(const Record& r, const vocab::Vocabularies& v, std::vector<Violation>* out)
      : record_(r), vocabs_(v), out_(out) {}

  void Add(std::string field, std::string value, std::string rule, std::string message) {
    out_->push_back(Violation{record_.entity().set_name, record_.id(), std::move(field),
                              std::move(value), std::move(rule), std::move(message)});
  }

  void CheckString(const std::string& where, const std::string& s) {
    size_t bad = 0;
    if (!core::IsValidUtf8(s, &bad)) {
      Add(where, "(invalid UTF-8)", "utf8",
          "malformed UTF-8 at byte " + std::to_string(bad) + "; the source must send UTF-8");
    }
  }

  void CheckTerm(const std::string& where, const std::string& vocabulary, const std::string& code) {
    if (vocabulary.empty()) return;
    const vocab::Vocabulary* v = vocabs_.Find(vocabulary);
    if (!v) {
      Add(where, code, "vocabulary", "unknown vocabulary '" + vocabulary + "' (a registry bug)");
      return;
    }
    if (!v->FindCode(code)) {
      Add(where, code, "vocabulary",
          "not a code of the " + vocabulary +
              " vocabulary; map the source value through a lookup (meabridge vocab lookup " +
              vocabulary + " VALUE shows what it resolves to)");
    }
  }

  void CheckField(const FieldSpec& f, const Value& v) {
    if (f.required && IsEmpty(v)) {
      Add(f.name, "", "required", "required field '" + f.name + "' has no value");
      return;
    }
    if (!HoldsType(v, f.type)) {
      Add(f.name, ValueToString(v), "type",
          std::string("expects a value of type ") + FieldTypeName(f.type));
      return;
    }
    if (const auto* s = std::get_if<std::string>(&v)) {
      CheckString(f.name, *s);
      if (f.type == FieldType::kTerm && !s->empty()) CheckTerm(f.name, f.vocabulary, *s);
    } else if (const auto* m = std::get_if<Multilingual>(&v)) {
      for (const LangText& t : *m) {
        std::string where = f.name + "." + t.lang;
        CheckString(where, t.text);
        if (!vocabs_.Find("languages") || !vocabs_.Find("languages")->FindCode(t.lang)) {
          Add(where, t.lang, "language",
              "not a language code (ISO 639-1, zh-hans, zh-hant); map the source's language "
              "through the languages vocabulary");
        }
      }
    } else if (const auto* l = std::get_if<StringList>(&v)) {
      for (size_t i = 0; i < l->size(); ++i) {
        std::string where = f.name + "[" + std::to_string(i) + "]";
        CheckString(where, (*l)[i]);
        CheckTerm(where, f.vocabulary, (*l)[i]);
      }
    } else if (const auto* items = std::get_if<ItemList>(&v)) {
      for (size_t i = 0; i < items->size(); ++i) CheckItem(f, i, (*items)[i]);
    }
  }

  void CheckItem(const FieldSpec& f, size_t index, const Item& item) {
    std::string prefix = f.name + "[" + std::to_string(index) + "]";
    for (const auto& [name, value] : item) {
      const ItemFieldSpec* spec = f.ItemField(name);
      std::string where = prefix + "." + name;
      if (!spec) {
        std::string known;
        for (const ItemFieldSpec& s : f.item_fields) known += (known.empty() ? "" : ", ") + s.name;
        Add(where, value, "item-field",
            "'" + f.name + "' items have no field '" + name + "' (they have: " + known + ")");
        continue;
      }
      CheckString(where, value);
      if (spec->type == FieldType::kTerm && !value.empty())
        CheckTerm(where, spec->vocabulary, value);
    }
    for (const ItemFieldSpec& spec : f.item_fields) {
      auto it = item.find(spec.name);
      if (spec.required && (it == item.end() || it->second.empty())) {
        Add(prefix + "." + spec.name, "", "required",
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
  const vocab::Vocabularies& vocabs_;
  std::vector<Violation>* out_;
};

}  // namespace

std::string Violation::ToString() const {
  std::string s = entity + " " + core::Quote(id) + ": field '" + field + "'";
  if (!value.empty()) s += " = " + core::Quote(value);
  s += ": " + rule + ": " + message;
  return s;
}

std::vector<Violation> Validate(const Record& record, const vocab::Vocabularies& vocabularies) {
  std::vector<Violation> out;
  Checker c(record, vocabularies, &out);
  c.CheckId();
  const auto& fields = record.entity().fields;
  for (size_t i = 1; i < fields.size(); ++i) c.CheckField(fields[i], record.Get(i));
  return out;
}

}  // namespace meabridge::model
