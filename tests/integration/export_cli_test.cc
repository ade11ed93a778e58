// `meabridge export` and `meabridge status` as an admin runs them: the real binary, a real
// SQLite store filled through the store API, output files in a TempDir.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <pugixml.hpp>
#include <set>
#include <thread>

#include "core/json.h"
#include "core/strings.h"
#include "core/time.h"
#include "model/record.h"
#include "model/registry.h"
#include "store/store.h"
#include "support/test_support.h"

namespace meabridge {
namespace {

namespace fs = std::filesystem;
using model::Record;
using model::Value;
using testing::ProcessResult;
using testing::ReadFileOrDie;
using testing::RunMeabridge;
using testing::TempDir;
using testing::WriteFile;

const model::EntitySpec& Set(const char* name) { return *model::Registry::Default().Find(name); }
core::EpochMs Ms(const char* text) { return *core::ParseDateTime(text); }

Record Contact(int i, const std::string& country, model::StringList treaties, const char* updated) {
  Record r(Set("Contacts"));
  r.set_id("c" + std::to_string(i));
  r.Set(model::EntitySpec::kUpdatedField, model::DateTime{Ms(updated)});
  r.Set("country", Value(country));
  r.Set("treaties", Value(std::move(treaties)));
  r.Set("firstName", Value(std::string("Ana, \"Nina\"")));  // a CSV cell that needs quoting
  r.Set("lastName", Value("Name" + std::to_string(i)));
  r.Set("email", Value("nfp" + std::to_string(i) + "@example.org"));
  r.Set("primary", Value(i % 2 == 0));
  return r;
}

Record Decision(const char* id, const char* treaty, const char* en, const char* fr) {
  Record r(Set("Decisions"));
  r.set_id(id);
  r.Set(model::EntitySpec::kUpdatedField, model::DateTime{Ms("2024-03-01T00:00:00Z")});
  r.Set("treaty", Value(std::string(treaty)));
  model::Multilingual title;
  model::SetText(title, "en", en);
  model::SetText(title, "fr", fr);
  r.Set("title", Value(title));
  return r;
}

Record Treaty(const char* id, const char* parent) {
  Record r(Set("Treaties"));
  r.set_id(id);
  model::Multilingual title;
  model::SetText(title, "en", std::string("Treaty ") + id);
  r.Set("title", Value(title));
  if (*parent) r.Set("parent", Value(std::string(parent)));
  return r;
}

void Commit(store::Store& store, const std::string& source, const std::vector<Record>& records,
            const std::string& status = "ok") {
  auto w = store.BeginRun(source, Ms("2025-01-01T00:00:00Z"), false);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  for (const Record& r : records) ASSERT_TRUE((*w)->Upsert(r).ok());
  ASSERT_TRUE((*w)->SetWatermark("2025-01-01T00:00:00Z").ok());
  store::RunRecord run;
  run.started = Ms("2025-01-01T00:00:00Z");
  run.finished = Ms("2025-01-01T00:00:02Z");
  run.status = status;
  run.counts.fetched = static_cast<int64_t>(records.size());
  run.counts.created = static_cast<int64_t>(records.size());
  ASSERT_TRUE((*w)->Commit(run).ok());
}

class ExportCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = dir_.File("store.db");
    auto s = store::OpenStore(db_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
    std::vector<Record> contacts = {
        Contact(1, "FR", {"cbd", "cms"}, "2024-05-01T10:00:00Z"),
        Contact(2, "FR", {"cms"}, "2024-06-01T10:00:00Z"),
        Contact(3, "DE", {"cbd"}, "2023-01-01T10:00:00Z"),
        Contact(4, "FR", {"cbd"}, "2023-12-31T23:59:59Z"),
    };
    Commit(*store_, "contacts-src", contacts);
    Commit(*store_, "decisions-src",
           {Decision("d1", "cbd", "Biodiversity & <you>", "Biodiversité"),
            Decision("d2", "cites", "Trade", "Commerce")});
    Commit(*store_, "treaties-src",
           {Treaty("cbd", ""), Treaty("cartagena", "cbd"), Treaty("cites", "")});
    config_ = dir_.File("meabridge.xml");
    WriteFile(dir_.File("none.json"), "{\"value\": []}");
    WriteFile(
        config_,
        "<meabridge>\n"
        "  <store location=\"" +
            db_ +
            "\"/>\n"
            "  <server public-url=\"https://data.example.org/\"/>\n"
            "  <source name=\"contacts-src\" kind=\"file\" path=\"" +
            dir_.File("none.json") +
            "\" mapping=\"mappings/informea-odata-v4/contacts.json\" schedule=\"every 6h\"/>\n"
            "  <profile name=\"national-reporting\" "
            "mapping=\"mappings/profiles/national-reporting-contacts.json\"/>\n"
            "</meabridge>\n");
  }

