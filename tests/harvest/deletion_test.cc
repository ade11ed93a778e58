// Deletion policies: snapshot, probe, flag, none; and the guard under each.
#include <atomic>

#include "harvest_fixture.h"

namespace meabridge::harvest::test {
namespace {

using testing::HttpTestServer;
using testing::Reply;
using testing::SeenRequest;

class DeletionTest : public HarvestTest {
 protected:
  void SetUp() override {
    HarvestTest::SetUp();
    server_ = std::make_unique<HttpTestServer>([this](const SeenRequest& r) {
      std::lock_guard lock(mu_);
      if (r.path == "/Contacts") {
        if (collection_404_) return Reply::Status(404);
        return Reply::Json(V2Page(listed_));
      }
      // Entities: /Contacts('c0003')
      std::string id = r.path.substr(r.path.find('\'') + 1);
      id = id.substr(0, id.find('\''));
      auto it = entity_status_.find(id);
      int status = it == entity_status_.end() ? 200 : it->second;
      if (status != 200) return Reply::Status(status);
      return Reply::Json("{\"d\": {\"id\": \"" + id + "\"}}");
    });
  }

  void List(int n) {
    std::lock_guard lock(mu_);
    listed_ = MakeContacts(n);
  }

  std::mutex mu_;
  std::vector<Contact> listed_;
  bool collection_404_ = false;
  std::map<std::string, int> entity_status_;
  std::unique_ptr<HttpTestServer> server_;
};

// The tests below that exercise the store run on every backend (support/store_backends.h).
class DeletionStoresTest : public meabridge::testing::OnEachStore<DeletionTest> {};

TEST_P(DeletionStoresTest, SnapshotTombstonesWhatAFullHarvestNoLongerLists) {
  config::SourceConfig s = Source("snap", server_->Url("/Contacts"));
  s.deletion = "snapshot";
  List(10);
  ASSERT_TRUE(Harvest(s).ok());
  List(8);
  RunReport r = Harvest(s);
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_EQ(r.run.counts.deleted, 2);
  EXPECT_FALSE(Live("c0008"));
  EXPECT_FALSE(Live("c0009"));
  EXPECT_EQ(LiveCount(), 8);
  // The tombstones are changes a delta link reports.
  int tombstones = 0;
  auto view = store_->Read();
  ASSERT_TRUE((*view)
                  ->ScanChanges(&Contacts(), 0, -1,
                                [&](const store::Change& c) {
                                  tombstones += c.deleted;
                                  return Status::Ok();
                                })
                  .ok());
  EXPECT_EQ(tombstones, 2);
}

TEST_P(DeletionStoresTest, NoneNeverDeletes) {
  config::SourceConfig s = Source("keep", server_->Url("/Contacts"));
  List(10);
  ASSERT_TRUE(Harvest(s).ok());
  List(2);
  RunReport r = Harvest(s);
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_EQ(r.run.counts.deleted, 0);
  EXPECT_EQ(LiveCount(), 10);
}

TEST_P(DeletionStoresTest, ProbeDeletesOnlyOnA404OfTheEntity) {
  config::SourceConfig s = Source("probe", server_->Url("/Contacts"));
  s.deletion = "probe";
  List(10);
  ASSERT_TRUE(Harvest(s).ok());
  List(8);
  {
    std::lock_guard lock(mu_);
    entity_status_["c0008"] = 404;  // gone
    // c0009 still answers 200: it exists, the listing just does not show it
  }
  server_->ClearRequests();
  RunReport r = Harvest(s);
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_EQ(r.run.counts.deleted, 1);
  EXPECT_FALSE(Live("c0008"));
  EXPECT_TRUE(Live("c0009"));
  std::vector<SeenRequest> seen = server_->requests();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[1].path, "/Contacts('c0008')");
  EXPECT_EQ(seen[2].path, "/Contacts('c0009')");

