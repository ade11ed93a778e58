// /metrics, /healthz, /readyz: the exposition format parsed and checked line by line, exact
// counts from concurrent observers, label escaping, and the probes on the real server.
#include <chrono>
#include <map>
#include <regex>
#include <set>
#include <thread>

#include "core/version.h"
#include "daemon/web/web.h"
#include "web_fixture.h"

namespace meabridge::daemon::web::testing {
namespace {

// One parsed exposition: samples by "name{labels}" as written, and the family of every
// HELP/TYPE line. Fails the test on any line the text format 0.0.4 does not allow.
struct Exposition {
  std::map<std::string, double> samples;
  std::map<std::string, std::string> types;  // family -> counter, gauge, histogram
  std::vector<std::string> order;            // sample keys in order

  double Get(const std::string& key) const {
    auto it = samples.find(key);
    EXPECT_NE(it, samples.end()) << "no sample " << key;
    return it == samples.end() ? -1 : it->second;
  }
  bool Has(const std::string& key) const { return samples.count(key) > 0; }
};

std::string FamilyOf(const std::string& name, const std::map<std::string, std::string>& types) {
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    std::string s = suffix;
    if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0) {
      std::string base = name.substr(0, name.size() - s.size());
      auto it = types.find(base);
      if (it != types.end() && it->second == "histogram") return base;
    }
  }
  return name;
}

Exposition Parse(const std::string& text) {
  Exposition e;
  EXPECT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n') << "the exposition ends with a newline";
  static const std::regex kHelp(R"(# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) \S.*)");
  static const std::regex kType(R"(# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram))");
  static const std::regex kSample(
      R"re(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*")(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*")*\})? (-?[0-9.eE+-]+|\+Inf|NaN))re");
  std::set<std::string> helped;
  for (const std::string& line : core::Split(text, '\n')) {
    if (line.empty()) continue;
    std::smatch m;
    if (std::regex_match(line, m, kHelp)) {
      EXPECT_TRUE(helped.insert(m[1]).second) << "HELP twice for " << m[1];
      continue;
    }
    if (std::regex_match(line, m, kType)) {
      EXPECT_TRUE(helped.count(m[1])) << "TYPE before HELP for " << m[1];
      EXPECT_TRUE(e.types.emplace(m[1], m[2]).second) << "TYPE twice for " << m[1];
      continue;
    }
    if (!std::regex_match(line, m, kSample)) {
      ADD_FAILURE() << "not a valid sample line: " << line;
      continue;
    }
    std::string name = m[1];
    std::string family = FamilyOf(name, e.types);
    EXPECT_TRUE(e.types.count(family)) << "sample without TYPE: " << line;
    const std::string& type = e.types[family];
    if (type == "counter") {
      EXPECT_TRUE(name.size() > 6 && name.ends_with("_total")) << name;
    }
    std::string key = line.substr(0, line.rfind(' '));
    EXPECT_FALSE(e.samples.count(key)) << "duplicate sample " << key;
    std::string value = line.substr(line.rfind(' ') + 1);
    e.samples[key] = value == "+Inf" ? 1e308 : std::stod(value);
    e.order.push_back(key);
  }
  return e;
}

// Every histogram's buckets are cumulative, end with +Inf, and +Inf equals _count.
void CheckHistograms(const Exposition& e) {
  for (const auto& [family, type] : e.types) {
    if (type != "histogram") continue;
    std::map<std::string, std::vector<double>> buckets;  // other labels -> bucket values
    for (const std::string& key : e.order) {
      if (key.rfind(family + "_bucket{", 0) != 0) continue;
      size_t le = key.find(",le=\"");
      ASSERT_NE(le, std::string::npos) << key;
      std::string series = key.substr(family.size() + 8, le - family.size() - 8);
      buckets[series].push_back(e.samples.at(key));
      if (key.find("le=\"+Inf\"") != std::string::npos) {
        double count = e.Get(family + "_count{" + series + "}");
        EXPECT_EQ(e.samples.at(key), count) << key;
        EXPECT_TRUE(e.Has(family + "_sum{" + series + "}")) << family << " " << series;
      }
    }
    for (const auto& [series, values] : buckets) {
      for (size_t i = 1; i < values.size(); ++i) {
        EXPECT_LE(values[i - 1], values[i]) << family << "{" << series << "} bucket " << i;
      }
    }
  }
}

