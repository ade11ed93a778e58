// Several `meabridge serve` nodes on one PostgreSQL store (docs/scaling.md): the real binary,
// the test binary's own PostgreSQL server (support/postgres_server.h), partner feeds served by
// a test server on 127.0.0.1.
//
// - Two nodes with the same configuration publish the same data after a harvest, and a next
//   link or delta link issued by one is followed on the other with the same results.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "publish/publish_fixture.h"
#include "support/http_test_server.h"
#include "support/serve_process.h"
#include "support/store_backends.h"
#include "support/test_support.h"

namespace meabridge {
namespace {

using publish::testing::Fetch;
using publish::testing::HttpResult;
using testing::HttpTestServer;
using testing::Reply;
using testing::SeenRequest;
using testing::ServeProcess;
using testing::TempDir;

const std::vector<std::pair<std::string, std::string>> kTrack = {{"Prefer", "odata.track-changes"}};

// An OData V2 verbose JSON page of contacts c00..c(n-1) (ids in `skip` left out), the last name
// carrying `version` for ids in `changed` (all when empty).
std::string Contacts(int n, const std::string& version, const std::set<std::string>& changed = {},
                     const std::set<std::string>& skip = {}) {
  std::string s = "{\"d\": {\"results\": [";
  bool first = true;
  for (int i = 0; i < n; ++i) {
    char id[16];
    std::snprintf(id, sizeof id, "c%02d", i);
    if (skip.count(id)) continue;
    std::string v = changed.empty() || changed.count(id) ? version : "v1";
    if (!first) s += ",";
    first = false;
    s += std::string("{\"id\": \"") + id +
         "\", \"treaties\": [{\"value\": \"cbd\"}], \"country\": \"" + (i % 2 ? "FR" : "DE") +
         "\", \"lastName\": \"Name " + std::to_string(i) + " " + v + "\"}";
  }
  return s + "]}}";
}

std::string PathOf(const std::string& link) {
  size_t at = link.find("/odata/");
  return at == std::string::npos ? link : link.substr(at);
}

// One page of an OData V4 answer: its entities' ids (deleted ones as "-id"), last names, and
// links (path and query only: each node writes its own host into them).
struct Page {
  int status = 0;
  std::string etag;
  std::vector<std::string> ids;
  std::vector<std::string> names;
  std::string next;
  std::string delta;
};

Page GetPage(int port, const std::string& target,
             const std::vector<std::pair<std::string, std::string>>& headers = {}) {
  HttpResult r = Fetch(port, target, headers);
  Page p;
  p.status = r.status;
  p.etag = r.Header("etag");
  if (r.status != 200) return p;
  rapidjson::Document d = publish::testing::Json(r.body);
  if (!d.IsObject() || !d.HasMember("value")) {
    ADD_FAILURE() << target << ": " << r.body.substr(0, 300);
    return p;
  }
  for (const auto& v : d["value"].GetArray()) {
    if (v.HasMember("@removed")) {
      p.ids.push_back(std::string("-") + v["id"].GetString());
    } else {
      p.ids.emplace_back(v["id"].GetString());
      p.names.emplace_back(v.HasMember("lastName") ? v["lastName"].GetString() : "");
    }
  }
  if (d.HasMember("@odata.nextLink")) p.next = PathOf(d["@odata.nextLink"].GetString());
  if (d.HasMember("@odata.deltaLink")) p.delta = PathOf(d["@odata.deltaLink"].GetString());
  return p;
}

// Follows next links from `target`, page i on ports[i % ports.size()]; every id in order, and the
// delta link of the last page.
struct Walk {
  std::vector<std::string> ids;
  std::vector<std::string> names;
  std::string delta;
  int pages = 0;
};
Walk Follow(const std::vector<int>& ports, std::string target,
            const std::vector<std::pair<std::string, std::string>>& headers = {}) {
  Walk w;
  while (!target.empty() && w.pages < 100) {
    Page p = GetPage(ports[w.pages % ports.size()], target, headers);
    EXPECT_EQ(p.status, 200) << target << " on port " << ports[w.pages % ports.size()];
    if (p.status != 200) break;
    ++w.pages;
    w.ids.insert(w.ids.end(), p.ids.begin(), p.ids.end());
    w.names.insert(w.names.end(), p.names.begin(), p.names.end());
    w.delta = p.delta;
    target = p.next;
  }
  return w;
}

class MultiNodeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    location_ = testing::FreshPostgresLocation(&error);
    ASSERT_FALSE(location_.empty()) << error;
    feed_ = std::make_unique<HttpTestServer>([this](const SeenRequest&) {
      std::lock_guard lock(mu_);
      return Reply::Json(body_);
    });
    testing::WriteFile(dir_.File("link-secret"), "a secret every node of this test shares\n");
  }

