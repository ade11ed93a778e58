// Connections, apart from requests: one thread accepts connections and waits on every socket
// that is idle or still sending its request (epoll), and a fixed pool of worker threads
// answers requests that have arrived whole. A connection holds a worker only while a complete
// request is being answered, so idle keep-alive connections and clients that trickle their
// request in cost a file descriptor and a buffer, never a worker (issue 14: 700 idle
// connections used to fill the 128 workers and the queue, and every other client waited).
//
// Limits, each a <server> key (docs/configuration.md): how long a connection may stay idle
// between requests (keep-alive-timeout); how long a request may take to arrive from its first
// byte to its last (header-timeout); how many connections one client address may hold
// (max-connections-per-client) and all of them together (max-connections); how many complete
// requests may wait for a worker (queue). Over a cap, a new connection is answered 503 with
// Retry-After and closed at once.
//
// Why epoll and not Poco's SocketReactor: a connection here moves between the waiting thread
// and a worker and back, many times; SocketReactor runs its handlers on its own thread and has
// no way to hand a socket to another thread and take it back without removing and re-adding
// its observers, under its own lock. epoll with EPOLLONESHOT is that hand-off: a socket is
// armed only while the waiting thread owns it.
//
// Threads: Start and Stop from one thread; `Handler` is called on worker threads
// concurrently (never twice at once for one connection).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

namespace meabridge::publish::http {

struct ReactorOptions {
  int workers = 128;
  int queue = 512;                // complete requests waiting for a worker
  int max_connections = 10000;    // capped by the process's file descriptor limit
  int max_per_client = 256;       // connections from one client address
  int64_t idle_timeout_ms = 15000;
  int64_t header_timeout_ms = 10000;
  int64_t send_timeout_ms = 30000;
};

// What a connection's buffered bytes call for.
enum class Readiness {
  kWait,      // more bytes
  kContinue,  // more bytes (the body); the head asks for "100 Continue" first (RFC 9110 10.1.1)
  kReady,     // a worker: a whole request (head and body), or bytes known to be wrong already
};

// What the server does with a connection's bytes.
struct ReactorHandler {
  // What `buffered` (never empty) calls for. Called on the waiting thread: must be quick and
  // must not block.
  std::function<Readiness(std::string_view buffered)> ready;
  // Answers what `buffered` holds on the connected socket `fd` (blocking writes), erasing what
  // it consumed; returns false when the connection must be closed. Called on a worker.
  std::function<bool(int fd, const std::string& client, std::string& buffered)> serve;
  // Called on the waiting thread before a connection that arrives over a cap is closed, with
  // the cap's name: for the log.
  std::function<void(const std::string& client, const char* cap)> refused;
};

class Reactor {
 public:
  Reactor(ReactorOptions options, ReactorHandler handler);
  ~Reactor();  // stops
  Reactor(const Reactor&) = delete;
  Reactor& operator=(const Reactor&) = delete;

  // Takes over `listen_fd` (bound and listening) and starts the threads.
  Status Start(int listen_fd);
  // Stops accepting, lets requests being answered finish, closes every other connection, and
  // joins the threads.
  void Stop();

  struct Stats {
    int64_t open = 0;      // connections open now
    int64_t refused = 0;   // connections refused over a cap since Start
    int64_t timed_out = 0; // connections closed by a timeout since Start
  };
  Stats stats() const;
  // The effective max-connections (after the file descriptor limit).
  int max_connections() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace meabridge::publish::http
