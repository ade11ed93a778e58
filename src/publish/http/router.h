// The route registry: which handler answers which path, with which methods, and how its
// responses are cached. Each family of endpoints exposes `Register(RouteRegistry&, ...)`
// (odata_v4/, odata_v2/, atom/, jsonld/, csv/, vocab_json/, profiles/) and publish/routes.cc
// calls them all in one place (STYLE.md: plugins register explicitly). The daemon adds its own
// routes (/status, /healthz, /readyz, /metrics, /admin/) to the same registry before the
// server starts.
//
// A RouteRegistry is filled before the server starts and only read afterwards: reading it is
// thread-safe; Add is not.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "publish/http/request.h"
#include "publish/http/response.h"
#include "store/store.h"

namespace meabridge::publish::http {

// The request being answered, with its one store snapshot: everything a handler reads from
// the store goes through view(), so one response never mixes two harvest runs.
class Exchange {
 public:
  virtual ~Exchange() = default;
  virtual const Request& request() const = 0;
  // The part of the path after the route's prefix ("" for an exact route).
  virtual const std::string& rest() const = 0;
  // REQUIRES: the route's cache mode is kStore (the server opened the snapshot).
  virtual store::ReadView& view() = 0;
  // The snapshot's highest change sequence number (0 for routes without a snapshot).
  virtual int64_t max_seq() const = 0;
};

// How the server caches a route's 200 responses and derives their ETags.
enum class CacheMode {
  kStore,   // a function of the request and the store's state: keyed by the snapshot's MaxSeq
  kStatic,  // a function of the request and the configuration only ($metadata, /vocab/)
  kNone,    // never cached (probes, metrics, admin); ETags come from the body
};

// A failure the server itself answers (unknown path, method not allowed, request too large,
// a handler that threw): each route family renders it in its own error format.
struct HttpError {
  int status = 500;
  std::string code;     // "NotFound", "MethodNotAllowed", ...
  std::string message;  // what, where, what to do
  std::string target;   // the offending part of the request, when one is known
};
using ErrorRenderer = std::function<Response(const HttpError&, const Request&)>;

using Handler = std::function<Response(Exchange&)>;

struct Route {
  std::string name;  // for logs: "odata-v4", "atom"
  // An exact path ("/odata/v4/$metadata"), or a prefix when `prefix` is set ("/odata/v4/");
  // the longest matching prefix wins and an exact match beats every prefix.
  std::string path;
  bool prefix = false;
  // Methods the route answers; OPTIONS (CORS preflight) is answered by the server for every
  // route. Other methods on the route's paths answer 405 with Allow.
  std::vector<std::string> methods = {"GET", "HEAD"};
  // Every method, OPTIONS included, goes to the handler, which answers it (`methods` is then
  // not consulted, and the server answers no preflight): the admin API, which must answer 404
  // to everything while it is off and nothing without a token while it is on.
  bool all_methods = false;
  CacheMode cache = CacheMode::kStore;
  // Request header fields (lower-case) that select a different representation, e.g.
  // "accept", "prefer"; they take part in the cache key and the Vary header.
  std::vector<std::string> vary;
  bool cors = true;  // Access-Control-Allow-Origin: * on GET/HEAD responses
  Handler handler;
  ErrorRenderer render_error;  // nullptr: the default JSON error body
};

class RouteRegistry {
 public:
  // REQUIRES: no route with the same path and prefix flag registered yet (InvalidArgument
  // otherwise: two families claiming one path is a wiring bug the caller reports).
  Status Add(Route route);

  struct Match {
    const Route* route = nullptr;
    std::string rest;
  };
  // The route for `path`; route nullptr when none.
  Match Find(std::string_view path) const;

  const std::vector<std::unique_ptr<Route>>& routes() const { return routes_; }

 private:
  std::vector<std::unique_ptr<Route>> routes_;
};

// The error body used when a route has no renderer of its own:
// {"error":{"code":"...","message":"...","target":"..."}}
Response DefaultErrorResponse(const HttpError& error, const Request& request);

}  // namespace meabridge::publish::http
