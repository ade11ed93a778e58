#include "store/fingerprint.h"

#include <cstring>
#include <type_traits>
#include <variant>

namespace meabridge::store {
namespace {

inline uint64_t Rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

inline uint64_t Fmix(uint64_t k) {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  k *= 0xc4ceb9fe1a85ec53ULL;
  k ^= k >> 33;
  return k;
}

inline uint64_t Load64(const unsigned char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];  // little-endian whatever the host
  return v;
}

// Little-endian, whatever the host.
void PutU32(std::string& b, uint32_t v) {
  char bytes[4];
  for (int i = 0; i < 4; ++i) bytes[i] = static_cast<char>((v >> (8 * i)) & 0xff);
  b.append(bytes, 4);
}
void PutU64(std::string& b, uint64_t v) {
  char bytes[8];
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((v >> (8 * i)) & 0xff);
  b.append(bytes, 8);
}
void PutStr(std::string& b, std::string_view s) {
  PutU32(b, static_cast<uint32_t>(s.size()));
  b.append(s.data(), s.size());
}

}  // namespace

Fingerprint Murmur3x64_128(const void* data, size_t len, uint32_t seed) {
  const auto* bytes = static_cast<const unsigned char*>(data);
  const size_t nblocks = len / 16;
  uint64_t h1 = seed;
  uint64_t h2 = seed;
  const uint64_t c1 = 0x87c37b91114253d5ULL;
  const uint64_t c2 = 0x4cf5ad432745937fULL;
  for (size_t i = 0; i < nblocks; ++i) {
    uint64_t k1 = Load64(bytes + i * 16);
    uint64_t k2 = Load64(bytes + i * 16 + 8);
    k1 *= c1;
    k1 = Rotl(k1, 31);
    k1 *= c2;
    h1 ^= k1;
    h1 = Rotl(h1, 27);
    h1 += h2;
    h1 = h1 * 5 + 0x52dce729;
    k2 *= c2;
    k2 = Rotl(k2, 33);
    k2 *= c1;
    h2 ^= k2;
    h2 = Rotl(h2, 31);
    h2 += h1;
    h2 = h2 * 5 + 0x38495ab5;
  }
  const unsigned char* tail = bytes + nblocks * 16;
  const size_t rest = len & 15;
  uint64_t k1 = 0;
  uint64_t k2 = 0;
  for (size_t i = rest; i > 8; --i) k2 ^= static_cast<uint64_t>(tail[i - 1]) << (8 * (i - 9));
  if (rest > 8) {
    k2 *= c2;
    k2 = Rotl(k2, 33);
    k2 *= c1;
    h2 ^= k2;
  }
  for (size_t i = rest < 8 ? rest : 8; i > 0; --i) {
    k1 ^= static_cast<uint64_t>(tail[i - 1]) << (8 * (i - 1));
  }
  if (rest > 0) {
    k1 *= c1;
    k1 = Rotl(k1, 31);
    k1 *= c2;
    h1 ^= k1;
  }
  h1 ^= static_cast<uint64_t>(len);
  h2 ^= static_cast<uint64_t>(len);
  h1 += h2;
  h2 += h1;
  h1 = Fmix(h1);
  h2 = Fmix(h2);
  h1 += h2;
  h2 += h1;
  Fingerprint out;
  for (int i = 0; i < 8; ++i) {
    out[static_cast<size_t>(i)] = static_cast<unsigned char>((h1 >> (8 * i)) & 0xff);
    out[static_cast<size_t>(i) + 8] = static_cast<unsigned char>((h2 >> (8 * i)) & 0xff);
  }
  return out;
}

Fingerprint Fingerprinter::Of(const model::Record& record) {
  buf_.clear();
  const auto& values = record.values();
  for (size_t i = 0; i < values.size(); ++i) {
    const model::Value& v = values[i];
    if (model::IsEmpty(v)) continue;
    PutU32(buf_, static_cast<uint32_t>(i));
    buf_.push_back(static_cast<char>(v.index()));
    std::visit(
        [this](const auto& x) {
          using X = std::decay_t<decltype(x)>;
          if constexpr (std::is_same_v<X, std::string>) {
            PutStr(buf_, x);
          } else if constexpr (std::is_same_v<X, bool>) {
            buf_.push_back(x ? 1 : 0);
          } else if constexpr (std::is_same_v<X, int64_t>) {
            PutU64(buf_, static_cast<uint64_t>(x));
          } else if constexpr (std::is_same_v<X, double>) {
            uint64_t bits;
            std::memcpy(&bits, &x, sizeof bits);
            PutU64(buf_, bits);
          } else if constexpr (std::is_same_v<X, core::CivilDate>) {
            PutU32(buf_, static_cast<uint32_t>(x.year));
            buf_.push_back(static_cast<char>(x.month));
            buf_.push_back(static_cast<char>(x.day));
          } else if constexpr (std::is_same_v<X, model::DateTime>) {
            PutU64(buf_, static_cast<uint64_t>(x.ms));
          } else if constexpr (std::is_same_v<X, model::Multilingual>) {
            PutU32(buf_, static_cast<uint32_t>(x.size()));
            for (const model::LangText& t : x) {
              PutStr(buf_, t.lang);
              PutStr(buf_, t.text);
            }
          } else if constexpr (std::is_same_v<X, model::StringList>) {
            PutU32(buf_, static_cast<uint32_t>(x.size()));
            for (const std::string& s : x) PutStr(buf_, s);
          } else if constexpr (std::is_same_v<X, model::ItemList>) {
            PutU32(buf_, static_cast<uint32_t>(x.size()));
            for (const model::Item& item : x) {
              PutU32(buf_, static_cast<uint32_t>(item.size()));
              for (const auto& [k, val] : item) {
                PutStr(buf_, k);
                PutStr(buf_, val);
              }
            }
          }
        },
        v);
  }
  return Murmur3x64_128(buf_.data(), buf_.size(), 0);
}

}  // namespace meabridge::store
