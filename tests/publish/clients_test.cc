// Real clients against the publisher: Debian's python3-feedparser reads every Atom feed (the
// change feeds and the V2 dialect's feeds) without a bozo flag; python3-rdflib parses the
// JSON-LD into the expected triples; the npm OData client @odata/client pages through a
// collection to the end. The scripts live in tests/publish/clients/.
#include <filesystem>

#include "publish_fixture.h"
#include "support/test_support.h"

namespace meabridge::publish::testing {
namespace {

namespace fs = std::filesystem;
using meabridge::testing::ProcessResult;
using meabridge::testing::RunProcess;

std::string ClientsDir() { return meabridge::testing::SourceDir() + "/tests/publish/clients"; }

bool HasPython(const char* module) {
  ProcessResult r = RunProcess({"/usr/bin/python3", "-c", std::string("import ") + module});
  return r.exit_code == 0;
}

class ClientsTest : public PublishTest {
 protected:
  std::string Base() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }
};

TEST_F(ClientsTest, FeedparserReadsEveryAtomFeed) {
  ASSERT_TRUE(HasPython("feedparser"))
      << "/usr/bin/python3 cannot import feedparser: install Debian's python3-feedparser "
         "(scripts/setup.sh does)";
  std::vector<std::string> argv = {"/usr/bin/python3", ClientsDir() + "/feedparser_check.py"};
  for (const auto& e : Reg().entities()) {
    argv.push_back(Base() + "feeds/" + e.name + ".atom");
    argv.push_back(Base() + "informea.svc/" + e.set_name);
    std::string expand;  // every navigation property (multilingual texts and lists)
    for (const auto& f : e.fields) {
      if (f.type == model::FieldType::kMultilingual || f.IsList()) {
        expand += (expand.empty() ? "" : ",") + f.NameIn(model::Dialect::kInforMeaV2);
      }
    }
    if (!expand.empty())
      argv.push_back(Base() + "informea.svc/" + e.set_name + "?$expand=" + expand);
  }
  ProcessResult r = RunProcess(argv);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("feeds/contacts.atom pages=4 entries=19"), std::string::npos) << r.out;
}

// Issue 14, point 3: characters XML 1.0 cannot carry (C0 controls, U+FFFE, U+FFFF) in a
// stored record leave every XML answer well-formed for a strict parser (expat, as Python's
// xml.dom.minidom uses it), with U+FFFD in their place.
TEST_F(ClientsTest, AStrictXmlParserReadsEveryXmlAnswerWhateverTheRecordHolds) {
  Record bad = MakeContact({"c99", "FR", {"cbd"}, "Non\xEF\xBF\xBE" "char",
                            "A\x01" "B\x0B" "C\xEF\xBF\xBF" "D", "2024-01-01T00:00:00Z", true});
  const std::string after = std::to_string(fixture_.MaxSeq());
  Commit(fixture_.store(), "fixtures", {bad}, {}, Ms("2024-01-02T00:00:00Z"));
  const char* kStrict =
      "import sys, xml.dom.minidom\n"
      "d = xml.dom.minidom.parseString(sys.stdin.buffer.read())\n"
      "print(d.documentElement.tagName)\n";
  for (const std::string& target :
       {std::string("/informea.svc/Contacts('c99')"),
        std::string("/informea.svc/Contacts?$filter=id%20eq%20'c99'"),
        "/feeds/contacts.atom?after=" + after}) {
    HttpResult got = Get(target);
    ASSERT_EQ(got.status, 200) << target << "\n" << got.body;
    ASSERT_NE(got.body.find("c99"), std::string::npos) << target << "\n" << got.body;
    ProcessResult r = RunProcess({"/usr/bin/python3", "-c", kStrict}, got.body);
    EXPECT_EQ(r.exit_code, 0) << target << ": " << r.err << "\n" << got.body;
    for (const char* raw : {"\xEF\xBF\xBE", "\xEF\xBF\xBF", "\x01", "\x0B"}) {
      EXPECT_EQ(got.body.find(raw), std::string::npos) << target;
    }
    EXPECT_NE(got.body.find("A\xEF\xBF\xBD" "B"), std::string::npos) << target << "\n" << got.body;
    EXPECT_NE(got.body.find("Non\xEF\xBF\xBD" "char"), std::string::npos) << target;
  }
}

TEST_F(ClientsTest, RdflibParsesTheJsonLdIntoTheExpectedTriples) {
  ASSERT_TRUE(HasPython("rdflib"))
      << "/usr/bin/python3 cannot import rdflib: install Debian's python3-rdflib";
  ProcessResult r = RunProcess({"/usr/bin/python3", ClientsDir() + "/rdflib_check.py", Base()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST_F(ClientsTest, NpmODataClientPagesThroughACollection) {
  ProcessResult which = RunProcess({"/bin/sh", "-c", "command -v npm && command -v node"});
  std::vector<std::string> paths = core::Split(core::Trim(which.out), '\n');
  if (which.exit_code != 0 || paths.size() != 2) {
    GTEST_SKIP() << "npm (or node) is not installed: the npm OData client test needs them "
                    "(scripts/setup.sh installs nodejs and npm)";
  }
  const char* env = std::getenv("MEABRIDGE_NPM_DIR");
  std::string dir =
      env && *env ? env : (fs::temp_directory_path() / "meabridge-npm-odata-client").string();
  fs::create_directories(dir);
  if (!fs::exists(dir + "/node_modules/@odata/client/package.json")) {
    ProcessResult install =
        RunProcess({paths[0], "install", "--prefix", dir, "--no-audit", "--no-fund",
                    "--prefer-offline", "--loglevel=error", "@odata/client@2"});
    ASSERT_EQ(install.exit_code, 0) << "npm install @odata/client failed:\n"
                                    << install.out << install.err;
  }
  for (const char* set : {"Contacts", "Treaties", "Decisions"}) {
    ProcessResult r =
        RunProcess({paths[1], ClientsDir() + "/odata_client_check.js", Base() + "odata/v4/", set},
                   "", {"NODE_PATH=" + dir + "/node_modules"});
    EXPECT_EQ(r.exit_code, 0) << set << ":\n" << r.out << r.err;
    if (std::string(set) == "Contacts") {
      EXPECT_NE(r.out.find("19 Contacts in 4 pages"), std::string::npos) << r.out;
    }
  }
}

}  // namespace
}  // namespace meabridge::publish::testing
