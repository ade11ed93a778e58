// OpenStore and the one place that registers every store backend (STYLE.md: plugins register
// explicitly).
#include "core/strings.h"
#include "store/backend_registry.h"
#include "store/postgres/location.h"
#include "store/postgres/postgres_backend.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store.h"

namespace meabridge::store {

void RegisterAllBackends(BackendRegistry& registry) {
  sqlite::Register(registry);
  postgres::Register(registry);
}

Result<std::unique_ptr<Store>> OpenStore(const std::string& location) {
  static const BackendRegistry* const registry = [] {
    auto* r = new BackendRegistry();  // never destroyed: stores may outlive static destructors
    RegisterAllBackends(*r);
    return r;
  }();
  std::string trimmed(core::Trim(location));
  std::string rest;
  MB_ASSIGN_OR_RETURN(const Backend* backend, registry->Resolve(trimmed, &rest));
  return backend->open(trimmed, rest);
}

std::string RedactStoreLocation(std::string_view location) {
  return postgres::RedactLocation(location);
}

Result<std::unique_ptr<SourceLease>> Store::TryLeaseSource(std::string_view source,
                                                           std::string_view, int64_t) {
  return Status::Unimplemented("this store cannot lease source " + core::Quote(source) +
                               " to one holder among several");
}

}  // namespace meabridge::store
