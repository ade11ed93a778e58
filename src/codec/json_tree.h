// JsonTree: one JSON value (a record of a streamed document, or a canonical record) held as a
// compact arena: nodes in a vector, keys and strings in one text buffer. Built from SAX
// events, so a document of any size is read one record at a time and memory stays flat.
//
// It is also a RapidJSON-style writer target (StartObject, Key, String, ...), so
// model::WriteCanonicalJson can build a tree straight from a canonical record (outbound
// mappings read canonical records through it).
//
// Numbers keep their source text ("3370", "12.50"): nothing is lost to a binary conversion.
//
// A tree is a plain value: thread-compatible. Views (std::string_view) it hands out stay
// valid until the next Clear() or build event.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace meabridge::codec {

class JsonTree {
 public:
  enum class Type : uint8_t { kNull, kFalse, kTrue, kNumber, kString, kObject, kArray };
  using Id = uint32_t;
  static constexpr Id kNone = UINT32_MAX;

  // ---- reading (REQUIRES: a complete value was built; ids come from this tree) ----------
  bool empty() const { return nodes_.empty(); }
  Id root() const { return nodes_.empty() ? kNone : 0; }
  Type type(Id n) const { return nodes_[n].type; }
  // The text of a string or the source text of a number; "" otherwise.
  std::string_view text(Id n) const { return Slice(nodes_[n].text_off, nodes_[n].text_len); }
  // The member name of a node inside an object; "" otherwise.
  std::string_view key(Id n) const { return Slice(nodes_[n].key_off, nodes_[n].key_len); }
  Id parent(Id n) const { return nodes_[n].parent; }
  Id first_child(Id n) const { return nodes_[n].first_child; }
  Id next_sibling(Id n) const { return nodes_[n].next_sibling; }
  uint32_t size(Id n) const { return nodes_[n].count; }  // members or elements
  bool in_object(Id n) const {
    Id p = nodes_[n].parent;
    return p != kNone && nodes_[p].type == Type::kObject;
  }
  // The member `name` of an object node; kNone when absent or `obj` is not an object.
  Id Member(Id obj, std::string_view name) const;
  // The same, scanning from the member `start` (wrapping around): callers that read members
  // in about the order the source wrote them find each at the first try.
  Id MemberFrom(Id obj, std::string_view name, Id start) const;
  // Compact JSON text of a node (messages, outbound copies of structured values).
  std::string ToJson(Id n) const;
  size_t node_count() const { return nodes_.size(); }

  // ---- building (SAX handler / writer interface) ----------------------------------------
  void Clear();
  // True when the value started by the first event is complete.
  bool complete() const { return !nodes_.empty() && open_.empty(); }
  // While building: the innermost open container (kNone when none), and the member name the
  // last Key() gave for the value to come.
  Id open_container() const { return open_.empty() ? kNone : open_.back(); }
  std::string_view pending_key() const { return Slice(pending_key_off_, pending_key_len_); }

  bool Null() { return Add(Type::kNull); }
  bool Bool(bool b) { return Add(b ? Type::kTrue : Type::kFalse); }
  bool Int(int i);
  bool Uint(unsigned u);
  bool Int64(int64_t i);
  bool Uint64(uint64_t u);
  bool Double(double d);
  bool RawNumber(const char* s, size_t len, bool = false) { return AddText(Type::kNumber, s, len); }
  bool String(const char* s, size_t len, bool = false) { return AddText(Type::kString, s, len); }
  bool String(std::string_view s) { return String(s.data(), s.size()); }
  bool Key(const char* s, size_t len, bool = false);
  bool Key(std::string_view s) { return Key(s.data(), s.size()); }
  bool StartObject() { return Open(Type::kObject); }
  bool EndObject(size_t = 0) { return Close(); }
  bool StartArray() { return Open(Type::kArray); }
  bool EndArray(size_t = 0) { return Close(); }

 private:
  struct Node {
    Type type;
    uint32_t key_off = 0, key_len = 0;
    uint32_t text_off = 0, text_len = 0;
    Id parent = kNone, first_child = kNone, next_sibling = kNone, last_child = kNone;
    uint32_t count = 0;
  };

  std::string_view Slice(uint32_t off, uint32_t len) const {
    return std::string_view(text_.data() + off, len);
  }
  Id Append(Type t);
  bool Add(Type t) {
    Append(t);
    return true;
  }
  bool AddText(Type t, const char* s, size_t len);
  bool Open(Type t);
  bool Close();
  void WriteJson(Id n, std::string* out) const;

  std::vector<Node> nodes_;
  std::string text_;
  std::vector<Id> open_;  // containers being built
  uint32_t pending_key_off_ = 0, pending_key_len_ = 0;
};

// ---- paths into a JsonTree --------------------------------------------------------------

// A path relative to a node: segments separated by "/", as in a JSON pointer (~0 is "~",
// ~1 is "/"), plus:
//   *    every element of an array, every member of an object;
//   N    (digits) element N of an array (0-based), or the member named "N" of an object;
//   .    the node itself;   ..   its parent;   ~   the member name of the node (a string).
// A leading "/" is allowed and means the same (paths are always relative to the record).
struct JsonPathSegment {
  enum class Kind : uint8_t { kName, kIndexOrName, kAny, kSelf, kParent, kKeyName };
  Kind kind = Kind::kName;
  std::string name;
  uint32_t index = 0;
};

struct JsonPath {
  std::vector<JsonPathSegment> segments;
  bool multi = false;  // has a "*" (may select any number of nodes)
  std::string text;
};

// Parses a path; an InvalidArgument saying what is wrong (empty segment, bad escape).
bool ParseJsonPath(std::string_view text, JsonPath* out, std::string* error);

// How a path sees OData verbose-JSON conventions (JsonDecodeOptions::odata):
//   - a "*" or index step on an object that has a "results" array steps into that array;
//   - an object whose members are only "__deferred" (and "__metadata") reads as missing.
struct JsonSelectOptions {
  bool odata = false;
};

// A selected node, or (for "~") a member name.
struct JsonSelected {
  JsonTree::Id node = JsonTree::kNone;
  bool is_key = false;  // `key` holds a member name ("~")
  std::string_view key;
};

// Appends what `path` selects from `context`.
void SelectJson(const JsonTree& tree, JsonTree::Id context, const JsonPath& path,
                const JsonSelectOptions& options, std::vector<JsonSelected>* out);
// The same for the path's segments from `first_segment` on (the caller resolved the others).
void SelectJsonFrom(const JsonTree& tree, JsonTree::Id node, const JsonPath& path,
                    size_t first_segment, const JsonSelectOptions& options,
                    std::vector<JsonSelected>* out);

// True for an OData deferred-content object ({"__deferred": {...}}).
bool IsODataDeferred(const JsonTree& tree, JsonTree::Id n);
// For an OData collection wrapper ({"results": [...], ...}) the results array; kNone otherwise.
JsonTree::Id ODataResults(const JsonTree& tree, JsonTree::Id n);

}  // namespace meabridge::codec
