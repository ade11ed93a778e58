// The http source kind: pages fetched with libcurl (fetch/http_client.h), paged as the source
// says (paging/paging.h), each page decoded through the mapping into the spool.
//
// Unchanged pages: when the mapping, its parameters and meabridge are those of the last
// complete harvest (and this is no full reconciliation), each page is asked for with the
// validators stored for its URL (If-None-Match, If-Modified-Since; unless conditional="false").
// A 304, or a body whose SHA-1 equals the stored one, is an unchanged page: it is not decoded,
// and the next URL is the one stored after it. When every page is unchanged the run is "not
// modified": nothing is decoded or written. When some changed and the deletion policy needs
// every id of the full harvest, the unchanged pages are decoded after all (bodies kept in a
// temporary file; 304 pages fetched again).
#include <cerrno>
#include <cstring>
#include <optional>
#include <unordered_map>
#include <vector>

#include "core/percent.h"
#include "core/strings.h"
#include "harvest/fetch/http_client.h"
#include "harvest/fetch/url.h"
#include "harvest/paging/paging.h"
#include "harvest/sources/source.h"

namespace meabridge::harvest {
namespace {

// Appends the body of `resp` to `file`; where it starts.
Result<int64_t> KeepAside(const HttpResponse& resp, const std::string& shown, FILE* file) {
  auto failed = [] {
    return Status::IoError("writing a page aside in the temporary folder failed: " +
                           std::string(std::strerror(errno)) + " (is the disk full? set TMPDIR)");
  };
  if (std::fseek(file, 0, SEEK_END) != 0) return failed();
  const int64_t offset = std::ftell(file);
  std::unique_ptr<codec::ByteSource> in = resp.Body(shown);
  std::vector<char> buf(64 * 1024);
  for (;;) {
    MB_ASSIGN_OR_RETURN(size_t n, in->Read(buf.data(), buf.size()));
    if (n == 0) break;
    if (std::fwrite(buf.data(), 1, n, file) != n) return failed();
  }
  if (std::fflush(file) != 0) return failed();
  return offset;
}

std::string AcceptFor(const std::string& format) {
  if (format == "json") return "application/json";
  if (format == "xml") return "application/atom+xml, application/xml;q=0.9, text/xml;q=0.8";
  if (format == "csv") return "text/csv, text/plain;q=0.9";
  return "";
}

std::string Hint(long status) {
  if (status == 401 || status == 403) {
    return "; check the source's auth, auth-user and secret (an expired or wrong token?)";
  }
  if (status == 404) return "; check the source's url";
  if (status == 400) return "; the server refuses the query: check the url and since-filter";
  return "";
}

// A page kept aside: its body in the raw file, or to be fetched again (a 304).
struct Deferred {
  int page = 0;
  std::string url;
  bool refetch = false;
  int64_t offset = 0;
  int64_t size = 0;
};

class HttpSource final : public Source {
 public:
  explicit HttpSource(const config::SourceConfig& cfg) : cfg_(cfg) {}

  Status Read(RunContext& ctx) override;
  Result<bool> Exists(RunContext& ctx, const std::string& id) override;

 private:
  void Connect(RunContext& ctx);
  Status Decode(RunContext& ctx, int page, const std::string& url, codec::ByteSource& body,
                std::map<std::string, std::string>* captured, mapping::DocumentInfo* info);
  Status ReadFrom(RunContext& ctx, const std::string& start, bool cursor_run);
  std::string AutoEndDoubt(int page, const std::string& shown, size_t on_page, bool saw_next_link,
                           int64_t received, const std::string& count) const;

