// The HTTP server: connections are accepted and waited on by http/reactor.h (idle and slow
// clients hold no worker thread), requests are parsed by http/request_parser.h and answered
// by meabridge's own code (http/wire.h says why not Poco's HTTPServer).
//
// Per request, in this order: limits (414 for a long target, 431 for large headers), routing
// (404), methods (OPTIONS answers the CORS preflight; a method the route does not take answers
// 405 with Allow), one store snapshot (ReadView) for store-backed routes, the response cache
// keyed by (target, varying header fields, base URL, snapshot MaxSeq), the handler, then HTTP
// semantics: a strong ETag on every 200, 304 for a matching If-None-Match (or, without it, an
// If-Modified-Since not older than Last-Modified), Last-Modified, gzip when accepted, CORS,
// HEAD without a body, one access-log line with status, bytes and latency.
//
// A handler that throws answers 500 (with the exception logged, never sent), and the server
// keeps running; a handler never sees another request's snapshot.
//
// Threads: Start and Stop from one thread; requests run on the pool's threads concurrently, so
// the route registry is read-only by then and handlers must be thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/status.h"
#include "publish/http/reactor.h"
#include "publish/http/router.h"
#include "store/store.h"

namespace meabridge::publish::http {

// What the access log says about one request; also handed to the observer (the daemon's
// metrics).
struct AccessRecord {
  const std::string* method = nullptr;
  const std::string* target = nullptr;
  const std::string* client = nullptr;
  std::string route;  // "" when no route matched
  int status = 0;
  uint64_t bytes = 0;  // body bytes sent
  double latency_ms = 0;
  bool cache_hit = false;
};

struct ServerOptions {
  std::string bind = "127.0.0.1";
  int port = 8080;  // 0: an ephemeral port (tests); see Server::port()
  // Worker threads, the queue, the connection caps and the timeouts (<server threads=...,
  // queue=..., max-connections=..., keep-alive-timeout=..., header-timeout=...,
  // request-timeout=...>).
  ReactorOptions connections;
  int64_t max_url_length = 8192;
  int64_t max_header_size = 16384;
  int64_t cache_bytes = 64 << 20;
  bool access_log = true;
  // The base of every link ("https://data.example.org/"); "" builds it from the Host header.
  std::string public_url;
  // What else responses depend on (version, configuration, vocabularies): part of every ETag,
  // so that a new release or configuration never answers 304 for a changed representation.
  std::string fingerprint;
  // Called after every request (any thread); nullptr: none.
  std::function<void(const AccessRecord&)> observer;
};

class Server {
 public:
  // `store` may be nullptr when no route uses CacheMode::kStore. REQUIRES: `store` outlives
  // the server.
  Server(ServerOptions options, std::shared_ptr<const RouteRegistry> routes, store::Store* store);
  ~Server();  // stops
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts serving. Unavailable naming the address and what to do when the port
  // cannot be bound.
  Status Start();
  // The bound port (after Start).
  int port() const;
  // Stops accepting connections, lets requests in flight finish and closes idle connections.
  void Stop();

  struct Stats {
    int64_t requests = 0;
    int64_t cache_hits = 0;
    int64_t cache_entries = 0;
    int64_t cache_bytes = 0;
    int64_t connections_open = 0;
    int64_t connections_refused = 0;    // over a cap (http/reactor.h)
    int64_t connections_timed_out = 0;  // idle or slow past their timeout
  };
  Stats stats() const;

  struct Impl;  // opaque

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace meabridge::publish::http
