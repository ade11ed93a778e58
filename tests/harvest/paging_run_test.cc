// Whole runs over every paging style, and the guards that end paging early.
#include <atomic>

#include "harvest_fixture.h"

namespace meabridge::harvest::test {
namespace {

using testing::HttpTestServer;
using testing::Reply;
using testing::SeenRequest;

class PagingRunTest : public HarvestTest {};

// The tests below that exercise the store run on every backend (support/store_backends.h).
class PagingRunStoresTest : public meabridge::testing::OnEachStore<PagingRunTest> {};

TEST_P(PagingRunStoresTest, ODataV2NextLinksAcrossThreePages) {
  HttpTestServer server(nullptr);
  server.SetHandler([&](const SeenRequest& r) { return ServeFixture(r, server.Url("")); });
  RunReport r = Harvest(Source("v2", server.Url("/v2/contacts-1.json")));
  ASSERT_TRUE(r.ok()) << r.run.error << Warnings(r);
  EXPECT_EQ(r.run.counts.pages, 3);
  EXPECT_EQ(r.run.counts.fetched, 7);
  EXPECT_EQ(r.run.counts.created, 7);
  EXPECT_GT(r.run.counts.bytes, 1000);
  EXPECT_TRUE(r.run.full);
  EXPECT_TRUE(r.run.warnings.empty()) << Warnings(r);
  EXPECT_EQ(LiveCount(), 7);
  EXPECT_EQ(Field("v2-7", "lastName"), "Sato");
  EXPECT_EQ(server.connection_count(), 1u);
  std::vector<store::RunRecord> runs = Runs("v2");
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].status, "ok");
  EXPECT_EQ(runs[0].counts.created, 7);
  EXPECT_EQ(runs[0].counts.pages, 3);
  EXPECT_EQ(runs[0].id, r.run.id);
}

TEST_F(PagingRunTest, ODataV4RelativeNextLinkWithSkiptoken) {
  HttpTestServer server(nullptr);
  server.SetHandler([&](const SeenRequest& r) { return ServeFixture(r, server.Url("")); });
  RunReport r =
      Harvest(Source("v4", server.Url("/v4/contacts-1.json"), "informea-odata-v4/contacts.json"));
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_EQ(r.run.counts.pages, 2);
  EXPECT_EQ(r.run.counts.created, 4);
  EXPECT_EQ(server.requests().at(1).target, "/v4/contacts-2.json?$skiptoken=v4-2");
}

TEST_F(PagingRunTest, AtomNextLinks) {
  HttpTestServer server(nullptr);
  server.SetHandler([&](const SeenRequest& r) { return ServeFixture(r, server.Url("")); });
  RunReport r = Harvest(
      Source("atom", server.Url("/atom/contacts-1.xml"), "informea-odata-v2-atom/contacts.xml"));
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_EQ(r.run.counts.pages, 2);
  EXPECT_EQ(r.run.counts.created, 3);
  EXPECT_EQ(Field("at-3", "lastName"), "Novak");
  EXPECT_NE(server.requests().at(0).Header("accept").find("application/atom+xml"),
            std::string::npos);
}

TEST_F(PagingRunTest, LinkHeaderPaging) {
  std::vector<Contact> all = MakeContacts(5);
  HttpTestServer server(nullptr);
  server.SetHandler([&](const SeenRequest& r) {
    int page = r.query.count("page") ? std::stoi(r.query.at("page")) : 1;
    std::vector<Contact> slice(all.begin() + (page - 1) * 2,
                               all.begin() + std::min<int>(page * 2, 5));
    Reply rep = Reply::Json(V2Page(slice));
    if (page < 3) {
      rep.Header("Link", "<" + server.Url("/c?page=" + std::to_string(page + 1)) +
                             ">; rel=\"next\", <" + server.Url("/c?page=3") + ">; rel=\"last\"");
    }
    return rep;
  });
  config::SourceConfig s = Source("link", server.Url("/c"));
  s.paging = "link-header";
  RunReport r = Harvest(s);
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_EQ(r.run.counts.pages, 3);
  EXPECT_EQ(r.run.counts.created, 5);
}

