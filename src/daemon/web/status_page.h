// /status: one HTML5 page, no external assets (inline CSS, no script), every text escaped.
// It shows (docs/operations.md#the-status-page):
//
//   - the daemon: version, readiness, the store (backend, redacted location, change sequence)
//   - the sources: name, kind, schedule, enabled, next run, running now (since when)
//   - the last run per source: id, status, start, duration, the counts (fetched, created,
//     updated, unchanged, deleted, rejected), warnings, error; the rejected count links to the
//     run's rejects page (/status/rejects?run=N) when rejects are published or the admin API
//     is on (the page then asks to sign in, session.h)
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
  bool rejects_published = false;  // <server publish-rejects="true">
  bool signed_in = false;          // the request carries a valid session (session.h)
};

// The page; an error when the store cannot be read.
Result<std::string> RenderStatusPage(const StatusPageInput& in);

// /status/rejects?run=N: the run's summary, its rejects grouped by field and rule with the
// first examples, then every reject (the first kRejectsShown) in a table.
inline constexpr int64_t kRejectsShown = 1000;
struct RejectsPageInput {
  store::Store* store = nullptr;
  int64_t run_id = 0;
  std::string base_url;
  bool signed_in = false;  // offers to sign out
};
// NotFound when the store has no such run; another error when it cannot be read.
Result<std::string> RenderRejectsPage(const RejectsPageInput& in);

// /status/sign-in: a form asking for the admin token, posting back to itself with `next` (a
// path under /status to return to); `message` (escaped) says why it is shown again.
std::string RenderSignInPage(const std::string& base_url, const std::string& next,
                             const std::string& message);

}  // namespace meabridge::daemon::web
