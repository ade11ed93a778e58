// /metrics: the Prometheus text exposition format 0.0.4. docs/operations.md lists every
// metric with its labels.
//
// The hot path is ObserveRequest (every HTTP request): it finds its (route, code) series in a
// fixed-size open-addressing table of atomic pointers (entries are inserted once with a
// compare-and-swap and never removed) and bumps relaxed atomics; no lock. Runs are rare, so
// ObserveRun and the run series sit behind one mutex.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/version.h"
#include "daemon/web/web.h"
#include "store/run_counts.h"

namespace meabridge::daemon::web {
namespace {

// Request latency buckets, in seconds: a cache hit answers in well under a millisecond, a large
// streamed export in seconds.
constexpr double kLatencyBuckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                      0.1,    0.25,  0.5,    1,     2.5,  5,     10};
constexpr size_t kLatencyBucketCount = sizeof(kLatencyBuckets) / sizeof(kLatencyBuckets[0]);
// Harvest durations, in seconds: a 304 re-harvest takes a fraction of a second, a full
// reconciliation of a large source many minutes.
constexpr double kRunBuckets[] = {0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600};
constexpr size_t kRunBucketCount = sizeof(kRunBuckets) / sizeof(kRunBuckets[0]);

// One (route, status code) pair's request counters and latency histogram.
struct RequestSeries {
  RequestSeries(std::string r, int c) : route(std::move(r)), code(c) {}
  const std::string route;  // "" when no route matched
  const int code;           // 0: the overflow series
  std::atomic<uint64_t> count{0};
  std::atomic<uint64_t> cache_hits{0};
  std::atomic<uint64_t> bytes{0};
  std::atomic<uint64_t> sum_ns{0};
  std::atomic<uint64_t> buckets[kLatencyBucketCount + 1] = {};  // the last one: over 10 s
};

// Lock-free, insert-only: (route, code) -> series. The number of series is bounded by the
// routes the server has times the status codes it answers; past kSlots / 2 entries new pairs
// share one overflow series, so a flood of odd status codes cannot grow memory.
class SeriesTable {
 public:
  static constexpr size_t kSlots = 1024;
  SeriesTable() : overflow_("other", 0) {
    for (auto& s : slots_) s.store(nullptr, std::memory_order_relaxed);
  }
  ~SeriesTable() {
    for (auto& s : slots_) delete s.load(std::memory_order_relaxed);
  }
  SeriesTable(const SeriesTable&) = delete;
  SeriesTable& operator=(const SeriesTable&) = delete;

  RequestSeries& Get(std::string_view route, int code) {
    size_t h = std::hash<std::string_view>()(route) ^
               (static_cast<size_t>(code) * size_t{0x9E3779B97F4A7C15ull});
    for (size_t probe = 0; probe < kSlots; ++probe) {
      std::atomic<RequestSeries*>& slot = slots_[(h + probe) % kSlots];
      RequestSeries* s = slot.load(std::memory_order_acquire);
      if (!s) {
        if (size_.load(std::memory_order_relaxed) >= kSlots / 2) return overflow_;
        auto* fresh = new RequestSeries(std::string(route), code);
        if (slot.compare_exchange_strong(s, fresh, std::memory_order_acq_rel,
                                         std::memory_order_acquire)) {
          size_.fetch_add(1, std::memory_order_relaxed);
          return *fresh;
        }
        delete fresh;  // another thread filled the slot first: `s` is its entry
      }
      if (s->code == code && s->route == route) return *s;
    }
    return overflow_;
  }

  template <typename F>
  void ForEach(F&& f) const {
    for (const auto& slot : slots_) {
      if (const RequestSeries* s = slot.load(std::memory_order_acquire)) f(*s);
    }
    if (overflow_.count.load(std::memory_order_relaxed) > 0) f(overflow_);
  }

