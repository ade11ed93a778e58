#include "publish/http/server.h"

#include <Poco/Net/SocketAddress.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <exception>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "core/hash.h"
#include "core/log.h"
#include "core/strings.h"
#include "publish/http/reactor.h"
#include "publish/http/request_parser.h"
#include "publish/http/response_cache.h"
#include "publish/http/wire.h"

namespace meabridge::publish::http {
namespace {

// Request bodies are read for routes that take other methods (the daemon's admin API).
constexpr int64_t kMaxRequestBody = 1 << 20;

std::string StatusLine(int status) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "HTTP/1.1 %d %s\r\n", status, ReasonPhrase(status));
  return buf;
}

bool ValidHost(std::string_view host) {
  if (host.empty() || host.size() > 255) return false;
  for (char c : host) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-' || c == ':' || c == '[' || c == ']' || c == '_';
    if (!ok) return false;
  }
  return true;
}

// Does the If-None-Match field list `etag` (weak comparison, as RFC 9110 asks for it)?
bool EtagListed(std::string_view field, std::string_view etag) {
  for (std::string& raw : core::Split(field, ',')) {
    std::string_view t = core::Trim(raw);
    if (t == "*") return true;
    if (t.size() >= 2 && t[0] == 'W' && t[1] == '/') t.remove_prefix(2);
    if (t.size() >= 2 && t.front() == '"' && t.back() == '"') t = t.substr(1, t.size() - 2);
    if (t == etag) return true;
  }
  return false;
}

class ExchangeImpl : public Exchange {
 public:
  ExchangeImpl(const Request& request, std::string rest)
      : request_(request), rest_(std::move(rest)) {}
  const Request& request() const override { return request_; }
  const std::string& rest() const override { return rest_; }
  store::ReadView& view() override {
    if (!view_)
      throw InternalError("a handler asked for the store snapshot of a route without one");
    return *view_;
  }
  int64_t max_seq() const override { return max_seq_; }

  std::unique_ptr<store::ReadView> view_;
  int64_t max_seq_ = 0;

 private:
  const Request& request_;
  std::string rest_;
};

}  // namespace

// Access log lines are handed to a writer thread: the log writes one line per call under a
// process-wide mutex, and with many request threads waiting on that mutex the slowest
// requests waited longest (p99 at 64 connections went from ~7 ms to ~18 ms). The lines still
// go through core/log.h, in order, one per request.
class AccessLog {
 public:
  AccessLog() : writer_([this] { Run(); }) {}
  ~AccessLog() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_one();
    writer_.join();
  }

  void Add(std::string line) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (lines_.size() >= kMaxQueued) {
        ++dropped_;
        return;
      }
      lines_.push_back(std::move(line));
    }
    cv_.notify_one();
  }

  // Returns once every line added before the call is written.
  void Flush() {
    std::unique_lock<std::mutex> lock(mu_);
    flushed_cv_.wait(lock, [this] { return lines_.empty() && !writing_; });
  }

 private:
  static constexpr size_t kMaxQueued = 1 << 16;

  void Run() {
    std::vector<std::string> batch;
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      cv_.wait(lock, [this] { return stop_ || !lines_.empty(); });
      if (lines_.empty() && stop_) return;
      batch.swap(lines_);
      uint64_t dropped = dropped_;
      dropped_ = 0;
      writing_ = true;
      lock.unlock();
      for (const std::string& line : batch) core::LogInfo(line);
      if (dropped > 0) {
        core::LogWarning("http: " + std::to_string(dropped) +
                         " access log lines dropped (the log could not keep up)");
      }
      batch.clear();
      lock.lock();
      writing_ = false;
      flushed_cv_.notify_all();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::condition_variable flushed_cv_;
  std::vector<std::string> lines_;  // GUARDED_BY(mu_)
  uint64_t dropped_ = 0;            // GUARDED_BY(mu_)
  bool writing_ = false;            // GUARDED_BY(mu_)
  bool stop_ = false;               // GUARDED_BY(mu_)
  std::thread writer_;              // last: started once the members above exist
};

struct Server::Impl {
  Impl(ServerOptions o, std::shared_ptr<const RouteRegistry> r, store::Store* s)
      : options(std::move(o)), routes(std::move(r)), store(s), cache(options.cache_bytes) {}

