#include "store/postgres/postgres_backend.h"

#include "store/postgres/postgres_store.h"

namespace meabridge::store::postgres {

void Register(BackendRegistry& registry) {
  Backend b;
  b.name = "postgresql";
  b.prefixes = {"postgresql://", "postgres://"};
  b.forms = "a postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE URL";
  b.open = [](const std::string& location, const std::string&) {
    return OpenPostgresStore(location);
  };
  registry.Add(std::move(b));
}

}  // namespace meabridge::store::postgres
