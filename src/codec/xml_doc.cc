#include "codec/xml_doc.h"

#include <algorithm>
#include <utility>

namespace meabridge::codec {
namespace {

constexpr const char* kXmlNs = "http://www.w3.org/XML/1998/namespace";

void LineColumn(std::string_view text, size_t offset, size_t* line, size_t* column) {
  offset = std::min(offset, text.size());
  size_t l = 1, start = 0;
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++l;
      start = i + 1;
    }
  }
  *line = l;
  *column = offset - start + 1;
}

}  // namespace

Result<std::unique_ptr<XmlDocument>> XmlDocument::Parse(std::string text,
                                                        const std::vector<XmlNamespace>& namespaces,
                                                        const std::string& name) {
  std::unique_ptr<XmlDocument> d(new XmlDocument());
  d->name_ = name;
  d->text_ = std::move(text);
  // parse_default without parse_doctype: a DOCTYPE (and its internal subset) is skipped, never
  // processed; pugixml expands no entities beyond the predefined ones.
  unsigned options = pugi::parse_default & ~static_cast<unsigned>(pugi::parse_doctype);
  // load_buffer copies into pugixml's own buffer: d->text_ stays intact for the line numbers
  // of positions.
  pugi::xml_parse_result r =
      d->doc_.load_buffer(d->text_.data(), d->text_.size(), options, pugi::encoding_auto);
  if (!r) {
    size_t line = 0, column = 0;
    LineColumn(d->text_, static_cast<size_t>(std::max<ptrdiff_t>(r.offset, 0)), &line, &column);
    return Status::ParseError(name + ":" + std::to_string(line) + ":" + std::to_string(column) +
                              " (offset " + std::to_string(r.offset) +
                              "): XML error: " + r.description());
  }
  if (!d->doc_.document_element()) {
    return Status::ParseError(name + ": the XML document has no root element");
  }
  d->ResolveNamespaces(namespaces);
  return d;
}

void XmlDocument::ResolveNamespaces(const std::vector<XmlNamespace>& declared) {
  // prefix -> the URIs bound to it, innermost last; `pushed` lists the prefixes each open
  // element bound, so that leaving it unbinds them. Lookups stay O(1) however deep the
  // document nests (a deep document with many declarations must not cost quadratic time).
  std::unordered_map<std::string, std::vector<std::string>> scopes;
  std::vector<std::string> pushed;
  std::vector<size_t> marks;
  auto lookup = [&scopes](std::string_view prefix) -> const std::string* {
    if (prefix == "xml") {
      static const std::string kXml = kXmlNs;
      return &kXml;
    }
    auto it = scopes.find(std::string(prefix));
    if (it == scopes.end() || it->second.empty()) return nullptr;
    return &it->second.back();
  };
  auto bind = [&](std::string prefix, std::string uri) {
    scopes[prefix].push_back(std::move(uri));
    pushed.push_back(std::move(prefix));
  };
  auto unbind_to = [&](size_t mark) {
    while (pushed.size() > mark) {
      scopes[pushed.back()].pop_back();
      pushed.pop_back();
    }
  };
  auto rename = [&declared](std::string_view local, const std::string& uri) -> std::string {
    for (const XmlNamespace& ns : declared) {
      if (ns.uri == uri)
        return ns.prefix.empty() ? std::string(local) : ns.prefix + ":" + std::string(local);
    }
    return std::string(local);
  };

  pugi::xml_node node = doc_.document_element();
  while (node) {
    // Enter: bind this element's declarations, then rename it and its attributes.
    marks.push_back(pushed.size());
    for (pugi::xml_attribute a = node.first_attribute(); a; a = a.next_attribute()) {
      std::string_view n = a.name();
      if (n == "xmlns") {
        bind("", a.value());
      } else if (n.substr(0, 6) == "xmlns:") {
        bind(std::string(n.substr(6)), a.value());
      }
    }
    {
      std::string_view n = node.name();
      size_t colon = n.find(':');
      std::string_view prefix = colon == std::string_view::npos ? "" : n.substr(0, colon);
      std::string_view local = colon == std::string_view::npos ? n : n.substr(colon + 1);
      const std::string* uri = lookup(prefix);
      if (uri && !uri->empty()) {
        std::string renamed = rename(local, *uri);
        if (renamed != n) {
          // A renamed node no longer points into the parse buffer: keep its offset for positions.
          offsets_[node.internal_object()] = node.offset_debug();
          node.set_name(renamed.c_str());
        }
      }
    }
    for (pugi::xml_attribute a = node.first_attribute(); a; a = a.next_attribute()) {
      std::string_view n = a.name();
      size_t colon = n.find(':');
      if (colon == std::string_view::npos || n.substr(0, colon) == "xmlns") continue;
      std::string_view prefix = n.substr(0, colon);
      std::string_view local = n.substr(colon + 1);
      const std::string* uri = lookup(prefix);
      if (!uri) continue;
      std::string_view value = a.value();
      if ((*uri == kODataMetadataNs && local == "null" && value == "true") ||
          (*uri == kXsiNs && local == "nil" && value == "true")) {
        nil_.insert(node.internal_object());
      }
      if (prefix == "xml") {
        bool declared_xml = std::any_of(declared.begin(), declared.end(),
                                        [](const XmlNamespace& ns) { return ns.uri == kXmlNs; });
        if (!declared_xml) continue;
      }
      std::string renamed = rename(local, *uri);
      if (renamed != n) a.set_name(renamed.c_str());
    }
    // Descend into the first element child, else leave elements until one has a next sibling.
    pugi::xml_node child = node.first_child();
    while (child && child.type() != pugi::node_element) child = child.next_sibling();
    if (child) {
      node = child;
      continue;
    }
    while (node) {
      unbind_to(marks.back());
      marks.pop_back();
      pugi::xml_node next = node.next_sibling();
      while (next && next.type() != pugi::node_element) next = next.next_sibling();
      if (next) {
        node = next;
        break;
      }
      node = node.parent();
      if (node.type() != pugi::node_element) node = pugi::xml_node();
    }
  }
}

