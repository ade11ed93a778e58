// The daemon behind `meabridge serve` (docs/daemon.md): the publisher and the scheduler in one
// process. Start-up order as in Kea's d_controller: configuration (given), store, HTTP bound,
// scheduler, and only then READY=1.
//
// It owns
//   - the running configuration: a shared_ptr<const Config> swapped whole by Reload (a config
//     with errors never replaces the running one); keys that need a restart (store location,
//     <server>, <profile>) keep their running values and are named in a warning;
//   - the store, the publisher (publish/publisher.h) and its HTTP server, with the daemon's
//     own endpoints (daemon/web/web.h: /status, /healthz, /readyz, /metrics, /admin/) and the
//     metrics they report, fed by every request and every run;
//   - a harvest::Harvester per configuration (runs in progress finish on the one they started
//     with) and the lease-backed claims (harvest/lease_claims.h) shared by all runs;
//   - the Scheduler (daemon/scheduler.h) and one thread per running harvest, at most
//     <scheduler max-concurrent-runs> of them;
//   - the scheduler loop thread: starts due runs, stops runs past run-timeout, logs runs that
//     ignore their stop (the watchdog for stuck runs), and sends WATCHDOG=1 to systemd while
//     it is alive.
//
// Threads: Start, Shutdown and the destructor from one thread (serve's main thread, which
// waits for signals); every Control member from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>

#include "config/config.h"
#include "core/status.h"
#include "daemon/control.h"
#include "daemon/scheduler.h"
#include "daemon/web/web.h"
#include "harvest/harvest.h"
#include "harvest/lease_claims.h"
#include "publish/publisher.h"
#include "store/store.h"
#include "vocab/vocabulary.h"

namespace meabridge::daemon {

struct DaemonOptions {
  std::string config_file;          // "" = the embedded default (Reload re-reads it too)
  std::optional<std::string> bind;  // --bind: overrides <server bind>, on reload too
  std::optional<int> port;          // --port: overrides <server port> (0: any free port)
};

class Daemon final : public Control {
 public:
  Daemon(std::shared_ptr<const config::Config> config, DaemonOptions options);
  ~Daemon() override;
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Opens the store, binds the port, starts the scheduler, then sends READY=1. An error when
  // the store does not open or the port cannot be bound (nothing is left running then).
  Status Start();

  // SIGTERM/SIGINT: not ready, STOPPING=1, stop every run (nothing partial is committed),
  // stop accepting connections and let requests in flight finish, wait for the runs until
  // stop-timeout has passed since the call. False when runs were still going at the deadline
  // (each is logged); the caller then exits without destroying the daemon.
  bool Shutdown();

  int port() const;

  // ---- Control ----
  std::shared_ptr<const config::Config> config() const override;
  std::vector<SourceState> Sources() const override;
  Status StartHarvest(const std::string& source, bool full) override;
  Status Reload() override;
  bool Ready() const override { return ready_.load(); }

 private:
  struct RunThread {
    Job job;
    std::stop_source stop;
    std::jthread thread;
    std::atomic<bool> done{false};
    bool skipped_already_run = false;  // guarded by runs_mu_: the admission check refused it
  };

  std::vector<Scheduler::Entry> Entries(const config::Config& cfg);
  Scheduler::Limits LimitsOf(const config::Config& cfg) const;
  std::shared_ptr<const config::Config> ApplyOverrides(std::shared_ptr<const config::Config> cfg,
                                                       const config::Config* running) const;
  void Loop(std::stop_token stop);
  void Launch(const Job& job);
  void RunJob(std::shared_ptr<RunThread> run, std::shared_ptr<const harvest::Harvester> harvester);
  void Reap();
  void Wake();
  Status Admit(const std::string& source);
  void LeaseLost(const std::string& source);
  void SendStatus(std::string_view prefix = "");

  DaemonOptions options_;
  mutable std::mutex config_mu_;
  std::shared_ptr<const config::Config> config_;         // guarded by config_mu_
  std::shared_ptr<const harvest::Harvester> harvester_;  // guarded by config_mu_
  std::mutex reload_mu_;                                 // one reload at a time

  std::unique_ptr<store::Store> store_;
  std::unique_ptr<vocab::Vocabularies> vocabularies_;
  std::unique_ptr<web::Metrics> metrics_;  // before publisher_: it outlives the server
  std::unique_ptr<publish::Publisher> publisher_;
  std::unique_ptr<harvest::LeaseClaims> claims_;
  Scheduler scheduler_;

  mutable std::mutex runs_mu_;
  std::map<uint64_t, std::shared_ptr<RunThread>> runs_;  // guarded by runs_mu_
  std::string last_error_;                               // guarded by runs_mu_

  std::mutex wake_mu_;
  std::condition_variable_any wake_cv_;
  bool wake_ = false;  // guarded by wake_mu_
  std::jthread loop_;

  std::atomic<bool> ready_{false};
  std::atomic<bool> stopping_{false};
  std::string listening_;  // "http://127.0.0.1:8080/", set by Start
};

}  // namespace meabridge::daemon
