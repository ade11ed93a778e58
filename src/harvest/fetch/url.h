// URL handling for the harvester: splitting an absolute http(s) URL, resolving a next link
// against the page it came from (RFC 3986 section 5), and editing query parameters (adding
// $top/$skip, page numbers, a $filter) without disturbing the rest of the query.
//
// Pure functions on values: thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/percent.h"

namespace meabridge::harvest {

struct Url {
  std::string scheme;    // lower-cased: "http", "https"
  std::string userinfo;  // "user:password" or ""
  std::string host;      // as written ("[::1]" keeps its brackets)
  std::string port;      // "" when absent
  std::string path;      // "/..." (at least "/")
  std::string query;     // without '?'; "" when absent
  bool has_query = false;
  std::string fragment;  // without '#'

  // Parses an absolute URL ("scheme://authority/path?query#fragment"); nullopt otherwise.
  static std::optional<Url> Parse(std::string_view text);
  std::string ToString() const;
  // "scheme://host:port" with the default port made explicit: same origin, same credentials.
  std::string Origin() const;
};

// `ref` resolved against `base` (both may be relative or absolute; base must be absolute).
// nullopt when base is not an absolute URL.
std::optional<std::string> ResolveUrl(std::string_view base, std::string_view ref);

// URLs are percent-coded with core/percent.h; they are decoded with
// core::PercentDecodeLenient: a malformed escape stays as it is.

// Query parameters as written (names and values still percent-encoded).
using QueryParams = std::vector<std::pair<std::string, std::string>>;
QueryParams SplitQuery(std::string_view query);
std::string JoinQuery(const QueryParams& params);

// The first value of `name` in the URL's query (decoded), or nullopt.
std::optional<std::string> QueryValue(std::string_view url, std::string_view name);
// Sets `name` to `value` (encoded here) in the URL's query, replacing every earlier value.
std::string SetQueryParam(std::string_view url, std::string_view name, std::string_view value);
// Sets `name` only when the URL does not have it yet.
std::string SetQueryParamIfAbsent(std::string_view url, std::string_view name,
                                  std::string_view value);
// Adds an OData filter: `$filter=(old) and (expr)` when a $filter is already there.
std::string AndODataFilter(std::string_view url, std::string_view expr);
// The URL without its query and fragment.
std::string WithoutQuery(std::string_view url);

}  // namespace meabridge::harvest
