// XmlDocument: a whole XML document parsed with pugixml, with namespaces resolved by us
// (pugixml is not namespace-aware) so that XPath written against the mapping's prefixes works
// whatever prefixes the document chose.
//
// Namespace resolution renames, once, after parsing:
//   - an element or attribute in a namespace the caller declares (XmlNamespace) gets that
//     declaration's prefix: "a:entry" for Atom when the caller declares a=Atom, even when
//     the document uses a default namespace; the empty prefix gives the bare local name;
//   - an element or attribute in any other namespace keeps only its local name;
//   - names without a namespace, xmlns declarations and xml:* attributes stay as they are.
// OData's m:null="true" and XML Schema's xsi:nil="true" mark an element as null (IsNil).
//
// No DTD processing and no entity expansion: a DOCTYPE is skipped, only the five predefined
// entities and character references are decoded. XML is read whole (pugixml is a DOM parser):
// the harvester bounds the size of a page.
//
// A parsed document is immutable: thread-safe for reading (XPath queries evaluate on it from
// any number of threads).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <pugixml.hpp>

#include "core/status.h"

namespace meabridge::codec {

struct XmlNamespace {
  std::string prefix;  // may be empty: elements of that namespace then use bare names
  std::string uri;
};

inline constexpr const char* kAtomNs = "http://www.w3.org/2005/Atom";
inline constexpr const char* kODataMetadataNs =
    "http://schemas.microsoft.com/ado/2007/08/dataservices/metadata";
inline constexpr const char* kODataDataNs = "http://schemas.microsoft.com/ado/2007/08/dataservices";
inline constexpr const char* kXsiNs = "http://www.w3.org/2001/XMLSchema-instance";

class XmlDocument {
 public:
  // Parses `text`. A ParseError "NAME:LINE:COLUMN (offset O): XML error: ..." for malformed
  // XML.
  static Result<std::unique_ptr<XmlDocument>> Parse(std::string text,
                                                    const std::vector<XmlNamespace>& namespaces,
                                                    const std::string& name);

  pugi::xml_node root() const { return doc_.document_element(); }
  pugi::xml_node document() const { return doc_; }

  bool IsNil(pugi::xml_node n) const { return nil_.count(n.internal_object()) > 0; }

  // The XPath-like position of an element, for rejects: "/feed/entry[3]" (an index where
  // siblings share the name), with " (line N)" when known.
  std::string PositionOf(pugi::xml_node n) const;

  // The string value of a node (the concatenated text below an element; an attribute's value).
  static void StringValue(pugi::xml_node n, std::string* out);
  // True when an element has element children.
  static bool HasElementChildren(pugi::xml_node n);

 private:
  XmlDocument() = default;
  void ResolveNamespaces(const std::vector<XmlNamespace>& namespaces);

  std::string text_;  // pugixml parses in place: the buffer lives as long as the document
  pugi::xml_document doc_;
  std::unordered_set<const void*> nil_;
  std::unordered_map<const void*, ptrdiff_t> offsets_;  // of renamed elements
  std::string name_;
};

}  // namespace meabridge::codec