  void Feed(const std::string& body) {
    std::lock_guard lock(mu_);
    body_ = body;
  }

  // The configuration every node reads: one store, one link secret, `sources`.
  std::string WriteConfig(const std::string& name, const std::string& sources,
                          const std::string& secret_file = "") {
    std::string path = dir_.File(name);
    testing::WriteFile(path, "<meabridge>\n  <store location=\"" + location_ +
                                 "\"/>\n  <server port=\"8080\" threads=\"8\" page-size=\"10\" "
                                 "access-log=\"false\" public-url=\"http://meabridge.test/\" "
                                 "link-secret-file=\"" +
                                 (secret_file.empty() ? dir_.File("link-secret") : secret_file) +
                                 "\"/>\n" + sources + "\n</meabridge>\n");
    return path;
  }

  std::string FeedSource(const std::string& name, const std::string& extra = "") {
    return "  <source name=\"" + name + "\" kind=\"http\" url=\"" + feed_->Url("/" + name) +
           "\" deletion=\"snapshot\" schedule=\"manual\" " + extra + " mapping=\"" +
           MEABRIDGE_SOURCE_DIR "/mappings/informea-odata-v2/contacts.xml\"/>";
  }

  // A node in a folder of its own, serving on an ephemeral port.
  std::unique_ptr<ServeProcess> Node(const std::string& config, const std::string& name) {
    std::filesystem::create_directories(dir_.File(name));
    return std::make_unique<ServeProcess>(
        std::vector<std::string>{"--config", config, "--port", "0"}, dir_.File(name));
  }

  testing::TempDir dir_;
  std::string location_;
  std::mutex mu_;
  std::string body_ = "{\"d\": {\"results\": []}}";
  std::unique_ptr<HttpTestServer> feed_;
};

