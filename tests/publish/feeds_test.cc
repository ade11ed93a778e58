// The Atom change feeds (/feeds/ENTITY.atom), JSON-LD (/ld/), CSV exports (/export/) and the
// vocabularies (/vocab/).
#include <pugixml.hpp>

#include <set>

#include "publish/csv/csv.h"
#include "publish_fixture.h"

namespace meabridge::publish::testing {
namespace {

class FeedsTest : public PublishTest {};

// The tests below that exercise the store run on every backend (support/store_backends.h).
class FeedsStoresTest : public meabridge::testing::OnEachStore<FeedsTest> {};

TEST_P(FeedsStoresTest, AtomFeedInChangeOrderWithTombstones) {
  std::vector<std::string> ids;
  std::vector<std::string> deleted;
  std::string target = "/feeds/contacts.atom";
  int pages = 0;
  while (!target.empty()) {
    HttpResult r = Get(target);
    ASSERT_EQ(r.status, 200) << target << r.body;
    EXPECT_NE(r.Header("content-type").find("application/atom+xml"), std::string::npos);
    pugi::xml_document doc;
    ASSERT_TRUE(doc.load_string(r.body.c_str())) << r.body;
    pugi::xml_node feed = doc.child("feed");
    EXPECT_TRUE(feed.child("id") && feed.child("title") && feed.child("updated"));
    for (pugi::xml_node n : feed.children()) {
      std::string name = n.name();
      if (name == "entry") {
        EXPECT_TRUE(n.child("id") && n.child("title") && n.child("updated"));
        ids.emplace_back(n.child("content").child("m:properties").child_value("d:id"));
      } else if (name == "at:deleted-entry") {
        deleted.emplace_back(n.attribute("ref").value());
        EXPECT_STRNE(n.attribute("when").value(), "");
      }
    }
    target.clear();
    for (pugi::xml_node l : feed.children("link")) {
      if (std::string(l.attribute("rel").value()) == "next") {
        std::string href = l.attribute("href").value();
        target = href.substr(href.find("/feeds/"));
      }
    }
    ++pages;
  }
  EXPECT_EQ(pages, 4);
  // First run: c01..c19 in order (c20 was deleted after); then the second run's change of c03.
  ASSERT_EQ(ids.size(), 19u);
  EXPECT_EQ(ids.front(), "c01");
  EXPECT_EQ(ids.back(), "c03") << "c03 changed last";
  ASSERT_EQ(deleted.size(), 1u);
  EXPECT_NE(deleted[0].find("/odata/v4/Contacts('c20')"), std::string::npos);
  HttpResult bad = Get("/feeds/contacts.atom?after=x");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("non-negative"), std::string::npos);
  HttpResult unknown = Get("/feeds/people.atom");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_NE(unknown.body.find("no entity 'people'"), std::string::npos);
  EXPECT_EQ(Get("/feeds/Treaties.atom").status, 200) << "set names work too";
}

TEST_F(FeedsTest, JsonLdNodesAndContext) {
  HttpResult ctx = Get("/ld/context/treaties.jsonld");
  ASSERT_EQ(ctx.status, 200);
  auto c = Json(ctx.body);
  const auto& terms = c["@context"];
  EXPECT_STREQ(terms["title"]["@id"].GetString(), "schema:name");
  EXPECT_STREQ(terms["title"]["@container"].GetString(), "@language");
  EXPECT_STREQ(terms["entryIntoForce"]["@type"].GetString(), "xsd:date");
  EXPECT_STREQ(terms["depositary"].GetString(), "informea:depositary");
  EXPECT_STREQ(terms["Treaty"].GetString(), "schema:Legislation");
  HttpResult one = Get("/ld/treaties/nagoya");
  ASSERT_EQ(one.status, 200);
  EXPECT_NE(one.Header("content-type").find("application/ld+json"), std::string::npos);
  auto n = Json(one.body);
  const auto& node = n["@graph"][0];
  EXPECT_NE(std::string(node["@id"].GetString()).find("/ld/treaties/nagoya"), std::string::npos);
  EXPECT_STREQ(node["title"]["zh-hans"].GetString(), "名古屋议定书");
  HttpResult page = Get("/ld/contacts");
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.Header("link").find("rel=\"next\""), std::string::npos);
  EXPECT_EQ(Get("/ld/contacts/nobody").status, 404);
  EXPECT_EQ(Get("/ld/nothing").status, 404);
  auto index = Json(Get("/ld/").body);
  EXPECT_EQ(index["entitySets"].Size(), Reg().entities().size());
}

