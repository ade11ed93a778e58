// The registry against the InforMEA OData provider of the InforMEA toolkit
// (../shared/corpus/informea-toolkit/odata-provider/jpa_edm_mapping.xml): every property and
// navigation property the provider publishes for an entity set is a field of that set in the
// registry, under the same name, except the few listed here with the reason (docs/entities.md
// says the same). Optional: skipped, saying so, where the corpus is absent.
#include <gtest/gtest.h>

#include <pugixml.hpp>

#include <map>
#include <set>

#include "model/registry.h"
#include "support/test_support.h"

namespace meabridge::model {
namespace {

// Set name -> published names meabridge does not publish as fields, each with its reason.
const std::map<std::string, std::map<std::string, std::string>>& NotFields() {
  static const auto* m = new std::map<std::string, std::map<std::string, std::string>>{
      {"Treaties",
       {{"UUID", "the Drupal node's UUID: an internal key of the provider's CMS"},
        {"titleEnglish", "title.en"},
        {"officialNameEnglish", "officialName.en"},
        {"treatyWebsiteURL", "url (the treaty's home page)"}}},
      {"Documents",
       {{"content", "declared by the mapping file only: Document.java has no such attribute"}}},
  };
  return *m;
}

TEST(ProviderModelTest, EveryPublishedNameIsARegistryField) {
  if (meabridge::testing::CorpusDir().empty()) {
    GTEST_SKIP() << "../shared/corpus absent: corpus suite skipped";
  }
  std::string path =
      meabridge::testing::CorpusDir() + "/informea-toolkit/odata-provider/jpa_edm_mapping.xml";
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_file(path.c_str())) << path;
  const Registry& r = Registry::Default();
  std::set<std::string> seen;
  for (pugi::xpath_node n : doc.select_nodes("//*[local-name()='JPAEntityType']")) {
    pugi::xml_node type = n.node();
    std::string set = type.child("EDMEntitySet").text().get();
    const EntitySpec* e = r.Find(set);
    if (!e || e->set_name != set) continue;  // a child set (title, files ...)
    seen.insert(set);
    auto not_fields =
        NotFields().count(set) ? NotFields().at(set) : std::map<std::string, std::string>{};
    for (const char* group : {"JPAAttributes", "JPARelationships"}) {
      for (pugi::xml_node a : type.child(group).children()) {
        std::string name = a.text().get();
        if (not_fields.count(name)) continue;
        EXPECT_NE(e->Field(name), nullptr)
            << set << " publishes " << name << " (" << group << "), which the registry lacks";
      }
    }
  }
  EXPECT_EQ(seen, (std::set<std::string>{"Contacts", "CountryReports", "Decisions", "Documents",
                                         "Meetings", "NationalPlans", "Sites", "Treaties"}));
}

}  // namespace
}  // namespace meabridge::model