publish::http::AccessRecord Access(std::string route, int status, double ms, bool hit = false) {
  publish::http::AccessRecord r;
  r.route = std::move(route);
  r.status = status;
  r.latency_ms = ms;
  r.bytes = 100;
  r.cache_hit = hit;
  return r;
}

harvest::RunReport Report(const std::string& source, const std::string& status) {
  harvest::RunReport r;
  r.run.source = source;
  r.run.status = status;
  r.run.counts.fetched = 10;
  r.run.counts.created = 4;
  r.run.counts.rejected = 1;
  return r;
}

TEST_F(WebTest, MetricsRenderIsValidExpositionWithStoreAndProcessFigures) {
  metrics_.ObserveRequest(Access("odata-v4", 200, 0.3, true));  // 0.0003 s: first bucket
  metrics_.ObserveRequest(Access("odata-v4", 200, 7));          // 0.007 s: le 0.01
  metrics_.ObserveRequest(Access("odata-v4", 404, 20000));      // 20 s: over every bucket
  metrics_.ObserveRequest(Access("", 404, 1));                  // no route matched
  metrics_.ObserveRun(Report("alpha", "ok"), 0.2);
  metrics_.ObserveRun(Report("alpha", "failed"), 45);
  harvest::RunReport unclaimed = Report("alpha", "");
  unclaimed.claimed = false;
  metrics_.ObserveRun(unclaimed, 1);  // not counted

  auto text = metrics_.Render(*store_, control_);
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  Exposition e = Parse(*text);
  CheckHistograms(e);

  EXPECT_EQ(e.types["meabridge_http_requests_total"], "counter");
  EXPECT_EQ(e.Get(R"(meabridge_http_requests_total{route="odata-v4",code="200"})"), 2);
  EXPECT_EQ(e.Get(R"(meabridge_http_requests_total{route="odata-v4",code="404"})"), 1);
  EXPECT_EQ(e.Get(R"(meabridge_http_requests_total{route="none",code="404"})"), 1);
  EXPECT_EQ(e.Get(R"(meabridge_http_cache_hits_total{route="odata-v4"})"), 1);
  EXPECT_EQ(e.Get(R"(meabridge_http_response_bytes_total{route="odata-v4"})"), 300);
  const std::string h = "meabridge_http_request_duration_seconds";
  EXPECT_EQ(e.types[h], "histogram");
  EXPECT_EQ(e.Get(h + R"(_bucket{route="odata-v4",le="0.0005"})"), 1);
  EXPECT_EQ(e.Get(h + R"(_bucket{route="odata-v4",le="0.005"})"), 1);
  EXPECT_EQ(e.Get(h + R"(_bucket{route="odata-v4",le="0.01"})"), 2);
  EXPECT_EQ(e.Get(h + R"(_bucket{route="odata-v4",le="10"})"), 2);
  EXPECT_EQ(e.Get(h + R"(_bucket{route="odata-v4",le="+Inf"})"), 3);
  EXPECT_NEAR(e.Get(h + R"(_sum{route="odata-v4"})"), 20.0073, 1e-6);

  EXPECT_EQ(e.Get(R"(meabridge_harvest_runs_total{source="alpha",status="ok"})"), 1);
  EXPECT_EQ(e.Get(R"(meabridge_harvest_runs_total{source="alpha",status="failed"})"), 1);
  EXPECT_EQ(e.Get(R"(meabridge_harvest_runs_total{source="alpha",status="aborted"})"), 0);
  EXPECT_EQ(e.Get(R"(meabridge_harvest_runs_total{source="alpha",status="partial"})"), 0);
  // Configured sources that never ran in this process appear with zeros.
  EXPECT_EQ(e.Get(R"(meabridge_harvest_runs_total{source="gamma",status="ok"})"), 0);
  EXPECT_EQ(e.Get(R"(meabridge_harvest_records_total{source="alpha",outcome="fetched"})"), 20);
  EXPECT_EQ(e.Get(R"(meabridge_harvest_records_total{source="alpha",outcome="rejected"})"), 2);
  const std::string d = "meabridge_harvest_duration_seconds";
  EXPECT_EQ(e.Get(d + R"(_bucket{source="alpha",le="0.5"})"), 1);
  EXPECT_EQ(e.Get(d + R"(_bucket{source="alpha",le="30"})"), 1);
  EXPECT_EQ(e.Get(d + R"(_bucket{source="alpha",le="60"})"), 2);
  EXPECT_EQ(e.Get(d + R"(_count{source="alpha"})"), 2);
  EXPECT_NEAR(e.Get(d + R"(_sum{source="alpha"})"), 45.2, 1e-9);

  // From the store: live records and tombstones per entity set, every set of the registry.
  for (const model::EntitySpec& spec : model::Registry::Default().entities()) {
    EXPECT_TRUE(e.Has("meabridge_records{entity=\"" + spec.set_name + "\"}")) << spec.set_name;
    EXPECT_TRUE(e.Has("meabridge_tombstones{entity=\"" + spec.set_name + "\"}")) << spec.set_name;
  }
  EXPECT_EQ(e.Get(R"(meabridge_records{entity="Memberships"})"), 2);
  EXPECT_EQ(e.Get(R"(meabridge_tombstones{entity="Memberships"})"), 1);
  EXPECT_EQ(e.Get(R"(meabridge_records{entity="Contacts"})"), 1);
  EXPECT_EQ(e.Get(R"(meabridge_store_runs)"), 3);
  EXPECT_EQ(e.Get(R"(meabridge_source_last_run_success{source="alpha"})"), 1);
  EXPECT_EQ(e.Get(R"(meabridge_source_last_run_success{source="beta"})"), 0);
  EXPECT_FALSE(e.Has(R"(meabridge_source_last_run_success{source="gamma"})"));
  EXPECT_EQ(e.Get(R"(meabridge_source_last_run_records{source="alpha",outcome="rejected"})"), 2);
  EXPECT_EQ(e.Get(R"(meabridge_source_last_run_timestamp_seconds{source="beta"})"),
            Ms("2026-01-03T00:00:05Z") / 1000);
  // The scheduler.
  EXPECT_EQ(e.Get(R"(meabridge_source_running{source="beta"})"), 1);
  EXPECT_EQ(e.Get(R"(meabridge_source_running{source="alpha"})"), 0);
  EXPECT_EQ(e.Get(R"(meabridge_source_next_run_timestamp_seconds{source="alpha"})"),
            Ms("2030-01-01T06:00:00Z") / 1000);
  EXPECT_FALSE(e.Has(R"(meabridge_source_next_run_timestamp_seconds{source="gamma"})"));
  EXPECT_EQ(e.Get("meabridge_ready"), 1);
  std::string build;
  for (const auto& [k, v] : e.samples) {
    if (k.rfind("meabridge_build_info{version=\"", 0) == 0) build = k;
  }
  EXPECT_EQ(build, std::string("meabridge_build_info{version=\"") + kVersion + "\"}");
}