TEST_F(MultiNodeTest, TwoNodesPublishTheSameDataAndAnswerEachOthersLinks) {
  const std::string config = WriteConfig("meabridge.xml", FeedSource("partner"));
  auto a = Node(config, "a");
  auto b = Node(config, "b");
  const int port_a = a->WaitForPort();
  const int port_b = b->WaitForPort();
  ASSERT_GT(port_a, 0) << a->log();
  ASSERT_GT(port_b, 0) << b->log();

  // A harvest by a third process on the same store: both nodes publish it at once.
  Feed(Contacts(25, "v1"));
  testing::ProcessResult h = testing::RunMeabridge({"harvest", "--config", config});
  ASSERT_EQ(h.exit_code, 0) << h.out << h.err;
  ASSERT_NE(h.out.find("created 25"), std::string::npos) << h.out;

  const std::string query = "/odata/v4/Contacts?$orderby=" + publish::testing::Enc("lastName desc");
  Walk on_a = Follow({port_a}, query, kTrack);
  Walk on_b = Follow({port_b}, query, kTrack);
  ASSERT_EQ(on_a.ids.size(), 25u);
  EXPECT_EQ(on_a.pages, 3) << "page-size 10";
  EXPECT_EQ(on_a.ids, on_b.ids);
  EXPECT_EQ(on_a.names, on_b.names);
  EXPECT_FALSE(on_a.delta.empty());
  // The same answer and the same ETag (the nodes share a public-url, as behind a load
  // balancer): a client's revalidation may go to any node.
  Page first_a = GetPage(port_a, "/odata/v4/Contacts?$filter=country%20eq%20'FR'&$top=5");
  Page first_b = GetPage(port_b, "/odata/v4/Contacts?$filter=country%20eq%20'FR'&$top=5");
  EXPECT_EQ(first_a.ids, first_b.ids);
  EXPECT_FALSE(first_a.etag.empty());
  EXPECT_EQ(first_a.etag, first_b.etag);
  HttpResult revalidated = Fetch(port_b, "/odata/v4/Contacts?$filter=country%20eq%20'FR'&$top=5",
                                 {{"If-None-Match", first_a.etag}});
  EXPECT_EQ(revalidated.status, 304);

  // Next links issued by A, followed on B (and alternating): the same records, in order.
  Walk alternating = Follow({port_a, port_b}, query, kTrack);
  EXPECT_EQ(alternating.ids, on_a.ids);
  Page page1 = GetPage(port_a, query);
  ASSERT_FALSE(page1.next.empty());
  Page page2_on_a = GetPage(port_a, page1.next);
  Page page2_on_b = GetPage(port_b, page1.next);
  EXPECT_EQ(page2_on_b.status, 200);
  EXPECT_EQ(page2_on_a.ids, page2_on_b.ids);

  // A second harvest changes 3 records and drops 2 (8%: under the guard).
  Feed(Contacts(25, "v2", {"c03", "c04", "c05"}, {"c10", "c11"}));
  h = testing::RunMeabridge({"harvest", "--config", config});
  ASSERT_EQ(h.exit_code, 0) << h.out << h.err;
  ASSERT_NE(h.out.find("updated 3  unchanged 20  deleted 2"), std::string::npos) << h.out;

  // A's delta link, followed on B and on A: the same changes.
  Walk delta_on_b = Follow({port_b}, on_a.delta);
  Walk delta_on_a = Follow({port_a}, on_a.delta);
  std::vector<std::string> changes = delta_on_b.ids;
  std::sort(changes.begin(), changes.end());
  EXPECT_EQ(changes, (std::vector<std::string>{"-c10", "-c11", "c03", "c04", "c05"}));
  EXPECT_EQ(delta_on_a.ids, delta_on_b.ids);
  EXPECT_FALSE(delta_on_b.delta.empty());
  // And the next delta link, issued by B, followed on A: nothing changed since.
  Walk nothing = Follow({port_a}, delta_on_b.delta);
  EXPECT_TRUE(nothing.ids.empty());

  // Both nodes publish the second run.
  EXPECT_EQ(Follow({port_a}, query).names, Follow({port_b}, query).names);
  EXPECT_EQ(Follow({port_b}, query).ids.size(), 23u);

  // A node with another link secret refuses the others' links: the secret is what makes a
  // link portable (docs/scaling.md).
  testing::WriteFile(dir_.File("other-secret"), "another secret, also long enough\n");
  auto c = Node(WriteConfig("other.xml", FeedSource("partner"), dir_.File("other-secret")), "c");
  const int port_c = c->WaitForPort();
  ASSERT_GT(port_c, 0) << c->log();
  EXPECT_EQ(GetPage(port_c, page1.next).status, 400);
  EXPECT_EQ(GetPage(port_c, delta_on_b.delta).status, 410);

  EXPECT_EQ(a->Stop(), 0) << a->log();
  EXPECT_EQ(b->Stop(), 0) << b->log();
  EXPECT_EQ(c->Stop(), 0) << c->log();
}

}  // namespace
}  // namespace meabridge
