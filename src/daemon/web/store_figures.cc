#include "daemon/web/store_figures.h"

namespace meabridge::daemon::web {

int TreatyField(const model::EntitySpec& e) {
  // `parent` (of Treaties) also draws on the treaty vocabulary but says something else.
  for (size_t i = 0; i < e.fields.size(); ++i) {
    const model::FieldSpec& f = e.fields[i];
    if (f.name == "treaty" && f.vocabulary == "treaties" && f.type == model::FieldType::kTerm) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

Result<std::shared_ptr<const StoreFigures>> StoreFiguresCache::Get(store::Store& store,
                                                                   store::ReadView& view) {
  MB_ASSIGN_OR_RETURN(int64_t seq, view.MaxSeq());
  MB_ASSIGN_OR_RETURN(std::vector<store::RunRecord> newest, view.Runs("", 1));
  int64_t run_id = newest.empty() ? 0 : newest.front().id;
  std::lock_guard<std::mutex> lock(mu_);
  if (figures_ && seq == seq_ && run_id == run_id_) return figures_;
  auto fresh = std::make_shared<StoreFigures>();
  MB_ASSIGN_OR_RETURN(fresh->info, store.Info());
  for (const model::EntitySpec& e : registry_.entities()) {
    int field = TreatyField(e);
    if (field < 0) continue;
    MB_ASSIGN_OR_RETURN(auto counts, view.CountBy(e, field));
    fresh->per_treaty.push_back(StoreFigures::PerTreaty{&e, std::move(counts)});
  }
  figures_ = std::move(fresh);
  seq_ = seq;
  run_id_ = run_id;
  return figures_;
}

}  // namespace meabridge::daemon::web
