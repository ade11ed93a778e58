// The element tree refuses documents that nest deeper than configuration and mapping files
// ever do, instead of walking them recursively (a hostile file must not exhaust the stack).
#include <gtest/gtest.h>

#include "codec/doc_tree.h"

namespace meabridge::codec {
namespace {

TEST(DocTreeDepthTest, DeepXmlIsRefused) {
  std::string deep;
  for (int i = 0; i < 100000; ++i) deep += "<a>";
  for (int i = 0; i < 100000; ++i) deep += "</a>";
  auto r = ParseXmlDoc(deep, "deep.xml");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("deep.xml: elements nest deeper than 100 levels"),
            std::string::npos)
      << r.status().message();
  std::string ok;
  for (int i = 0; i < 50; ++i) ok += "<a><b/>";
  for (int i = 0; i < 50; ++i) ok += "</a>";
  EXPECT_TRUE(ParseXmlDoc(ok, "ok.xml").ok());
}

TEST(DocTreeDepthTest, DeepJsonIsRefused) {
  std::string deep = "{\"a\": ";
  for (int i = 0; i < 100000; ++i) deep += "{\"a\": ";
  deep += "{}";
  for (int i = 0; i < 100001; ++i) deep += "}";
  auto r = ParseJsonDoc(deep, "deep.json");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("nest deeper than 100 levels"), std::string::npos)
      << r.status().message();
  std::string arrays = "{\"a\": {\"b\": [";
  for (int i = 0; i < 100000; ++i) arrays += "{\"b\": [";
  auto r2 = ParseJsonDoc(arrays, "deep.json");
  EXPECT_FALSE(r2.ok());
}

// A multi-byte UTF-8 lead byte at the very end of a JSON document (found by fuzzing: the
// validation read past the terminator).
TEST(DocTreeDepthTest, TruncatedUtf8AtTheEndIsAnError) {
  for (const char* text : {"{\"i gppmnalookup pt\xed", "{\"a\": \"\xf0", "{\"a\": \"\xc3"}) {
    auto r = ParseJsonDoc(text, "t.json");
    EXPECT_FALSE(r.ok());
  }
  auto nul = ParseJsonDoc(std::string("{\"a\": {}}\0", 11), "n.json");
  EXPECT_FALSE(nul.ok());
}

}  // namespace
}  // namespace meabridge::codec
