// Faults on demand, each ending as docs/harvesting.md says: retried, rejected with its reason,
// or the run failed with the previous data intact (nothing committed, the failure recorded).
#include <atomic>
#include <functional>

#include "core/strings.h"
#include "harvest_fixture.h"

namespace meabridge::harvest::test {
namespace {

using testing::HttpTestServer;
using testing::Reply;
using testing::SeenRequest;

// A source of 5 good contacts ("good" version) harvested once; then the server switches to a
// fault, and the test checks how the next run ends.
class FaultTest : public HarvestTest {
 protected:
  void SetUp() override {
    HarvestTest::SetUp();
    server_ = std::make_unique<HttpTestServer>([this](const SeenRequest& r) {
      std::function<Reply(const SeenRequest&)> f;
      {
        std::lock_guard lock(mu_);
        f = fault_;
      }
      if (f) return f(r);
      return Reply::Json(V2Page(MakeContacts(5, "c", "good")));
    });
    source_ = Source("partner", server_->Url("/Contacts"));
    RunReport first = Harvest(source_);
    ASSERT_TRUE(first.ok()) << first.run.error;
    ASSERT_EQ(LiveCount(), 5);
    watermark_ = Watermark("partner");
    seq_ = MaxSeq();
    server_->ClearRequests();
  }

  void Fault(std::function<Reply(const SeenRequest&)> f) {
    std::lock_guard lock(mu_);
    fault_ = std::move(f);
  }

  // The previous run's data, watermark and sequence are untouched, and the run is recorded.
  void ExpectPreviousDataIntact(const RunReport& r, const std::string& status = "failed") {
    EXPECT_EQ(r.run.status, status);
    EXPECT_EQ(LiveCount(), 5);
    EXPECT_EQ(Field("c0003", "lastName"), "Name 3 good");
    EXPECT_EQ(Watermark("partner"), watermark_);
    EXPECT_EQ(MaxSeq(), seq_);
    std::vector<store::RunRecord> runs = Runs("partner");
    ASSERT_EQ(runs.size(), 2u);
    EXPECT_EQ(runs[0].status, status);
    EXPECT_EQ(runs[0].error, r.run.error);
    EXPECT_EQ(runs[0].id, r.run.id);
    EXPECT_EQ(runs[0].counts.created + runs[0].counts.updated + runs[0].counts.deleted, 0);
  }

