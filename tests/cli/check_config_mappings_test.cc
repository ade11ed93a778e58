// `meabridge check-config` compiles every source's and profile's mapping and checks the
// parameters each source gives against what its mapping declares and uses. Each problem is one
// line naming the source (or profile) at its config file:line:column and the place in the
// mapping file; the exit status is 2. Through the real binary.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "support/test_support.h"

namespace meabridge::testing {
namespace {

bool Contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

std::string Shipped(const std::string& rel) {
  return meabridge::testing::SourceDir() + "/mappings/" + rel;
}

class CheckConfigMappingsTest : public ::testing::Test {
 protected:
  // Writes c.xml with `body` inside <meabridge> (line 1 is <meabridge>, `body` starts on line 2)
  // and runs check-config on it.
  ProcessResult Check(const std::string& body) {
    WriteFile(dir_.File("c.xml"), "<meabridge>\n" + body + "</meabridge>\n");
    WriteFile(dir_.File("data.csv"), "x\n");
    return RunMeabridge({"check-config", "--config", dir_.File("c.xml")});
  }
  std::string Config() { return dir_.File("c.xml"); }
  TempDir dir_;
};

TEST_F(CheckConfigMappingsTest, ABrokenMappingNamesTheSourceAndTheMappingPosition) {
  WriteFile(dir_.File("broken.xml"),
            "<mapping entity=\"Contacts\">\n"
            "<decoder format=\"csv\"/>\n"
            "<id path=\"ID\"/>\n"
            "<field name=\"mail\" path=\"Email\"/>\n"
            "<field name=\"country\" path=\"C\"><step fn=\"lookup\" vocabulary=\"nations\"/>"
            "</field>\n"
            "</mapping>\n");
  ProcessResult r =
      Check("<source name=\"local\" kind=\"file\" path=\"data.csv\" mapping=\"broken.xml\"/>\n");
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  const std::string prefix = Config() + ":2:1: source 'local': " + dir_.File("broken.xml");
  EXPECT_TRUE(Contains(r.err, prefix + ":4:1: <field name=\"mail\">: unknown canonical field"))
      << r.err;
  EXPECT_TRUE(Contains(r.err, prefix + ":5:")) << r.err;
  EXPECT_TRUE(Contains(r.err, "unknown vocabulary 'nations'")) << r.err;
  EXPECT_TRUE(Contains(r.err, "2 errors in the mappings of " + Config())) << r.err;
  EXPECT_FALSE(Contains(r.out, "is valid")) << r.out;
}

TEST_F(CheckConfigMappingsTest, AMissingRequiredParameter) {
  ProcessResult r = Check(
      "<source name=\"status\" kind=\"file\" path=\"data.csv\"\n"
      "        mapping=\"" +
      Shipped("status-csv/memberships.json") + "\"/>\n");
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  // The <param> declaration of the shipped mapping is on its line 5 (column 3 in JSON).
  EXPECT_TRUE(Contains(
      r.err, Config() + ":2:1: source 'status': " + Shipped("status-csv/memberships.json") +
                 ":5:3: missing required parameter 'treaty'"))
      << r.err;
}

TEST_F(CheckConfigMappingsTest, AParameterTheMappingDoesNotDeclare) {
  ProcessResult r = Check(
      "<source name=\"status\" kind=\"file\" path=\"data.csv\"\n"
      "        mapping=\"" +
      Shipped("status-csv/memberships.json") +
      "\">\n"
      "  <param name=\"treaty\" value=\"unfccc\"/>\n"
      "  <param name=\"treatty\" value=\"unfccc\"/>\n"
      "</source>\n");
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_TRUE(Contains(
      r.err, Config() + ":2:1: source 'status': " + Shipped("status-csv/memberships.json") +
                 ": unknown parameter 'treatty' (declared: treaty)"))
      << r.err;
}

TEST_F(CheckConfigMappingsTest, ATemplateParameterTheSourceDoesNotGive) {
  WriteFile(dir_.File("m.xml"),
            "<mapping entity=\"Memberships\">\n"
            "<decoder format=\"csv\"/>\n"
            "<param name=\"treaty\"/>\n"
            "<param name=\"note\"/>\n"
            "<id template=\"{treaty}:{country}\"/>\n"
            "<field name=\"treaty\" template=\"{param.treaty}\"/>\n"
            "<field name=\"country\" path=\"Code\"/>\n"
            "<field name=\"notes\"><when if-param=\"note\" is=\"present\" "
            "template=\"{param.note}\"/></field>\n"
            "</mapping>\n");
  ProcessResult r =
      Check("<source name=\"m\" kind=\"file\" path=\"data.csv\" mapping=\"m.xml\"/>\n");
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_TRUE(Contains(r.err, Config() + ":2:1: source 'm': " + dir_.File("m.xml") +
                                  ":6:1: {param.treaty} has no value"))
      << r.err;
  // {param.note} is only used when the parameter is there.
  EXPECT_FALSE(Contains(r.err, "{param.note}")) << r.err;
  EXPECT_TRUE(Contains(r.err, "1 error in the mappings")) << r.err;

  // Given by the source: valid.
  r = Check(
      "<source name=\"m\" kind=\"file\" path=\"data.csv\" mapping=\"m.xml\">\n"
      "  <param name=\"treaty\" value=\"cbd\"/>\n"
      "</source>\n");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "is valid")) << r.out;
}

