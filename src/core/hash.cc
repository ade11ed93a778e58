#include "core/hash.h"

#include <Poco/Crypto/DigestEngine.h>

namespace meabridge::core {

struct Hasher::Impl {
  Poco::Crypto::DigestEngine engine{"SHA1"};
};

Hasher::Hasher() : impl_(std::make_unique<Impl>()) {}
Hasher::~Hasher() = default;

std::string Hasher::Hex(std::string_view data) {
  impl_->engine.reset();
  impl_->engine.update(data.data(), static_cast<unsigned>(data.size()));
  return Poco::DigestEngine::digestToHex(impl_->engine.digest());
}

std::string ContentHash(std::string_view data) {
  thread_local Hasher hasher;
  return hasher.Hex(data);
}

}  // namespace meabridge::core
