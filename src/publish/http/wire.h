// Bytes on the wire: writing a response to a connected socket in as few system calls as
// possible, chunked transfer encoding for streamed bodies, HTTP dates and gzip.
//
// Why the server writes responses itself instead of through Poco's HTTPServerResponse: Poco
// 1.11 pushes every response through its session's 4 KB buffer, so a 41 KB body costs eleven
// send() calls; measured on the benchmark machine that caps a Poco server at ~24k req/s where
// one sendmsg() of header and body reaches ~63k req/s (nginx: ~80k). See docs/publishing.md,
// "Performance". Connections are accepted and waited on by http/reactor.h, requests parsed by
// http/request_parser.h.
//
// Functions are thread-safe; a ChunkedWriter is used by one thread.
#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "publish/http/response.h"

namespace meabridge::publish::http {

// Writes every part, in order, to the socket `fd` (gathered: one sendmsg where the kernel
// takes it all), without raising SIGPIPE. IoError when the peer is gone or the socket's send
// timeout expired.
Status SendAll(int fd, const std::vector<std::string_view>& parts);

// A streamed body in chunked transfer encoding, buffered into chunks of `chunk_size` bytes.
class ChunkedWriter : public BodyWriter {
 public:
  explicit ChunkedWriter(int fd, size_t chunk_size = 64 * 1024);
  Status Write(std::string_view bytes) override;
  // Flushes and writes the last chunk. REQUIRES: called once, after the last Write.
  Status Finish();
  uint64_t bytes_written() const { return bytes_; }

 private:
  Status Flush();
  int fd_;
  size_t chunk_size_;
  std::string buf_;
  uint64_t bytes_ = 0;
  Status failed_;
};

// Compresses what is written to it as one gzip member and passes it on to `out`.
class GzipWriter : public BodyWriter {
 public:
  explicit GzipWriter(BodyWriter& out, int level = 6);
  ~GzipWriter() override;
  GzipWriter(const GzipWriter&) = delete;
  GzipWriter& operator=(const GzipWriter&) = delete;
  Status Write(std::string_view bytes) override;
  Status Finish();

 private:
  struct Impl;
  Impl* impl_;
};

// Gzip of a whole body (via Poco::DeflatingOutputStream, i.e. zlib).
std::string Gzip(std::string_view body, int level = 6);

// "Sun, 06 Nov 1994 08:49:37 GMT" (RFC 9110 IMF-fixdate).
std::string FormatHttpDate(core::EpochMs ms);
// IMF-fixdate, and the obsolete RFC 850 and asctime forms; nullopt for anything else.
std::optional<core::EpochMs> ParseHttpDate(std::string_view text);
// The current time as an HTTP date, formatted at most once per second per thread.
std::string_view CurrentHttpDate();

}  // namespace meabridge::publish::http
