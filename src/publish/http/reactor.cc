#include "publish/http/reactor.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/log.h"

namespace meabridge::publish::http {
namespace {

using SteadyClock = std::chrono::steady_clock;

// File descriptors kept for everything else the process opens (the store, log, spool files).
constexpr int kReservedFds = 128;
// How often the waiting thread looks for connections past their timeouts.
constexpr auto kSweepEvery = std::chrono::milliseconds(200);
// What one wake-up reads off a connection at most: a client that sends without pause is looked
// at (and answered, or refused over a limit) instead of being buffered without end.
constexpr size_t kMaxReadPerWake = 4 << 20;

constexpr std::string_view kRefusal =
    "HTTP/1.1 503 Service Unavailable\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Retry-After: 1\r\n"
    "Connection: close\r\n"
    "Content-Length: 52\r\n"
    "\r\n"
    "the server holds too many connections; retry shortly";

struct Conn {
  int fd = -1;
  std::string client;   // "address:port"
  std::string address;  // the client address, the key of the per-client cap
  std::string buf;      // bytes received and not yet answered
  // Waiting for a request: since the last answer (or the accept). Receiving one: since its
  // first byte. GUARDED_BY(Impl::mu) while a worker may touch it.
  SteadyClock::time_point since;
  bool in_worker = false;  // GUARDED_BY(Impl::mu)
  bool continued = false;  // "100 Continue" sent for the request being received
};

// Markers for the listening socket and the wake-up eventfd in epoll's data.ptr.
char listen_marker;
char wake_marker;

// The address and port of a connected peer.
void PeerOf(const sockaddr_storage& ss, std::string* address, std::string* client) {
  char text[INET6_ADDRSTRLEN] = "?";
  int port = 0;
  if (ss.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
    inet_ntop(AF_INET, &a->sin_addr, text, sizeof text);
    port = ntohs(a->sin_port);
    *address = text;
    *client = *address + ":" + std::to_string(port);
  } else if (ss.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
    inet_ntop(AF_INET6, &a->sin6_addr, text, sizeof text);
    port = ntohs(a->sin6_port);
    *address = text;
    *client = "[" + *address + "]:" + std::to_string(port);
  } else {
    *address = *client = "?";
  }
}

}  // namespace

struct Reactor::Impl {
  Impl(ReactorOptions o, ReactorHandler h) : options(o), handler(std::move(h)) {}

  ReactorOptions options;
  ReactorHandler handler;
  int max_connections = 0;
  int listen_fd = -1;
  int epoll_fd = -1;
  int wake_fd = -1;
  int reserve_fd = -1;  // given up to accept (and close) a connection when out of descriptors
  std::thread waiter;
  std::vector<std::thread> workers;

  std::mutex mu;
  std::condition_variable work_cv;
  std::deque<Conn*> ready;                          // GUARDED_BY(mu)
  std::unordered_set<Conn*> conns;                  // GUARDED_BY(mu): every open connection
  std::unordered_map<std::string, int> per_client;  // GUARDED_BY(mu)
  bool stopping = false;                            // GUARDED_BY(mu)

  std::atomic<int64_t> refused{0};
  std::atomic<int64_t> timed_out{0};

  // ---- the waiting thread ----

  void Wait() {
    std::vector<epoll_event> events(256);
    auto last_sweep = SteadyClock::now();
    while (true) {
      int n = epoll_wait(epoll_fd, events.data(), static_cast<int>(events.size()),
                         static_cast<int>(kSweepEvery.count()));
      {
        std::lock_guard lock(mu);
        if (stopping) break;
      }
      for (int i = 0; i < n; ++i) {
        void* p = events[static_cast<size_t>(i)].data.ptr;
        if (p == &listen_marker) {
          AcceptAll();
        } else if (p == &wake_marker) {
          uint64_t v;
          (void)!read(wake_fd, &v, sizeof v);
        } else {
          OnReadable(static_cast<Conn*>(p));
        }
      }
      auto now = SteadyClock::now();
      if (now - last_sweep >= kSweepEvery) {
        Sweep(now);
        last_sweep = now;
      }
    }
    // Stopping: no more connections; close those no worker holds.
    std::lock_guard lock(mu);
    for (auto it = conns.begin(); it != conns.end();) {
      Conn* c = *it;
      if (c->in_worker) {
        ++it;
        continue;
      }
      it = conns.erase(it);
      Forget(c);
    }
  }

