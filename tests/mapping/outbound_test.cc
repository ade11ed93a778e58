// Outbound mappings: canonical records rendered into partner shapes (JSON, JSON lines, XML),
// streaming, with rule failures reported and the record left out.
#include "mapping/outbound.h"

#include <gtest/gtest.h>

#include "core/json.h"
#include "mapping_test_util.h"
#include "support/test_support.h"

namespace meabridge::mapping {
namespace {

using testing::TestVocabularies;

model::Record Contact(const std::string& id, const std::string& country) {
  const model::EntitySpec& e = *model::Registry::Default().Find("Contacts");
  model::Record r(e);
  r.set_id(id);
  r.Set("treaties", model::StringList{"cbd", "cartagena"});
  r.Set("country", country);
  r.Set("firstName", std::string("Ann"));
  r.Set("lastName", std::string("Lee"));
  r.Set("primary", true);
  r.Set("updated", model::DateTime{1600000000000});
  r.Set("roles", model::ItemList{{{"treaty", "cbd"}, {"role", "NFP"}}, {{"role", "Alternate"}}});
  return r;
}

std::string Render(const OutboundMapping& m, const std::vector<model::Record>& records,
                   std::vector<Reject>* rejects = nullptr, const Params& params = {}) {
  codec::StringSink sink;
  auto w = m.NewWriter(sink, params, [rejects](const Reject& r) {
    if (rejects) rejects->push_back(r);
    return Status::Ok();
  });
  EXPECT_TRUE(w.ok()) << w.status().message();
  if (!w.ok()) return "";
  for (const model::Record& r : records) EXPECT_TRUE((*w)->Write(r).ok());
  EXPECT_TRUE((*w)->Finish().ok());
  return sink.Take();
}

TEST(OutboundTest, RendersJsonWithNestingItemsLabelsAndDates) {
  auto m = OutboundMapping::LoadText(R"(<mapping entity="Contacts" direction="outbound">
      <encoder format="json" items="data/people"/>
      <param name="source" default="meabridge"/>
      <field name="key" template="{param.source}:{id}"/>
      <field name="name/first" path="firstName"/>
      <field name="name/last" path="lastName"><step fn="upper"/></field>
      <field name="nation" path="country"><step fn="lookup" vocabulary="countries" output="label"/></field>
      <field name="treaties" path="treaties/*"/>
      <field name="roles" path="roles/*"><item name="t" path="treaty"/><item name="r" path="role"/></field>
      <field name="main" path="primary"/>
      <field name="changed" path="updated"><step fn="format-date" pattern="odata"/></field>
      <field name="fax" path="fax" always="true"/>
      <field name="count" value="2" type="number"/>
    </mapping>)",
                                     "out.xml", false, TestVocabularies());
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ((*m)->content_type(), "application/json");
  std::string out = Render(**m, {Contact("c1", "FR"), Contact("c2", "DE")});
  rapidjson::Document doc;
  ASSERT_TRUE(json::Parse(out, doc).ok()) << out;
  const auto& people = doc["data"]["people"];
  ASSERT_EQ(people.Size(), 2u) << out;
  EXPECT_EQ(json::ToString(people[0]),
            R"({"key":"meabridge:c1","name":{"first":"Ann","last":"LEE"},"nation":"FR label",)"
            R"("treaties":["cbd","cartagena"],"roles":[{"t":"cbd","r":"NFP"},{"r":"Alternate"}],)"
            R"("main":true,"changed":"/Date(1600000000000)/","fax":null,"count":2})");
}

TEST(OutboundTest, JsonLinesAndTopLevelArray) {
  auto lines = OutboundMapping::LoadText(
      R"({"mapping": {"entity": "Contacts", "direction": "outbound", "encoder": {"format": "json-lines"},
          "field": [{"name": "id", "path": "id"}]}})",
      "out.json", true, TestVocabularies());
  ASSERT_TRUE(lines.ok()) << lines.status().message();
  EXPECT_EQ(Render(**lines, {Contact("a", "FR"), Contact("b", "FR")}),
            "{\"id\":\"a\"}\n{\"id\":\"b\"}\n");
  auto array = OutboundMapping::LoadText(
      R"({"mapping": {"entity": "Contacts", "direction": "outbound", "encoder": {"format": "json"},
          "field": [{"name": "id", "path": "id"}]}})",
      "out.json", true, TestVocabularies());
  ASSERT_TRUE(array.ok());
  EXPECT_EQ(Render(**array, {}), "[]\n");
  EXPECT_EQ(Render(**array, {Contact("a", "FR")}), "[{\"id\":\"a\"}]\n");
}

TEST(OutboundTest, RendersXmlWithAttributesNamespacesAndRepeatedElements) {
  auto m = OutboundMapping::LoadText(R"(<mapping entity="Contacts" direction="outbound">
      <encoder format="xml" root="People" item="p:Person">
        <namespace prefix="p" uri="urn:example:people"/>
      </encoder>
      <field name="@id" path="id"/>
      <field name="p:Name/p:First" path="firstName"/>
      <field name="p:Treaty" path="treaties/*"/>
      <field name="p:Note" value="a &lt; b &amp; c"/>
    </mapping>)",
                                     "out.xml", false, TestVocabularies());
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(Render(**m, {Contact("c1", "FR")}),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<People xmlns:p=\"urn:example:people\">\n"
            "<p:Person id=\"c1\"><p:Name><p:First>Ann</p:First></p:Name>"
            "<p:Treaty>cbd</p:Treaty><p:Treaty>cartagena</p:Treaty>"
            "<p:Note>a &lt; b &amp; c</p:Note></p:Person>\n"
            "</People>\n");
}