// A server with $top/$skip and $orderby, and no next links.
Reply SkipServer(const SeenRequest& r, const std::vector<Contact>& all, bool honour_skip) {
  size_t top = r.query.count("$top") ? std::stoul(r.query.at("$top")) : all.size();
  size_t skip = honour_skip && r.query.count("$skip") ? std::stoul(r.query.at("$skip")) : 0;
  std::vector<Contact> slice;
  for (size_t i = skip; i < all.size() && i < skip + top; ++i) slice.push_back(all[i]);
  return Reply::Json(V2Page(slice));
}

TEST_F(PagingRunTest, TopSkipWithAStableOrder) {
  std::vector<Contact> all = MakeContacts(25);
  HttpTestServer server([&](const SeenRequest& r) { return SkipServer(r, all, true); });
  config::SourceConfig s = Source("skip", server.Url("/Contacts"));
  s.paging = "skip";
  s.page_size = 10;
  RunReport r = Harvest(s);
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_EQ(r.run.counts.created, 25);
  EXPECT_EQ(r.run.counts.pages, 4);  // 10, 10, 5, then an empty page ends it
  std::vector<SeenRequest> seen = server.requests();
  EXPECT_EQ(seen[0].query.at("$orderby"), "updated,id");
  EXPECT_EQ(seen[0].query.at("$top"), "10");
  EXPECT_EQ(seen[0].query.count("$skip"), 0u);
  EXPECT_EQ(seen[1].query.at("$skip"), "10");
  EXPECT_EQ(seen[3].query.at("$skip"), "25");
  EXPECT_TRUE(r.run.warnings.empty()) << Warnings(r);
}

TEST_F(PagingRunTest, ASkipIgnoringServerStopsAtTheIdenticalPage) {
  std::vector<Contact> all = MakeContacts(25);
  HttpTestServer server([&](const SeenRequest& r) { return SkipServer(r, all, false); });
  config::SourceConfig s = Source("noskip", server.Url("/Contacts"));
  s.paging = "skip";
  s.page_size = 10;
  s.deletion = "snapshot";
  RunReport r = Harvest(s);
  EXPECT_EQ(r.run.status, "partial") << r.run.error;
  EXPECT_NE(r.run.error.find("the run did not see the whole source: paging stopped: page 2"),
            std::string::npos)
      << r.run.error;
  EXPECT_EQ(r.run.counts.created, 10) << "what a partial run read is committed";
  EXPECT_EQ(r.run.counts.pages, 2);
  EXPECT_TRUE(HasWarning(r, "page 2")) << Warnings(r);
  EXPECT_TRUE(HasWarning(r, "identical to page 1")) << Warnings(r);
  EXPECT_TRUE(HasWarning(r, "no deletions detected")) << Warnings(r);
  // An incomplete harvest does not move the watermark.
  EXPECT_EQ(Watermark("noskip").find("\"since\""), std::string::npos) << Watermark("noskip");
}

TEST_F(PagingRunTest, PageNumbersAndOffsets) {
  std::vector<Contact> all = MakeContacts(7);
  HttpTestServer server([&](const SeenRequest& r) {
    size_t size =
        std::stoul(r.query.count("per_page") ? r.query.at("per_page") : r.query.at("limit"));
    size_t from = r.query.count("p") ? (std::stoul(r.query.at("p")) - 1) * size
                                     : std::stoul(r.query.at("offset"));
    std::vector<Contact> slice;
    for (size_t i = from; i < all.size() && i < from + size; ++i) slice.push_back(all[i]);
    if (slice.empty() && r.query.count("p")) return Reply::Status(404);  // past the end
    return Reply::Json(V2Page(slice));
  });
  config::SourceConfig page = Source("page", server.Url("/c"));
  page.paging = "page";
  page.page_size = 3;
  page.page_param = "p";
  page.size_param = "per_page";
  RunReport r = Harvest(page);
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_EQ(r.run.counts.created, 7);
  EXPECT_EQ(r.run.counts.pages, 4);  // 3, 3, 1, then a 404 past the end

  config::SourceConfig offset = Source("offset", server.Url("/c"));
  offset.paging = "offset";
  offset.page_size = 4;
  offset.share_with = {"page"};  // the same records, on purpose
  r = Harvest(offset);
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_EQ(r.run.counts.fetched, 7);
  EXPECT_EQ(r.run.counts.unchanged, 7);
}