  // An unchanged listing is not decoded again, so nothing is probed until it changes or a full
  // reconciliation comes. 410 Gone deletes too.
  {
    std::lock_guard lock(mu_);
    entity_status_["c0009"] = 410;
  }
  r = Harvest(s);
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_TRUE(r.not_modified);
  EXPECT_TRUE(Live("c0009"));
  r = Harvest(s, /*full=*/true);
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_EQ(r.run.counts.deleted, 1);
  List(7);
  {
    std::lock_guard lock(mu_);
    entity_status_["c0007"] = 500;
  }
  r = Harvest(s);
  EXPECT_EQ(r.run.status, "failed");
  EXPECT_NE(r.run.error.find("probing 'c0007'"), std::string::npos) << r.run.error;
  EXPECT_TRUE(Live("c0007"));
}

TEST_P(DeletionStoresTest, ProbeTakesA404OnTheCollectionAsEmptyNotAsDeleted) {
  config::SourceConfig s = Source("probe", server_->Url("/Contacts"));
  s.deletion = "probe";
  s.probe_url = server_->Url("/Contacts('{id}')");
  List(4);
  ASSERT_TRUE(Harvest(s).ok());
  {
    std::lock_guard lock(mu_);
    collection_404_ = true;  // every entity still answers 200
  }
  RunReport r = Harvest(s);
  EXPECT_EQ(r.run.status, "failed") << "a vanished collection fails the run by default";
  EXPECT_EQ(LiveCount(), 4);
  s.not_found = "empty";
  r = Harvest(s);
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_EQ(r.run.counts.deleted, 0);
  EXPECT_EQ(LiveCount(), 4);
  EXPECT_TRUE(HasWarning(r, "taken as an empty collection")) << Warnings(r);
}

TEST_P(DeletionStoresTest, ProbeStopsProbingOnceTheGuardWouldTrip) {
  config::SourceConfig s = Source("probe", server_->Url("/Contacts"));
  s.deletion = "probe";
  List(20);
  ASSERT_TRUE(Harvest(s).ok());
  List(0);
  {
    std::lock_guard lock(mu_);
    for (int i = 0; i < 20; ++i)
      entity_status_["c00" + std::string(i < 10 ? "0" : "") + std::to_string(i)] = 404;
  }
  server_->ClearRequests();
  RunReport r = Harvest(s);
  EXPECT_EQ(r.run.status, "aborted");
  EXPECT_TRUE(r.guard_tripped);
  EXPECT_NE(r.run.error.find("probing stopped after 5 records"), std::string::npos) << r.run.error;
  EXPECT_EQ(server_->request_count(), 6u);
  EXPECT_EQ(LiveCount(), 20);
}

// flag: a source kind that marks deletions itself (the mapping engine's <deleted> rule does
// the same through the spool once it exists).
class FlaggingSource : public harvest::Source {
 public:
  Status Read(RunContext& ctx) override {
    MB_ASSIGN_OR_RETURN(const mapping::Mapping* m, ctx.mapping());
    ctx.pages = 1;
    for (int i = 0; i < 10; ++i) {
      std::string id = "f" + std::to_string(i);
      if (i >= marked_from) {
        MB_RETURN_IF_ERROR(ctx.spool.OnDeleted(id, "/d/results/" + std::to_string(i)));
        continue;
      }
      model::Record rec(m->entity());
      rec.set_id(id);
      rec.Set("treaties", model::Value(model::StringList{"cbd"}));
      MB_RETURN_IF_ERROR(ctx.spool.OnRecord(std::move(rec)));
    }
    return Status::Ok();
  }
  static inline int marked_from = 10;
};

TEST_P(DeletionStoresTest, FlagDeletesWhatTheSourceMarks) {
  SourceRegistry registry;
  RegisterBuiltinSources(registry);
  registry.Add("flagging",
               [](const config::SourceConfig&) -> Result<std::unique_ptr<harvest::Source>> {
                 return std::unique_ptr<harvest::Source>(std::make_unique<FlaggingSource>());
               });
  registry_ = &registry;
  config::SourceConfig s = Source("flag", "");
  s.kind = "flagging";
  s.deletion = "flag";
  FlaggingSource::marked_from = 10;
  ASSERT_TRUE(Harvest(s).ok());
  EXPECT_EQ(LiveCount(), 10);
  FlaggingSource::marked_from = 8;
  RunReport r = Harvest(s);
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_EQ(r.run.counts.deleted, 2);
  EXPECT_FALSE(Live("f9"));
  EXPECT_EQ(LiveCount(), 8);
  // Marks beyond the guard's share commit nothing.
  FlaggingSource::marked_from = 2;
  r = Harvest(s);
  EXPECT_EQ(r.run.status, "aborted");
  EXPECT_NE(r.run.error.find("would delete 6 of the 8 records"), std::string::npos) << r.run.error;
  EXPECT_EQ(LiveCount(), 8);
  // With deletion="none" the marks are ignored.
  s.deletion = "none";
  r = Harvest(s);
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_EQ(r.run.counts.deleted, 0);
}

INSTANTIATE_TEST_SUITE_P(Stores, DeletionStoresTest,
                         ::testing::ValuesIn(meabridge::testing::StoreBackends()),
                         meabridge::testing::StoreBackendName);

}  // namespace
}  // namespace meabridge::harvest::test