  ProcessResult Export(std::vector<std::string> args) {
    args.insert(args.begin(), {"export", "--config", config_});
    return RunMeabridge(args);
  }

  TempDir dir_;
  std::string db_;
  std::string config_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(ExportCliTest, JsonIsODataV4WithEveryRecord) {
  ProcessResult r = Export({"--entity", "contacts", "--format", "json", "-o", dir_.File("c.json")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  rapidjson::Document doc;
  ASSERT_TRUE(json::Parse(ReadFileOrDie(dir_.File("c.json")), doc).ok());
  EXPECT_STREQ(doc["@odata.context"].GetString(),
               "https://data.example.org/odata/v4/$metadata#Contacts");
  ASSERT_EQ(doc["value"].Size(), 4u);
  const rapidjson::Value& c1 = doc["value"][0];
  EXPECT_STREQ(c1["id"].GetString(), "c1");
  EXPECT_STREQ(c1["firstName"].GetString(), "Ana, \"Nina\"");
  EXPECT_EQ(c1["treaties"].Size(), 2u);
  EXPECT_TRUE(c1["fax"].IsNull());
  EXPECT_STREQ(c1["updated"].GetString(), "2024-05-01T10:00:00Z");
}

TEST_F(ExportCliTest, StandardOutputByDefault) {
  ProcessResult r = Export({"--entity", "Decisions"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  rapidjson::Document doc;
  ASSERT_TRUE(json::Parse(r.out, doc).ok()) << r.out;
  ASSERT_EQ(doc["value"].Size(), 2u);
  EXPECT_STREQ(doc["value"][0]["title"]["fr"].GetString(), "Biodiversité");
}

TEST_F(ExportCliTest, CsvHasTheHeaderAndQuotedCells) {
  ProcessResult r = Export({"--entity", "contacts", "--format", "csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> lines = core::Split(r.out, '\n');
  ASSERT_EQ(lines.size(), 6u) << r.out;  // header, 4 rows, "" after the last CRLF
  EXPECT_EQ(lines[0].rfind("id,updated,treaties,country,", 0), 0u) << lines[0];
  EXPECT_NE(lines[1].find("c1,2024-05-01T10:00:00Z,cbd|cms,FR,,\"Ana, \"\"Nina\"\"\",Name1"),
            std::string::npos)
      << lines[1];
}

TEST_F(ExportCliTest, XmlIsTheV2AtomFeedWithChildrenInline) {
  ProcessResult r = Export({"--entity", "decisions", "--format", "xml", "-o", dir_.File("d.xml")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_file(dir_.File("d.xml").c_str()));
  pugi::xml_node feed = doc.child("feed");
  EXPECT_STREQ(feed.attribute("xml:base").value(), "https://data.example.org/informea.svc/");
  std::vector<pugi::xml_node> entries;
  for (pugi::xml_node e : feed.children("entry")) entries.push_back(e);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_STREQ(entries[0].child_value("id"),
               "https://data.example.org/informea.svc/Decisions('d1')");
  // The title's children are inline: an export file cannot follow links.
  pugi::xpath_node fr = entries[0].select_node(
      "link[@title='title']/*[local-name()='inline']/feed/entry[content/*[local-name()="
      "'properties']/*[local-name()='language']='fr']");
  ASSERT_TRUE(fr) << ReadFileOrDie(dir_.File("d.xml")).substr(0, 2000);
  EXPECT_NE(ReadFileOrDie(dir_.File("d.xml")).find("Biodiversity &amp; &lt;you&gt;"),
            std::string::npos);
}

TEST_F(ExportCliTest, AtomCarriesTheChangeFeedsEntries) {
  ProcessResult r = Export({"--entity", "contacts", "--format", "atom", "--country", "DE"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(r.out.c_str())) << r.out;
  pugi::xml_node feed = doc.child("feed");
  EXPECT_STREQ(feed.attribute("xmlns").value(), "http://www.w3.org/2005/Atom");
  std::vector<std::string> ids;
  for (pugi::xml_node e : feed.children("entry")) ids.push_back(e.child_value("id"));
  EXPECT_EQ(ids, std::vector<std::string>{"https://data.example.org/odata/v4/Contacts('c3')"});
}

TEST_F(ExportCliTest, JsonLdInlinesItsContext) {
  ProcessResult r = Export({"--entity", "treaties", "--format", "jsonld", "--treaty", "cbd"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  rapidjson::Document doc;
  ASSERT_TRUE(json::Parse(r.out, doc).ok()) << r.out;
  ASSERT_TRUE(doc["@context"].IsObject());
  EXPECT_STREQ(doc["@context"]["schema"].GetString(), "http://schema.org/");
  std::set<std::string> ids;
  for (const auto& node : doc["@graph"].GetArray()) ids.insert(node["@id"].GetString());
  // --treaty on Treaties: the treaty and its protocols.
  EXPECT_EQ(ids, (std::set<std::string>{"https://data.example.org/ld/treaties/cbd",
                                        "https://data.example.org/ld/treaties/cartagena"}));
}

TEST_F(ExportCliTest, FiltersByTreatyCountryAndSince) {
  auto ids = [&](std::vector<std::string> args) {
    args.insert(args.end(), {"--entity", "contacts", "--format", "json"});
    ProcessResult r = Export(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    rapidjson::Document doc;
    EXPECT_TRUE(json::Parse(r.out, doc).ok()) << r.out;
    std::vector<std::string> out;
    if (doc.IsObject() && doc.HasMember("value")) {
      for (const auto& v : doc["value"].GetArray()) out.push_back(v["id"].GetString());
    }
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(ids({"--treaty", "cbd"}), (V{"c1", "c3", "c4"}));
  EXPECT_EQ(ids({"--country", "France"}), (V{"c1", "c2", "c4"}));  // names resolve
  EXPECT_EQ(ids({"--country", "FRA", "--treaty", "CBD"}), (V{"c1", "c4"}));
  EXPECT_EQ(ids({"--since", "2024-01-01"}), (V{"c1", "c2"}));
  EXPECT_EQ(ids({"--since", "2023-12-31T23:59:59Z"}), (V{"c1", "c2", "c4"}));
  EXPECT_EQ(ids({"--since", "2030-01-01"}), V{});
}

TEST_F(ExportCliTest, ProfileRendersThroughTheOutboundMapping) {
  ProcessResult r = Export({"--entity", "contacts", "--profile", "national-reporting", "--country",
                            "DE", "-o", dir_.File("p.json")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  rapidjson::Document doc;
  ASSERT_TRUE(json::Parse(ReadFileOrDie(dir_.File("p.json")), doc).ok());
  ASSERT_EQ(doc["focalPoints"].Size(), 1u);
  EXPECT_STREQ(doc["focalPoints"][0]["country"]["name"].GetString(), "Germany");
  EXPECT_STREQ(doc["focalPoints"][0]["conventions"][0].GetString(), "CBD");

  ProcessResult other = Export({"--entity", "decisions", "--profile", "national-reporting"});
  EXPECT_EQ(other.exit_code, 2);
  EXPECT_NE(other.err.find("has no mapping for Decisions; it renders Contacts"), std::string::npos)
      << other.err;
}

TEST_F(ExportCliTest, UsageErrorsSayWhatIsValid) {
  struct Case {
    std::vector<std::string> args;
    std::string says;
  } cases[] = {
      {{"--format", "csv"}, "say which entity set with --entity (one of Treaties, Contacts"},
      {{"--entity", "parties"}, "unknown entity set 'parties'; use one of Treaties, Contacts"},
      {{"--entity", "contacts", "--format", "yaml"},
       "unknown format 'yaml'; use one of json, csv, xml, atom, jsonld"},
      {{"--entity", "contacts", "--profile", "nope"},
       "no profile 'nope' in " + config_ + "; it has national-reporting"},
      {{"--entity", "contacts", "--profile", "national-reporting", "--format", "csv"}, "not both"},
      {{"--entity", "treaties", "--country", "FR"},
       "Treaties has no country to filter by; --country applies to Contacts, Memberships"},
      {{"--entity", "contacts", "--country", "Atlantis"}, "is not in the countries vocabulary"},
      {{"--entity", "contacts", "--treaty", "nato"}, "is not in the treaties vocabulary"},
      {{"--entity", "contacts", "--since", "yesterday"}, "is not a date (YYYY-MM-DD)"},
      {{"--entity", "contacts", "--bogus"}, "--bogus"},
  };
  for (const Case& c : cases) {
    ProcessResult r = Export(c.args);
    EXPECT_EQ(r.exit_code, 2) << core::Join(c.args, " ") << "\n" << r.err;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << core::Join(c.args, " ") << "\n" << r.err;
    EXPECT_EQ(r.out, "");
  }
}

TEST_F(ExportCliTest, AProgressBarOnATerminalOnly) {
  // util-linux's script(1) gives the export a terminal for stdout and stderr.
  if (access("/usr/bin/script", X_OK) != 0) GTEST_SKIP() << "script(1) (bsdutils) is missing";
  ProcessResult probe = testing::RunProcess({"/usr/bin/script", "-qec", "true", "/dev/null"});
  if (probe.exit_code != 0) {
    GTEST_SKIP() << "script(1) cannot open a pseudo-terminal here: " << probe.out << probe.err;
  }
  std::string cmd = testing::BinaryPath() + " export --config " + config_ +
                    " --entity contacts --format csv -o " + dir_.File("tty.csv");
  ProcessResult tty = testing::RunProcess({"/usr/bin/script", "-qec", cmd, "/dev/null"});
  ASSERT_EQ(tty.exit_code, 0) << tty.out << tty.err;
  EXPECT_NE(tty.out.find("] 100% 4/4 records"), std::string::npos) << tty.out;
  EXPECT_NE(tty.out.find("4 Contacts records written to " + dir_.File("tty.csv")),
            std::string::npos)
      << tty.out;
  // Not a terminal: quiet.
  ProcessResult quiet = Export({"--entity", "contacts", "-o", dir_.File("quiet.json")});
  ASSERT_EQ(quiet.exit_code, 0) << quiet.err;
  EXPECT_EQ(quiet.err, "");
  EXPECT_EQ(quiet.out, "");
}

TEST_F(ExportCliTest, AnUnwritableOutputFailsNamingTheFile) {
  std::string path = dir_.File("missing/folder/out.csv");
  ProcessResult r = Export({"--entity", "contacts", "-o", path});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(path), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("does not exist"), std::string::npos) << r.err;
}

TEST_F(ExportCliTest, AnExistingFileIsReplacedWhole) {
  std::string path = dir_.File("out.csv");
  WriteFile(path, "old\n");
  ProcessResult r = Export({"--entity", "contacts", "--format", "csv", "-o", path});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ReadFileOrDie(path).rfind("id,updated,", 0), 0u);
  for (const auto& e : fs::directory_iterator(dir_.path())) {
    std::string name = e.path().filename().string();
    EXPECT_NE(name[0], '.') << "a temporary file was left behind: " << name;
  }
}

// The temporary file the export writes to, seen from outside: an fd of `pid` on an anonymous
// (O_TMPFILE) or hidden file in `dir`.
bool WritesInto(pid_t pid, const std::string& dir) {
  std::error_code ec;
  for (const auto& fd : fs::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec)) {
    std::string target = fs::read_symlink(fd.path(), ec).string();
    if (target.rfind(dir + "/", 0) == 0 && (target.find("(deleted)") != std::string::npos ||
                                            target.find("/.out.csv.") != std::string::npos)) {
      return true;
    }
  }
  return false;
}

TEST_F(ExportCliTest, AnExportKilledMidwayLeavesNoFileAndKeepsTheOldOne) {
  // Enough records that the export runs for a while.
  const int kRecords = 150000;
  {
    auto w = store_->BeginRun("bulk", Ms("2025-01-02T00:00:00Z"), false);
    ASSERT_TRUE(w.ok());
    for (int i = 0; i < kRecords; ++i) {
      Record r = Contact(1000 + i, "FR", {"cbd"}, "2024-01-01T00:00:00Z");
      r.Set("address", Value(std::string(300, 'a' + static_cast<char>(i % 26))));
      ASSERT_TRUE((*w)->Upsert(r).ok());
    }
    store::RunRecord run;
    run.status = "ok";
    ASSERT_TRUE((*w)->Commit(run).ok());
  }
  TempDir out_dir;
  std::string path = out_dir.File("out.csv");
  WriteFile(path, "the previous export\n");
  for (int sig : {SIGKILL, SIGTERM}) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      int devnull = open("/dev/null", O_WRONLY);
      dup2(devnull, 1);
      dup2(devnull, 2);
      std::string bin = testing::BinaryPath();
      execl(bin.c_str(), bin.c_str(), "export", "--config", config_.c_str(), "--entity", "contacts",
            "--format", "csv", "-o", path.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    bool seen = false;
    int status = 0;
    bool exited = false;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!seen && !exited && std::chrono::steady_clock::now() < deadline) {
      seen = WritesInto(pid, out_dir.path());
      if (!seen) {
        exited = waitpid(pid, &status, WNOHANG) == pid;
        std::this_thread::sleep_for(std::chrono::microseconds(200));
      }
    }
    if (!exited) {
      // Let it write a part of the data.
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      kill(pid, sig);
      ASSERT_EQ(waitpid(pid, &status, 0), pid);
    }
    ASSERT_TRUE(seen) << "the export never opened its temporary file in " << out_dir.path();
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == sig)
        << "the export finished before the signal (status " << status << "); it should take "
        << "longer with " << kRecords << " records";
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(out_dir.path())) {
      names.push_back(e.path().filename().string());
    }
    EXPECT_EQ(names, std::vector<std::string>{"out.csv"}) << "signal " << sig;
    EXPECT_EQ(ReadFileOrDie(path), "the previous export\n") << "signal " << sig;
  }
  // And a full run still works and writes every record.
  ProcessResult r = Export({"--entity", "contacts", "--format", "csv", "-o", path});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(core::Split(ReadFileOrDie(path), '\n').size(), static_cast<size_t>(kRecords + 4 + 2));
}

TEST_F(ExportCliTest, StatusShowsSourcesRunsAndCountsWhileAWriterIsOpen) {
  // A harvest in progress (an open write transaction) does not block `status`.
  auto w = store_->BeginRun("contacts-src", Ms("2025-01-03T00:00:00Z"), false);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Upsert(Contact(99, "FR", {"cbd"}, "2025-01-01T00:00:00Z")).ok());
  ProcessResult r = RunMeabridge({"status", "--config", config_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Contacts"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("contacts-src"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("every 6h"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("2025-01-01T00:00:00Z"), std::string::npos) << r.out;  // watermark
  ProcessResult j = RunMeabridge({"status", "--config", config_, "--json"});
  ASSERT_EQ(j.exit_code, 0) << j.err;
  rapidjson::Document doc;
  ASSERT_TRUE(json::Parse(j.out, doc).ok()) << j.out;
  EXPECT_EQ(doc["store"]["records"]["Contacts"].GetInt64(), 4);
  ASSERT_EQ(doc["sources"].Size(), 1u);
  const rapidjson::Value& src = doc["sources"][0];
  EXPECT_STREQ(src["name"].GetString(), "contacts-src");
  EXPECT_STREQ(src["schedule"].GetString(), "every 6h");
  EXPECT_STREQ(src["watermark"].GetString(), "2025-01-01T00:00:00Z");
  ASSERT_GE(src["runs"].Size(), 1u);
  EXPECT_STREQ(src["runs"][0]["status"].GetString(), "ok");
  EXPECT_EQ(src["runs"][0]["counts"]["created"].GetInt64(), 4);
  EXPECT_DOUBLE_EQ(src["runs"][0]["durationSeconds"].GetDouble(), 2.0);
}

TEST_F(ExportCliTest, StatusShowsAWatermarkWithoutItsSecrets) {
  // A watermark as an earlier meabridge stored it, with credentials in its URLs.
  auto w = store_->BeginRun("contacts-src", Ms("2025-01-04T00:00:00Z"), false);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->SetWatermark(R"({"v":1,"cursor":"https://h/C?$deltatoken=1&access_token=AT-1",)"
                                 R"("pages":[{"url":"https://u:PASS-2@h/C?api_key=AK-3","sha1":"x"}]})")
                  .ok());
  store::RunRecord run;
  run.started = Ms("2025-01-04T00:00:00Z");
  run.finished = Ms("2025-01-04T00:00:01Z");
  run.status = "ok";
  ASSERT_TRUE((*w)->Commit(run).ok());
  for (std::vector<std::string> args : {std::vector<std::string>{"status", "--config", config_},
                                        {"status", "--config", config_, "--json"}}) {
    ProcessResult r = RunMeabridge(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    for (const char* secret : {"AT-1", "PASS-2", "AK-3"}) {
      EXPECT_EQ(r.out.find(secret), std::string::npos) << secret << " in:\n" << r.out;
    }
    EXPECT_NE(r.out.find("access_token=***"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("u:***@h/C?api_key=***"), std::string::npos) << r.out;
  }
}

}  // namespace
}  // namespace meabridge
