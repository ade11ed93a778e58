// Several `meabridge serve` nodes on one PostgreSQL store (docs/scaling.md): the real binary,
// the test binary's own PostgreSQL server (support/postgres_server.h), partner feeds served by
// a test server on 127.0.0.1.
//
// - Two nodes with the same configuration publish the same data after a harvest, and a next
//   link or delta link issued by one is followed on the other with the same results.
// - A node killed (SIGKILL) in the middle of a run leaves nothing of it committed, and the other
//   node harvests the source at its next slot.
// - Two nodes sharing 10 sources on `every 2s` for several periods run every scheduled run
//   exactly once. A run's period is the schedule slot it started in, floor(started / 2 s): with
//   `jitter="0"` the daemon starts a slot's run at the slot, and its admission check skips a
//   run when one started at or after the slot already exists (docs/daemon.md "Several nodes").
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "publish/publish_fixture.h"
#include "store/store.h"
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
           meabridge::testing::SourceDir() + "/mappings/informea-odata-v2/contacts.xml\"/>";
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

int64_t NowMs() { return core::SystemClock::Instance().NowMs(); }

// Runs `f` when it goes out of scope (stops the feed server before the locals its handler uses).
struct Finally {
  std::function<void()> f;
  ~Finally() { f(); }
};

std::vector<store::RunRecord> RunsOf(const std::string& location, const std::string& source) {
  auto store = store::OpenStore(location);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  if (!store.ok()) return {};
  auto view = (*store)->Read();
  EXPECT_TRUE(view.ok()) << view.status().ToString();
  if (!view.ok()) return {};
  auto runs = (*view)->Runs(source, 1000);
  EXPECT_TRUE(runs.ok()) << runs.status().ToString();
  if (!runs.ok()) return {};
  std::vector<store::RunRecord> out = *runs;
  std::sort(out.begin(), out.end(), [](const store::RunRecord& a, const store::RunRecord& b) {
    return a.started < b.started;
  });
  return out;
}

int64_t LiveContacts(const std::string& location) {
  auto store = store::OpenStore(location);
  if (!store.ok()) return -1;
  auto view = (*store)->Read();
  if (!view.ok()) return -1;
  store::Query q;
  q.entity = model::Registry::Default().Find("Contacts");
  auto n = (*view)->Count(q);
  return n.ok() ? *n : -1;
}

// Lines "source=NAME run=ID ok" a node logged: the runs it made.
int RunsLogged(const std::string& log) {
  static const std::regex ran("source=[^ ]+ run=[0-9]+ ok");
  return static_cast<int>(
      std::distance(std::sregex_iterator(log.begin(), log.end(), ran), std::sregex_iterator()));
}

