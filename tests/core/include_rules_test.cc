// Project-wide rules that the compiler cannot check.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/test_support.h"

namespace {
namespace fs = std::filesystem;

// RapidJSON must only be included through core/json.h, which makes its assertions safe.
TEST(IncludeRulesTest, RapidJsonOnlyThroughCoreJson) {
  fs::path root = fs::path(meabridge::testing::SourceDir());
  std::vector<std::string> offenders;
  for (const char* dir : {"src", "tests", "bench"}) {
    for (const auto& entry : fs::recursive_directory_iterator(root / dir)) {
      if (!entry.is_regular_file()) continue;
      std::string ext = entry.path().extension().string();
      if (ext != ".h" && ext != ".cc") continue;
      if (entry.path().filename() == "json.h" && entry.path().parent_path().filename() == "core")
        continue;
      std::ifstream in(entry.path());
      std::stringstream ss;
      ss << in.rdbuf();
      const std::string directive = std::string("#include ") + "<rapid" + "json/";
      const std::string quoted = std::string("#include ") + "\"rapid" + "json/";
      if (ss.str().find(directive) != std::string::npos ||
          ss.str().find(quoted) != std::string::npos) {
        offenders.push_back(fs::relative(entry.path(), root).string());
      }
    }
  }
  EXPECT_TRUE(offenders.empty()) << "include core/json.h instead of rapidjson in: "
                                 << ::testing::PrintToString(offenders);
}

}  // namespace
