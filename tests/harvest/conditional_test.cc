// Conditional GET and unchanged pages: a 304, or the same bytes as the last complete harvest,
// costs no decoding and no writes.
#include <atomic>

#include "harvest_fixture.h"

namespace meabridge::harvest::test {
namespace {

using testing::HttpTestServer;
using testing::Reply;
using testing::SeenRequest;

class ConditionalTest : public HarvestTest {
 protected:
  void SetUp() override {
    HarvestTest::SetUp();
    server_ = std::make_unique<HttpTestServer>([this](const SeenRequest& r) {
      std::lock_guard lock(mu_);
      auto it = overrides_.find(r.path);
      if (it != overrides_.end()) {
        SeenRequest copy = r;
        Reply rep = Reply::Json(testing::Reply().body);
        std::string body = ReplaceAll(it->second, "{base}", server_->Url(""));
        std::string etag = "\"" + core::ContentHash(body).substr(0, 16) + "\"";
        if (etags_ && r.Header("if-none-match") == etag) return Reply::Status(304);
        rep = Reply::Json(body);
        if (etags_) rep.Header("ETag", etag);
        return rep;
      }
      Reply rep = ServeFixture(r, server_->Url(""));
      if (!etags_) {
        if (rep.status == 304) {
          rep =
              ServeFixture(SeenRequest{r.method, r.target, r.path, r.query, {}}, server_->Url(""));
        }
        std::erase_if(rep.headers, [](const auto& h) { return h.first == "ETag"; });
      }
      return rep;
    });
    source_ = Source("cond", server_->Url("/v2/contacts-1.json"));
  }

  void Override(const std::string& path, const std::string& body) {
    std::lock_guard lock(mu_);
    overrides_[path] = body;
  }

  std::mutex mu_;
  std::map<std::string, std::string> overrides_;
  bool etags_ = true;
  std::unique_ptr<HttpTestServer> server_;
  config::SourceConfig source_;
};

// The tests below that exercise the store run on every backend (support/store_backends.h).
class ConditionalStoresTest : public meabridge::testing::OnEachStore<ConditionalTest> {};

TEST_P(ConditionalStoresTest, AllPages304MeansNotModifiedAndNothingWritten) {
  ASSERT_TRUE(Harvest(source_).ok());
  const int64_t seq = MaxSeq();
  server_->ClearRequests();
  RunReport r = Harvest(source_);
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_TRUE(r.not_modified);
  EXPECT_EQ(r.run.counts.pages, 3);
  EXPECT_EQ(r.run.counts.fetched, 0);
  EXPECT_EQ(r.run.counts.unchanged + r.run.counts.created + r.run.counts.updated, 0);
  EXPECT_EQ(MaxSeq(), seq);
  std::vector<SeenRequest> seen = server_->requests();
  ASSERT_EQ(seen.size(), 3u);
  for (const SeenRequest& q : seen) EXPECT_FALSE(q.Header("if-none-match").empty()) << q.path;
  EXPECT_EQ(seen[2].path, "/v2/contacts-3.json") << "the chain is walked from the stored pages";
  EXPECT_EQ(Runs("cond").at(0).status, "ok");
}

// Issue 14, point 5: the stored pages keep no secret. A credential from the configured URL is
// kept as "***" and put back at the next run, whose requests are still conditional.
TEST_P(ConditionalStoresTest, TheStoredPagesKeepNoSecret) {
  source_.url = server_->Url("/v2/contacts-1.json?api_key=k3y-from-config");
  RunReport first = Harvest(source_);
  ASSERT_TRUE(first.ok()) << first.run.error;
  const std::string watermark = Watermark("cond");
  EXPECT_EQ(watermark.find("k3y-from-config"), std::string::npos) << watermark;
  EXPECT_NE(watermark.find("contacts-1.json?api_key=***"), std::string::npos) << watermark;
  EXPECT_NE(watermark.find("contacts-3.json"), std::string::npos) << watermark;
  server_->ClearRequests();
  RunReport second = Harvest(source_);
  ASSERT_TRUE(second.ok()) << second.run.error;
  EXPECT_TRUE(second.not_modified);
  std::vector<SeenRequest> seen = server_->requests();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].target, "/v2/contacts-1.json?api_key=k3y-from-config")
      << "the configured credential is put back";
  for (const SeenRequest& q : seen) EXPECT_FALSE(q.Header("if-none-match").empty()) << q.target;
}

