// meabridge serve: a minimal daemon that opens the store and publishes it until SIGINT or
// SIGTERM. The daemon issue replaces it with the full lifecycle (scheduler, reload, systemd
// notification); this keeps the README's first command working meanwhile.
#include <pthread.h>
#include <signal.h>

#include <ostream>

#include "cli/common.h"
#include "core/log.h"
#include "core/strings.h"
#include "publish/publisher.h"
#include "vocab/vocabulary.h"

namespace meabridge::cli {
namespace {

constexpr const char* kUsage =
    "usage: meabridge serve [--config FILE] [--bind ADDRESS] [--port PORT]\n"
    "\n"
    "Publishes the store over HTTP (OData V4 at /odata/v4/, the InforMEA OData V2 dialect at\n"
    "/informea.svc/, Atom at /feeds/, JSON-LD at /ld/, CSV at /export/, vocabularies at\n"
    "/vocab/) until SIGINT or SIGTERM. Without --config it runs the embedded default: the\n"
    "SQLite store ./meabridge.db and http://127.0.0.1:8080/.\n"
    "\n"
    "options:\n"
    "  -c, --config FILE   the configuration file (default: the embedded default)\n"
    "  --bind ADDRESS      listen on ADDRESS instead of <server bind>\n"
    "  --port PORT         listen on PORT instead of <server port> (0: any free port)\n";

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
  auto config = std::make_shared<config::Config>(*cfg);
  if (args.Has("--bind")) config->server_bind = args.Get("--bind");
  if (args.Has("--port")) {
    auto port = core::ParseInt(args.Get("--port"));
    if (!port || *port < 0 || *port > 65535) {
      io.err << "meabridge serve: --port " << args.Get("--port")
             << " is not a port number (0-65535)\n";
      return kExitUsage;
    }
    config->server_port = static_cast<int>(*port);
  }
  auto opened = publish::OpenStoreForServing(*config);
  if (!opened.ok()) {
    io.err << "cannot open the store " << config->store_location << ": "
           << opened.status().message() << "\n";
    return kExitFailed;
  }
  std::unique_ptr<store::Store> store = std::move(*opened);
  std::unique_ptr<vocab::Vocabularies> vocabularies;
  if (auto v = vocab::Vocabularies::Load(); v.ok()) {
    vocabularies = std::move(*v);
  } else {
    core::LogWarning("serve: vocabularies unavailable, /vocab/ will answer 503: " +
                     v.status().message());
  }
  auto publisher = publish::Publisher::Create(*config, store.get(), vocabularies.get());
  if (!publisher.ok()) {
    io.err << "meabridge serve: " << publisher.status().message() << "\n";
    return kExitUsage;
  }
  // Block the stop signals before any thread starts, so that the workers inherit the mask and
  // only sigwait below receives them.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  Status st = (*publisher)->Start();
  if (!st.ok()) {
    io.err << "meabridge serve: " << st.message() << "\n";
    return kExitFailed;
  }
  core::Log(core::LogLevel::kNotice, "serve: publishing " + config->store_location + " on http://" +
                                         config->server_bind + ":" +
                                         std::to_string((*publisher)->port()) + "/");
  int sig = 0;
  sigwait(&stop, &sig);
  core::Log(core::LogLevel::kNotice,
            std::string("serve: ") + (sig == SIGTERM ? "SIGTERM" : "SIGINT") + ", stopping");
  (*publisher)->Stop();
  return kExitOk;
}

}  // namespace

void RegisterServe(std::vector<Command>& out) {
  out.push_back(Command{"serve", "run the daemon: publish feeds (harvest on schedule: later)",
                        kUsage, Serve});
}

}  // namespace meabridge::cli
