#include "daemon/web/session.h"

#include "core/crypto.h"
#include "core/strings.h"

namespace meabridge::daemon::web {
namespace {

std::string Key(std::string_view admin_token) {
  return core::HmacSha256(admin_token, "meabridge status session");
}

std::string Mac(std::string_view admin_token, std::string_view signed_part) {
  return core::Base64UrlEncode(core::HmacSha256(Key(admin_token), signed_part));
}

}  // namespace

std::string SessionValue(std::string_view admin_token, core::EpochMs expires) {
  std::string signed_part = "v1." + std::to_string(expires);
  return signed_part + "." + Mac(admin_token, signed_part);
}

bool SessionValid(std::string_view value, std::string_view admin_token, core::EpochMs now) {
  if (admin_token.empty() || value.size() > 200 || value.substr(0, 3) != "v1.") return false;
  size_t dot = value.rfind('.');
  if (dot <= 3) return false;
  std::string_view signed_part = value.substr(0, dot);
  std::optional<int64_t> expires = core::ParseInt(signed_part.substr(3));
  if (!expires) return false;
  bool mac_ok = core::ConstantTimeEquals(Mac(admin_token, signed_part), value.substr(dot + 1));
  return mac_ok && *expires > now;
}

std::string CookieValue(const publish::http::Request& req, std::string_view name) {
  for (const auto& [header, value] : req.headers) {
    if (header != "cookie") continue;
    for (std::string_view part : core::Split(value, ';')) {
      std::string_view p = core::Trim(part);
      size_t eq = p.find('=');
      if (eq != std::string_view::npos && core::Trim(p.substr(0, eq)) == name) {
        return std::string(core::Trim(p.substr(eq + 1)));
      }
    }
  }
  return "";
}

std::string SessionSetCookie(std::string_view value, int64_t max_age_s, bool secure) {
  std::string c = std::string(kSessionCookie) + "=" + std::string(value) +
                  "; Path=/status; Max-Age=" + std::to_string(max_age_s) +
                  "; HttpOnly; SameSite=Strict";
  if (secure) c += "; Secure";
  return c;
}

}  // namespace meabridge::daemon::web
