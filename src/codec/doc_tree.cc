#include "codec/doc_tree.h"

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include <pugixml.hpp>

#include "core/json.h"
#include "core/strings.h"
#include "core/xml_text.h"

namespace meabridge::codec {
namespace {

// ---- positions -----------------------------------------------------------------------------

// Maps byte offsets to line:column in one pass-friendly way (offsets arrive mostly increasing).
class LineIndex {
 public:
  explicit LineIndex(std::string_view text) : text_(text) {
    starts_.push_back(0);
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\n') starts_.push_back(i + 1);
    }
  }
  void Locate(size_t offset, int* line, int* column) const {
    if (offset > text_.size()) offset = text_.size();
    size_t lo = 0, hi = starts_.size();
    while (hi - lo > 1) {
      size_t mid = (lo + hi) / 2;
      if (starts_[mid] <= offset)
        lo = mid;
      else
        hi = mid;
    }
    *line = static_cast<int>(lo + 1);
    int col = 1;
    for (size_t i = starts_[lo]; i < offset; ++i) {
      if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) ++col;
    }
    *column = col;
  }

 private:
  std::string_view text_;
  std::vector<size_t> starts_;
};

// Configuration and mapping files nest a few levels; a deeper document is refused rather than
// walked recursively (which could exhaust the stack on a hostile file).
constexpr int kMaxDocDepth = 100;

// ---- XML -----------------------------------------------------------------------------------

// The element nesting depth of `root` is at most `max` (walked iteratively).
bool DepthAtMost(const pugi::xml_node& root, int max) {
  int depth = 1;
  pugi::xml_node cur = root;
  while (cur) {
    pugi::xml_node child = cur.first_child();
    while (child && child.type() != pugi::node_element) child = child.next_sibling();
    if (child) {
      if (++depth > max) return false;
      cur = child;
      continue;
    }
    while (cur && cur != root) {
      pugi::xml_node next = cur.next_sibling();
      while (next && next.type() != pugi::node_element) next = next.next_sibling();
      if (next) {
        cur = next;
        break;
      }
      cur = cur.parent();
      --depth;
    }
    if (cur == root) break;
  }
  return true;
}

void FromXml(const pugi::xml_node& x, const LineIndex& lines, const std::string& file,
             DocNode* out) {
  out->name = x.name();
  out->position.file = file;
  // offset_debug() points at the element's name, just after '<'.
  ptrdiff_t off = x.offset_debug();
  if (off > 0)
    lines.Locate(static_cast<size_t>(off - 1), &out->position.line, &out->position.column);
  for (pugi::xml_attribute a = x.first_attribute(); a; a = a.next_attribute()) {
    out->attributes.push_back(DocAttribute{a.name(), a.value(), out->position});
  }
  std::string text;
  for (pugi::xml_node c = x.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_element) {
      out->children.emplace_back();
      FromXml(c, lines, file, &out->children.back());
    } else if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) {
      text += c.value();
    }
  }
  out->text = std::string(core::Trim(text));
}

// ---- JSON (SAX, so that every node gets its position) --------------------------------------

class TreeBuilder : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, TreeBuilder> {
 public:
  TreeBuilder(const rapidjson::StringStream* stream, const LineIndex* lines, std::string file)
      : stream_(stream), lines_(lines), file_(std::move(file)) {}

