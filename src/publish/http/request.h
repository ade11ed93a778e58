// One HTTP request as the publisher's handlers see it: the method, the percent-decoded path,
// the decoded query parameters in their order, the header fields (names lower-cased) and the
// base URL that links in the response start with.
//
// A Request is built once per request by the server (http/server.cc) and only read afterwards:
// thread-compatible.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace meabridge::publish::http {

struct Request {
  std::string method;     // "GET", "HEAD", ...
  std::string target;     // the raw request target: "/odata/v4/Contacts?$top=1"
  std::string path;       // percent-decoded path: "/odata/v4/Contacts('a b')"
  std::string raw_query;  // what follows '?', still encoded ("" when none)
  // Decoded query parameters in request order; '+' decodes to a space (as HTML forms and
  // most HTTP clients write it): a literal plus sign is written %2B.
  std::vector<std::pair<std::string, std::string>> query;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string client;                                        // "127.0.0.1:53412"
  std::string base_url;  // "http://host:8080/" or the configured public URL; ends with '/'
  std::string body;      // the request body (Content-Length bytes; at most 1 MB)

  // The first header field of that (lower-case) name; nullptr when absent.
  const std::string* Header(std::string_view lower_name) const;
  // The first query parameter of that name; nullptr when absent.
  const std::string* Param(std::string_view name) const;
  // How many times the query parameter appears.
  int ParamCount(std::string_view name) const;
  // True when Accept-Encoding accepts gzip (q > 0).
  bool AcceptsGzip() const;
  bool IsHead() const { return method == "HEAD"; }
};

// Splits `target` into path and query and decodes both into `out` (path, raw_query, query).
// InvalidArgument naming the bad part for a malformed percent-escape, a NUL byte, invalid
// UTF-8 or a target that does not start with '/'.
Status ParseTarget(std::string_view target, Request* out);

}  // namespace meabridge::publish::http
