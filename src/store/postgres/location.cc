#include "store/postgres/location.h"

#include <optional>
#include <vector>

#include "core/percent.h"
#include "core/strings.h"

namespace meabridge::store::postgres {
namespace {

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && core::EqualsIgnoreCase(s.substr(0, prefix.size()), prefix);
}

// The length of "postgresql://" or "postgres://" at the start of `s`; 0 when neither.
size_t SchemeLength(std::string_view s) {
  for (std::string_view scheme : {"postgresql://", "postgres://"}) {
    if (StartsWithIgnoreCase(s, scheme)) return scheme.size();
  }
  return 0;
}

bool IsSecretKey(std::string_view key) {
  return core::AsciiLower(core::PercentDecodeLenient(key)).find("password") != std::string::npos;
}

// The parts of a URI: scheme "postgresql://", user info (before the last '@' of the
// authority, without it), the rest of the authority and path, and the query's parameters.
struct Parts {
  std::string scheme;
  std::string userinfo;  // "user:password" or ""
  bool has_userinfo = false;
  std::string hostpath;             // "host:port/db"
  std::vector<std::string> params;  // "key=value", in order
  bool has_query = false;
};

Parts Split(std::string_view location) {
  Parts p;
  size_t scheme = SchemeLength(location);
  p.scheme = std::string(location.substr(0, scheme));
  std::string_view rest = location.substr(scheme);
  size_t q = rest.find('?');
  std::string_view before_query = rest.substr(0, q);
  if (q != std::string_view::npos) {
    p.has_query = true;
    for (std::string& kv : core::Split(rest.substr(q + 1), '&')) {
      if (!kv.empty()) p.params.push_back(std::move(kv));
    }
  }
  // The authority ends at the first '/'; the user info at the last '@' before it.
  size_t slash = before_query.find('/');
  std::string_view authority = before_query.substr(0, slash);
  size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    p.has_userinfo = true;
    p.userinfo = std::string(authority.substr(0, at));
    p.hostpath = std::string(before_query.substr(at + 1));
  } else {
    p.hostpath = std::string(before_query);
  }
  return p;
}

std::string Join(const Parts& p, const std::string& userinfo,
                 const std::vector<std::string>& params) {
  std::string out = p.scheme;
  if (p.has_userinfo) out += userinfo + "@";
  out += p.hostpath;
  if (!params.empty()) out += "?" + core::Join(params, "&");
  return out;
}

std::string UserOnly(const std::string& userinfo) { return userinfo.substr(0, userinfo.find(':')); }

}  // namespace

Result<Endpoint> ParseLocation(std::string_view location) {
  if (SchemeLength(location) == 0) {
    return Status::InvalidArgument("store location " + core::Quote(RedactLocation(location)) +
                                   " is not a postgresql:// URL");
  }
  Parts p = Split(location);
  Endpoint e;
  std::vector<std::string> libpq_params;
  std::vector<std::string> shown_params;
  for (const std::string& kv : p.params) {
    size_t eq = kv.find('=');
    std::string key = core::PercentDecodeLenient(kv.substr(0, eq));
    std::string value =
        eq == std::string::npos ? "" : core::PercentDecodeLenient(kv.substr(eq + 1));
    if (key == "pool_size") {
      std::optional<int64_t> n = core::ParseInt(value);
      if (!n || *n < 1 || *n > static_cast<int64_t>(kMaxPoolSize)) {
        return Status::InvalidArgument(
            "store location " + RedactLocation(location) + ": pool_size=" + core::Quote(value) +
            " is not a number of connections between 1 and " + std::to_string(kMaxPoolSize));
      }
      e.pool_size = static_cast<size_t>(*n);
      shown_params.push_back(kv);
      continue;
    }
    libpq_params.push_back(kv);
    if (IsSecretKey(key)) {
      if (key == "password") e.password = value;
    } else {
      shown_params.push_back(kv);
    }
  }
  size_t colon = p.userinfo.find(':');
  if (colon != std::string::npos)
    e.password = core::PercentDecodeLenient(p.userinfo.substr(colon + 1));
  e.uri = Join(p, p.userinfo, libpq_params);
  e.display = Join(p, UserOnly(p.userinfo), shown_params);
  return e;
}

std::string RedactLocation(std::string_view location) {
  if (SchemeLength(location) == 0) return std::string(location);
  Parts p = Split(location);
  std::vector<std::string> shown;
  for (const std::string& kv : p.params) {
    if (!IsSecretKey(kv.substr(0, kv.find('=')))) shown.push_back(kv);
  }
  return Join(p, UserOnly(p.userinfo), shown);
}

std::string Scrub(std::string message, std::string_view secret) {
  if (secret.size() < 3) return message;
  size_t pos = 0;
  while ((pos = message.find(secret, pos)) != std::string::npos) {
    message.replace(pos, secret.size(), "****");
    pos += 4;
  }
  return message;
}

}  // namespace meabridge::store::postgres
