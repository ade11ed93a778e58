// The InforMEA OData V2 dialect (/informea.svc/): the requests the InforMEA portal's harvester
// makes (ws_consumer_odata: $count, then pages of 100 with $top/$skip ordered by updated desc
// with $expand, Accept: application/json; single entries; __deferred children), verbose JSON,
// Atom by default, $metadata.
#include <pugixml.hpp>

#include <set>

#include "publish_fixture.h"

namespace meabridge::publish::testing {
namespace {

const std::vector<std::pair<std::string, std::string>> kJson = {{"Accept", "application/json"}};

class ODataV2Test : public PublishTest {
 protected:
  config::Config Config() override {
    config::Config c = PublishTest::Config();
    c.server_max_top = 1000;
    return c;
  }

  void ExpectV2Error(const std::string& target, int status, const std::string& part) {
    HttpResult r = Get(target, kJson);
    EXPECT_EQ(r.status, status) << target << "\n" << r.body;
    auto d = Json(r.body);
    ASSERT_TRUE(d.IsObject() && d.HasMember("error")) << r.body;
    std::string message = d["error"]["message"]["value"].GetString();
    EXPECT_NE(message.find(part), std::string::npos) << message;
    // The same error in XML without Accept.
    HttpResult x = Get(target);
    EXPECT_EQ(x.status, status);
    pugi::xml_document doc;
    ASSERT_TRUE(doc.load_string(x.body.c_str())) << x.body;
    EXPECT_STREQ(doc.first_child().name(), "error");
  }
};

// The tests below that exercise the store run on every backend (support/store_backends.h).
class ODataV2StoresTest : public meabridge::testing::OnEachStore<ODataV2Test> {};

TEST_P(ODataV2StoresTest, HarvesterReplaySeesEveryRecordOnce) {
  // 230 more contacts, so that the harvester's pages of 100 are really paged.
  std::vector<Record> more;
  for (int i = 0; i < 230; ++i) {
    char id[16];
    std::snprintf(id, sizeof id, "h%03d", i);
    char updated[32];
    std::snprintf(updated, sizeof updated, "2019-%02d-%02dT00:00:00Z", 1 + i % 12, 1 + i % 7);
    Record r = MakeContact({"", "KE", {"cbd"}, "Bulk", "Contact", updated, i % 2 == 0});
    r.set_id(id);
    more.push_back(std::move(r));
  }
  Commit(fixture_.store(), "more", more, {}, Ms("2023-09-01T00:00:00Z"));

  // countTotal(): GET {url}/{entity}/$count.
  HttpResult count = Get("/informea.svc/Contacts/$count");
  ASSERT_EQ(count.status, 200);
  int total = std::stoi(count.body);
  EXPECT_EQ(total, 249);
  // getPaginatedData(): ?$top=100&$skip=N + the listing query string, until an empty page.
  std::vector<std::string> ids;
  for (int skip = 0;; skip += 100) {
    std::string target = "/informea.svc/Contacts?$top=100&$skip=" + std::to_string(skip) +
                         "&$expand=treaties&$orderby=updated%20desc,id";
    HttpResult page = Get(target, kJson);
    ASSERT_EQ(page.status, 200) << target << page.body;
    auto d = Json(page.body);
    ASSERT_TRUE(d["d"]["results"].IsArray());
    if (d["d"]["results"].Empty()) break;
    for (const auto& row : d["d"]["results"].GetArray()) {
      ids.emplace_back(row["id"].GetString());
      // treaties expanded as {value} children (loadNavigationProperty reads ->results).
      ASSERT_TRUE(row["treaties"].HasMember("results")) << target;
      EXPECT_TRUE(row["treaties"]["results"][0].HasMember("value"));
    }
    ASSERT_LT(skip, 1000) << "the service does not stop paging";
  }
  EXPECT_EQ(static_cast<int>(ids.size()), total);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size()) << "no duplicates";
  // The fallback count: ?$inlinecount=allpages in Atom, <m:count>.
  HttpResult inline_count = Get("/informea.svc/Contacts?$inlinecount=allpages&$top=1");
  EXPECT_NE(inline_count.body.find("<m:count>249</m:count>"), std::string::npos);
  // An incremental harvest: $filter=updated gt datetime'...'.
  HttpResult since = Get(
      "/informea.svc/Contacts?$top=100&$skip=0&$expand=treaties&$orderby=updated%20desc&$filter=" +
          Enc("updated gt datetime'2022-03-01T00:00:00'"),
      kJson);
  ASSERT_EQ(since.status, 200) << since.body;
  EXPECT_EQ(Json(since.body)["d"]["results"].Size(), 4u);
}

TEST_P(ODataV2StoresTest, VerboseJsonShape) {
  HttpResult r = Get("/informea.svc/Contacts?$top=2&$inlinecount=allpages&$orderby=id", kJson);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("dataserviceversion"), "2.0;");
  // Dates as \/Date(ms)\/ (escaped slashes, as WCF writes them).
  EXPECT_NE(r.body.find("\"updated\":\"\\/Date(1577872800000)\\/\""), std::string::npos) << r.body;
  auto d = Json(r.body);
  EXPECT_STREQ(d["d"]["__count"].GetString(), "19");
  const auto& first = d["d"]["results"][0];
  EXPECT_STREQ(first["__metadata"]["type"].GetString(), "informea.Contact");
  EXPECT_NE(
      std::string(first["__metadata"]["uri"].GetString()).find("/informea.svc/Contacts('c01')"),
      std::string::npos);
  EXPECT_STREQ(first["updated"].GetString(), "/Date(1577872800000)/");
  EXPECT_TRUE(first["primary"].GetBool());
  EXPECT_TRUE(first["fax"].IsNull());
  EXPECT_TRUE(first["treaties"].HasMember("__deferred")) << "not expanded";
  // Server paging without $top: __next, which continues where the page stopped.
  HttpResult paged = Get("/informea.svc/Contacts?$orderby=id", kJson);
  auto pd = Json(paged.body);
  ASSERT_TRUE(pd["d"].HasMember("__next"));
  std::string next = pd["d"]["__next"].GetString();
  auto second = Json(Get(next.substr(next.find("/informea.svc/")), kJson).body);
  EXPECT_STREQ(second["d"]["results"][0]["id"].GetString(), "c06");
}

