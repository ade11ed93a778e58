#include "codec/json_reader.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "core/json.h"

namespace meabridge::codec {
namespace {

constexpr size_t kMaxPatterns = 32;

// A RapidJSON input stream over a ByteSource, read in chunks (after rapidjson's
// FileReadStream), that also counts lines so that an error can say where it is.
class ChunkStream {
 public:
  typedef char Ch;  // NOLINT(readability-identifier-naming): RapidJSON's stream concept

  ChunkStream(ByteSource& source, size_t chunk)
      : source_(source), buffer_(std::max<size_t>(chunk, 16) + 1) {
    std::string_view all;
    if (source_.TakeContiguous(&all) && !all.empty()) {
      // Bytes already in memory are read where they are, as one chunk: no copy. At its end
      // Refill() finds the source empty and points at the NUL of our own buffer.
      data_ = all.data();
      read_count_ = all.size();
      current_ = const_cast<char*>(data_);  // never written through
      last_ = current_ + read_count_ - 1;
    } else {
      Refill();
    }
  }

  Ch Peek() const { return *current_; }
  Ch Take() {
    Ch c = *current_;
    Advance();
    return c;
  }
  size_t Tell() const { return consumed_ + static_cast<size_t>(current_ - data_); }

  // Output-stream members RapidJSON's concept requires; never called on an input stream.
  Ch* PutBegin() { return nullptr; }
  void Put(Ch) {}
  void Flush() {}
  size_t PutEnd(Ch*) { return 0; }

  const Status& io_status() const { return io_status_; }

  // Line and column (1-based, column in bytes) of `offset`, which must lie in the current
  // chunk or at its end (where RapidJSON reports errors).
  void Locate(size_t offset, size_t* line, size_t* column) const {
    size_t in_buf = offset >= consumed_ ? offset - consumed_ : 0;
    in_buf = std::min(in_buf, read_count_);
    size_t l = lines_before_;
    size_t line_start = line_start_;
    for (size_t i = 0; i < in_buf; ++i) {
      if (data_[i] == '\n') {
        ++l;
        line_start = consumed_ + i + 1;
      }
    }
    *line = l + 1;
    *column = consumed_ + in_buf - line_start + 1;
  }

 private:
  void Advance() {
    if (current_ < last_) {
      ++current_;
    } else if (!eof_) {
      Refill();
    }
  }

  void Refill() {
    // Account for the chunk being left (memchr: documents often have no line breaks at all).
    const char* begin = data_;
    for (const char* p = begin; p < begin + read_count_;) {
      const void* nl = std::memchr(p, '\n', static_cast<size_t>(begin + read_count_ - p));
      if (!nl) break;
      ++lines_before_;
      p = static_cast<const char*>(nl) + 1;
    }
    if (const void* last = read_count_ ? memrchr(begin, '\n', read_count_) : nullptr) {
      line_start_ = consumed_ + static_cast<size_t>(static_cast<const char*>(last) - begin) + 1;
    }
    consumed_ += read_count_;
    size_t cap = buffer_.size() - 1;
    data_ = buffer_.data();
    Result<size_t> n = source_.Read(buffer_.data(), cap);
    if (!n.ok()) {
      io_status_ = n.status();
      read_count_ = 0;
    } else {
      read_count_ = *n;
    }
    current_ = buffer_.data();
    if (read_count_ == 0) {
      buffer_[0] = '\0';
      last_ = buffer_.data();
      eof_ = true;
    } else {
      last_ = buffer_.data() + read_count_ - 1;
      // A NUL after the data lets Peek() at the very end see the terminator.
      buffer_[read_count_] = '\0';
    }
  }

