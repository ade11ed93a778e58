#include "harvest/fetch/http_client.h"

#include <curl/curl.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <set>

#include "core/hash.h"
#include "core/strings.h"
#include "core/version.h"
#include "harvest/fetch/url.h"
#include "harvest/spool.h"

namespace meabridge::harvest {
namespace {

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using CurlPtr = std::unique_ptr<CURL, CurlDeleter>;
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;

bool IsRedirect(long status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

std::string HumanBytes(int64_t n) {
  char buf[32];
  if (n >= (int64_t{1} << 20)) {
    std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(n) / (1 << 20));
  } else if (n >= 1024) {
    std::snprintf(buf, sizeof buf, "%.1f KB", static_cast<double>(n) / 1024);
  } else {
    std::snprintf(buf, sizeof buf, "%lld bytes", static_cast<long long>(n));
  }
  return buf;
}

}  // namespace

struct HttpClient::Impl {
  HttpSettings settings;
  std::stop_token stop;
  CurlPtr curl;
  char error[CURL_ERROR_SIZE] = {0};

  // Per transfer.
  HttpResponse* response = nullptr;
  bool too_large = false;
  std::string spill_error;  // why writing the body aside failed
  core::Hasher hasher;

  static size_t OnBody(char* data, size_t size, size_t n, void* user) {
    auto* self = static_cast<Impl*>(user);
    size_t bytes = size * n;
    HttpResponse& r = *self->response;
    if (r.body_size + static_cast<int64_t>(bytes) > self->settings.max_size) {
      self->too_large = true;
      return 0;  // CURLE_WRITE_ERROR: stops the transfer, however much more would come
    }
    self->hasher.Update(std::string_view(data, bytes));
    r.body_size += static_cast<int64_t>(bytes);
    if (!r.spilled && static_cast<int64_t>(r.body.size() + bytes) <= self->settings.memory_bytes) {
      r.body.append(data, bytes);
      return bytes;
    }
    if (!r.spilled) {
      Result<FILE*> f = CreateAnonymousFile();
      if (!f.ok()) {
        self->spill_error = f.status().message();
        return 0;
      }
      r.spilled.reset(*f, &std::fclose);
      if (std::fwrite(r.body.data(), 1, r.body.size(), *f) != r.body.size()) {
        self->spill_error = std::strerror(errno);
        return 0;
      }
      std::string().swap(r.body);
    }
    if (std::fwrite(data, 1, bytes, r.spilled.get()) != bytes) {
      self->spill_error = std::strerror(errno);
      return 0;
    }
    return bytes;
  }

  static size_t OnHeader(char* data, size_t size, size_t n, void* user) {
    auto* self = static_cast<Impl*>(user);
    size_t bytes = size * n;
    std::string_view line(data, bytes);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
    HttpResponse& r = *self->response;
    if (line.rfind("HTTP/", 0) == 0) {
      // A new response (after 1xx): start over.
      r.etag.clear();
      r.last_modified.clear();
      r.date.clear();
      r.link.clear();
      r.retry_after.clear();
      r.content_type.clear();
      r.reason.clear();
      size_t sp1 = line.find(' ');
      size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
      if (sp2 != std::string_view::npos) r.reason = std::string(core::Trim(line.substr(sp2 + 1)));
      return bytes;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) return bytes;
    std::string name = core::AsciiLower(core::Trim(line.substr(0, colon)));
    std::string value(core::Trim(line.substr(colon + 1)));
    if (name == "etag") {
      r.etag = value;
    } else if (name == "last-modified") {
      r.last_modified = value;
    } else if (name == "date") {
      r.date = value;
    } else if (name == "link") {
      r.link = r.link.empty() ? value : r.link + ", " + value;
    } else if (name == "retry-after") {
      r.retry_after = value;
    } else if (name == "content-type") {
      r.content_type = value;
    }
    return bytes;
  }

  static int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    auto* self = static_cast<Impl*>(user);
    return self->stop.stop_requested() ? 1 : 0;
  }
};

HttpClient::HttpClient(HttpSettings settings, Redactor redactor, std::stop_token stop)
    : impl_(std::make_unique<Impl>()), redactor_(std::move(redactor)) {
  GlobalInit();
  impl_->settings = std::move(settings);
  impl_->stop = std::move(stop);
  impl_->curl.reset(curl_easy_init());
}

HttpClient::~HttpClient() = default;

std::unique_ptr<codec::ByteSource> HttpResponse::Body(std::string name) const {
  if (spilled) return codec::ByteSource::FromFileRange(spilled, 0, body_size, std::move(name));
  return codec::ByteSource::FromView(body, std::move(name));
}

std::string StatusLine(const HttpResponse& response) {
  std::string s = "HTTP " + std::to_string(response.status);
  if (!response.reason.empty()) s += " " + response.reason;
  return s;
}

