#include "store/postgres/postgres_backend.h"

namespace meabridge::store::postgres {

void Register(BackendRegistry& registry) {
  Backend b;
  b.name = "postgresql";
  b.prefixes = {"postgresql://", "postgres://"};
  b.forms = "a postgresql://USER@HOST/DB URL";
  b.open = [](const std::string&, const std::string&) -> Result<std::unique_ptr<Store>> {
    return Status::Unimplemented(
        "the PostgreSQL store comes with a later version of meabridge: for now point <store "
        "location> at an SQLite file (sqlite:PATH)");
  };
  registry.Add(std::move(b));
}

}  // namespace meabridge::store::postgres
