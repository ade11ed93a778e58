#include "codec/json_tree.h"

#include <charconv>
#include <cstdio>

namespace meabridge::codec {

// ---- building --------------------------------------------------------------------------------

void JsonTree::Clear() {
  nodes_.clear();
  text_.clear();
  open_.clear();
  pending_key_len_ = 0;
}

JsonTree::Id JsonTree::Append(Type t) {
  Id id = static_cast<Id>(nodes_.size());
  Node n;
  n.type = t;
  if (!open_.empty()) {
    Id p = open_.back();
    n.parent = p;
    if (nodes_[p].type == Type::kObject) {
      n.key_off = pending_key_off_;
      n.key_len = pending_key_len_;
    }
  }
  nodes_.push_back(n);
  if (n.parent != kNone) {
    Node& p = nodes_[n.parent];
    if (p.last_child == kNone) {
      p.first_child = id;
    } else {
      nodes_[p.last_child].next_sibling = id;
    }
    p.last_child = id;
    ++p.count;
  }
  return id;
}

bool JsonTree::AddText(Type t, const char* s, size_t len) {
  Id id = Append(t);
  nodes_[id].text_off = static_cast<uint32_t>(text_.size());
  nodes_[id].text_len = static_cast<uint32_t>(len);
  text_.append(s, len);
  return true;
}

bool JsonTree::Key(const char* s, size_t len, bool) {
  pending_key_off_ = static_cast<uint32_t>(text_.size());
  pending_key_len_ = static_cast<uint32_t>(len);
  text_.append(s, len);
  return true;
}

bool JsonTree::Open(Type t) {
  open_.push_back(Append(t));
  return true;
}

bool JsonTree::Close() {
  if (!open_.empty()) open_.pop_back();
  return true;
}

namespace {
template <typename T>
std::string IntText(T v) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}
}  // namespace

bool JsonTree::Int(int i) {
  std::string s = IntText(i);
  return RawNumber(s.data(), s.size());
}
bool JsonTree::Uint(unsigned u) {
  std::string s = IntText(u);
  return RawNumber(s.data(), s.size());
}
bool JsonTree::Int64(int64_t i) {
  std::string s = IntText(i);
  return RawNumber(s.data(), s.size());
}
bool JsonTree::Uint64(uint64_t u) {
  std::string s = IntText(u);
  return RawNumber(s.data(), s.size());
}
bool JsonTree::Double(double d) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, d);
  return RawNumber(buf, static_cast<size_t>(r.ptr - buf));
}

// ---- reading ---------------------------------------------------------------------------------

JsonTree::Id JsonTree::Member(Id obj, std::string_view name) const {
  if (obj == kNone || nodes_[obj].type != Type::kObject) return kNone;
  for (Id c = nodes_[obj].first_child; c != kNone; c = nodes_[c].next_sibling) {
    const Node& n = nodes_[c];
    // Length and first byte first: most members differ there, without a memcmp call.
    if (n.key_len == name.size() && (name.empty() || text_[n.key_off] == name[0]) &&
        Slice(n.key_off, n.key_len) == name) {
      return c;
    }
  }
  return kNone;
}

JsonTree::Id JsonTree::MemberFrom(Id obj, std::string_view name, Id start) const {
  if (obj == kNone || nodes_[obj].type != Type::kObject) return kNone;
  if (start == kNone || start >= nodes_.size() || nodes_[start].parent != obj) {
    return Member(obj, name);
  }
  auto matches = [&](Id c) {
    const Node& n = nodes_[c];
    return n.key_len == name.size() && (name.empty() || text_[n.key_off] == name[0]) &&
           Slice(n.key_off, n.key_len) == name;
  };
  for (Id c = start; c != kNone; c = nodes_[c].next_sibling) {
    if (matches(c)) return c;
  }
  for (Id c = nodes_[obj].first_child; c != start && c != kNone; c = nodes_[c].next_sibling) {
    if (matches(c)) return c;
  }
  return kNone;
}

namespace {
void AppendJsonString(std::string_view s, std::string* out) {
  out->push_back('"');
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        *out += "\\\"";
        break;
      case '\\':
        *out += "\\\\";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\r':
        *out += "\\r";
        break;
      case '\t':
        *out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          *out += buf;
        } else {
          out->push_back(ch);
        }
    }
  }
  out->push_back('"');
}
}  // namespace

void JsonTree::WriteJson(Id n, std::string* out) const {
  const Node& node = nodes_[n];
  switch (node.type) {
    case Type::kNull:
      *out += "null";
      break;
    case Type::kFalse:
      *out += "false";
      break;
    case Type::kTrue:
      *out += "true";
      break;
    case Type::kNumber:
      out->append(text(n));
      break;
    case Type::kString:
      AppendJsonString(text(n), out);
      break;
    case Type::kObject:
    case Type::kArray: {
      bool obj = node.type == Type::kObject;
      out->push_back(obj ? '{' : '[');
      bool first = true;
      for (Id c = node.first_child; c != kNone; c = nodes_[c].next_sibling) {
        if (!first) out->push_back(',');
        first = false;
        if (obj) {
          AppendJsonString(key(c), out);
          out->push_back(':');
        }
        WriteJson(c, out);
      }
      out->push_back(obj ? '}' : ']');
      break;
    }
  }
}

std::string JsonTree::ToJson(Id n) const {
  std::string out;
  if (n != kNone && n < nodes_.size()) WriteJson(n, &out);
  return out;
}

// ---- paths -----------------------------------------------------------------------------------

