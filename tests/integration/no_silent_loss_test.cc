// Issue 12, "no silent loss": each case of its "Why" as a user meets it. The real binary
// (`meabridge harvest --config`), a real server on 127.0.0.1 (or a file, or a SQLite
// database), and afterwards the store itself: the run's status, what it holds, the rejects,
// the watermark. Each test also prints one "CASE" line (exit code, run status, records
// stored, rejects) for the issue's closing note.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

#include "core/json.h"
#include "model/canonical_json.h"
#include "model/registry.h"
#include "store/store.h"
#include "support/drupal_views_server.h"
#include "support/http_test_server.h"
#include "support/test_support.h"

namespace meabridge {
namespace {

using testing::HttpTestServer;
using testing::Reply;
using testing::SeenRequest;

// OData V2 verbose JSON contacts c<first>..c<first+n-1>, with a __next link when given.
std::string V2Contacts(int first, int n, const std::string& next = "") {
  std::string s = "{\"d\": {\"results\": [";
  for (int i = first; i < first + n; ++i) {
    if (i > first) s += ",";
    s += "\n {\"id\": \"c" + std::to_string(i) +
         "\", \"treaties\": [{\"value\": \"cbd\"}], \"country\": \"FR\", \"lastName\": \"Name " +
         std::to_string(i) + "\"}";
  }
  s += "]";
  if (!next.empty()) s += ", \"__next\": \"" + next + "\"";
  return s + "}}";
}

// OData V4 contacts, with @odata.count when `count` >= 0.
std::string V4Contacts(int first, int n, int count = -1) {
  std::string s = "{";
  if (count >= 0) s += "\"@odata.count\": " + std::to_string(count) + ", ";
  s += "\"value\": [";
  for (int i = first; i < first + n; ++i) {
    if (i > first) s += ",";
    s += "\n {\"id\": \"c" + std::to_string(i) +
         "\", \"treaties\": [\"cbd\"], \"country\": \"FR\", \"lastName\": \"Name " +
         std::to_string(i) + "\"}";
  }
  return s + "]}";
}

class NoSilentLossTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<HttpTestServer>([this](const SeenRequest& r) {
      std::lock_guard lock(mu_);
      if (gone_) return Reply::Status(gone_);
      if (r.path == "/v2") {
        auto page = r.query.find("page");
        int n = page == r.query.end() ? 1 : std::stoi(page->second);
        if (n >= 3) return Reply::Json(V2Contacts(20, pages_last_));
        return Reply::Json(
            V2Contacts(n * 10 - 10 + 0, 10, server_->Url("/v2?page=" + std::to_string(n + 1))));
      }
      if (r.path == "/v4") return Reply::Json(v4_body_);
      return Reply::Status(404);
    });
    config_ = dir_.File("meabridge.xml");
    location_ = "sqlite:" + dir_.File("store.db");
  }

  void Config(const std::string& sources) {
    std::string text = sources;
    const std::string base = server_->Url("");
    for (size_t at; (at = text.find("{base}")) != std::string::npos;) text.replace(at, 6, base);
    const std::string dir = dir_.path();
    for (size_t at; (at = text.find("{dir}")) != std::string::npos;) text.replace(at, 5, dir);
    testing::WriteFile(config_, "<meabridge>\n  <store location=\"" + location_ + "\"/>\n" + text +
                                    "\n</meabridge>\n");
  }

  testing::ProcessResult Harvest(std::vector<std::string> args) {
    args.insert(args.begin(), {"harvest", "--config", config_});
    return testing::RunMeabridge(args);
  }

  std::unique_ptr<store::Store> Open() {
    auto s = store::OpenStore(location_);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(*s) : nullptr;
  }
  store::RunRecord LastRun(const std::string& source) {
    auto s = Open();
    auto runs = (*s->Read())->Runs(source, 1);
    return runs.ok() && !runs->empty() ? runs->front() : store::RunRecord{};
  }
  int64_t Stored(const std::string& entity) {
    auto s = Open();
    store::Query q;
    q.entity = model::Registry::Default().Find(entity);
    auto n = (*s->Read())->Count(q);
    return n.ok() ? *n : -1;
  }
  std::vector<store::Reject> Rejects(int64_t run) {
    auto s = Open();
    auto r = (*s->Read())->Rejects(run, 1000);
    return r.ok() ? *r : std::vector<store::Reject>{};
  }
  std::string Watermark(const std::string& source) {
    auto s = Open();
    auto w = (*s->Read())->Watermark(source);
    return w.ok() && w->has_value() ? **w : "";
  }