TEST_F(ODataV2Test, MultilingualFieldsAreExpandableChildren) {
  HttpResult r = Get("/informea.svc/Decisions('d1')?$expand=title,files", kJson);
  ASSERT_EQ(r.status, 200) << r.body;
  auto d = Json(r.body);
  const auto& title = d["d"]["title"]["results"];
  ASSERT_EQ(title.Size(), 2u);
  EXPECT_STREQ(title[0]["language"].GetString(), "en");
  EXPECT_STREQ(title[1]["value"].GetString(), "Diversité biologique et changements climatiques");
  EXPECT_STREQ(title[0]["__metadata"]["type"].GetString(), "informea.LocalizedString");
  EXPECT_STREQ(d["d"]["files"]["results"][0]["url"].GetString(), "https://example.org/d1.pdf");
  EXPECT_TRUE(d["d"]["summary"].HasMember("__deferred"));
  EXPECT_STREQ(d["d"]["published"].GetString(), "/Date(1543492800000)/");
  // The deferred URI answers {"d": {"results": [...]}}.
  std::string deferred = d["d"]["summary"]["__deferred"]["uri"].GetString();
  HttpResult children = Get(deferred.substr(deferred.find("/informea.svc/")), kJson);
  ASSERT_EQ(children.status, 200);
  EXPECT_TRUE(Json(children.body)["d"]["results"].IsArray());
  HttpResult titles = Get("/informea.svc/Decisions('d1')/title", kJson);
  EXPECT_EQ(Json(titles.body)["d"]["results"].Size(), 2u);
}

TEST_F(ODataV2Test, SingleEntriesAnd404) {
  HttpResult r = Get("/informea.svc/Contacts('c01')?$expand=treaties", kJson);
  ASSERT_EQ(r.status, 200);
  auto d = Json(r.body);
  EXPECT_STREQ(d["d"]["id"].GetString(), "c01");
  EXPECT_STREQ(d["d"]["treaties"]["results"][0]["value"].GetString(), "cbd");
  // itemExists(): a missing id answers 404 (with no Accept header, in XML).
  HttpResult missing = Get("/informea.svc/Contacts('no-such-id')");
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(missing.body.find("no-such-id"), std::string::npos);
  EXPECT_EQ(Get("/informea.svc/Contacts(guid'c01')", kJson).status, 200);
}

