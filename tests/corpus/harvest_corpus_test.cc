// The harvester against real partner responses (../shared/corpus), served from 127.0.0.1.
// Optional: skipped (and says so) where the corpus is absent.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include "config/config.h"
#include "harvest/harvest.h"
#include "model/registry.h"
#include "store/store.h"
#include "support/http_test_server.h"
#include "support/test_support.h"
#include "vocab/vocabulary.h"

namespace meabridge::harvest {
namespace {

using testing::HttpTestServer;
using testing::Reply;
using testing::SeenRequest;

class HarvestCorpusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (testing::CorpusDir().empty())
      GTEST_SKIP() << "../shared/corpus absent: corpus suite skipped";
    corpus_ = testing::CorpusDir() + "/informea-odata/";
    server_ = std::make_unique<HttpTestServer>([this](const SeenRequest& r) {
      std::string file;
      {
        std::lock_guard lock(mu_);
        file = corpus_ + (r.path == "/Contacts" ? contacts_ : r.path.substr(1));
      }
      std::ifstream in(file, std::ios::binary);
      if (!in) return Reply::Status(404);
      std::stringstream ss;
      ss << in.rdbuf();
      return Reply::Json(ss.str());
    });
    auto s = store::OpenStore("sqlite:" + dir_.File("corpus.db"));
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
    config_ = std::make_shared<config::Config>();
  }

  config::SourceConfig Source(const std::string& name, const std::string& path,
                              const std::string& mapping) {
    config::SourceConfig s;
    s.name = name;
    s.kind = "http";
    s.url = server_->Url(path);
    s.mapping = meabridge::testing::SourceDir() + "/mappings/" + mapping;
    s.deletion = "snapshot";
    return s;
  }

  RunReport Harvest(const config::SourceConfig& s) {
    HarvesterDeps deps;
    deps.vocabularies = &vocab::Vocabularies::System();
    return Harvester(config_, *store_, deps).Run(s, HarvestOptions{});
  }

  int64_t Live(const char* entity) {
    store::Query q;
    q.entity = model::Registry::Default().Find(entity);
    return *(*store_->Read())->Count(q);
  }

  testing::TempDir dir_;
  std::string corpus_;
  std::mutex mu_;
  std::string contacts_ = "v3/Contacts.json";
  std::unique_ptr<HttpTestServer> server_;
  std::unique_ptr<store::Store> store_;
  std::shared_ptr<const config::Config> config_;
};

TEST_F(HarvestCorpusTest, V3UpdatesAfterV3UpdateTheChangedContactsAndDuplicateNone) {
  config::SourceConfig s = Source("cbd", "/Contacts", "informea-odata-v3/contacts.xml");
  RunReport first = Harvest(s);
  ASSERT_TRUE(first.ok()) << first.run.error;
  EXPECT_EQ(first.run.counts.created, 2);
  EXPECT_EQ(first.run.counts.rejected, 0);
  {
    std::lock_guard lock(mu_);
    contacts_ = "v3-updates/Contacts.json";
  }
  RunReport second = Harvest(s);
  ASSERT_TRUE(second.ok()) << second.run.error;
  EXPECT_EQ(second.run.counts.created, 0);
  EXPECT_EQ(second.run.counts.updated, 2);
  EXPECT_EQ(second.run.counts.deleted, 0);
  EXPECT_EQ(Live("Contacts"), 2);
  auto rec = (*store_->Read())
                 ->Get(*model::Registry::Default().Find("Contacts"), "52000000cbd0220000001912");
  ASSERT_TRUE(rec.ok() && rec->has_value());
  const auto* treaties = std::get_if<model::StringList>((*rec)->Find("treaties"));
  ASSERT_NE(treaties, nullptr);
  EXPECT_NE(std::find(treaties->begin(), treaties->end(), "cartagena"), treaties->end());
}

TEST_F(HarvestCorpusTest, EveryV1AndV3ResponseHarvests) {
  struct Case {
    const char* path;
    const char* mapping;
    const char* entity;
  } cases[] = {
      {"/v1/Contacts.json", "informea-odata-v2/contacts.xml", "Contacts"},
      {"/v1/Decisions.json", "informea-odata-v2/decisions.xml", "Decisions"},
      {"/v1/Meetings.json", "informea-odata-v2/meetings.xml", "Meetings"},
      {"/v3/Decisions.json", "informea-odata-v3/decisions.xml", "Decisions"},
      {"/v3/Meetings.json", "informea-odata-v3/meetings.xml", "Meetings"},
  };
  for (const Case& c : cases) {
    RunReport r = Harvest(Source(std::string("src") + c.path, c.path, c.mapping));
    ASSERT_TRUE(r.ok()) << c.path << ": " << r.run.error;
    EXPECT_GT(r.run.counts.created, 0) << c.path;
    EXPECT_EQ(r.run.counts.pages, 1) << c.path;
    RunReport again = Harvest(Source(std::string("src") + c.path, c.path, c.mapping));
    ASSERT_TRUE(again.ok()) << c.path << ": " << again.run.error;
    EXPECT_TRUE(again.not_modified) << c.path;
  }
  EXPECT_GT(Live("Decisions"), 0);
  EXPECT_GT(Live("Meetings"), 0);
}

}  // namespace
}  // namespace meabridge::harvest
