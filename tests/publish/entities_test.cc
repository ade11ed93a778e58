// Every entity of the registry in every published form, with every field: OData V4 and its
// $metadata (with the navigation to Treaties resolved), the V2 dialect in verbose JSON and in
// Atom and its $metadata, the Atom change feed with a tombstone, JSON-LD and its context, CSV.
// Nothing here names an entity: the records come from testing::FullRecord, so an entity added
// to the registry is checked in every form without a test written for it; a publisher that
// special-cased an entity would fail here for the others.
#include <pugixml.hpp>

#include <set>

#include "publish/csv/csv.h"
#include "publish/odata/navigation.h"
#include "publish/odata_v2/model.h"
#include "publish_fixture.h"
#include "support/full_record.h"

namespace meabridge::publish::testing {
namespace {

using meabridge::testing::FullRecord;

const std::vector<std::pair<std::string, std::string>> kJson = {{"Accept", "application/json"}};

class EveryEntityTest : public PublishTest {
 protected:
  config::Config Config() override {
    config::Config c = PublishTest::Config();
    c.server_max_top = 1000;  // the harvester asks for pages of 100
    return c;
  }

  // The records this test wrote ("<name>-1" ...), beside the fixture's own Treaties.
  static std::string Mine(const model::EntitySpec& e) {
    return Enc("startswith(id,'" + e.name + "-')");
  }

  void SetUp() override {
    PublishTest::SetUp();
    before_ = fixture_.MaxSeq();
    // Two records of each entity (ids "<name>-1", "<name>-2"), then "<name>-3" written and
    // deleted, so that every change feed has a tombstone. Treaties keep the fixture's cbd and
    // cms, which the records' treaty fields name.
    std::vector<Record> records;
    std::vector<std::pair<const model::EntitySpec*, std::string>> deletes;
    for (const model::EntitySpec& e : Reg().entities()) {
      for (int n : {1, 2, 3}) records.push_back(FullRecord(e, e.name + "-" + std::to_string(n), n));
      deletes.emplace_back(&e, e.name + "-3");
    }
    Commit(fixture_.store(), "every-entity", records, {}, Ms("2024-02-01T00:00:00Z"));
    Commit(fixture_.store(), "every-entity", {}, deletes, Ms("2024-02-02T00:00:00Z"));
  }

