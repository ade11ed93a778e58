// /status: one HTML5 page, no external assets (inline CSS, no script), every text escaped.
// It shows (docs/operations.md#the-status-page):
//
//   - the daemon: version, readiness, the store (backend, redacted location, change sequence)
//   - the sources: name, kind, schedule, enabled, next run, running now (since when)
//   - the last run per source: id, status, start, duration, the counts (fetched, created,
//     updated, unchanged, deleted, rejected), warnings, error; the rejected count links to the
//     run's rejects in the admin API when it is on
//   - records per entity set (live and tombstones), and per treaty for every entity set whose
//     records name their treaty in a `treaty` field (store_figures.h says why not `treaties`)
//   - links to every feed: OData V4 and V2 service roots and $metadata, per entity set its
//     OData V4, V2, Atom, CSV and JSON-LD URL (the entity sets come from the registry), partner
//     profiles, /vocab/, /ld/, /metrics and the probes
//
// Pure function of its inputs: thread-safe.
#pragma once

#include <string>

#include "core/status.h"
#include "daemon/control.h"
#include "daemon/web/store_figures.h"
#include "model/registry.h"
#include "publish/context.h"
#include "store/store.h"

namespace meabridge::daemon::web {

struct StatusPageInput {
  const Control* control = nullptr;
  store::Store* store = nullptr;
  const model::Registry* registry = nullptr;
  const publish::Context* publish = nullptr;  // optional: profile feeds per entity
  StoreFiguresCache* figures = nullptr;       // optional: counts computed without a cache
  std::string base_url;                       // links start with it; ends with '/'
  core::EpochMs now = 0;
};

// The page; an error when the store cannot be read.
Result<std::string> RenderStatusPage(const StatusPageInput& in);

}  // namespace meabridge::daemon::web