  ServerOptions options;
  std::shared_ptr<const RouteRegistry> routes;
  store::Store* store;
  ResponseCache cache;
  AccessLog access_log;
  std::unique_ptr<Reactor> reactor;
  int port = 0;
  std::atomic<int64_t> requests{0};
  std::atomic<int64_t> hits{0};

  // ---- one request ----

  struct Ctx {
    Request req;
    int fd = -1;
    bool keep_alive = true;
    bool gzip = false;
    const Route* route = nullptr;
    AccessRecord log;
    size_t head_bytes = 0;  // request line and header fields
  };

  // ---- requests on a connection (publish/http/reactor.h waits for them) ----

  std::atomic<bool> stopping{false};
  std::atomic<int64_t> last_refusal_log_ms{0};

  // A connection refused over a cap: one warning per 10 s at most, naming the cap.
  void NoteRefusal(const std::string& client, const char* cap) {
    const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now().time_since_epoch())
                            .count();
    int64_t last = last_refusal_log_ms.load(std::memory_order_relaxed);
    if (now - last < 10000 ||
        !last_refusal_log_ms.compare_exchange_strong(last, now, std::memory_order_relaxed)) {
      return;
    }
    core::LogWarning(std::string("http: refused a connection from ") + client + ": <server " +
                     cap + "> reached (answered 503; further refusals in the next 10 s are "
                     "not logged)");
  }

  size_t MaxHead() const {
    return static_cast<size_t>(options.max_header_size + options.max_url_length) + 1024;
  }

  // What the bytes a connection has sent call for: more bytes, or a worker.
  Readiness Ready(std::string_view buf) const {
    size_t end = FindHeadEnd(buf, 0);
    if (end == std::string::npos) return buf.size() > MaxHead() ? Readiness::kReady : Readiness::kWait;
    RequestHead head;
    if (!ParseRequestHead(buf.substr(0, end), &head).ok()) return Readiness::kReady;
    std::optional<int64_t> length = head.ContentLength();
    if (head.Header("transfer-encoding") != nullptr || (length && *length < 0) ||
        length.value_or(0) > kMaxRequestBody) {
      return Readiness::kReady;  // answered with an error at once
    }
    if (buf.size() >= end + static_cast<size_t>(length.value_or(0))) return Readiness::kReady;
    const std::string* expect = head.Header("expect");
    return expect && core::EqualsIgnoreCase(*expect, "100-continue") ? Readiness::kContinue
                                                                      : Readiness::kWait;
  }

  // Answers every whole request in `buf` (pipelined requests in order), erasing them; false
  // when the connection must be closed (an error that leaves the stream unreadable, or the
  // client or the server ending it).
  bool ServeBuffered(int fd, const std::string& client, std::string& buf) {
    while (!buf.empty()) {
      size_t end = FindHeadEnd(buf, 0);
      if (end == std::string::npos) {
        if (buf.size() <= MaxHead()) return true;  // the rest of the next request is to come
        Ctx c;
        c.fd = fd;
        c.req.client = client;
        c.keep_alive = false;
        size_t line = buf.find('\n');
        if (line == std::string::npos || line > static_cast<size_t>(options.max_url_length)) {
          Finish(c, HttpError{414, "URITooLong",
                              "the request target is over this server's limit of " +
                                  std::to_string(options.max_url_length) + " bytes",
                              ""});
        } else {
          Finish(c, HttpError{431, "RequestHeaderFieldsTooLarge",
                              "the request's header fields are over this server's limit of " +
                                  std::to_string(options.max_header_size) + " bytes",
                              ""});
        }
        return false;
      }
      Ctx c;
      c.fd = fd;
      c.req.client = client;
      RequestHead head;
      Status st = ParseRequestHead(std::string_view(buf).substr(0, end), &head);
      if (!st.ok()) {
        c.keep_alive = false;
        Finish(c, HttpError{400, "BadRequest", st.message(), ""});
        return false;
      }
      c.keep_alive = head.KeepAlive() && !stopping.load(std::memory_order_relaxed);
      c.req.method = std::move(head.method);
      c.req.target = std::move(head.target);
      c.head_bytes = end;
      std::optional<int64_t> length = head.ContentLength();
      bool chunked = head.Header("transfer-encoding") != nullptr;
      c.req.headers = std::move(head.headers);
      if (chunked || (length && *length < 0)) {
        c.keep_alive = false;
        Finish(c, HttpError{chunked ? 411 : 400, chunked ? "LengthRequired" : "BadRequest",
                            chunked ? "chunked request bodies are not accepted; send a "
                                      "Content-Length"
                                    : "malformed Content-Length",
                            ""});
        return false;
      }
      int64_t body_length = length.value_or(0);
      if (body_length > kMaxRequestBody) {
        c.keep_alive = false;
        Finish(c, HttpError{413, "ContentTooLarge", "request bodies are limited to 1 MB", ""});
        return false;
      }
      size_t need = end + static_cast<size_t>(body_length);
      if (buf.size() < need) return true;  // the body is still to come
      if (body_length > 0) c.req.body.assign(buf, end, static_cast<size_t>(body_length));
      Handle(c);
      buf.erase(0, need);
      if (!c.keep_alive) return false;
    }
    return true;
  }

  // Answers an error found before a request could be dispatched, and logs it.
  void Finish(Ctx& c, const HttpError& error) {
    auto t0 = std::chrono::steady_clock::now();
    c.log.method = &c.req.method;
    c.log.target = &c.req.target;
    c.log.client = &c.req.client;
    SendError(c, error);
    Account(c, t0);
  }

  void Handle(Ctx& c) {
    auto t0 = std::chrono::steady_clock::now();
    c.log.method = &c.req.method;
    c.log.target = &c.req.target;
    c.log.client = &c.req.client;
    try {
      Process(c);
    } catch (const std::exception& e) {
      core::LogError("http: internal error answering " + c.req.method + " " + c.req.target + ": " +
                     e.what());
      if (c.log.status == 0) SendError(c, HttpError{500, "InternalError", InternalMessage(), ""});
    } catch (...) {
      core::LogError("http: unknown exception answering " + c.req.method + " " + c.req.target);
      if (c.log.status == 0) SendError(c, HttpError{500, "InternalError", InternalMessage(), ""});
    }
    Account(c, t0);
  }

  void Account(Ctx& c, std::chrono::steady_clock::time_point t0) {
    requests.fetch_add(1, std::memory_order_relaxed);
    c.log.latency_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (c.route) c.log.route = c.route->name;
    if (options.access_log && core::GetLogLevel() >= core::LogLevel::kInfo) {
      char tail[128];
      std::snprintf(tail, sizeof tail, " %d %lluB %.2fms%s client=", c.log.status,
                    static_cast<unsigned long long>(c.log.bytes), c.log.latency_ms,
                    c.log.cache_hit ? " hit" : "");
      access_log.Add("http " + c.req.method + " " + core::Quote(c.req.target, 512) + tail +
                     c.req.client);
    }
    if (options.observer) options.observer(c.log);
  }

  static std::string InternalMessage() {
    return "internal error; the server log has the details. Please report it.";
  }

  void Process(Ctx& c) {
    size_t header_bytes =
        c.head_bytes > c.req.target.size() ? c.head_bytes - c.req.target.size() : 0;
    Request& req = c.req;
    if (static_cast<int64_t>(req.target.size()) > options.max_url_length) {
      return SendError(c, HttpError{414, "URITooLong",
                                    "the request target is " + std::to_string(req.target.size()) +
                                        " bytes, over this server's limit of " +
                                        std::to_string(options.max_url_length) +
                                        "; shorten the query (e.g. split a long $filter)",
                                    ""});
    }
    if (static_cast<int64_t>(header_bytes) > options.max_header_size) {
      return SendError(
          c, HttpError{431, "RequestHeaderFieldsTooLarge",
                       "the request's header fields total " + std::to_string(header_bytes) +
                           " bytes, over this server's limit of " +
                           std::to_string(options.max_header_size),
                       ""});
    }
    Status parsed = ParseTarget(req.target, &req);
    req.base_url = BaseUrl(req);
    auto match = routes->Find(parsed.ok() ? std::string_view(req.path) : std::string_view());
    c.route = match.route;
    if (!parsed.ok()) return SendError(c, HttpError{400, "BadRequest", parsed.message(), ""});
    if (!c.route) {
      return SendError(c, HttpError{404, "NotFound",
                                    "nothing is published at " + core::Quote(req.path) +
                                        "; the service documents are at /odata/v4/ and "
                                        "/informea.svc/ (see docs/publishing.md)",
                                    req.path});
    }
    const Route& route = *c.route;
    // Bodies were read off the connection already (Loop), so a refused request never leaves
    // bytes behind that would pass for the next request.
    if (req.method == "OPTIONS" && !route.all_methods) return SendPreflight(c);
    bool allowed = route.all_methods;
    for (const std::string& m : route.methods) allowed = allowed || m == req.method;
    if (!allowed) {
      return SendError(c,
                       HttpError{405, "MethodNotAllowed",
                                 req.method + " is not allowed on " + req.path +
                                     ": the published feeds are read-only (" + AllowOf(route) + ")",
                                 ""},
                       AllowOf(route));
    }
    ExchangeImpl ex(req, match.rest);
    bool is_get = req.method == "GET" || req.method == "HEAD";
    c.gzip = req.AcceptsGzip();
    std::string key;
    auto unavailable = [&](const Status& st) {
      core::LogError("http: cannot read the store for " + req.target + ": " + st.ToString());
      SendError(c, HttpError{503, "ServiceUnavailable",
                             "the store cannot be read right now; try again shortly", ""});
    };
    if (route.cache == CacheMode::kStore && !store) {
      throw InternalError("route " + route.name + " reads the store, but none is open");
    }
    if (route.cache == CacheMode::kStore) {
      // One snapshot per request: the cache key is its MaxSeq, and a miss renders from it.
      // (A probe shared by concurrent requests was tried and reverted: docs/publishing.md,
      // "Performance".)
      auto view = store->Read();
      Result<int64_t> max = view.ok() ? (*view)->MaxSeq() : Result<int64_t>(view.status());
      if (!max.ok()) return unavailable(max.status());
      ex.view_ = std::move(*view);
      ex.max_seq_ = *max;
    }
    if (is_get && route.cache != CacheMode::kNone) {
      key = CacheKey(req, route, ex.max_seq_);
      if (auto hit = cache.Find(key)) {
        c.log.cache_hit = true;
        hits.fetch_add(1, std::memory_order_relaxed);
        return SendCached(c, *hit);
      }
    }
    Response resp = route.handler(ex);
    // The snapshot is no longer needed once the body is rendered (streamed bodies keep it).
    if (!resp.stream) ex.view_.reset();
    if (resp.status != 200 || !is_get) {
      if (resp.status >= 400 && resp.body.empty() && !resp.stream) {
        return SendError(c, HttpError{resp.status, "Error", ReasonPhrase(resp.status), ""});
      }
      return SendPlain(c, resp);
    }
    if (resp.etag.empty()) {
      if (!resp.etag_seed.empty()) {
        resp.etag = EtagOf(CacheKey(req, route, -1) + "\n" + resp.etag_seed);
      } else {
        resp.etag = key.empty() ? core::ContentHash(resp.body).substr(0, 24) : EtagOf(key);
      }
    }
    if (resp.stream) {
      Status st = SendStream(c, resp);
      if (!st.ok()) c.keep_alive = false;
      return;
    }
    auto entry = std::make_shared<CachedResponse>();
    entry->status = 200;
    entry->etag = resp.etag;
    entry->last_modified = resp.last_modified;
    entry->headers = HeaderBlock(route, resp, resp.etag);
    entry->headers_gzip = HeaderBlock(route, resp, resp.etag + "-gz");
    entry->compressible = resp.body.size() >= 256;
    entry->body = std::move(resp.body);
    if (resp.cacheable && !key.empty()) cache.Insert(key, entry);
    SendCached(c, *entry);
  }

  std::string BaseUrl(const Request& req) const {
    if (!options.public_url.empty()) return options.public_url;
    const std::string* host = req.Header("host");
    if (host && ValidHost(*host)) return "http://" + *host + "/";
    return "http://" + options.bind + ":" + std::to_string(port) + "/";
  }

  // `max_seq` -1 leaves the store state out (for ETags seeded by the handler).
  std::string CacheKey(const Request& req, const Route& route, int64_t max_seq) const {
    std::string key;
    key.reserve(req.target.size() + 64);
    key += req.method == "HEAD" ? "GET" : req.method;
    key += ' ';
    key += req.target;
    key += '\n';
    key += req.base_url;
    for (const std::string& h : route.vary) {
      key += '\n';
      if (const std::string* v = req.Header(h)) key += *v;
    }
    if (route.cache == CacheMode::kStore && max_seq >= 0) {
      key += "\n#";
      key += std::to_string(max_seq);
    }
    return key;
  }

  std::string EtagOf(const std::string& key) const {
    return core::ContentHash(options.fingerprint + "\n" + key).substr(0, 24);
  }

  static std::string AllowOf(const Route& route) {
    std::string allow;
    bool options_listed = false;
    for (const std::string& m : route.methods) {
      allow += (allow.empty() ? "" : ", ") + m;
      options_listed = options_listed || m == "OPTIONS";
    }
    if (!options_listed) allow += ", OPTIONS";
    return allow;
  }

  std::string VaryOf(const Route& route) const {
    std::string vary = "Accept-Encoding";
    for (const std::string& h : route.vary) {
      vary += ", ";
      bool up = true;
      for (char ch : h) {
        vary += up ? static_cast<char>(std::toupper(static_cast<unsigned char>(ch))) : ch;
        up = ch == '-';
      }
    }
    return vary;
  }

  // Header lines common to 200 and 304 answers of a route.
  std::string HeaderBlock(const Route& route, const Response& resp, const std::string& etag) const {
    std::string h;
    h.reserve(256);
    if (!resp.content_type.empty()) h += "Content-Type: " + resp.content_type + "\r\n";
    if (!etag.empty()) h += "ETag: \"" + etag + "\"\r\n";
    if (resp.last_modified > 0)
      h += "Last-Modified: " + FormatHttpDate(resp.last_modified) + "\r\n";
    // kNone routes (probes, metrics, admin) describe this instant: never stored by caches.
    h += route.cache == CacheMode::kNone ? "Cache-Control: no-store\r\n"
                                         : "Cache-Control: public, no-cache\r\n";
    h += "Vary: " + VaryOf(route) + "\r\n";
    if (route.cors) {
      h += "Access-Control-Allow-Origin: *\r\n";
      h += "Access-Control-Expose-Headers: ETag, Last-Modified, OData-Version, Preference-Applied, "
           "DataServiceVersion\r\n";
    }
    for (const auto& [k, v] : resp.headers) h += k + ": " + v + "\r\n";
    return h;
  }

  // True (after answering 304) when the request's validators match.
  bool NotModified(Ctx& c, const CachedResponse& e, const std::string& headers) {
    const std::string* inm = c.req.Header("if-none-match");
    bool match = false;
    if (inm) {
      match = EtagListed(*inm, e.etag) || EtagListed(*inm, e.etag + "-gz");
    } else if (const std::string* ims = c.req.Header("if-modified-since");
               ims && e.last_modified > 0) {
      auto since = ParseHttpDate(*ims);
      match = since && e.last_modified / 1000 <= *since / 1000;
    }
    if (!match) return false;
    c.log.status = 304;
    std::string head = StatusLine(304) + "Date: " + std::string(CurrentHttpDate()) + "\r\n";
    std::string tail = Connection(c) + "\r\n";
    Status st = SendAll(c.fd, {head, headers, tail});
    if (!st.ok()) c.keep_alive = false;
    return true;
  }

  std::string Connection(const Ctx& c) const {
    return c.keep_alive ? "Connection: keep-alive\r\n" : "Connection: close\r\n";
  }

  void SendCached(Ctx& c, const CachedResponse& e) {
    bool gz = c.gzip && e.compressible;
    const std::string& headers = gz ? e.headers_gzip : e.headers;
    if (NotModified(c, e, headers)) return;
    const std::string& body = gz ? e.GzipBody() : e.body;
    char len[64];
    std::snprintf(len, sizeof len, "Content-Length: %zu\r\n", body.size());
    std::string_view status =
        e.status == 200 ? std::string_view("HTTP/1.1 200 OK\r\nDate: ") : std::string_view();
    std::string other_status;
    if (status.empty()) {
      other_status = StatusLine(e.status) + "Date: ";
      status = other_status;
    }
    bool head_only = c.req.IsHead();
    Status st = SendAll(c.fd, {status, CurrentHttpDate(), "\r\n", headers, len,
                               gz ? "Content-Encoding: gzip\r\n" : "", Connection(c), "\r\n",
                               head_only ? std::string_view() : std::string_view(body)});
    c.log.status = e.status;
    c.log.bytes = head_only ? 0 : body.size();
    if (!st.ok()) c.keep_alive = false;
  }

  // A response that is not cached: errors, redirects, 2xx of other methods.
  void SendPlain(Ctx& c, const Response& resp) {
    const Route* route = c.route;
    std::string headers;
    if (!resp.content_type.empty()) headers += "Content-Type: " + resp.content_type + "\r\n";
    headers += "Cache-Control: no-store\r\n";
    if (route && route->cors) headers += "Access-Control-Allow-Origin: *\r\n";
    for (const auto& [k, v] : resp.headers) headers += k + ": " + v + "\r\n";
    bool gz = c.gzip && resp.body.size() >= 1024;
    std::string gz_body;
    if (gz) gz_body = Gzip(resp.body);
    const std::string& body = gz ? gz_body : resp.body;
    bool no_body_status = resp.status == 204 || resp.status == 304;
    bool no_body = no_body_status || c.req.IsHead();
    std::string len =
        no_body_status ? "" : "Content-Length: " + std::to_string(body.size()) + "\r\n";
    std::string head = StatusLine(resp.status) + "Date: " + std::string(CurrentHttpDate()) + "\r\n";
    Status st = SendAll(c.fd, {head, headers, len, gz ? "Content-Encoding: gzip\r\n" : "",
                               Connection(c), "\r\n", no_body ? std::string_view() : body});
    c.log.status = resp.status;
    c.log.bytes = no_body ? 0 : body.size();
    if (!st.ok()) c.keep_alive = false;
  }

  Status SendStream(Ctx& c, const Response& resp) {
    CachedResponse e;
    e.etag = resp.etag;
    e.last_modified = resp.last_modified;
    bool gz = c.gzip;
    std::string headers = HeaderBlock(*c.route, resp, gz ? resp.etag + "-gz" : resp.etag);
    if (NotModified(c, e, headers)) return Status::Ok();
    c.log.status = 200;
    std::string head = StatusLine(200) + "Date: " + std::string(CurrentHttpDate()) + "\r\n";
    MB_RETURN_IF_ERROR(
        SendAll(c.fd, {head, headers, "Transfer-Encoding: chunked\r\n",
                       gz ? "Content-Encoding: gzip\r\n" : "", Connection(c), "\r\n"}));
    ChunkedWriter chunks(c.fd);
    if (c.req.IsHead()) return chunks.Finish();
    Status st;
    try {
      if (gz) {
        GzipWriter zip(chunks);
        st = resp.stream(zip);
        if (st.ok()) st = zip.Finish();
      } else {
        st = resp.stream(chunks);
      }
    } catch (const std::exception& ex) {
      st = Status::Internal(ex.what());
    }
    c.log.bytes = chunks.bytes_written();
    if (!st.ok()) {
      // The status line is gone already: end the connection so that the client sees a
      // truncated body, never a complete-looking one.
      if (st.code() != Status::Code::kIoError) {
        core::LogError("http: streaming " + c.req.target + " failed midway: " + st.ToString());
      }
      c.keep_alive = false;
      return st;
    }
    return chunks.Finish();
  }

  void SendPreflight(Ctx& c) {
    Response r;
    r.status = 204;
    std::string allow = AllowOf(*c.route);
    r.headers = {{"Allow", allow},
                 {"Access-Control-Allow-Methods", allow},
                 {"Access-Control-Max-Age", "86400"}};
    const std::string* req_headers = c.req.Header("access-control-request-headers");
    r.headers.emplace_back("Access-Control-Allow-Headers",
                           req_headers && ValidHeaderList(*req_headers)
                               ? *req_headers
                               : "Accept, Accept-Encoding, If-None-Match, If-Modified-Since, "
                                 "Prefer, OData-Version, OData-MaxVersion, Authorization");
    SendPlain(c, r);
  }

  static bool ValidHeaderList(std::string_view v) {
    if (v.size() > 1024) return false;
    for (char ch : v) {
      bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                ch == '-' || ch == ',' || ch == ' ' || ch == '_';
      if (!ok) return false;
    }
    return true;
  }

  void SendError(Ctx& c, const HttpError& err, const std::string& allow = "") {
    Response r;
    try {
      r = c.route && c.route->render_error ? c.route->render_error(err, c.req)
                                           : DefaultErrorResponse(err, c.req);
    } catch (const std::exception&) {
      r = DefaultErrorResponse(err, c.req);
    }
    r.status = err.status;
    if (!allow.empty()) r.headers.emplace_back("Allow", allow);
    SendPlain(c, r);
  }
};