TEST_F(CheckConfigMappingsTest, ASqlSourceNeedsACsvMapping) {
  ProcessResult r = Check(
      "<source name=\"db\" kind=\"sql\" driver=\"sqlite\" connection=\"x.db\" "
      "query=\"SELECT 1\"\n"
      "        mapping=\"" +
      Shipped("informea-odata-v4/contacts.json") + "\"/>\n");
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_TRUE(Contains(r.err, Config() + ":2:1: source 'db': ")) << r.err;
  EXPECT_TRUE(Contains(r.err, "decoder is json; expected <decoder format=\"csv\"/>")) << r.err;
}

TEST_F(CheckConfigMappingsTest, ABrokenProfileMapping) {
  WriteFile(dir_.File("out.xml"),
            "<mapping entity=\"Contacts\" direction=\"outbound\">\n"
            "<encoder format=\"json\"/>\n"
            "<field name=\"n\" path=\"lastName\"><step fn=\"trm\"/></field>\n"
            "</mapping>\n");
  ProcessResult r = Check("<profile name=\"partner\" mapping=\"out.xml\"/>\n");
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_TRUE(
      Contains(r.err, Config() + ":2:1: profile 'partner': " + dir_.File("out.xml") + ":3:"))
      << r.err;
  EXPECT_TRUE(Contains(r.err, "unknown function 'trm'")) << r.err;
}

TEST_F(CheckConfigMappingsTest, ValidSourcesAndProfilesPass) {
  ProcessResult r = Check(
      "<source name=\"status\" kind=\"file\" path=\"data.csv\"\n"
      "        mapping=\"mappings/status-csv/memberships.json\">\n"
      "  <param name=\"treaty\" value=\"unfccc\"/>\n"
      "</source>\n"
      "<source name=\"v2\" kind=\"http\" url=\"https://partner.example/Contacts\"\n"
      "        mapping=\"mappings/informea-odata-v2/contacts.xml\"/>\n"
      "<profile name=\"partner\" "
      "mapping=\"mappings/profiles/national-reporting-contacts.json\"/>\n");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "is valid")) << r.out;
}