TEST_P(FeedsStoresTest, CsvColumnsComeFromTheRegistry) {
  HttpResult r = Get("/export/treaties.csv");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.Header("content-type").find("text/csv"), std::string::npos);
  EXPECT_EQ(r.Header("transfer-encoding"), "chunked");
  std::string header = r.body.substr(0, r.body.find("\r\n"));
  std::string want;
  for (const std::string& col : csv::Columns(Set("Treaties"), csv::DefaultLanguages())) {
    want += (want.empty() ? "" : ",") + col;
  }
  EXPECT_EQ(header, want);
  EXPECT_NE(header.find("title.en,title.es,title.fr"), std::string::npos) << header;
  EXPECT_NE(r.body.find("cbd,2019-01-01T00:00:00Z,,Convention on Biological Diversity,"
                        "Convenio sobre la Diversidad Biológica,Convention sur la diversité "
                        "biologique"),
            std::string::npos)
      << r.body;
  HttpResult nagoya = Get("/export/treaties.csv?languages=en,zh&$filter=" + Enc("id eq 'nagoya'"));
  EXPECT_NE(nagoya.body.find("title.en,title.zh"), std::string::npos);
  EXPECT_NE(nagoya.body.find("Nagoya Protocol,名古屋议定书"), std::string::npos) << nagoya.body;
  HttpResult contacts =
      Get("/export/contacts.csv?$filter=" + Enc("id eq 'c13' or id eq 'c04'") + "&$orderby=id");
  std::vector<std::string> lines = core::Split(contacts.body, "\r\n");
  ASSERT_GE(lines.size(), 3u) << contacts.body;
  EXPECT_NE(lines[1].find("c04,"), std::string::npos);
  EXPECT_NE(lines[1].find("cbd|cartagena"), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find("\"[{\"\"role\"\":\"\"BCH NFP\"\",\"\"treaty\"\":\"\"cartagena\"\"}"),
            std::string::npos)
      << lines[1];
  EXPECT_NE(lines[2].find("O'Brien"), std::string::npos);
  HttpResult bad = Get("/export/contacts.csv?$filter=" + Enc("country eq"));
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(Get("/export/contacts.json").status, 404);
  EXPECT_EQ(Get("/export/contacts.csv?languages=e%20n").status, 400);
}

TEST_F(FeedsTest, Vocabularies) {
  if (!TestVocabularies())
    GTEST_SKIP() << "iso-codes is not installed: the vocabularies cannot load";
  auto index = Json(Get("/vocab/").body);
  std::set<std::string> names;
  for (const auto& v : index["vocabularies"].GetArray()) names.insert(v["name"].GetString());
  EXPECT_TRUE(names.count("countries"));
  EXPECT_TRUE(names.count("treaties"));
  HttpResult fr = Get("/vocab/countries/FR");
  ASSERT_EQ(fr.status, 200) << fr.body;
  auto f = Json(fr.body);
  EXPECT_STREQ(f["code"].GetString(), "FR");
  EXPECT_TRUE(f.HasMember("labels"));
  auto treaties = Json(Get("/vocab/treaties").body);
  bool cartagena = false;
  for (const auto& t : treaties["terms"].GetArray()) {
    if (std::string(t["code"].GetString()) == "cartagena") {
      cartagena = true;
      EXPECT_STREQ(t["parent"].GetString(), "cbd");
    }
  }
  EXPECT_TRUE(cartagena);
  EXPECT_EQ(Get("/vocab/planets").status, 404);
  EXPECT_EQ(Get("/vocab/countries/XX").status, 404);
}

INSTANTIATE_TEST_SUITE_P(Stores, FeedsStoresTest,
                         ::testing::ValuesIn(meabridge::testing::StoreBackends()),
                         meabridge::testing::StoreBackendName);

}  // namespace
}  // namespace meabridge::publish::testing