  ByteSource& source_;
  std::vector<char> buffer_;
  const char* data_ = nullptr;  // the current chunk: buffer_, or the source's own memory
  char* current_ = nullptr;
  char* last_ = nullptr;
  size_t read_count_ = 0;
  size_t consumed_ = 0;
  size_t lines_before_ = 0;
  size_t line_start_ = 0;
  bool eof_ = false;
  Status io_status_;
};

struct CompiledPattern {
  std::vector<std::string> segments;
  std::vector<int64_t> indexes;  // numeric value of a segment, -1 if not a number
  std::vector<bool> any;
  bool capture = false;
};

// The SAX handler: walks the document keeping, per open container, how far each pattern has
// matched; builds records into a JsonTree and collects captures.
class Handler final : public JsonPosition {
 public:
  Handler(const std::vector<CompiledPattern>& patterns, bool odata, uint32_t max_depth,
          const JsonRecordFn& on_record, std::map<std::string, std::string>* captured)
      : patterns_(patterns),
        odata_(odata),
        max_depth_(max_depth),
        on_record_(on_record),
        captured_(captured) {}

  bool Null() { return Scalar(JsonTree::Type::kNull, nullptr, 0); }
  bool Bool(bool b) {
    return Scalar(b ? JsonTree::Type::kTrue : JsonTree::Type::kFalse, b ? "true" : "false",
                  b ? 4 : 5);
  }
  bool Int(int) { return Unexpected(); }
  bool Uint(unsigned) { return Unexpected(); }
  bool Int64(int64_t) { return Unexpected(); }
  bool Uint64(uint64_t) { return Unexpected(); }
  bool Double(double) { return Unexpected(); }
  bool RawNumber(const char* s, rapidjson::SizeType len, bool) {
    return Scalar(JsonTree::Type::kNumber, s, len);
  }
  bool String(const char* s, rapidjson::SizeType len, bool) {
    return Scalar(JsonTree::Type::kString, s, len);
  }
  bool Key(const char* s, rapidjson::SizeType len, bool) {
    if (in_record_) return tree_.Key(s, len);
    if (skip_depth_ > 0) return true;
    frames_.back().key.assign(s, len);
    return true;
  }
  bool StartObject() { return Start(false); }
  bool StartArray() { return Start(true); }
  bool EndObject(rapidjson::SizeType) { return End(); }
  bool EndArray(rapidjson::SizeType) { return End(); }

  const Status& status() const { return status_; }

 private:
  struct Frame {
    bool is_array = false;
    uint32_t next_index = 0;
    std::string key;                        // current member (objects)
    std::array<int16_t, kMaxPatterns> pos;  // segments matched by the path to this container
  };

  bool Unexpected() {
    status_ = Status::Internal("JSON reader: numbers must arrive as raw text");
    return false;
  }

  // Computes the match state of the value starting now; returns the pattern it completes
  // as a record (or -1) and collects capture matches into `capture_hit`.
  int Enter(bool value_is_array, std::array<int16_t, kMaxPatterns>* pos, int* capture_hit) {
    *capture_hit = -1;
    int record_hit = -1;
    bool any_alive = false;
    for (size_t p = 0; p < patterns_.size(); ++p) {
      const CompiledPattern& pat = patterns_[p];
      int k;
      if (frames_.empty()) {
        k = 0;
      } else {
        const Frame& parent = frames_.back();
        int pk = parent.pos[p];
        k = -1;
        if (pk >= 0 && static_cast<size_t>(pk) < pat.segments.size()) {
          size_t s = static_cast<size_t>(pk);
          if (parent.is_array) {
            if (pat.any[s] || pat.indexes[s] == static_cast<int64_t>(parent.next_index - 1)) {
              k = pk + 1;
            }
          } else if (pat.any[s]) {
            if (!odata_) {
              k = pk + 1;
            } else if (value_is_array && parent.key == "results") {
              k = pk;  // the OData collection wrapper is transparent to "*"
            }
          } else if (pat.segments[s] == parent.key) {
            k = pk + 1;
          }
        }
      }
      (*pos)[p] = static_cast<int16_t>(k);
      if (k < 0) continue;
      any_alive = true;
      if (static_cast<size_t>(k) == pat.segments.size()) {
        if (pat.capture) {
          if (*capture_hit < 0) *capture_hit = static_cast<int>(p);
        } else if (record_hit < 0) {
          record_hit = static_cast<int>(p);
        }
      }
    }
    if (!any_alive) return -2;
    return record_hit;
  }