TEST_F(ODataV2Test, AtomByDefaultWithTheDataServicesNamespaces) {
  HttpResult r =
      Get("/informea.svc/Contacts?$top=3&$orderby=id&$expand=treaties&$inlinecount=allpages");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.Header("content-type").find("application/atom+xml"), std::string::npos);
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(r.body.c_str())) << r.body;
  pugi::xml_node feed = doc.child("feed");
  EXPECT_STREQ(feed.attribute("xmlns").value(), "http://www.w3.org/2005/Atom");
  EXPECT_STREQ(feed.attribute("xmlns:d").value(),
               "http://schemas.microsoft.com/ado/2007/08/dataservices");
  EXPECT_STREQ(feed.attribute("xmlns:m").value(),
               "http://schemas.microsoft.com/ado/2007/08/dataservices/metadata");
  EXPECT_STREQ(feed.child_value("m:count"), "19");
  int entries = 0;
  for (pugi::xml_node e : feed.children("entry")) {
    ++entries;
    pugi::xml_node props = e.child("content").child("m:properties");
    EXPECT_TRUE(props.child("d:id")) << "entry " << entries;
    EXPECT_STREQ(props.child("d:updated").attribute("m:type").value(), "Edm.DateTime");
    EXPECT_STREQ(props.child("d:fax").attribute("m:null").value(), "true");
    bool inline_treaties = false;
    for (pugi::xml_node l : e.children("link")) {
      if (std::string(l.attribute("title").value()) == "treaties" && l.child("m:inline")) {
        inline_treaties = true;
      }
    }
    EXPECT_TRUE(inline_treaties);
  }
  EXPECT_EQ(entries, 3);
  HttpResult entry = Get("/informea.svc/Contacts('c01')");
  pugi::xml_document e;
  ASSERT_TRUE(e.load_string(entry.body.c_str())) << entry.body;
  EXPECT_STREQ(e.first_child().name(), "entry");
}

TEST_F(ODataV2Test, MetadataAndServiceDocument) {
  HttpResult r = Get("/informea.svc/$metadata");
  ASSERT_EQ(r.status, 200);
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(r.body.c_str()));
  pugi::xml_node schema = doc.child("edmx:Edmx").child("edmx:DataServices").child("Schema");
  ASSERT_TRUE(schema);
  std::set<std::string> types;
  for (pugi::xml_node t : schema.children("EntityType")) types.insert(t.attribute("Name").value());
  for (const auto& e : Reg().entities()) EXPECT_TRUE(types.count(e.type_name)) << e.type_name;
  EXPECT_TRUE(types.count("LocalizedString"));
  EXPECT_NE(r.body.find("<NavigationProperty Name=\"title\""), std::string::npos);
  EXPECT_NE(r.body.find("Name=\"updated\" Type=\"Edm.DateTime\""), std::string::npos);
  HttpResult svc = Get("/informea.svc/");
  EXPECT_NE(svc.body.find("<collection href=\"Contacts\">"), std::string::npos);
  auto j = Json(Get("/informea.svc/", kJson).body);
  EXPECT_EQ(j["d"]["EntitySets"].Size(), Reg().entities().size());
}

TEST_F(ODataV2Test, BadRequestsInTheV2ErrorFormat) {
  ExpectV2Error("/informea.svc/Contacts?$filter=" + Enc("updated gt datetime'yesterday'"), 400,
                "not a date-time");
  ExpectV2Error("/informea.svc/Contacts?$filter=" + Enc("nope eq 1"), 400, "unknown field 'nope'");
  ExpectV2Error("/informea.svc/Contacts?$top=5000", 400, "maximum of 1000");
  ExpectV2Error("/informea.svc/Contacts?$inlinecount=some", 400, "allpages or none");
  ExpectV2Error("/informea.svc/Contacts?$expand=country", 400, "not a navigation property");
  ExpectV2Error("/informea.svc/Contacts?$count=true", 400, "$count");
  ExpectV2Error("/informea.svc/Contactz", 404, "no entity set 'Contactz'");
  ExpectV2Error("/informea.svc/Contacts(42)", 400, "quoted string");
  ExpectV2Error("/informea.svc/Contacts('c01')/country", 404, "not a navigation property");
  HttpResult f = Get("/informea.svc/Contacts?$format=csv");
  EXPECT_EQ(f.status, 406);
  EXPECT_NE(f.body.find("json or atom"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Stores, ODataV2StoresTest,
                         ::testing::ValuesIn(meabridge::testing::StoreBackends()),
                         meabridge::testing::StoreBackendName);

}  // namespace
}  // namespace meabridge::publish::testing
