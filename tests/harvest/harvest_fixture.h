// Shared pieces of the harvester's run tests: a store in a temporary folder, sources pointing
// at a test server on 127.0.0.1, generated OData V2 contact pages, fixture files served with
// {base} replaced and ETags, and helpers to look at what the store holds afterwards.
#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/hash.h"
#include "harvest/harvest.h"
#include "model/registry.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store.h"
#include "support/http_test_server.h"
#include "support/store_backends.h"
#include "support/test_support.h"
#include "vocab/vocabulary.h"

namespace meabridge::harvest::test {

inline std::string MappingPath(const std::string& relative) {
  return meabridge::testing::SourceDir() + "/mappings/" + relative;
}
inline std::string FixturePath(const std::string& relative) {
  return meabridge::testing::TestDataDir() + "/harvest/" + relative;
}

struct Contact {
  std::string id;
  std::string last_name = "Doe";
  std::string country = "FR";
  std::string treaty = "cbd";
  int64_t updated_ms = 1431103154000;
};

// n contacts "PREFIXnnnn", their last name carrying `version`.
inline std::vector<Contact> MakeContacts(int n, const std::string& prefix = "c",
                                         const std::string& version = "v1", int first = 0) {
  std::vector<Contact> out;
  for (int i = first; i < first + n; ++i) {
    char id[32];
    std::snprintf(id, sizeof id, "%s%04d", prefix.c_str(), i);
    Contact c;
    c.id = id;
    c.last_name = "Name " + std::to_string(i) + " " + version;
    c.updated_ms = 1431103154000 + i * 1000;
    out.push_back(c);
  }
  return out;
}

// An OData V2 verbose JSON page of `contacts`, with a __next link when `next` is not empty.
inline std::string V2Page(const std::vector<Contact>& contacts, const std::string& next = "") {
  std::string s = "{\"d\": {\"results\": [";
  for (size_t i = 0; i < contacts.size(); ++i) {
    const Contact& c = contacts[i];
    if (i) s += ",";
    s += "\n {\"id\": \"" + c.id + "\", \"treaties\": [{\"value\": \"" + c.treaty +
         "\"}], \"country\": \"" + c.country + "\", \"lastName\": \"" + c.last_name +
         "\", \"updated\": \"/Date(" + std::to_string(c.updated_ms) + ")/\"}";
  }
  s += "]";
  if (!next.empty()) s += ", \"__next\": \"" + next + "\"";
  s += "}}";
  return s;
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::string ReplaceAll(std::string s, const std::string& what, const std::string& with) {
  for (size_t at = 0; (at = s.find(what, at)) != std::string::npos; at += with.size()) {
    s.replace(at, what.size(), with);
  }
  return s;
}

// Serves tests/data/harvest/ (path "/v2/contacts-1.json" -> the file) with {base} replaced
// by the server's URL, an ETag per content, and 304 for a matching If-None-Match.
inline testing::Reply ServeFixture(const testing::SeenRequest& r, const std::string& base) {
  std::string path = FixturePath(r.path.substr(1));
  std::ifstream probe(path);
  if (r.path.find("..") != std::string::npos || !probe) return testing::Reply::Status(404);
  std::string body = ReplaceAll(ReadFile(path), "{base}", base);
  std::string etag = "\"" + core::ContentHash(body).substr(0, 16) + "\"";
  if (r.Header("if-none-match") == etag) return testing::Reply::Status(304).Header("ETag", etag);
  testing::Reply rep;
  rep.body = std::move(body);
  rep.Header("Content-Type", path.size() > 4 && path.substr(path.size() - 4) == ".xml"
                                 ? "application/atom+xml"
                                 : "application/json");
  rep.Header("ETag", etag);
  return rep;
}

class HarvestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string location = StoreLocation(dir_.path());
    ASSERT_FALSE(location.empty());
    auto s = store::OpenStore(location);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
    auto cfg = std::make_shared<config::Config>();
    cfg->store_location = location;
    config_ = cfg;
  }

  // Where the store lives: SQLite in the test's folder; testing::OnEachStore runs a fixture's
  // TEST_P tests on every backend (support/store_backends.h).
  virtual std::string StoreLocation(const std::string& dir) {
    return "sqlite:" + dir + "/store.db";
  }

  config::SourceConfig Source(const std::string& name, const std::string& url,
                              const std::string& mapping = "informea-odata-v2/contacts.xml") {
    config::SourceConfig s;
    s.name = name;
    s.kind = "http";
    s.url = url;
    s.mapping = MappingPath(mapping);
    s.retries = 2;
    s.retry_delay_ms = 1000;
    s.retry_max_delay_ms = 60000;
    s.connect_timeout_ms = 2000;
    s.timeout_ms = 5000;
    return s;
  }

  HarvesterDeps Deps() {
    HarvesterDeps d;
    d.waiter = &waiter_;
    d.vocabularies = &vocab::Vocabularies::System();
    d.random01 = [] { return 0.0; };
    if (clock_) d.clock = clock_;
    if (registry_) d.sources = registry_;
    return d;
  }

  RunReport Harvest(const config::SourceConfig& s, bool full = false, bool force = false) {
    Harvester h(config_, *store_, Deps());
    HarvestOptions o;
    o.full = full;
    o.force = force;
    return h.Run(s, o);
  }

  const model::EntitySpec& Contacts() { return *model::Registry::Default().Find("Contacts"); }

  int64_t LiveCount() {
    auto view = store_->Read();
    store::Query q;
    q.entity = &Contacts();
    auto n = (*view)->Count(q);
    EXPECT_TRUE(n.ok()) << n.status().ToString();
    return n.ok() ? *n : -1;
  }
  int64_t MaxSeq() { return *(*store_->Read())->MaxSeq(); }

  // A live record's field as text ("" when absent or deleted).
  std::string Field(const std::string& id, const std::string& field) {
    auto view = store_->Read();
    auto r = (*view)->Get(Contacts(), id);
    if (!r.ok() || !r->has_value()) return "";
    const model::Value* v = (*r)->Find(field);
    if (!v) return "";
    if (std::holds_alternative<std::monostate>(*v)) return "";
    if (const std::string* s = std::get_if<std::string>(v)) return *s;
    return model::ValueToString(*v);
  }
  bool Live(const std::string& id) {
    auto view = store_->Read();
    auto r = (*view)->Get(Contacts(), id);
    return r.ok() && r->has_value();
  }
  std::string Watermark(const std::string& source) {
    auto w = (*store_->Read())->Watermark(source);
    return w.ok() && w->has_value() ? **w : "";
  }
  std::vector<store::RunRecord> Runs(const std::string& source) {
    auto r = (*store_->Read())->Runs(source, 100);
    return r.ok() ? *r : std::vector<store::RunRecord>{};
  }
  std::vector<store::Reject> Rejects(int64_t run) {
    auto r = (*store_->Read())->Rejects(run, 100);
    return r.ok() ? *r : std::vector<store::Reject>{};
  }

  static bool HasWarning(const RunReport& r, const std::string& part) {
    for (const std::string& w : r.run.warnings) {
      if (w.find(part) != std::string::npos) return true;
    }
    return false;
  }
  static std::string Warnings(const RunReport& r) {
    std::string s;
    for (const std::string& w : r.run.warnings) s += "\n  " + w;
    return s;
  }

  meabridge::testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::shared_ptr<const config::Config> config_;
  ManualWaiter waiter_;
  core::Clock* clock_ = nullptr;
  const SourceRegistry* registry_ = nullptr;
};

}  // namespace meabridge::harvest::test
