#include "codec/json_reader.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>

#include "core/json.h"
#include "core/strings.h"

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

// Bytes for a message: printable ASCII as it is, anything else as \xNN.
std::string Escaped(std::string_view bytes) {
  std::string out;
  for (unsigned char c : bytes) {
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  return out;
}

// Between the chunk stream and RapidJSON: passes the document through unchanged except for
// the escapes RapidJSON would stop at (a lone UTF-16 surrogate, an unknown escape, a \u
// without four hex digits), which become "\ufffd" and are noted, so that the damage stays in
// the string that holds it (json_reader.h). Only a backslash leaves the fast path.
class EscapeFilter {
 public:
  typedef char Ch;  // NOLINT(readability-identifier-naming): RapidJSON's stream concept

  struct Damage {
    std::string bytes;
    std::string what;
    size_t offset = 0;
  };

  explicit EscapeFilter(ChunkStream& in) : in_(in) {}

  Ch Peek() {
    if (head_ == len_) {
      Ch c = in_.Peek();
      if (c != '\\') return c;
      Expand();
    }
    return buf_[head_];
  }
  Ch Take() {
    if (head_ == len_) {
      if (in_.Peek() != '\\') return in_.Take();
      Expand();
    }
    return buf_[head_++];
  }
  size_t Tell() const { return in_.Tell(); }

  Ch* PutBegin() { return nullptr; }
  void Put(Ch) {}
  void Flush() {}
  size_t PutEnd(Ch*) { return 0; }

  size_t damage_count() const { return damage_count_; }
  const Damage& last_damage() const { return last_; }

 private:
  void Emit(std::string_view s) {
    for (char c : s) {
      if (len_ < buf_.size()) buf_[len_++] = c;
    }
  }
  void Damaged(size_t at, std::string raw, const char* what) {
    ++damage_count_;
    last_.bytes = Escaped(raw);
    last_.what = what;
    last_.offset = at;
    Emit("\\ufffd");
  }
  // Reads up to four hex digits after "\u" into `raw`; true (and *cp) when there were four.
  bool Hex4(std::string* raw, unsigned* cp) {
    unsigned v = 0;
    for (int i = 0; i < 4; ++i) {
      char c = in_.Peek();
      unsigned d;
      if (c >= '0' && c <= '9') {
        d = static_cast<unsigned>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        d = static_cast<unsigned>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        d = static_cast<unsigned>(c - 'A' + 10);
      } else {
        return false;
      }
      *raw += in_.Take();
      v = v * 16 + d;
    }
    *cp = v;
    return true;
  }
  // REQUIRES: in_.Peek() is a backslash.
  void Expand() {
    head_ = len_ = 0;
    const size_t at = in_.Tell();
    std::string raw(1, in_.Take());
    AfterBackslash(at, raw, true);
  }
  // The backslash (in `raw`) is taken: the escape it starts.
  void AfterBackslash(size_t at, std::string raw, bool allow_pair) {
    const char e = in_.Peek();
    if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' ||
        e == 't') {
      raw += in_.Take();
      Emit(raw);
      return;
    }
    if (e != 'u') {
      if (e != '\0') raw += e;  // left in the stream: it reads as a plain character
      Damaged(at, raw, "an invalid escape");
      return;
    }
    raw += in_.Take();
    unsigned cp = 0;
    if (!Hex4(&raw, &cp)) return Damaged(at, raw, "an invalid \\u escape");
    if (cp >= 0xDC00 && cp <= 0xDFFF) return Damaged(at, raw, "a lone UTF-16 surrogate");
    if (cp < 0xD800 || cp > 0xDBFF || !allow_pair) {
      if (cp >= 0xD800 && cp <= 0xDBFF) return Damaged(at, raw, "a lone UTF-16 surrogate");
      Emit(raw);
      return;
    }
    // A high surrogate: a low one must follow.
    if (in_.Peek() != '\\') return Damaged(at, raw, "a lone UTF-16 surrogate");
    const size_t at2 = in_.Tell();
    std::string raw2(1, in_.Take());
    if (in_.Peek() == 'u') {
      std::string probe = raw2;
      probe += in_.Take();
      unsigned cp2 = 0;
      if (Hex4(&probe, &cp2) && cp2 >= 0xDC00 && cp2 <= 0xDFFF) {
        Emit(raw);
        Emit(probe);
        return;
      }
      Damaged(at, raw, "a lone UTF-16 surrogate");
      if (probe.size() < 6) return Damaged(at2, probe, "an invalid \\u escape");
      if (cp2 >= 0xD800 && cp2 <= 0xDFFF) return Damaged(at2, probe, "a lone UTF-16 surrogate");
      Emit(probe);
      return;
    }
    Damaged(at, raw, "a lone UTF-16 surrogate");
    AfterBackslash(at2, raw2, false);
  }

  ChunkStream& in_;
  std::array<char, 32> buf_{};
  size_t head_ = 0, len_ = 0;
  size_t damage_count_ = 0;
  Damage last_;
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
    if (!CheckText(s, len, false)) return false;
    return Scalar(JsonTree::Type::kString, s, len);
  }
  bool Key(const char* s, rapidjson::SizeType len, bool) {
    if (!CheckText(s, len, true)) return false;
    if (in_record_) return tree_.Key(s, len);
    if (frames_.size() == 1 && skip_depth_ == 0) root_nonempty_ = true;
    NoteShapeKey(s, len);
    if (skip_depth_ > 0) return true;
    frames_.back().key.assign(s, len);
    return true;
  }

  void set_filter(const EscapeFilter* f) { filter_ = f; }
  const std::vector<JsonDamage>& damage() const override { return damage_; }

  // The document-level facts (JsonShape), after the read.
  void FillShape(JsonShape* shape) const {
    shape->reached = reached_;
    shape->empty = !root_nonempty_;
    if (reached_ || patterns_.empty()) return;
    const CompiledPattern& pat = patterns_[0];
    auto pointer = [&](size_t n) {
      std::string p;
      for (size_t i = 0; i < n && i < pat.segments.size(); ++i) p += "/" + pat.segments[i];
      return p;
    };
    std::string d;
    const size_t depth = best_depth_ < 0 ? 0 : static_cast<size_t>(best_depth_);
    const std::string here = depth == 0 ? std::string("the top level") : "`" + pointer(depth) + "`";
    if (depth < pat.segments.size() && !pat.any[depth]) {
      // The records' container, as the path names it: "/d/results" for "/d/results/*".
      size_t named = pat.segments.size();
      while (named > depth + 1 && pat.any[named - 1]) --named;
      d = "`" + pointer(named) + "` not found; ";
    }
    auto list = [](const std::vector<std::string>& keys, size_t total) {
      std::string l;
      for (size_t i = 0; i < keys.size(); ++i) l += (i ? ", " : "") + keys[i];
      if (total > keys.size()) l += ", ...";
      return l;
    };
    if (best_type_ == "array") {
      d += here + " is an array of " + std::to_string(best_count_) + " " +
           (first_type_.empty() ? std::string("values") : first_type_ + "s");
      if (!first_keys_.empty()) d += " with keys " + list(first_keys_, first_keys_total_);
    } else if (best_type_ == "object") {
      std::vector<std::string> quoted;
      for (const std::string& k : best_keys_) quoted.push_back("`" + k + "`");
      d += here + (best_keys_.empty() ? std::string(" is an empty object")
                                      : " has " + list(quoted, best_keys_total_));
    } else {
      d += here + " is " + (best_type_.empty() ? std::string("a scalar") : "a " + best_type_);
    }
    shape->description = std::move(d);
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
    if (frames_.size() == 1) root_nonempty_ = true;
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
    NoteShapeValue(TypeName(type));
    if (frames_.empty() && type != JsonTree::Type::kNull) root_nonempty_ = true;
    if (!frames_.empty() && !patterns_.empty() && !patterns_[0].capture) {
      // {"data": null} where "/data/*" is asked for: an empty collection.
      const CompiledPattern& p0 = patterns_[0];
      if (type == JsonTree::Type::kNull && pos[0] >= 0 &&
          static_cast<size_t>(pos[0]) + 1 == p0.segments.size() && p0.any.back()) {
        reached_ = true;
      }
      if (pos[0] > best_depth_) {
        best_depth_ = pos[0];
        best_type_ = TypeName(type);
      }
    }
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
    NoteShapeValue(is_array ? "array" : "object");
    if (!patterns_.empty() && !patterns_[0].capture && pos[0] > best_depth_) {
      best_depth_ = pos[0];
      best_type_ = is_array ? "array" : "object";
      best_frame_ = frames_.size() + 1;  // the frame this value gets (when it gets one)
      best_keys_.clear();
      best_keys_total_ = 0;
      best_count_ = 0;
    }
    for (size_t p = 0; p < patterns_.size(); ++p) {
      const CompiledPattern& pat = patterns_[p];
      if (!pat.capture && pos[p] >= 0 && !pat.segments.empty() &&
          static_cast<size_t>(pos[p]) + 1 == pat.segments.size() && pat.any.back()) {
        reached_ = true;  // the container the records are in
      }
    }
    if (record >= 0) {
      reached_ = true;
      damage_.clear();
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
    if (frames_.size() == best_frame_ && frames_.back().is_array) {
      best_count_ = frames_.back().next_index;
    }
    frames_.pop_back();
    return true;
  }

  static const char* TypeName(JsonTree::Type t) {
    switch (t) {
      case JsonTree::Type::kNull:
        return "null";
      case JsonTree::Type::kTrue:
      case JsonTree::Type::kFalse:
        return "boolean";
      case JsonTree::Type::kNumber:
        return "number";
      case JsonTree::Type::kString:
        return "string";
      case JsonTree::Type::kObject:
        return "object";
      case JsonTree::Type::kArray:
        return "array";
    }
    return "value";
  }

  // A value starts outside any record: the first element of the deepest container is what
  // the description shows of its elements.
  void NoteShapeValue(const char* type) {
    if (frames_.size() == best_frame_ && best_frame_ > 0 && frames_.back().is_array &&
        frames_.back().next_index == 1) {
      first_type_ = type;
    }
  }
  // A member name outside any record: a key of the deepest container, or of its first element.
  void NoteShapeKey(const char* s, size_t len) {
    if (best_frame_ == 0) return;
    auto add = [&](std::vector<std::string>* keys, size_t* total) {
      ++*total;
      if (keys->size() < 6) keys->emplace_back(s, len);
    };
    if (skip_depth_ == 0 && frames_.size() == best_frame_ && !frames_.back().is_array) {
      add(&best_keys_, &best_keys_total_);
    } else if (frames_.size() == best_frame_ + (skip_depth_ == 1 ? 0 : 1) &&
               (skip_depth_ == 1 || skip_depth_ == 0) && best_type_ == "array") {
      const Frame& parent = frames_[best_frame_ - 1];
      if (parent.is_array && parent.next_index == 1) add(&first_keys_, &first_keys_total_);
    }
  }

  // Encoding errors: the escape filter's since the last check, and malformed UTF-8. Inside a
  // record they are noted for the record (its reject); outside they stop the read.
  bool CheckText(const char* s, size_t len, bool is_key) {
    std::string bytes, what;
    size_t offset = 0;
    if (!in_record_) {
      // Outside the records only an escape RapidJSON could not have read matters (in a part
      // nothing reads, not even that).
      if (!filter_ || filter_->damage_count() == filter_seen_) return true;
      filter_seen_ = filter_->damage_count();
      if (skip_depth_ > 0) return true;
      status_ = Status::ParseError("a string outside the records holds " +
                                   filter_->last_damage().what + " (" +
                                   filter_->last_damage().bytes + "); the document cannot be read");
      return false;
    }
    if (filter_ && filter_->damage_count() != filter_seen_) {
      filter_seen_ = filter_->damage_count();
      bytes = filter_->last_damage().bytes;
      what = filter_->last_damage().what;
      offset = filter_->last_damage().offset;
    } else {
      size_t bad = 0;
      if (core::IsValidUtf8(std::string_view(s, len), &bad)) return true;
      size_t from = bad > 8 ? bad - 8 : 0;
      bytes = Escaped(std::string_view(s + from, std::min(len, bad + 4) - from));
      what = "malformed UTF-8";
      offset = filter_ ? filter_->Tell() : 0;
    }
    JsonDamage d;
    d.bytes = std::move(bytes);
    d.what = std::move(what);
    d.offset = offset;
    d.member = MemberPath(is_key);
    if (damage_.size() < 8) damage_.push_back(std::move(d));
    return true;
  }
  // Where the string being read sits in the record being built ("title/en").
  std::string MemberPath(bool is_key) const {
    // The string is not in the tree yet: its path is the open containers' (each by its key
    // or index), then its own key or index.
    std::vector<std::string> parts;
    std::string path;
    for (JsonTree::Id c = open_container(); c != JsonTree::kNone; c = tree_.parent(c)) {
      if (tree_.parent(c) == JsonTree::kNone) break;
      parts.push_back(tree_.in_object(c) ? std::string(tree_.key(c)) : Index(c));
    }
    for (auto it = parts.rbegin(); it != parts.rend(); ++it)
      path += (path.empty() ? "" : "/") + *it;
    std::string leaf = is_key ? std::string("(a member name)") : PendingLeaf();
    if (!leaf.empty()) path += (path.empty() ? "" : "/") + leaf;
    return path;
  }
  std::string Index(JsonTree::Id c) const {
    JsonTree::Id p = tree_.parent(c);
    uint32_t i = 0;
    for (JsonTree::Id k = tree_.first_child(p); k != JsonTree::kNone && k != c;
         k = tree_.next_sibling(k)) {
      ++i;
    }
    return std::to_string(i);
  }
  JsonTree::Id open_container() const { return tree_.open_container(); }
  std::string PendingLeaf() const {
    JsonTree::Id c = tree_.open_container();
    if (c == JsonTree::kNone) return "";
    if (tree_.type(c) == JsonTree::Type::kObject) return std::string(tree_.pending_key());
    return std::to_string(tree_.size(c));
  }

  bool Deliver() {
    // The frames still describe the record's place: inside a record none are pushed.
    Status s = on_record_(tree_, *this);
    tree_.Clear();
    damage_.clear();
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
  // Encoding errors of the record being built.
  const EscapeFilter* filter_ = nullptr;
  size_t filter_seen_ = 0;
  std::vector<JsonDamage> damage_;
  // The document-level check (JsonShape): the first record path's deepest container found.
  bool reached_ = false;
  bool root_nonempty_ = false;
  int best_depth_ = -1;
  size_t best_frame_ = 0;  // frames_.size() while inside it (0: none)
  std::string best_type_;
  size_t best_count_ = 0;
  std::vector<std::string> best_keys_;
  size_t best_keys_total_ = 0;
  std::string first_type_;
  std::vector<std::string> first_keys_;
  size_t first_keys_total_ = 0;
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
                              std::map<std::string, std::string>* captured,
                              JsonShape* shape) const {
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
  EscapeFilter filtered(stream);
  handler.set_filter(&filtered);
  rapidjson::Reader reader;
  constexpr unsigned kFlags =
      rapidjson::kParseIterativeFlag | rapidjson::kParseNumbersAsStringsFlag;
  rapidjson::ParseResult r = reader.Parse<kFlags>(filtered, handler);
  if (shape) handler.FillShape(shape);
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
