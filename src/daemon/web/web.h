// The daemon's own endpoints, added to the publisher's route registry before the server
// starts (docs/operations.md):
//
//   /status    an HTML page with no external assets: sources, schedules, last runs, counts
//              (status_page.h)
//   /healthz   200 "ok" while the process serves requests
//   /readyz    200 once Control::Ready(), 503 otherwise (starting, stopping)
//   /metrics   Prometheus text format 0.0.4 (Metrics below)
//   /admin/    token-protected: start a harvest, list runs, a run's rejects, reload (admin.h)
//
// Every one of them is CacheMode::kNone: never in the response cache, sent with
// Cache-Control: no-store.
//
// Threads: handlers run on the server's worker threads; Metrics is thread-safe, and
// ObserveRequest takes no lock (relaxed atomics in a lock-free table of series).
#pragma once

#include <memory>
#include <string>

#include "core/status.h"
#include "daemon/control.h"
#include "daemon/web/store_figures.h"
#include "harvest/harvest.h"
#include "publish/context.h"
#include "publish/http/router.h"
#include "publish/http/server.h"
#include "store/store.h"

namespace meabridge::daemon::web {

// The in-process counters behind /metrics. The daemon feeds it: every HTTP request (set
// ObserveRequest as the server's observer) and every finished harvest run. Counters count
// since the process started (Prometheus' rate() and increase() handle restarts); gauges
// read from the store (records, tombstones, each source's last run) describe the store
// whichever process wrote it.
class Metrics {
 public:
  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // Called for every request, from any server thread: lock-free.
  void ObserveRequest(const publish::http::AccessRecord& record);
  // A run that ended (any status), with its wall-clock duration in seconds. Runs that were
  // not claimed (report.claimed false: another run held the source) are not counted.
  void ObserveRun(const harvest::RunReport& report, double duration_seconds);

  // The exposition text (text/plain; version=0.0.4). Store-derived gauges are read from
  // `store` (one ReadView, and store_figures() for the counts); `control` gives the configured
  // sources and readiness.
  Result<std::string> Render(store::Store& store, const Control& control) const;

  // The store-wide counts, computed once per store state; shared with /status.
  StoreFiguresCache& store_figures() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

struct WebDeps {
  Control* control = nullptr;     // REQUIRES: outlives the server
  store::Store* store = nullptr;  // REQUIRES: outlives the server
  Metrics* metrics = nullptr;     // REQUIRES: outlives the server
  // Optional: the publisher's context (Publisher::context()), for the status page's links to
  // partner profile feeds per entity. nullptr: profiles are listed by name only.
  const publish::Context* publish = nullptr;  // REQUIRES: outlives the server when set
};

// Adds /status, /healthz, /readyz, /metrics and /admin/ to `routes`.
// InvalidArgument when a dependency is missing or a path is taken.
Status RegisterDaemonRoutes(publish::http::RouteRegistry& routes, WebDeps deps);

}  // namespace meabridge::daemon::web
