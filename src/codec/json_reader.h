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
// Encoding errors stay in their record: a string (or member name) inside a record that holds
// a lone UTF-16 surrogate ("\ud800"), an invalid escape ("\x41") or malformed UTF-8 is read
// with U+FFFD in place of the bad part, and the record arrives with the damage described
// (JsonPosition::damage(): where, which bytes, shown escaped), so the mapping rejects that
// record and the others go on. The same in a string outside the records (the envelope) stops
// the read with a ParseError. Any other syntax error stops the read with a ParseError giving
// line, column and offset.
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

// A string of a record that could not be read as it was written.
struct JsonDamage {
  std::string member;  // where in the record: "title/en", "files/0/url" ("" for the record)
  std::string bytes;   // the bad part as written, escaped for display: "\ud800", "caf\xe9"
  std::string what;    // "a lone UTF-16 surrogate", "an invalid escape", "malformed UTF-8"
  size_t offset = 0;   // byte offset in the document
};

// Where a record is. Computed on demand (only a reject needs it), valid during the callback.
class JsonPosition {
 public:
  // The record's JSON pointer: "/d/results/17".
  virtual std::string Pointer() const = 0;
  // The record's encoding errors (empty for almost every record).
  virtual const std::vector<JsonDamage>& damage() const = 0;

 protected:
  ~JsonPosition() = default;
};

// Called per record with its tree and its position. A non-ok status stops the read and is
// returned by Read().
using JsonRecordFn = std::function<Status(const JsonTree& record, const JsonPosition& position)>;

// What a document held, for the document-level check that its record paths matched: a
// records path that matches nothing in a non-empty document is a wrong mapping or a wrong
// URL, never an empty page.
struct JsonShape {
  // Some record path reached the container its records are in (or delivered a record): the
  // document has the expected shape, whether it holds records or not.
  bool reached = false;
  bool empty = true;  // the top level is {}, [] or null
  // When !reached: what the document holds instead, for the message: "`/data` not found; the
  // top level is an array of 4 objects with keys id, title, treaty, ...".
  std::string description;
};

class JsonRecordReader {
 public:
  // InvalidArgument when a path is malformed (says which and why).
  static Result<JsonRecordReader> Create(JsonDecodeOptions options);

  // Reads the whole source. `captured` receives capture path -> scalar text for the captures
  // found (numbers as written, booleans as true/false; null and structured values are left
  // out). Returns the first error: the callback's, an IoError of the source, or a
  // ParseError "NAME:LINE:COLUMN (offset O): JSON error: ...".
  // `shape`, when given, receives what the document-level check needs (JsonShape).
  Status Read(ByteSource& source, const JsonRecordFn& on_record,
              std::map<std::string, std::string>* captured, JsonShape* shape = nullptr) const;

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
