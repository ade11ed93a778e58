// The spool's table of seen ids (harvest/spool.h): what it keeps and finds, at the sizes a
// run reaches, with the id hashes the spool gives it.
#include <gtest/gtest.h>

#include <string>
#include <unordered_map>

#include "harvest/spool.h"

namespace meabridge::harvest {
namespace {

TEST(SeenIdsTest, KeepsTheFirstValueOfEachIdAndFindsEveryOne) {
  SeenIds seen;
  std::unordered_map<uint64_t, uint64_t> reference;
  constexpr int kIds = 300'000;  // past several growths
  for (int i = 0; i < kIds; ++i) {
    const uint64_t key = IdHash("c" + std::to_string(i));
    auto [kept, inserted] = seen.Emplace(key, static_cast<uint64_t>(i));
    auto [it, ref_inserted] = reference.emplace(key, static_cast<uint64_t>(i));
    ASSERT_EQ(inserted, ref_inserted) << i;
    ASSERT_EQ(kept, it->second) << i;
  }
  EXPECT_EQ(seen.size(), reference.size());
  // Every id again: found, with the value of its first time.
  for (int i = 0; i < kIds; i += 7) {
    const uint64_t key = IdHash("c" + std::to_string(i));
    auto [kept, inserted] = seen.Emplace(key, 999);
    EXPECT_FALSE(inserted) << i;
    EXPECT_EQ(kept, static_cast<uint64_t>(i));
    EXPECT_TRUE(seen.Contains(key));
  }
  for (int i = 0; i < 10'000; ++i) {
    EXPECT_FALSE(seen.Contains(IdHash("other" + std::to_string(i)))) << i;
  }
  EXPECT_EQ(seen.size(), static_cast<size_t>(kIds));
}

TEST(SeenIdsTest, KeyZeroAndAnEmptyTable) {
  SeenIds seen;
  EXPECT_FALSE(seen.Contains(0));
  EXPECT_FALSE(seen.Contains(42));
  EXPECT_TRUE(seen.Emplace(0, 5).second);
  EXPECT_TRUE(seen.Contains(0));
  EXPECT_EQ(seen.Emplace(0, 6).first, 5u);
  // Keys that differ only in their high bits still land apart.
  for (uint64_t k = 1; k <= 5000; ++k) EXPECT_TRUE(seen.Emplace(k << 40, k).second) << k;
  for (uint64_t k = 1; k <= 5000; ++k) EXPECT_EQ(seen.Emplace(k << 40, 0).first, k) << k;
}

}  // namespace
}  // namespace meabridge::harvest
