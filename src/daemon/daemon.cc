#include "daemon/daemon.h"

#include <chrono>
#include <cstdio>

#include "core/log.h"
#include "core/strings.h"
#include "daemon/notify.h"
#include "harvest/config_check.h"

namespace meabridge::daemon {
namespace {

std::string JobName(const Job& job) {
  return "job " + std::to_string(job.id) + (job.requested ? " (requested)" : "");
}

std::string Plural(size_t n, const std::string& noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

std::string FormatSeconds(int64_t ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1fs", static_cast<double>(ms) / 1000.0);
  return buf;
}

// The keys a running daemon cannot change: the store and the HTTP server (its socket, pool,
// cache and publishing context are built once). Named in the reload warning.
std::vector<std::string> RestartOnlyChanges(const config::Config& a, const config::Config& b) {
  std::vector<std::string> out;
  auto check = [&](bool changed, const char* key) {
    if (changed) out.push_back(key);
  };
  check(a.store_location != b.store_location, "<store location>");
  check(a.server_bind != b.server_bind, "<server bind>");
  check(a.server_port != b.server_port, "<server port>");
  check(a.server_public_url != b.server_public_url, "<server public-url>");
  check(a.server_threads != b.server_threads, "<server threads>");
  check(a.server_queue != b.server_queue, "<server queue>");
  check(a.server_max_connections != b.server_max_connections, "<server max-connections>");
  check(a.server_max_connections_per_client != b.server_max_connections_per_client,
        "<server max-connections-per-client>");
  check(a.server_header_timeout_ms != b.server_header_timeout_ms, "<server header-timeout>");
  check(a.server_keep_alive_timeout_ms != b.server_keep_alive_timeout_ms,
        "<server keep-alive-timeout>");
  check(a.server_request_timeout_ms != b.server_request_timeout_ms, "<server request-timeout>");
  check(a.server_max_url_length != b.server_max_url_length, "<server max-url-length>");
  check(a.server_max_header_size != b.server_max_header_size, "<server max-header-size>");
  check(a.server_page_size != b.server_page_size, "<server page-size>");
  check(a.server_max_top != b.server_max_top, "<server max-top>");
  check(a.server_max_expand_depth != b.server_max_expand_depth, "<server max-expand-depth>");
  check(a.server_cache_bytes != b.server_cache_bytes, "<server cache-size>");
  check(a.server_access_log != b.server_access_log, "<server access-log>");
  check(a.server_link_secret_file != b.server_link_secret_file, "<server link-secret-file>");
  bool profiles = a.profiles.size() != b.profiles.size();
  for (size_t i = 0; !profiles && i < a.profiles.size(); ++i) {
    profiles =
        a.profiles[i].name != b.profiles[i].name || a.profiles[i].mapping != b.profiles[i].mapping;
  }
  check(profiles, "<profile>");
  return out;
}

void CopyRestartOnly(const config::Config& from, config::Config* to) {
  to->store_location = from.store_location;
  to->server_bind = from.server_bind;
  to->server_port = from.server_port;
  to->server_public_url = from.server_public_url;
  to->server_threads = from.server_threads;
  to->server_queue = from.server_queue;
  to->server_max_connections = from.server_max_connections;
  to->server_max_connections_per_client = from.server_max_connections_per_client;
  to->server_header_timeout_ms = from.server_header_timeout_ms;
  to->server_keep_alive_timeout_ms = from.server_keep_alive_timeout_ms;
  to->server_request_timeout_ms = from.server_request_timeout_ms;
  to->server_max_url_length = from.server_max_url_length;
  to->server_max_header_size = from.server_max_header_size;
  to->server_page_size = from.server_page_size;
  to->server_max_top = from.server_max_top;
  to->server_max_expand_depth = from.server_max_expand_depth;
  to->server_cache_bytes = from.server_cache_bytes;
  to->server_access_log = from.server_access_log;
  to->server_link_secret_file = from.server_link_secret_file;
  to->profiles = from.profiles;
}

}  // namespace

Daemon::Daemon(std::shared_ptr<const config::Config> config, DaemonOptions options)
    : options_(std::move(options)), scheduler_(core::SystemClock::Instance()) {
  config_ = ApplyOverrides(std::move(config), nullptr);
}

Daemon::~Daemon() {
  if (loop_.joinable() && !stopping_.load()) Shutdown();  // started, never shut down
  if (loop_.joinable()) {
    loop_.request_stop();
    Wake();
    loop_.join();
  }
  std::lock_guard lock(runs_mu_);
  runs_.clear();  // jthreads join (Shutdown waited for them or the caller exits instead)
}

std::shared_ptr<const config::Config> Daemon::ApplyOverrides(
    std::shared_ptr<const config::Config> cfg, const config::Config* running) const {
  auto out = std::make_shared<config::Config>(*cfg);
  if (options_.bind) out->server_bind = *options_.bind;
  if (options_.port) out->server_port = *options_.port;
  if (running) CopyRestartOnly(*running, out.get());
  return out;
}

std::shared_ptr<const config::Config> Daemon::config() const {
  std::lock_guard lock(config_mu_);
  return config_;
}

int Daemon::port() const { return publisher_ ? publisher_->port() : 0; }

std::vector<Scheduler::Entry> Daemon::Entries(const config::Config& cfg) {
  std::vector<Scheduler::Entry> out;
  std::unique_ptr<store::ReadView> view;
  if (store_) {
    if (auto v = store_->Read(); v.ok()) {
      view = std::move(*v);
    } else {
      core::LogWarning("serve: cannot read the last runs from the store (" + v.status().message() +
                       "); every source is treated as never harvested");
    }
  }
  for (const config::SourceConfig& s : cfg.sources) {
    Scheduler::Entry e;
    e.name = s.name;
    e.kind = s.kind;
    e.schedule = s.when;
    e.jitter_ms = s.jitter_ms;
    e.enabled = s.enabled;
    if (view) {
      // One indexed look-up per source (the newest run): start-up never scans records.
      auto runs = view->Runs(s.name, 1);
      if (runs.ok() && !runs->empty()) e.last_started = runs->front().started;
    }
    out.push_back(std::move(e));
  }
  return out;
}

Scheduler::Limits Daemon::LimitsOf(const config::Config& cfg) const {
  Scheduler::Limits l;
  l.max_concurrent = cfg.scheduler_max_concurrent_runs;
  l.run_timeout_ms = cfg.scheduler_run_timeout_ms;
  l.stop_timeout_ms = cfg.scheduler_stop_timeout_ms;
  return l;
}

Status Daemon::Start() {
  std::shared_ptr<const config::Config> cfg = config();
  core::SetLogLevel(cfg->log_level);
  auto opened = publish::OpenStoreForServing(*cfg);
  if (!opened.ok()) {
    return Status(opened.status())
        .WithContext("cannot open the store " + store::RedactStoreLocation(cfg->store_location));
  }
  store_ = std::move(*opened);
  if (auto v = vocab::Vocabularies::Load(); v.ok()) {
    vocabularies_ = std::move(*v);
  } else {
    core::LogWarning("serve: vocabularies unavailable, /vocab/ will answer 503: " +
                     v.status().message());
  }
  MB_ASSIGN_OR_RETURN(publisher_,
                      publish::Publisher::Create(*cfg, store_.get(), vocabularies_.get()));
  metrics_ = std::make_unique<web::Metrics>();
  publisher_->server_options().observer =
      [metrics = metrics_.get()](const publish::http::AccessRecord& record) {
        metrics->ObserveRequest(record);
      };
  web::WebDeps web_deps;
  web_deps.control = this;
  web_deps.store = store_.get();
  web_deps.metrics = metrics_.get();
  web_deps.publish = &publisher_->context();
  MB_RETURN_IF_ERROR(web::RegisterDaemonRoutes(publisher_->routes(), web_deps));
  MB_RETURN_IF_ERROR(publisher_->Start());
  listening_ = "http://" + cfg->server_bind + ":" + std::to_string(publisher_->port()) + "/";

  harvest::LeaseClaims::Options lo;
  lo.ttl_ms = cfg->scheduler_lease_ttl_ms;
  lo.admit = [this](const std::string& source) { return Admit(source); };
  lo.on_lost = [this](const std::string& source) { LeaseLost(source); };
  claims_ = std::make_unique<harvest::LeaseClaims>(*store_, std::move(lo));
  {
    harvest::HarvesterDeps deps;
    deps.claims = claims_.get();
    deps.vocabularies = vocabularies_.get();
    std::lock_guard lock(config_mu_);
    harvester_ = std::make_shared<harvest::Harvester>(config_, *store_, deps);
  }
  scheduler_.SetSources(Entries(*cfg), LimitsOf(*cfg));
  loop_ = std::jthread([this](std::stop_token stop) { Loop(stop); });

  ready_ = true;
  core::Log(core::LogLevel::kNotice,
            "serve: publishing " + store::RedactStoreLocation(cfg->store_location) + " on " +
                listening_ + " with " + Plural(cfg->sources.size(), "source") + " (" + cfg->file +
                "); node " + claims_->node_id());
  SendStatus("READY=1\n");
  return Status::Ok();
}

void Daemon::SendStatus(std::string_view prefix) {
  std::shared_ptr<const config::Config> cfg = config();
  std::string status = stopping_ ? "stopping" : "serving on " + listening_;
  status += ", " + Plural(cfg->sources.size(), "source") + ", " +
            std::to_string(scheduler_.running()) + " running";
  {
    std::lock_guard lock(runs_mu_);
    if (!last_error_.empty()) status += ", last error: " + last_error_;
  }
  for (char& c : status) {
    if (c == '\n') c = ' ';
  }
  Notify(std::string(prefix) + "STATUS=" + status);
}

void Daemon::Wake() {
  {
    std::lock_guard lock(wake_mu_);
    wake_ = true;
  }
  wake_cv_.notify_all();
}

void Daemon::Loop(std::stop_token stop) {
  const int64_t watchdog_ms = WatchdogPingIntervalMs();
  auto next_ping = std::chrono::steady_clock::now();
  while (!stop.stop_requested()) {
    Reap();
    for (const Job& job : scheduler_.TakeTimedOut()) {
      std::shared_ptr<const config::Config> cfg = config();
      core::LogRun(core::LogLevel::kWarning, job.source, 0,
                   "harvest " + JobName(job) + " passed the run timeout (" +
                       FormatSeconds(cfg->scheduler_run_timeout_ms) +
                       "); stopping it: it commits nothing and is recorded as aborted");
      std::lock_guard lock(runs_mu_);
      if (auto it = runs_.find(job.id); it != runs_.end()) it->second->stop.request_stop();
    }
    for (const Job& job : scheduler_.TakeStuck()) {
      core::LogRun(core::LogLevel::kError, job.source, 0,
                   "harvest " + JobName(job) + " ignores its stop request (" +
                       FormatSeconds(config()->scheduler_stop_timeout_ms) +
                       " since it was asked to stop); it keeps a run slot until it ends. This is "
                       "a bug: please report it with this log");
    }
    if (!stopping_) {
      for (const Job& job : scheduler_.TakeDue()) Launch(job);
    }
    if (watchdog_ms > 0 && std::chrono::steady_clock::now() >= next_ping) {
      Notify("WATCHDOG=1");
      next_ping = std::chrono::steady_clock::now() + std::chrono::milliseconds(watchdog_ms);
    }
    int64_t wait_ms = scheduler_.MsUntilNextEvent().value_or(60000);
    wait_ms = std::min<int64_t>(wait_ms, 60000);
    if (stopping_) wait_ms = std::max<int64_t>(wait_ms, 100);  // due sources no longer start
    if (watchdog_ms > 0) wait_ms = std::min(wait_ms, watchdog_ms);
    std::unique_lock lock(wake_mu_);
    wake_cv_.wait_for(lock, stop, std::chrono::milliseconds(std::max<int64_t>(wait_ms, 1)),
                      [this] { return wake_; });
    wake_ = false;
  }
}

void Daemon::Launch(const Job& job) {
  std::shared_ptr<const harvest::Harvester> harvester;
  {
    std::lock_guard lock(config_mu_);
    harvester = harvester_;
  }
  auto run = std::make_shared<RunThread>();
  run->job = job;
  std::lock_guard lock(runs_mu_);
  runs_[job.id] = run;
  run->thread = std::jthread([this, run, harvester] { RunJob(run, harvester); });
}

void Daemon::RunJob(std::shared_ptr<RunThread> run,
                    std::shared_ptr<const harvest::Harvester> harvester) {
  const Job& job = run->job;
  const config::SourceConfig* source = harvester->config().FindSource(job.source);
  if (source) {
    core::LogRun(core::LogLevel::kInfo, job.source, 0,
                 "harvest " + JobName(job) + " starts" +
                     (job.requested ? "" : " (schedule " + source->schedule + ")"));
    SendStatus();
    harvest::HarvestOptions options;
    options.full = job.full;
    options.stop = run->stop.get_token();
    auto t0 = std::chrono::steady_clock::now();
    harvest::RunReport report = harvester->Run(*source, options);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (report.claimed) metrics_->ObserveRun(report, seconds);
    bool skipped_already_run;
    {
      std::lock_guard lock(runs_mu_);
      skipped_already_run = run->skipped_already_run;
      // The last error stays in STATUS until the source it came from succeeds again.
      if (report.claimed && !report.ok()) {
        last_error_ = job.source + ": " + report.run.error;
      } else if (report.ok() && last_error_.rfind(job.source + ": ", 0) == 0) {
        last_error_.clear();
      }
    }
    if (!report.claimed) {
      core::LogRun(core::LogLevel::kInfo, job.source, 0,
                   "harvest " + JobName(job) + " skipped: " + report.run.error +
                       (skipped_already_run ? "" : "; it runs again at its next slot"));
    }  // the harvester logs the outcome of a run it made
  }
  scheduler_.Finished(job.id);
  run->done = true;
  SendStatus();
  Wake();
}

void Daemon::Reap() {
  std::vector<std::shared_ptr<RunThread>> done;
  {
    std::lock_guard lock(runs_mu_);
    for (auto it = runs_.begin(); it != runs_.end();) {
      if (it->second->done) {
        done.push_back(std::move(it->second));
        it = runs_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& r : done) {
    if (r->thread.joinable()) r->thread.join();
  }
}

Status Daemon::Admit(const std::string& source) {
  std::optional<core::EpochMs> slot;
  std::shared_ptr<RunThread> run;
  {
    std::lock_guard lock(runs_mu_);
    for (auto& [id, r] : runs_) {
      if (r->job.source == source && !r->done) run = r;
    }
  }
  if (!run || run->job.slot < 0) return Status::Ok();  // requested runs always go
  // Another node (or an earlier process) may have run this slot already: the store's newest
  // run of the source tells, read now that this node holds the lease.
  MB_ASSIGN_OR_RETURN(std::unique_ptr<store::ReadView> view, store_->Read());
  MB_ASSIGN_OR_RETURN(std::vector<store::RunRecord> runs, view->Runs(source, 1));
  if (!runs.empty() && runs.front().started >= run->job.slot) {
    {
      std::lock_guard lock(runs_mu_);
      run->skipped_already_run = true;
    }
    return Status::Aborted(
        "run " + std::to_string(runs.front().id) + " (started " +
        core::FormatDateTime(runs.front().started) + ") already covers this slot (" +
        (run->job.slot > 0 ? core::FormatDateTime(run->job.slot) : std::string("first harvest")) +
        "), probably on another node sharing the store");
  }
  return Status::Ok();
}

void Daemon::LeaseLost(const std::string& source) {
  std::lock_guard lock(runs_mu_);
  for (auto& [id, r] : runs_) {
    if (r->job.source == source && !r->done) r->stop.request_stop();
  }
}

std::vector<SourceState> Daemon::Sources() const { return scheduler_.Sources(); }

Status Daemon::StartHarvest(const std::string& source, bool full) {
  if (stopping_) return Status::Unavailable("meabridge is stopping; no new harvest starts");
  MB_RETURN_IF_ERROR(scheduler_.Request(source, full));
  core::LogRun(core::LogLevel::kInfo, source, 0,
               std::string("harvest requested") + (full ? " (full)" : ""));
  Wake();
  return Status::Ok();
}

Status Daemon::Reload() {
  std::lock_guard reload_lock(reload_mu_);
  if (stopping_) return Status::Unavailable("meabridge is stopping; not reloading");
  Notify("RELOADING=1\nSTATUS=reloading the configuration");
  const std::string file = options_.config_file;
  const std::string what = file.empty() ? "the embedded default configuration" : file;
  core::Log(core::LogLevel::kNotice, "reload: reading " + what);
  config::LoadResult loaded =
      file.empty() ? config::LoadDefaultConfig() : config::LoadConfigFile(file);
  std::vector<std::string> lines;
  for (const config::ConfigError& e : loaded.errors) lines.push_back(e.ToString());
  // The mappings, with the check `check-config` and every command make (harvest/config_check.h).
  if (loaded.config && vocabularies_) lines = harvest::CheckMappings(*loaded.config, *vocabularies_);
  if (!loaded.config || !lines.empty()) {
    for (const std::string& line : lines) core::LogError("reload refused: " + line);
    core::LogError("reload refused: " + std::to_string(lines.size()) + " error(s) in " + what +
                   "; the running configuration stays in force");
    {
      std::lock_guard lock(runs_mu_);
      last_error_ = "reload refused (" + std::to_string(lines.size()) + " errors, see the log)";
    }
    SendStatus("READY=1\n");
    return Status::InvalidArgument(core::Join(lines, "\n"));
  }
  std::shared_ptr<const config::Config> running = config();
  std::shared_ptr<const config::Config> fresh = ApplyOverrides(loaded.config, nullptr);
  std::vector<std::string> restart = RestartOnlyChanges(*running, *fresh);
  if (!restart.empty()) {
    core::LogWarning("reload: " + core::Join(restart, ", ") +
                     " changed; that takes a restart (systemctl restart meabridge): the running "
                     "values stay until then");
  }
  fresh = ApplyOverrides(loaded.config, running.get());
  core::SetLogLevel(fresh->log_level);
  int added = 0;
  int removed = 0;
  for (const config::SourceConfig& s : fresh->sources) added += running->FindSource(s.name) ? 0 : 1;
  for (const config::SourceConfig& s : running->sources)
    removed += fresh->FindSource(s.name) ? 0 : 1;
  {
    harvest::HarvesterDeps deps;
    deps.claims = claims_.get();
    deps.vocabularies = vocabularies_.get();
    auto harvester = std::make_shared<harvest::Harvester>(fresh, *store_, deps);
    std::lock_guard lock(config_mu_);
    config_ = fresh;
    harvester_ = std::move(harvester);
  }
  scheduler_.SetSources(Entries(*fresh), LimitsOf(*fresh));
  {
    std::lock_guard lock(runs_mu_);
    if (last_error_.rfind("reload refused", 0) == 0) last_error_.clear();
  }
  core::Log(core::LogLevel::kNotice,
            "reload: " + what + " in force: " + Plural(fresh->sources.size(), "source") + " (" +
                std::to_string(added) + " added, " + std::to_string(removed) + " removed)");
  SendStatus("READY=1\n");
  Wake();
  return Status::Ok();
}

bool Daemon::Shutdown() {
  if (stopping_.exchange(true)) return true;
  ready_ = false;
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(config()->scheduler_stop_timeout_ms);
  SendStatus("STOPPING=1\n");
  scheduler_.StopAll();
  int stopping_runs = 0;
  {
    std::lock_guard lock(runs_mu_);
    for (auto& [id, r] : runs_) {
      if (!r->done) {
        r->stop.request_stop();
        ++stopping_runs;
      }
    }
  }
  core::Log(core::LogLevel::kNotice,
            "serve: stopping: " + std::to_string(stopping_runs) +
                " harvest(s) asked to stop (nothing partial is committed), no new connections, "
                "requests in flight finish");
  if (publisher_) publisher_->Stop();
  // Wait for the runs until the deadline.
  bool all_done = false;
  while (true) {
    Reap();
    {
      std::lock_guard lock(runs_mu_);
      all_done = runs_.empty();
    }
    if (all_done || std::chrono::steady_clock::now() >= deadline) break;
    std::unique_lock lock(wake_mu_);
    wake_cv_.wait_for(lock, std::chrono::milliseconds(50), [this] { return wake_; });
    wake_ = false;
  }
  if (loop_.joinable()) {
    loop_.request_stop();
    Wake();
    loop_.join();
  }
  if (!all_done) {
    std::lock_guard lock(runs_mu_);
    for (auto& [id, r] : runs_) {
      core::LogRun(core::LogLevel::kError, r->job.source, 0,
                   "harvest " + JobName(r->job) + " did not stop within stop-timeout (" +
                       FormatSeconds(config()->scheduler_stop_timeout_ms) +
                       "); exiting anyway: its transaction is rolled back with the process");
    }
  }
  core::Log(core::LogLevel::kNotice, "serve: stopped");
  return all_done;
}

}  // namespace meabridge::daemon
