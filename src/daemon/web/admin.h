// The admin API under /admin/ (docs/operations.md#admin-api): JSON, token-protected.
//
//   GET  /admin/                              the endpoints
//   GET  /admin/sources                       configured sources, scheduler state, last run
//   POST /admin/sources/{name}/harvest        start a run now (?full=true): 202, 404, 409, 503
//   GET  /admin/runs?source=&limit=           runs, newest first, with counts and errors
//   GET  /admin/runs/{id}                     one run
//   GET  /admin/runs/{id}/rejects?limit=      a run's rejects
//   POST /admin/reload                        re-read the configuration: 200, or 400 with errors
//
// Off (every method on every /admin/ path answers 404) unless the configuration in force names
// <admin token-file>; the configuration is read per request (Control::config()), so a reload
// turns it on, off or to another file. The file is re-read when its path, size or mtime
// changes. Requests must send `Authorization: Bearer TOKEN`; the token is compared in constant
// time (SHA-256 digests of both sides compared with CRYPTO_memcmp), and a missing or wrong
// token answers 401 with WWW-Authenticate: Bearer, the same body whatever was sent.
//
// Threads: an AdminApi is shared by the server's worker threads: thread-safe (the token cache
// sits behind a mutex; admin requests are rare).
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include "core/status.h"
#include "daemon/control.h"
#include "publish/http/router.h"
#include "store/store.h"

namespace meabridge::daemon::web {

// True when `presented` equals `expected`, in time independent of where they differ (and of
// their lengths: both are hashed to SHA-256 first, then compared with CRYPTO_memcmp).
bool TokenMatches(std::string_view presented, std::string_view expected);

// The token of an `Authorization: Bearer TOKEN` header value ("" when it is not one: another
// scheme, no token). The scheme is case-insensitive (RFC 9110).
std::string BearerToken(std::string_view authorization);

class AdminApi {
 public:
  // REQUIRES: `control` and `store` outlive the AdminApi.
  AdminApi(Control* control, store::Store* store) : control_(control), store_(store) {}

  // Answers any request under /admin/ (`ex.rest()` is the path after "/admin/").
  publish::http::Response Handle(publish::http::Exchange& ex);

  // The admin token of the configuration in force; "" when the admin API is off or its token
  // file cannot be used (the log says why). The status page's sign-in checks against it.
  std::string ConfiguredToken();

 private:
  struct TokenState {
    std::string path;
    int64_t mtime_ns = -1;
    int64_t size = -1;
    std::string token;  // "" when the file could not be read or was empty
    std::string error;  // why, when token is ""
  };
  // The token configured now; "" with `*error` set when the file cannot be used.
  std::string CurrentToken(const std::string& path, std::string* error);

  publish::http::Response Route(publish::http::Exchange& ex);

  Control* control_;
  store::Store* store_;
  std::mutex mu_;
  TokenState token_;  // guarded by mu_
};

}  // namespace meabridge::daemon::web
