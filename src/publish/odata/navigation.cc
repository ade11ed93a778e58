#include "publish/odata/navigation.h"

namespace meabridge::publish::odata {

std::string Capitalise(std::string_view name) {
  std::string out(name);
  if (!out.empty() && out[0] >= 'a' && out[0] <= 'z')
    out[0] = static_cast<char>(out[0] - 'a' + 'A');
  return out;
}

std::vector<Navigation> NavigationsOf(const model::EntitySpec& entity,
                                      const model::Registry& registry) {
  std::vector<Navigation> out;
  for (size_t i = 0; i < entity.fields.size(); ++i) {
    const model::FieldSpec& f = entity.fields[i];
    if (f.vocabulary.empty()) continue;
    if (f.type != model::FieldType::kTerm && f.type != model::FieldType::kStringList) continue;
    const model::EntitySpec* target = registry.Find(f.vocabulary);
    if (!target || target->name != f.vocabulary) continue;
    bool collection = f.type == model::FieldType::kStringList;
    out.push_back(Navigation{f.name + (collection ? "Records" : "Record"), static_cast<int>(i),
                             target, collection});
  }
  return out;
}

const Navigation* FindNavigation(const std::vector<Navigation>& navs, std::string_view name) {
  for (const Navigation& n : navs) {
    if (n.name == name) return &n;
  }
  return nullptr;
}

Result<const model::Record*> RecordLookup::Get(const model::EntitySpec& entity,
                                               const std::string& id) {
  auto key = std::make_pair(entity.set_name, id);
  auto it = cache_.find(key);
  if (it == cache_.end()) {
    MB_ASSIGN_OR_RETURN(std::optional<model::Record> r, view_.Get(entity, id));
    it = cache_.emplace(std::move(key), std::move(r)).first;
  }
  return it->second ? &*it->second : nullptr;
}

}  // namespace meabridge::publish::odata
