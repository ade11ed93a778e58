// XML documents: namespaces resolved by us, nulls, positions, no DTD and no entity expansion.
#include "codec/xml_doc.h"

#include <gtest/gtest.h>

namespace meabridge::codec {
namespace {

std::unique_ptr<XmlDocument> Parse(const std::string& text, std::vector<XmlNamespace> ns = {}) {
  auto d = XmlDocument::Parse(text, ns, "doc.xml");
  EXPECT_TRUE(d.ok()) << d.status().message();
  return d.ok() ? std::move(*d) : nullptr;
}

std::vector<std::string> Texts(const XmlDocument& doc, const char* xpath) {
  std::vector<std::string> out;
  for (const pugi::xpath_node& n : doc.document().select_nodes(xpath)) {
    std::string s;
    if (n.attribute()) {
      s = n.attribute().value();
    } else {
      XmlDocument::StringValue(n.node(), &s);
    }
    out.push_back(s);
  }
  return out;
}

TEST(XmlDocTest, DeclaredNamespacesGetTheCallersPrefixes) {
  auto doc = Parse(R"(<feed xmlns="http://www.w3.org/2005/Atom" xmlns:x="urn:x">
      <entry><x:id>1</x:id></entry>
      <entry xmlns:y="urn:x"><y:id>2</y:id></entry>
      <other:entry xmlns:other="http://www.w3.org/2005/Atom"><x:id>3</x:id></other:entry>
    </feed>)",
                   {{"a", kAtomNs}, {"d", "urn:x"}});
  ASSERT_TRUE(doc);
  EXPECT_EQ(Texts(*doc, "/a:feed/a:entry/d:id"), (std::vector<std::string>{"1", "2", "3"}));
}

TEST(XmlDocTest, UndeclaredNamespacesLeaveLocalNames) {
  auto doc = Parse(
      R"(<m:root xmlns:m="urn:m" xmlns="urn:default"><item xml:lang="fr" m:k="v">t</item></m:root>)");
  EXPECT_EQ(Texts(*doc, "/root/item"), (std::vector<std::string>{"t"}));
  EXPECT_EQ(Texts(*doc, "/root/item/@xml:lang"), (std::vector<std::string>{"fr"}));
  EXPECT_EQ(Texts(*doc, "/root/item/@k"), (std::vector<std::string>{"v"}));
}

TEST(XmlDocTest, EmptyPrefixGivesBareNames) {
  auto doc = Parse(R"(<p:a xmlns:p="urn:p"><p:b>x</p:b></p:a>)", {{"", "urn:p"}});
  EXPECT_EQ(Texts(*doc, "/a/b"), (std::vector<std::string>{"x"}));
}

TEST(XmlDocTest, NullsAreMarked) {
  auto doc = Parse(R"(<r xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata"
                         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
      <a m:null="true"/><b xsi:nil="true"/><c m:null="false"/></r>)");
  pugi::xml_node r = doc->root();
  EXPECT_TRUE(doc->IsNil(r.child("a")));
  EXPECT_TRUE(doc->IsNil(r.child("b")));
  EXPECT_FALSE(doc->IsNil(r.child("c")));
}

TEST(XmlDocTest, PositionsNameTheElementAndLine) {
  auto doc = Parse("<P>\n<T><Row/><Row/>\n<Row><E/></Row></T>\n</P>", {});
  pugi::xml_node row3 = doc->root().child("T").last_child();
  EXPECT_EQ(doc->PositionOf(row3), "/P/T/Row[3] (line 3)");
  EXPECT_EQ(doc->PositionOf(row3.child("E")), "/P/T/Row[3]/E (line 3)");
  auto ns = Parse("<feed xmlns=\"http://www.w3.org/2005/Atom\">\n<entry/>\n<entry/></feed>",
                  {{"a", kAtomNs}});
  EXPECT_EQ(ns->PositionOf(ns->root().last_child()), "/a:feed/a:entry[2] (line 3)");
}

TEST(XmlDocTest, NoDtdNoEntityExpansion) {
  auto doc = Parse(R"(<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY e "EXPANDED"><!ENTITY ext SYSTEM "file:///etc/passwd">]>
<r><a>&e;</a><b>&ext;</b><c>&amp;&#233;</c></r>)");
  ASSERT_TRUE(doc);
  EXPECT_EQ(Texts(*doc, "/r/a"), (std::vector<std::string>{"&e;"}));
  EXPECT_EQ(Texts(*doc, "/r/b"), (std::vector<std::string>{"&ext;"}));
  EXPECT_EQ(Texts(*doc, "/r/c"), (std::vector<std::string>{"&\xc3\xa9"}));
}

TEST(XmlDocTest, MalformedXmlGivesLineAndColumn) {
  auto d = XmlDocument::Parse("<r>\n  <a>\n</r>", {}, "doc.xml");
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("doc.xml:3:"), std::string::npos) << d.status().message();
  EXPECT_NE(d.status().message().find("XML error"), std::string::npos);
  EXPECT_FALSE(XmlDocument::Parse("", {}, "e.xml").ok());
  EXPECT_FALSE(XmlDocument::Parse("just text", {}, "t.xml").ok());
}

TEST(XmlDocTest, DeepDocumentsDoNotRecurse) {
  std::string deep;
  for (int i = 0; i < 100000; ++i) deep += "<a xmlns:p=\"urn:p\">";
  deep += "x";
  for (int i = 0; i < 100000; ++i) deep += "</a>";
  auto doc = Parse(deep, {{"q", "urn:p"}});
  ASSERT_TRUE(doc);
  std::string text;
  XmlDocument::StringValue(doc->root(), &text);
  EXPECT_EQ(text, "x");
}

}  // namespace
}  // namespace meabridge::codec