bool ParseJsonPath(std::string_view text, JsonPath* out, std::string* error) {
  out->segments.clear();
  out->multi = false;
  out->text = std::string(text);
  std::string_view rest = text;
  if (!rest.empty() && rest.front() == '/') rest.remove_prefix(1);
  if (rest.empty()) {
    JsonPathSegment self;
    self.kind = JsonPathSegment::Kind::kSelf;
    out->segments.push_back(self);
    return true;
  }
  while (true) {
    size_t slash = rest.find('/');
    std::string_view raw = rest.substr(0, slash);
    if (raw.empty()) {
      *error =
          "empty segment in path '" + std::string(text) + "' (segments are separated by one '/')";
      return false;
    }
    JsonPathSegment seg;
    if (raw == "*") {
      seg.kind = JsonPathSegment::Kind::kAny;
      out->multi = true;
    } else if (raw == ".") {
      seg.kind = JsonPathSegment::Kind::kSelf;
    } else if (raw == "..") {
      seg.kind = JsonPathSegment::Kind::kParent;
    } else if (raw == "~") {
      seg.kind = JsonPathSegment::Kind::kKeyName;
    } else {
      std::string name;
      for (size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '~') {
          if (i + 1 < raw.size() && raw[i + 1] == '0') {
            name += '~';
          } else if (i + 1 < raw.size() && raw[i + 1] == '1') {
            name += '/';
          } else {
            *error = "bad escape in path '" + std::string(text) +
                     "': '~' must be followed by 0 (for ~) or 1 (for /)";
            return false;
          }
          ++i;
        } else {
          name += raw[i];
        }
      }
      bool digits = !name.empty() && name.size() < 10;
      for (char c : name) digits = digits && c >= '0' && c <= '9';
      if (digits) {
        seg.kind = JsonPathSegment::Kind::kIndexOrName;
        seg.index = static_cast<uint32_t>(std::stoul(name));
      } else {
        seg.kind = JsonPathSegment::Kind::kName;
      }
      seg.name = std::move(name);
    }
    out->segments.push_back(std::move(seg));
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  for (size_t i = 0; i + 1 < out->segments.size(); ++i) {
    if (out->segments[i].kind == JsonPathSegment::Kind::kKeyName) {
      *error = "'~' (the member name) must be the last segment of '" + std::string(text) + "'";
      return false;
    }
  }
  return true;
}

bool IsODataDeferred(const JsonTree& tree, JsonTree::Id n) {
  if (tree.type(n) != JsonTree::Type::kObject) return false;
  bool deferred = false;
  for (JsonTree::Id c = tree.first_child(n); c != JsonTree::kNone; c = tree.next_sibling(c)) {
    std::string_view k = tree.key(c);
    if (k == "__deferred") {
      deferred = true;
    } else if (k != "__metadata") {
      return false;
    }
  }
  return deferred;
}

JsonTree::Id ODataResults(const JsonTree& tree, JsonTree::Id n) {
  JsonTree::Id r = tree.Member(n, "results");
  if (r != JsonTree::kNone && tree.type(r) == JsonTree::Type::kArray) return r;
  return JsonTree::kNone;
}

namespace {

void SelectFrom(const JsonTree& tree, JsonTree::Id node, const JsonPath& path, size_t i,
                const JsonSelectOptions& opt, std::vector<JsonSelected>* out) {
  using K = JsonPathSegment::Kind;
  using T = JsonTree::Type;
  if (node == JsonTree::kNone) return;
  if (opt.odata && IsODataDeferred(tree, node)) return;
  if (i == path.segments.size()) {
    out->push_back(JsonSelected{node, false, {}});
    return;
  }
  const JsonPathSegment& seg = path.segments[i];
  switch (seg.kind) {
    case K::kSelf:
      SelectFrom(tree, node, path, i + 1, opt, out);
      return;
    case K::kParent:
      SelectFrom(tree, tree.parent(node), path, i + 1, opt, out);
      return;
    case K::kKeyName:
      if (tree.in_object(node)) out->push_back(JsonSelected{node, true, tree.key(node)});
      return;
    case K::kName:
      SelectFrom(tree, tree.Member(node, seg.name), path, i + 1, opt, out);
      return;
    case K::kIndexOrName:
    case K::kAny: {
      JsonTree::Id container = node;
      if (opt.odata && tree.type(node) == T::kObject) {
        JsonTree::Id r = ODataResults(tree, node);
        if (r != JsonTree::kNone) container = r;
      }
      T t = tree.type(container);
      if (seg.kind == K::kIndexOrName) {
        if (t == T::kObject) {
          SelectFrom(tree, tree.Member(container, seg.name), path, i + 1, opt, out);
        } else if (t == T::kArray) {
          uint32_t k = 0;
          for (JsonTree::Id c = tree.first_child(container); c != JsonTree::kNone;
               c = tree.next_sibling(c), ++k) {
            if (k == seg.index) {
              SelectFrom(tree, c, path, i + 1, opt, out);
              break;
            }
          }
        }
        return;
      }
      if (t != T::kObject && t != T::kArray) return;
      for (JsonTree::Id c = tree.first_child(container); c != JsonTree::kNone;
           c = tree.next_sibling(c)) {
        SelectFrom(tree, c, path, i + 1, opt, out);
      }
      return;
    }
  }
}

}  // namespace

void SelectJson(const JsonTree& tree, JsonTree::Id context, const JsonPath& path,
                const JsonSelectOptions& options, std::vector<JsonSelected>* out) {
  SelectFrom(tree, context, path, 0, options, out);
}

void SelectJsonFrom(const JsonTree& tree, JsonTree::Id node, const JsonPath& path,
                    size_t first_segment, const JsonSelectOptions& options,
                    std::vector<JsonSelected>* out) {
  SelectFrom(tree, node, path, first_segment, options, out);
}

}  // namespace meabridge::codec