  void BeginValue() {
    if (!frames_.empty() && frames_.back().is_array) ++frames_.back().next_index;
  }

  std::string Pointer() const override {
    std::string p;
    for (const Frame& f : frames_) {
      p += '/';
      if (f.is_array) {
        p += std::to_string(f.next_index - 1);
      } else {
        for (char c : f.key) {
          if (c == '~') {
            p += "~0";
          } else if (c == '/') {
            p += "~1";
          } else {
            p += c;
          }
        }
      }
    }
    return p;
  }

  bool Scalar(JsonTree::Type type, const char* s, size_t len) {
    if (in_record_) {
      switch (type) {
        case JsonTree::Type::kNull:
          tree_.Null();
          break;
        case JsonTree::Type::kTrue:
          tree_.Bool(true);
          break;
        case JsonTree::Type::kFalse:
          tree_.Bool(false);
          break;
        case JsonTree::Type::kNumber:
          tree_.RawNumber(s, len);
          break;
        default:
          tree_.String(s, len);
          break;
      }
      return true;
    }
    if (skip_depth_ > 0) return true;
    BeginValue();
    std::array<int16_t, kMaxPatterns> pos;
    int capture = -1;
    int record = Enter(false, &pos, &capture);
    if (capture >= 0 && type != JsonTree::Type::kNull && captured_) {
      (*captured_)[capture_names_[static_cast<size_t>(capture)]] = std::string(s, len);
    }
    if (record >= 0) {
      tree_.Clear();
      if (type == JsonTree::Type::kNull) {
        tree_.Null();
      } else if (type == JsonTree::Type::kTrue || type == JsonTree::Type::kFalse) {
        tree_.Bool(type == JsonTree::Type::kTrue);
      } else if (type == JsonTree::Type::kNumber) {
        tree_.RawNumber(s, len);
      } else {
        tree_.String(s, len);
      }
      return Deliver();
    }
    return true;
  }

  bool Start(bool is_array) {
    if (in_record_) {
      if (++record_depth_ + frames_.size() > max_depth_) return TooDeep();
      return is_array ? tree_.StartArray() : tree_.StartObject();
    }
    if (skip_depth_ > 0) {
      if (++skip_depth_ + frames_.size() > max_depth_) return TooDeep();
      return true;
    }
    BeginValue();
    std::array<int16_t, kMaxPatterns> pos;
    int capture = -1;
    int record = Enter(is_array, &pos, &capture);
    if (record >= 0) {
      in_record_ = true;
      record_depth_ = 1;
      tree_.Clear();
      return is_array ? tree_.StartArray() : tree_.StartObject();
    }
    if (record == -2) {  // nothing below can match
      skip_depth_ = 1;
      return true;
    }
    if (frames_.size() + 1 > max_depth_) return TooDeep();
    frames_.emplace_back();
    frames_.back().is_array = is_array;
    frames_.back().pos = pos;
    return true;
  }

  bool End() {
    if (in_record_) {
      tree_.EndObject();
      if (--record_depth_ == 0) {
        in_record_ = false;
        return Deliver();
      }
      return true;
    }
    if (skip_depth_ > 0) {
      --skip_depth_;
      return true;
    }
    frames_.pop_back();
    return true;
  }

  bool Deliver() {
    // The frames still describe the record's place: inside a record none are pushed.
    Status s = on_record_(tree_, *this);
    tree_.Clear();
    if (!s.ok()) {
      status_ = s;
      return false;
    }
    return true;
  }

  bool TooDeep() {
    status_ = Status::ParseError("nesting deeper than " + std::to_string(max_depth_) + " levels");
    return false;
  }

 public:
  std::vector<std::string> capture_names_;