  // The closing note's line: command, exit code, run status, records stored, rejects.
  void Case(const std::string& name, const testing::ProcessResult& r, const std::string& source,
            const std::string& entity) {
    store::RunRecord run = LastRun(source);
    std::printf("CASE %s: exit %d, run status %s, records stored %lld, rejects %lld\n",
                name.c_str(), r.exit_code, run.status.c_str(),
                static_cast<long long>(Stored(entity)),
                static_cast<long long>(run.counts.rejected));
  }

  testing::TempDir dir_;
  std::string config_;
  std::string location_;
  std::mutex mu_;
  int gone_ = 0;        // answer every request with this status (404, 410)
  int pages_last_ = 5;  // records on /v2's third page
  std::string v4_body_;
  std::unique_ptr<HttpTestServer> server_;
};

// ---- paging that is sure it reached the end, or says it is not ----

TEST_F(NoSilentLossTest, APageCapIsAPartialRunThatMovesNoWatermark) {
  Config(R"(<source name="v2" kind="http" url="{base}/v2?page=1" max-pages="2"
          incremental="filter" mapping="mappings/informea-odata-v2/contacts.xml"/>)");
  testing::ProcessResult r = Harvest({});
  Case("page cap", r, "v2", "Contacts");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("v2: PARTIAL  fetched 20  created 20"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("paging stopped at the page cap (max-pages=2)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("error: the run did not see the whole source"), std::string::npos) << r.out;
  store::RunRecord run = LastRun("v2");
  EXPECT_EQ(run.status, "partial");
  EXPECT_EQ(Stored("Contacts"), 20) << "what the partial run read is committed";
  EXPECT_EQ(Watermark("v2").find("\"since\""), std::string::npos)
      << "a partial run moves no watermark: " << Watermark("v2");

  // The whole source: ok, and the watermark moves.
  Config(R"(<source name="v2" kind="http" url="{base}/v2?page=1"
          incremental="filter" mapping="mappings/informea-odata-v2/contacts.xml"/>)");
  r = Harvest({});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(LastRun("v2").status, "ok");
  EXPECT_EQ(Stored("Contacts"), 25);
  EXPECT_NE(Watermark("v2").find("\"since\""), std::string::npos) << Watermark("v2");
}

TEST_F(NoSilentLossTest, AutoPagingDoesNotTakeAFullPageWithoutANextLinkForTheEnd) {
  v4_body_ = V4Contacts(0, 5);
  Config(R"(<source name="v4" kind="http" url="{base}/v4" page-size="5"
          mapping="mappings/informea-odata-v4/contacts.json"/>)");
  testing::ProcessResult r = Harvest({});
  Case("auto, full page without next link", r, "v4", "Contacts");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("v4: PARTIAL"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("page 1 (" + server_->Url("/v4") +
                       ") held 5 records, as many as page-size, and no next link"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(LastRun("v4").status, "partial");
  EXPECT_EQ(Stored("Contacts"), 5);

  // A count above what paging brought: partial too.
  v4_body_ = V4Contacts(0, 4, 8);
  r = Harvest({});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("without a next link, but the server counts 8 records and this run "
                       "received 4"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(LastRun("v4").status, "partial");

  // One short page, nothing counted above it: the end, ok.
  v4_body_ = V4Contacts(0, 4, 4);
  r = Harvest({});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(LastRun("v4").status, "ok");
}

// ---- a vanished collection ----

TEST_F(NoSilentLossTest, ACollectionAnswering404FailsTheRunAndKeepsTheData) {
  Config(R"(<source name="v2" kind="http" url="{base}/v2?page=1" retries="0"
          incremental="filter" mapping="mappings/informea-odata-v2/contacts.xml"/>)");
  testing::ProcessResult r = Harvest({});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const std::string watermark = Watermark("v2");
  ASSERT_NE(watermark.find("\"since\""), std::string::npos);

  gone_ = 404;
  r = Harvest({"--full"});
  Case("404, full run", r, "v2", "Contacts");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("v2: FAILED"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("the collection GET " + server_->Url("/v2?page=1") +
                       " answered HTTP 404 Not Found: the run fails and the last good data "
                       "stays; check the source's url, or, if this source answers so when it "
                       "holds nothing, set not-found=\"empty\""),
            std::string::npos)
      << r.out;
  EXPECT_EQ(LastRun("v2").status, "failed");
  EXPECT_EQ(Stored("Contacts"), 25);

  gone_ = 410;
  r = Harvest({});
  Case("410, incremental run", r, "v2", "Contacts");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("answered HTTP 410 Gone"), std::string::npos) << r.out;
  EXPECT_EQ(Watermark("v2"), watermark) << "the watermark never advances over it";
}

TEST_F(NoSilentLossTest, NotFoundMeaningEmptyGoesThroughTheMassDeletionGuard) {
  Config(R"(<source name="v2" kind="http" url="{base}/v2?page=1" deletion="snapshot"
          not-found="empty" mapping="mappings/informea-odata-v2/contacts.xml"/>)");
  testing::ProcessResult r = Harvest({});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  ASSERT_EQ(Stored("Contacts"), 25);

  gone_ = 404;
  r = Harvest({});
  Case("404 as empty, snapshot deletion", r, "v2", "Contacts");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("v2: ABORTED"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("taken as an empty collection (not-found=\"empty\")"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("mass-deletion guard: this run would delete 25 of the 25 records"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(Stored("Contacts"), 25);

  r = Harvest({"--force"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("deleted 25"), std::string::npos) << r.out;
  EXPECT_EQ(Stored("Contacts"), 0);
}

// ---- document-level checks ----

TEST_F(NoSilentLossTest, ARecordsPathMatchingNothingFailsAndSaysWhatTheDocumentHolds) {
  testing::WriteFile(dir_.File("meetings.json"),
                     R"([{"id": "m1", "title": {"en": "COP 1"}, "treaty": "cbd", "changed": 1},
  {"id": "m2", "title": {"en": "COP 2"}, "treaty": "cbd", "changed": 2},
  {"id": "m3", "title": {"en": "COP 3"}, "treaty": "cbd", "changed": 3},
  {"id": "m4", "title": {"en": "COP 4"}, "treaty": "cbd", "changed": 4}])");
  Config(R"(<source name="meetings" kind="file" path="{dir}/meetings.json"
          mapping="mappings/informea-odata-v4/meetings.json"/>)");
  testing::ProcessResult r = Harvest({});
  Case("records path matching nothing", r, "meetings", "Meetings");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("meetings: FAILED"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("the records path /value/* matches nothing in this document: `/value` "
                       "not found; the top level is an array of 4 objects with keys id, title, "
                       "treaty, changed"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(Stored("Meetings"), 0);

  // An OData V4 document given to a V2 mapping.
  v4_body_ = V4Contacts(0, 3);
  Config(R"(<source name="v4" kind="http" url="{base}/v4"
          mapping="mappings/informea-odata-v2/contacts.xml"/>)");
  r = Harvest({});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("`/d` not found; the top level has `value`"), std::string::npos) << r.out;

  // An empty collection in the expected shape is no mismatch.
  v4_body_ = "{\"value\": []}";
  Config(R"(<source name="v4" kind="http" url="{base}/v4"
          mapping="mappings/informea-odata-v4/contacts.json"/>)");
  r = Harvest({});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

std::string MeetingsWithListTitles(int n) {
  std::string s = "{\"value\": [";
  for (int i = 0; i < n; ++i) {
    if (i) s += ",";
    s += "\n {\"id\": \"m" + std::to_string(i) +
         "\", \"treaty\": \"cbd\", \"title\": {\"en\": \"Meeting " + std::to_string(i) + "\"}}";
  }
  return s + "]}";
}

TEST_F(NoSilentLossTest, ARunThatRejectsEveryRecordFailsAndKeepsItsRejects) {
  testing::WriteFile(dir_.File("meetings.json"), MeetingsWithListTitles(10));
  Config(R"(<source name="meetings" kind="file" path="{dir}/meetings.json"
          mapping="mappings/informea-odata-v4/meetings.json"/>)");
  testing::ProcessResult r = Harvest({});
  Case("every record rejected", r, "meetings", "Meetings");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("meetings: FAILED  fetched 10"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("every record this run read was rejected (10 of 10)"), std::string::npos)
      << r.out;
  store::RunRecord run = LastRun("meetings");
  EXPECT_EQ(run.status, "failed");
  EXPECT_EQ(Stored("Meetings"), 0);
  EXPECT_EQ(Rejects(run.id).size(), 10u) << "the rejects are kept: they say why";

  // More than max-reject-share: failed too, and the records are not committed.
  std::string mixed = MeetingsWithListTitles(3);
  mixed.insert(mixed.size() - 2,
               ",{\"id\": \"ok1\", \"treaty\": \"cbd\", \"title\": [{\"language\": \"en\", "
               "\"value\": \"Fine\"}]}");
  testing::WriteFile(dir_.File("meetings.json"), mixed);
  Config(R"(<source name="meetings" kind="file" path="{dir}/meetings.json"
          max-reject-share="50%" mapping="mappings/informea-odata-v4/meetings.json"/>)");
  r = Harvest({});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("3 of the 4 records this run read were rejected (75%, more than "
                       "max-reject-share 50%)"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(Stored("Meetings"), 0);
}

TEST_F(NoSilentLossTest, AnExpectationWarnsOrFailsAsTheSourceSays) {
  pages_last_ = 5;
  Config(R"(<source name="v2" kind="http" url="{base}/v2?page=1" expect-min-records="30"
          mapping="mappings/informea-odata-v2/contacts.xml"/>)");
  testing::ProcessResult r = Harvest({});
  Case("expect-min-records, fail", r, "v2", "Contacts");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("expectation not met: this full run brought 25 records, fewer than "
                       "expect-min-records 30; nothing was committed"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(Stored("Contacts"), 0);

  Config(R"(<source name="v2" kind="http" url="{base}/v2?page=1" expect-min-records="30"
          expect-action="warn" mapping="mappings/informea-odata-v2/contacts.xml"/>)");
  r = Harvest({});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("warning: expectation not met: this full run brought 25 records"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(Stored("Contacts"), 25);

  // A share of the last good full run.
  Config(R"(<source name="v2" kind="http" url="{base}/v2?page=1" expect-min-share="90%"
          mapping="mappings/informea-odata-v2/contacts.xml"/>)");
  pages_last_ = 0;
  r = Harvest({"--full"});
  Case("expect-min-share, fail", r, "v2", "Contacts");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("this full run brought 20 records, fewer than expect-min-share 90% of "
                       "the 25 of the last good full run"),
            std::string::npos)
      << r.out;
}

// ---- repeated ids, encoding errors ----

TEST_F(NoSilentLossTest, ASqlQueryRepeatingAnIdRejectsTheLaterRows) {
  const std::string db_path = dir_.File("nfp.db");
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, R"(CREATE TABLE focal_points ("ID" TEXT, "Treaties" TEXT,
      "Country" TEXT, "Last name" TEXT);
    INSERT INTO focal_points VALUES ('fp-1', 'cbd', 'FR', 'Martin');
    INSERT INTO focal_points VALUES ('fp-2', 'cbd', 'KE', 'Otieno');
    INSERT INTO focal_points VALUES ('fp-1', 'cms', 'FR', 'Martin');
    INSERT INTO focal_points VALUES ('fp-3', 'cbd', 'BR', 'Silva');)",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  Config(R"(<source name="db" kind="sql" driver="sqlite" connection="{dir}/nfp.db"
          query="SELECT * FROM focal_points" mapping="mappings/focal-points-csv/contacts.json"/>)");
  testing::ProcessResult r = Harvest({});
  Case("repeated id in a sql source", r, "db", "Contacts");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("db: ok  fetched 4  created 3  updated 0  unchanged 0  deleted 0  "
                       "rejected 1"),
            std::string::npos)
      << r.out;
  store::RunRecord run = LastRun("db");
  std::vector<store::Reject> rejects = Rejects(run.id);
  ASSERT_EQ(rejects.size(), 1u);
  EXPECT_EQ(rejects[0].rule, "duplicate-id");
  EXPECT_EQ(rejects[0].record_id, "fp-1");
  EXPECT_EQ(rejects[0].position, "row 3");
  EXPECT_NE(rejects[0].message.find("the id \"fp-1\" came already at record 1 of this run (row "
                                    "3 is record 3)"),
            std::string::npos)
      << rejects[0].message;
  EXPECT_EQ(Stored("Contacts"), 3);
}

TEST_F(NoSilentLossTest, ALoneSurrogateRejectsItsRecordAndTheRestOfThePageIsStored) {
  std::string page = V2Contacts(0, 10);
  const std::string bad = "\"Name 4\"";
  page.replace(page.find(bad), bad.size(), "\"Name \\ud800 4\"");
  testing::WriteFile(dir_.File("contacts.json"), page);
  Config(R"(<source name="file" kind="file" path="{dir}/contacts.json"
          mapping="mappings/informea-odata-v2/contacts.xml"/>)");
  testing::ProcessResult r = Harvest({});
  Case("lone surrogate in one record", r, "file", "Contacts");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("file: ok  fetched 10  created 9"), std::string::npos) << r.out;
  store::RunRecord run = LastRun("file");
  std::vector<store::Reject> rejects = Rejects(run.id);
  ASSERT_EQ(rejects.size(), 1u);
  EXPECT_EQ(rejects[0].record_id, "c4");
  EXPECT_EQ(rejects[0].rule, "encoding");
  EXPECT_EQ(rejects[0].field, "lastName");
  EXPECT_EQ(rejects[0].position, "/d/results/4");
  EXPECT_EQ(rejects[0].value, "\\ud800");
  EXPECT_NE(rejects[0].message.find("holds a lone UTF-16 surrogate (\\ud800)"), std::string::npos)
      << rejects[0].message;
  EXPECT_EQ(Stored("Contacts"), 9);
}

// ---- two sources, one id ----

std::string Renamed(std::string page) {
  for (size_t at; (at = page.find("\"Name ")) != std::string::npos;) page.replace(at, 6, "\"Copy ");
  return page;
}

TEST_F(NoSilentLossTest, ARecordOfAnotherSourceIsARejectNamingItsOwner) {
  testing::WriteFile(dir_.File("cbd.json"), V2Contacts(0, 10));
  testing::WriteFile(dir_.File("copy.json"), Renamed(V2Contacts(5, 10)));
  const std::string cbd = R"(<source name="cbd" kind="file" path="{dir}/cbd.json"
          mapping="mappings/informea-odata-v2/contacts.xml"/>)";
  Config(cbd + R"(<source name="copy" kind="file" path="{dir}/copy.json"
          mapping="mappings/informea-odata-v2/contacts.xml"/>)");
  testing::ProcessResult r = Harvest({"cbd"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  r = Harvest({"copy"});
  Case("two sources, one id", r, "copy", "Contacts");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("copy: ok  fetched 10  created 5  updated 0  unchanged 0  deleted 0  "
                       "rejected 5"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("warning: 5 records belong to another source ('cbd') and were rejected "
                       "(rule owned-by-other-source)"),
            std::string::npos)
      << r.out;
  store::RunRecord run = LastRun("copy");
  EXPECT_EQ(run.status, "ok");
  EXPECT_EQ(run.counts.rejected, 5);
  std::vector<store::Reject> rejects = Rejects(run.id);
  ASSERT_EQ(rejects.size(), 5u);
  EXPECT_EQ(rejects[0].rule, "owned-by-other-source");
  EXPECT_EQ(rejects[0].record_id, "c5");
  EXPECT_EQ(rejects[0].field, "id");
  EXPECT_NE(rejects[0].message.find("Contacts \"c5\" belongs to source 'cbd' (it stored it, and "
                                    "it is live): this run of 'copy' does not overwrite it. If "
                                    "both sources deliver it on purpose, declare it: "
                                    "share-with=\"cbd\" on source 'copy'"),
            std::string::npos)
      << rejects[0].message;
  EXPECT_EQ(Stored("Contacts"), 15);
  {
    auto store = Open();
    auto c5 = (*store->Read())->Get(*model::Registry::Default().Find("Contacts"), "c5");
    ASSERT_TRUE(c5.ok() && c5->has_value());
    EXPECT_EQ((*c5)->provenance.source, "cbd");
    EXPECT_EQ(model::CanonicalJson(**c5).find("Copy"), std::string::npos) << "not overwritten";
  }

  // Only records of another source: every record rejected, the run fails.
  testing::WriteFile(dir_.File("copy.json"), Renamed(V2Contacts(0, 4)));
  r = Harvest({"copy"});
  Case("two sources, every record another source's", r, "copy", "Contacts");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("copy: FAILED"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("every record this run read was rejected (4 of 4)"), std::string::npos)
      << r.out;
  run = LastRun("copy");
  EXPECT_EQ(run.status, "failed");
  EXPECT_EQ(Rejects(run.id).size(), 4u);
  EXPECT_EQ(Stored("Contacts"), 15);

  // Shared on purpose (declared on the other source: it goes both ways): overwritten.
  testing::WriteFile(dir_.File("copy.json"), Renamed(V2Contacts(5, 10)));
  Config(R"(<source name="cbd" kind="file" path="{dir}/cbd.json" share-with="copy"
          mapping="mappings/informea-odata-v2/contacts.xml"/>
        <source name="copy" kind="file" path="{dir}/copy.json"
          mapping="mappings/informea-odata-v2/contacts.xml"/>)");
  r = Harvest({"copy"});
  Case("two sources, share-with", r, "copy", "Contacts");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("copy: ok  fetched 10  created 0  updated 5  unchanged 5  deleted 0  "
                       "rejected 0"),
            std::string::npos)
      << r.out;
  auto store = Open();
  auto c5 = (*store->Read())->Get(*model::Registry::Default().Find("Contacts"), "c5");
  ASSERT_TRUE(c5.ok() && c5->has_value());
  EXPECT_EQ((*c5)->provenance.source, "copy");
}

TEST_F(NoSilentLossTest, ShareWithNamingItselfOrABadNameIsAConfigurationError) {
  testing::WriteFile(dir_.File("cbd.json"), V2Contacts(0, 1));
  Config(R"(<source name="cbd" kind="file" path="{dir}/cbd.json" share-with="cbd"
          mapping="mappings/informea-odata-v2/contacts.xml"/>)");
  testing::ProcessResult r = Harvest({});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("source 'cbd': share-with names the source itself"), std::string::npos)
      << r.err;
  Config(R"(<source name="cbd" kind="file" path="{dir}/cbd.json" share-with="Other Source"
          mapping="mappings/informea-odata-v2/contacts.xml"/>)");
  r = Harvest({});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("source 'cbd': share-with names 'Other', which is not a source name"),
            std::string::npos)
      << r.err;
}

// ---- seeing it: mapping test --source, harvest's grouped rejects, meabridge rejects ----

class SeeingItTest : public NoSilentLossTest {
 protected:
  void SetUp() override {
    NoSilentLossTest::SetUp();
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(dir_.File("nfp.db").c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, R"(CREATE TABLE focal_points ("ID" TEXT, "Treaties" TEXT,
        "Country" TEXT, "Last name" TEXT);
      INSERT INTO focal_points VALUES ('fp-1', 'cbd', 'FR', 'Martin');
      INSERT INTO focal_points VALUES ('fp-2', 'cbd', 'KE', 'Otieno');
      INSERT INTO focal_points VALUES ('fp-1', 'cms', 'FR', 'Martin, "Jr"');
      INSERT INTO focal_points VALUES ('fp-3', 'cbd', 'BR', 'Silva');)",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
    Config(R"(<source name="db" kind="sql" driver="sqlite" connection="{dir}/nfp.db"
          query="SELECT * FROM focal_points" mapping="mappings/focal-points-csv/contacts.json"/>)");
  }
};

TEST_F(SeeingItTest, MappingTestRunsASqlSourceWithoutWritingTheStore) {
  testing::ProcessResult r =
      testing::RunMeabridge({"mapping", "test", "--config", config_, "--source", "db"});
  Case("mapping test --source (sql)", r, "db", "Contacts");
  EXPECT_EQ(r.exit_code, 1) << "a reject: " << r.out << r.err;
  EXPECT_NE(r.out.find("record 1: Contacts \"fp-1\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("record 3: Contacts \"fp-3\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("rejects:\n  row 3  id \"fp-1\"  field id  rule duplicate-id"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("3 records, 1 reject\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("source 'db' (dry run, nothing stored): ok: fetched 4, created 3, updated "
                       "0, unchanged 0, deleted 0, rejected 1"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(Stored("Contacts"), 0) << "nothing written";
  EXPECT_EQ(LastRun("db").id, 0) << "no run recorded";

  // JSON stays one document; the summary goes to stderr.
  r = testing::RunMeabridge(
      {"mapping", "test", "--config", config_, "--source", "db", "--format", "json"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(r.out.find("dry run"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("source 'db' (dry run, nothing stored): ok"), std::string::npos) << r.err;

  // Bad usage says what goes with what.
  r = testing::RunMeabridge({"mapping", "test", "--config", config_, "--source", "nope"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no source named 'nope' in " + config_), std::string::npos) << r.err;
  r = testing::RunMeabridge({"mapping", "test", "--config", config_, "--source", "db", "--input",
                             "x.json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("give no MAPPING and no --input with it"), std::string::npos) << r.err;
  r = testing::RunMeabridge({"mapping", "test", "--config", config_});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--config goes with --source S"), std::string::npos) << r.err;
}

TEST_F(SeeingItTest, HarvestGroupsTheRejectsAndMeabridgeRejectsListsThem) {
  testing::ProcessResult r = Harvest({});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  const int64_t run = LastRun("db").id;
  ASSERT_GT(run, 0);
  const std::string id = std::to_string(run);
  EXPECT_NE(r.out.find("  warning: 1 records repeated an id delivered earlier in the run"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("  rejects: 1 (all of them: meabridge rejects --run " + id +
                       ")\n    id / duplicate-id: 1\n      \"fp-1\" (row 3): the id \"fp-1\" "
                       "came already at record 1 of this run"),
            std::string::npos)
      << r.out;

  r = testing::RunMeabridge({"rejects", "--config", config_});
  Case("meabridge rejects", r, "db", "Contacts");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("run " + id + " of db (ok, "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("): 1 rejected\n  duplicate-id  id  \"fp-1\"  row 3\n    the id \"fp-1\" "
                       "came already"),
            std::string::npos)
      << r.out;

  r = testing::RunMeabridge({"rejects", "--config", config_, "--format", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  rapidjson::Document doc;
  ASSERT_TRUE(json::Parse(r.out, doc).ok()) << r.out;
  ASSERT_EQ(doc["runs"].Size(), 1u);
  EXPECT_EQ(doc["runs"][0]["id"].GetInt64(), run);
  EXPECT_STREQ(doc["runs"][0]["source"].GetString(), "db");
  EXPECT_EQ(doc["runs"][0]["counts"]["rejected"].GetInt64(), 1);
  ASSERT_EQ(doc["runs"][0]["rejects"].Size(), 1u);
  const auto& j = doc["runs"][0]["rejects"][0];
  EXPECT_STREQ(j["rule"].GetString(), "duplicate-id");
  EXPECT_STREQ(j["recordId"].GetString(), "fp-1");
  EXPECT_STREQ(j["position"].GetString(), "row 3");
  EXPECT_STREQ(j["entity"].GetString(), "Contacts");

  r = testing::RunMeabridge({"rejects", "--config", config_, "--run", id, "--format", "csv"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("run,source,entity,recordId,position,field,rule,value,message\r\n" + id +
                            ",db,Contacts,fp-1,row 3,id,duplicate-id,fp-1,\"the id \"\"fp-1\"\" came "
                            "already",
                        0),
            0u)
      << r.out;

  r = testing::RunMeabridge({"rejects", "--config", config_, "--source", "db", "--rule",
                             "encoding"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("): 1 rejected, 0 shown\n"), std::string::npos) << r.out;

  r = testing::RunMeabridge({"rejects", "--config", config_, "--source", "dbb"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no source named 'dbb' in " + config_ + " (did you mean 'db'?)"),
            std::string::npos)
      << r.err;
  r = testing::RunMeabridge({"rejects", "--config", config_, "--run", "999"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no run 999 in the store"), std::string::npos) << r.err;
  r = testing::RunMeabridge({"rejects", "--config", config_, "--format", "xml"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--format xml is not one of text, json, csv"), std::string::npos) << r.err;
}

// ---- a Drupal 8/9 site (the InforMEA API module's Views REST export) ----

TEST_F(NoSilentLossTest, ADrupalSiteIsHarvestedWholeThroughViewsPaging) {
  testing::DrupalViewsServer drupal(4);  // the view's pager: 4 items per page
  const std::string data = testing::TestDataDir() + "/harvest/drupal/";
  drupal.ServeFile("/api/v2/meetings", data + "meetings.json");
  drupal.ServeFile("/api/v2/decisions", data + "decisions.json");
  drupal.ServeFile("/api/v2/contacts", data + "contacts.json");
  std::string sources;
  for (const char* e : {"meetings", "decisions", "contacts"}) {
    sources += std::string("<source name=\"drupal-") + e + "\" kind=\"http\" url=\"" +
               drupal.Url(std::string("/api/v2/") + e) + "\" mapping=\"mappings/informea-drupal/" +
               e + ".json\"/>\n";
  }
  Config(sources);
  testing::ProcessResult r = Harvest({});
  Case("Drupal 8/9 site, 24 records on 2 pages each", r, "drupal-meetings", "Meetings");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const char* e : {"meetings", "decisions", "contacts"}) {
    EXPECT_NE(r.out.find(std::string("drupal-") + e +
                         ": ok  fetched 8  created 8  updated 0  unchanged 0  deleted 0  "
                         "rejected 0  pages 3"),
              std::string::npos)
        << r.out;
  }
  EXPECT_EQ(Stored("Meetings"), 8);
  EXPECT_EQ(Stored("Decisions"), 8);
  EXPECT_EQ(Stored("Contacts"), 8);
  std::vector<std::string> targets;
  for (const SeenRequest& q : drupal.http().requests()) {
    if (q.path == "/api/v2/meetings") targets.push_back(q.target);
  }
  EXPECT_EQ(targets, (std::vector<std::string>{"/api/v2/meetings?page=0", "/api/v2/meetings?page=1",
                                               "/api/v2/meetings?page=2"}))
      << "Views' pager from 0, ending at the empty page";

  // The formatters' shapes, mapped: ISO3 arrays, Unix seconds, extensions, 999999.
  auto store = Open();
  auto view = store->Read();
  auto meeting = (*view)->Get(*model::Registry::Default().Find("Meetings"), "1001");
  ASSERT_TRUE(meeting.ok() && meeting->has_value());
  const std::string m = model::CanonicalJson(**meeting);
  EXPECT_NE(m.find("\"country\":\"CO\""), std::string::npos) << m;
  EXPECT_NE(m.find("\"updated\":\"2024-05-29T16:26:40Z\""), std::string::npos) << m;
  EXPECT_NE(m.find("\"fr\":\"R\xC3\xA9union 1 du programme d'essai\""), std::string::npos) << m;
  auto decision = (*view)->Get(*model::Registry::Default().Find("Decisions"), "2002");
  ASSERT_TRUE(decision.ok() && decision->has_value());
  const std::string d = model::CanonicalJson(**decision);
  EXPECT_EQ(d.find("displayOrder"), std::string::npos) << "999999 is no position: " << d;
  EXPECT_NE(d.find("\"mimeType\":\"application/pdf\""), std::string::npos) << d;
  EXPECT_NE(d.find("\"number\":\"16/2\""), std::string::npos) << d;
  auto first = (*view)->Get(*model::Registry::Default().Find("Decisions"), "2001");
  ASSERT_TRUE(first.ok() && first->has_value());
  const std::string d1 = model::CanonicalJson(**first);
  EXPECT_NE(d1.find("\"displayOrder\":1"), std::string::npos) << d1;
  EXPECT_NE(d1.find("\"term\":\"http://www.informea.org/terms/protected-areas\""),
            std::string::npos)
      << d1;

  // A count answer where rows are expected: its one member is no row, and the run fails.
  Config("<source name=\"count\" kind=\"http\" url=\"" +
         drupal.Url("/api/v2/meetings?$count=true") +
         "\" mapping=\"mappings/informea-drupal/meetings.json\"/>");
  r = Harvest({});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("every record this run read was rejected (1 of 1)"), std::string::npos)
      << r.out;
  EXPECT_EQ(Stored("Meetings"), 8);
}

}  // namespace
}  // namespace meabridge