void XmlDocument::StringValue(pugi::xml_node n, std::string* out) {
  if (n.type() == pugi::node_pcdata || n.type() == pugi::node_cdata) {
    out->append(n.value());
    return;
  }
  if (n.type() != pugi::node_element && n.type() != pugi::node_document) return;
  // Iterative walk of the subtree (documents may nest deeply).
  pugi::xml_node top = n;
  pugi::xml_node cur = n.first_child();
  while (cur) {
    if (cur.type() == pugi::node_pcdata || cur.type() == pugi::node_cdata) out->append(cur.value());
    if (cur.first_child()) {
      cur = cur.first_child();
      continue;
    }
    while (cur && cur != top && !cur.next_sibling()) cur = cur.parent();
    if (!cur || cur == top) break;
    cur = cur.next_sibling();
  }
}

bool XmlDocument::HasElementChildren(pugi::xml_node n) {
  for (pugi::xml_node c = n.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_element) return true;
  }
  return false;
}

std::string XmlDocument::PositionOf(pugi::xml_node n) const {
  std::vector<std::string> parts;
  for (pugi::xml_node cur = n; cur && cur.type() == pugi::node_element; cur = cur.parent()) {
    size_t index = 1;
    bool shared = false;
    for (pugi::xml_node s = cur.previous_sibling(cur.name()); s;
         s = s.previous_sibling(cur.name())) {
      ++index;
      shared = true;
    }
    if (!shared && cur.next_sibling(cur.name())) shared = true;
    std::string part = cur.name();
    if (shared) part += "[" + std::to_string(index) + "]";
    parts.push_back(std::move(part));
  }
  std::string out;
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) out += "/" + *it;
  ptrdiff_t off = n.offset_debug();
  if (auto it = offsets_.find(n.internal_object()); it != offsets_.end()) off = it->second;
  if (off > 0) {
    size_t line = 0, column = 0;
    LineColumn(text_, static_cast<size_t>(off), &line, &column);
    out += " (line " + std::to_string(line) + ")";
  }
  return out;
}

}  // namespace meabridge::codec
