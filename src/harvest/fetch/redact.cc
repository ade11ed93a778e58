#include "harvest/fetch/redact.h"

#include <algorithm>

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

}  // namespace

bool IsSecretParam(std::string_view name) {
  std::string n = core::AsciiLower(PercentDecode(name, true));
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
    std::string encoded = PercentEncode(s);
    if (encoded != s) secrets_.push_back(encoded);
    secrets_.push_back(std::move(s));
  }
  std::sort(secrets_.begin(), secrets_.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

std::string Redactor::Url(std::string_view url) const {
  std::string out(url);
  size_t scheme_end = out.find("://");
  if (scheme_end != std::string::npos) {
    size_t auth_start = scheme_end + 3;
    size_t auth_end = out.find_first_of("/?#", auth_start);
    if (auth_end == std::string::npos) auth_end = out.size();
    size_t at = out.rfind('@', auth_end);
    if (at != std::string::npos && at >= auth_start) {
      size_t colon = out.find(':', auth_start);
      if (colon != std::string::npos && colon < at) {
        out.replace(colon + 1, at - colon - 1, kMask);
      }
    }
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
