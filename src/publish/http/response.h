// What a handler answers: a status, a content type, a body held in memory (cacheable) or a
// body streamed through a BodyWriter (large exports), and the validators (ETag, Last-Modified)
// the server turns into HTTP semantics (http/server.h).
//
// Plain values: thread-compatible.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "core/time.h"

namespace meabridge::publish::http {

// Where a streamed body goes. Write returns a non-ok status when the client went away; the
// producer stops then.
class BodyWriter {
 public:
  virtual ~BodyWriter() = default;
  virtual Status Write(std::string_view bytes) = 0;
};

struct Response {
  int status = 200;
  std::string content_type;
  // Extra header fields (name as it is sent, value). The server adds Date, Content-Length or
  // Transfer-Encoding, Content-Encoding, ETag, Last-Modified, Vary, CORS and Connection.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // When set, the body is produced by this function after the headers went out (chunked
  // transfer encoding), and `body` is ignored. Never cached.
  std::function<Status(BodyWriter&)> stream;
  // A strong validator for this representation (without quotes); "" lets the server derive
  // one from the request's cache key (URL, variant, store state).
  std::string etag;
  // When set (and `etag` is not), the ETag is derived from the request and this seed instead
  // of the whole store's state: e.g. a record's content hash, so that one entity's ETag
  // survives changes to other records.
  std::string etag_seed;
  core::EpochMs last_modified = 0;  // 0: no Last-Modified
  // False keeps a 200 response out of the response cache (it is still answered with an ETag).
  bool cacheable = true;

  static Response Make(int status, std::string content_type, std::string body) {
    Response r;
    r.status = status;
    r.content_type = std::move(content_type);
    r.body = std::move(body);
    return r;
  }
};

// "OK", "Not Found", ... for a status line.
const char* ReasonPhrase(int status);

}  // namespace meabridge::publish::http
