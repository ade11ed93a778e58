// Navigation between entity sets, derived from the registry: a field whose vocabulary names an
// entity set (a term or list of terms of "treaties") links to that set's records. The link is
// the field's name + "Record" (one key) or + "Records" (a list): Memberships.treaty ->
// treatyRecord, Contacts.treaties -> treatiesRecords, Treaties.parent -> parentRecord. (Not
// the field's name capitalised: names that differ only in case break the SAP generator and
// OData 4.01 clients that match names case-insensitively.) OData V4 declares them as
// navigation properties and expands them with $expand; nothing else keeps a list of them.
//
// Also the per-request record lookup expansions use (one store read per distinct key).
//
// Navigation lists are computed from the immutable registry: thread-safe. A RecordLookup is
// used by one request.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "model/record.h"
#include "model/registry.h"
#include "store/store.h"

namespace meabridge::publish::odata {

struct Navigation {
  std::string name;                           // "treatyRecord"
  int field = -1;                             // the field holding the key(s)
  const model::EntitySpec* target = nullptr;  // Treaties
  bool collection = false;                    // a list of keys
};

std::vector<Navigation> NavigationsOf(const model::EntitySpec& entity,
                                      const model::Registry& registry);
const Navigation* FindNavigation(const std::vector<Navigation>& navs, std::string_view name);

// "roles" -> "Roles".
std::string Capitalise(std::string_view name);

// Live records by (entity set, key), read through the request's snapshot once each.
class RecordLookup {
 public:
  explicit RecordLookup(store::ReadView& view) : view_(view) {}
  // nullptr when there is no such live record.
  Result<const model::Record*> Get(const model::EntitySpec& entity, const std::string& id);

 private:
  store::ReadView& view_;
  std::map<std::pair<std::string, std::string>, std::optional<model::Record>> cache_;
};

}  // namespace meabridge::publish::odata