  bool Key(const char* s, rapidjson::SizeType len, bool) {
    key_.assign(s, len);
    key_pos_ = Here();
    return true;
  }
  bool StartObject() {
    if (frames_.empty()) {  // the document itself
      frames_.push_back(Frame{Frame::kDocument, {}, &document_});
      return true;
    }
    if (frames_.size() > 2 * kMaxDocDepth) {
      return Fail("objects nest deeper than " + std::to_string(kMaxDocDepth) + " levels");
    }
    Frame& top = frames_.back();
    DocNode* parent = top.node;
    std::string name = top.kind == Frame::kArray ? top.array_name : key_;
    if (top.kind == Frame::kDocument) {
      if (root_seen_) return Fail("the document must hold exactly one root element");
      root_seen_ = true;
      parent = &document_;
    }
    parent->children.emplace_back();
    DocNode* node = &parent->children.back();
    node->name = name;
    node->position = top.kind == Frame::kArray ? Here() : key_pos_;
    frames_.push_back(Frame{Frame::kObject, {}, node});
    return true;
  }
  bool EndObject(rapidjson::SizeType) {
    frames_.pop_back();
    return true;
  }
  bool StartArray() {
    if (frames_.empty()) {
      return Fail("the document must be an object with one member, the root element");
    }
    if (frames_.back().kind != Frame::kObject) {
      return Fail("arrays may only appear as members of an element");
    }
    if (frames_.size() > 2 * kMaxDocDepth) {
      return Fail("objects nest deeper than " + std::to_string(kMaxDocDepth) + " levels");
    }
    frames_.push_back(Frame{Frame::kArray, key_, frames_.back().node});
    return true;
  }
  bool EndArray(rapidjson::SizeType) {
    frames_.pop_back();
    return true;
  }
  bool String(const char* s, rapidjson::SizeType len, bool) { return Scalar(std::string(s, len)); }
  bool Null() {
    if (!frames_.empty() && frames_.back().kind == Frame::kArray) {
      return Fail("null inside the array '" + frames_.back().array_name + "'");
    }
    return true;  // a null member is as if absent
  }
  bool Bool(bool b) { return Scalar(b ? "true" : "false"); }
  bool Int(int i) { return Scalar(std::to_string(i)); }
  bool Uint(unsigned u) { return Scalar(std::to_string(u)); }
  bool Int64(int64_t i) { return Scalar(std::to_string(i)); }
  bool Uint64(uint64_t u) { return Scalar(std::to_string(u)); }
  bool Double(double d) {
    rapidjson::StringBuffer b;
    rapidjson::Writer<rapidjson::StringBuffer> w(b);
    w.Double(d);
    return Scalar(b.GetString());
  }

  Status TakeRoot(DocNode* out) {
    if (!error_.empty()) return Status::ParseError(error_);
    if (document_.children.size() != 1) {
      return Status::ParseError(file_ +
                                ": the document must be an object with exactly one "
                                "member, the root element (e.g. {\"mapping\": {...}})");
    }
    *out = std::move(document_.children.front());
    return Status::Ok();
  }
  const std::string& error() const { return error_; }

 private:
  struct Frame {
    enum Kind { kDocument, kObject, kArray } kind;
    std::string array_name;
    DocNode* node;
  };

  DocPosition Here() const {
    DocPosition p;
    p.file = file_;
    lines_->Locate(stream_->Tell(), &p.line, &p.column);
    return p;
  }

  bool Scalar(std::string value) {
    if (frames_.empty()) return Fail("the document must be an object");
    Frame& top = frames_.back();
    if (top.kind == Frame::kDocument) {
      return Fail("the root member must hold an object (the root element)");
    }
    if (top.kind == Frame::kArray) {  // ["a", "b"]: text-only children
      top.node->children.emplace_back();
      DocNode& n = top.node->children.back();
      n.name = top.array_name;
      n.text = std::move(value);
      n.position = Here();
      return true;
    }
    if (key_ == "#text") {
      top.node->text = std::move(value);
    } else {
      top.node->attributes.push_back(DocAttribute{key_, std::move(value), key_pos_});
    }
    return true;
  }

  bool Fail(std::string message) {
    if (error_.empty()) error_ = Here().ToString() + ": " + message;
    return false;
  }

  const rapidjson::StringStream* stream_;
  const LineIndex* lines_;
  std::string file_;
  DocNode document_;
  std::vector<Frame> frames_;
  std::string key_;
  DocPosition key_pos_;
  bool root_seen_ = false;
  std::string error_;
};

// ---- rendering -----------------------------------------------------------------------------

void RenderXml(const DocNode& n, int depth, std::string* out) {
  std::string indent(static_cast<size_t>(depth) * 2, ' ');
  *out += indent + "<" + n.name;
  for (const DocAttribute& a : n.attributes) {
    *out += " " + a.name + "=\"" + core::XmlEscape(a.value) + "\"";
  }
  if (n.children.empty() && n.text.empty()) {
    *out += "/>\n";
    return;
  }
  *out += ">";
  if (n.children.empty()) {
    *out += core::XmlEscape(n.text) + "</" + n.name + ">\n";
    return;
  }
  *out += "\n";
  if (!n.text.empty()) *out += indent + "  " + core::XmlEscape(n.text) + "\n";
  for (const DocNode& c : n.children) RenderXml(c, depth + 1, out);
  *out += indent + "</" + n.name + ">\n";
}

using PrettyWriter = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

void RenderJsonBody(const DocNode& n, PrettyWriter& w);

void RenderJsonElement(const DocNode& n, PrettyWriter& w) {
  if (n.attributes.empty() && n.children.empty()) {
    w.StartObject();
    if (!n.text.empty()) {
      w.Key("#text");
      w.String(n.text);
    }
    w.EndObject();
    return;
  }
  RenderJsonBody(n, w);
}