// A credential the server wrote into a next link cannot be put back from the configuration:
// no page is kept (one could not go alone: the chain would end early and lose page 3), the run
// says so, and the next run reads every page in full and stores everything.
TEST_P(ConditionalStoresTest, APageWithAServerIssuedCredentialKeepsNoPage) {
  std::string page2 = ReadFile(FixturePath("v2/contacts-2.json"));
  Override("/v2/contacts-2.json",
           ReplaceAll(page2, "{base}/v2/contacts-3.json", "{base}/v2/contacts-3.json?sig=srv-77"));
  RunReport first = Harvest(source_);
  ASSERT_TRUE(first.ok()) << first.run.error;
  const std::string watermark = Watermark("cond");
  EXPECT_EQ(watermark.find("srv-77"), std::string::npos) << watermark;
  EXPECT_EQ(watermark.find("\"pages\""), std::string::npos) << watermark;
  std::string warnings = Warnings(first);
  EXPECT_NE(warnings.find("does not keep its 3 page URLs (1 such as " +
                          server_->Url("/v2/contacts-3.json?sig=***")),
            std::string::npos)
      << warnings;
  EXPECT_EQ(warnings.find("srv-77"), std::string::npos) << warnings;
  server_->ClearRequests();
  RunReport second = Harvest(source_);
  ASSERT_TRUE(second.ok()) << second.run.error;
  std::vector<SeenRequest> seen = server_->requests();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[2].target, "/v2/contacts-3.json?sig=srv-77");
  for (const SeenRequest& q : seen) EXPECT_TRUE(q.Header("if-none-match").empty()) << q.target;
  EXPECT_EQ(second.run.counts.unchanged, first.run.counts.created) << "every record read again";
}

TEST_P(ConditionalStoresTest, OnlyTheChangedPageIsDecoded) {
  ASSERT_TRUE(Harvest(source_).ok());
  std::string page2 = ReadFile(FixturePath("v2/contacts-2.json"));
  Override("/v2/contacts-2.json", ReplaceAll(page2, "Otieno", "Otieno-Changed"));
  RunReport r = Harvest(source_);
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_FALSE(r.not_modified);
  EXPECT_EQ(r.run.counts.fetched, 2) << "page 2 only";
  EXPECT_EQ(r.run.counts.updated, 1);
  EXPECT_EQ(r.run.counts.unchanged, 1);
  EXPECT_EQ(Field("v2-5", "lastName"), "Otieno-Changed");
  EXPECT_EQ(LiveCount(), 7);
}

TEST_F(ConditionalTest, SnapshotDecodesUnchangedPagesTooWhenSomethingChanged) {
  source_.deletion = "snapshot";
  ASSERT_TRUE(Harvest(source_).ok());
  // Page 2 loses v2-5.
  Override("/v2/contacts-2.json", R"({"d": {"results": [
    {"id": "v2-4", "treaties": [{"value": "basel"}], "country": "DE", "lastName": "Schmidt",
     "updated": "/Date(1431103157000)/"}], "__next": "{base}/v2/contacts-3.json"}})");
  server_->ClearRequests();
  RunReport r = Harvest(source_);
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_EQ(r.run.counts.fetched, 6) << "pages 1 and 3 fetched again and decoded";
  EXPECT_EQ(r.run.counts.deleted, 1);
  EXPECT_FALSE(Live("v2-5"));
  EXPECT_EQ(LiveCount(), 6);
  EXPECT_EQ(server_->request_count(), 5u) << "3 conditional requests, then pages 1 and 3 again";
}

