#include "codec/doc_tree.h"

#include <gtest/gtest.h>

namespace meabridge::codec {
namespace {

constexpr const char* kXml = R"(<?xml version="1.0"?>
<mapping entity="Contacts">
  <param name="treaty" required="true"/>
  <field name="country" path="country">
    <lookup vocabulary="countries"/>
  </field>
  <field name="email" path="email"/>
  <note>free text</note>
</mapping>
)";

constexpr const char* kJson = R"({"mapping": {
  "entity": "Contacts",
  "param": {"name": "treaty", "required": true},
  "field": [
    {"name": "country", "path": "country", "lookup": {"vocabulary": "countries"}},
    {"name": "email", "path": "email"}
  ],
  "note": {"#text": "free text"}
}})";

// Compares trees ignoring positions.
void ExpectSameTree(const DocNode& a, const DocNode& b) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.text, b.text) << a.name;
  ASSERT_EQ(a.attributes.size(), b.attributes.size()) << a.name;
  for (size_t i = 0; i < a.attributes.size(); ++i) {
    EXPECT_EQ(a.attributes[i].name, b.attributes[i].name);
    EXPECT_EQ(a.attributes[i].value, b.attributes[i].value);
  }
  ASSERT_EQ(a.children.size(), b.children.size()) << a.name;
  for (size_t i = 0; i < a.children.size(); ++i) ExpectSameTree(a.children[i], b.children[i]);
}

TEST(DocTreeTest, XmlAndJsonFormsGiveTheSameTree) {
  Result<DocNode> x = ParseXmlDoc(kXml, "m.xml");
  Result<DocNode> j = ParseJsonDoc(kJson, "m.json");
  ASSERT_TRUE(x.ok()) << x.status().ToString();
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  ExpectSameTree(*x, *j);
  EXPECT_EQ(x->Children("field").size(), 2u);
  EXPECT_EQ(x->Child("field")->Child("lookup")->Get("vocabulary"), "countries");
  EXPECT_EQ(j->Child("param")->Get("required"), "true");
}

TEST(DocTreeTest, PositionsPointAtTheElement) {
  Result<DocNode> x = ParseXmlDoc(kXml, "m.xml");
  ASSERT_TRUE(x.ok());
  const DocNode* lookup = x->Children("field")[0]->Child("lookup");
  EXPECT_EQ(lookup->position.ToString(), "m.xml:5:5");
  EXPECT_EQ(lookup->Where(), "<lookup> at m.xml:5:5");
  Result<DocNode> j = ParseJsonDoc(kJson, "m.json");
  ASSERT_TRUE(j.ok());
  EXPECT_EQ(j->Children("field")[1]->position.line, 6);
  EXPECT_EQ(j->Child("field")->Attribute("path")->position.line, 5);
}

TEST(DocTreeTest, RoundTripsThroughTheOtherForm) {
  Result<DocNode> x = ParseXmlDoc(kXml, "m.xml");
  ASSERT_TRUE(x.ok());
  Result<DocNode> j = ParseJsonDoc(ToJson(*x), "converted.json");
  ASSERT_TRUE(j.ok()) << j.status().ToString() << "\n" << ToJson(*x);
  ExpectSameTree(*x, *j);
  Result<DocNode> back = ParseXmlDoc(ToXml(*j), "back.xml");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ExpectSameTree(*x, *back);
}

TEST(DocTreeTest, ArraysOfStringsAreTextChildren) {
  Result<DocNode> j = ParseJsonDoc(R"({"first": {"path": ["a", "b"]}})", "f.json");
  ASSERT_TRUE(j.ok());
  ASSERT_EQ(j->Children("path").size(), 2u);
  EXPECT_EQ(j->Children("path")[1]->text, "b");
}

TEST(DocTreeTest, BadDocumentsSayWhereAndWhat) {
  struct Case {
    bool json;
    const char* text;
    const char* expect;
  };
  const Case cases[] = {
      {false, "<a>\n  <b>\n</a>", "x:3:"},
      {false, "", "x"},
      {true, "{\"a\": {\"b\": 1,}}", "x:1:"},
      {true, "[1, 2]", "the document must be an object"},
      {true, "{\"a\": {}, \"b\": {}}", "exactly one root element"},
      {true, "{\"a\": 3}", "root member must hold an object"},
      {true, "{\"a\": {\"b\": [1, null]}}", "null inside the array 'b'"},
      {true, "{\"a\": {\"b\": \"\xFF\"}}", "x:1:"},
  };
  for (const Case& c : cases) {
    Result<DocNode> r = c.json ? ParseJsonDoc(c.text, "x") : ParseXmlDoc(c.text, "x");
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_NE(r.status().message().find(c.expect), std::string::npos)
        << c.text << " -> " << r.status().message();
  }
}

TEST(DocTreeTest, DoctypeAndEntitiesAreNotProcessed) {
  const char* xxe = R"(<?xml version="1.0"?>
<!DOCTYPE a [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<a v="&xxe;">&xxe;</a>)";
  Result<DocNode> r = ParseXmlDoc(xxe, "x.xml");
  if (r.ok()) {
    EXPECT_EQ(r->text.find("root:"), std::string::npos);
    EXPECT_EQ(r->Get("v").find("root:"), std::string::npos);
  }
}

// Issue 14, point 9: pugixml would take these as text; they are refused at their position.
TEST(DocTreeTest, NotUtf8AndUnexpandedEntitiesAreRefusedAtTheirPosition) {
  struct Case {
    std::string text;
    std::string says;
  };
  const Case cases[] = {
      {"<a>\n  <b v=\"caf\xE9.db\"/>\n</a>",
       "x.xml:2:12: not UTF-8 (byte 0xE9); save the file as UTF-8"},
      {"<a>\n <b>\xC3</b></a>", "x.xml:2:5: not UTF-8 (byte 0xC3)"},
      {"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<a v=\"\xFC\"/>", "x.xml:2:7: not UTF-8"},
      {"<a>\n  <store location=\"&h;.db\"/>\n</a>",
       "x.xml:2:20: the entity reference &h; is not expanded (DTDs are not read"},
      {"<!DOCTYPE a [<!ENTITY h \"x\">]>\n<a>&h;</a>", "x.xml:2:4: the entity reference &h;"},
      {"<a v=\"a & b\"/>", "x.xml:1:9: a bare '&'; write &amp;"},
      {"<a>&#xZZ;</a>", "x.xml:1:4: the entity reference &#xZZ;"},
  };
  for (const Case& c : cases) {
    Result<DocNode> r = ParseXmlDoc(c.text, "x.xml");
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_NE(r.status().message().find(c.says), std::string::npos)
        << c.text << " -> " << r.status().message();
  }
  // What XML defines is read as before; comments, CDATA and the DOCTYPE are not looked into.
  Result<DocNode> ok = ParseXmlDoc(
      "<!DOCTYPE a [<!ENTITY h \"&amp x\">]>\n<!-- &h; & -->\n"
      "<a v=\"&amp;&lt;&gt;&quot;&apos;&#233;&#xE9;\"><![CDATA[&h; &]]></a>",
      "x.xml");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->Get("v"), "&<>\"'\xC3\xA9\xC3\xA9");
}

TEST(DocTreeTest, FileTypeByExtension) {
  Result<DocNode> r = LoadDocFile("/nonexistent/config.yaml");
  ASSERT_FALSE(r.ok());
  Result<DocNode> missing = LoadDocFile("/nonexistent/config.xml");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("/nonexistent/config.xml"), std::string::npos);
}

}  // namespace
}  // namespace meabridge::codec
