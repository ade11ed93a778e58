// The command line frame, through the real binary.
#include <gtest/gtest.h>

#include <filesystem>

#include "support/test_support.h"

namespace meabridge::testing {
namespace {

bool Contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

TEST(CliTest, HelpAndVersion) {
  ProcessResult help = RunMeabridge({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  for (const char* cmd :
       {"serve", "harvest", "export", "mapping test", "check-config", "status", "vocab"}) {
    EXPECT_TRUE(Contains(help.out, cmd)) << cmd;
  }
  ProcessResult version = RunMeabridge({"--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_TRUE(Contains(version.out, "meabridge 0.")) << version.out;
}

TEST(CliTest, EveryCommandHasHelp) {
  for (std::vector<std::string> cmd : std::vector<std::vector<std::string>>{{"serve"},
                                                                            {"harvest"},
                                                                            {"export"},
                                                                            {"mapping", "test"},
                                                                            {"check-config"},
                                                                            {"status"},
                                                                            {"vocab"}}) {
    cmd.push_back("--help");
    ProcessResult r = RunMeabridge(cmd);
    EXPECT_EQ(r.exit_code, 0) << cmd[0];
    EXPECT_TRUE(Contains(r.out, "usage: meabridge " + cmd[0])) << r.out;
  }
}

TEST(CliTest, BadUsageExitsTwoWithAReason) {
  ProcessResult none = RunMeabridge({});
  EXPECT_EQ(none.exit_code, 2);
  ProcessResult unknown = RunMeabridge({"harvset"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_TRUE(Contains(unknown.err, "unknown command 'harvset'"));
  ProcessResult flag = RunMeabridge({"status", "--confg", "x.xml"});
  EXPECT_EQ(flag.exit_code, 2);
  EXPECT_TRUE(Contains(flag.err, "unknown option --confg (did you mean --config?)")) << flag.err;
  ProcessResult value = RunMeabridge({"status", "--config"});
  EXPECT_EQ(value.exit_code, 2);
  EXPECT_TRUE(Contains(value.err, "option --config needs a value")) << value.err;
  ProcessResult half = RunMeabridge({"mapping"});
  EXPECT_EQ(half.exit_code, 2);
  EXPECT_TRUE(Contains(half.err, "meabridge mapping test")) << half.err;
  ProcessResult vocab = RunMeabridge({"vocab", "lookup", "colours", "red"});
  EXPECT_EQ(vocab.exit_code, 2);
}

TEST(CliTest, CheckConfigReportsErrorsWithPositions) {
  TempDir dir;
  WriteFile(dir.File("c.xml"), "<meabridge>\n  <server prot=\"80\"/>\n</meabridge>\n");
  ProcessResult r = RunMeabridge({"check-config", "--config", dir.File("c.xml")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Contains(r.err, dir.File("c.xml") + ":2:3: unknown attribute 'prot' on <server>"))
      << r.err;
  EXPECT_TRUE(Contains(r.err, "did you mean 'port'")) << r.err;
}

TEST(CliTest, CheckConfigSummarisesAValidFile) {
  TempDir dir;
  WriteFile(dir.File("c.xml"), "<meabridge><server port=\"9999\"/></meabridge>");
  ProcessResult r = RunMeabridge({"check-config", "-c", dir.File("c.xml")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "is valid"));
  EXPECT_TRUE(Contains(r.out, ":9999/"));
  ProcessResult def = RunMeabridge({"check-config", "--print-default"});
  EXPECT_EQ(def.exit_code, 0);
  EXPECT_TRUE(Contains(def.out, "<meabridge>"));
}

TEST(CliTest, StatusCreatesTheStoreAndPrintsIt) {
  TempDir dir;
  WriteFile(dir.File("c.xml"), "<meabridge><store location=\"sqlite:s/mb.db\"/></meabridge>");
  std::filesystem::create_directories(dir.File("s"));
  ProcessResult r = RunMeabridge({"status", "--config", dir.File("c.xml")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "schema version")) << r.out;
  EXPECT_TRUE(Contains(r.out, "Contacts")) << r.out;
  EXPECT_TRUE(std::filesystem::exists(dir.File("s/mb.db")));
}

TEST(CliTest, VocabLookupPrintsCodeAndLabelOrNoMatch) {
  ProcessResult ok =
      RunMeabridge({"vocab", "lookup", "countries", "Bolivia (Plurinational State of)", "FRA"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_TRUE(Contains(ok.out, "\tBO\t")) << ok.out;
  EXPECT_TRUE(Contains(ok.out, "\tFR\t")) << ok.out;
  ProcessResult miss = RunMeabridge({"vocab", "lookup", "countries", "Atlantis", "FR"});
  EXPECT_EQ(miss.exit_code, 1);
  EXPECT_TRUE(Contains(miss.out, "Atlantis\tno match")) << miss.out;
  ProcessResult list = RunMeabridge({"vocab", "list", "membership-status"});
  EXPECT_EQ(list.exit_code, 0);
  EXPECT_TRUE(Contains(list.out, "ratification"));
}

}  // namespace
}  // namespace meabridge::testing
