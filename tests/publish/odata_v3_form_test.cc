// The V3 form of the InforMEA dialect at /informea.svc/v3/ (odata_v2/service.h, kV3Root): the
// same service as /informea.svc/ whose verbose JSON writes expanded collections inline as
// arrays and Contacts roles grouped by treaty, as the InforMEA harvester's ODataConsumerV3
// (../shared/corpus/informea-harvester/odata/ODataConsumerV3.inc) reads CBD's V3 service.
#include "publish_fixture.h"

namespace meabridge::publish::testing {
namespace {

const std::vector<std::pair<std::string, std::string>> kJson = {{"Accept", "application/json"}};

class ODataV3FormTest : public PublishTest {
 protected:
  void SetUp() override {
    PublishTest::SetUp();
    Record c = MakeContact({"v3p1",
                            "BB",
                            {"cbd", "cartagena"},
                            "John",
                            "Doe",
                            "2024-01-01T00:00:00Z",
                            true,
                            ItemList{Item{{"treaty", "cartagena"}, {"role", "BCH NFP"}},
                                     Item{{"treaty", "nagoya"}, {"role", "ABS NFP"}},
                                     Item{{"treaty", "cartagena"}, {"role", "Primary NFP"}},
                                     Item{{"role", "no treaty"}}}});
    Record d(Set("Decisions"));
    d.set_id("v3d1");
    d.Set("treaty", Value(std::string("cbd")));
    d.Set("title", Value(Ml({{"fr", "Titre"}, {"en", "Title"}})));
    d.Set("files",
          Value(ItemList{
              Item{{"url", "https://cbd.int/doc/a.pdf"}, {"filename", "a"}, {"language", "en"}}}));
    d.Set("updated", Value(model::DateTime{Ms("2024-01-02T00:00:00Z")}));
    Commit(fixture_.store(), "cbd", {c, d}, {}, Ms("2024-02-01T00:00:00Z"));
  }
};

TEST_F(ODataV3FormTest, ExpandedCollectionsAreInlineArrays) {
  HttpResult r = Get("/informea.svc/v3/Decisions('v3d1')?$expand=title,files", kJson);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("dataserviceversion"), "3.0;");
  rapidjson::Document doc = Json(r.body);
  const auto& e = doc["d"];
  ASSERT_TRUE(e["title"].IsArray()) << r.body;
  ASSERT_EQ(e["title"].Size(), 2u);
  EXPECT_STREQ(e["title"][0]["language"].GetString(), "en");
  EXPECT_STREQ(e["title"][0]["value"].GetString(), "Title");
  EXPECT_STREQ(e["title"][1]["language"].GetString(), "fr");
  ASSERT_TRUE(e["files"].IsArray()) << r.body;
  EXPECT_STREQ(e["files"][0]["filename"].GetString(), "a.pdf");
  // Links stay within the V3 root; an unexpanded collection is a __deferred link, as in V2.
  std::string uri = e["__metadata"]["uri"].GetString();
  EXPECT_NE(uri.find("/informea.svc/v3/Decisions('v3d1')"), std::string::npos) << uri;
  std::string deferred = e["keywords"]["__deferred"]["uri"].GetString();
  EXPECT_NE(deferred.find("/informea.svc/v3/Decisions('v3d1')/keywords"), std::string::npos);
}

TEST_F(ODataV3FormTest, TheV2FormKeepsItsResultsWrapper) {
  HttpResult r = Get("/informea.svc/Decisions('v3d1')?$expand=title", kJson);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("dataserviceversion"), "2.0;");
  rapidjson::Document doc = Json(r.body);
  ASSERT_TRUE(doc["d"]["title"].IsObject()) << r.body;
  EXPECT_EQ(doc["d"]["title"]["results"].Size(), 2u);
}

TEST_F(ODataV3FormTest, ContactRolesAreGroupedByTreaty) {
  HttpResult r =
      Get("/informea.svc/v3/"
          "Contacts?$top=10&$skip=0&$expand=treaties,roles&$filter=id%20eq%20%27v3p1%27",
          kJson);
  ASSERT_EQ(r.status, 200) << r.body;
  rapidjson::Document doc = Json(r.body);
  const auto& results = doc["d"]["results"];
  ASSERT_EQ(results.Size(), 1u) << r.body;
  const auto& c = results[0];
  ASSERT_TRUE(c["treaties"].IsArray()) << r.body;
  EXPECT_STREQ(c["treaties"][1]["value"].GetString(), "cartagena");
  const auto& roles = c["roles"];
  ASSERT_TRUE(roles.IsArray()) << r.body;
  ASSERT_EQ(roles.Size(), 2u) << "a role without a treaty is left out: " << r.body;
  EXPECT_STREQ(roles[0]["treaty"].GetString(), "cartagena");
  ASSERT_EQ(roles[0]["roles"].Size(), 2u);
  EXPECT_STREQ(roles[0]["roles"][0].GetString(), "BCH NFP");
  EXPECT_STREQ(roles[0]["roles"][1].GetString(), "Primary NFP");
  EXPECT_STREQ(roles[1]["treaty"].GetString(), "nagoya");
  EXPECT_STREQ(roles[1]["roles"][0].GetString(), "ABS NFP");
  // The navigation property's own feed keeps d.results (what ODataConsumerV3 reads from a
  // __deferred link), its children in the V3 shape.
  HttpResult nav = Get("/informea.svc/v3/Contacts('v3p1')/roles", kJson);
  ASSERT_EQ(nav.status, 200) << nav.body;
  rapidjson::Document nd = Json(nav.body);
  ASSERT_EQ(nd["d"]["results"].Size(), 2u) << nav.body;
  EXPECT_TRUE(nd["d"]["results"][0]["roles"].IsArray());
}

TEST_F(ODataV3FormTest, ServiceDocumentMetadataCountAndAtomAnswer) {
  HttpResult svc = Get("/informea.svc/v3/", kJson);
  ASSERT_EQ(svc.status, 200) << svc.body;
  EXPECT_NE(svc.body.find("\"Decisions\""), std::string::npos);
  HttpResult meta = Get("/informea.svc/v3/$metadata");
  ASSERT_EQ(meta.status, 200);
  EXPECT_EQ(meta.body, Get("/informea.svc/$metadata").body);
  HttpResult count = Get("/informea.svc/v3/Decisions/$count");
  ASSERT_EQ(count.status, 200);
  EXPECT_EQ(count.body, Get("/informea.svc/Decisions/$count").body);
  HttpResult atom = Get("/informea.svc/v3/Decisions('v3d1')");
  ASSERT_EQ(atom.status, 200);
  EXPECT_NE(atom.body.find("xml:base=\"http://127.0.0.1:" + std::to_string(port_) +
                           "/informea.svc/v3/\""),
            std::string::npos)
      << atom.body;
}

}  // namespace
}  // namespace meabridge::publish::testing
