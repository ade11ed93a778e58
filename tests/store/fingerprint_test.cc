#include "store/fingerprint.h"

#include <gtest/gtest.h>

#include <cstring>
#include <set>
#include <vector>

#include "model/registry.h"

namespace meabridge::store {
namespace {

// SMHasher's verification of MurmurHash3_x64_128: hash the keys {}, {0}, {0,1}, ...,
// {0..254} with seed 256-n, then the 256 concatenated results with seed 0; the first four
// bytes, little-endian, are 0x6384BA69.
TEST(Murmur3Test, SmhasherVerificationValue) {
  unsigned char key[256];
  std::vector<unsigned char> hashes(16 * 256);
  for (int i = 0; i < 256; ++i) {
    key[i] = static_cast<unsigned char>(i);
    Fingerprint h = Murmur3x64_128(key, static_cast<size_t>(i), static_cast<uint32_t>(256 - i));
    std::memcpy(&hashes[static_cast<size_t>(i) * 16], h.data(), 16);
  }
  Fingerprint final_hash = Murmur3x64_128(hashes.data(), hashes.size(), 0);
  uint32_t verification =
      static_cast<uint32_t>(final_hash[0]) | (static_cast<uint32_t>(final_hash[1]) << 8) |
      (static_cast<uint32_t>(final_hash[2]) << 16) | (static_cast<uint32_t>(final_hash[3]) << 24);
  EXPECT_EQ(verification, 0x6384BA69u);
}

const model::EntitySpec& Decisions() { return *model::Registry::Default().Find("Decisions"); }

model::Record Sample() {
  model::Record r(Decisions());
  r.set_id("d1");
  r.Set("treaty", model::Value(std::string("cbd")));
  model::Multilingual title;
  model::SetText(title, "fr", "Décision");
  model::SetText(title, "en", "Decision");
  r.Set("title", model::Value(title));
  r.Set("displayOrder", model::Value(int64_t{3}));
  r.Set("published", model::Value(model::DateTime{1588327200000}));
  r.Set("files", model::Value(model::ItemList{{{"url", "http://x/a.pdf"}, {"language", "en"}}}));
  return r;
}

TEST(FingerprinterTest, SameValuesSameFingerprint) {
  Fingerprinter f;
  model::Record a = Sample();
  model::Record b = Sample();
  b.provenance.source = "other";  // provenance is not content
  b.provenance.run_id = 42;
  EXPECT_EQ(f.Of(a), f.Of(b));
  // An empty value is no value, as in the canonical JSON.
  b.Set("number", model::Value(std::string()));
  b.Set("keywords", model::Value(model::ItemList{}));
  EXPECT_EQ(f.Of(a), f.Of(b));
}

TEST(FingerprinterTest, EveryChangeChangesIt) {
  Fingerprinter f;
  std::vector<model::Record> variants(12, Sample());
  variants[1].set_id("d2");
  variants[2].Set("treaty", model::Value(std::string("cms")));
  variants[3].Set("displayOrder", model::Value(int64_t{4}));
  variants[4].Set("displayOrder", model::Value());
  variants[5].Set("published", model::Value(model::DateTime{1588327200001}));
  variants[6].Set("files",
                  model::Value(model::ItemList{{{"url", "http://x/a.pdf"}, {"language", "fr"}}}));
  variants[7].Set("files",
                  model::Value(model::ItemList{{{"url", "http://x/a.pdf"}}, {{"language", "en"}}}));
  model::Multilingual t2;
  model::SetText(t2, "en", "Decision");
  variants[8].Set("title", model::Value(t2));
  variants[9].Set("number", model::Value(std::string("cbd")));  // same text, another field
  variants[10].Set("treaty", model::Value(std::string("cb")));
  variants[10].Set("number", model::Value(std::string("d")));  // no concatenation ambiguity
  variants[11].Set("link", model::Value(std::string("\0", 1)));
  std::set<Fingerprint> seen;
  for (const model::Record& r : variants) seen.insert(f.Of(r));
  EXPECT_EQ(seen.size(), variants.size());
}

}  // namespace
}  // namespace meabridge::store
