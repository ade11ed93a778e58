// The status page's sign-in (docs/operations.md#rejects-in-the-browser): a browser cannot send
// the admin API's bearer token, so /status/sign-in takes the token once through a form and
// answers with a cookie that proves it for 12 hours:
//
//   meabridge_status=v1.EXPIRES.MAC   HttpOnly; SameSite=Strict; Path=/status; Max-Age=43200
//                                     (and Secure when the server's base URL is https)
//   EXPIRES  Unix milliseconds
//   MAC      base64url(HMAC-SHA256(K, "v1." EXPIRES)), K = HMAC-SHA256(admin token, "meabridge
//            status session")
//
// The token itself is never stored in the cookie; changing the token ends every session.
// The cookie carries nothing else: it says "this browser knew the token until EXPIRES".
// Pure functions (core/crypto.h): thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/time.h"
#include "publish/http/request.h"

namespace meabridge::daemon::web {

inline constexpr std::string_view kSessionCookie = "meabridge_status";
inline constexpr int64_t kSessionMs = 12LL * 3600 * 1000;

// The cookie value of a session signed with `admin_token`, valid until `expires`.
std::string SessionValue(std::string_view admin_token, core::EpochMs expires);

// True when `value` is a session `admin_token` signed that has not expired at `now`.
bool SessionValid(std::string_view value, std::string_view admin_token, core::EpochMs now);

// The value of the cookie `name` in the request's Cookie header(s); "" when absent.
std::string CookieValue(const publish::http::Request& req, std::string_view name);

// A Set-Cookie value for the session cookie: `value` for `max_age_s` seconds (0 with an empty
// value clears it); Secure when `secure`.
std::string SessionSetCookie(std::string_view value, int64_t max_age_s, bool secure);

}  // namespace meabridge::daemon::web
