// The daemon's own endpoints, added to the publisher's route registry before the server
// starts (docs/operations.md):
//
//   /status    an HTML page with no external assets: sources, schedules, last runs, counts
//   /healthz   200 while the process serves requests
//   /readyz    200 once Control::Ready(), 503 otherwise (starting, stopping)
//   /metrics   Prometheus text format (Metrics below)
//   /admin/    token-protected: start a harvest, list runs, a run's rejects, reload
//
// Threads: handlers run on the server's worker threads; Metrics is thread-safe.
#pragma once

#include <memory>

#include "core/status.h"
#include "daemon/control.h"
#include "harvest/harvest.h"
#include "publish/http/router.h"
#include "publish/http/server.h"
#include "store/store.h"

namespace meabridge::daemon::web {

// The in-process counters behind /metrics. The daemon feeds it: every HTTP request (set
// ObserveRequest as the server's observer) and every finished harvest run.
class Metrics {
 public:
  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  void ObserveRequest(const publish::http::AccessRecord& record);
  // A run that ended (any status), with its wall-clock duration in seconds.
  void ObserveRun(const harvest::RunReport& report, double duration_seconds);

  // The exposition text; store-derived gauges (records by entity, runs by status) are read
  // from `view`.
  Result<std::string> Render(store::ReadView& view) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

struct WebDeps {
  Control* control = nullptr;     // REQUIRES: outlives the server
  store::Store* store = nullptr;  // REQUIRES: outlives the server
  Metrics* metrics = nullptr;     // REQUIRES: outlives the server
};

// Adds /status, /healthz, /readyz, /metrics and /admin/ to `routes`.
Status RegisterDaemonRoutes(publish::http::RouteRegistry& routes, WebDeps deps);

}  // namespace meabridge::daemon::web
