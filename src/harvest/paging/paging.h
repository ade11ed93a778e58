// Paging: which URL comes after a page, for every paging style a source may use, and the
// guards that stop a paging loop that would never end or would read the same records again.
//
// Styles (config `paging`):
//   auto         next links in the body (OData V2 "__next", V4 "@odata.nextLink", V3
//                "odata.nextLink", Atom <link rel="next">; $skiptoken links are such next
//                links) and RFC 8288 `Link: <...>; rel="next"` headers; one document otherwise
//   next-link    the body's next links only
//   link-header  the Link header only
//   skip         $top/$skip, with $orderby=updated,id (unless the URL orders already) so that
//                pages are stable; a next link from the server takes over when it gives one
//   page         a page-number parameter (and a page-size parameter)
//   offset       an offset parameter (and a limit parameter)
//   none         one document
// A mapping may declare the paging of the protocol it reads (<paging style="page"
// page-param="page" first-page="0"/>, Mapping::paging()): a source left at paging="auto"
// follows that declaration instead (with the declaration's parameters; a page-size parameter
// only when it names one).
// skip/offset advance by the records actually received (a server that caps the page size
// loses nothing); page/skip/offset end at an empty page.
//
// auto is sure of the end only where a server pages by next links: a first page without one
// that holds exactly page-size records, or a document whose count ($count, __count,
// @odata.count) is above the records received, leaves the run incomplete ("partial").
//
// Guards, each ending paging with a warning (and the run is then incomplete: no snapshot
// deletion, no watermark advance): a page identical to the previous one (the server ignores
// the paging parameters), a next URL requested before in this run, the page cap. The fourth
// guard, a page whose ids were all seen before, is the spool's (harvest/spool.h).
//
// Pager and PageGuard are plain single-run objects: thread-compatible.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace meabridge::harvest {

enum class PagingStyle { kAuto, kNextLink, kLinkHeader, kSkip, kPage, kOffset, kNone };

Result<PagingStyle> ParsePagingStyle(std::string_view name);
const char* PagingStyleName(PagingStyle style);

// The target of the first `rel="next"` link of a Link header value, or "".
std::string NextFromLinkHeader(std::string_view link_header);

// What the harvester learned from one page.
struct PageFacts {
  std::string url;        // the URL that answered
  std::string body_next;  // the body's next link as written (maybe relative), or ""
  std::string link_next;  // the Link header's next target, or ""
  size_t records = 0;     // source records on the page (mapped, rejected or skipped)
};

// The capture paths (Mapping::Run) that find next and delta links in a document of the
// mapping's format ("json", "xml"; none for "csv").
std::vector<std::string> NextLinkCaptures(std::string_view format);
std::vector<std::string> DeltaLinkCaptures(std::string_view format);
// The first non-empty captured value among `paths`, or "".
std::string FirstCaptured(const std::vector<std::string>& paths,
                          const std::map<std::string, std::string>& captured);

// How one run pages: the source's settings, or what the mapping declares.
struct PagingSettings {
  PagingStyle style = PagingStyle::kAuto;
  int page_size = 1000;
  std::string page_param;  // "" = the style's default
  std::string size_param;  // "" = the style's default
  int first_page = 1;
  bool send_size = true;  // page/offset: add the page-size parameter
  bool declared = false;  // from the mapping's <paging> (the source said auto)
};

// The source's settings; with style "auto" (or "") and a `declared` paging (Mapping::paging()),
// the declaration's. InvalidArgument for an unknown style (in either).
Result<PagingSettings> ResolvePaging(std::string_view style, int page_size, std::string page_param,
                                     std::string size_param, int first_page,
                                     std::string_view declared);

// The capture paths of a document's own record count ($count / $inlinecount answers).
std::vector<std::string> CountCaptures(std::string_view format);

class Pager {
 public:
  Pager(PagingStyle style, std::string url, int page_size, std::string page_param,
        std::string size_param, int first_page);
  Pager(const PagingSettings& settings, std::string url);

  // The first page's URL: the source URL with the style's parameters added.
  const std::string& first_url() const { return first_url_; }
  // The URL after `page`, or nullopt when paging ends there.
  std::optional<std::string> Next(const PageFacts& page);
  // Page/offset/skip styles: a 404 after the first page ends paging (some servers answer so
  // past the end).
  bool EndsOn404() const;
  PagingStyle style() const { return style_; }
  // True while the URLs come from this pager (skip, page, offset before any next link).
  bool Generates() const;

 private:
  PagingStyle style_;
  std::string base_url_;
  std::string first_url_;
  int page_size_;
  std::string page_param_;
  std::string size_param_;
  int64_t position_;  // skip/offset: records so far; page: the page number
  bool server_driven_ = false;
};

class PageGuard {
 public:
  explicit PageGuard(int max_pages) : max_pages_(max_pages) {}

  // Before requesting `url` as page number `page` (1-based): "" to go on, or the warning that
  // ends paging.
  std::string BeforeRequest(int page, const std::string& url);
  // After receiving a page whose body hashes to `sha1`: "" to go on, or the warning.
  std::string AfterPage(int page, const std::string& url, const std::string& sha1);

 private:
  int max_pages_;
  std::set<std::string> requested_;
  std::string previous_sha1_;
  std::string previous_url_;
};

}  // namespace meabridge::harvest
