// docs/publishing.md documents the CSV columns of every entity set (derived from the registry)
// and every route family: this test keeps it so.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "model/registry.h"
#include "publish/csv/csv.h"
#include "support/test_support.h"

namespace meabridge::publish {
namespace {

std::string Doc() {
  std::ifstream in(meabridge::testing::SourceDir() + "/docs/publishing.md");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(PublishingDocsTest, CsvColumnsOfEveryEntitySet) {
  std::string doc = Doc();
  ASSERT_FALSE(doc.empty()) << "docs/publishing.md is missing";
  for (const auto& e : model::Registry::Default().entities()) {
    std::string header = csv::HeaderRow(e, csv::DefaultLanguages());
    header.resize(header.size() - 2);  // CRLF
    EXPECT_NE(doc.find("| " + e.name + " | `" + header + "` |"), std::string::npos)
        << "docs/publishing.md does not list the CSV columns of " << e.name << ": " << header;
  }
}

TEST(PublishingDocsTest, EveryEndpointFamily) {
  std::string doc = Doc();
  for (const char* path : {"/odata/v4/",
                           "/odata/v4/$metadata",
                           "/informea.svc/",
                           "/feeds/{entity}.atom",
                           "/feeds/{profile}/{entity}",
                           "/ld/context/{entity}.jsonld",
                           "/export/{entity}.csv",
                           "/vocab/",
                           "/docs/",
                           "/favicon.ico",
                           "$filter",
                           "$orderby",
                           "$top",
                           "$skip",
                           "$count",
                           "$select",
                           "$expand",
                           "$format",
                           "$skiptoken",
                           "$deltatoken",
                           "$inlinecount",
                           "odata.track-changes",
                           "odata.maxpagesize",
                           "If-None-Match",
                           "410"}) {
    EXPECT_NE(doc.find(path), std::string::npos) << "docs/publishing.md does not mention " << path;
  }
}

// Every field the V2 dialect names differently is in the table of
// "What the InforMEA harvester stores".
TEST(PublishingDocsTest, EveryV2DialectName) {
  std::string doc = Doc();
  int renamed = 0;
  for (const auto& e : model::Registry::Default().entities()) {
    for (const auto& f : e.fields) {
      if (f.v2_name.empty()) continue;
      ++renamed;
      std::string row = e.set_name + " `" + f.name + "` is `" + f.v2_name + "`";
      EXPECT_NE(doc.find(row), std::string::npos) << "docs/publishing.md does not say " << row;
    }
  }
  EXPECT_GT(renamed, 0);
}

}  // namespace
}  // namespace meabridge::publish
