// Both metadata documents as typed-client generators read them: no two names in one structured
// type, one schema or one container that differ only in case (the SAP generator renames them,
// OData 4.01 clients matching case-insensitively find them ambiguous), the V2 names the InforMEA
// harvester reads kept, and V4's informea.Multilingual declaring the UN languages while open.
#include <gtest/gtest.h>
#include <pugixml.hpp>

#include <map>
#include <string>

#include "core/strings.h"
#include "model/registry.h"
#include "publish/odata_v2/model.h"
#include "publish/odata_v4/csdl.h"

namespace meabridge::publish {
namespace {

// For every element of `doc` that has named children of the `kinds` given, the names that
// differ only in case ("EntityType Contact: Treaty / treaty").
std::vector<std::string> CaseClashes(const pugi::xml_document& doc) {
  std::vector<std::string> clashes;
  auto check = [&](pugi::xml_node scope, std::initializer_list<const char*> kinds) {
    std::map<std::string, std::string> seen;  // lower -> as written
    for (pugi::xml_node c : scope.children()) {
      bool counted = false;
      for (const char* k : kinds) counted = counted || std::string(c.name()) == k;
      if (!counted) continue;
      std::string name = c.attribute("Name").value();
      auto [it, fresh] = seen.emplace(core::AsciiLower(name), name);
      if (!fresh) {
        clashes.push_back(std::string(scope.name()) + " " + scope.attribute("Name").value() + ": " +
                          it->second + " / " + name);
      }
    }
  };
  for (const pugi::xpath_node& s : doc.select_nodes("//*[local-name()='Schema']")) {
    check(s.node(), {"EntityType", "ComplexType", "Association", "EntityContainer"});
    for (pugi::xml_node t : s.node().children()) {
      check(t, {"Property", "NavigationProperty"});
      check(t, {"EntitySet", "AssociationSet", "FunctionImport", "Singleton"});
    }
  }
  return clashes;
}

TEST(MetadataNamesTest, NoNamesDifferOnlyInCaseInEitherService) {
  const model::Registry& registry = model::Registry::Default();
  for (const auto& [service, text] :
       {std::pair<std::string, std::string>{"V4", odata_v4::RenderCsdl(registry)},
        std::pair<std::string, std::string>{"V2", odata_v2::RenderEdmx(registry)}}) {
    pugi::xml_document doc;
    ASSERT_TRUE(doc.load_string(text.c_str())) << service;
    EXPECT_EQ(CaseClashes(doc), std::vector<std::string>{}) << service;
  }
}

TEST(MetadataNamesTest, TheClashCheckFindsAClash) {
  pugi::xml_document doc;
  ASSERT_TRUE(
      doc.load_string("<Schema><EntityType Name=\"T\"><Property Name=\"treaty\"/>"
                      "<NavigationProperty Name=\"Treaty\"/></EntityType></Schema>"));
  EXPECT_EQ(CaseClashes(doc), std::vector<std::string>{"EntityType T: treaty / Treaty"});
}

TEST(MetadataNamesTest, V2KeepsTheNamesTheHarvesterReads) {
  pugi::xml_document doc;
  std::string edmx = odata_v2::RenderEdmx(model::Registry::Default());
  ASSERT_TRUE(doc.load_string(edmx.c_str()));
  // ContactsODataMigration, MeetingsODataMigration, DecisionsODataMigration: the names they map
  // or load as navigation properties.
  std::map<std::string, std::vector<std::string>> reads = {
      {"Contact",
       {"id", "country", "prefix", "firstName", "lastName", "position", "institution", "department",
        "address", "email", "phoneNumber", "type", "fax", "primary", "updated", "treaties",
        "roles"}},
      {"Meeting",
       {"id",         "title", "description", "treaty",   "url",       "start",    "end",
        "repetition", "kind",  "type",        "access",   "status",    "imageUrl", "imageCopyright",
        "location",   "city",  "country",     "latitude", "longitude", "updated"}},
      {"Decision",
       {"id", "title", "content", "summary", "files", "keywords", "treaty", "status", "type",
        "number", "published", "meetingId", "meetingTitle", "meetingUrl", "link", "displayOrder",
        "updated"}},
  };
  for (const auto& [type, names] : reads) {
    std::string xpath = "//*[local-name()='EntityType'][@Name='" + type + "']";
    pugi::xml_node t = doc.select_node(xpath.c_str()).node();
    ASSERT_TRUE(t) << type;
    for (const std::string& name : names) {
      std::string p = "*[@Name='" + name + "']";
      EXPECT_TRUE(t.select_node(p.c_str())) << type << " has no " << name;
    }
  }
}

TEST(MetadataNamesTest, V4MultilingualDeclaresTheUnLanguagesAndStaysOpen) {
  pugi::xml_document doc;
  std::string csdl = odata_v4::RenderCsdl(model::Registry::Default());
  ASSERT_TRUE(doc.load_string(csdl.c_str()));
  pugi::xml_node m = doc.select_node("//ComplexType[@Name='Multilingual']").node();
  ASSERT_TRUE(m);
  EXPECT_STREQ(m.attribute("OpenType").value(), "true");
  std::vector<std::string> declared;
  for (pugi::xml_node p : m.children("Property")) {
    declared.emplace_back(p.attribute("Name").value());
    EXPECT_STREQ(p.attribute("Type").value(), "Edm.String");
    EXPECT_FALSE(p.attribute("Nullable")) << "nullable: a text need not have every language";
  }
  EXPECT_EQ(declared, (std::vector<std::string>{"en", "ar", "es", "fr", "ru", "zh"}));
}

}  // namespace
}  // namespace meabridge::publish
