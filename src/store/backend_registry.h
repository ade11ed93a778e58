// The registry of store backends: which location forms open which backend.
//
// Each backend family exposes `Register(BackendRegistry&)` (store/sqlite/sqlite_store.h,
// store/postgres/postgres_backend.h) and store/open.cc calls them all, in one place: no
// static self-registration (it vanishes from static libraries and runs in no fixed order).
//
// A BackendRegistry is filled once, then only read: reading it is thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "store/store.h"

namespace meabridge::store {

struct Backend {
  std::string name;  // "sqlite", "postgresql"
  // Location prefixes this backend claims, e.g. "sqlite:" or "postgresql://". A location
  // matches the longest prefix (compared ASCII case-insensitively).
  std::vector<std::string> prefixes;
  // True when this backend also takes a location that matches no prefix and names no other
  // scheme ("SCHEME://"): a plain path. At most one backend says so.
  bool plain_paths = false;
  // How the location is written, for the error message about a location nobody claims:
  // "sqlite:PATH or a plain PATH".
  std::string forms;
  // Opens `location` (the whole location; `rest` is what follows the matched prefix, or the
  // whole location for a plain path).
  std::function<Result<std::unique_ptr<Store>>(const std::string& location,
                                               const std::string& rest)>
      open;
};

class BackendRegistry {
 public:
  // REQUIRES: `backend.name` not registered yet.
  void Add(Backend backend);

  // The backend that `location` names, with the part after its prefix in `*rest`; an
  // InvalidArgument status naming the accepted forms when none does.
  Result<const Backend*> Resolve(std::string_view location, std::string* rest) const;

  const std::vector<Backend>& backends() const { return backends_; }

 private:
  std::vector<Backend> backends_;
};

// Fills `registry` with every backend this build knows (store/open.cc: the one place that
// calls each family's Register).
void RegisterAllBackends(BackendRegistry& registry);

}  // namespace meabridge::store