TEST_F(WebTest, MetricsLabelValuesAreEscaped) {
  metrics_.ObserveRequest(Access("we\"ird\\route\nx", 200, 1));
  auto text = metrics_.Render(*store_, control_);
  ASSERT_TRUE(text.ok());
  EXPECT_NE(text->find(R"(meabridge_http_requests_total{route="we\"ird\\route\nx",code="200"} 1)"),
            std::string::npos)
      << *text;
  Parse(*text);
}

TEST_F(WebTest, ConcurrentObserversLoseNoRequest) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 5000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t] {
      for (int i = 0; i < kPerThread; ++i) {
        // Several threads race to create the same new series, and each also has its own.
        metrics_.ObserveRequest(Access("shared", 200 + (i % 3), 1));
        metrics_.ObserveRequest(Access("own-" + std::to_string(t), 200, 2));
      }
    });
  }
  for (auto& th : threads) th.join();
  auto text = metrics_.Render(*store_, control_);
  ASSERT_TRUE(text.ok());
  Exposition e = Parse(*text);
  CheckHistograms(e);
  double shared = 0;
  for (int code : {200, 201, 202}) {
    shared += e.Get("meabridge_http_requests_total{route=\"shared\",code=\"" +
                    std::to_string(code) + "\"}");
  }
  EXPECT_EQ(shared, kThreads * kPerThread);
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(e.Get("meabridge_http_requests_total{route=\"own-" + std::to_string(t) +
                    "\",code=\"200\"}"),
              kPerThread);
  }
  EXPECT_EQ(e.Get(R"(meabridge_http_request_duration_seconds_count{route="shared"})"),
            kThreads * kPerThread);
}

