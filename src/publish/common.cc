#include "publish/common.h"

namespace meabridge::publish {

core::EpochMs LastChange(store::ReadView& view) {
  auto runs = view.Runs("", 1);
  if (!runs.ok() || runs->empty()) return 0;
  const store::RunRecord& r = runs->front();
  return r.finished > 0 ? r.finished : r.started;
}

core::EpochMs StoredAt(const model::Record& record, core::EpochMs fallback) {
  return record.provenance.fetched_at > 0 ? record.provenance.fetched_at : fallback;
}

std::string TitleOf(const model::Record& record) {
  const auto& fields = record.entity().fields;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].type != model::FieldType::kMultilingual) continue;
    const auto* ml = std::get_if<model::Multilingual>(&record.Get(i));
    if (!ml || ml->empty()) continue;
    if (const std::string* en = model::FindText(*ml, "en")) return *en;
    return ml->front().text;
  }
  // A person: the schema.org name parts the registry maps fields to.
  std::string name;
  for (const char* term : {"schema:honorificPrefix", "schema:givenName", "schema:familyName"}) {
    for (size_t i = 0; i < fields.size(); ++i) {
      if (fields[i].jsonld != term) continue;
      const auto* s = std::get_if<std::string>(&record.Get(i));
      if (s && !s->empty()) name += (name.empty() ? "" : " ") + *s;
    }
  }
  if (!name.empty()) return name;
  return record.entity().type_name + " " + record.id();
}

}  // namespace meabridge::publish
