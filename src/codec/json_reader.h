// Streaming JSON record reader: RapidJSON's SAX Reader over a chunked ByteSource. Values at
// the record paths are built into a small JsonTree one at a time and handed to a callback,
// so memory stays flat however large the document grows; scalars at capture paths (next
// links, counts) are collected on the way.
//
// Record paths are JSON pointers with "*" for every element of an array (and every member of
// an object): "/d/results/*", "/d/*", "/value/*"; "" is the whole document. With `odata`, a
// "*" step on an object steps only into its "results" array, so "/d/*" reads both OData
// verbose shapes ({"d": [...]} and {"d": {"results": [...]}}).
//
// The document is not checked for UTF-8 here: strings are taken as they come, and the
// mapping's validation rejects the record whose mapped text is malformed (the other records
// go on). A syntax error stops the read with a ParseError giving line, column and offset.
//
// A reader is configured once and may be used by one thread at a time; Read() is reentrant
// across distinct readers.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "codec/byte_source.h"
#include "codec/json_tree.h"
#include "core/status.h"

namespace meabridge::codec {

struct JsonDecodeOptions {
  std::vector<std::string> record_paths;   // at least one
  std::vector<std::string> capture_paths;  // exact JSON pointers, no "*"
  bool odata = false;
  size_t chunk_size = 64 * 1024;
  uint32_t max_depth = 512;  // deeper nesting is a ParseError (untrusted input)
};

// Where a record is. Computed on demand (only a reject needs it), valid during the callback.
class JsonPosition {
 public:
  // The record's JSON pointer: "/d/results/17".
  virtual std::string Pointer() const = 0;

 protected:
  ~JsonPosition() = default;
};

// Called per record with its tree and its position. A non-ok status stops the read and is
// returned by Read().
using JsonRecordFn = std::function<Status(const JsonTree& record, const JsonPosition& position)>;

class JsonRecordReader {
 public:
  // InvalidArgument when a path is malformed (says which and why).
  static Result<JsonRecordReader> Create(JsonDecodeOptions options);

  // Reads the whole source. `captured` receives capture path -> scalar text for the captures
  // found (numbers as written, booleans as true/false; null and structured values are left
  // out). Returns the first error: the callback's, an IoError of the source, or a
  // ParseError "NAME:LINE:COLUMN (offset O): JSON error: ...".
  Status Read(ByteSource& source, const JsonRecordFn& on_record,
              std::map<std::string, std::string>* captured) const;

  struct Pattern {
    std::vector<std::string> segments;  // "*" is the wildcard
    bool capture = false;
    std::string text;
  };
  const std::vector<Pattern>& patterns() const { return patterns_; }
  const JsonDecodeOptions& options() const { return options_; }

 private:
  JsonDecodeOptions options_;
  std::vector<Pattern> patterns_;
};

}  // namespace meabridge::codec
