// A record of any registry entity with every field set, for tests that must hold for every
// entity the registry declares (storage round trips, every published form): they iterate over
// Registry::Default().entities() and build their records here, so an entity added to the
// registry is covered without a test naming it.
//
// Header-only (tests/support/ builds *.cc into a library that does not link the model).
#pragma once

#include <map>
#include <string>

#include "core/time.h"
#include "model/record.h"
#include "model/registry.h"

namespace meabridge::testing {

// A canonical code of each vocabulary the registry names (valid where records are validated).
inline std::string CodeOf(const std::string& vocabulary, int n) {
  static const std::map<std::string, std::string> codes[2] = {
      {{"treaties", "cbd"},
       {"countries", "FR"},
       {"languages", "en"},
       {"membership-status", "ratification"},
       {"decision-type", "decision"},
       {"decision-status", "adopted"},
       {"meeting-type", "cop"},
       {"meeting-status", "confirmed"}},
      {{"treaties", "cms"},
       {"countries", "KE"},
       {"languages", "fr"},
       {"membership-status", "accession"},
       {"decision-type", "resolution"},
       {"decision-status", "active"},
       {"meeting-type", "cop"},
       {"meeting-status", "tentative"}},
  };
  const auto& table = codes[n % 2];
  auto it = table.find(vocabulary);
  return it == table.end() ? "x" : it->second;
}

// A value of `type` that differs with `n` (1, 2 ...) and names the field, so that a value
// found in a rendering can be traced back to its field.
inline std::string TextOf(const std::string& field, int n) {
  return field + " " + std::to_string(n) + " é";
}

inline std::string ItemValue(const model::ItemFieldSpec& i, int n) {
  switch (i.type) {
    case model::FieldType::kTerm:
      return CodeOf(i.vocabulary, n);
    case model::FieldType::kInt:
      return std::to_string(n);
    case model::FieldType::kDouble:
      return std::to_string(n) + ".5";
    case model::FieldType::kBool:
      return "true";
    case model::FieldType::kDate:
      return "2020-01-0" + std::to_string(1 + n % 9);
    default:
      return TextOf(i.name, n);
  }
}

// Every field of `entity` set; `updated` at 2024-01-0n.
inline model::Record FullRecord(const model::EntitySpec& entity, const std::string& id, int n = 1) {
  using model::FieldType;
  model::Record r(entity);
  r.set_id(id);
  for (size_t k = 1; k < entity.fields.size(); ++k) {
    const model::FieldSpec& f = entity.fields[k];
    model::Value v;
    switch (f.type) {
      case FieldType::kString:
      case FieldType::kText:
        v = TextOf(f.name, n);
        break;
      case FieldType::kTerm:
        v = CodeOf(f.vocabulary, n);
        break;
      case FieldType::kMultilingual: {
        model::Multilingual m;
        model::SetText(m, "en", TextOf(f.name, n));
        model::SetText(m, "fr", TextOf(f.name, n) + " fr");
        v = std::move(m);
        break;
      }
      case FieldType::kDate:
        v = *core::ParseDate("2020-02-0" + std::to_string(1 + n % 9));
        break;
      case FieldType::kDateTime:
        v = model::DateTime{
            *core::ParseDateTime("2024-01-0" + std::to_string(1 + n % 9) + "T10:00:00Z")};
        break;
      case FieldType::kBool:
        v = (n % 2) == 1;
        break;
      case FieldType::kInt:
        v = static_cast<int64_t>(n * 10);
        break;
      case FieldType::kDouble:
        v = n + 0.25;
        break;
      case FieldType::kStringList:
        v = f.vocabulary.empty() ? model::StringList{TextOf(f.name, n), TextOf(f.name, n + 1)}
                                 : model::StringList{CodeOf(f.vocabulary, n)};
        break;
      case FieldType::kItemList: {
        model::Item item;
        for (const model::ItemFieldSpec& i : f.item_fields) item[i.name] = ItemValue(i, n);
        v = model::ItemList{item};
        break;
      }
    }
    r.Set(k, std::move(v));
  }
  return r;
}

}  // namespace meabridge::testing