Result<HttpResponse> HttpClient::Get(const HttpRequest& request) {
  Impl& im = *impl_;
  CURL* c = im.curl.get();
  if (!c) return Status::Internal("libcurl could not create a handle");
  const HttpSettings& st = im.settings;

  HttpResponse out;
  std::string url = request.url;
  std::vector<std::string> chain;
  std::set<std::string> seen;
  for (int hop = 0;; ++hop) {
    std::optional<Url> parsed = Url::Parse(url);
    if (!parsed || (parsed->scheme != "http" && parsed->scheme != "https")) {
      std::string shown = redactor_.Url(url);
      if (hop == 0)
        return Status::IoError("refusing " + shown + ": only http and https URLs are fetched");
      return Status::IoError("refusing the redirect from " + redactor_.Url(chain.back()) + " to " +
                             shown + ": only http and https URLs are followed");
    }
    chain.push_back(url);
    seen.insert(url);
    const bool same_origin = parsed->Origin() == st.credential_origin;

    curl_easy_reset(c);
    im.error[0] = 0;
    HttpResponse r;
    im.response = &r;
    im.too_large = false;
    im.spill_error.clear();
    im.hasher.Begin();
    SlistPtr headers;
    auto add = [&](const std::string& h) {
      headers.reset(curl_slist_append(headers.release(), h.c_str()));
    };
    if (!st.accept.empty()) add("Accept: " + st.accept);
    for (const auto& [k, v] : st.headers) add(k + ": " + v);
    if (same_origin && st.auth == "bearer") add("Authorization: Bearer " + st.secret);
    if (same_origin && st.auth == "header") add(st.auth_header + ": " + st.secret);
    if (hop == 0 && !request.if_none_match.empty()) add("If-None-Match: " + request.if_none_match);
    if (hop == 0 && !request.if_modified_since.empty()) {
      add("If-Modified-Since: " + request.if_modified_since);
    }

    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    if (headers) curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
    if (same_origin && st.auth == "basic") {
      curl_easy_setopt(c, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
      curl_easy_setopt(c, CURLOPT_USERNAME, st.auth_user.c_str());
      curl_easy_setopt(c, CURLOPT_PASSWORD, st.secret.c_str());
    }
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");  // every encoding libcurl can decode
    curl_easy_setopt(c, CURLOPT_USERAGENT, kUserAgent);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(st.connect_timeout_ms));
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(st.timeout_ms));
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(st.max_size));
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, st.tls_verify ? 1L : 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, st.tls_verify ? 2L : 0L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, im.error);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &Impl::OnBody);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &im);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &Impl::OnHeader);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &im);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, &Impl::OnProgress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, &im);

    CURLcode code = curl_easy_perform(c);
    im.response = nullptr;
    curl_off_t down = 0;
    long header_size = 0;
    curl_easy_getinfo(c, CURLINFO_SIZE_DOWNLOAD_T, &down);
    curl_easy_getinfo(c, CURLINFO_HEADER_SIZE, &header_size);
    out.wire_bytes += static_cast<int64_t>(down) + header_size;
    const std::string shown = redactor_.Url(url);
    if (code != CURLE_OK) {
      std::string detail = im.error[0] ? redactor_.Text(im.error) : curl_easy_strerror(code);
      switch (code) {
        case CURLE_ABORTED_BY_CALLBACK:
          return Status::Aborted("GET " + shown + ": stopped (shutdown or run timeout)");
        case CURLE_WRITE_ERROR:
        case CURLE_FILESIZE_EXCEEDED:
          if (!im.spill_error.empty()) {
            return Status::IoError("GET " + shown +
                                   ": writing the response aside in the temporary folder failed: " +
                                   im.spill_error + " (is the disk full? set TMPDIR)");
          }
          if (im.too_large || code == CURLE_FILESIZE_EXCEEDED) {
            return Status::IoError("GET " + shown + ": the response is larger than max-size (" +
                                   HumanBytes(st.max_size) +
                                   ", counted after decompression); raise max-size if it is "
                                   "genuine");
          }
          return Status::IoError("GET " + shown + ": " + detail);
        case CURLE_OPERATION_TIMEDOUT:
          return Status::Unavailable("GET " + shown + ": timed out (" + detail +
                                     "; the source's timeout is " +
                                     (st.timeout_ms % 1000 == 0
                                          ? std::to_string(st.timeout_ms / 1000) + "s"
                                          : std::to_string(st.timeout_ms) + "ms") +
                                     ")");
        case CURLE_COULDNT_CONNECT:
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_RESOLVE_PROXY:
        case CURLE_RECV_ERROR:
        case CURLE_SEND_ERROR:
        case CURLE_GOT_NOTHING:
        case CURLE_PARTIAL_FILE:
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_HTTP2:
        case CURLE_HTTP2_STREAM:
          return Status::Unavailable("GET " + shown + ": " + detail);
        case CURLE_PEER_FAILED_VERIFICATION:
          return Status::IoError("GET " + shown + ": TLS verification failed: " + detail +
                                 " (fix the server's certificate; tls-verify=\"false\" only for a "
                                 "test server)");
        case CURLE_UNSUPPORTED_PROTOCOL:
          // The URL's scheme was checked above: libcurl says this when the server's answer is
          // not HTTP ("Received HTTP/0.9 when not allowed"): another service on that port.
          return Status::IoError("GET " + shown + ": the server's answer is not HTTP (" + detail +
                                 "); check the host and port (another service listens there, or "
                                 "it speaks https where the URL says http)");
        default:
          return Status::IoError("GET " + shown + ": " + detail);
      }
    }
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    r.status = status;
    if (IsRedirect(status)) {
      char* location = nullptr;
      curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &location);
      if (location && *location) {
        std::string next = location;
        if (hop + 1 > st.max_redirects) {
          return Status::IoError("GET " + redactor_.Url(request.url) + ": more than " +
                                 std::to_string(st.max_redirects) +
                                 " redirects (max-redirects); the last pointed at " +
                                 redactor_.Url(next));
        }
        if (seen.count(next)) {
          std::string loop;
          for (const std::string& u : chain) loop += redactor_.Url(u) + " -> ";
          return Status::IoError("GET " + redactor_.Url(request.url) + ": redirect loop: " + loop +
                                 redactor_.Url(next));
        }
        url = std::move(next);
        ++out.redirects;
        continue;
      }
    }
    r.url = url;
    r.body_sha1 = im.hasher.Finish();
    if (r.spilled && std::fflush(r.spilled.get()) != 0) {
      return Status::IoError("GET " + shown +
                             ": writing the response aside in the temporary folder failed: " +
                             std::strerror(errno) + " (is the disk full? set TMPDIR)");
    }
    r.wire_bytes = out.wire_bytes;
    r.redirects = out.redirects;
    return r;
  }
}

