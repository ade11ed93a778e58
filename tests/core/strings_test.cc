#include "core/strings.h"

#include <gtest/gtest.h>

namespace meabridge::core {
namespace {

TEST(StringsTest, TrimCaseSplitJoin) {
  EXPECT_EQ(Trim("  a b \t\r\n"), "a b");
  EXPECT_EQ(Trim(""), "");
  EXPECT_EQ(AsciiLower("ÉtÉ AbC"), "ÉtÉ abc");
  EXPECT_EQ(AsciiUpper("abc-1"), "ABC-1");
  EXPECT_TRUE(EqualsIgnoreCase("Contacts", "cONTACTS"));
  EXPECT_FALSE(EqualsIgnoreCase("Contact", "Contacts"));
  EXPECT_EQ(Split("a,,b", ','), (std::vector<std::string>{"a", "", "b"}));
  EXPECT_EQ(Split("a, b, c", ", "), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(Join({"a", "b"}, "|"), "a|b");
}

TEST(StringsTest, Utf8Validation) {
  size_t bad = 99;
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("Côte d’Ivoire 中国 𝄞"));
  EXPECT_FALSE(IsValidUtf8("ab\xC3", &bad));  // truncated
  EXPECT_EQ(bad, 2u);
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xFF"));
}

TEST(StringsTest, UrlScheme) {
  EXPECT_EQ(UrlScheme("mysql://u:p@h/db"), "mysql");
  EXPECT_EQ(UrlScheme("postgresql://h/db"), "postgresql");
  EXPECT_EQ(UrlScheme("svn+ssh://h"), "svn+ssh");
  EXPECT_EQ(UrlScheme("sqlite:mb.db"), "");
  EXPECT_EQ(UrlScheme("data/mb.db"), "");
  EXPECT_EQ(UrlScheme("/var/lib/a://b"), "") << "a path holding :// is not a URL";
  EXPECT_EQ(UrlScheme("://x"), "");
  EXPECT_EQ(UrlScheme("1http://x"), "");
}

TEST(StringsTest, StrictNumbers) {
  EXPECT_EQ(ParseInt("42"), 42);
  EXPECT_EQ(ParseInt("-7"), -7);
  EXPECT_EQ(ParseInt("+7"), 7);
  EXPECT_FALSE(ParseInt("4 2"));
  EXPECT_FALSE(ParseInt("42x"));
  EXPECT_FALSE(ParseInt(""));
  EXPECT_FALSE(ParseInt("99999999999999999999"));
  EXPECT_DOUBLE_EQ(*ParseDouble("12.5"), 12.5);
  EXPECT_FALSE(ParseDouble("nan"));
  EXPECT_FALSE(ParseDouble("1e999"));
}

TEST(StringsTest, QuoteCutsOnACodePointBoundary) {
  EXPECT_EQ(Quote("abc"), "\"abc\"");
  EXPECT_EQ(Quote("ééé", 3), "\"é...\"");
}

}  // namespace
}  // namespace meabridge::core
