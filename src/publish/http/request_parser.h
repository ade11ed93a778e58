// Parsing of an HTTP/1.x request head (RFC 9112): the request line and the header fields, as
// the server's connection loop reads them off the socket (http/server.cc says why the server
// reads requests itself).
//
// Strict where laxness would be a risk: the method is a token, the target has no spaces or
// control characters, the version is HTTP/1.0 or HTTP/1.1, header names are tokens, obsolete
// line folding and a space before the colon are refused, at most kMaxHeaderFields fields;
// exactly one Host on HTTP/1.1, at most one on HTTP/1.0 (RFC 9112 section 3.2).
//
// Pure functions: thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace meabridge::publish::http {

inline constexpr size_t kMaxHeaderFields = 100;

struct RequestHead {
  std::string method;
  std::string target;
  int minor_version = 1;                                     // HTTP/1.<minor>
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased

  const std::string* Header(std::string_view lower_name) const;
  // Connection semantics: HTTP/1.1 keeps the connection unless "Connection: close", HTTP/1.0
  // only with "Connection: keep-alive".
  bool KeepAlive() const;
  // The Content-Length; nullopt when absent; -1 when malformed or given twice differently.
  std::optional<int64_t> ContentLength() const;
};

// Parses `head` (the bytes before the blank line that ends it; lines end in CRLF or LF).
// InvalidArgument naming what is malformed.
Status ParseRequestHead(std::string_view head, RequestHead* out);

// The offset just past the blank line ending a request head in `buffer` (searching from
// `from`), or npos when it has not arrived yet.
size_t FindHeadEnd(std::string_view buffer, size_t from);

}  // namespace meabridge::publish::http