  void AcceptAll() {
    while (true) {
      sockaddr_storage ss{};
      socklen_t len = sizeof ss;
      int fd = accept4(listen_fd, reinterpret_cast<sockaddr*>(&ss), &len, SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        if ((errno == EMFILE || errno == ENFILE) && reserve_fd >= 0) {
          // Out of descriptors: take the waiting connection with the reserve and close it,
          // so that the listening socket does not stay readable (and the loop spin).
          close(reserve_fd);
          int taken = accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
          if (taken >= 0) {
            (void)!send(taken, kRefusal.data(), kRefusal.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
            close(taken);
            refused.fetch_add(1, std::memory_order_relaxed);
          }
          reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
          continue;
        }
        return;  // EAGAIN: none left
      }
      auto* c = new Conn;
      c->fd = fd;
      PeerOf(ss, &c->address, &c->client);
      c->since = SteadyClock::now();
      const char* cap = nullptr;
      {
        std::lock_guard lock(mu);
        if (static_cast<int>(conns.size()) >= max_connections) {
          cap = "max-connections";
        } else if (per_client[c->address] >= options.max_per_client) {
          cap = "max-connections-per-client";
        } else {
          conns.insert(c);
          ++per_client[c->address];
        }
      }
      if (cap) {
        // Counted before the client can see the answer (a test, a metric read after it).
        refused.fetch_add(1, std::memory_order_relaxed);
        if (handler.refused) handler.refused(c->client, cap);
        (void)!send(fd, kRefusal.data(), kRefusal.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
        close(fd);
        std::lock_guard lock(mu);
        if (per_client[c->address] == 0) per_client.erase(c->address);
        delete c;
        continue;
      }
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      timeval tv{};
      tv.tv_sec = static_cast<time_t>(options.send_timeout_ms / 1000);
      tv.tv_usec = static_cast<suseconds_t>((options.send_timeout_ms % 1000) * 1000);
      setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
      epoll_event ev{};
      ev.events = EPOLLIN | EPOLLONESHOT;
      ev.data.ptr = c;
      if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev) != 0) {
        std::lock_guard lock(mu);
        conns.erase(c);
        Forget(c);
      }
    }
  }