Fetcher::Fetcher(HttpClient& client, RetryPolicy policy, core::Clock& clock, Waiter& waiter,
                 std::stop_token stop, std::function<void(std::string)> warn,
                 std::function<double()> random01)
    : client_(client),
      policy_(policy),
      clock_(clock),
      waiter_(waiter),
      stop_(std::move(stop)),
      warn_(std::move(warn)),
      random01_(std::move(random01)),
      rng_(static_cast<uint64_t>(clock.MonotonicMs()) * 0x9E3779B97F4A7C15ull) {
  if (!random01_) {
    random01_ = [this] { return std::uniform_real_distribution<double>(0.0, 1.0)(rng_); };
  }
}

Result<HttpResponse> Fetcher::Fetch(const HttpRequest& request) {
  const std::string shown = client_.redactor().Url(request.url);
  for (int attempt = 0;; ++attempt) {
    Result<HttpResponse> r = client_.Get(request);
    std::string problem;
    std::optional<int64_t> retry_after;
    if (!r.ok()) {
      if (r.status().code() != Status::Code::kUnavailable) return r.status();
      problem = r.status().message();
    } else if (IsRetryableStatus(r->status)) {
      problem = "GET " + shown + ": " + StatusLine(*r);
      if (!r->retry_after.empty()) retry_after = ParseRetryAfterMs(r->retry_after, clock_.NowMs());
    } else {
      return r;
    }
    if (attempt >= policy_.retries) {
      std::string tries = std::to_string(attempt + 1) + (attempt == 0 ? " try" : " tries");
      return Status::Unavailable(problem + " (gave up after " + tries + "; retries=\"" +
                                 std::to_string(policy_.retries) + "\")");
    }
    int64_t delay = policy_.BackoffMs(attempt + 1, random01_);
    std::string why = "backoff";
    if (retry_after) {
      if (*retry_after > policy_.max_delay_ms) {
        return Status::Unavailable(
            problem + ": the server asks to retry after " + std::to_string(*retry_after / 1000) +
            "s, longer than retry-max-delay (" + std::to_string(policy_.max_delay_ms / 1000) +
            "s); the run stops here and the next one tries again");
      }
      delay = *retry_after;
      why = "Retry-After";
    }
    if (warn_) {
      char secs[32];
      std::snprintf(secs, sizeof secs, "%.1fs", static_cast<double>(delay) / 1000);
      warn_(problem + "; retry " + std::to_string(attempt + 1) + " of " +
            std::to_string(policy_.retries) + " in " + secs + " (" + why + ")");
    }
    ++retries_done_;
    if (!waiter_.Wait(delay, stop_)) {
      return Status::Aborted("GET " + shown + ": stopped while waiting to retry");
    }
  }
}

}  // namespace meabridge::harvest
