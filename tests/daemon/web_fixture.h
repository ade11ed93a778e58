// Shared fixtures of the daemon's endpoint tests: a fake Control, a real SQLite store in a
// TempDir with runs (ok with warnings and rejects, failed with an error), the real HTTP server
// on 127.0.0.1 port 0 with the daemon's routes, and a small HTTP client.
//
// Header-only: tests/CMakeLists.txt builds only *_test.cc files of this folder.
#pragma once

#include <gtest/gtest.h>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "config/config.h"
#include "core/strings.h"
#include "core/time.h"
#include "daemon/control.h"
#include "daemon/web/web.h"
#include "model/record.h"
#include "model/registry.h"
#include "publish/http/server.h"
#include "store/store.h"
#include "support/test_support.h"

namespace meabridge::daemon::web::testing {

class FakeControl : public Control {
 public:
  std::shared_ptr<const config::Config> config() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return config_;
  }
  std::vector<SourceState> Sources() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return sources_;
  }
  Status StartHarvest(const std::string& source, bool full) override {
    std::lock_guard<std::mutex> lock(mu_);
    harvests_.emplace_back(source, full);
    for (const SourceState& s : sources_) {
      if (s.name != source) continue;
      if (s.running) return Status::FailedPrecondition("a run of " + source + " is in progress");
      return Status::Ok();
    }
    return Status::NotFound("no source " + source + " is configured");
  }
  Status Reload() override {
    std::lock_guard<std::mutex> lock(mu_);
    ++reloads_;
    return reload_status_;
  }
  bool Ready() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return ready_;
  }

  void SetConfig(std::shared_ptr<const config::Config> c) {
    std::lock_guard<std::mutex> lock(mu_);
    config_ = std::move(c);
  }
  void SetAdminTokenFile(const std::string& path) {
    auto c = std::make_shared<config::Config>(*config());
    c->admin_token_file = path;
    SetConfig(c);
  }
  void SetPublishRejects(bool on) {
    auto c = std::make_shared<config::Config>(*config());
    c->server_publish_rejects = on;
    SetConfig(c);
  }
  void SetSources(std::vector<SourceState> s) {
    std::lock_guard<std::mutex> lock(mu_);
    sources_ = std::move(s);
  }
  void SetReady(bool r) {
    std::lock_guard<std::mutex> lock(mu_);
    ready_ = r;
  }
  void SetReloadStatus(Status s) {
    std::lock_guard<std::mutex> lock(mu_);
    reload_status_ = std::move(s);
  }
  std::vector<std::pair<std::string, bool>> harvests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return harvests_;
  }
  int reloads() const {
    std::lock_guard<std::mutex> lock(mu_);
    return reloads_;
  }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const config::Config> config_ = std::make_shared<config::Config>();
  std::vector<SourceState> sources_;
  std::vector<std::pair<std::string, bool>> harvests_;
  Status reload_status_;
  int reloads_ = 0;
  bool ready_ = true;
};

inline const model::EntitySpec& Set(const char* name) {
  return *model::Registry::Default().Find(name);
}

inline model::Record Membership(const std::string& treaty, const std::string& country) {
  model::Record r(Set("Memberships"));
  r.set_id(treaty + ":" + country);
  r.Set("treaty", model::Value(treaty));
  r.Set("country", model::Value(country));
  r.Set("status", model::Value(std::string("ratification")));
  return r;
}

inline model::Record Contact(const std::string& id, model::StringList treaties) {
  model::Record r(Set("Contacts"));
  r.set_id(id);
  r.Set("treaties", model::Value(std::move(treaties)));
  r.Set("lastName", model::Value(std::string("Name ") + id));
  return r;
}