TEST_F(PagingRunTest, ANextLinkSeenBeforeEndsPaging) {
  HttpTestServer server(nullptr);
  server.SetHandler([&](const SeenRequest& r) {
    if (r.path == "/a") return Reply::Json(V2Page(MakeContacts(2, "a"), server.Url("/b")));
    return Reply::Json(V2Page(MakeContacts(2, "b"), server.Url("/a")));
  });
  RunReport r = Harvest(Source("loop", server.Url("/a")));
  EXPECT_EQ(r.run.status, "partial") << r.run.error;
  EXPECT_EQ(r.run.counts.created, 4);
  EXPECT_EQ(r.run.counts.pages, 2);
  EXPECT_TRUE(HasWarning(r, "already read in this run")) << Warnings(r);
}

TEST_F(PagingRunTest, ThePageCapEndsPaging) {
  HttpTestServer server(nullptr);
  server.SetHandler([&](const SeenRequest& r) {
    int n = std::stoi(r.path.substr(1));
    return Reply::Json(
        V2Page(MakeContacts(1, "p", "v1", n), server.Url("/" + std::to_string(n + 1))));
  });
  config::SourceConfig s = Source("cap", server.Url("/1"));
  s.max_pages = 5;
  RunReport r = Harvest(s);
  EXPECT_EQ(r.run.status, "partial") << r.run.error;
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.run.counts.pages, 5);
  EXPECT_TRUE(HasWarning(r, "page cap (max-pages=5)")) << Warnings(r);
}

TEST_P(PagingRunStoresTest, ARepeatedIdIsARejectAndAPageOfRepeatsEndsPaging) {
  HttpTestServer server(nullptr);
  server.SetHandler([&](const SeenRequest& r) {
    if (r.path == "/dups") {
      Reply rep = ServeFixture(
          SeenRequest{"GET", "/faults/duplicate-ids.json", "/faults/duplicate-ids.json", {}, {}},
          server.Url(""));
      return rep;
    }
    if (r.path == "/1") return Reply::Json(V2Page(MakeContacts(3, "x"), server.Url("/2")));
    if (r.path == "/2") return Reply::Json(V2Page(MakeContacts(3, "x"), server.Url("/3")));
    return Reply::Json(V2Page(MakeContacts(3, "y")));
  });
  RunReport r = Harvest(Source("dups", server.Url("/dups")));
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_EQ(r.run.counts.created, 3);
  EXPECT_EQ(r.run.counts.fetched, 4);
  EXPECT_EQ(r.run.counts.rejected, 1);
  EXPECT_EQ(Field("d-1", "lastName"), "First");
  EXPECT_TRUE(HasWarning(r, "1 records repeated an id")) << Warnings(r);
  std::vector<store::Reject> rejects = Rejects(r.run.id);
  ASSERT_EQ(rejects.size(), 1u);
  EXPECT_EQ(rejects[0].rule, "duplicate-id");
  EXPECT_EQ(rejects[0].record_id, "d-1");
  EXPECT_EQ(rejects[0].field, "id");
  EXPECT_NE(rejects[0].message.find("came already at page 1, record 1 of this run"),
            std::string::npos)
      << rejects[0].message;

  r = Harvest(Source("overlap", server.Url("/1")));
  EXPECT_EQ(r.run.status, "partial") << r.run.error;
  EXPECT_EQ(r.run.counts.pages, 2);
  EXPECT_EQ(r.run.counts.rejected, 3) << "the repeats are rejects";
  EXPECT_TRUE(HasWarning(r, "every record of page 2")) << Warnings(r);
}

TEST_F(PagingRunTest, NoneReadsOneDocument) {
  HttpTestServer server(nullptr);
  server.SetHandler([&](const SeenRequest& r) { return ServeFixture(r, server.Url("")); });
  config::SourceConfig s = Source("one", server.Url("/v2/contacts-1.json"));
  s.paging = "none";
  RunReport r = Harvest(s);
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_EQ(r.run.counts.pages, 1);
  EXPECT_EQ(r.run.counts.created, 3);
}

INSTANTIATE_TEST_SUITE_P(Stores, PagingRunStoresTest,
                         ::testing::ValuesIn(meabridge::testing::StoreBackends()),
                         meabridge::testing::StoreBackendName);

}  // namespace
}  // namespace meabridge::harvest::test