  int64_t before_ = 0;  // the last change before this test's records
};

TEST_F(EveryEntityTest, ODataV4CollectionsAndMetadata) {
  HttpResult meta = Get("/odata/v4/$metadata");
  ASSERT_EQ(meta.status, 200);
  pugi::xml_document csdl;
  ASSERT_TRUE(csdl.load_string(meta.body.c_str()));
  auto service = Json(Get("/odata/v4/").body);
  std::set<std::string> sets;
  for (const auto& s : service["value"].GetArray()) sets.insert(s["name"].GetString());
  for (const model::EntitySpec& e : Reg().entities()) {
    SCOPED_TRACE(e.set_name);
    EXPECT_TRUE(sets.count(e.set_name)) << "the service document lists it";
    pugi::xml_node type =
        csdl.select_node(("//*[local-name()='EntityType'][@Name='" + e.type_name + "']").c_str())
            .node();
    ASSERT_TRUE(type) << "$metadata declares " << e.type_name;
    for (const model::FieldSpec& f : e.fields) {
      EXPECT_TRUE(type.find_child_by_attribute("Property", "Name", f.name.c_str()))
          << f.name << " in $metadata";
    }
    EXPECT_TRUE(
        csdl.select_node(("//*[local-name()='EntitySet'][@Name='" + e.set_name + "']").c_str()))
        << "entity set in $metadata";

    HttpResult r = Get("/odata/v4/" + e.set_name + "?$orderby=id&$count=true&$filter=" + Mine(e));
    ASSERT_EQ(r.status, 200) << r.body;
    auto d = Json(r.body);
    ASSERT_EQ(d["value"].Size(), 2u) << "the deleted third is not listed";
    EXPECT_EQ(d["@odata.count"].GetInt(), 2);
    const auto& first = d["value"][0];
    EXPECT_EQ(std::string(first["id"].GetString()), e.name + "-1");
    for (const model::FieldSpec& f : e.fields) {
      ASSERT_TRUE(first.HasMember(f.name.c_str())) << f.name;
      EXPECT_FALSE(first[f.name.c_str()].IsNull()) << f.name;
    }
    // Every navigation property (to Treaties ...) resolves.
    for (const odata::Navigation& n : odata::NavigationsOf(e, Reg())) {
      HttpResult x = Get("/odata/v4/" + e.set_name + "('" + e.name + "-1')?$expand=" + n.name);
      ASSERT_EQ(x.status, 200) << n.name << x.body;
      auto xd = Json(x.body);
      ASSERT_TRUE(xd.HasMember(n.name.c_str())) << n.name << x.body;
      const auto& target = xd[n.name.c_str()];
      if (n.collection) {
        ASSERT_TRUE(target.IsArray() && !target.Empty()) << n.name << x.body;
      } else {
        ASSERT_TRUE(target.IsObject()) << n.name << " resolves: " << x.body;
      }
    }
  }
}

TEST_F(EveryEntityTest, ODataV2JsonAtomAndMetadata) {
  HttpResult meta = Get("/informea.svc/$metadata");
  ASSERT_EQ(meta.status, 200);
  pugi::xml_document edmx;
  ASSERT_TRUE(edmx.load_string(meta.body.c_str()));
  for (const model::EntitySpec& e : Reg().entities()) {
    SCOPED_TRACE(e.set_name);
    pugi::xml_node type =
        edmx.select_node(("//*[local-name()='EntityType'][@Name='" + e.type_name + "']").c_str())
            .node();
    ASSERT_TRUE(type) << "$metadata declares " << e.type_name;
    std::string expand;
    for (const model::FieldSpec& f : e.fields) {
      bool nav = odata_v2::IsNavigation(f);
      const std::string& name = f.NameIn(odata_v2::kDialect);  // the dialect's ("phoneNumber")
      EXPECT_TRUE(type.find_child_by_attribute(nav ? "NavigationProperty" : "Property", "Name",
                                               name.c_str()))
          << name;
      if (nav) expand += (expand.empty() ? "" : ",") + name;
    }
    // As the InforMEA harvester asks: a count, then a page with every child expanded.
    std::string target = "/informea.svc/" + e.set_name + "?$top=100&$skip=0" +
                         (expand.empty() ? "" : "&$expand=" + expand) +
                         "&$orderby=updated%20desc,id&$inlinecount=allpages&$filter=" + Mine(e);
    HttpResult r = Get(target, kJson);
    ASSERT_EQ(r.status, 200) << target << r.body;
    auto d = Json(r.body);
    ASSERT_EQ(d["d"]["results"].Size(), 2u);
    EXPECT_EQ(std::string(d["d"]["__count"].GetString()), "2");
    const auto& row = d["d"]["results"][1];  // updated desc: the first record comes second
    EXPECT_EQ(std::string(row["id"].GetString()), e.name + "-1");
    EXPECT_EQ(std::string(row["__metadata"]["type"].GetString()), "informea." + e.type_name);
    for (const model::FieldSpec& f : e.fields) {
      const std::string& name = f.NameIn(odata_v2::kDialect);
      ASSERT_TRUE(row.HasMember(name.c_str())) << name;
      if (!odata_v2::IsNavigation(f)) {
        EXPECT_FALSE(row[name.c_str()].IsNull()) << name;
        continue;
      }
      const auto& children = row[name.c_str()]["results"];
      ASSERT_TRUE(children.IsArray() && !children.Empty()) << f.name << " expanded";
      const auto& child = children[0];
      if (f.type == model::FieldType::kMultilingual) {
        EXPECT_TRUE(child.HasMember("language") && child.HasMember("value")) << f.name;
      } else if (f.type == model::FieldType::kStringList) {
        EXPECT_TRUE(child.HasMember("value")) << f.name;
      } else {
        for (const model::ItemFieldSpec& i : f.item_fields) {
          EXPECT_TRUE(child.HasMember(i.name.c_str())) << f.name << "." << i.name;
        }
      }
    }
    // Atom, the dialect's default.
    HttpResult atom = Get("/informea.svc/" + e.set_name + "?$orderby=id&$filter=" + Mine(e));
    ASSERT_EQ(atom.status, 200);
    pugi::xml_document doc;
    ASSERT_TRUE(doc.load_string(atom.body.c_str())) << atom.body;
    auto entries = doc.child("feed").children("entry");
    ASSERT_EQ(std::distance(entries.begin(), entries.end()), 2);
    pugi::xml_node props = doc.child("feed").child("entry").child("content").child("m:properties");
    EXPECT_EQ(std::string(props.child_value("d:id")), e.name + "-1");
    for (const model::FieldSpec& f : e.fields) {
      if (odata_v2::IsNavigation(f)) continue;
      const std::string& name = f.NameIn(odata_v2::kDialect);
      EXPECT_TRUE(props.child(("d:" + name).c_str())) << name << " in Atom";
    }
  }
}

TEST_F(EveryEntityTest, AtomChangeFeedsWithTombstones) {
  for (const model::EntitySpec& e : Reg().entities()) {
    SCOPED_TRACE(e.set_name);
    HttpResult r = Get("/feeds/" + e.name + ".atom?after=" + std::to_string(before_));
    ASSERT_EQ(r.status, 200) << r.body;
    pugi::xml_document doc;
    ASSERT_TRUE(doc.load_string(r.body.c_str())) << r.body;
    std::set<std::string> live, deleted;
    for (pugi::xml_node n : doc.child("feed").children()) {
      std::string name = n.name();
      if (name == "entry")
        live.insert(n.child("content").child("m:properties").child_value("d:id"));
      if (name == "at:deleted-entry") deleted.insert(n.attribute("ref").value());
    }
    EXPECT_TRUE(live.count(e.name + "-1") && live.count(e.name + "-2")) << r.body;
    ASSERT_EQ(deleted.size(), 1u) << r.body;
    EXPECT_NE(deleted.begin()->find(e.name + "-3"), std::string::npos) << *deleted.begin();
  }
}

TEST_F(EveryEntityTest, JsonLdNodesAndContexts) {
  auto index = Json(Get("/ld/").body);
  EXPECT_EQ(index["entitySets"].Size(), Reg().entities().size());
  for (const model::EntitySpec& e : Reg().entities()) {
    SCOPED_TRACE(e.set_name);
    HttpResult ctx = Get("/ld/context/" + e.name + ".jsonld");
    ASSERT_EQ(ctx.status, 200);
    auto c = Json(ctx.body);
    const auto& terms = c["@context"];
    EXPECT_TRUE(terms.HasMember(e.type_name.c_str()));
    for (const model::FieldSpec& f : e.fields) {
      EXPECT_TRUE(terms.HasMember(f.name.c_str())) << f.name << " in the context";
    }
    HttpResult one = Get("/ld/" + e.name + "/" + e.name + "-1");
    ASSERT_EQ(one.status, 200) << one.body;
    auto node = Json(one.body);
    const auto& n = node["@graph"][0];
    for (const model::FieldSpec& f : e.fields) {
      if (f.name == "id") continue;
      EXPECT_TRUE(n.HasMember(f.name.c_str())) << f.name << " in the node";
    }
    EXPECT_EQ(Get("/ld/" + e.name + "/" + e.name + "-3").status, 404) << "deleted";
  }
}

TEST_F(EveryEntityTest, CsvExports) {
  for (const model::EntitySpec& e : Reg().entities()) {
    SCOPED_TRACE(e.set_name);
    HttpResult r = Get("/export/" + e.name + ".csv?$orderby=id&$filter=" + Mine(e));
    ASSERT_EQ(r.status, 200) << r.body;
    std::string want;
    for (const std::string& col : csv::Columns(e, csv::DefaultLanguages())) {
      want += (want.empty() ? "" : ",") + col;
    }
    EXPECT_EQ(r.body.substr(0, r.body.find("\r\n")), want);
    EXPECT_NE(r.body.find("\r\n" + e.name + "-1,"), std::string::npos) << r.body;
    EXPECT_NE(r.body.find("\r\n" + e.name + "-2,"), std::string::npos) << r.body;
    EXPECT_EQ(r.body.find(e.name + "-3,"), std::string::npos) << "deleted";
  }
}

// The InforMEA harvester's own listing query strings for the toolkit's entities
// (ODataConsumerConfig::getListingQueryString), and what its migrations read from each row
// (loadNavigationProperty(row, 'title') ... ->results, $file->url, $file->language).
TEST_F(EveryEntityTest, TheHarvestersListingQueriesForTheToolkitEntities) {
  struct Case {
    const char* set;
    const char* expand;
    std::vector<const char*> children;
  };
  for (const Case& c : {Case{"CountryReports", "title,files", {"title", "files"}},
                        Case{"NationalPlans", "title,files", {"title", "files"}},
                        Case{"Sites", "name", {"name"}}}) {
    SCOPED_TRACE(c.set);
    HttpResult count = Get(std::string("/informea.svc/") + c.set + "/$count");
    EXPECT_EQ(count.body, "2");
    HttpResult r = Get(std::string("/informea.svc/") + c.set +
                           "?$top=100&$skip=0&$expand=" + c.expand + "&$orderby=updated%20desc,id",
                       kJson);
    ASSERT_EQ(r.status, 200) << r.body;
    auto d = Json(r.body);
    for (const auto& row : d["d"]["results"].GetArray()) {
      for (const char* child : c.children) {
        ASSERT_TRUE(row[child]["results"].IsArray()) << child;
        const auto& first = row[child]["results"][0];
        if (std::string(child) == "files") {
          EXPECT_TRUE(first["url"].IsString() && first["language"].IsString());
        } else {
          EXPECT_TRUE(first["language"].IsString() && first["value"].IsString());
        }
      }
      EXPECT_TRUE(row["treaty"].IsString() && row["country"].IsString());
    }
    // The page after the last is empty: the harvester's loop ends.
    HttpResult after =
        Get(std::string("/informea.svc/") + c.set + "?$top=100&$skip=100&$expand=" + c.expand +
                "&$orderby=updated%20desc,id",
            kJson);
    EXPECT_EQ(Json(after.body)["d"]["results"].Size(), 0u);
  }
  // The harvester's Documents migration asks for titles and descriptions (its
  // loadNavigationProperty(row, 'titles')): the V2 dialect names the registry's title and
  // description so (V2Name in registry.cc; the provider's jpa_edm_mapping.xml renames them title
  // and description, which the migration would not find).
  HttpResult documents = Get(
      "/informea.svc/Documents?$top=100&$skip=0&$expand=authors,descriptions,files,identifiers,"
      "keywords,referenceToEntities,tags,titles,types&$orderby=updated%20desc,id",
      kJson);
  ASSERT_EQ(documents.status, 200) << documents.body;
  rapidjson::Document documents_json = Json(documents.body);  // outlives the loop over it
  for (const auto& row : documents_json["d"]["results"].GetArray()) {
    ASSERT_TRUE(row["titles"]["results"].IsArray()) << documents.body;
    EXPECT_TRUE(row["titles"]["results"][0]["language"].IsString());
    EXPECT_TRUE(row["descriptions"].HasMember("results"));
    EXPECT_FALSE(row.HasMember("title"));
  }
  HttpResult provider_names = Get(
      "/informea.svc/Documents?$top=100&$skip=0&$expand=authors,description,files,identifiers,"
      "keywords,referenceToEntities,tags,title,types,treaties&$orderby=updated%20desc,id",
      kJson);
  EXPECT_EQ(provider_names.status, 400) << provider_names.body;
  EXPECT_NE(provider_names.body.find("'description' is not a navigation property of Documents"),
            std::string::npos)
      << provider_names.body;
}

}  // namespace
}  // namespace meabridge::publish::testing
