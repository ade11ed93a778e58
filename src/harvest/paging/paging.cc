#include "harvest/paging/paging.h"

#include "core/strings.h"
#include "harvest/fetch/url.h"

namespace meabridge::harvest {

Result<PagingStyle> ParsePagingStyle(std::string_view name) {
  if (name == "auto" || name.empty()) return PagingStyle::kAuto;
  if (name == "next-link") return PagingStyle::kNextLink;
  if (name == "link-header") return PagingStyle::kLinkHeader;
  if (name == "skip") return PagingStyle::kSkip;
  if (name == "page") return PagingStyle::kPage;
  if (name == "offset") return PagingStyle::kOffset;
  if (name == "none") return PagingStyle::kNone;
  return Status::InvalidArgument("unknown paging style '" + std::string(name) + "'");
}

const char* PagingStyleName(PagingStyle style) {
  switch (style) {
    case PagingStyle::kAuto:
      return "auto";
    case PagingStyle::kNextLink:
      return "next-link";
    case PagingStyle::kLinkHeader:
      return "link-header";
    case PagingStyle::kSkip:
      return "skip";
    case PagingStyle::kPage:
      return "page";
    case PagingStyle::kOffset:
      return "offset";
    case PagingStyle::kNone:
      return "none";
  }
  return "?";
}

std::string NextFromLinkHeader(std::string_view header) {
  // link-value = "<" URI-Reference ">" *( OWS ";" OWS link-param ), separated by commas; a
  // comma may also appear inside <...> or a quoted string.
  size_t i = 0;
  while (i < header.size()) {
    size_t open = header.find('<', i);
    if (open == std::string_view::npos) break;
    size_t close = header.find('>', open + 1);
    if (close == std::string_view::npos) break;
    std::string_view target = header.substr(open + 1, close - open - 1);
    // Parameters up to the next link-value (a comma outside quotes).
    size_t j = close + 1;
    bool quoted = false;
    size_t end = header.size();
    for (; j < header.size(); ++j) {
      char c = header[j];
      if (c == '"') quoted = !quoted;
      if (c == ',' && !quoted) {
        end = j;
        break;
      }
    }
    std::string_view params = header.substr(close + 1, end - close - 1);
    for (const std::string& p : core::Split(params, ';')) {
      std::string_view kv = core::Trim(p);
      size_t eq = kv.find('=');
      if (eq == std::string_view::npos) continue;
      if (core::AsciiLower(core::Trim(kv.substr(0, eq))) != "rel") continue;
      std::string_view v = core::Trim(kv.substr(eq + 1));
      if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
      for (const std::string& rel : core::Split(v, ' ')) {
        if (core::AsciiLower(rel) == "next") return std::string(core::Trim(target));
      }
    }
    i = end + 1;
  }
  return "";
}

std::vector<std::string> NextLinkCaptures(std::string_view format) {
  if (format == "json") return {"/d/__next", "/@odata.nextLink", "/odata.nextLink", "/__next"};
  if (format == "xml") {
    return {"/*[local-name()='feed']/*[local-name()='link'][@rel='next']/@href"};
  }
  return {};
}

std::vector<std::string> DeltaLinkCaptures(std::string_view format) {
  if (format == "json") return {"/@odata.deltaLink", "/odata.deltaLink", "/d/__delta"};
  if (format == "xml") {
    return {
        "/*[local-name()='feed']/*[local-name()='link'][@rel='http://docs.oasis-open.org/"
        "odata/ns/delta']/@href"};
  }
  return {};
}

std::string FirstCaptured(const std::vector<std::string>& paths,
                          const std::map<std::string, std::string>& captured) {
  for (const std::string& p : paths) {
    auto it = captured.find(p);
    if (it != captured.end() && !core::Trim(it->second).empty()) {
      return std::string(core::Trim(it->second));
    }
  }
  return "";
}

Result<PagingSettings> ResolvePaging(std::string_view style, int page_size, std::string page_param,
                                     std::string size_param, int first_page,
                                     std::string_view declared) {
  PagingSettings s;
  MB_ASSIGN_OR_RETURN(s.style, ParsePagingStyle(style));
  s.page_size = page_size;
  if (s.style != PagingStyle::kAuto || declared.empty()) {
    s.page_param = std::move(page_param);
    s.size_param = std::move(size_param);
    s.first_page = first_page;
    return s;
  }
  // "page page-param=page first-page=0": the style, then name=value attributes.
  std::vector<std::string> words = core::Split(declared, ' ');
  Result<PagingStyle> d = ParsePagingStyle(words.empty() ? "" : words[0]);
  if (!d.ok() || *d == PagingStyle::kAuto) {
    return Status::InvalidArgument("the mapping declares an unknown paging '" +
                                   std::string(declared) + "'");
  }
  s.style = *d;
  s.declared = true;
  s.send_size = false;
  s.first_page = 1;
  for (size_t i = 1; i < words.size(); ++i) {
    size_t eq = words[i].find('=');
    if (eq == std::string::npos) continue;
    std::string k = words[i].substr(0, eq), v = words[i].substr(eq + 1);
    if (k == "page-param") s.page_param = v;
    if (k == "size-param") {
      s.size_param = v;
      s.send_size = true;
    }
    if (k == "first-page") s.first_page = v == "0" ? 0 : 1;
  }
  return s;
}

std::vector<std::string> CountCaptures(std::string_view format) {
  if (format == "json") return {"/@odata.count", "/odata.count", "/d/__count", "/__count"};
  if (format == "xml") return {"/*[local-name()='feed']/*[local-name()='count']"};
  return {};
}

Pager::Pager(PagingStyle style, std::string url, int page_size, std::string page_param,
             std::string size_param, int first_page)
    : Pager(PagingSettings{style, page_size, std::move(page_param), std::move(size_param),
                           first_page, true, false},
            std::move(url)) {}

Pager::Pager(const PagingSettings& settings, std::string url)
    : style_(settings.style),
      base_url_(std::move(url)),
      page_size_(settings.page_size > 0 ? settings.page_size : 1000),
      page_param_(settings.page_param),
      size_param_(settings.size_param),
      position_(0) {
  const int first_page = settings.first_page;
  const bool send_size = settings.send_size;
  const std::string size = std::to_string(page_size_);
  switch (style_) {
    case PagingStyle::kSkip:
      base_url_ = SetQueryParamIfAbsent(base_url_, "$orderby", "updated,id");
      base_url_ = SetQueryParam(base_url_, "$top", size);
      first_url_ = base_url_;
      break;
    case PagingStyle::kPage:
      if (page_param_.empty()) page_param_ = "page";
      if (size_param_.empty()) size_param_ = "pageSize";
      position_ = first_page;
      if (send_size) base_url_ = SetQueryParam(base_url_, size_param_, size);
      first_url_ = SetQueryParam(base_url_, page_param_, std::to_string(position_));
      break;
    case PagingStyle::kOffset:
      if (page_param_.empty()) page_param_ = "offset";
      if (size_param_.empty()) size_param_ = "limit";
      if (send_size) base_url_ = SetQueryParam(base_url_, size_param_, size);
      first_url_ = SetQueryParam(base_url_, page_param_, "0");
      break;
    default:
      first_url_ = base_url_;
      break;
  }
}

bool Pager::EndsOn404() const {
  return !server_driven_ && (style_ == PagingStyle::kSkip || style_ == PagingStyle::kPage ||
                             style_ == PagingStyle::kOffset);
}

bool Pager::Generates() const { return EndsOn404(); }

std::optional<std::string> Pager::Next(const PageFacts& page) {
  auto resolve = [&](const std::string& ref) -> std::optional<std::string> {
    std::optional<std::string> abs = ResolveUrl(page.url, ref);
    if (!abs) return ref;
    return abs;
  };
  switch (style_) {
    case PagingStyle::kNone:
      return std::nullopt;
    case PagingStyle::kAuto:
      if (!page.body_next.empty()) return resolve(page.body_next);
      if (!page.link_next.empty()) return resolve(page.link_next);
      return std::nullopt;
    case PagingStyle::kNextLink:
      if (!page.body_next.empty()) return resolve(page.body_next);
      return std::nullopt;
    case PagingStyle::kLinkHeader:
      if (!page.link_next.empty()) return resolve(page.link_next);
      return std::nullopt;
    case PagingStyle::kSkip:
    case PagingStyle::kPage:
    case PagingStyle::kOffset: {
      // A server that pages by itself takes over.
      const std::string& link = !page.body_next.empty() ? page.body_next : page.link_next;
      if (!link.empty()) {
        server_driven_ = true;
        return resolve(link);
      }
      if (server_driven_ || page.records == 0) return std::nullopt;
      if (style_ == PagingStyle::kPage) {
        ++position_;
        return SetQueryParam(base_url_, page_param_, std::to_string(position_));
      }
      position_ += static_cast<int64_t>(page.records);
      return SetQueryParam(base_url_, style_ == PagingStyle::kSkip ? "$skip" : page_param_,
                           std::to_string(position_));
    }
  }
  return std::nullopt;
}

std::string PageGuard::BeforeRequest(int page, const std::string& url) {
  if (page > max_pages_) {
    return "paging stopped at the page cap (max-pages=" + std::to_string(max_pages_) +
           "): the source may hold more; raise max-pages if it is that large";
  }
  if (!requested_.insert(url).second) {
    return "paging stopped: the next link of page " + std::to_string(page - 1) +
           " points at a page already read in this run (" + url + "); the server's paging loops";
  }
  return "";
}

std::string PageGuard::AfterPage(int page, const std::string& url, const std::string& sha1) {
  std::string warning;
  if (page > 1 && !sha1.empty() && sha1 == previous_sha1_) {
    warning = "paging stopped: page " + std::to_string(page) + " (" + url +
              ") is identical to page " + std::to_string(page - 1) + " (" + previous_url_ +
              "); the server seems to ignore the paging parameters";
  }
  previous_sha1_ = sha1;
  previous_url_ = url;
  return warning;
}

}  // namespace meabridge::harvest