TEST_F(CheckConfigMappingsTest, ASqlSourcesQueriesAreCheckedAgainstItsMappingWithoutHarvesting) {
  // A SQLite database shaped as the toolkit's decisions views, one column short.
  ProcessResult made = RunProcess(
      {"/usr/bin/sqlite3", dir_.File("cms.db"),
       "CREATE TABLE informea_decisions (id TEXT, treaty TEXT, number TEXT, updated TEXT);"
       "CREATE TABLE informea_decisions_title (id TEXT, decision_id TEXT, language TEXT, title TEXT);"
       "CREATE TABLE informea_decisions_summary (id TEXT, parent TEXT, language TEXT, summary TEXT);"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  WriteFile(dir_.File("d.xml"),
            "<mapping entity=\"Decisions\"><decoder format=\"csv\"/><id path=\"id\"/>\n"
            "<field name=\"treaty\" path=\"treaty\"/><field name=\"link\" path=\"link\"/>\n"
            "<field name=\"meetingTitle\" path=\"title\"/>\n"
            "<field name=\"title\" path=\"title/*\" text-path=\"title\"/>\n"
            "<field name=\"summary\" path=\"summary/*\" text-path=\"summary\"/></mapping>\n");
  const std::string source =
      "<source name=\"cms\" kind=\"sql\" driver=\"sqlite\" connection=\"cms.db\" key=\"id\"\n"
      " mapping=\"d.xml\" query=\"SELECT * FROM informea_decisions ORDER BY id\">\n"
      " <child name=\"title\" key=\"decision_id\" query=\"SELECT * FROM informea_decisions_title "
      "ORDER BY decision_id\"/>\n"
      " <child name=\"summary\" key=\"decision_id\" query=\"SELECT * FROM "
      "informea_decisions_summary ORDER BY parent\"/>\n"
      "</source>\n";
  ProcessResult r = Check(source);
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_TRUE(Contains(r.err, Config() + ":2:1: source 'cms': child 'summary' has no key column "
                                         "'decision_id' (child 'summary': id, parent, language, "
                                         "summary)"))
      << r.err;
  EXPECT_TRUE(Contains(r.err, "source 'cms': the mapping " + dir_.File("d.xml") +
                                  " reads column 'link' from the main row, which the main query "
                                  "does not return (the main query: id, treaty, number, updated)"))
      << r.err;
  // Per query: `title` is a column of child 'title', not of the main row the field reads.
  EXPECT_TRUE(Contains(r.err, " reads column 'title' from the main row, which the main query "
                              "does not return"))
      << r.err;
  EXPECT_FALSE(Contains(r.err, "column 'title' from child")) << r.err;
  EXPECT_FALSE(Contains(r.err, "column 'summary'")) << "summary is child 'summary''s: " << r.err;
  EXPECT_FALSE(Contains(r.err, "'language'")) << "a default lang-path is no column the mapping names";

  // A database that cannot be reached: the columns are not checked, and check-config says so.
  ProcessResult unreachable =
      Check("<source name=\"far\" kind=\"sql\" driver=\"postgresql\" "
            "connection=\"host=127.0.0.1 port=1 dbname=x connect_timeout=2\" mapping=\"d.xml\" "
            "query=\"SELECT 1\" key=\"id\">\n"
            " <child name=\"title\" key=\"decision_id\" query=\"SELECT 1\"/>\n"
            " <child name=\"summary\" key=\"decision_id\" query=\"SELECT 1\"/>\n</source>\n");
  EXPECT_EQ(unreachable.exit_code, 0) << unreachable.out << unreachable.err;
  EXPECT_TRUE(Contains(unreachable.err, "warning: " + Config() +
                                            ":2:1: source 'far': columns not checked: source "
                                            "'far' (postgresql)"))
      << unreachable.err;
}

// Issue 14, point 4: a configuration check-config refuses, every command refuses, with the
// same lines and before it opens or writes anything (harvest/config_check.h). A refused reload
// is in tests/integration/serve_daemon_test.cc.
TEST_F(CheckConfigMappingsTest, EveryCommandRefusesWhatCheckConfigRefusesBeforeWritingAnything) {
  WriteFile(dir_.File("broken.xml"),
            "<mapping entity=\"Contacts\">\n"
            "<decoder format=\"csv\"/>\n"
            "<id path=\"ID\"/>\n"
            "<field name=\"country\" path=\"C\"><step fn=\"lookup\" vocabulary=\"nations\"/>"
            "</field>\n"
            "</mapping>\n");
  ProcessResult check = Check(
      "<store location=\"sqlite:store.db\"/>\n"
      "<source name=\"local\" kind=\"file\" path=\"data.csv\" mapping=\"broken.xml\"/>\n");
  ASSERT_EQ(check.exit_code, 2) << check.out << check.err;
  const std::string line = Config() + ":3:1: source 'local': " + dir_.File("broken.xml") + ":4:";
  ASSERT_TRUE(Contains(check.err, line)) << check.err;
  const std::string out = dir_.File("contacts.csv");
  for (std::vector<std::string> command :
       {std::vector<std::string>{"harvest", "--config", Config()},
        {"harvest", "--config", Config(), "local"},
        {"export", "--config", Config(), "--entity", "contacts", "--format", "csv", "-o", out},
        {"serve", "--config", Config(), "--port", "0"},
        {"status", "--config", Config()},
        {"rejects", "--config", Config()}}) {
    ProcessResult r = RunMeabridge(command);
    EXPECT_EQ(r.exit_code, 2) << command[0] << ": " << r.out << r.err;
    EXPECT_TRUE(Contains(r.err, line)) << command[0] << ": " << r.err;
    EXPECT_TRUE(Contains(r.err, "unknown vocabulary 'nations'")) << command[0] << ": " << r.err;
    EXPECT_TRUE(Contains(r.err, "1 error in the mappings of " + Config())) << r.err;
    EXPECT_FALSE(std::filesystem::exists(dir_.File("store.db"))) << command[0] << " made a store";
    EXPECT_FALSE(std::filesystem::exists(out)) << command[0] << " wrote a file";
  }
}

}  // namespace
}  // namespace meabridge::testing