void RenderJsonBody(const DocNode& n, PrettyWriter& w) {
  w.StartObject();
  for (const DocAttribute& a : n.attributes) {
    w.Key(a.name);
    w.String(a.value);
  }
  if (!n.text.empty()) {
    w.Key("#text");
    w.String(n.text);
  }
  // Children grouped by name in first-appearance order; a name seen more than once becomes an
  // array. (Interleaving of different names is not kept: our formats never depend on it.)
  std::vector<std::string> names;
  for (const DocNode& c : n.children) {
    bool seen = false;
    for (const std::string& s : names) seen = seen || s == c.name;
    if (!seen) names.push_back(c.name);
  }
  for (const std::string& name : names) {
    std::vector<const DocNode*> group = n.Children(name);
    w.Key(name);
    if (group.size() == 1) {
      RenderJsonElement(*group[0], w);
    } else {
      w.StartArray();
      for (const DocNode* c : group) RenderJsonElement(*c, w);
      w.EndArray();
    }
  }
  w.EndObject();
}

}  // namespace

std::string DocPosition::ToString() const {
  std::string s = file;
  if (line > 0) {
    s += ":" + std::to_string(line);
    if (column > 0) s += ":" + std::to_string(column);
  }
  return s;
}

const DocAttribute* DocNode::Attribute(std::string_view attr) const {
  for (const DocAttribute& a : attributes) {
    if (a.name == attr) return &a;
  }
  return nullptr;
}

std::string DocNode::Get(std::string_view attr, std::string_view fallback) const {
  const DocAttribute* a = Attribute(attr);
  return a ? a->value : std::string(fallback);
}

std::vector<const DocNode*> DocNode::Children(std::string_view child_name) const {
  std::vector<const DocNode*> out;
  for (const DocNode& c : children) {
    if (c.name == child_name) out.push_back(&c);
  }
  return out;
}

const DocNode* DocNode::Child(std::string_view child_name) const {
  for (const DocNode& c : children) {
    if (c.name == child_name) return &c;
  }
  return nullptr;
}

std::string DocNode::Where() const { return "<" + name + "> at " + position.ToString(); }

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status::IoError("cannot read " + path + ": " + std::strerror(errno));
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Status::IoError("error reading " + path);
  return ss.str();
}

// The offset of the first entity reference other than the five XML predefines and character
// references (pugixml leaves them as literal text, so "&h;" would become a value), skipping
// comments, CDATA, processing instructions and the DOCTYPE; npos when there is none. `*name`
// gets the reference as written ("&h;", or "&" for a bare ampersand).
size_t UnexpandedEntity(std::string_view t, std::string* name) {
  auto skip_to = [&](size_t from, std::string_view end) {
    size_t e = t.find(end, from);
    return e == std::string_view::npos ? t.size() : e + end.size();
  };
  for (size_t i = 0; i < t.size();) {
    if (t[i] == '<') {
      if (t.compare(i, 4, "<!--") == 0) {
        i = skip_to(i + 4, "-->");
      } else if (t.compare(i, 9, "<![CDATA[") == 0) {
        i = skip_to(i + 9, "]]>");
      } else if (t.compare(i, 2, "<?") == 0) {
        i = skip_to(i + 2, "?>");
      } else if (t.compare(i, 2, "<!") == 0) {  // <!DOCTYPE ... [ internal subset ] >
        int depth = 0;
        for (++i; i < t.size(); ++i) {
          if (t[i] == '[') ++depth;
          if (t[i] == ']') --depth;
          if (t[i] == '>' && depth <= 0) break;
        }
        ++i;
      } else {
        ++i;
      }
      continue;
    }
    if (t[i] != '&') {
      ++i;
      continue;
    }
    size_t semi = t.find(';', i);
    std::string_view ref =
        semi == std::string_view::npos || semi - i > 32 ? std::string_view() : t.substr(i + 1, semi - i - 1);
    bool ok = ref == "amp" || ref == "lt" || ref == "gt" || ref == "quot" || ref == "apos";
    if (!ok && ref.size() >= 2 && ref[0] == '#') {
      bool hex = ref[1] == 'x';
      std::string_view digits = ref.substr(hex ? 2 : 1);
      ok = !digits.empty();
      for (char c : digits) {
        ok = ok && (std::isdigit(static_cast<unsigned char>(c)) ||
                    (hex && std::isxdigit(static_cast<unsigned char>(c))));
      }
    }
    if (!ok) {
      *name = ref.empty() ? "&" : "&" + std::string(ref) + ";";
      return i;
    }
    i = semi + 1;
  }
  return std::string_view::npos;
}

