// docs/configuration.md documents every element and attribute of the spec: this test keeps it so.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "config/spec.h"
#include "support/test_support.h"

namespace meabridge::config {
namespace {

// Each element has a section headed "### `<name>`" whose table has a row "| `attr` |" per
// attribute.
void Check(const std::string& doc, const ElementSpec& e) {
  std::string heading = "### `<" + e.name + ">`";
  size_t at = doc.find(heading);
  ASSERT_NE(at, std::string::npos) << "docs/configuration.md has no section " << heading;
  size_t end = doc.find("\n### ", at + heading.size());
  std::string section = doc.substr(at, end == std::string::npos ? std::string::npos : end - at);
  for (const AttrSpec& a : e.attributes) {
    EXPECT_NE(section.find("| `" + a.name + "` |"), std::string::npos)
        << "section " << heading << " does not document attribute " << a.name;
  }
  for (const ElementSpec& c : e.children) Check(doc, c);
}

TEST(ConfigDocsTest, EveryKeyIsDocumented) {
  std::ifstream in(meabridge::testing::SourceDir() + "/docs/configuration.md");
  ASSERT_TRUE(in) << "docs/configuration.md is missing";
  std::stringstream ss;
  ss << in.rdbuf();
  std::string doc = ss.str();
  Check(doc, ConfigSpec());
}

}  // namespace
}  // namespace meabridge::config
