#include "model/registry.h"

#include <gtest/gtest.h>

#include <set>

namespace meabridge::model {
namespace {

TEST(RegistryTest, HasTheEntitiesOfTheDesign) {
  const Registry& r = Registry::Default();
  for (const char* set : {"Treaties", "Contacts", "Memberships", "Decisions", "Meetings",
                          "CountryReports", "NationalPlans", "Sites", "Documents"}) {
    EXPECT_NE(r.Find(set), nullptr) << set;
  }
  EXPECT_EQ(r.Find("contacts"), r.Find("Contacts"));
  EXPECT_EQ(r.Find("Nope"), nullptr);
  EXPECT_EQ(r.Find("country_reports"), r.Find("CountryReports"));
  EXPECT_EQ(r.SetNames(),
            "Treaties, Contacts, Memberships, Decisions, Meetings, CountryReports, NationalPlans, "
            "Sites, Documents");
}

TEST(RegistryTest, EveryEntityStartsWithIdAndUpdatedAndNamesAreUnique) {
  for (const EntitySpec& e : Registry::Default().entities()) {
    ASSERT_GE(e.fields.size(), 3u);
    EXPECT_EQ(e.fields[EntitySpec::kIdField].name, "id");
    EXPECT_TRUE(e.fields[EntitySpec::kIdField].required);
    EXPECT_EQ(e.fields[EntitySpec::kUpdatedField].name, "updated");
    EXPECT_EQ(e.fields[EntitySpec::kUpdatedField].type, FieldType::kDateTime);
    std::set<std::string> names;
    for (const FieldSpec& f : e.fields) {
      EXPECT_TRUE(names.insert(f.name).second) << e.set_name << "." << f.name;
      EXPECT_FALSE(f.doc.empty()) << e.set_name << "." << f.name << " needs a doc line";
      if (f.type == FieldType::kTerm) {
        EXPECT_FALSE(f.vocabulary.empty()) << f.name;
      }
      EXPECT_EQ(f.type == FieldType::kItemList, !f.item_fields.empty()) << f.name;
    }
  }
}

// The fields DESIGN.md lists, spelled as the InforMEA API spells them.
TEST(RegistryTest, FieldsFollowTheDesign) {
  const Registry& r = Registry::Default();
  struct Case {
    const char* entity;
    std::vector<std::string> fields;
  };
  const Case cases[] = {
      {"Treaties",
       {"title", "officialName", "description", "url", "parent", "entryIntoForce", "depositary"}},
      {"Contacts",
       {"treaties", "country", "prefix", "firstName", "lastName", "position", "institution",
        "department", "type", "roles", "address", "email", "phone", "fax", "primary"}},
      {"Memberships",
       {"treaty", "country", "status", "signature", "consent", "entryIntoForce", "withdrawal",
        "declarations", "reservations", "notes"}},
      {"Decisions",
       {"treaty", "number", "type", "status", "title", "longTitle", "summary", "content", "link",
        "published", "meetingId", "meetingTitle", "meetingUrl", "displayOrder", "keywords",
        "files"}},
      {"Meetings",
       {"treaty", "title", "description", "start", "end", "repetition", "kind", "type", "access",
        "status", "location", "city", "country", "latitude", "longitude", "virtual", "url",
        "imageUrl", "imageCopyright"}},
      // As the InforMEA OData provider publishes them (its model/*.java under the EDM names of
      // jpa_edm_mapping.xml).
      {"CountryReports", {"treaty", "country", "title", "submission", "url", "files"}},
      {"NationalPlans", {"treaty", "country", "type", "title", "url", "submission", "files"}},
      {"Sites", {"treaty", "country", "type", "name", "url", "latitude", "longitude"}},
      {"Documents",
       {"treaty", "treaties", "country", "title", "description", "published", "thumbnailUrl",
        "displayOrder", "schemaVersion", "types", "authors", "identifiers", "keywords", "tags",
        "referenceToEntities", "files"}},
  };
  for (const Case& c : cases) {
    const EntitySpec* e = r.Find(c.entity);
    ASSERT_NE(e, nullptr);
    std::vector<std::string> got;
    for (size_t i = 2; i < e->fields.size(); ++i) got.push_back(e->fields[i].name);
    EXPECT_EQ(got, c.fields) << c.entity;
  }
  EXPECT_EQ(r.Find("Decisions")->Field("title")->type, FieldType::kMultilingual);
  EXPECT_EQ(r.Find("Memberships")->Field("status")->vocabulary, "membership-status");
  EXPECT_NE(r.Find("Decisions")->Field("files")->ItemField("mimeType"), nullptr);
  EXPECT_EQ(r.Find("Sites")->Field("name")->type, FieldType::kMultilingual);
  EXPECT_EQ(r.Find("Sites")->Field("latitude")->type, FieldType::kDouble);
  EXPECT_EQ(r.Find("CountryReports")->Field("files")->ItemField("language")->vocabulary,
            "languages");
  EXPECT_EQ(r.Find("Documents")->Field("treaties")->vocabulary, "treaties");
  EXPECT_NE(r.Find("Documents")->Field("keywords")->ItemField("literalForm"), nullptr);
}

}  // namespace
}  // namespace meabridge::model