struct HttpAnswer {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

inline HttpAnswer Call(int port, const std::string& method, const std::string& target,
                       const std::vector<std::pair<std::string, std::string>>& headers = {},
                       const std::string& body = "") {
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
  Poco::Net::HTTPRequest req(method, target, Poco::Net::HTTPMessage::HTTP_1_1);
  for (const auto& [k, v] : headers) req.set(k, v);
  if (method == "POST" || method == "PUT" || !body.empty()) {
    req.setContentLength(static_cast<std::streamsize>(body.size()));
  }
  std::ostream& out = session.sendRequest(req);
  out << body;
  Poco::Net::HTTPResponse resp;
  std::istream& in = session.receiveResponse(resp);
  HttpAnswer a;
  a.status = static_cast<int>(resp.getStatus());
  for (const auto& [k, v] : resp) a.headers[core::AsciiLower(k)] = v;
  Poco::StreamCopier::copyToString(in, a.body);
  return a;
}

// A store with two sources' runs:
//   alpha: run 1 ok (2 memberships, 1 contact), run 2 ok with a warning, 1 deletion and
//          2 rejects
//   beta:  run 3 failed with an error
// and a fake control listing alpha, beta and gamma (never run), on a real server.
class WebTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::OpenStore("sqlite:" + dir_.File("store.db"));
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(*opened);
    Populate();
    control_.SetSources({
        SourceState{"alpha", "file", "every 6h", true, false, Ms("2030-01-01T06:00:00Z"), 0},
        SourceState{"beta", "http", "0 3 * * *", true, true, Ms("2030-01-02T03:00:00Z"),
                    Ms("2029-12-31T23:00:00Z")},
        SourceState{"gamma", "sql", "manual", false, false, 0, 0},
    });
    StartServer();
  }
  void TearDown() override {
    if (server_) server_->Stop();
  }

  static core::EpochMs Ms(const char* text) { return *core::ParseDateTime(text); }

  virtual void Populate() {
    {
      auto w = store_->BeginRun("alpha", Ms("2026-01-01T00:00:00Z"), true);
      ASSERT_TRUE(w.ok()) << w.status().ToString();
      ASSERT_TRUE((*w)->Upsert(Membership("cbd", "FR")).ok());
      ASSERT_TRUE((*w)->Upsert(Membership("unfccc", "FR")).ok());
      ASSERT_TRUE((*w)->Upsert(Contact("c1", {"cbd", "cites"})).ok());
      store::RunRecord r;
      r.started = Ms("2026-01-01T00:00:00Z");
      r.finished = Ms("2026-01-01T00:00:02Z");
      r.status = "ok";
      r.full = true;
      r.counts.fetched = 3;
      r.counts.created = 3;
      ASSERT_TRUE((*w)->Commit(r).ok());
    }
    {
      auto w = store_->BeginRun("alpha", Ms("2026-01-02T00:00:00Z"), false);
      ASSERT_TRUE(w.ok());
      ASSERT_TRUE((*w)->Upsert(Membership("cbd", "DE")).ok());
      ASSERT_TRUE((*w)->Delete(Set("Memberships"), "unfccc:FR").ok());
      store::Reject rj;
      rj.entity = "Memberships";
      rj.record_id = "cbd:XX";
      rj.position = "/data/3";
      rj.field = "country";
      rj.rule = "vocabulary";
      rj.value = "Atlantis";
      rj.message = "not a country";
      ASSERT_TRUE((*w)->AddReject(rj).ok());
      rj.record_id = "cbd:YY";
      rj.position = "/data/4";
      ASSERT_TRUE((*w)->AddReject(rj).ok());
      store::RunRecord r;
      r.started = Ms("2026-01-02T00:00:00Z");
      r.finished = Ms("2026-01-02T00:00:01.500Z");
      r.status = "ok";
      r.counts.fetched = 4;
      r.counts.created = 1;
      r.counts.unchanged = 1;
      r.counts.deleted = 1;
      r.counts.rejected = 2;
      r.warnings = {"page 2 had no next link"};
      ASSERT_TRUE((*w)->Commit(r).ok());
      last_alpha_run_ = (*w)->run_id();
    }
    store::RunRecord failed;
    failed.source = "beta";
    failed.started = Ms("2026-01-03T00:00:00Z");
    failed.finished = Ms("2026-01-03T00:00:05Z");
    failed.status = "failed";
    failed.error = "GET http://127.0.0.1:9/feed: connection refused; check the source's url";
    auto id = store_->RecordFailedRun(failed);
    ASSERT_TRUE(id.ok()) << id.status().ToString();
    beta_run_ = *id;
  }

  void StartServer() {
    auto routes = std::make_shared<publish::http::RouteRegistry>();
    WebDeps deps;
    deps.control = &control_;
    deps.store = store_.get();
    deps.metrics = &metrics_;
    ASSERT_TRUE(RegisterDaemonRoutes(*routes, deps).ok());
    publish::http::ServerOptions o;
    o.bind = "127.0.0.1";
    o.port = 0;
    o.connections.workers = 4;
    o.access_log = false;
    o.observer = [this](const publish::http::AccessRecord& r) { metrics_.ObserveRequest(r); };
    server_ = std::make_unique<publish::http::Server>(o, routes, store_.get());
    Status st = server_->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
  }

  HttpAnswer Get(const std::string& target,
                 const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    return Call(server_->port(), "GET", target, headers);
  }

  meabridge::testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  FakeControl control_;
  Metrics metrics_;
  std::unique_ptr<publish::http::Server> server_;
  int64_t last_alpha_run_ = 0;
  int64_t beta_run_ = 0;
};

}  // namespace meabridge::daemon::web::testing
