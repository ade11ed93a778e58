#include "config/config.h"

#include <gtest/gtest.h>

#include "config/spec.h"
#include "config/values.h"
#include "support/test_support.h"

namespace meabridge::config {
namespace {

using meabridge::testing::TempDir;
using meabridge::testing::WriteFile;

std::vector<std::string> Errors(const LoadResult& r) {
  std::vector<std::string> out;
  for (const auto& e : r.errors) out.push_back(e.ToString());
  return out;
}

TEST(ConfigTest, AValidFileBuildsTheTypedConfig) {
  TempDir dir;
  WriteFile(dir.File("m.xml"), "<mapping/>");
  WriteFile(dir.File("data.json"), "{}");
  WriteFile(dir.File("meabridge.xml"), R"(<meabridge>
  <store location="sqlite:state/mb.db"/>
  <server bind="0.0.0.0" port="9090"/>
  <log level="debug"/>
  <source name="cbd-contacts" kind="http" url="https://api.cbd.int/informea.svc/Contacts" mapping="m.xml" schedule="every 1h">
    <param name="treaty" value="cbd"/>
  </source>
  <source name="local" kind="file" path="data.json" mapping="m.xml" enabled="no"/>
</meabridge>)");
  LoadResult r = LoadConfigFile(dir.File("meabridge.xml"));
  ASSERT_TRUE(r.config) << ::testing::PrintToString(Errors(r));
  const Config& c = *r.config;
  EXPECT_EQ(c.store_location, "sqlite:" + dir.path() + "/state/mb.db");
  EXPECT_EQ(c.server_bind, "0.0.0.0");
  EXPECT_EQ(c.server_port, 9090);
  EXPECT_EQ(c.log_level, core::LogLevel::kDebug);
  ASSERT_EQ(c.sources.size(), 2u);
  const SourceConfig* s = c.FindSource("cbd-contacts");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->mapping, dir.File("m.xml"));
  EXPECT_EQ(s->params.at("treaty"), "cbd");
  EXPECT_EQ(s->schedule, "every 1h");
  EXPECT_EQ(c.FindSource("local")->path, dir.File("data.json"));
  EXPECT_FALSE(c.FindSource("local")->enabled);
  EXPECT_EQ(c.FindSource("nope"), nullptr);
}

TEST(ConfigTest, JsonFormIsEquivalent) {
  TempDir dir;
  WriteFile(dir.File("m.xml"), "<mapping/>");
  LoadResult r = LoadConfigText(R"({"meabridge": {
    "server": {"port": 8181},
    "source": [{"name": "a", "kind": "http", "url": "http://127.0.0.1:1/x", "mapping": "m.xml",
                "param": [{"name": "treaty", "value": "cms"}]}]
  }})",
                                "c.json", dir.path(), /*json=*/true);
  ASSERT_TRUE(r.config) << ::testing::PrintToString(Errors(r));
  EXPECT_EQ(r.config->server_port, 8181);
  EXPECT_EQ(r.config->sources.at(0).params.at("treaty"), "cms");
}

TEST(ConfigTest, EveryErrorHasFileLineColumnAndAFix) {
  TempDir dir;
  LoadResult r = LoadConfigText(R"(<meabridge>
  <store locaton="x.db"/>
  <server port="99999"/>
  <server port="1"/>
  <source name="Bad Name" kind="htp" mapping="nope.xml"/>
  <source name="a" kind="http" mapping="nope.xml"/>
  <source name="a" kind="file" mapping="nope.xml" enabled="maybe"/>
  <sources/>
  <log level="loud">text</log>
</meabridge>)",
                                "c.xml", dir.path());
  EXPECT_FALSE(r.config);
  std::vector<std::string> errors = Errors(r);
  const std::vector<std::string> expected = {
      "c.xml:2:3: unknown attribute 'locaton' on <store>; write instead: location=",
      "c.xml:3:3: <server port=\"99999\">: expected an integer from 1 to 65535",
      "c.xml:4:3: <server> may appear only once",
      "c.xml:5:3: <source kind=\"htp\">: not one of http, file, sql, vocabulary; write instead: kind=\"http\"",
      "c.xml:5:3: source name 'Bad Name' has characters other than",
      "c.xml:6:3: source 'a' of kind http needs a url",
      "c.xml:7:3: duplicate <source name=\"a\">, first at c.xml:6:3",
      "c.xml:7:3: <source enabled=\"maybe\">: expected true or false",
      "c.xml:7:3: source 'a' of kind file needs a path",
      "c.xml:8:3: unknown element <sources> in <meabridge>; write instead: <source> (did you mean",
      "c.xml:9:3: <log level=\"loud\">: not one of error, warning, notice, info, debug",
      "c.xml:9:3: <log> takes no text content",
  };
  for (const std::string& want : expected) {
    bool found = false;
    for (const std::string& got : errors) found = found || got.rfind(want, 0) == 0;
    EXPECT_TRUE(found) << "missing: " << want << "\nin: " << ::testing::PrintToString(errors);
  }
  bool mapping_reported = false;
  for (const std::string& got : errors) {
    mapping_reported =
        mapping_reported || got.find("mapping file 'nope.xml' not found") != std::string::npos;
  }
  EXPECT_TRUE(mapping_reported);
}

