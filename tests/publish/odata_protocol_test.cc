// The smaller protocol points typed clients rely on (issue 13, point 4): V2 $select through a
// navigation property (nav/*, nav/property), IEEE754Compatible=true in V4, the OData 4.0 delta
// form for clients that say OData-MaxVersion: 4.0 (in odata_v4_test.cc,
// ChangeTrackingDeltaLinks), complex values with every declared property,
// and errors in the format the client asked for.
#include <pugixml.hpp>

#include "publish/common.h"
#include "publish_fixture.h"

namespace meabridge::publish::testing {
namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;
const Headers kJson = {{"Accept", "application/json"}};

class ODataProtocolTest : public PublishTest {};

TEST_F(ODataProtocolTest, V2SelectsThroughANavigationProperty) {
  // As the SAP V2 client writes it.
  HttpResult r = Get("/informea.svc/Decisions('d1')?$select=id,number,title/*,keywords/*"
                     "&$expand=title,keywords",
                     kJson);
  ASSERT_EQ(r.status, 200) << r.body;
  auto d = Json(r.body);
  const auto& e = d["d"];
  EXPECT_STREQ(e["id"].GetString(), "d1");
  ASSERT_TRUE(e.HasMember("title") && e["title"].HasMember("results")) << r.body;
  EXPECT_GT(e["title"]["results"].Size(), 0u);
  EXPECT_TRUE(e.HasMember("keywords"));
  EXPECT_FALSE(e.HasMember("content")) << "not selected";
  EXPECT_FALSE(e.HasMember("treaty")) << "not selected";

  HttpResult p = Get("/informea.svc/Decisions('d1')?$select=id,title/language&$expand=title",
                     kJson);
  ASSERT_EQ(p.status, 200) << p.body;
  EXPECT_TRUE(Json(p.body)["d"].HasMember("title"));

  HttpResult bad = Get("/informea.svc/Decisions('d1')?$select=title/lang&$expand=title", kJson);
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("unknown property 'lang' of LocalizedString in 'title/lang'; it has "
                          "id, language, value"),
            std::string::npos)
      << bad.body;
  HttpResult not_nav = Get("/informea.svc/Decisions?$select=number/*", kJson);
  EXPECT_EQ(not_nav.status, 400);
  EXPECT_NE(not_nav.body.find("'number' in 'number/*' is not a navigation property of Decisions"),
            std::string::npos)
      << not_nav.body;
}

TEST_F(ODataProtocolTest, Ieee754CompatibleWritesInt64AndCountsAsStrings) {
  const Headers ieee = {{"Accept", "application/json;IEEE754Compatible=true"}};
  HttpResult r = Get("/odata/v4/Decisions?$count=true&$filter=" + Enc("id eq 'd1'"), ieee);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.Header("content-type").find("IEEE754Compatible=true"), std::string::npos)
      << r.Header("content-type");
  auto d = Json(r.body);
  ASSERT_TRUE(d["@odata.count"].IsString()) << r.body;
  EXPECT_STREQ(d["@odata.count"].GetString(), "1");
  ASSERT_TRUE(d["value"][0]["displayOrder"].IsString()) << r.body;
  EXPECT_STREQ(d["value"][0]["displayOrder"].GetString(), "10");

  HttpResult f = Get("/odata/v4/Decisions('d1')?$format=" +
                     Enc("application/json;IEEE754Compatible=true"));
  ASSERT_EQ(f.status, 200) << f.body;
  EXPECT_STREQ(Json(f.body)["displayOrder"].GetString(), "10") << "asked for by $format";

  HttpResult plain = Get("/odata/v4/Decisions?$count=true&$filter=" + Enc("id eq 'd1'"));
  auto pd = Json(plain.body);
  EXPECT_EQ(pd["@odata.count"].GetInt64(), 1) << "numbers unless asked";
  EXPECT_EQ(pd["value"][0]["displayOrder"].GetInt64(), 10);
  EXPECT_EQ(plain.Header("content-type").find("IEEE754"), std::string::npos);
}

TEST_F(ODataProtocolTest, ComplexValuesWriteEveryDeclaredProperty) {
  HttpResult r = Get("/odata/v4/Decisions('d1')");
  ASSERT_EQ(r.status, 200) << r.body;
  auto d = Json(r.body);
  const model::FieldSpec* files = Set("Decisions").Field("files");
  ASSERT_NE(files, nullptr);
  ASSERT_TRUE(d["files"].IsArray() && d["files"].Size() > 0) << r.body;
  for (const model::ItemFieldSpec& item : files->item_fields) {
    EXPECT_TRUE(d["files"][0].HasMember(item.name.c_str()))
        << "files[0]." << item.name << " is declared: written, null when absent\n"
        << r.body;
  }
  ASSERT_TRUE(d["title"].IsObject());
  for (const char* lang : kUnLanguages) {
    EXPECT_TRUE(d["title"].HasMember(lang)) << lang << " is declared on Multilingual\n" << r.body;
  }
  EXPECT_STREQ(d["title"]["fr"].GetString(), "Diversité biologique et changements climatiques");
  EXPECT_TRUE(d["title"]["ru"].IsNull()) << r.body;
}

TEST_F(ODataProtocolTest, AFormatThisServiceDoesNotWriteIsRefusedInTheFormatAcceptNames) {
  HttpResult json = Get("/informea.svc/Contacts?$format=csv", kJson);
  EXPECT_EQ(json.status, 406);
  EXPECT_NE(json.Header("content-type").find("application/json"), std::string::npos)
      << json.Header("content-type");
  auto d = Json(json.body);
  ASSERT_TRUE(d.IsObject() && d.HasMember("error")) << json.body;
  EXPECT_NE(std::string(d["error"]["message"]["value"].GetString()).find("$format=csv"),
            std::string::npos);

  HttpResult xml = Get("/informea.svc/Contacts?$format=csv");
  EXPECT_EQ(xml.status, 406);
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(xml.body.c_str())) << xml.body;
  EXPECT_STREQ(doc.first_child().name(), "error") << "no Accept: the dialect's default, XML";

  HttpResult v4 = Get("/odata/v4/Contacts?$format=csv", kJson);
  EXPECT_EQ(v4.status, 406);
  EXPECT_TRUE(Json(v4.body).HasMember("error")) << v4.body;
}

}  // namespace
}  // namespace meabridge::publish::testing
