// The per-source harvest state: what one run leaves for the next, kept as the source's
// watermark in the store (Store::RunWriter::SetWatermark), so it commits in the same
// transaction as the run's data and can never run ahead of it.
//
// The watermark is a small JSON object:
//
//   {"v":1,
//    "since":"2024-05-01T10:00:00Z",   server time (Date of the first response, else local
//                                       time) at the start of the last complete run
//    "cursor":"https://.../Contacts?$deltatoken=8", the delta link of the last run (cursor)
//    "last_full":"2024-05-01T10:00:00Z", start of the last full reconciliation
//    "fingerprint":"<sha1>",            mapping file + parameters + meabridge version of the
//                                       run that recorded the pages
//    "format":"json",                   that mapping's decoder (a run whose pages are all
//                                       unchanged then needs no mapping at all)
//    "paging":"page page-param=page first-page=0",  the paging that mapping declares
//                                       (Mapping::paging(); absent when it declares none)
//    "pages":[{"url":"...","etag":"\"a1\"","last_modified":"...","sha1":"<sha1 of the body>",
//              "records":1000}]}
//
// "pages" lists, in paging order, the pages of the last complete unfiltered harvest whose
// data is in the store: what conditional GET and unchanged-page detection compare against.
// A plain string that is not such an object (a watermark from elsewhere) reads as "since".
//
// No secret is stored: the URLs ("pages[].url", "cursor") are kept as Redactor::Url shows them
// (credential parameters and userinfo passwords as "***"), and put back from the source's
// configured URL when the state is read (RestoreUrl). A URL whose credentials the configuration
// does not hold (a token the server put in its next or delta link) cannot be put back: it is not
// kept, and the run says so: without the pages the next run fetches every page in full (one
// page cannot go alone: a 304 page's successor is the page stored after it), without its
// cursor it reads the whole source.
//
// Plain values: thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "harvest/fetch/redact.h"

namespace meabridge::harvest {

struct PageState {
  std::string url;
  std::string etag;
  std::string last_modified;
  std::string sha1;
  int64_t records = -1;  // source records on the page (-1: unknown)
};

struct SourceState {
  std::optional<core::EpochMs> since;
  std::string cursor;
  std::optional<core::EpochMs> last_full;
  std::string fingerprint;
  std::string format;
  std::string paging;
  std::vector<PageState> pages;

  std::string ToJson() const;
  // An absent watermark gives the empty state; a malformed JSON object is a Corruption error.
  static Result<SourceState> FromWatermark(const std::optional<std::string>& watermark);

  // Before the state is stored: every URL as `redactor` shows it, where RestoreUrl(shown,
  // `configured`) gives the URL back; otherwise the cursor, or all the pages, are dropped.
  // Returns a warning for what was dropped, or "".
  std::string Conceal(const Redactor& redactor, std::string_view configured);
  // After the state is read: each URL's credentials put back from `configured`.
  void Reveal(std::string_view configured);

  // The stored page for `url`, or nullptr.
  const PageState* FindPage(const std::string& url) const;
};

}  // namespace meabridge::harvest
