// `meabridge mapping test`, run as the real binary: exit codes, the JSON output's shape, the
// table and ndjson forms, and the help text.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/json.h"
#include "core/strings.h"
#include "support/test_support.h"

namespace meabridge {
namespace {

using testing::RunMeabridge;

std::string Mapping(const std::string& rel) {
  return meabridge::testing::SourceDir() + "/mappings/" + rel;
}
std::string Data(const std::string& rel) { return testing::TestDataDir() + "/mapping/" + rel; }

class MappingCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(testing::BinaryPath())) {
      GTEST_FAIL() << "build the meabridge target first: " << testing::BinaryPath();
    }
  }
};

TEST_F(MappingCliTest, ValidInputExitsZeroAndPrintsOneJsonObject) {
  auto r = RunMeabridge({"mapping", "test", Mapping("informea-odata-v2/contacts.xml"), "--input",
                         Data("odata-v2/contacts.json"), "--format", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  rapidjson::Document doc;
  ASSERT_TRUE(json::Parse(r.out, doc).ok()) << r.out;
  ASSERT_TRUE(doc.IsObject());
  EXPECT_EQ(doc.MemberCount(), 3u);
  ASSERT_TRUE(doc["deleted"].IsArray());
  EXPECT_EQ(doc["deleted"].Size(), 0u);
  ASSERT_TRUE(doc["records"].IsArray());
  ASSERT_EQ(doc["records"].Size(), 3u);
  const auto& first = doc["records"][0];
  EXPECT_STREQ(first["entity"].GetString(), "Contacts");
  EXPECT_STREQ(first["id"].GetString(), "nfp-0001");
  EXPECT_STREQ(first["updated"].GetString(), "2020-09-13T12:26:40Z");
  EXPECT_TRUE(doc["rejects"].IsArray());
  EXPECT_EQ(doc["rejects"].Size(), 0u);
}

// Deletion marks (<deleted> rules) are listed, in every format, and are not rejects.
TEST_F(MappingCliTest, DeletionMarksAreShownAndExitZero) {
  const std::vector<std::string> base = {"mapping", "test",
                                         Mapping("informea-odata-v4/contacts.json"), "--input",
                                         Data("odata-v4/contacts-delta.json")};
  auto with = [&](const char* format) {
    std::vector<std::string> args = base;
    args.insert(args.end(), {"--format", format});
    return RunMeabridge(args);
  };
  auto r = with("json");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  rapidjson::Document doc;
  ASSERT_TRUE(json::Parse(r.out, doc).ok()) << r.out;
  ASSERT_EQ(doc["records"].Size(), 1u);
  ASSERT_EQ(doc["deleted"].Size(), 2u);
  EXPECT_STREQ(doc["deleted"][0]["id"].GetString(), "nfp-0001");
  EXPECT_STREQ(doc["deleted"][0]["position"].GetString(), "/value/1");
  EXPECT_STREQ(doc["deleted"][1]["id"].GetString(), "nfp-0003");

  r = with("table");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("marked deleted:\n  /value/1  id \"nfp-0001\"\n  /value/2  id "
                       "\"nfp-0003\"\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("1 record, 0 rejects, 2 marked deleted"), std::string::npos) << r.out;

  r = with("ndjson");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find(R"({"deleted":{"position":"/value/2","id":"nfp-0003"}})"), std::string::npos)
      << r.out;
}

TEST_F(MappingCliTest, RejectsExitOneWithPositionFieldRuleValueMessage) {
  auto r = RunMeabridge({"mapping", "test", Mapping("informea-odata-v2/contacts.xml"), "--input",
                         Data("odata-v2/contacts-malformed.json"), "--format", "json"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  rapidjson::Document doc;
  ASSERT_TRUE(json::Parse(r.out, doc).ok()) << r.out;
  ASSERT_EQ(doc["rejects"].Size(), 7u);
  const auto& reject = doc["rejects"][0];
  for (const char* key : {"position", "field", "rule", "value", "message"}) {
    EXPECT_TRUE(reject.HasMember(key)) << key;
  }
  EXPECT_STREQ(reject["position"].GetString(), "/d/results/0");
  EXPECT_STREQ(reject["field"].GetString(), "country");
  EXPECT_STREQ(reject["rule"].GetString(), "lookup");
  EXPECT_STREQ(reject["value"].GetString(), "Atlantis");
}

TEST_F(MappingCliTest, MemberhipsWithAParameter) {
  auto r =
      RunMeabridge({"mapping", "test", Mapping("status-csv/memberships.json"), "--input",
                    Data("status-csv/status.csv"), "--param", "treaty=unfccc", "--format", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(
      r.out.find(
          R"({"entity":"Memberships","id":"unfccc:EU","treaty":"unfccc","country":"EU","status":"approval","signature":"1992-06-13","consent":"1993-12-21"})"),
      std::string::npos)
      << r.out;
  auto missing = RunMeabridge({"mapping", "test", Mapping("status-csv/memberships.json"), "--input",
                               Data("status-csv/status.csv")});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("missing required parameter 'treaty'"), std::string::npos)
      << missing.err;
}

TEST_F(MappingCliTest, UnreadableMappingOrInputExitsTwo) {
  testing::TempDir dir;
  testing::WriteFile(
      dir.File("bad.xml"),
      "<mapping entity=\"Contacts\">\n<decoder format=\"json\"/>\n"
      "<records path=\"/x\"/>\n<id path=\"id\"/>\n<field name=\"mail\" path=\"e\"/>\n"
      "</mapping>\n");
  auto bad = RunMeabridge(
      {"mapping", "test", dir.File("bad.xml"), "--input", Data("odata-v2/contacts.json")});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find(dir.File("bad.xml") + ":5:1"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("unknown canonical field 'mail'"), std::string::npos) << bad.err;

  auto no_input = RunMeabridge({"mapping", "test", Mapping("informea-odata-v2/contacts.xml"),
                                "--input", dir.File("absent.json")});
  EXPECT_EQ(no_input.exit_code, 2);
  EXPECT_NE(no_input.err.find("absent.json"), std::string::npos);

  auto truncated =
      RunMeabridge({"mapping", "test", Mapping("informea-odata-v2/contacts.xml"), "--input",
                    Data("odata-v2/contacts-truncated.json"), "--format", "json"});
  EXPECT_EQ(truncated.exit_code, 2);
  EXPECT_NE(truncated.err.find("contacts-truncated.json:4:71"), std::string::npos) << truncated.err;
  rapidjson::Document doc;
  ASSERT_TRUE(json::Parse(truncated.out, doc).ok()) << truncated.out;
  EXPECT_EQ(doc["records"].Size(), 2u);

  auto usage = RunMeabridge({"mapping", "test", Mapping("informea-odata-v2/contacts.xml")});
  EXPECT_EQ(usage.exit_code, 2);
  EXPECT_NE(usage.err.find("--input FILE is required"), std::string::npos);
  auto format = RunMeabridge({"mapping", "test", Mapping("informea-odata-v2/contacts.xml"),
                              "--input", Data("odata-v2/contacts.json"), "--format", "yaml"});
  EXPECT_EQ(format.exit_code, 2);
}

TEST_F(MappingCliTest, ShippedMappingsAreFoundByTheirRelativeName) {
  testing::TempDir dir;  // a working directory without a mappings/ folder
  auto r = RunMeabridge({"mapping", "test", "mappings/informea-odata-v2/contacts.xml", "--input",
                         Data("odata-v2/contacts.json"), "--format", "count"},
                        {"MEABRIDGE_DATADIR=" + meabridge::testing::SourceDir()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "3 records, 0 rejects\n");
}

TEST_F(MappingCliTest, TableAndNdjsonForms) {
  auto table = RunMeabridge({"mapping", "test", Mapping("informea-odata-v2/meetings.xml"),
                             "--input", Data("odata-v2/meetings-malformed.json")});
  EXPECT_EQ(table.exit_code, 1);
  EXPECT_NE(table.out.find("rejects:"), std::string::npos) << table.out;
  EXPECT_NE(
      table.out.find("/d/1  id \"bad-country\"  field country  rule lookup  value \"Narnia\""),
      std::string::npos)
      << table.out;
  EXPECT_NE(table.out.find("0 records, 4 rejects"), std::string::npos);

  auto ok = RunMeabridge({"mapping", "test", Mapping("informea-odata-v2/meetings.xml"), "--input",
                          Data("odata-v2/meetings.json")});
  EXPECT_NE(ok.out.find("record 1: Meetings \"m-cop14\""), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find("  country      CH\n"), std::string::npos) << ok.out;

  auto nd = RunMeabridge({"mapping", "test", Mapping("informea-odata-v2/contacts.xml"), "--input",
                          Data("odata-v2/contacts-malformed.json"), "--format", "ndjson"});
  EXPECT_EQ(nd.exit_code, 1);
  int records = 0, rejects = 0;
  for (const std::string& line : core::Split(nd.out, '\n')) {
    if (line.empty()) continue;
    rapidjson::Document doc;
    ASSERT_TRUE(json::Parse(line, doc).ok()) << line;
    records += doc.HasMember("record");
    rejects += doc.HasMember("reject");
  }
  EXPECT_EQ(records, 1);
  EXPECT_EQ(rejects, 7);
}

TEST_F(MappingCliTest, HelpDescribesEveryOptionWithExamples) {
  auto r = RunMeabridge({"mapping", "test", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* s : {"--input FILE", "--param K=V", "--format", "json", "table", "ndjson",
                        "exit codes", "examples:", "mapping test mappings/"}) {
    EXPECT_NE(r.out.find(s), std::string::npos) << s;
  }
}

}  // namespace
}  // namespace meabridge
