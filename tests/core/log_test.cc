#include "core/log.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace meabridge::core {
namespace {

std::vector<std::string>* g_lines = nullptr;
void Capture(LogLevel, std::string_view line) { g_lines->emplace_back(line); }

TEST(LogTest, LevelsFilterAndRunContext) {
  std::vector<std::string> lines;
  g_lines = &lines;
  SetLogSink(Capture);
  SetLogLevel(LogLevel::kInfo);
  LogDebug("hidden");
  LogInfo("shown");
  LogRun(LogLevel::kWarning, "cbd-contacts", 12, "page cap reached");
  LogRun(LogLevel::kWarning, "cbd-contacts", 0, "no run");
  SetLogSink(nullptr);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0], "shown");
  EXPECT_EQ(lines[1], "source=cbd-contacts run=12 page cap reached");
  EXPECT_EQ(lines[2], "source=cbd-contacts no run");
  LogLevel l;
  EXPECT_TRUE(ParseLogLevel("debug", &l));
  EXPECT_EQ(l, LogLevel::kDebug);
  EXPECT_FALSE(ParseLogLevel("loud", &l));
}

}  // namespace
}  // namespace meabridge::core
