// The configurations meabridge ships pass check-config: the embedded default (with its demo
// sources under the data folder), config/example.xml and config/informea-toolkit.xml.
#include <gtest/gtest.h>

#include "support/test_support.h"

namespace meabridge::cli {
namespace {

using testing::ProcessResult;
using testing::RunMeabridge;

TEST(ShippedConfigsTest, TheEmbeddedDefaultIsValidAndHasTheDemoSources) {
  ProcessResult r =
      RunMeabridge({"check-config"}, {"MEABRIDGE_DATADIR=" + meabridge::testing::SourceDir()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("is valid"), std::string::npos) << r.out;
  for (const char* source : {"treaties", "demo-contacts", "demo-unfccc-status", "demo-cbd-status",
                             "demo-decisions", "demo-meetings"}) {
    EXPECT_NE(r.out.find(source), std::string::npos) << source << " in:\n" << r.out;
  }
}

TEST(ShippedConfigsTest, TheExampleIsValid) {
  ProcessResult r = RunMeabridge(
      {"check-config", "--config", meabridge::testing::SourceDir() + "/config/example.xml"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("schedule 30 2 * * *"), std::string::npos) << r.out;
}

TEST(ShippedConfigsTest, TheToolkitConfigurationIsValid) {
  ProcessResult r = RunMeabridge({"check-config", "--config",
                                  meabridge::testing::SourceDir() + "/config/informea-toolkit.xml"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const char* source : {"toolkit-contacts", "toolkit-decisions", "toolkit-meetings",
                             "toolkit-country-reports", "toolkit-national-plans", "toolkit-sites",
                             "toolkit-documents", "toolkit-treaties"}) {
    EXPECT_NE(r.out.find(source), std::string::npos) << source << " in:\n" << r.out;
  }
}

}  // namespace
}  // namespace meabridge::cli
