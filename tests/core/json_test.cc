#include "core/json.h"

#include <gtest/gtest.h>

namespace meabridge {
namespace {

TEST(JsonTest, WrongTypeAccessThrowsInsteadOfUndefinedBehaviour) {
  rapidjson::Document doc;
  ASSERT_TRUE(json::Parse(R"({"a": 1})", doc).ok());
  EXPECT_THROW(doc["a"].GetString(), JsonAssertion);
  EXPECT_THROW(doc.GetArray(), JsonAssertion);
}

TEST(JsonTest, ParseErrorsCarryLineAndColumn) {
  rapidjson::Document doc;
  Status s = json::Parse("{\n  \"a\": 1,\n  \"b\": ]\n}", doc);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("line 3, column 8"), std::string::npos) << s.message();
}

TEST(JsonTest, InvalidUtf8IsRefused) {
  rapidjson::Document doc;
  EXPECT_FALSE(json::Parse("{\"a\": \"\xFF\"}", doc).ok());
}

TEST(JsonTest, MemberNeverAsserts) {
  rapidjson::Document doc;
  ASSERT_TRUE(json::Parse(R"({"a": {"b": true}})", doc).ok());
  ASSERT_NE(json::Member(doc, "a"), nullptr);
  EXPECT_EQ(json::Member(doc, "zz"), nullptr);
  EXPECT_EQ(json::Member(doc["a"]["b"], "c"), nullptr);  // not an object
  EXPECT_EQ(json::ToString(doc), R"({"a":{"b":true}})");
}

TEST(JsonTest, DeepNestingDoesNotOverflowTheStack) {
  std::string deep(100000, '[');
  deep += std::string(100000, ']');
  rapidjson::Document doc;
  EXPECT_TRUE(json::Parse(deep, doc).ok());
}

}  // namespace
}  // namespace meabridge