  const config::SourceConfig& cfg_;
  std::unique_ptr<HttpClient> client_;
  std::unique_ptr<Fetcher> fetcher_;
  std::shared_ptr<FILE> raw_;  // bodies of unchanged pages kept aside (Deferred)
};

void HttpSource::Connect(RunContext& ctx) {
  if (client_) return;
  HttpSettings s;
  s.connect_timeout_ms = cfg_.connect_timeout_ms;
  s.timeout_ms = cfg_.timeout_ms;
  s.max_size = cfg_.max_size;
  s.max_redirects = cfg_.max_redirects;
  s.tls_verify = cfg_.tls_verify;
  bool has_accept = false;
  for (const config::HeaderConfig& h : cfg_.headers) {
    s.headers.emplace_back(h.name, h.value);
    has_accept = has_accept || core::EqualsIgnoreCase(h.name, "accept");
  }
  if (!has_accept) s.accept = AcceptFor(ctx.format);
  s.auth = cfg_.auth;
  s.auth_user = cfg_.auth_user;
  s.auth_header = cfg_.auth_header;
  s.secret = ctx.secret;
  if (std::optional<Url> u = Url::Parse(cfg_.url)) s.credential_origin = u->Origin();
  client_ = std::make_unique<HttpClient>(std::move(s), ctx.redactor, ctx.stop);
  RetryPolicy policy;
  policy.retries = cfg_.retries;
  policy.base_delay_ms = cfg_.retry_delay_ms;
  policy.max_delay_ms = cfg_.retry_max_delay_ms;
  fetcher_ = std::make_unique<Fetcher>(
      *client_, policy, ctx.clock, ctx.waiter, ctx.stop,
      [&ctx](std::string w) { ctx.Warn(std::move(w)); }, ctx.random01);
}

Status HttpSource::Decode(RunContext& ctx, int page, const std::string& url,
                          codec::ByteSource& body, std::map<std::string, std::string>* captured,
                          mapping::DocumentInfo* info) {
  MB_ASSIGN_OR_RETURN(const mapping::Mapping* m, ctx.mapping());
  std::vector<std::string> captures = NextLinkCaptures(ctx.format);
  for (std::string& c : DeltaLinkCaptures(ctx.format)) captures.push_back(std::move(c));
  for (std::string& c : CountCaptures(ctx.format)) captures.push_back(std::move(c));
  Result<mapping::DocumentInfo> r = m->Run(body, ctx.params, ctx.spool, captures);
  if (!r.ok()) {
    if (r.status().code() == Status::Code::kAborted) return r.status();
    return r.status().WithContext("page " + std::to_string(page) + " (" + ctx.redactor.Url(url) +
                                  ")");
  }
  for (const std::string& w : r->warnings) ctx.Warn("page " + std::to_string(page) + ": " + w);
  *captured = std::move(r->captured);
  *info = std::move(*r);
  return Status::Ok();
}

// paging="auto" with no declared paging ended on a page without a next link: "" when that is
// surely the end, else why it may not be (the run is then partial).
std::string HttpSource::AutoEndDoubt(int page, const std::string& shown, size_t on_page,
                                     bool saw_next_link, int64_t received,
                                     const std::string& count) const {
  const std::string what =
      "; the run is partial. Say how this source pages: paging=\"page\", \"offset\" or "
      "\"skip\" (paging=\"none\" if it is one document), or use a mapping that declares "
      "<paging> (docs/harvesting.md#paging)";
  if (std::optional<int64_t> total = core::ParseInt(count); total && *total > received) {
    return "paging ended at page " + std::to_string(page) + " (" + shown +
           ") without a next link, but the server counts " + std::to_string(*total) +
           " records and this run received " + std::to_string(received) + what;
  }
  if (!saw_next_link && page == 1 && on_page > 0 &&
      on_page == static_cast<size_t>(cfg_.page_size)) {
    return "page 1 (" + shown + ") held " + std::to_string(on_page) +
           " records, as many as page-size, and no next link: paging=\"auto\" cannot tell the "
           "end of the source from a server's page" +
           what;
  }
  return "";
}

Status HttpSource::Read(RunContext& ctx) {
  Connect(ctx);
  const bool cursor_mode = cfg_.incremental == "cursor";
  if (ctx.incremental && cursor_mode && !ctx.previous.cursor.empty()) {
    Status s = ReadFrom(ctx, ctx.previous.cursor, true);
    if (s.code() != Status::Code::kFailedPrecondition) return s;
    // The delta link expired: read everything instead.
    ctx.Warn(s.message());
    ctx.incremental = false;
    ctx.full = true;
    ctx.since.reset();
  }
  std::string start = cfg_.url;
  if (ctx.incremental && ctx.since) {
    std::string since = FormatSince(*ctx.since, cfg_.since_format);
    if (cfg_.incremental == "filter") {
      std::string filter = cfg_.since_filter;
      for (size_t at; (at = filter.find("{since}")) != std::string::npos;) {
        filter.replace(at, 7, since);
      }
      start = AndODataFilter(start, filter);
    } else if (cfg_.incremental == "param") {
      start = SetQueryParam(start, cfg_.since_param, since);
    }
  }
  return ReadFrom(ctx, start, false);
}

Status HttpSource::ReadFrom(RunContext& ctx, const std::string& start, bool cursor_run) {
  Result<PagingSettings> settings = ResolvePaging(cfg_.paging, cfg_.page_size, cfg_.page_param,
                                                  cfg_.size_param, cfg_.first_page, ctx.paging);
  if (!settings.ok()) return settings.status().WithContext("source '" + cfg_.name + "'");
  if (cursor_run) *settings = PagingSettings{};  // a delta link pages by its own next links
  Pager pager(*settings, start);
  PageGuard guard(cfg_.max_pages);
  const bool auto_paging = settings->style == PagingStyle::kAuto;
  bool saw_next_link = false;  // some page of this run gave a next link
  int64_t received = 0;        // source records on the pages so far
  int64_t undecoded = 0;       // of them, on unchanged pages not decoded

  // Validators and page hashes of the last complete harvest, when they still apply.
  const bool use_state = !ctx.reconcile && !ctx.incremental && !cursor_run &&
                         !ctx.previous.pages.empty() && ctx.previous.fingerprint == ctx.fingerprint;
  std::unordered_map<std::string, size_t> stored;
  if (use_state) {
    for (size_t i = 0; i < ctx.previous.pages.size(); ++i)
      stored.emplace(ctx.previous.pages[i].url, i);
  }

  std::vector<PageState> pages;
  std::vector<Deferred> deferred;
  bool any_changed = false;
  std::string delta_link;
  std::string url = pager.first_url();
  for (int page = 1;; ++page) {
    if (ctx.stop.stop_requested()) return Status::Aborted("stopped (shutdown or run timeout)");
    if (std::string w = guard.BeforeRequest(page, url); !w.empty()) {
      ctx.Incomplete(w);
      break;
    }
    HttpRequest req;
    req.url = url;
    const PageState* before = nullptr;
    size_t before_index = 0;
    if (auto it = stored.find(url); it != stored.end()) {
      before_index = it->second;
      before = &ctx.previous.pages[before_index];
      if (cfg_.conditional) {
        req.if_none_match = before->etag;
        req.if_modified_since = before->last_modified;
      }
    }
    Result<HttpResponse> resp = fetcher_->Fetch(req);
    if (!resp.ok()) {
      if (resp.status().code() == Status::Code::kAborted) return resp.status();
      return resp.status().WithContext("source '" + cfg_.name + "', page " + std::to_string(page));
    }
    ++ctx.pages;
    ctx.bytes += resp->wire_bytes;
    if (page == 1 && !ctx.server_time) ctx.server_time = ParseHttpDate(resp->date);
    const long status = resp->status;
    const std::string shown = ctx.redactor.Url(url);
    bool unchanged = false;
    std::string sha1;
    if (status == 304) {
      if (!before) {
        return Status::IoError("source '" + cfg_.name + "': GET " + shown +
                               " answered 304 Not Modified to a request without validators");
      }
      unchanged = true;
      sha1 = before->sha1;
    } else if (status >= 200 && status < 300) {
      sha1 = resp->body_sha1;
      unchanged = before && before->sha1 == sha1;
    } else if (status == 404 || status == 410) {
      if (cursor_run && page == 1) {
        return Status::FailedPrecondition("the delta link of the last run (" + shown +
                                          ") answered " + StatusLine(*resp) +
                                          ": this run reads everything");
      }
      if (page == 1) {
        if (cfg_.not_found != "empty") {
          return Status::IoError(
              "source '" + cfg_.name + "': the collection GET " + shown + " answered " +
              StatusLine(*resp) +
              ": the run fails and the last good data stays; check the source's url, or, if "
              "this source answers so when it holds nothing, set not-found=\"empty\"");
        }
        // An empty collection: the deletion policy and its guard see an empty answer.
        ctx.Warn("GET " + shown + " answered " + StatusLine(*resp) +
                 ": taken as an empty collection (not-found=\"empty\"); the watermark stays "
                 "where it was");
        ctx.hold_watermark = true;
        any_changed = true;
        break;
      }
      if (pager.EndsOn404()) break;
      return Status::IoError("source '" + cfg_.name + "', page " + std::to_string(page) + ": GET " +
                             shown + " answered " + StatusLine(*resp) + Hint(status));
    } else {
      return Status::IoError("source '" + cfg_.name + "', page " + std::to_string(page) + ": GET " +
                             shown + " answered " + StatusLine(*resp) + Hint(status));
    }
    if (std::string w = guard.AfterPage(page, shown, sha1); !w.empty()) {
      ctx.Incomplete(w);
      break;
    }
    PageState ps{url, resp->etag, resp->last_modified, sha1, -1};
    if (unchanged) {
      if (ps.etag.empty()) ps.etag = before->etag;
      if (ps.last_modified.empty()) ps.last_modified = before->last_modified;
      ps.records = before->records;
    }

    std::optional<std::string> next;
    if (unchanged) {
      if (ctx.needs_all_ids) {
        Deferred d;
        d.page = page;
        d.url = url;
        if (status == 304) {
          d.refetch = true;
        } else {
          if (!raw_) {
            MB_ASSIGN_OR_RETURN(FILE * f, CreateAnonymousFile());
            raw_.reset(f, &std::fclose);
          }
          MB_ASSIGN_OR_RETURN(d.offset, KeepAside(*resp, shown, raw_.get()));
          d.size = resp->body_size;
        }
        deferred.push_back(std::move(d));
      }
      if (before->records > 0) {
        received += before->records;
        undecoded += before->records;
      }
      if (pager.Generates() && before->records >= 0) {
        // The pager makes the URLs: it advances by the records the page held last time.
        PageFacts facts;
        facts.url = url;
        facts.records = static_cast<size_t>(before->records);
        next = pager.Next(facts);
      } else if (before_index + 1 < ctx.previous.pages.size()) {
        next = ctx.previous.pages[before_index + 1].url;
      }
      pages.push_back(ps);
      ctx.ReportProgress("fetch");
    } else {
      any_changed = true;
      std::map<std::string, std::string> captured;
      mapping::DocumentInfo info;
      ctx.spool.BeginPage();
      std::unique_ptr<codec::ByteSource> body = resp->Body(shown);
      MB_RETURN_IF_ERROR(Decode(ctx, page, url, *body, &captured, &info));
      Spool::PageCounts counts = ctx.spool.EndPage();
      ctx.ReportProgress("fetch");
      if (page > 1 && counts.records > 0 && counts.duplicates == counts.records) {
        ctx.Incomplete("paging stopped: every record of page " + std::to_string(page) + " (" +
                       shown +
                       ") repeats an id from an earlier page; the server's paging overlaps");
        break;
      }
      PageFacts facts;
      facts.url = resp->url.empty() ? url : resp->url;
      facts.body_next = FirstCaptured(NextLinkCaptures(ctx.format), captured);
      facts.link_next = NextFromLinkHeader(resp->link);
      facts.records = info.records + info.rejects + info.skipped;
      ps.records = static_cast<int64_t>(facts.records);
      pages.push_back(ps);
      if (std::string d = FirstCaptured(DeltaLinkCaptures(ctx.format), captured); !d.empty()) {
        delta_link = ResolveUrl(facts.url, d).value_or(d);
      }
      next = pager.Next(facts);
      saw_next_link = saw_next_link || !facts.body_next.empty() || !facts.link_next.empty();
      received += static_cast<int64_t>(facts.records + info.deleted);
      if (!next && auto_paging) {
        std::string doubt = AutoEndDoubt(page, shown, facts.records, saw_next_link, received,
                                         FirstCaptured(CountCaptures(ctx.format), captured));
        if (!doubt.empty()) ctx.Incomplete(std::move(doubt));
      }
    }
    if (!next) break;
    url = *next;
  }

  ctx.not_modified = use_state && !any_changed && ctx.complete;
  if (!(any_changed && ctx.needs_all_ids)) ctx.undecoded_records += undecoded;
  if (any_changed && ctx.needs_all_ids) {
    for (const Deferred& d : deferred) {
      std::optional<HttpResponse> refetched;
      std::unique_ptr<codec::ByteSource> body;
      if (d.refetch) {
        HttpRequest req;
        req.url = d.url;
        Result<HttpResponse> resp = fetcher_->Fetch(req);
        if (!resp.ok())
          return resp.status().WithContext("source '" + cfg_.name + "', page " +
                                           std::to_string(d.page));
        ctx.bytes += resp->wire_bytes;
        if (resp->status < 200 || resp->status >= 300) {
          return Status::IoError("source '" + cfg_.name + "', page " + std::to_string(d.page) +
                                 ": GET " + ctx.redactor.Url(d.url) + " answered " +
                                 StatusLine(*resp) + Hint(resp->status));
        }
        refetched = std::move(*resp);
        body = refetched->Body(ctx.redactor.Url(d.url));
      } else {
        body = codec::ByteSource::FromFileRange(raw_, d.offset, d.size, ctx.redactor.Url(d.url));
      }
      std::map<std::string, std::string> captured;
      mapping::DocumentInfo info;
      MB_RETURN_IF_ERROR(Decode(ctx, d.page, d.url, *body, &captured, &info));
      ctx.ReportProgress("decode");
    }
  }
  // What the next run compares against: the pages of a complete, unfiltered harvest.
  // (An incremental run leaves them as they were; run.cc drops them when it changes data.)
  if (ctx.complete && !ctx.incremental && !cursor_run) {
    ctx.next.pages = std::move(pages);
  } else if (!ctx.incremental && !cursor_run) {
    ctx.next.pages.clear();
  }
  if (cfg_.incremental == "cursor") {
    if (!delta_link.empty()) {
      ctx.next.cursor = delta_link;
    } else if (ctx.complete) {
      ctx.Warn(
          "incremental=\"cursor\": the server gave no delta link (@odata.deltaLink); the "
          "next run reads everything again");
      ctx.next.cursor.clear();
    }
  }
  return Status::Ok();
}

Result<bool> HttpSource::Exists(RunContext& ctx, const std::string& id) {
  Connect(ctx);
  std::string tmpl = cfg_.probe_url;
  if (tmpl.empty()) tmpl = WithoutQuery(cfg_.url) + "('{id}')";
  std::string key = id;
  if (tmpl.find("'{id}'") != std::string::npos) {
    // An OData string key: a quote inside it is doubled.
    std::string doubled;
    for (char c : key) doubled += c == '\'' ? std::string("''") : std::string(1, c);
    key = doubled;
  }
  std::string url = tmpl;
  std::string encoded = core::PercentEncode(key);
  for (size_t at; (at = url.find("{id}")) != std::string::npos;) url.replace(at, 4, encoded);
  HttpRequest req;
  req.url = url;
  Result<HttpResponse> resp = fetcher_->Fetch(req);
  if (!resp.ok())
    return resp.status().WithContext("source '" + cfg_.name + "': probing '" + id + "'");
  ctx.bytes += resp->wire_bytes;
  ++ctx.pages;
  if (resp->status >= 200 && resp->status < 300) return true;
  if (resp->status == 404 || resp->status == 410) return false;
  return Status::IoError("source '" + cfg_.name + "': probing record '" + id + "': GET " +
                         ctx.redactor.Url(url) + " answered " + StatusLine(*resp) +
                         Hint(resp->status));
}

}  // namespace

void RegisterHttpSource(SourceRegistry& registry) {
  registry.Add("http", [](const config::SourceConfig& cfg) -> Result<std::unique_ptr<Source>> {
    return std::unique_ptr<Source>(std::make_unique<HttpSource>(cfg));
  });
}

}  // namespace meabridge::harvest