Server::Server(ServerOptions options, std::shared_ptr<const RouteRegistry> routes,
               store::Store* store)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(routes), store)) {}

Server::~Server() { Stop(); }

Status Server::Start() {
  const ServerOptions& o = impl_->options;
  auto cannot = [&](const std::string& why) {
    return Status::Unavailable("cannot listen on " + o.bind + ":" + std::to_string(o.port) + ": " +
                               why +
                               "; stop what uses that port or choose another one in "
                               "<server bind=... port=...>");
  };
  int fd = -1;
  try {
    Poco::Net::SocketAddress addr(o.bind, static_cast<Poco::UInt16>(o.port));
    fd = ::socket(addr.af(), SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return cannot(std::strerror(errno));
    // SO_REUSEADDR (restart without waiting for TIME_WAIT) but not SO_REUSEPORT: a second
    // server on the same port must fail, not share it.
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, addr.addr(), addr.length()) != 0 || ::listen(fd, 1024) != 0) {
      std::string why = std::strerror(errno);
      ::close(fd);
      return cannot(why);
    }
    sockaddr_storage bound{};
    socklen_t len = sizeof bound;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
    impl_->port = ntohs(bound.ss_family == AF_INET6
                            ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                            : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  } catch (const Poco::Exception& e) {
    if (fd >= 0) ::close(fd);
    return cannot(e.displayText());
  }
  ReactorHandler handler;
  Server::Impl* impl = impl_.get();
  handler.ready = [impl](std::string_view buf) { return impl->Ready(buf); };
  handler.serve = [impl](int conn, const std::string& client, std::string& buf) {
    return impl->ServeBuffered(conn, client, buf);
  };
  handler.refused = [impl](const std::string& client, const char* cap) {
    impl->NoteRefusal(client, cap);
  };
  impl_->stopping = false;
  impl_->reactor = std::make_unique<Reactor>(o.connections, std::move(handler));
  MB_RETURN_IF_ERROR(impl_->reactor->Start(fd));
  core::LogInfo("http: listening on " + o.bind + ":" + std::to_string(impl_->port) + " with " +
                std::to_string(o.connections.workers) + " worker threads, up to " +
                std::to_string(impl_->reactor->max_connections()) + " connections");
  return Status::Ok();
}

int Server::port() const { return impl_->port; }

void Server::Stop() {
  if (!impl_ || !impl_->reactor) return;
  // Requests being answered finish (with Connection: close); idle connections are closed.
  impl_->stopping = true;
  impl_->reactor->Stop();
  impl_->reactor.reset();
  impl_->access_log.Flush();
}

Server::Stats Server::stats() const {
  Stats s;
  s.requests = impl_->requests.load();
  s.cache_hits = impl_->hits.load();
  auto cs = impl_->cache.stats();
  s.cache_entries = cs.entries;
  s.cache_bytes = cs.bytes;
  if (impl_->reactor) {
    Reactor::Stats r = impl_->reactor->stats();
    s.connections_open = r.open;
    s.connections_refused = r.refused;
    s.connections_timed_out = r.timed_out;
  }
  return s;
}

}  // namespace meabridge::publish::http