Result<DocNode> ParseXmlDoc(std::string_view text, const std::string& name_for_errors) {
  // pugixml takes any bytes as UTF-8, and leaves unknown entity references as text: both would
  // reach values (a store file with a non-UTF-8 name, one called "&h;.db"), so both are
  // refused here, at their position.
  size_t bad = 0;
  if (!core::IsValidUtf8(text, &bad)) {
    DocPosition p{name_for_errors, 0, 0};
    LineIndex(text).Locate(bad, &p.line, &p.column);
    char byte[8];
    std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned char>(text[bad]));
    return Status::ParseError(p.ToString() + ": not UTF-8 (byte " + byte +
                              "); save the file as UTF-8 (e.g. iconv -f latin1 -t utf-8)");
  }
  std::string entity;
  if (size_t at = UnexpandedEntity(text, &entity); at != std::string_view::npos) {
    DocPosition p{name_for_errors, 0, 0};
    LineIndex(text).Locate(at, &p.line, &p.column);
    return Status::ParseError(
        p.ToString() + ": " +
        (entity == "&" ? std::string("a bare '&'; write &amp;")
                       : "the entity reference " + entity +
                             " is not expanded (DTDs are not read: only &amp; &lt; &gt; &quot; "
                             "&apos; and character references such as &#233;); write its text "
                             "instead"));
  }
  pugi::xml_document doc;
  // parse_default without DTD: a <!DOCTYPE> is skipped, never processed; pugixml has no
  // entity expansion beyond the five predefined entities and character references.
  unsigned options = pugi::parse_default & ~pugi::parse_doctype;
  pugi::xml_parse_result r =
      doc.load_buffer(text.data(), text.size(), options, pugi::encoding_utf8);
  LineIndex lines(text);
  if (!r) {
    DocPosition p{name_for_errors, 0, 0};
    lines.Locate(static_cast<size_t>(r.offset), &p.line, &p.column);
    return Status::ParseError(p.ToString() + ": XML error: " + r.description());
  }
  pugi::xml_node root = doc.document_element();
  if (!root) return Status::ParseError(name_for_errors + ": the document has no root element");
  if (!DepthAtMost(root, kMaxDocDepth)) {
    return Status::ParseError(name_for_errors + ": elements nest deeper than " +
                              std::to_string(kMaxDocDepth) + " levels");
  }
  DocNode out;
  FromXml(root, lines, name_for_errors, &out);
  return out;
}

Result<DocNode> ParseJsonDoc(std::string_view text, const std::string& name_for_errors) {
  // StringStream needs a NUL-terminated buffer. Three more NULs: RapidJSON's UTF-8 validation
  // takes a multi-byte sequence's continuation bytes before checking them, so a lead byte at
  // the very end would read past a single terminator (found by fuzzing).
  std::string buffer(text);
  buffer.append(3, '\0');
  rapidjson::StringStream stream(buffer.c_str());
  LineIndex lines(text);
  TreeBuilder builder(&stream, &lines, name_for_errors);
  rapidjson::Reader reader;
  rapidjson::ParseResult r =
      reader.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag>(stream,
                                                                                           builder);
  if (!builder.error().empty()) return Status::ParseError(builder.error());
  if (!r) {
    DocPosition p{name_for_errors, 0, 0};
    lines.Locate(r.Offset(), &p.line, &p.column);
    return Status::ParseError(p.ToString() +
                              ": JSON error: " + rapidjson::GetParseError_En(r.Code()));
  }
  if (text.size() != std::strlen(buffer.c_str())) {
    return Status::ParseError(name_for_errors + ": the document contains a NUL byte");
  }
  DocNode root;
  MB_RETURN_IF_ERROR(builder.TakeRoot(&root));
  return root;
}

Result<DocNode> LoadDocFile(const std::string& path) {
  MB_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  std::string lower = core::AsciiLower(path);
  if (lower.size() >= 5 && lower.compare(lower.size() - 5, 5, ".json") == 0) {
    return ParseJsonDoc(text, path);
  }
  if (lower.size() >= 4 && lower.compare(lower.size() - 4, 4, ".xml") == 0) {
    return ParseXmlDoc(text, path);
  }
  return Status::InvalidArgument(path + ": unknown file type; name it .xml or .json");
}

std::string ToXml(const DocNode& root) {
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  RenderXml(root, 0, &out);
  return out;
}

std::string ToJson(const DocNode& root) {
  rapidjson::StringBuffer buf;
  PrettyWriter w(buf);
  w.StartObject();
  w.Key(root.name);
  RenderJsonElement(root, w);
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace meabridge::codec
