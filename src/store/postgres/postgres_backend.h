// The PostgreSQL store backend's registration. This version claims "postgresql://" and
// "postgres://" locations and answers Unimplemented: the PostgreSQL store comes with a later
// version (it must then pass tests/store/store_contract_test.cc like the SQLite store).
//
// Stateless: thread-safe.
#pragma once

#include "store/backend_registry.h"

namespace meabridge::store::postgres {

void Register(BackendRegistry& registry);

}  // namespace meabridge::store::postgres
