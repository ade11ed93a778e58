// TEMPORARY stub, replaced by the store implementation.
#include "store/store.h"
namespace meabridge::store {
Result<std::unique_ptr<Store>> OpenStore(const std::string&) { return Status::Unimplemented("store"); }
}  // namespace meabridge::store
