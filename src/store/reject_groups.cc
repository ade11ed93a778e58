#include "store/reject_groups.h"

#include <algorithm>

#include "core/strings.h"

namespace meabridge::store {

std::vector<RejectGroup> GroupRejects(const std::vector<Reject>& rejects, size_t examples) {
  std::vector<RejectGroup> groups;
  for (const Reject& r : rejects) {
    auto it = std::find_if(groups.begin(), groups.end(), [&](const RejectGroup& g) {
      return g.field == r.field && g.rule == r.rule;
    });
    if (it == groups.end()) {
      groups.push_back(RejectGroup{r.field, r.rule, 0, {}});
      it = groups.end() - 1;
    }
    ++it->count;
    if (it->examples.size() < examples) it->examples.push_back(r);
  }
  std::stable_sort(groups.begin(), groups.end(),
                   [](const RejectGroup& a, const RejectGroup& b) { return a.count > b.count; });
  return groups;
}

std::string RejectLine(const Reject& r) {
  std::string s = r.record_id.empty() ? "(no id)" : core::Quote(r.record_id);
  if (!r.position.empty()) s += " (" + r.position + ")";
  return s + ": " + r.message;
}

}  // namespace meabridge::store