TEST(OutboundTest, ARecordARuleRefusesIsReportedAndLeftOut) {
  auto m = OutboundMapping::LoadText(R"(<mapping entity="Contacts" direction="outbound">
      <encoder format="json-lines"/>
      <field name="id" path="id"/>
      <field name="code" path="country"><step fn="map"><entry from="FR" to="250"/></step></field>
    </mapping>)",
                                     "out.xml", false, TestVocabularies());
  ASSERT_TRUE(m.ok()) << m.status().message();
  std::vector<Reject> rejects;
  std::string out = Render(**m, {Contact("c1", "FR"), Contact("c2", "DE")}, &rejects);
  EXPECT_EQ(out, "{\"id\":\"c1\",\"code\":\"250\"}\n");
  ASSERT_EQ(rejects.size(), 1u);
  EXPECT_EQ(rejects[0].record_id, "c2");
  EXPECT_EQ(rejects[0].position, "Contacts('c2')");
  EXPECT_EQ(rejects[0].field, "code");
  EXPECT_EQ(rejects[0].rule, "map");
  EXPECT_EQ(rejects[0].value, "DE");
}

TEST(OutboundTest, ParametersAreChecked) {
  auto m = OutboundMapping::LoadText(R"(<mapping entity="Contacts" direction="outbound">
      <encoder format="json-lines"/><param name="site" required="true"/>
      <field name="site" template="{param.site}"/></mapping>)",
                                     "out.xml", false, TestVocabularies());
  ASSERT_TRUE(m.ok());
  codec::StringSink sink;
  auto w = (*m)->NewWriter(sink, {});
  ASSERT_FALSE(w.ok());
  EXPECT_NE(w.status().message().find("missing required parameter 'site'"), std::string::npos);
  EXPECT_EQ(Render(**m, {Contact("c1", "FR")}, nullptr, {{"site", "x"}}), "{\"site\":\"x\"}\n");
}

TEST(OutboundTest, DirectionIsChecked) {
  auto in = OutboundMapping::LoadText(
      R"(<mapping entity="Contacts"><decoder format="json"/><records path="/x"/><id path="id"/></mapping>)",
      "in.xml", false, TestVocabularies());
  ASSERT_FALSE(in.ok());
  EXPECT_NE(in.status().message().find("this is an inbound mapping"), std::string::npos);
  auto bad = OutboundMapping::LoadText(
      R"(<mapping entity="Contacts" direction="outbound"><encoder format="yaml"/></mapping>)",
      "out.xml", false, TestVocabularies());
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("out.xml:1:"), std::string::npos);
  EXPECT_NE(bad.status().message().find("json, json-lines or xml"), std::string::npos);
}

TEST(OutboundTest, ShippedExampleProfilesRender) {
  std::string dir = meabridge::testing::SourceDir() + "/mappings/profiles/";
  auto contacts =
      OutboundMapping::Load(dir + "national-reporting-contacts.json", TestVocabularies());
  ASSERT_TRUE(contacts.ok()) << contacts.status().message();
  std::string out = Render(**contacts, {Contact("c1", "FR")});
  EXPECT_EQ(out,
            "{\"focalPoints\":[{\"id\":\"c1\",\"name\":{\"given\":\"Ann\",\"family\":\"Lee\"},"
            "\"country\":{\"code\":\"FR\",\"name\":\"FR label\"},\"conventions\":[\"CBD\","
            "\"CARTAGENA\"],\"roles\":[{\"convention\":\"CBD\",\"role\":\"NFP\"},{\"role\":"
            "\"Alternate\"}],\"primary\":true,\"lastModified\":\"/Date(1600000000000)/\"}]}\n");

  auto memberships =
      OutboundMapping::Load(dir + "status-table-memberships.xml", TestVocabularies());
  ASSERT_TRUE(memberships.ok()) << memberships.status().message();
  model::Record r(*model::Registry::Default().Find("Memberships"));
  r.set_id("unfccc:FR");
  r.Set("treaty", std::string("unfccc"));
  r.Set("country", std::string("FR"));
  r.Set("status", std::string("ratification"));
  r.Set("signature", core::CivilDate{1992, 6, 13});
  r.Set("consent", core::CivilDate{1994, 3, 25});
  EXPECT_EQ(Render(**memberships, {r}),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<Parties xmlns=\"urn:example:status\">\n"
            "<Party code=\"FR\" treaty=\"unfccc\"><Name>FR label</Name>"
            "<Status>ratification label</Status><Signature>13 Jun 1992</Signature>"
            "<Consent>25 Mar 1994</Consent></Party>\n"
            "</Parties>\n");
}

}  // namespace
}  // namespace meabridge::mapping
