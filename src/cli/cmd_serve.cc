// meabridge serve: the daemon (daemon/daemon.h, docs/daemon.md). This file parses the
// arguments, loads the configuration, and then is the signal-waiting main thread: SIGHUP
// reloads, SIGTERM and SIGINT stop.
#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <ostream>

#include "cli/common.h"
#include "core/log.h"
#include "core/strings.h"
#include "daemon/daemon.h"

namespace meabridge::cli {
namespace {

constexpr const char* kUsage =
    "usage: meabridge serve [--config FILE] [--bind ADDRESS] [--port PORT]\n"
    "\n"
    "Runs the daemon: publishes the store over HTTP (OData V4 at /odata/v4/, the InforMEA\n"
    "OData V2 dialect at /informea.svc/, Atom at /feeds/, JSON-LD at /ld/, CSV at /export/,\n"
    "vocabularies at /vocab/, /status, /healthz, /readyz, /metrics, and /admin/ when a token\n"
    "file is configured) and harvests every enabled source on its schedule: \"every 6h\", a\n"
    "cron expression in UTC such as \"0 3 * * *\", or \"manual\". A source never harvested, or\n"
    "one whose slot passed while meabridge was down, runs at start.\n"
    "\n"
    "Without --config it runs the embedded default (check-config --print-default shows it):\n"
    "the SQLite store ./meabridge.db in the working directory, the bundled demo sources and\n"
    "http://127.0.0.1:8080/.\n"
    "\n"
    "Signals: SIGHUP re-reads the configuration file (a file with errors is refused, logged,\n"
    "and the running configuration stays); SIGTERM or SIGINT stop: running harvests stop and\n"
    "commit nothing, requests in flight finish, exit 0 within <scheduler stop-timeout>.\n"
    "Under systemd (Type=notify) it sends READY=1 once the store is open and the port bound,\n"
    "STATUS= lines, and WATCHDOG=1 when WatchdogSec= is set.\n"
    "\n"
    "options:\n"
    "  -c, --config FILE   the configuration file (default: the embedded default)\n"
    "  --bind ADDRESS      listen on ADDRESS instead of <server bind>\n"
    "  --port PORT         listen on PORT instead of <server port> (0: any free port)\n"
    "\n"
    "exit status: 0 stopped by a signal; 1 the store did not open or the port could not be\n"
    "             bound; 2 bad usage or a bad configuration.\n"
    "\n"
    "docs/daemon.md describes schedules, concurrency and timeouts, reloads, systemd and\n"
    "several nodes sharing one store.\n";

int Serve(const std::vector<std::string>& argv, Io& io) {
  Args args;
  if (!ParseArgsOrReport(
          "serve", argv,
          {ConfigFlag(), FlagSpec{"--bind", "", true, false}, FlagSpec{"--port", "", true, false}},
          io, &args)) {
    return kExitUsage;
  }
  auto cfg = LoadConfigOrReport(args, io);
  if (!cfg) return kExitUsage;
  daemon::DaemonOptions options;
  options.config_file = args.Has("--config") ? args.Get("--config") : "";
  if (args.Has("--bind")) options.bind = args.Get("--bind");
  if (args.Has("--port")) {
    auto port = core::ParseInt(args.Get("--port"));
    if (!port || *port < 0 || *port > 65535) {
      io.err << "meabridge serve: --port " << args.Get("--port")
             << " is not a port number (0-65535)\n";
      return kExitUsage;
    }
    options.port = static_cast<int>(*port);
  }
  // Block the signals before any thread starts, so that every thread inherits the mask and
  // only sigwait below receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto d = std::make_unique<daemon::Daemon>(cfg, options);
  Status st = d->Start();
  if (!st.ok()) {
    io.err << "meabridge serve: " << st.message() << "\n";
    return kExitFailed;
  }
  while (true) {
    int sig = 0;
    if (sigwait(&signals, &sig) != 0) continue;
    if (sig == SIGHUP) {
      core::Log(core::LogLevel::kNotice, "serve: SIGHUP, reloading the configuration");
      (void)d->Reload();  // errors are logged; the running configuration stays
      continue;
    }
    core::Log(core::LogLevel::kNotice,
              std::string("serve: ") + (sig == SIGTERM ? "SIGTERM" : "SIGINT") + ", stopping");
    break;
  }
  if (!d->Shutdown()) {
    // A harvest ignored its stop: leave without joining it. Its uncommitted transaction ends
    // with the process (the store commits nothing partial).
    std::fflush(nullptr);
    std::_Exit(kExitOk);
  }
  d.reset();
  return kExitOk;
}

}  // namespace

void RegisterServe(std::vector<Command>& out) {
  out.push_back(Command{"serve", "run the daemon: publish feeds and harvest sources on schedule",
                        kUsage, Serve});
}

}  // namespace meabridge::cli