TEST_F(ConditionalTest, WithoutValidatorsTheSameBytesAreRecognised) {
  etags_ = false;
  ASSERT_TRUE(Harvest(source_).ok());
  const int64_t seq = MaxSeq();
  server_->ClearRequests();
  RunReport r = Harvest(source_);
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_TRUE(r.not_modified);
  EXPECT_EQ(MaxSeq(), seq);
  EXPECT_EQ(server_->requests().at(0).Header("if-none-match"), "");
}

TEST_F(ConditionalTest, ConditionalOffSendsNoValidators) {
  source_.conditional = false;
  ASSERT_TRUE(Harvest(source_).ok());
  server_->ClearRequests();
  RunReport r = Harvest(source_);
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_TRUE(r.not_modified) << "unchanged bytes are still recognised";
  for (const SeenRequest& q : server_->requests()) EXPECT_EQ(q.Header("if-none-match"), "");
}

TEST_F(ConditionalTest, FullDecodesEverythingAndAChangedMappingToo) {
  ASSERT_TRUE(Harvest(source_).ok());
  server_->ClearRequests();
  RunReport r = Harvest(source_, /*full=*/true);
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_FALSE(r.not_modified);
  EXPECT_EQ(r.run.counts.unchanged, 7);
  for (const SeenRequest& q : server_->requests()) EXPECT_EQ(q.Header("if-none-match"), "");

  // Another mapping (or other parameters): the stored pages no longer say anything.
  std::string copy = dir_.File("contacts.xml");
  meabridge::testing::WriteFile(copy, ReadFile(source_.mapping) + "\n<!-- edited -->\n");
  source_.mapping = copy;
  r = Harvest(source_);
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_FALSE(r.not_modified);
  EXPECT_EQ(r.run.counts.fetched, 7);
}

TEST_F(ConditionalTest, GeneratedPageUrlsAdvanceOverUnchangedPages) {
  std::mutex mu;
  std::vector<Contact> all = MakeContacts(25);
  HttpTestServer server([&](const SeenRequest& r) {
    std::lock_guard lock(mu);
    size_t top = std::stoul(r.query.at("$top"));
    size_t skip = r.query.count("$skip") ? std::stoul(r.query.at("$skip")) : 0;
    std::vector<Contact> slice;
    for (size_t i = skip; i < all.size() && i < skip + top; ++i) slice.push_back(all[i]);
    return Reply::Json(V2Page(slice));
  });
  config::SourceConfig s = Source("gen", server.Url("/Contacts"));
  s.paging = "skip";
  s.page_size = 10;
  s.deletion = "snapshot";
  ASSERT_TRUE(Harvest(s).ok());
  {
    std::lock_guard lock(mu);
    all[22].last_name = "Changed";  // on the third page only
  }
  server.ClearRequests();
  RunReport r = Harvest(s);
  ASSERT_TRUE(r.ok()) << r.run.error << Warnings(r);
  EXPECT_TRUE(r.run.warnings.empty()) << Warnings(r);
  EXPECT_EQ(r.run.counts.updated, 1);
  EXPECT_EQ(r.run.counts.deleted, 0);
  EXPECT_EQ(Field("c0022", "lastName"), "Changed");
  std::vector<SeenRequest> seen = server.requests();
  ASSERT_GE(seen.size(), 4u);
  EXPECT_EQ(seen[2].query.at("$skip"), "20");
  EXPECT_EQ(seen[3].query.at("$skip"), "25");
}

INSTANTIATE_TEST_SUITE_P(Stores, ConditionalStoresTest,
                         ::testing::ValuesIn(meabridge::testing::StoreBackends()),
                         meabridge::testing::StoreBackendName);

}  // namespace
}  // namespace meabridge::harvest::test
