#include "harvest/fetch/redact.h"

#include <algorithm>
#include <optional>

#include "core/percent.h"
#include "core/strings.h"
#include "harvest/fetch/url.h"

namespace meabridge::harvest {
namespace {

constexpr std::string_view kMask = "***";

void ReplaceAll(std::string* s, std::string_view what, std::string_view with) {
  if (what.empty()) return;
  for (size_t at = 0; (at = s->find(what, at)) != std::string::npos; at += with.size()) {
    s->replace(at, what.size(), with);
  }
}

bool IsUrlChar(char c) {
  return !(c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '"' || c == '<' || c == '>' ||
           c == '\'' || c == '`' || c == ')' || c == '(' || c == ',');
}

// The parts of a URL's authority: user, password (after ':') and the host[:port] after '@'.
struct Authority {
  size_t user = 0, colon = std::string::npos, at = std::string::npos, end = 0;
};
std::optional<Authority> FindAuthority(std::string_view url) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::nullopt;
  Authority a;
  a.user = scheme_end + 3;
  a.end = url.find_first_of("/?#", a.user);
  if (a.end == std::string_view::npos) a.end = url.size();
  size_t at = url.rfind('@', a.end);
  if (at != std::string_view::npos && at >= a.user) {
    a.at = at;
    size_t colon = url.find(':', a.user);
    if (colon != std::string_view::npos && colon < at) a.colon = colon;
  }
  return a;
}

}  // namespace

bool IsSecretParam(std::string_view name) {
  std::string n = core::AsciiLower(core::PercentDecodeLenient(name, true));
  static const char* kNames[] = {
      "token",   "access_token", "api_key",   "apikey",    "key",        "password",      "passwd",
      "pwd",     "secret",       "signature", "sig",       "auth",       "client_secret", "code",
      "api-key", "x-api-key",    "session",   "sessionid", "auth_token", "refresh_token"};
  for (const char* k : kNames) {
    if (n == k) return true;
  }
  return false;
}

Redactor::Redactor(std::vector<std::string> secrets) {
  for (std::string& s : secrets) {
    if (s.empty()) continue;
    std::string encoded = core::PercentEncode(s);
    if (encoded != s) secrets_.push_back(encoded);
    secrets_.push_back(std::move(s));
  }
  std::sort(secrets_.begin(), secrets_.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

std::string Redactor::Url(std::string_view url) const {
  std::string out(url);
  if (std::optional<Authority> a = FindAuthority(out); a && a->colon != std::string::npos) {
    out.replace(a->colon + 1, a->at - a->colon - 1, kMask);
  }
  size_t q = out.find('?');
  if (q != std::string::npos) {
    size_t hash = out.find('#', q);
    std::string query =
        out.substr(q + 1, hash == std::string::npos ? std::string::npos : hash - q - 1);
    QueryParams params = SplitQuery(query);
    bool changed = false;
    for (auto& [k, v] : params) {
      if (IsSecretParam(k) && !v.empty()) {
        v = std::string(kMask);
        changed = true;
      }
    }
    if (changed) {
      out = out.substr(0, q + 1) + JoinQuery(params) +
            (hash == std::string::npos ? std::string() : out.substr(hash));
    }
  }
  for (const std::string& s : secrets_) ReplaceAll(&out, s, kMask);
  return out;
}

std::string RestoreUrl(std::string_view masked, std::string_view configured) {
  std::string out(masked);
  std::optional<Authority> m = FindAuthority(out);
  std::optional<Authority> c = FindAuthority(configured);
  if (m && c && m->colon != std::string::npos && c->colon != std::string::npos &&
      out.compare(m->colon + 1, m->at - m->colon - 1, kMask) == 0) {
    std::string_view user = std::string_view(out).substr(m->user, m->colon - m->user);
    std::string_view host = std::string_view(out).substr(m->at + 1, m->end - m->at - 1);
    if (user == configured.substr(c->user, c->colon - c->user) &&
        host == configured.substr(c->at + 1, c->end - c->at - 1)) {
      out.replace(m->colon + 1, kMask.size(), configured.substr(c->colon + 1, c->at - c->colon - 1));
    }
  }
  auto query_of = [](std::string_view url) -> std::pair<size_t, size_t> {
    size_t q = url.find('?');
    if (q == std::string_view::npos) return {std::string_view::npos, 0};
    size_t hash = url.find('#', q);
    return {q + 1, (hash == std::string_view::npos ? url.size() : hash) - q - 1};
  };
  auto [cq, cn] = query_of(configured);
  auto [mq, mn] = query_of(out);
  if (mq == std::string::npos || cq == std::string_view::npos) return out;
  QueryParams params = SplitQuery(std::string_view(out).substr(mq, mn));
  const QueryParams known = SplitQuery(configured.substr(cq, cn));
  bool changed = false;
  for (auto& [k, v] : params) {
    if (v != kMask || !IsSecretParam(k)) continue;
    for (const auto& [ck, cv] : known) {
      if (ck == k) {
        v = cv;
        changed = true;
        break;
      }
    }
  }
  if (changed) out.replace(mq, mn, JoinQuery(params));
  return out;
}

std::vector<std::string> UrlSecrets(std::string_view url) {
  std::vector<std::string> out;
  // Shorter values are left to the URL rules: hidden everywhere, "FR" from "?code=FR" would
  // turn every country code in a message into "***".
  constexpr size_t kMinLength = 6;
  auto add = [&out](std::string_view v) {
    if (v.size() < kMinLength || v == kMask) return;
    out.emplace_back(v);
    std::string decoded = core::PercentDecodeLenient(v, true);
    if (decoded != v) out.push_back(std::move(decoded));
  };
  if (std::optional<Authority> a = FindAuthority(url); a && a->colon != std::string::npos) {
    add(url.substr(a->colon + 1, a->at - a->colon - 1));
  }
  size_t q = url.find('?');
  if (q != std::string_view::npos) {
    size_t hash = url.find('#', q);
    std::string_view query =
        url.substr(q + 1, hash == std::string_view::npos ? std::string_view::npos : hash - q - 1);
    for (const auto& [k, v] : SplitQuery(query)) {
      if (IsSecretParam(k)) add(v);
    }
  }
  return out;
}

std::string Redactor::Text(std::string_view text) const {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    size_t found = std::string_view::npos;
    for (std::string_view scheme : {std::string_view("http://"), std::string_view("https://")}) {
      size_t f = text.find(scheme, i);
      if (f < found) found = f;
    }
    if (found == std::string_view::npos) {
      out.append(text.substr(i));
      break;
    }
    out.append(text.substr(i, found - i));
    size_t end = found;
    while (end < text.size() && IsUrlChar(text[end])) ++end;
    out += Url(text.substr(found, end - found));
    i = end;
  }
  for (const std::string& s : secrets_) ReplaceAll(&out, s, kMask);
  return out;
}

}  // namespace meabridge::harvest