 private:
  std::atomic<RequestSeries*> slots_[kSlots];
  std::atomic<size_t> size_{0};
  RequestSeries overflow_;
};

struct RunSeries {
  std::map<std::string, uint64_t> by_status;
  uint64_t buckets[kRunBucketCount + 1] = {};
  uint64_t count = 0;
  double sum = 0;
  store::RunCounts records;  // the counts of records (RunCountField::records) only
};

// "fetched, created, ...": the outcomes a record count is labelled with.
std::string Outcomes() {
  std::string out;
  for (const store::RunCountField& f : store::kRunCountFields) {
    if (!f.records) continue;
    if (!out.empty()) out += ", ";
    out += f.name;
  }
  return out;
}

// A label value, escaped as the text format asks (backslash, double quote, newline).
std::string Label(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

// The shortest decimal that reads back as `v` (0.0005, not 0.00050000000000000001; Unix times
// to the millisecond in full).
std::string Num(double v) {
  char buf[40];
  for (int precision = 6; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

class Writer {
 public:
  void Head(const char* name, const char* type, const char* help) {
    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    out_ += help;
    out_ += "\n# TYPE ";
    out_ += name;
    out_ += ' ';
    out_ += type;
    out_ += '\n';
  }
  // `labels` already formatted: {a="x",b="y"} or "".
  void Sample(std::string_view name, const std::string& labels, const std::string& value) {
    out_ += name;
    out_ += labels;
    out_ += ' ';
    out_ += value;
    out_ += '\n';
  }
  void Sample(std::string_view name, const std::string& labels, uint64_t value) {
    Sample(name, labels, std::to_string(value));
  }
  void Sample(std::string_view name, const std::string& labels, int64_t value) {
    Sample(name, labels, std::to_string(value));
  }
  std::string& text() { return out_; }

 private:
  std::string out_;
};

std::string Labels(std::initializer_list<std::pair<const char*, std::string_view>> labels) {
  std::string out = "{";
  bool first = true;
  for (const auto& [k, v] : labels) {
    if (!first) out += ',';
    first = false;
    out += k;
    out += "=\"";
    out += Label(v);
    out += '"';
  }
  out += '}';
  return out;
}

// One histogram series with one label: cumulative `_bucket` samples for `bounds` (then +Inf
// for the overflow bucket, counts[bounds.size()]), `_sum` and `_count`.
void Histogram(Writer& w, const std::string& name, const char* label, std::string_view value,
               std::span<const double> bounds, const uint64_t* counts, double sum) {
  const std::string bucket = name + "_bucket";
  uint64_t cumulative = 0;
  for (size_t i = 0; i < bounds.size(); ++i) {
    cumulative += counts[i];
    w.Sample(bucket, Labels({{label, value}, {"le", Num(bounds[i])}}), cumulative);
  }
  cumulative += counts[bounds.size()];
  w.Sample(bucket, Labels({{label, value}, {"le", "+Inf"}}), cumulative);
  w.Sample(name + "_sum", Labels({{label, value}}), Num(sum));
  w.Sample(name + "_count", Labels({{label, value}}), cumulative);
}

}  // namespace

struct Metrics::Impl {
  SeriesTable requests;
  mutable StoreFiguresCache figures{model::Registry::Default()};
  const double start_seconds =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  mutable std::mutex mu;
  std::map<std::string, RunSeries> runs;  // guarded by mu; by source
};

Metrics::Metrics() : impl_(std::make_unique<Impl>()) {}
Metrics::~Metrics() = default;

StoreFiguresCache& Metrics::store_figures() const { return impl_->figures; }

void Metrics::ObserveRequest(const publish::http::AccessRecord& record) {
  RequestSeries& s = impl_->requests.Get(record.route, record.status);
  s.count.fetch_add(1, std::memory_order_relaxed);
  if (record.cache_hit) s.cache_hits.fetch_add(1, std::memory_order_relaxed);
  s.bytes.fetch_add(record.bytes, std::memory_order_relaxed);
  double seconds = record.latency_ms > 0 ? record.latency_ms / 1000.0 : 0.0;
  s.sum_ns.fetch_add(static_cast<uint64_t>(seconds * 1e9), std::memory_order_relaxed);
  size_t b = 0;
  while (b < kLatencyBucketCount && seconds > kLatencyBuckets[b]) ++b;
  s.buckets[b].fetch_add(1, std::memory_order_relaxed);
}

void Metrics::ObserveRun(const harvest::RunReport& report, double duration_seconds) {
  if (!report.claimed) return;
  const store::RunRecord& run = report.run;
  if (duration_seconds < 0) duration_seconds = 0;
  std::lock_guard<std::mutex> lock(impl_->mu);
  RunSeries& s = impl_->runs[run.source];
  ++s.by_status[run.status.empty() ? "unknown" : run.status];
  size_t b = 0;
  while (b < kRunBucketCount && duration_seconds > kRunBuckets[b]) ++b;
  ++s.buckets[b];
  ++s.count;
  s.sum += duration_seconds;
  for (const store::RunCountField& f : store::kRunCountFields) {
    if (f.records) s.records.*f.member += run.counts.*f.member;
  }
}

Result<std::string> Metrics::Render(store::Store& store, const Control& control) const {
  Writer w;
  w.Head("meabridge_build_info", "gauge", "The running meabridge's version (always 1).");
  w.Sample("meabridge_build_info", Labels({{"version", kVersion}}), uint64_t{1});
  w.Head("meabridge_start_time_seconds", "gauge", "When the process started (Unix seconds).");
  w.Sample("meabridge_start_time_seconds", "", Num(impl_->start_seconds));
  w.Head("meabridge_ready", "gauge",
         "1 while the daemon is ready (store open, port bound, not stopping), else 0.");
  w.Sample("meabridge_ready", "", uint64_t{control.Ready() ? 1u : 0u});

  // ---- HTTP, since the process started ----
  struct RouteAgg {
    uint64_t buckets[kLatencyBucketCount + 1] = {};
    uint64_t count = 0;
    uint64_t sum_ns = 0;
    uint64_t hits = 0;
    uint64_t bytes = 0;
  };
  std::map<std::pair<std::string, int>, uint64_t> by_code;
  std::map<std::string, RouteAgg> by_route;
  impl_->requests.ForEach([&](const RequestSeries& s) {
    std::string route = s.route.empty() ? "none" : s.route;
    uint64_t n = s.count.load(std::memory_order_relaxed);
    by_code[{route, s.code}] += n;
    RouteAgg& a = by_route[route];
    a.count += n;
    a.sum_ns += s.sum_ns.load(std::memory_order_relaxed);
    a.hits += s.cache_hits.load(std::memory_order_relaxed);
    a.bytes += s.bytes.load(std::memory_order_relaxed);
    for (size_t i = 0; i <= kLatencyBucketCount; ++i) {
      a.buckets[i] += s.buckets[i].load(std::memory_order_relaxed);
    }
  });
  w.Head("meabridge_http_requests_total", "counter",
         "HTTP requests answered, by route (\"none\": no route matched) and status code.");
  for (const auto& [k, n] : by_code) {
    w.Sample("meabridge_http_requests_total",
             Labels({{"route", k.first}, {"code", k.second ? std::to_string(k.second) : "other"}}),
             n);
  }
  w.Head("meabridge_http_response_bytes_total", "counter",
         "Response body bytes sent (after compression), by route.");
  for (const auto& [route, a] : by_route) {
    w.Sample("meabridge_http_response_bytes_total", Labels({{"route", route}}), a.bytes);
  }
  w.Head("meabridge_http_cache_hits_total", "counter",
         "Requests answered from the response cache, by route.");
  for (const auto& [route, a] : by_route) {
    w.Sample("meabridge_http_cache_hits_total", Labels({{"route", route}}), a.hits);
  }
  w.Head("meabridge_http_request_duration_seconds", "histogram",
         "Time from a parsed request to the last byte of its response, by route.");
  for (const auto& [route, a] : by_route) {
    Histogram(w, "meabridge_http_request_duration_seconds", "route", route, kLatencyBuckets,
              a.buckets, static_cast<double>(a.sum_ns) / 1e9);
  }

  // ---- harvest runs, since the process started ----
  std::vector<SourceState> sources = control.Sources();
  std::map<std::string, RunSeries> runs;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    runs = impl_->runs;
  }
  // Configured sources appear with zeros before their first run, so that rate() and alerts
  // see the series from the start.
  for (const SourceState& s : sources) {
    RunSeries& r = runs[s.name];
    for (const char* status : {"ok", "partial", "failed", "aborted"}) r.by_status[status];
  }
  w.Head("meabridge_harvest_runs_total", "counter",
         "Harvest runs this process finished, by source and status (ok, partial, failed, "
         "aborted).");
  for (const auto& [source, r] : runs) {
    for (const auto& [status, n] : r.by_status) {
      w.Sample("meabridge_harvest_runs_total", Labels({{"source", source}, {"status", status}}), n);
    }
  }
  w.Head("meabridge_harvest_records_total", "counter",
         ("Records handled by this process's harvest runs, by source and outcome (" + Outcomes() +
          ").")
             .c_str());
  for (const auto& [source, r] : runs) {
    const store::RunCounts& c = r.records;
    for (const store::RunCountField& f : store::kRunCountFields) {
      if (!f.records) continue;
      w.Sample("meabridge_harvest_records_total", Labels({{"source", source}, {"outcome", f.name}}),
               c.*f.member);
    }
  }
  w.Head("meabridge_harvest_duration_seconds", "histogram",
         "Wall-clock duration of this process's harvest runs, by source.");
  for (const auto& [source, r] : runs) {
    Histogram(w, "meabridge_harvest_duration_seconds", "source", source, kRunBuckets, r.buckets,
              r.sum);
  }

  // ---- the scheduler, now ----
  w.Head("meabridge_source_running", "gauge",
         "1 while a run of the source is in progress in this process.");
  for (const SourceState& s : sources) {
    w.Sample("meabridge_source_running", Labels({{"source", s.name}}),
             uint64_t{s.running ? 1u : 0u});
  }
  w.Head("meabridge_source_next_run_timestamp_seconds", "gauge",
         "When the source's next scheduled run starts (Unix seconds); absent for manual or "
         "disabled sources.");
  for (const SourceState& s : sources) {
    if (s.next_run_ms <= 0) continue;
    w.Sample("meabridge_source_next_run_timestamp_seconds", Labels({{"source", s.name}}),
             Num(static_cast<double>(s.next_run_ms) / 1000.0));
  }

  // ---- the store, now ----
  MB_ASSIGN_OR_RETURN(std::unique_ptr<store::ReadView> view, store.Read());
  MB_ASSIGN_OR_RETURN(std::shared_ptr<const StoreFigures> figures,
                      impl_->figures.Get(store, *view));
  const store::StoreInfo& info = figures->info;
  w.Head("meabridge_records", "gauge", "Live records in the store, by entity set.");
  for (const auto& [entity, n] : info.live_records) {
    w.Sample("meabridge_records", Labels({{"entity", entity}}), n);
  }
  w.Head("meabridge_tombstones", "gauge",
         "Deleted records the store still tracks (tombstones), by entity set.");
  for (const auto& [entity, n] : info.tombstones_by_entity) {
    w.Sample("meabridge_tombstones", Labels({{"entity", entity}}), n);
  }
  w.Head("meabridge_store_change_seq", "gauge", "The store's highest change sequence number.");
  w.Sample("meabridge_store_change_seq", "", info.max_seq);
  w.Head("meabridge_store_runs", "gauge",
         "Run records in the store (every process's runs, every status).");
  w.Sample("meabridge_store_runs", "", info.runs);

  std::vector<store::RunRecord> last;
  for (const SourceState& s : sources) {
    MB_ASSIGN_OR_RETURN(std::vector<store::RunRecord> r, view->Runs(s.name, 1));
    if (!r.empty()) last.push_back(std::move(r.front()));
  }
  w.Head("meabridge_source_last_run_success", "gauge",
         "1 when the source's newest recorded run ended ok, 0 when it was partial, failed or "
         "was aborted.");
  for (const store::RunRecord& r : last) {
    w.Sample("meabridge_source_last_run_success", Labels({{"source", r.source}}),
             uint64_t{r.status == "ok" ? 1u : 0u});
  }
  w.Head("meabridge_source_last_run_timestamp_seconds", "gauge",
         "When the source's newest recorded run finished (Unix seconds).");
  for (const store::RunRecord& r : last) {
    w.Sample("meabridge_source_last_run_timestamp_seconds", Labels({{"source", r.source}}),
             Num(static_cast<double>(r.finished) / 1000.0));
  }
  w.Head("meabridge_source_last_run_records", "gauge",
         "The counts of the source's newest recorded run, by outcome.");
  for (const store::RunRecord& r : last) {
    const store::RunCounts& c = r.counts;
    for (const store::RunCountField& f : store::kRunCountFields) {
      if (!f.records) continue;
      w.Sample("meabridge_source_last_run_records",
               Labels({{"source", r.source}, {"outcome", f.name}}), c.*f.member);
    }
  }
  return std::move(w.text());
}

}  // namespace meabridge::daemon::web
