// ByteSource and ByteSink: the chunked byte streams the decoders read and the renderers write.
//
// A decoder never needs a whole document in memory (JSON and CSV are read chunk by chunk);
// a source hands out bytes in pieces of whatever size suits it. Sources and sinks are
// single-use, stateful objects: thread-compatible (one thread at a time).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

namespace meabridge::codec {

class ByteSource {
 public:
  virtual ~ByteSource() = default;

  // Reads up to `max` bytes into `buf`: the number read, 0 at the end of the input. An
  // IoError says what failed and where (the file or URL).
  // REQUIRES: max > 0
  virtual Result<size_t> Read(char* buf, size_t max) = 0;

  // What the bytes come from, for messages: a path, a URL or "(memory)".
  virtual const std::string& name() const = 0;

  // For a source whose bytes are already in memory: hands out all that is left at once
  // (valid as long as the source lives) so that a reader can skip copying it in chunks; the
  // source is then at its end. False (the default) for sources that read as they go.
  virtual bool TakeContiguous(std::string_view* /*rest*/) { return false; }

  // A source over bytes it owns.
  static std::unique_ptr<ByteSource> FromString(std::string data, std::string name = "(memory)");
  // A source over bytes it does not own. REQUIRES: `data` outlives the source.
  static std::unique_ptr<ByteSource> FromView(std::string_view data, std::string name = "(memory)");
  // A source reading a file in chunks; IoError (with the path and the reason) when the file
  // cannot be opened.
  static Result<std::unique_ptr<ByteSource>> FromFile(const std::string& path);
  // A source reading `size` bytes from `offset` of an open file it shares (a temporary file
  // holding a response body or pages kept aside), in chunks. It seeks before each read, so
  // several such sources over one file may be read in turn.
  // REQUIRES: nothing writes to the file while the source is read.
  static std::unique_ptr<ByteSource> FromFileRange(std::shared_ptr<std::FILE> file, int64_t offset,
                                                   int64_t size, std::string name);
};

// Reads what is left of `source` into one string; an IoError when it holds more than
// `limit` bytes (the decoders that need a whole document, such as XML, use it).
Result<std::string> ReadAll(ByteSource& source, size_t limit = static_cast<size_t>(1) << 32);

class ByteSink {
 public:
  virtual ~ByteSink() = default;
  // Appends `bytes`; an IoError stops the writer that called it.
  virtual Status Write(std::string_view bytes) = 0;
};

// Collects everything in memory (tests, small feeds).
class StringSink : public ByteSink {
 public:
  Status Write(std::string_view bytes) override {
    data_.append(bytes);
    return Status::Ok();
  }
  const std::string& data() const { return data_; }
  std::string Take() { return std::move(data_); }

 private:
  std::string data_;
};

// Writes to a std::ostream (the CLI's stdout); a failed stream becomes an IoError.
class OstreamSink : public ByteSink {
 public:
  explicit OstreamSink(std::ostream& out) : out_(out) {}
  Status Write(std::string_view bytes) override;

 private:
  std::ostream& out_;
};

}  // namespace meabridge::codec
