// Record fingerprints: a 128-bit hash of a record's field values, so that Upsert can tell an
// unchanged record without serializing it to canonical JSON and hashing that with SHA-1
// (which costs most of an unchanged upsert).
//
// The fingerprint only short-cuts the "unchanged" answer: equal fingerprints mean equal values
// (a collision is as likely as 2^-128 per comparison). Different fingerprints fall back to
// the content hash (SHA-1 of model::ContentJson), which stays the definition of "changed" and
// is computed for every version the store writes.
//
// The encoding is fixed (docs/store.md): each field with a value (empty strings, lists and
// multilingual texts count as no value, as in the canonical JSON), in registry order, as its
// index, a type tag and the value's bytes with lengths, hashed with MurmurHash3_x64_128 (seed
// 0). Changing it changes every stored fingerprint: records would then take the SHA-1 path
// until rewritten, so a change needs a versioned migration that clears the _fp columns.
//
// A Fingerprinter is thread-compatible (one per writer); it reuses one buffer.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "model/record.h"

namespace meabridge::store {

using Fingerprint = std::array<unsigned char, 16>;

// MurmurHash3_x64_128 by Austin Appleby (public domain): out = h1 then h2, little-endian.
Fingerprint Murmur3x64_128(const void* data, size_t len, uint32_t seed);

class Fingerprinter {
 public:
  Fingerprint Of(const model::Record& record);

 private:
  std::string buf_;
};

}  // namespace meabridge::store