  std::mutex mu_;
  std::function<Reply(const SeenRequest&)> fault_;
  std::unique_ptr<HttpTestServer> server_;
  config::SourceConfig source_;
  std::string watermark_;
  int64_t seq_ = 0;
};

// The tests below that exercise the store run on every backend (support/store_backends.h).
class FaultStoresTest : public meabridge::testing::OnEachStore<FaultTest> {};

TEST_F(FaultTest, A500IsRetriedAndTheRunSucceeds) {
  std::atomic<int> n{0};
  Fault([&](const SeenRequest&) {
    if (++n == 1) return Reply::Status(500);
    return Reply::Json(V2Page(MakeContacts(5, "c", "new")));
  });
  RunReport r = Harvest(source_);
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_EQ(r.run.counts.updated, 5);
  EXPECT_TRUE(HasWarning(r, "HTTP 500 Internal Server Error; retry 1 of 2 in 1.0s")) << Warnings(r);
  EXPECT_EQ(waiter_.waits(), (std::vector<int64_t>{1000}));
}

TEST_F(FaultTest, A503WithRetryAfterIsWaitedFor) {
  std::atomic<int> n{0};
  Fault([&](const SeenRequest&) {
    if (++n == 1) return Reply::Status(503).Header("Retry-After", "42");
    return Reply::Json(V2Page(MakeContacts(5, "c", "good")));
  });
  RunReport r = Harvest(source_);
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_EQ(waiter_.waits(), (std::vector<int64_t>{42000}));
  EXPECT_TRUE(HasWarning(r, "HTTP 503")) << Warnings(r);
  EXPECT_TRUE(HasWarning(r, "(Retry-After)")) << Warnings(r);
}

TEST_F(FaultTest, A429IsRetriedWithBackoff) {
  std::atomic<int> n{0};
  Fault([&](const SeenRequest&) {
    if (++n <= 2) return Reply::Status(429);
    return Reply::Json(V2Page(MakeContacts(5, "c", "good")));
  });
  RunReport r = Harvest(source_);
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_EQ(waiter_.waits(), (std::vector<int64_t>{1000, 2000}));
  EXPECT_TRUE(r.not_modified) << "the same bytes as the last run: nothing decoded";
}

TEST_P(FaultStoresTest, A500ThatLastsFailsTheRunAndKeepsThePreviousData) {
  Fault([](const SeenRequest&) { return Reply::Status(500); });
  RunReport r = Harvest(source_);
  EXPECT_NE(r.run.error.find("HTTP 500 Internal Server Error (gave up after 3 tries"),
            std::string::npos)
      << r.run.error;
  EXPECT_NE(r.run.error.find(server_->Url("/Contacts")), std::string::npos) << r.run.error;
  EXPECT_EQ(server_->request_count(), 3u);
  ExpectPreviousDataIntact(r);
}

TEST_F(FaultTest, AResponseSlowerThanTheTimeoutIsRetriedThenFails) {
  Fault([](const SeenRequest&) {
    Reply rep = Reply::Json(V2Page(MakeContacts(5, "c", "slow")));
    rep.delay_ms = 2000;
    return rep;
  });
  source_.timeout_ms = 200;
  source_.retries = 1;
  RunReport r = Harvest(source_);
  EXPECT_NE(r.run.error.find("timed out"), std::string::npos) << r.run.error;
  EXPECT_EQ(server_->request_count(), 2u);
  ExpectPreviousDataIntact(r);
}

TEST_F(FaultTest, AConnectionResetMidBodyIsRetried) {
  std::atomic<int> n{0};
  Fault([&](const SeenRequest&) {
    Reply rep = Reply::Json(V2Page(MakeContacts(5, "c", "after-reset")));
    if (++n == 1) rep.reset_after = 100;
    return rep;
  });
  RunReport r = Harvest(source_);
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_EQ(r.run.counts.updated, 5);
  EXPECT_EQ(waiter_.waits().size(), 1u);
}

TEST_F(FaultTest, AResetThatLastsFailsTheRun) {
  Fault([&](const SeenRequest&) {
    Reply rep = Reply::Json(V2Page(MakeContacts(5, "c", "never")));
    rep.reset_after = 100;
    return rep;
  });
  RunReport r = Harvest(source_);
  EXPECT_NE(r.run.error.find("gave up after 3 tries"), std::string::npos) << r.run.error;
  ExpectPreviousDataIntact(r);
}

TEST_F(FaultTest, TruncatedJsonFailsTheRunWithThePosition) {
  Fault([&](const SeenRequest& r) {
    return ServeFixture(SeenRequest{"GET", "", "/faults/truncated.json", {}, {}}, server_->Url(""));
    (void)r;
  });
  RunReport r = Harvest(source_);
  EXPECT_NE(r.run.error.find("page 1"), std::string::npos) << r.run.error;
  EXPECT_NE(r.run.error.find("offset"), std::string::npos) << r.run.error;
  EXPECT_NE(r.run.error.find("JSON"), std::string::npos) << r.run.error;
  ExpectPreviousDataIntact(r);
}

TEST_F(FaultTest, ABodyCutShortOfItsContentLengthIsRetried) {
  std::atomic<int> n{0};
  Fault([&](const SeenRequest&) {
    Reply rep = Reply::Json(V2Page(MakeContacts(5, "c", "cut")));
    if (++n == 1) rep.truncate_after = 60;
    return rep;
  });
  RunReport r = Harvest(source_);
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_EQ(r.run.counts.updated, 5);
}

TEST_P(FaultStoresTest, InvalidUtf8RejectsThatRecordWithItsReason) {
  Fault([&](const SeenRequest&) {
    return ServeFixture(SeenRequest{"GET", "", "/faults/invalid-utf8.json", {}, {}},
                        server_->Url(""));
  });
  RunReport r = Harvest(source_);
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_EQ(r.run.counts.created, 2);
  EXPECT_EQ(r.run.counts.rejected, 1);
  std::vector<store::Reject> rejects = Rejects(r.run.id);
  ASSERT_EQ(rejects.size(), 1u);
  EXPECT_EQ(rejects[0].record_id, "u-2");
  EXPECT_EQ(rejects[0].field, "lastName");
  EXPECT_NE(rejects[0].message.find("UTF-8"), std::string::npos) << rejects[0].message;
  EXPECT_EQ(rejects[0].position, "/d/results/1");
  EXPECT_EQ(rejects[0].entity, "Contacts");
  EXPECT_FALSE(Live("u-2"));
  EXPECT_TRUE(Live("u-3"));
}

TEST_F(FaultTest, AGzipBombStopsAtTheSizeLimit) {
  const std::string bomb = testing::GzipBomb(int64_t{256} << 20);
  Fault([&](const SeenRequest&) {
    Reply rep = Reply::Json(bomb);
    rep.Header("Content-Encoding", "gzip");
    return rep;
  });
  source_.max_size = 4 << 20;
  RunReport r = Harvest(source_);
  EXPECT_NE(r.run.error.find("larger than max-size (4.0 MB, counted after decompression)"),
            std::string::npos)
      << r.run.error;
  EXPECT_EQ(server_->request_count(), 1u) << "not retried";
  EXPECT_LT(r.run.counts.bytes, 2 << 20);
  ExpectPreviousDataIntact(r);
}

TEST_F(FaultTest, ABodyOverTheSizeLimitFailsTheRun) {
  Fault([&](const SeenRequest&) { return Reply::Json(V2Page(MakeContacts(2000, "c", "big"))); });
  source_.max_size = 16 << 10;
  RunReport r = Harvest(source_);
  EXPECT_NE(r.run.error.find("larger than max-size (16.0 KB"), std::string::npos) << r.run.error;
  ExpectPreviousDataIntact(r);
}

TEST_F(FaultTest, ARedirectLoopFailsTheRun) {
  Fault([&](const SeenRequest& r) {
    return Reply::Status(302).Header("Location", r.path == "/Contacts" ? "/Other" : "/Contacts");
  });
  RunReport r = Harvest(source_);
  EXPECT_NE(r.run.error.find("redirect loop"), std::string::npos) << r.run.error;
  ExpectPreviousDataIntact(r);
}

// Issue 14, point 8: a hostile value is cut where it is copied (core::Cut), in the store's
// rejects and runs: a 5 MB record id, and a 1 MB next link that fails the run.
TEST_P(FaultStoresTest, HostileLengthsAreCutWhereTheyAreCopied) {
  std::vector<Contact> page = MakeContacts(2, "c", "good");
  page.push_back(page[0]);
  page.back().id = std::string(5 << 20, 'i');
  const std::string next = server_->Url("/Contacts?skip=" + std::string(1 << 20, 'n'));
  Fault([&](const SeenRequest& q) {
    if (q.query.empty()) return Reply::Json(V2Page(page, next));
    return Reply::Status(404);
  });
  RunReport r = Harvest(source_);
  EXPECT_EQ(r.run.status, "failed");
  std::vector<store::RunRecord> runs = Runs("partner");
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_LE(runs[0].error.size(), core::kMaxMessageBytes + 32) << runs[0].error.substr(0, 300);
  EXPECT_NE(runs[0].error.find(" more bytes]"), std::string::npos) << runs[0].error.substr(0, 300);
  for (const std::string& w : runs[0].warnings) EXPECT_LE(w.size(), core::kMaxMessageBytes + 32);

  // The same page with a good next link: the run succeeds with the long id a reject, cut.
  Fault([&](const SeenRequest&) { return Reply::Json(V2Page(page)); });
  RunReport ok = Harvest(source_);
  ASSERT_TRUE(ok.ok()) << ok.run.error.substr(0, 300);
  std::vector<store::Reject> rejects = Rejects(ok.run.id);
  ASSERT_EQ(rejects.size(), 1u);
  EXPECT_EQ(rejects[0].record_id,
            std::string(core::kMaxNameBytes, 'i') + "... [" +
                std::to_string((5 << 20) - core::kMaxNameBytes) + " more bytes]");
  EXPECT_LE(rejects[0].value.size(), core::kMaxValueBytes + 32);
  EXPECT_LE(rejects[0].message.size(), core::kMaxMessageBytes + 32);
}

// Issue 14, point 3: characters XML 1.0 cannot carry are replaced by U+FFFD as the records
// are spooled, with one warning per field, so the store holds what every feed can carry.
TEST_P(FaultStoresTest, CharactersXmlCannotCarryAreStoredAsReplacementCharacters) {
  std::vector<Contact> page = MakeContacts(3, "c", "good");
  page[1].last_name = "Non\\uFFFEchar";       // a JSON escape
  page[2].last_name = "Bell\\u0007" "Raw\xEF\xBF\xBF";  // an escaped control, a raw U+FFFF
  Fault([&](const SeenRequest&) { return Reply::Json(V2Page(page)); });
  RunReport r = Harvest(source_);
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_EQ(r.run.counts.rejected, 0);
  EXPECT_EQ(Field("c0001", "lastName"), "Non\xEF\xBF\xBD" "char");
  EXPECT_EQ(Field("c0002", "lastName"), "Bell\xEF\xBF\xBD" "Raw\xEF\xBF\xBD");
  std::string warnings = Warnings(r);
  EXPECT_NE(warnings.find("field 'lastName' of 2 records (the first: \"c0001\") held characters "
                          "XML 1.0 cannot carry"),
            std::string::npos)
      << warnings;
}

TEST_F(FaultTest, AnotherClientErrorFailsAtOnceWithTheUrlAndStatus) {
  Fault([](const SeenRequest&) { return Reply::Status(403); });
  source_.url = server_->Url("/Contacts?api_key=abc123");
  RunReport r = Harvest(source_);
  EXPECT_NE(r.run.error.find("answered HTTP 403 Forbidden"), std::string::npos) << r.run.error;
  EXPECT_NE(r.run.error.find("/Contacts?api_key=***"), std::string::npos) << r.run.error;
  EXPECT_EQ(r.run.error.find("abc123"), std::string::npos) << r.run.error;
  EXPECT_NE(r.run.error.find("check the source's auth"), std::string::npos) << r.run.error;
  EXPECT_EQ(server_->request_count(), 1u);
  ExpectPreviousDataIntact(r);
}

TEST_F(FaultTest, A404OnTheCollectionFailsUnlessTheSourceSaysItMeansEmpty) {
  Fault([](const SeenRequest&) { return Reply::Status(404); });
  RunReport r = Harvest(source_);
  EXPECT_EQ(r.run.status, "failed");
  EXPECT_NE(r.run.error.find("answered HTTP 404 Not Found: the run fails and the last good data "
                             "stays; check the source's url, or, if this source answers so when "
                             "it holds nothing, set not-found=\"empty\""),
            std::string::npos)
      << r.run.error;
  ExpectPreviousDataIntact(r);
  Fault([](const SeenRequest&) { return Reply::Status(410); });
  r = Harvest(source_);
  EXPECT_EQ(r.run.status, "failed");
  EXPECT_NE(r.run.error.find("answered HTTP 410 Gone"), std::string::npos) << r.run.error;

  Fault([](const SeenRequest&) { return Reply::Status(404); });
  source_.not_found = "empty";
  r = Harvest(source_);
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_EQ(r.run.counts.fetched, 0);
  EXPECT_EQ(r.run.counts.deleted, 0);
  EXPECT_TRUE(HasWarning(r, "404 Not Found: taken as an empty collection")) << Warnings(r);
  EXPECT_EQ(LiveCount(), 5) << "deletion=none keeps everything";

  // With snapshot deletion, an empty collection would delete everything: the guard stops it.
  source_.deletion = "snapshot";
  r = Harvest(source_);
  EXPECT_EQ(r.run.status, "aborted");
  EXPECT_TRUE(r.guard_tripped);
  EXPECT_NE(r.run.error.find("would delete 5 of the 5 records"), std::string::npos) << r.run.error;
  EXPECT_EQ(LiveCount(), 5);
}

TEST_P(FaultStoresTest, ARecordCountDropOf90PercentTripsTheGuard) {
  source_.deletion = "snapshot";
  // 100 records first.
  Fault([](const SeenRequest&) { return Reply::Json(V2Page(MakeContacts(100, "c", "good"))); });
  RunReport r = Harvest(source_);
  ASSERT_TRUE(r.ok()) << r.run.error;
  ASSERT_EQ(LiveCount(), 100);
  const int64_t seq = MaxSeq();
  const std::string wm = Watermark("partner");
  // Then only 10 of them.
  Fault([](const SeenRequest&) { return Reply::Json(V2Page(MakeContacts(10, "c", "changed"))); });
  r = Harvest(source_);
  EXPECT_EQ(r.run.status, "aborted");
  EXPECT_TRUE(r.guard_tripped);
  EXPECT_NE(r.run.error.find("mass-deletion guard: this run would delete 90 of the 100 records "
                             "of source 'partner' (90%, more than max-deletion-share 20%); "
                             "nothing was committed"),
            std::string::npos)
      << r.run.error;
  EXPECT_NE(r.run.error.find("meabridge harvest --force partner"), std::string::npos);
  EXPECT_EQ(LiveCount(), 100);
  EXPECT_EQ(Field("c0003", "lastName"), "Name 3 good") << "nothing was committed, updates neither";
  EXPECT_EQ(MaxSeq(), seq);
  EXPECT_EQ(Watermark("partner"), wm);
  EXPECT_EQ(Runs("partner").at(0).status, "aborted");

  // Forced, it goes through.
  r = Harvest(source_, false, /*force=*/true);
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_EQ(r.run.counts.deleted, 90);
  EXPECT_EQ(r.run.counts.updated, 10);
  EXPECT_TRUE(HasWarning(r, "guard overridden (--force)")) << Warnings(r);
  EXPECT_EQ(LiveCount(), 10);

  // A share within the guard needs no force.
  source_.max_deletion_share = 0.5;
  Fault([](const SeenRequest&) { return Reply::Json(V2Page(MakeContacts(6, "c", "changed"))); });
  r = Harvest(source_);
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_EQ(r.run.counts.deleted, 4);
}

TEST_P(FaultStoresTest, AFailingSourceDoesNotAffectAnother) {
  HttpTestServer healthy(
      [](const SeenRequest&) { return Reply::Json(V2Page(MakeContacts(3, "h", "ok"))); });
  Fault([](const SeenRequest&) { return Reply::Status(500); });
  RunReport bad = Harvest(source_);
  RunReport good = Harvest(Source("healthy", healthy.Url("/")));
  EXPECT_EQ(bad.run.status, "failed");
  ASSERT_TRUE(good.ok()) << good.run.error;
  EXPECT_EQ(good.run.counts.created, 3);
  EXPECT_EQ(LiveCount(), 8);
}

TEST_P(FaultStoresTest, AStopRequestAbortsWithoutCommitting) {
  std::stop_source stop;
  Fault([&](const SeenRequest&) {
    stop.request_stop();  // the shutdown arrives while the page is served
    Reply rep = Reply::Json(V2Page(MakeContacts(5, "c", "stopped")));
    rep.delay_ms = 300;
    return rep;
  });
  Harvester h(config_, *store_, Deps());
  HarvestOptions o;
  o.stop = stop.get_token();
  RunReport r = h.Run(source_, o);
  EXPECT_NE(r.run.error.find("stopped"), std::string::npos) << r.run.error;
  ExpectPreviousDataIntact(r, "aborted");
}

TEST_F(FaultTest, AMappingThatCannotLoadFailsTheRun) {
  source_.mapping = dir_.File("missing.xml");
  RunReport r = Harvest(source_);
  EXPECT_NE(r.run.error.find("missing.xml"), std::string::npos) << r.run.error;
  ExpectPreviousDataIntact(r);
}

INSTANTIATE_TEST_SUITE_P(Stores, FaultStoresTest,
                         ::testing::ValuesIn(meabridge::testing::StoreBackends()),
                         meabridge::testing::StoreBackendName);

}  // namespace
}  // namespace meabridge::harvest::test
