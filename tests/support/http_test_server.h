// A small HTTP/1.1 server on 127.0.0.1 for tests, on raw sockets so that a test controls every
// byte: status, headers, body, and faults on demand (a delay before the response, a connection
// reset in the middle of the body, a body shorter than its Content-Length, no keep-alive).
//
// The handler runs on the connection's thread; it may be called from several threads at once
// (one per connection) and must be thread-safe. Requests are recorded for the test to check.
// The server stops (and joins its threads) when destroyed.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace meabridge::testing {

struct SeenRequest {
  std::string method;
  std::string target;                          // path and query as sent
  std::string path;                            // percent-decoded path
  std::map<std::string, std::string> query;    // decoded names and values
  std::map<std::string, std::string> headers;  // lower-case names
  std::string Header(const std::string& name) const;
};

struct Reply {
  int status = 200;
  std::string reason;  // "" = the usual reason phrase
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // Faults.
  int delay_ms = 0;                // sleep before sending anything (a slow server)
  int64_t reset_after = -1;        // send this many body bytes, then reset the connection (RST)
  int64_t truncate_after = -1;     // send this many body bytes, then close cleanly (FIN)
  bool close = false;              // close the connection after this reply
  bool no_content_length = false;  // end the body by closing the connection
  bool not_http = false;           // send `body` alone, no status line or headers, and close
                                   // (a server that does not speak HTTP on this port)

  Reply& Header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
  static Reply Json(std::string body, int status = 200);
  static Reply Status(int status, std::string body = "");
};

using Handler = std::function<Reply(const SeenRequest&)>;

class HttpTestServer {
 public:
  explicit HttpTestServer(Handler handler);
  ~HttpTestServer();
  HttpTestServer(const HttpTestServer&) = delete;
  HttpTestServer& operator=(const HttpTestServer&) = delete;

  int port() const { return port_; }
  // "http://127.0.0.1:PORT" + path.
  std::string Url(std::string_view path) const;
  void SetHandler(Handler handler);

  std::vector<SeenRequest> requests() const;
  size_t request_count() const;
  size_t connection_count() const { return connections_.load(); }
  void ClearRequests();

 private:
  void AcceptLoop();
  void Serve(int fd);
  Handler handler() const;

  int listen_fd_ = -1;
  int stop_pipe_[2] = {-1, -1};
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<size_t> connections_{0};
  mutable std::mutex mu_;
  Handler handler_;                    // guarded by mu_
  std::vector<SeenRequest> requests_;  // guarded by mu_
  std::vector<int> open_fds_;          // guarded by mu_
  std::vector<std::thread> threads_;   // guarded by mu_
  std::thread acceptor_;
};

// gzip-compresses `data` (for Content-Encoding: gzip replies).
std::string Gzip(std::string_view data);
// A gzip stream of `decoded_size` zero bytes, built without holding them in memory.
std::string GzipBomb(int64_t decoded_size);
// The usual reason phrase of a status.
const char* ReasonPhrase(int status);
// An HTTP date (IMF-fixdate) for `epoch_ms`.
std::string HttpDate(int64_t epoch_ms);

}  // namespace meabridge::testing
