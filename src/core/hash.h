// Content hashing for change detection and ETags: SHA-1 through OpenSSL's EVP interface, which
// uses the CPU's SHA instructions where present. Not a security boundary: it decides "did this
// record change", and a collision would only make one update look unchanged.
// A Hasher is thread-compatible (one per thread); ContentHash() is thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace meabridge::core {

class Hasher {
 public:
  Hasher();
  ~Hasher();
  Hasher(const Hasher&) = delete;
  Hasher& operator=(const Hasher&) = delete;

  // Lower-case hex SHA-1 of `data` (40 characters).
  std::string Hex(std::string_view data);

  // The same hash of bytes that arrive in pieces: Begin(), Update() for each piece, then
  // Finish() gives what Hex() of their concatenation gives (a response body as it downloads).
  void Begin();
  void Update(std::string_view piece);
  std::string Finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::string ContentHash(std::string_view data);

}  // namespace meabridge::core
