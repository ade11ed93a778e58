#include "support/http_test_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <Poco/DeflatingStream.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <sstream>
#include <stdexcept>

namespace meabridge::testing {
namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else if (s[i] == '+') {
      out += ' ';
    } else {
      out += s[i];
    }
  }
  return out;
}

bool SendAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

void Reset(int fd) {
  struct linger l = {1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  ::close(fd);
}

}  // namespace

std::string SeenRequest::Header(const std::string& name) const {
  auto it = headers.find(Lower(name));
  return it == headers.end() ? "" : it->second;
}

Reply Reply::Json(std::string body, int status) {
  Reply r;
  r.status = status;
  r.body = std::move(body);
  r.headers.emplace_back("Content-Type", "application/json");
  return r;
}

Reply Reply::Status(int status, std::string body) {
  Reply r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

const char* ReasonPhrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 410:
      return "Gone";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

std::string HttpDate(int64_t epoch_ms) {
  std::time_t t = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

std::string Gzip(std::string_view data) {
  std::ostringstream out;
  {
    Poco::DeflatingOutputStream z(out, Poco::DeflatingStreamBuf::STREAM_GZIP, 6);
    z.write(data.data(), static_cast<std::streamsize>(data.size()));
    z.close();
  }
  return out.str();
}

std::string GzipBomb(int64_t decoded_size) {
  std::ostringstream out;
  {
    Poco::DeflatingOutputStream z(out, Poco::DeflatingStreamBuf::STREAM_GZIP, 9);
    std::string zeros(1 << 20, '\0');
    for (int64_t left = decoded_size; left > 0;) {
      int64_t n = std::min<int64_t>(left, static_cast<int64_t>(zeros.size()));
      z.write(zeros.data(), static_cast<std::streamsize>(n));
      left -= n;
    }
    z.close();
  }
  return out.str();
}

HttpTestServer::HttpTestServer(Handler handler) : handler_(std::move(handler)) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) throw std::runtime_error("socket failed");
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 128) != 0) {
    throw std::runtime_error(std::string("bind/listen failed: ") + std::strerror(errno));
  }
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  if (::pipe2(stop_pipe_, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

HttpTestServer::~HttpTestServer() {
  stopping_ = true;
  char c = 'x';
  (void)!::write(stop_pipe_[1], &c, 1);
  acceptor_.join();
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mu_);
    for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
    threads = std::move(threads_);
  }
  for (std::thread& t : threads) t.join();
  ::close(listen_fd_);
  ::close(stop_pipe_[0]);
  ::close(stop_pipe_[1]);
}

std::string HttpTestServer::Url(std::string_view path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
}

void HttpTestServer::SetHandler(Handler handler) {
  std::lock_guard lock(mu_);
  handler_ = std::move(handler);
}

Handler HttpTestServer::handler() const {
  std::lock_guard lock(mu_);
  return handler_;
}

std::vector<SeenRequest> HttpTestServer::requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

size_t HttpTestServer::request_count() const {
  std::lock_guard lock(mu_);
  return requests_.size();
}

void HttpTestServer::ClearRequests() {
  std::lock_guard lock(mu_);
  requests_.clear();
}

void HttpTestServer::AcceptLoop() {
  for (;;) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents || stopping_) return;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ++connections_;
    std::lock_guard lock(mu_);
    open_fds_.push_back(fd);
    threads_.emplace_back([this, fd] { Serve(fd); });
  }
}

void HttpTestServer::Serve(int fd) {
  std::string buf;
  bool fd_open = true;
  auto forget = [&] {
    std::lock_guard lock(mu_);
    open_fds_.erase(std::remove(open_fds_.begin(), open_fds_.end(), fd), open_fds_.end());
  };
  for (;;) {
    size_t end;
    while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
      char chunk[8192];
      ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n <= 0) {
        forget();
        ::close(fd);
        return;
      }
      buf.append(chunk, static_cast<size_t>(n));
    }
    std::string head = buf.substr(0, end);
    buf.erase(0, end + 4);
    SeenRequest req;
    std::istringstream lines(head);
    std::string line;
    std::getline(lines, line);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::istringstream first(line);
    first >> req.method >> req.target;
    while (std::getline(lines, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      req.headers[Lower(line.substr(0, colon))] = value;
    }
    size_t q = req.target.find('?');
    req.path = Decode(req.target.substr(0, q));
    if (q != std::string::npos) {
      std::string query = req.target.substr(q + 1);
      std::istringstream parts(query);
      std::string kv;
      while (std::getline(parts, kv, '&')) {
        size_t eq = kv.find('=');
        req.query[Decode(kv.substr(0, eq))] =
            eq == std::string::npos ? "" : Decode(kv.substr(eq + 1));
      }
    }
    {
      std::lock_guard lock(mu_);
      requests_.push_back(req);
    }
    Handler h = handler();
    Reply reply = h ? h(req) : Reply::Status(500, "no handler");
    if (reply.delay_ms > 0) {
      pollfd p = {stop_pipe_[0], POLLIN, 0};
      ::poll(&p, 1, reply.delay_ms);
      if (stopping_) break;
    }
    if (reply.not_http) {
      SendAll(fd, reply.body.data(), reply.body.size());
      break;
    }
    std::string out = "HTTP/1.1 " + std::to_string(reply.status) + " " +
                      (reply.reason.empty() ? ReasonPhrase(reply.status) : reply.reason) + "\r\n";
    bool has_date = false;
    for (const auto& [k, v] : reply.headers) {
      out += k + ": " + v + "\r\n";
      has_date = has_date || Lower(k) == "date";
    }
    if (!has_date) {
      out += "Date: " +
             HttpDate(std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count()) +
             "\r\n";
    }
    const bool bodyless = reply.status == 304 || reply.status == 204 || req.method == "HEAD";
    if (!reply.no_content_length && !bodyless) {
      out += "Content-Length: " + std::to_string(reply.body.size()) + "\r\n";
    }
    bool close_after =
        reply.close || reply.no_content_length || Lower(req.Header("connection")) == "close";
    if (close_after) out += "Connection: close\r\n";
    out += "\r\n";
    if (!SendAll(fd, out.data(), out.size())) break;
    if (!bodyless) {
      size_t send = reply.body.size();
      if (reply.reset_after >= 0)
        send = std::min<size_t>(send, static_cast<size_t>(reply.reset_after));
      if (reply.truncate_after >= 0) {
        send = std::min<size_t>(send, static_cast<size_t>(reply.truncate_after));
      }
      if (!SendAll(fd, reply.body.data(), send)) break;
      if (reply.reset_after >= 0) {
        forget();
        Reset(fd);
        fd_open = false;
        break;
      }
      if (reply.truncate_after >= 0) break;
    }
    if (close_after) break;
  }
  if (fd_open) {
    forget();
    ::shutdown(fd, SHUT_WR);
    ::close(fd);
  }
}

}  // namespace meabridge::testing
