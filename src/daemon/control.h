// What the daemon's own endpoints (/status, /healthz, /readyz, /metrics, /admin/) ask of the
// running daemon. The daemon (daemon/daemon.h) implements Control; the endpoints
// (daemon/web/) only see this interface, so they can be tested against a small fake Control
// and a real store.
//
// Threads: every member is called from the HTTP server's worker threads, concurrently with
// the scheduler: implementations are thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/status.h"

namespace meabridge::daemon {

// One configured source as the scheduler sees it now.
struct SourceState {
  std::string name;
  std::string kind;      // http, file, sql
  std::string schedule;  // as configured: "every 6h", "0 3 * * *", "manual"
  bool enabled = true;
  bool running = false;          // a run of it is in progress in this process
  int64_t next_run_ms = 0;       // Unix ms of the next scheduled run; 0: none (manual, disabled)
  int64_t running_since_ms = 0;  // Unix ms the run in progress started; 0 when not running
};

class Control {
 public:
  virtual ~Control() = default;

  // The configuration in force (a reload swaps it; holders keep the one they took).
  virtual std::shared_ptr<const config::Config> config() const = 0;

  // Every configured source, in configuration order.
  virtual std::vector<SourceState> Sources() const = 0;

  // Starts a run of `source` now, in the background, and returns at once. NotFound for a
  // source that is not configured, FailedPrecondition when a run of it is already in progress
  // (here or, on a shared store, on another node), Unavailable while stopping.
  virtual Status StartHarvest(const std::string& source, bool full) = 0;

  // Re-reads the configuration file and swaps it in atomically (as SIGHUP does).
  // InvalidArgument with every error ("file:line:col: ...", one per line) when the new one is
  // refused; the old one keeps running.
  virtual Status Reload() = 0;

  // True once the store is open and the port is bound, until stopping begins (/readyz).
  virtual bool Ready() const = 0;
};

}  // namespace meabridge::daemon
