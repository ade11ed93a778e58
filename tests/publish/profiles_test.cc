// Partner profiles: /feeds/{profile}/{entity} rendered by the shipped example outbound mappings
// (mappings/profiles/), with $filter, mapping parameters and errors.
#include <pugixml.hpp>

#include "publish_fixture.h"

namespace meabridge::publish::testing {
namespace {

std::string Shipped(const std::string& rel) {
  return meabridge::testing::SourceDir() + "/mappings/" + rel;
}

class ProfilesTest : public PublishTest {
 protected:
  void SetUp() override {
    if (!TestVocabularies())
      GTEST_SKIP() << "iso-codes is not installed: outbound mappings need the vocabularies";
    PublishTest::SetUp();
  }
  config::Config Config() override {
    config::Config c = PublishTest::Config();
    c.profiles.push_back(
        {"national-reporting", Shipped("profiles/national-reporting-contacts.json"), {}});
    c.profiles.push_back({"partner", Shipped("profiles/status-table-memberships.xml"), {}});
    c.profiles.push_back({"partner", Shipped("profiles/national-reporting-contacts.json"), {}});
    return c;
  }
};

TEST_F(ProfilesTest, RendersThePartnersJsonShape) {
  HttpResult r = Get("/feeds/national-reporting/contacts?$filter=" + Enc("country eq 'KE'"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.Header("content-type").find("application/json"), std::string::npos);
  EXPECT_FALSE(r.Header("etag").empty());
  auto d = Json(r.body);
  ASSERT_TRUE(d.HasMember("focalPoints")) << r.body;
  const auto& list = d["focalPoints"];
  ASSERT_EQ(list.Size(), 2u);
  EXPECT_STREQ(list[0]["id"].GetString(), "c04");
  EXPECT_STREQ(list[0]["name"]["given"].GetString(), "Olga");
  EXPECT_STREQ(list[0]["country"]["code"].GetString(), "KE");
  EXPECT_STREQ(list[0]["country"]["name"].GetString(), "Kenya");
  EXPECT_STREQ(list[0]["conventions"][1].GetString(), "CARTAGENA");
  EXPECT_STREQ(list[0]["roles"][0]["role"].GetString(), "BCH NFP");
}

TEST_F(ProfilesTest, OneProfileNameServesSeveralEntitySetsInTheirOwnShapes) {
  HttpResult r = Get("/feeds/partner/memberships?$orderby=id");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.Header("content-type").find("xml"), std::string::npos);
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(r.body.c_str())) << r.body;
  pugi::xml_node parties = doc.child("Parties");
  ASSERT_TRUE(parties);
  pugi::xml_node first = parties.child("Party");
  EXPECT_STREQ(first.attribute("code").value(), "FR");
  EXPECT_STREQ(first.attribute("treaty").value(), "cbd");
  EXPECT_STREQ(first.child_value("Name"), "France");
  EXPECT_EQ(Get("/feeds/partner/contacts").status, 200);
  EXPECT_EQ(Get("/feeds/partner/Contacts").status, 200);
}

TEST_F(ProfilesTest, ErrorsNameTheProblem) {
  HttpResult missing = Get("/feeds/partner/decisions");
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(missing.body.find("publishes memberships, contacts"), std::string::npos)
      << missing.body;
  HttpResult bad = Get("/feeds/partner/contacts?$filter=" + Enc("nope eq 1"));
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("unknown field 'nope'"), std::string::npos);
  HttpResult param = Get("/feeds/partner/contacts?treaty=cbd");
  EXPECT_EQ(param.status, 400) << param.body;
  HttpResult opt = Get("/feeds/partner/contacts?$top=3");
  EXPECT_EQ(opt.status, 400);
  EXPECT_NE(opt.body.find("not supported on partner feeds"), std::string::npos);
  EXPECT_EQ(Get("/feeds/nobody/contacts").status, 404);
  EXPECT_EQ(Get("/feeds/contacts.atom").status, 200) << "the change feeds are still there";
}

TEST(ProfilesLoadTest, AMappingThatDoesNotLoadIsAStartUpError) {
  if (!TestVocabularies()) GTEST_SKIP() << "iso-codes is not installed";
  meabridge::testing::TempDir dir;
  meabridge::testing::WriteFile(dir.File("bad.json"), "{\"mapping\": {\"entity\": \"Nope\"}}");
  config::Config c;
  c.profiles.push_back({"bad", dir.File("bad.json"), {}});
  auto store = store::OpenStore("sqlite:" + dir.File("s.db"));
  ASSERT_TRUE(store.ok());
  auto p = Publisher::Create(c, store->get(), TestVocabularies());
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("profile 'bad'"), std::string::npos) << p.status().ToString();
  config::Config twice;
  twice.profiles.push_back({"p", Shipped("profiles/status-table-memberships.xml"), {}});
  twice.profiles.push_back({"p", Shipped("profiles/status-table-memberships.xml"), {}});
  auto q = Publisher::Create(twice, store->get(), TestVocabularies());
  ASSERT_FALSE(q.ok());
  EXPECT_NE(q.status().message().find("two mappings for Memberships"), std::string::npos);
}

}  // namespace
}  // namespace meabridge::publish::testing
