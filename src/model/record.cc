#include "model/record.h"

#include <algorithm>
#include <type_traits>

#include "core/xml_text.h"

namespace meabridge::model {
namespace {
template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;
}  // namespace

bool IsEmpty(const Value& v) {
  return std::visit(Overloaded{
                        [](const std::monostate&) { return true; },
                        [](const std::string& s) { return s.empty(); },
                        [](const Multilingual& m) { return m.empty(); },
                        [](const StringList& l) { return l.empty(); },
                        [](const ItemList& l) { return l.empty(); },
                        [](const auto&) { return false; },
                    },
                    v);
}

bool HoldsType(const Value& v, FieldType type) {
  if (std::holds_alternative<std::monostate>(v)) return true;
  switch (type) {
    case FieldType::kString:
    case FieldType::kText:
    case FieldType::kTerm:
      return std::holds_alternative<std::string>(v);
    case FieldType::kMultilingual:
      return std::holds_alternative<Multilingual>(v);
    case FieldType::kDate:
      return std::holds_alternative<core::CivilDate>(v);
    case FieldType::kDateTime:
      return std::holds_alternative<DateTime>(v);
    case FieldType::kBool:
      return std::holds_alternative<bool>(v);
    case FieldType::kInt:
      return std::holds_alternative<int64_t>(v);
    case FieldType::kDouble:
      return std::holds_alternative<double>(v);
    case FieldType::kStringList:
      return std::holds_alternative<StringList>(v);
    case FieldType::kItemList:
      return std::holds_alternative<ItemList>(v);
  }
  return false;
}

void SetText(Multilingual& m, std::string lang, std::string text) {
  auto it = std::lower_bound(m.begin(), m.end(), lang,
                             [](const LangText& a, const std::string& l) { return a.lang < l; });
  if (it != m.end() && it->lang == lang) {
    it->text = std::move(text);
  } else {
    m.insert(it, LangText{std::move(lang), std::move(text)});
  }
}

const std::string* FindText(const Multilingual& m, std::string_view lang) {
  for (const LangText& t : m) {
    if (t.lang == lang) return &t.text;
  }
  return nullptr;
}

std::string ValueToString(const Value& v) {
  return std::visit(Overloaded{
                        [](const std::monostate&) { return std::string("(none)"); },
                        [](const std::string& s) { return s; },
                        [](bool b) { return std::string(b ? "true" : "false"); },
                        [](int64_t i) { return std::to_string(i); },
                        [](double d) {
                          std::string s = std::to_string(d);
                          return s;
                        },
                        [](const core::CivilDate& d) { return core::FormatDate(d); },
                        [](const DateTime& t) { return core::FormatDateTime(t.ms); },
                        [](const Multilingual& m) {
                          std::string s = "{";
                          for (size_t i = 0; i < m.size(); ++i) {
                            if (i) s += ", ";
                            s += m[i].lang + ": " + m[i].text;
                          }
                          return s + "}";
                        },
                        [](const StringList& l) {
                          std::string s = "[";
                          for (size_t i = 0; i < l.size(); ++i) {
                            if (i) s += ", ";
                            s += l[i];
                          }
                          return s + "]";
                        },
                        [](const ItemList& l) {
                          std::string s = "[";
                          for (size_t i = 0; i < l.size(); ++i) {
                            if (i) s += ", ";
                            s += "{";
                            bool first = true;
                            for (const auto& [k, val] : l[i]) {
                              if (!first) s += ", ";
                              first = false;
                              s += k + ": " + val;
                            }
                            s += "}";
                          }
                          return s + "]";
                        },
                    },
                    v);
}

Record::Record(const EntitySpec& entity) : entity_(&entity), values_(entity.fields.size()) {}

const std::string& Record::id() const {
  static const std::string kEmpty;
  const auto* s = std::get_if<std::string>(&values_[EntitySpec::kIdField]);
  return s ? *s : kEmpty;
}

void Record::set_id(std::string id) { values_[EntitySpec::kIdField] = std::move(id); }

const Value* Record::Find(std::string_view field) const {
  int i = entity_->FieldIndex(field);
  return i < 0 ? nullptr : &values_[static_cast<size_t>(i)];
}

bool Record::Set(std::string_view field, Value v) {
  int i = entity_->FieldIndex(field);
  if (i < 0) return false;
  values_[static_cast<size_t>(i)] = std::move(v);
  return true;
}

bool Record::SameContent(const Record& other) const {
  return entity_ == other.entity_ && values_ == other.values_;
}

std::vector<std::string> ReplaceXmlIllegal(Record& record) {
  std::vector<std::string> changed;
  const std::vector<FieldSpec>& fields = record.entity().fields;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i == EntitySpec::kIdField) continue;
    bool any = false;
    std::visit(
        [&any](auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::string>) {
            any = core::ReplaceXmlIllegal(v);
          } else if constexpr (std::is_same_v<T, Multilingual>) {
            for (LangText& t : v) any = core::ReplaceXmlIllegal(t.text) || any;
          } else if constexpr (std::is_same_v<T, StringList>) {
            for (std::string& x : v) any = core::ReplaceXmlIllegal(x) || any;
          } else if constexpr (std::is_same_v<T, ItemList>) {
            for (Item& item : v) {
              for (auto& [name, x] : item) any = core::ReplaceXmlIllegal(x) || any;
            }
          }
        },
        record.Mutable(i));
    if (any) changed.push_back(fields[i].name);
  }
  return changed;
}

}  // namespace meabridge::model