 private:
  const std::vector<CompiledPattern>& patterns_;
  bool odata_;
  uint32_t max_depth_;
  const JsonRecordFn& on_record_;
  std::map<std::string, std::string>* captured_;
  std::vector<Frame> frames_;
  uint32_t skip_depth_ = 0;
  bool in_record_ = false;
  uint32_t record_depth_ = 0;
  JsonTree tree_;
  Status status_;
};

bool ParsePattern(const std::string& text, bool capture, JsonRecordReader::Pattern* out,
                  std::string* error) {
  out->text = text;
  out->capture = capture;
  out->segments.clear();
  if (text.empty()) return true;
  if (text[0] != '/') {
    *error = "'" + text +
             "' is not a JSON pointer: it must start with '/' (or be empty for "
             "the whole document)";
    return false;
  }
  std::string_view rest(text);
  rest.remove_prefix(1);
  while (true) {
    size_t slash = rest.find('/');
    std::string_view raw = rest.substr(0, slash);
    std::string seg;
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '~' && i + 1 < raw.size() && (raw[i + 1] == '0' || raw[i + 1] == '1')) {
        seg += raw[i + 1] == '0' ? '~' : '/';
        ++i;
      } else if (raw[i] == '~') {
        *error = "bad escape in '" + text + "': '~' must be followed by 0 or 1";
        return false;
      } else {
        seg += raw[i];
      }
    }
    if (capture && seg == "*") {
      *error = "capture path '" + text + "' may not contain '*'";
      return false;
    }
    out->segments.push_back(std::move(seg));
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  return true;
}

}  // namespace

Result<JsonRecordReader> JsonRecordReader::Create(JsonDecodeOptions options) {
  JsonRecordReader r;
  if (options.record_paths.empty()) {
    return Status::InvalidArgument("a JSON reader needs at least one record path");
  }
  for (const std::string& p : options.record_paths) {
    Pattern pat;
    std::string error;
    if (!ParsePattern(p, false, &pat, &error)) return Status::InvalidArgument(error);
    r.patterns_.push_back(std::move(pat));
  }
  for (const std::string& p : options.capture_paths) {
    Pattern pat;
    std::string error;
    if (!ParsePattern(p, true, &pat, &error)) return Status::InvalidArgument(error);
    r.patterns_.push_back(std::move(pat));
  }
  if (r.patterns_.size() > kMaxPatterns) {
    return Status::InvalidArgument("at most " + std::to_string(kMaxPatterns) +
                                   " record and capture paths");
  }
  r.options_ = std::move(options);
  return r;
}

Status JsonRecordReader::Read(ByteSource& source, const JsonRecordFn& on_record,
                              std::map<std::string, std::string>* captured) const {
  std::vector<CompiledPattern> compiled;
  std::vector<std::string> names;
  for (const Pattern& p : patterns_) {
    CompiledPattern c;
    c.segments = p.segments;
    c.capture = p.capture;
    for (const std::string& s : p.segments) {
      c.any.push_back(s == "*");
      bool digits = !s.empty() && s.size() < 10;
      for (char ch : s) digits = digits && ch >= '0' && ch <= '9';
      c.indexes.push_back(digits ? std::stoll(s) : -1);
    }
    compiled.push_back(std::move(c));
    names.push_back(p.text);
  }
  Handler handler(compiled, options_.odata, options_.max_depth, on_record, captured);
  handler.capture_names_ = names;
  ChunkStream stream(source, options_.chunk_size);
  rapidjson::Reader reader;
  constexpr unsigned kFlags =
      rapidjson::kParseIterativeFlag | rapidjson::kParseNumbersAsStringsFlag;
  rapidjson::ParseResult r = reader.Parse<kFlags>(stream, handler);
  if (!stream.io_status().ok()) return stream.io_status();
  if (!handler.status().ok()) {
    if (handler.status().code() != Status::Code::kParseError) return handler.status();
  }
  if (!r) {
    size_t line = 0, column = 0;
    stream.Locate(r.Offset(), &line, &column);
    std::string why =
        handler.status().ok() ? rapidjson::GetParseError_En(r.Code()) : handler.status().message();
    return Status::ParseError(source.name() + ":" + std::to_string(line) + ":" +
                              std::to_string(column) + " (offset " + std::to_string(r.Offset()) +
                              "): JSON error: " + why);
  }
  return Status::Ok();
}

}  // namespace meabridge::codec