// Issue 14, point 9: each of these once went through (a store file named with Latin-1 bytes,
// one called "&h;.db", a relative SQLite file "mysql:/..."), or said nothing useful.
TEST(ConfigTest, HostileValuesAreRefusedAtTheirPosition) {
  TempDir dir;
  struct Case {
    std::string text;
    std::string says;
  };
  const Case cases[] = {
      {"<meabridge>\n  <store location=\"sqlite:caf\xE9.db\"/>\n</meabridge>",
       "c.xml:2:30: not UTF-8 (byte 0xE9)"},
      {"<meabridge>\n  <store location=\"&h;.db\"/>\n</meabridge>",
       "c.xml:2:20: the entity reference &h; is not expanded"},
      {"<meabridge>\n  <store location=\"mysql://u:pw@db.example/mb\"/>\n</meabridge>",
       "c.xml:2:3: the store location is a mysql:// URL; meabridge stores into SQLite or "
       "PostgreSQL only; write instead: location=\"sqlite:/var/lib/meabridge/meabridge.db\" or "
       "location=\"postgresql://USER:PASSWORD@HOST:5432/DATABASE\""},
      {"<meabridge>\n  <store location=\"MariaDB://h/mb\"/>\n</meabridge>",
       "the store location is a MariaDB:// URL"},
      {"<meabridge version=\"2\">\n</meabridge>",
       "c.xml:1:1: unknown attribute 'version' on <meabridge>: <meabridge> takes no "
       "attributes; remove it"},
      {"<meabridge>\n  <server request-timeout=\"99999999999999999999999d\"/>\n</meabridge>",
       "c.xml:2:3: <server request-timeout=\"99999999999999999999999d\">: too long; the longest "
       "duration is 36500d (100 years)"},
  };
  for (const Case& c : cases) {
    LoadResult r = LoadConfigText(c.text, "c.xml", dir.path());
    EXPECT_FALSE(r.config) << c.text;
    std::string all = ::testing::PrintToString(Errors(r));
    bool found = false;
    for (const std::string& e : Errors(r)) {
      found = found || e.find(c.says) != std::string::npos;
      EXPECT_EQ(e.find("one of: ;"), std::string::npos) << e;
      EXPECT_EQ(e.find("pw@"), std::string::npos) << "the password stays out: " << e;
    }
    EXPECT_TRUE(found) << "missing: " << c.says << "\nin: " << all;
  }
  // The accepted forms still are.
  for (const char* loc : {"sqlite:mb.db", "mb.db", "postgresql://h/mb", "PostgreSQL://h/mb",
                          "postgres://h/mb", "sqlite:///tmp/mb.db"}) {
    LoadResult r = LoadConfigText(std::string("<meabridge><store location=\"") + loc +
                                      "\"/></meabridge>",
                                  "c.xml", dir.path());
    EXPECT_TRUE(r.config) << loc << ": " << ::testing::PrintToString(Errors(r));
  }
}

TEST(ConfigTest, UnreadableAndMalformedFiles) {
  LoadResult missing = LoadConfigFile("/nonexistent/meabridge.xml");
  ASSERT_EQ(missing.errors.size(), 1u);
  EXPECT_NE(missing.errors[0].ToString().find("cannot read /nonexistent/meabridge.xml"),
            std::string::npos);
  LoadResult bad = LoadConfigText("<meabridge>\n<store", "c.xml", "/tmp");
  ASSERT_EQ(bad.errors.size(), 1u);
  EXPECT_NE(bad.errors[0].ToString().find("c.xml:2:"), std::string::npos)
      << bad.errors[0].ToString();
  LoadResult root = LoadConfigText("<config/>", "c.xml", "/tmp");
  ASSERT_EQ(root.errors.size(), 1u);
  EXPECT_NE(root.errors[0].ToString().find("the root element is <config>"), std::string::npos);
}

TEST(ConfigTest, TheEmbeddedDefaultIsValid) {
  LoadResult r = LoadDefaultConfig();
  ASSERT_TRUE(r.config) << ::testing::PrintToString(Errors(r));
  EXPECT_EQ(r.config->server_bind, "127.0.0.1");
  EXPECT_EQ(r.config->server_port, 8080);
  EXPECT_NE(r.config->store_location.find("meabridge.db"), std::string::npos);
}

TEST(ConfigTest, PostgresLocationsPassThrough) {
  LoadResult r = LoadConfigText(
      R"(<meabridge><store location="postgresql://u@127.0.0.1/mb"/></meabridge>)", "c.xml", "/tmp");
  ASSERT_TRUE(r.config);
  EXPECT_EQ(r.config->store_location, "postgresql://u@127.0.0.1/mb");
}

TEST(ConfigValuesTest, Parsers) {
  EXPECT_EQ(ParseBool("Yes"), true);
  EXPECT_EQ(ParseBool("off"), false);
  EXPECT_FALSE(ParseBool("maybe"));
  EXPECT_EQ(ParseDurationMs("500ms"), 500);
  EXPECT_EQ(ParseDurationMs("30"), 30000);
  EXPECT_EQ(ParseDurationMs("1.5h"), 5400000);
  EXPECT_EQ(ParseDurationMs("2d"), 172800000);
  EXPECT_FALSE(ParseDurationMs("5 parsecs"));
  EXPECT_FALSE(ParseDurationMs("-5s"));
  EXPECT_EQ(ParseSizeBytes("64KB"), 65536);
  EXPECT_EQ(ParseSizeBytes("10MB"), 10485760);
  EXPECT_FALSE(ParseSizeBytes("10 furlongs"));
  EXPECT_DOUBLE_EQ(*ParseShare("20%"), 0.2);
  EXPECT_DOUBLE_EQ(*ParseShare("0.5"), 0.5);
  EXPECT_FALSE(ParseShare("150%"));
  EXPECT_EQ(ClosestMatch("prot", {"port", "bind"}), "port");
  EXPECT_EQ(ClosestMatch("zzzzzz", {"port", "bind"}), "");
}

}  // namespace
}  // namespace meabridge::config