TEST_F(WebTest, TooManySeriesShareOneOverflowSeries) {
  for (int code = 0; code < 2000; ++code) metrics_.ObserveRequest(Access("r", code, 1));
  auto text = metrics_.Render(*store_, control_);
  ASSERT_TRUE(text.ok());
  Exposition e = Parse(*text);
  double total = 0;
  int series = 0;
  for (const auto& [k, v] : e.samples) {
    if (k.rfind("meabridge_http_requests_total{", 0) == 0) {
      total += v;
      ++series;
    }
  }
  EXPECT_EQ(total, 2000);
  EXPECT_LE(series, 513);
  EXPECT_GT(e.Get(R"(meabridge_http_requests_total{route="other",code="other"})"), 0);
}

TEST_F(WebTest, MetricsEndpointServesTheFormatAndCountsRequests) {
  for (int i = 0; i < 3; ++i) ASSERT_EQ(Get("/healthz").status, 200);
  // The observer runs after the response went out: wait until the three are counted.
  Exposition e;
  for (int attempt = 0; attempt < 200; ++attempt) {
    HttpAnswer a = Get("/metrics");
    ASSERT_EQ(a.status, 200);
    EXPECT_EQ(a.Header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
    EXPECT_EQ(a.Header("cache-control"), "no-store");
    e = Parse(a.body);
    std::string key = R"(meabridge_http_requests_total{route="healthz",code="200"})";
    if (e.Has(key) && e.samples[key] == 3) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CheckHistograms(e);
  EXPECT_EQ(e.Get(R"(meabridge_http_requests_total{route="healthz",code="200"})"), 3);
  EXPECT_EQ(e.Get(R"(meabridge_records{entity="Memberships"})"), 2);
}

TEST_F(WebTest, ProbesAnswerPlainTextAndFollowReadiness) {
  HttpAnswer h = Get("/healthz");
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(h.body, "ok\n");
  EXPECT_EQ(h.Header("content-type"), "text/plain; charset=utf-8");
  EXPECT_EQ(h.Header("cache-control"), "no-store");
  HttpAnswer r = Get("/readyz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ready\n");
  control_.SetReady(false);
  r = Get("/readyz");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, "not ready\n");
  EXPECT_EQ(r.Header("cache-control"), "no-store");
  EXPECT_EQ(Get("/healthz").status, 200) << "alive while not ready";
  HttpAnswer post = Call(server_->port(), "POST", "/healthz");
  EXPECT_EQ(post.status, 405);
  EXPECT_NE(post.Header("allow").find("GET"), std::string::npos);
  EXPECT_EQ(post.Header("content-type"), "text/plain; charset=utf-8");
}

// The counts are kept per store state: a commit, or a failed run, shows at the next scrape.
TEST_F(WebTest, StoreFiguresFollowEveryCommitAndRun) {
  auto first = metrics_.Render(*store_, control_);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(Parse(*first).Get(R"(meabridge_records{entity="Memberships"})"), 2);
  {
    auto w = store_->BeginRun("alpha", Ms("2026-01-04T00:00:00Z"), false);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->Upsert(Membership("cms", "KE")).ok());
    store::RunRecord r;
    r.status = "ok";
    ASSERT_TRUE((*w)->Commit(r).ok());
  }
  auto second = metrics_.Render(*store_, control_);
  ASSERT_TRUE(second.ok());
  Exposition e = Parse(*second);
  EXPECT_EQ(e.Get(R"(meabridge_records{entity="Memberships"})"), 3);
  EXPECT_EQ(e.Get("meabridge_store_runs"), 4);
  store::RunRecord failed;
  failed.source = "beta";
  failed.status = "failed";
  failed.error = "again";
  ASSERT_TRUE(store_->RecordFailedRun(failed).ok());
  auto third = metrics_.Render(*store_, control_);
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(Parse(*third).Get("meabridge_store_runs"), 5) << "a failed run changes no record";
}

// docs/operations.md lists every metric family /metrics writes (one table row each).
TEST_F(WebTest, EveryMetricIsDocumented) {
  metrics_.ObserveRequest(Access("odata-v4", 200, 1));
  metrics_.ObserveRun(Report("alpha", "ok"), 1);
  auto text = metrics_.Render(*store_, control_);
  ASSERT_TRUE(text.ok());
  Exposition e = Parse(*text);
  std::string doc =
      meabridge::testing::ReadFileOrDie(meabridge::testing::SourceDir() + "/docs/operations.md");
  ASSERT_GT(e.types.size(), 15u);
  for (const auto& [family, type] : e.types) {
    EXPECT_NE(doc.find("| `" + family + "` | " + type + " |"), std::string::npos)
        << "docs/operations.md has no row for " << family << " (" << type << ")";
  }
}

}  // namespace
}  // namespace meabridge::daemon::web::testing
