#include "publish/http/request_parser.h"

#include "core/strings.h"

namespace meabridge::publish::http {
namespace {

bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsTokenChar(c)) return false;
  }
  return true;
}

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

const std::string* RequestHead::Header(std::string_view lower_name) const {
  for (const auto& [k, v] : headers) {
    if (k == lower_name) return &v;
  }
  return nullptr;
}

bool RequestHead::KeepAlive() const {
  bool close = false;
  bool keep = false;
  for (const auto& [k, v] : headers) {
    if (k != "connection") continue;
    for (const std::string& opt : core::Split(v, ',')) {
      std::string o = core::AsciiLower(core::Trim(opt));
      close = close || o == "close";
      keep = keep || o == "keep-alive";
    }
  }
  if (close) return false;
  return minor_version >= 1 || keep;
}

std::optional<int64_t> RequestHead::ContentLength() const {
  std::optional<int64_t> length;
  for (const auto& [k, v] : headers) {
    if (k != "content-length") continue;
    std::string_view t = core::Trim(v);
    bool digits = !t.empty() && t.size() <= 18;
    for (char c : t) digits = digits && c >= '0' && c <= '9';
    if (!digits) return -1;
    int64_t n = *core::ParseInt(t);
    if (length && *length != n) return -1;
    length = n;
  }
  return length;
}

size_t FindHeadEnd(std::string_view buffer, size_t from) {
  size_t start = from >= 3 ? from - 3 : 0;
  for (size_t i = start; i < buffer.size(); ++i) {
    if (buffer[i] != '\n') continue;
    if (i + 1 < buffer.size() && buffer[i + 1] == '\n') return i + 2;
    if (i + 2 < buffer.size() && buffer[i + 1] == '\r' && buffer[i + 2] == '\n') return i + 3;
  }
  return std::string_view::npos;
}

Status ParseRequestHead(std::string_view head, RequestHead* out) {
  out->headers.clear();
  // Clients may send empty lines before a request (RFC 9112 2.2).
  while (!head.empty() && (head.front() == '\r' || head.front() == '\n')) head.remove_prefix(1);
  size_t eol = head.find('\n');
  std::string_view line = head.substr(0, eol);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  size_t sp1 = line.find(' ');
  size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
    return Status::InvalidArgument("malformed request line (expected: METHOD TARGET HTTP/1.1)");
  }
  std::string_view method = line.substr(0, sp1);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = line.substr(sp2 + 1);
  if (!IsToken(method)) return Status::InvalidArgument("malformed request method");
  if (target.empty()) return Status::InvalidArgument("empty request target");
  for (char c : target) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return Status::InvalidArgument("the request target holds a space or control character");
    }
  }
  if (version == "HTTP/1.1") {
    out->minor_version = 1;
  } else if (version == "HTTP/1.0") {
    out->minor_version = 0;
  } else {
    return Status::InvalidArgument("unsupported HTTP version (HTTP/1.0 and HTTP/1.1 are served)");
  }
  out->method = std::string(method);
  out->target = std::string(target);
  std::string_view rest = eol == std::string_view::npos ? std::string_view() : head.substr(eol + 1);
  while (!rest.empty()) {
    size_t e = rest.find('\n');
    std::string_view h = rest.substr(0, e);
    rest = e == std::string_view::npos ? std::string_view() : rest.substr(e + 1);
    if (!h.empty() && h.back() == '\r') h.remove_suffix(1);
    if (h.empty()) break;
    if (h.front() == ' ' || h.front() == '\t') {
      return Status::InvalidArgument("obsolete line folding in the request headers");
    }
    size_t colon = h.find(':');
    if (colon == std::string_view::npos || !IsToken(h.substr(0, colon))) {
      return Status::InvalidArgument("malformed request header line");
    }
    std::string_view value = TrimOws(h.substr(colon + 1));
    for (char c : value) {
      if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f) {
        return Status::InvalidArgument("a control character in a request header value");
      }
    }
    if (out->headers.size() >= kMaxHeaderFields) {
      return Status::InvalidArgument("more than " + std::to_string(kMaxHeaderFields) +
                                     " request header fields");
    }
    out->headers.emplace_back(core::AsciiLower(h.substr(0, colon)), std::string(value));
  }
  // RFC 9112 section 3.2: 400 for an HTTP/1.1 request without Host, and for any request with
  // more than one (two hosts are a cache-poisoning and smuggling vector).
  size_t hosts = 0;
  for (const auto& [name, value] : out->headers) hosts += name == "host" ? 1 : 0;
  if (hosts > 1) {
    return Status::InvalidArgument(
        "the request has " + std::to_string(hosts) +
        " Host header fields; send exactly one (RFC 9112 section 3.2)");
  }
  if (hosts == 0 && out->minor_version == 1) {
    return Status::InvalidArgument(
        "an HTTP/1.1 request needs a Host header field; send one (RFC 9112 section 3.2)");
  }
  return Status::Ok();
}

}  // namespace meabridge::publish::http