  // A connection the waiting thread owns has bytes (or was closed by its peer).
  void OnReadable(Conn* c) {
    // The worker that armed `c` last wrote its buffer before releasing mu: taking mu orders
    // those writes before the reads below (epoll_ctl is no synchronisation to the language).
    { std::lock_guard lock(mu); }
    char chunk[16 * 1024];
    bool closed = false;
    while (true) {
      ssize_t n = recv(c->fd, chunk, sizeof chunk, MSG_DONTWAIT);
      if (n > 0) {
        if (c->buf.empty()) c->since = SteadyClock::now();
        c->buf.append(chunk, static_cast<size_t>(n));
        if (static_cast<size_t>(n) < sizeof chunk || c->buf.size() >= kMaxReadPerWake) break;
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      closed = true;  // the peer closed it, or it broke
      break;
    }
    if (closed) {
      std::lock_guard lock(mu);
      conns.erase(c);
      Forget(c);
      return;
    }
    const Readiness readiness = c->buf.empty() ? Readiness::kWait : handler.ready(c->buf);
    if (readiness == Readiness::kContinue && !c->continued) {
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      (void)!send(c->fd, kContinue.data(), kContinue.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
      c->continued = true;
    }
    if (readiness == Readiness::kReady) {
      std::unique_lock lock(mu);
      if (static_cast<int>(ready.size()) >= options.queue) {
        conns.erase(c);
        lock.unlock();
        refused.fetch_add(1, std::memory_order_relaxed);
        if (handler.refused) handler.refused(c->client, "queue");
        (void)!send(c->fd, kRefusal.data(), kRefusal.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
        lock.lock();
        Forget(c);
        return;
      }
      c->in_worker = true;
      ready.push_back(c);
      lock.unlock();
      work_cv.notify_one();
      return;
    }
    Arm(c);
  }

  void Sweep(SteadyClock::time_point now) {
    const auto idle = std::chrono::milliseconds(options.idle_timeout_ms);
    const auto header = std::chrono::milliseconds(options.header_timeout_ms);
    std::lock_guard lock(mu);
    for (auto it = conns.begin(); it != conns.end();) {
      Conn* c = *it;
      if (!c->in_worker && now - c->since > (c->buf.empty() ? idle : header)) {
        timed_out.fetch_add(1, std::memory_order_relaxed);  // before the client sees the close
        it = conns.erase(it);
        Forget(c);
      } else {
        ++it;
      }
    }
  }

  // ---- workers ----

  void Work() {
    while (true) {
      Conn* c = nullptr;
      {
        std::unique_lock lock(mu);
        work_cv.wait(lock, [this] { return stopping || !ready.empty(); });
        if (ready.empty()) return;  // stopping, and nothing left to answer
        c = ready.front();
        ready.pop_front();
      }
      bool keep = false;
      try {
        keep = handler.serve(c->fd, c->client, c->buf);
      } catch (const std::exception& e) {
        core::LogError(std::string("http: connection from ") + c->client + " failed: " + e.what());
      }
      std::unique_lock lock(mu);
      if (!keep || stopping) {
        conns.erase(c);
        Forget(c);
        continue;
      }
      c->in_worker = false;
      c->continued = false;
      c->since = SteadyClock::now();
      lock.unlock();
      Arm(c);
    }
  }

  // ---- shared ----

  // Hands `c` (owned by the caller) to the waiting thread: its next bytes wake it.
  void Arm(Conn* c) {
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLONESHOT;
    ev.data.ptr = c;
    if (epoll_ctl(epoll_fd, EPOLL_CTL_MOD, c->fd, &ev) != 0) {
      std::lock_guard lock(mu);
      conns.erase(c);
      Forget(c);
    }
  }

  // Closes and frees a connection already taken out of `conns`. REQUIRES: mu held.
  void Forget(Conn* c) {
    close(c->fd);  // also takes it out of epoll
    auto it = per_client.find(c->address);
    if (it != per_client.end() && --it->second <= 0) per_client.erase(it);
    delete c;
  }
};

Reactor::Reactor(ReactorOptions options, ReactorHandler handler)
    : impl_(std::make_unique<Impl>(options, std::move(handler))) {}

Reactor::~Reactor() { Stop(); }

Status Reactor::Start(int listen_fd) {
  Impl& m = *impl_;
  // Every connection is a file descriptor: raise the soft limit to the hard one, and keep
  // max-connections under it.
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
    if (rl.rlim_cur < rl.rlim_max) {
      rlimit raised = rl;
      raised.rlim_cur = rl.rlim_max;
      if (setrlimit(RLIMIT_NOFILE, &raised) == 0) rl = raised;
    }
  }
  m.max_connections = m.options.max_connections;
  if (rl.rlim_cur != RLIM_INFINITY &&
      static_cast<rlim_t>(m.max_connections + kReservedFds) > rl.rlim_cur) {
    m.max_connections = std::max(16, static_cast<int>(rl.rlim_cur) - kReservedFds);
    core::LogWarning("http: max-connections is " + std::to_string(m.max_connections) +
                     ", not " + std::to_string(m.options.max_connections) +
                     ": the process may open " + std::to_string(rl.rlim_cur) +
                     " files (raise LimitNOFILE in the systemd unit for more)");
  }
  m.listen_fd = listen_fd;
  int flags = fcntl(listen_fd, F_GETFL, 0);
  fcntl(listen_fd, F_SETFL, flags | O_NONBLOCK);
  m.epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  m.wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  m.reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (m.epoll_fd < 0 || m.wake_fd < 0) {
    return Status::Unavailable(std::string("cannot wait on connections: ") + std::strerror(errno));
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.ptr = &listen_marker;
  epoll_ctl(m.epoll_fd, EPOLL_CTL_ADD, listen_fd, &ev);
  ev.data.ptr = &wake_marker;
  epoll_ctl(m.epoll_fd, EPOLL_CTL_ADD, m.wake_fd, &ev);
  {
    std::lock_guard lock(m.mu);
    m.stopping = false;
  }
  for (int i = 0; i < m.options.workers; ++i) m.workers.emplace_back([&m] { m.Work(); });
  m.waiter = std::thread([&m] { m.Wait(); });
  return Status::Ok();
}

void Reactor::Stop() {
  Impl& m = *impl_;
  if (!m.waiter.joinable()) return;
  {
    std::lock_guard lock(m.mu);
    m.stopping = true;
  }
  uint64_t one = 1;
  (void)!write(m.wake_fd, &one, sizeof one);
  m.waiter.join();
  close(m.listen_fd);
  m.work_cv.notify_all();
  for (std::thread& t : m.workers) t.join();
  m.workers.clear();
  {
    std::lock_guard lock(m.mu);
    for (Conn* c : m.conns) m.Forget(c);
    m.conns.clear();
    m.ready.clear();
  }
  close(m.epoll_fd);
  close(m.wake_fd);
  if (m.reserve_fd >= 0) close(m.reserve_fd);
  m.listen_fd = m.epoll_fd = m.wake_fd = m.reserve_fd = -1;
}

Reactor::Stats Reactor::stats() const {
  Stats s;
  {
    std::lock_guard lock(impl_->mu);
    s.open = static_cast<int64_t>(impl_->conns.size());
  }
  s.refused = impl_->refused.load();
  s.timed_out = impl_->timed_out.load();
  return s;
}

int Reactor::max_connections() const { return impl_->max_connections; }

}  // namespace meabridge::publish::http
