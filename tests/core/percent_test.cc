#include "core/percent.h"

#include <gtest/gtest.h>

namespace meabridge::core {
namespace {

TEST(PercentTest, EncodesAllButUnreservedAndKept) {
  EXPECT_EQ(PercentEncode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(PercentEncode("a b&c=d/e"), "a%20b%26c%3Dd%2Fe");
  EXPECT_EQ(PercentEncode("a b/ü'", "'"), "a%20b%2F%C3%BC'");
  EXPECT_EQ(PercentEncode(std::string_view("\0\xff", 2)), "%00%FF");
  // `keep` is ASCII only: a UTF-8 byte is always encoded.
  EXPECT_EQ(PercentEncode("\xc3\xbc", "\xc3\xbc"), "%C3%BC");
}

TEST(PercentTest, DecodesStrictly) {
  EXPECT_EQ(PercentDecode("a%2Fb%2fc").value_or("?"), "a/b/c");
  EXPECT_EQ(PercentDecode("a+b").value_or("?"), "a+b");
  EXPECT_EQ(PercentDecode("a+b%2B", true).value_or("?"), "a b+");
  EXPECT_EQ(PercentDecode("%41").value_or("?"), "A");
  EXPECT_EQ(PercentDecode("").value_or("?"), "");
  for (std::string_view bad : {"%", "%4", "a%zz", "%4g", "100%"}) {
    EXPECT_FALSE(PercentDecode(bad)) << bad;
  }
}

TEST(PercentTest, DecodesLenientlyKeepingMalformedEscapes) {
  EXPECT_EQ(PercentDecodeLenient("a%2Fb+c", true), "a/b c");
  EXPECT_EQ(PercentDecodeLenient("a%2Fb+c"), "a/b+c");
  EXPECT_EQ(PercentDecodeLenient("100%"), "100%");
  EXPECT_EQ(PercentDecodeLenient("%4"), "%4");
  EXPECT_EQ(PercentDecodeLenient("%zz%41"), "%zzA");
}

TEST(PercentTest, DecodingUndoesEncoding) {
  std::string all;
  for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
  EXPECT_EQ(PercentDecode(PercentEncode(all)).value_or("?"), all);
  EXPECT_EQ(PercentDecodeLenient(PercentEncode(all), true), all);
}

}  // namespace
}  // namespace meabridge::core
