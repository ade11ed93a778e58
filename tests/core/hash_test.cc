#include "core/hash.h"

#include <gtest/gtest.h>

namespace meabridge::core {
namespace {

TEST(HashTest, Sha1KnownAnswers) {
  EXPECT_EQ(ContentHash(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(ContentHash("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
  Hasher h;
  EXPECT_EQ(h.Hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(h.Hex("abc"), h.Hex("abc"));  // reusable
  EXPECT_NE(h.Hex("abd"), h.Hex("abc"));
}

}  // namespace
}  // namespace meabridge::core
