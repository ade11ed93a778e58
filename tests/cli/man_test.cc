// The manual pages (cli/man.h) through the real binary: meabridge(1) holds every command's
// --help text line for line, meabridge.xml(5) every element and attribute of the spec.
#include "cli/man.h"

#include <gtest/gtest.h>

#include <sstream>

#include "config/spec.h"
#include "support/test_support.h"

namespace meabridge::cli {
namespace {

bool Contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

TEST(ManTest, RoffEscapeKeepsTextAsWritten) {
  EXPECT_EQ(RoffEscape("--config FILE"), "\\-\\-config FILE");
  EXPECT_EQ(RoffEscape("a\\b"), "a\\eb");
  // A line starting with a dot or an apostrophe would be a roff request.
  EXPECT_EQ(RoffEscape(".hidden\n'quoted\nmid.dle"), "\\&.hidden\n\\&'quoted\nmid.dle");
}

TEST(ManTest, ManPageHoldsEveryCommandsHelp) {
  testing::ProcessResult man = testing::RunMeabridge({"help", "--man"});
  ASSERT_EQ(man.exit_code, 0) << man.err;
  EXPECT_TRUE(Contains(man.out, ".TH MEABRIDGE 1 ")) << man.out.substr(0, 300);
  EXPECT_TRUE(Contains(man.out, ".SH NAME\nmeabridge \\- "));
  for (std::vector<std::string> cmd : std::vector<std::vector<std::string>>{{"serve"},
                                                                            {"harvest"},
                                                                            {"export"},
                                                                            {"mapping", "test"},
                                                                            {"check-config"},
                                                                            {"status"},
                                                                            {"rejects"},
                                                                            {"vocab"}}) {
    std::string name = cmd.size() == 2 ? cmd[0] + " " + cmd[1] : cmd[0];
    EXPECT_TRUE(Contains(man.out, ".SS \"meabridge " + RoffEscape(name) + "\"\n")) << name;
    cmd.push_back("--help");
    testing::ProcessResult help = testing::RunMeabridge(cmd);
    ASSERT_EQ(help.exit_code, 0) << name;
    std::istringstream lines(help.out);
    for (std::string line; std::getline(lines, line);) {
      EXPECT_TRUE(Contains(man.out, RoffEscape(line) + "\n"))
          << "meabridge(1) lacks this line of `meabridge " << name << " --help`: " << line;
    }
  }
  // Not a command of its own in the overview.
  testing::ProcessResult help = testing::RunMeabridge({"--help"});
  EXPECT_FALSE(Contains(help.out, "--man"));
}

void ExpectDocumented(const std::string& page, const config::ElementSpec& e,
                      const std::string& parents) {
  std::string path = parents.empty() ? "<" + e.name + ">" : parents + " <" + e.name + ">";
  EXPECT_TRUE(Contains(page, ".SS \"" + RoffEscape(path) + "\"\n")) << path;
  for (const config::AttrSpec& a : e.attributes) {
    EXPECT_TRUE(Contains(page, ".TP\n\\fB" + RoffEscape(a.name) + "\\fR (")) << path << " " << a.name;
  }
  for (const config::ElementSpec& c : e.children) ExpectDocumented(page, c, path);
}

TEST(ManTest, ConfigManPageHoldsTheWholeSpec) {
  testing::ProcessResult man = testing::RunMeabridge({"help", "--man-config"});
  ASSERT_EQ(man.exit_code, 0) << man.err;
  EXPECT_TRUE(Contains(man.out, ".TH MEABRIDGE.XML 5 "));
  ExpectDocumented(man.out, config::ConfigSpec(), "");
  EXPECT_TRUE(Contains(man.out, "\\fBport\\fR (integer 1 to 65535, default \\fB8080\\fR)"))
      << "an attribute shows its type, range and default";
}

TEST(ManTest, HelpWithAnUnknownWordIsTheOverview) {
  // `meabridge help` is the overview; `help --man` and `help --man-config` only are pages.
  testing::ProcessResult r = testing::RunMeabridge({"help", "--manual"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.out, "usage: meabridge COMMAND")) << r.out;
}

}  // namespace
}  // namespace meabridge::cli
