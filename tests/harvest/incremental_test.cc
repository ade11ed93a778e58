// Incremental sync: the watermark is the server's Date at the start of a run, committed with
// the data; later runs ask only for changes ($filter, a parameter, or the delta link), and a
// full reconciliation comes on schedule or on demand.
#include <atomic>

#include "harvest/state.h"
#include "harvest_fixture.h"

namespace meabridge::harvest::test {
namespace {

using testing::HttpTestServer;
using testing::Reply;
using testing::SeenRequest;

constexpr int64_t kHour = 3600 * 1000;

class IncrementalTest : public HarvestTest {
 protected:
  IncrementalTest() : manual_(*core::ParseDateTime("2024-05-01T10:00:05Z")) { clock_ = &manual_; }

  SourceState State(const std::string& source) {
    return *SourceState::FromWatermark(Watermark(source));
  }

  core::ManualClock manual_;
};

// The tests below that exercise the store run on every backend (support/store_backends.h).
class IncrementalStoresTest : public meabridge::testing::OnEachStore<IncrementalTest> {};

TEST_P(IncrementalStoresTest, FilterFromTheServersDateThenFullReconciliationOnSchedule) {
  std::atomic<int64_t> server_now{*core::ParseDateTime("2024-05-01T10:00:00Z")};
  std::vector<Contact> contacts = MakeContacts(5, "c", "v1");
  std::mutex mu;
  HttpTestServer server([&](const SeenRequest& r) {
    std::lock_guard lock(mu);
    std::vector<Contact> out;
    if (r.query.count("$filter") && r.query.at("$filter").find("updated gt") != std::string::npos) {
      // Only what changed: c0002 (the server would evaluate the filter).
      Contact c = contacts[2];
      c.last_name = "Changed";
      out.push_back(c);
    } else {
      out = contacts;
    }
    return Reply::Json(V2Page(out)).Header("Date", testing::HttpDate(server_now));
  });
  config::SourceConfig s = Source("inc", server.Url("/Contacts?$filter=country%20eq%20'FR'"));
  s.incremental = "filter";
  s.since_format = "odata-v2";
  s.since_overlap_ms = 60000;
  s.full_every_ms = 24 * kHour;
  s.deletion = "snapshot";

  RunReport r = Harvest(s);
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_TRUE(r.run.full);
  EXPECT_EQ(r.run.counts.created, 5);
  EXPECT_EQ(State("inc").since, core::ParseDateTime("2024-05-01T10:00:00Z"))
      << "the server's Date, not the local clock (10:00:05)";
  EXPECT_EQ(server.requests().back().query.at("$filter"), "country eq 'FR'");

  // An hour later: only changes, from the watermark minus the overlap.
  manual_.Advance(kHour);
  server_now += kHour;
  {
    std::lock_guard lock(mu);
    contacts.pop_back();  // gone at the source: an incremental run cannot see it
  }
  r = Harvest(s);
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_FALSE(r.run.full);
  EXPECT_EQ(server.requests().back().query.at("$filter"),
            "(country eq 'FR') and (updated gt datetime'2024-05-01T09:59:00')");
  EXPECT_EQ(r.run.counts.fetched, 1);
  EXPECT_EQ(r.run.counts.updated, 1);
  EXPECT_EQ(r.run.counts.deleted, 0);
  EXPECT_EQ(Field("c0002", "lastName"), "Changed");
  EXPECT_EQ(LiveCount(), 5);
  EXPECT_EQ(State("inc").since, core::ParseDateTime("2024-05-01T11:00:00Z"));
  EXPECT_EQ(State("inc").last_full, core::ParseDateTime("2024-05-01T10:00:00Z"));

  // A day after the last full run: a full reconciliation, which detects the deletion.
  manual_.Advance(24 * kHour);
  server_now += 24 * kHour;
  r = Harvest(s);
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_TRUE(r.run.full);
  EXPECT_EQ(server.requests().back().query.at("$filter"), "country eq 'FR'");
  EXPECT_EQ(r.run.counts.deleted, 1);
  EXPECT_EQ(r.run.counts.updated, 1) << "c0002 back to its listed content";
  EXPECT_FALSE(Live("c0004"));
  EXPECT_EQ(State("inc").last_full, core::ParseDateTime("2024-05-02T11:00:00Z"));

  // --full forces one at any time.
  manual_.Advance(kHour);
  r = Harvest(s, /*full=*/true);
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_TRUE(r.run.full);
  EXPECT_EQ(server.requests().back().query.at("$filter"), "country eq 'FR'");
}

TEST_P(IncrementalStoresTest, AFailedRunLeavesTheWatermarkWhereItWas) {
  std::atomic<bool> fail{false};
  HttpTestServer server([&](const SeenRequest&) {
    if (fail) return Reply::Status(500);
    return Reply::Json(V2Page(MakeContacts(3))).Header("Date", "Wed, 01 May 2024 10:00:00 GMT");
  });
  config::SourceConfig s = Source("inc", server.Url("/c"));
  s.incremental = "param";
  s.since_param = "modifiedSince";
  ASSERT_TRUE(Harvest(s).ok());
  const std::string before = Watermark("inc");
  manual_.Advance(kHour);
  fail = true;
  RunReport r = Harvest(s);
  EXPECT_EQ(r.run.status, "failed");
  EXPECT_EQ(Watermark("inc"), before);
  EXPECT_EQ(server.requests().back().query.at("modifiedSince"), "2024-05-01T09:59:00Z");
}

TEST_P(IncrementalStoresTest, CursorFollowsTheDeltaLink) {
  HttpTestServer server(nullptr);
  server.SetHandler([&](const SeenRequest& r) { return ServeFixture(r, server.Url("")); });
  config::SourceConfig s =
      Source("delta", server.Url("/v4/contacts-1.json"), "informea-odata-v4/contacts.json");
  s.incremental = "cursor";
  RunReport r = Harvest(s);
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_EQ(r.run.counts.created, 4);
  EXPECT_EQ(State("delta").cursor, server.Url("/v4/delta-1.json?$deltatoken=1"));

  manual_.Advance(kHour);
  r = Harvest(s);
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_FALSE(r.run.full);
  EXPECT_EQ(server.requests().back().target, "/v4/delta-1.json?$deltatoken=1");
  EXPECT_EQ(r.run.counts.fetched, 1);
  EXPECT_EQ(r.run.counts.updated, 1);
  EXPECT_EQ(Field("v4-2", "lastName"), "Martin-Dupont");
  EXPECT_EQ(State("delta").cursor, server.Url("/v4/delta-2.json?$deltatoken=2"));

  // The next delta link has expired (404): the run reads everything instead, and says so.
  manual_.Advance(kHour);
  r = Harvest(s);
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_TRUE(r.run.full);
  EXPECT_TRUE(HasWarning(r, "this run reads everything")) << Warnings(r);
  EXPECT_EQ(r.run.counts.fetched, 4);
  EXPECT_EQ(State("delta").cursor, server.Url("/v4/delta-1.json?$deltatoken=1"));
}

TEST_P(IncrementalStoresTest, WithoutADateHeaderTheLocalClockIsTheWatermark) {
  HttpTestServer server([&](const SeenRequest&) {
    return Reply::Json(V2Page(MakeContacts(2))).Header("Date", "not a date");
  });
  config::SourceConfig s = Source("nodate", server.Url("/c"));
  s.incremental = "filter";
  ASSERT_TRUE(Harvest(s).ok());
  EXPECT_EQ(State("nodate").since, core::ParseDateTime("2024-05-01T10:00:05Z"));
}

INSTANTIATE_TEST_SUITE_P(Stores, IncrementalStoresTest,
                         ::testing::ValuesIn(meabridge::testing::StoreBackends()),
                         meabridge::testing::StoreBackendName);

}  // namespace
}  // namespace meabridge::harvest::test