TEST_F(MultiNodeTest, ANodeKilledMidRunCommitsNothingAndTheOtherTakesTheSourceAtItsNextSlot) {
  // Page 1 of "stall", then page 2 hangs until released: the first run stops mid-way with
  // page 1 staged in its transaction.
  std::mutex stall_mu;
  std::condition_variable stall_cv;
  bool released = false;
  std::atomic<int> page2_requests{0};
  feed_->SetHandler([&](const SeenRequest& r) {
    if (r.path == "/stall/2") {
      ++page2_requests;
      std::unique_lock lock(stall_mu);
      stall_cv.wait_for(lock, std::chrono::seconds(30), [&] { return released; });
      return Reply::Json(Contacts(10, "v1", {}, {"c00", "c01", "c02", "c03", "c04"}));
    }
    std::string page = Contacts(5, "v1");
    page.insert(page.size() - 2, ", \"__next\": \"" + feed_->Url("/stall/2") + "\"");
    return Reply::Json(page);
  });
  auto release = [&] {
    std::lock_guard lock(stall_mu);
    released = true;
    stall_cv.notify_all();
  };
  Finally stop_feed{[&] {
    release();
    feed_.reset();
  }};
  const std::string config = WriteConfig(
      "meabridge.xml", "  <source name=\"stall\" kind=\"http\" url=\"" + feed_->Url("/stall/1") +
                           "\" schedule=\"every 2s\" jitter=\"0\" retries=\"0\" timeout=\"60s\" "
                           "mapping=\"" + meabridge::testing::SourceDir() +
                           "/mappings/informea-odata-v2/contacts.xml\"/>");

  // Node A starts alone: the source was never harvested, so A runs it at once, and stalls.
  auto a = Node(config, "a");
  ASSERT_GT(a->WaitForPort(), 0) << a->log();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (page2_requests == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(page2_requests.load(), 1) << a->log();
  // Node B starts while A holds the source: B skips it (A's lease), slot after slot.
  auto b = Node(config, "b");
  ASSERT_GT(b->WaitForPort(), 0) << b->log();
  EXPECT_TRUE(b->WaitForLog("(its lease is held)", 10)) << b->log();
  EXPECT_EQ(page2_requests.load(), 1) << "only A fetches";

  // A dies mid-run: nothing of its run is committed (no run row, no record, no watermark).
  // killed_at is taken before the signal is sent: A's lease can be free (and B's slot come)
  // between A's death and Stop() returning, so a time read after Stop() is no lower bound.
  const int64_t killed_at = NowMs();
  EXPECT_EQ(a->Stop(SIGKILL), 128 + SIGKILL);
  EXPECT_TRUE(RunsOf(location_, "stall").empty());
  EXPECT_EQ(LiveContacts(location_), 0);

  // B takes the source at its next slot (within 2 s, plus a margin for a loaded machine).
  release();
  deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  std::vector<store::RunRecord> runs;
  while (std::chrono::steady_clock::now() < deadline) {
    runs = RunsOf(location_, "stall");
    if (!runs.empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(runs.size(), 1u) << b->log();
  EXPECT_EQ(runs[0].status, "ok") << runs[0].error;
  EXPECT_EQ(runs[0].counts.created, 10);
  EXPECT_GE(runs[0].started, killed_at);
  EXPECT_LT(runs[0].started, killed_at + 2000 + 1000) << "the next slot, not a later one";
  EXPECT_EQ(LiveContacts(location_), 10);
  // B logs the run once it has committed it: wait for that line, then count.
  EXPECT_TRUE(b->WaitForLog("source=stall run=" + std::to_string(runs[0].id) + " ok", 10))
      << b->log();
  EXPECT_EQ(RunsLogged(b->log()), 1) << b->log();
  EXPECT_EQ(b->Stop(), 0) << b->log();
}

TEST_F(MultiNodeTest, TwoNodesSharingTenSourcesRunEveryScheduledRunExactlyOnce) {
  constexpr int kSources = 10;
  constexpr int64_t kPeriod = 2000;
  std::mutex count_mu;
  std::map<std::string, int> requests;  // per source
  feed_->SetHandler([&](const SeenRequest& r) {
    {
      std::lock_guard lock(count_mu);
      ++requests[r.path.substr(1)];
    }
    return Reply::Json(Contacts(3, r.path.substr(1)));
  });
  Finally stop_feed{[&] { feed_.reset(); }};
  std::string sources;
  // Every source delivers the same ids: they share them on purpose (share-with goes both ways).
  for (int i = 0; i < kSources; ++i) {
    std::string name = "s" + std::to_string(i);
    std::string others;
    for (int j = 0; j < kSources; ++j) {
      if (j != i) others += (others.empty() ? "s" : " s") + std::to_string(j);
    }
    sources += "  <source name=\"" + name + "\" kind=\"http\" url=\"" + feed_->Url("/" + name) +
               "\" share-with=\"" + others +
               "\" schedule=\"every 2s\" jitter=\"0\" retries=\"0\" conditional=\"false\" "
               "mapping=\"" + meabridge::testing::SourceDir() +
               "/mappings/informea-odata-v2/contacts.xml\"/>\n";
  }
  const std::string config = WriteConfig("meabridge.xml", sources);
  auto a = Node(config, "a");
  auto b = Node(config, "b");
  ASSERT_GT(a->WaitForPort(), 0) << a->log();
  ASSERT_GT(b->WaitForPort(), 0) << b->log();
  // The periods checked: from the first slot after both nodes are up to the last one that
  // began at least a period before they stop (so its run had time to finish).
  const int64_t first_slot = (NowMs() / kPeriod + 1) * kPeriod;
  std::this_thread::sleep_for(
      std::chrono::milliseconds(first_slot - NowMs() + 5 * kPeriod + kPeriod / 2));
  const int64_t last_slot = (NowMs() / kPeriod - 1) * kPeriod;
  EXPECT_EQ(a->Stop(), 0) << a->log();
  EXPECT_EQ(b->Stop(), 0) << b->log();
  ASSERT_GE((last_slot - first_slot) / kPeriod + 1, 5) << "at least 5 periods";

  int total = 0;
  for (int i = 0; i < kSources; ++i) {
    const std::string name = "s" + std::to_string(i);
    std::vector<store::RunRecord> runs = RunsOf(location_, name);
    std::map<int64_t, int> per_slot;
    int cut = 0;  // runs of the period in progress that the nodes' stop cut short
    for (size_t k = 0; k < runs.size(); ++k) {
      if (runs[k].started >= last_slot + kPeriod && runs[k].status == "aborted") {
        // Stop() aborts a run in flight, as it must; only a run of the period in progress can
        // be one, and its error says so.
        EXPECT_NE(runs[k].error.find("stopped (shutdown"), std::string::npos)
            << name << " run " << runs[k].id << ": " << runs[k].error;
        ++cut;
      } else {
        EXPECT_EQ(runs[k].status, "ok") << name << " run " << runs[k].id << ": " << runs[k].error;
      }
      ++per_slot[runs[k].started / kPeriod * kPeriod];
      if (k > 0) {
        EXPECT_LE(runs[k - 1].finished, runs[k].started)
            << name << ": runs " << runs[k - 1].id << " and " << runs[k].id << " overlap";
      }
    }
    for (const auto& [slot, n] : per_slot) {
      EXPECT_EQ(n, 1) << name << ": " << n << " runs in the period starting "
                      << core::FormatDateTime(slot);
    }
    for (int64_t slot = first_slot; slot <= last_slot; slot += kPeriod) {
      EXPECT_EQ(per_slot.count(slot), 1u)
          << name << ": no run in the period starting " << core::FormatDateTime(slot);
    }
    std::lock_guard lock(count_mu);
    // A run cut by the stop may have stopped before or after its fetch.
    EXPECT_GE(requests[name], static_cast<int>(runs.size()) - cut)
        << name << ": every completed run fetched";
    EXPECT_LE(requests[name], static_cast<int>(runs.size()))
        << name << ": every fetch belongs to a recorded run";
    total += static_cast<int>(runs.size()) - cut;
  }
  // Every completed run was made by one of the two nodes (a node logs the runs that ended ok);
  // how they shared them is up to the leases.
  const int by_a = RunsLogged(a->log());
  const int by_b = RunsLogged(b->log());
  EXPECT_EQ(by_a + by_b, total);
  ::testing::Test::RecordProperty("runs_by_a", by_a);
  ::testing::Test::RecordProperty("runs_by_b", by_b);
  std::printf("[ runs ] %d runs of %d sources: %d by node A, %d by node B\n", total, kSources, by_a,
              by_b);
}

}  // namespace
}  // namespace meabridge
