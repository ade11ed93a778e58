#include "core/hash.h"

#include <openssl/evp.h>

#include <stdexcept>

namespace meabridge::core {

// OpenSSL's EVP interface directly (the library Poco::Crypto wraps): Poco's DigestEngine looks
// the digest up by name on every reset(), which cost a third of a 1 KB hash.
struct Hasher::Impl {
  struct CtxDeleter {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
  };
  std::unique_ptr<EVP_MD_CTX, CtxDeleter> ctx{EVP_MD_CTX_new()};
};

Hasher::Hasher() : impl_(std::make_unique<Impl>()) {
  if (!impl_->ctx) throw std::runtime_error("OpenSSL: cannot allocate a digest context");
}
Hasher::~Hasher() = default;

std::string Hasher::Hex(std::string_view data) {
  Begin();
  Update(data);
  return Finish();
}

void Hasher::Begin() {
  static const EVP_MD* const kSha1 = EVP_sha1();
  if (EVP_DigestInit_ex(impl_->ctx.get(), kSha1, nullptr) != 1) {
    throw std::runtime_error("OpenSSL: SHA-1 failed");
  }
}

void Hasher::Update(std::string_view piece) {
  if (EVP_DigestUpdate(impl_->ctx.get(), piece.data(), piece.size()) != 1) {
    throw std::runtime_error("OpenSSL: SHA-1 failed");
  }
}

std::string Hasher::Finish() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(impl_->ctx.get(), digest, &len) != 1) {
    throw std::runtime_error("OpenSSL: SHA-1 failed");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(static_cast<size_t>(len) * 2, '0');
  for (unsigned int i = 0; i < len; ++i) {
    out[2 * i] = kHex[digest[i] >> 4];
    out[2 * i + 1] = kHex[digest[i] & 0xF];
  }
  return out;
}

std::string ContentHash(std::string_view data) {
  thread_local Hasher hasher;
  return hasher.Hex(data);
}

}  // namespace meabridge::core
