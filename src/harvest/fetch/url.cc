#include "harvest/fetch/url.h"

#include "core/percent.h"
#include "core/strings.h"

namespace meabridge::harvest {
namespace {

bool IsSchemeChar(char c, bool first) {
  bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  if (first) return alpha;
  return alpha || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
}

// The scheme of `s` ("http" in "http://..."), or "" when `s` is a relative reference.
std::string_view SchemeOf(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == ':') return i == 0 ? std::string_view() : s.substr(0, i);
    if (!IsSchemeChar(s[i], i == 0)) return {};
  }
  return {};
}

// RFC 3986 5.2.4.
std::string RemoveDotSegments(std::string_view in) {
  std::string out;
  std::string input(in);
  while (!input.empty()) {
    if (input.rfind("../", 0) == 0) {
      input.erase(0, 3);
    } else if (input.rfind("./", 0) == 0) {
      input.erase(0, 2);
    } else if (input.rfind("/./", 0) == 0) {
      input.replace(0, 3, "/");
    } else if (input == "/.") {
      input = "/";
    } else if (input.rfind("/../", 0) == 0 || input == "/..") {
      input = input == "/.." ? "/" : input.substr(3);
      size_t slash = out.rfind('/');
      out.erase(slash == std::string::npos ? 0 : slash);
    } else if (input == "." || input == "..") {
      input.clear();
    } else {
      size_t start = input[0] == '/' ? 1 : 0;
      size_t next = input.find('/', start);
      out += input.substr(0, next);
      input.erase(0, next == std::string::npos ? input.size() : next);
    }
  }
  return out;
}

std::string Merge(const Url& base, std::string_view ref_path) {
  size_t slash = base.path.rfind('/');
  if (slash == std::string::npos) return std::string(ref_path);
  return base.path.substr(0, slash + 1) + std::string(ref_path);
}

}  // namespace

std::optional<Url> Url::Parse(std::string_view text) {
  std::string_view scheme = SchemeOf(text);
  if (scheme.empty() || text.substr(scheme.size(), 3) != "://") return std::nullopt;
  Url u;
  u.scheme = core::AsciiLower(scheme);
  std::string_view rest = text.substr(scheme.size() + 3);
  size_t end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end);
  rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
  size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    u.userinfo = std::string(authority.substr(0, at));
    authority.remove_prefix(at + 1);
  }
  if (!authority.empty() && authority[0] == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    u.host = std::string(authority.substr(0, close + 1));
    authority.remove_prefix(close + 1);
    if (!authority.empty()) {
      if (authority[0] != ':') return std::nullopt;
      u.port = std::string(authority.substr(1));
    }
  } else {
    size_t colon = authority.rfind(':');
    u.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) u.port = std::string(authority.substr(colon + 1));
  }
  for (char c : u.port) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  if (u.host.empty()) return std::nullopt;
  size_t hash = rest.find('#');
  if (hash != std::string_view::npos) {
    u.fragment = std::string(rest.substr(hash + 1));
    rest = rest.substr(0, hash);
  }
  size_t q = rest.find('?');
  if (q != std::string_view::npos) {
    u.query = std::string(rest.substr(q + 1));
    u.has_query = true;
    rest = rest.substr(0, q);
  }
  u.path = rest.empty() ? "/" : std::string(rest);
  return u;
}

std::string Url::ToString() const {
  std::string s = scheme + "://";
  if (!userinfo.empty()) s += userinfo + "@";
  s += host;
  if (!port.empty()) s += ":" + port;
  s += path;
  if (has_query) s += "?" + query;
  if (!fragment.empty()) s += "#" + fragment;
  return s;
}

std::string Url::Origin() const {
  std::string p = port;
  if (p.empty()) p = scheme == "https" ? "443" : scheme == "http" ? "80" : "";
  return scheme + "://" + core::AsciiLower(host) + ":" + p;
}

