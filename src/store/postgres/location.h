// The PostgreSQL store's location: a libpq connection URI
//
//   postgresql://USER[:PASSWORD]@HOST[:PORT][,HOST2[:PORT2]]/DATABASE[?PARAM=VALUE&...]
//
// (also postgres://), with meabridge's own parameters in the query, which are taken out before
// the URI reaches libpq:
//
//   pool_size=N   connections the store keeps for read views and runs (1..1000, default 10)
//
// Every other parameter is libpq's (sslmode, connect_timeout, options=-csearch_path%3DS ...).
// The password (in the user info or as password= / sslpassword=) is a secret: it is kept for
// libpq only; `display` is the URI without it, and is what messages, logs and StoreInfo show.
//
// Pure values and functions: thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/status.h"

namespace meabridge::store::postgres {

inline constexpr size_t kDefaultPoolSize = 10;
inline constexpr size_t kMaxPoolSize = 1000;

struct Endpoint {
  std::string display;   // the location without any password: for messages
  std::string uri;       // what libpq gets (with the password): never printed
  std::string password;  // percent-decoded; scrubbed from libpq's messages
  size_t pool_size = kDefaultPoolSize;
};

// Parses a postgresql:// or postgres:// location. InvalidArgument (naming the parameter, never
// the password) when meabridge's parameters are malformed; libpq checks the rest when it
// connects.
Result<Endpoint> ParseLocation(std::string_view location);

// The location without its password; the location unchanged when it is no postgresql URL.
std::string RedactLocation(std::string_view location);

// `message` with every occurrence of `secret` replaced by "****" (secrets shorter than 3
// bytes are left: they would garble every message and say little).
std::string Scrub(std::string message, std::string_view secret);

}  // namespace meabridge::store::postgres
