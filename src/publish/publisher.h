// The publisher: every published endpoint of DESIGN.md's "Published interface" on one HTTP
// server, built from the configuration.
//
//   Publisher::Create   builds the context (registry, vocabularies, limits, link signer,
//                       partner profiles) and registers every route family (publish/routes.cc)
//   routes()            the registry, for the daemon to add /status, /healthz, /readyz,
//                       /metrics and /admin/ before Start
//   Start / Stop        bind and serve; stop accepting, finish requests in flight
//
// Threads: Create, routes(), Start and Stop from one thread; requests are served on the
// server's pool.
#pragma once

#include <memory>
#include <string>

#include "config/config.h"
#include "core/status.h"
#include "publish/context.h"
#include "publish/http/router.h"
#include "publish/http/server.h"
#include "store/store.h"

namespace meabridge::vocab {
class Vocabularies;
}

namespace meabridge::publish {

class Publisher {
 public:
  // REQUIRES: `store` and `vocabularies` outlive the publisher; `vocabularies` may be nullptr
  // (then /vocab/ answers 503 and profiles whose mappings need vocabularies fail to load).
  // Errors: a link secret file that cannot be read, a profile mapping that does not load.
  static Result<std::unique_ptr<Publisher>> Create(const config::Config& config,
                                                   store::Store* store,
                                                   const vocab::Vocabularies* vocabularies);

  // The routes; add more before Start. REQUIRES: not started.
  http::RouteRegistry& routes() { return *routes_; }
  const Context& context() const { return *context_; }

  Status Start();
  int port() const;  // the bound port, after Start
  void Stop();
  http::Server::Stats stats() const;

  // Options given to the server; `observer` may be set before Start (the daemon's metrics).
  http::ServerOptions& server_options() { return server_options_; }

 private:
  Publisher() = default;

  store::Store* store_ = nullptr;
  std::shared_ptr<const Context> context_;
  std::shared_ptr<http::RouteRegistry> routes_;
  http::ServerOptions server_options_;
  std::unique_ptr<http::Server> server_;
};

// Registers every public route family (OData V4, the InforMEA V2 dialect, Atom, JSON-LD, CSV,
// vocabularies, partner profiles) into `routes`: the one place that lists them.
Status RegisterPublicRoutes(http::RouteRegistry& routes, std::shared_ptr<const Context> context);

// Opens the configured store tuned for serving many concurrent readers: for SQLite, a pool of
// read connections as large as the worker thread count (the store keeps 8 idle ones by
// default, so a busier server would open and close connections per request) and SQLite's
// allocation statistics turned off (they take one process-wide mutex per allocation, the
// server's main contention point under load: docs/publishing.md, "Performance"). Other
// backends open as store::OpenStore does. Call it before anything else opens SQLite.
Result<std::unique_ptr<store::Store>> OpenStoreForServing(const config::Config& config);

// Context and server options from the configuration (used by Create, and by tests that build
// a server of their own).
http::ServerOptions ServerOptionsFrom(const config::Config& config);
PublishOptions PublishOptionsFrom(const config::Config& config);

}  // namespace meabridge::publish
