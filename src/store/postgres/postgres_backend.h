// The PostgreSQL store backend's registration: claims "postgresql://" and "postgres://"
// locations and opens them with OpenPostgresStore (store/postgres/postgres_store.h).
//
// Stateless: thread-safe.
#pragma once

#include "store/backend_registry.h"

namespace meabridge::store::postgres {

void Register(BackendRegistry& registry);

}  // namespace meabridge::store::postgres
