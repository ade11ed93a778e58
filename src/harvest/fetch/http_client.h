// One HTTP(S) client per harvest run, over one libcurl easy handle: every page of a run goes
// through the same handle, so the connection is reused (keep-alive) across pages.
//
// What it enforces on every request:
//  - http and https only, for the first URL and for every redirect (followed here, not by
//    libcurl, so that each hop is checked, counted against the redirect limit, and loops are
//    named); credentials (auth header, basic auth) go only to the origin they were configured
//    for, never to another host a redirect points at;
//  - gzip/deflate (and whatever else libcurl decodes) asked for with Accept-Encoding;
//  - connect and total timeouts; a maximum response size counted on the decoded bytes, so a
//    gzip bomb stops at the limit; TLS verification unless the source turned it off;
//  - a body is kept in memory up to HttpSettings::memory_bytes (4 MB); the rest of a larger
//    one goes to an anonymous temporary file as it arrives, so what a response costs in
//    memory does not grow with its size (a gzip bomb stopped at a 256 MB max-size costs
//    4 MB and libcurl's buffers); its SHA-1 is computed as it arrives;
//  - `User-Agent: meabridge/<version>`; conditional GET when the request carries validators;
//  - a stop request (the daemon's shutdown, a run timeout) aborts the transfer at once.
// URLs in messages are redacted (fetch/redact.h).
//
// Fetcher adds the retries: 429, 5xx and connection errors are retried with exponential
// backoff and jitter, honouring Retry-After, a bounded number of times.
//
// Threads: an HttpClient and its Fetcher belong to one run, used by one thread at a time.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <stop_token>
#include <string>
#include <utility>
#include <vector>

#include "codec/byte_source.h"
#include "core/clock.h"
#include "core/status.h"
#include "harvest/fetch/redact.h"
#include "harvest/fetch/retry.h"

namespace meabridge::harvest {

struct HttpSettings {
  int64_t connect_timeout_ms = 10000;
  int64_t timeout_ms = 120000;
  int64_t max_size = int64_t{256} << 20;  // decoded bytes per response
  int64_t memory_bytes = int64_t{4} << 20;  // decoded bytes kept in memory; the rest on disk
  int max_redirects = 5;
  bool tls_verify = true;
  std::string accept;                                        // the Accept header ("" = none)
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers, every request
  // Credentials, sent only to `credential_origin` (Url::Origin() of the source's URL).
  std::string auth = "none";  // none, bearer, basic, header
  std::string auth_user;
  std::string auth_header;
  std::string secret;
  std::string credential_origin;
};

struct HttpRequest {
  std::string url;
  std::string if_none_match;      // an ETag from an earlier run, or ""
  std::string if_modified_since;  // a Last-Modified from an earlier run, or ""
};

struct HttpResponse {
  long status = 0;
  std::string reason;  // "Not Found"
  std::string url;     // the URL that answered (after redirects)
  // The decoded body: in `body` when it fits in HttpSettings::memory_bytes; otherwise in
  // `spilled`, an anonymous temporary file, and `body` is empty. Body() reads either.
  std::string body;
  std::shared_ptr<std::FILE> spilled;
  int64_t body_size = 0;
  std::string body_sha1;  // lower-case hex SHA-1 of the decoded body (core::ContentHash)
  // Response headers the harvester reads ("" when absent); Link joins repeated headers.
  std::string etag, last_modified, date, link, retry_after, content_type;
  int64_t wire_bytes = 0;  // bytes received, headers included, before decoding
  int redirects = 0;

  // The body as a byte source named `name` (the redacted URL, for messages).
  // REQUIRES: the response outlives the source.
  std::unique_ptr<codec::ByteSource> Body(std::string name) const;
};

class HttpClient {
 public:
  HttpClient(HttpSettings settings, Redactor redactor, std::stop_token stop);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // One try, following redirects. Any HTTP status is a response; a transport failure is a
  // Status: Unavailable when another try may help (connection refused or reset, timeout, an
  // incomplete body), IoError when not (too large, a refused protocol, a redirect loop, a
  // TLS failure), Aborted when the stop was requested.
  Result<HttpResponse> Get(const HttpRequest& request);

  const Redactor& redactor() const { return redactor_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  Redactor redactor_;
};

// "HTTP 404 Not Found"
std::string StatusLine(const HttpResponse& response);

class Fetcher {
 public:
  // `warn` receives one line per retry (for the run report); `random01` drives the jitter
  // (nullptr: a seeded std::mt19937).
  Fetcher(HttpClient& client, RetryPolicy policy, core::Clock& clock, Waiter& waiter,
          std::stop_token stop, std::function<void(std::string)> warn,
          std::function<double()> random01 = nullptr);

  // Tries `request` until the answer is not worth retrying. Returns responses of every status
  // but the retryable ones (2xx, 304, 4xx other than 408/425/429, 501, 505); a retryable status
  // or transport error that outlasts the retries comes back as Unavailable, naming the URL,
  // the last status or error and the number of tries.
  Result<HttpResponse> Fetch(const HttpRequest& request);

  int64_t retries_done() const { return retries_done_; }

 private:
  HttpClient& client_;
  RetryPolicy policy_;
  core::Clock& clock_;
  Waiter& waiter_;
  std::stop_token stop_;
  std::function<void(std::string)> warn_;
  std::function<double()> random01_;
  std::mt19937_64 rng_;
  int64_t retries_done_ = 0;
};

}  // namespace meabridge::harvest