std::optional<std::string> ResolveUrl(std::string_view base_text, std::string_view ref) {
  std::optional<Url> base = Url::Parse(base_text);
  if (!base) return std::nullopt;
  ref = core::Trim(ref);
  if (!SchemeOf(ref).empty()) {
    // An absolute reference: normalise its path only.
    std::optional<Url> abs = Url::Parse(ref);
    if (!abs) return std::string(ref);
    abs->path = RemoveDotSegments(abs->path);
    if (abs->path.empty()) abs->path = "/";
    return abs->ToString();
  }
  Url t = *base;
  t.fragment.clear();
  std::string_view r = ref;
  std::string fragment;
  if (size_t h = r.find('#'); h != std::string_view::npos) {
    fragment = std::string(r.substr(h + 1));
    r = r.substr(0, h);
  }
  if (r.rfind("//", 0) == 0) {
    std::optional<Url> abs = Url::Parse(base->scheme + ":" + std::string(r));
    if (!abs) return std::nullopt;
    abs->path = RemoveDotSegments(abs->path);
    abs->fragment = fragment;
    return abs->ToString();
  }
  std::string_view path = r, query;
  bool has_query = false;
  if (size_t q = r.find('?'); q != std::string_view::npos) {
    path = r.substr(0, q);
    query = r.substr(q + 1);
    has_query = true;
  }
  if (path.empty()) {
    if (has_query) {
      t.query = std::string(query);
      t.has_query = true;
    }
  } else {
    t.path = path[0] == '/' ? RemoveDotSegments(path) : RemoveDotSegments(Merge(*base, path));
    if (t.path.empty() || t.path[0] != '/') t.path = "/" + t.path;
    t.query = std::string(query);
    t.has_query = has_query;
  }
  t.fragment = fragment;
  return t.ToString();
}

QueryParams SplitQuery(std::string_view query) {
  QueryParams out;
  if (query.empty()) return out;
  for (const std::string& part : core::Split(query, '&')) {
    if (part.empty()) continue;
    size_t eq = part.find('=');
    if (eq == std::string::npos) {
      out.emplace_back(part, "");
    } else {
      out.emplace_back(part.substr(0, eq), part.substr(eq + 1));
    }
  }
  return out;
}

std::string JoinQuery(const QueryParams& params) {
  std::string out;
  for (const auto& [k, v] : params) {
    if (!out.empty()) out += '&';
    out += k;
    out += '=';
    out += v;
  }
  return out;
}

namespace {

// Splits "base?query#fragment".
struct Parts {
  std::string base, query, fragment;
  bool has_query = false;
};
Parts SplitUrl(std::string_view url) {
  Parts p;
  if (size_t h = url.find('#'); h != std::string_view::npos) {
    p.fragment = std::string(url.substr(h));
    url = url.substr(0, h);
  }
  if (size_t q = url.find('?'); q != std::string_view::npos) {
    p.query = std::string(url.substr(q + 1));
    p.has_query = true;
    url = url.substr(0, q);
  }
  p.base = std::string(url);
  return p;
}

std::string Assemble(const Parts& p, const QueryParams& params) {
  std::string q = JoinQuery(params);
  return p.base + (q.empty() ? "" : "?" + q) + p.fragment;
}

bool SameName(std::string_view encoded, std::string_view name) {
  return core::PercentDecodeLenient(encoded, true) == name;
}

}  // namespace

std::optional<std::string> QueryValue(std::string_view url, std::string_view name) {
  Parts p = SplitUrl(url);
  for (const auto& [k, v] : SplitQuery(p.query)) {
    if (SameName(k, name)) return core::PercentDecodeLenient(v, true);
  }
  return std::nullopt;
}

std::string SetQueryParam(std::string_view url, std::string_view name, std::string_view value) {
  Parts p = SplitUrl(url);
  QueryParams params;
  bool placed = false;
  for (auto& kv : SplitQuery(p.query)) {
    if (SameName(kv.first, name)) {
      if (!placed) params.emplace_back(kv.first, core::PercentEncode(value));
      placed = true;
    } else {
      params.push_back(std::move(kv));
    }
  }
  if (!placed) {
    // '$' stays literal in names: OData system options ($top, $filter) are matched as written
    // by some servers.
    std::vector<std::string> pieces;
    for (const std::string& piece : core::Split(name, '$'))
      pieces.push_back(core::PercentEncode(piece));
    params.emplace_back(core::Join(pieces, "$"), core::PercentEncode(value));
  }
  return Assemble(p, params);
}

std::string SetQueryParamIfAbsent(std::string_view url, std::string_view name,
                                  std::string_view value) {
  if (QueryValue(url, name)) return std::string(url);
  return SetQueryParam(url, name, value);
}

std::string AndODataFilter(std::string_view url, std::string_view expr) {
  std::optional<std::string> old = QueryValue(url, "$filter");
  std::string combined = old && !core::Trim(*old).empty()
                             ? "(" + *old + ") and (" + std::string(expr) + ")"
                             : std::string(expr);
  return SetQueryParam(url, "$filter", combined);
}

std::string WithoutQuery(std::string_view url) {
  Parts p = SplitUrl(url);
  return p.base;
}

}  // namespace meabridge::harvest
