// DocTree: a small element tree with source positions, read from XML (pugixml) or JSON
// (RapidJSON SAX), so that configuration files and mapping files can be written in either
// form and every error can point at file:line:column.
//
// The two forms are equivalent by this convention:
//
//   XML                                  JSON
//   <source name="a" kind="http">        {"source": {"name": "a", "kind": "http",
//     <param name="t" value="cbd"/>          "param": [{"name": "t", "value": "cbd"}]}}
//   </source>
//   <note>some text</note>               {"note": {"#text": "some text"}}
//
// - an element is a JSON object; its attributes are the object's scalar members (strings,
//   numbers and booleans, kept as their text: 8080 and "8080" read the same);
// - child elements are members whose value is an object (one child) or an array of objects
//   (repeated children of that name); order among children of the same name is kept;
// - an element's text is the member "#text"; an array of strings is a list of child elements
//   holding only text ({"path": ["a", "b"]} is <path>a</path><path>b</path>);
// - null members are left out, as if absent;
// - the JSON document is an object with exactly one member, the root element.
//
// XML is parsed without DTD processing or entity expansion (pugixml never fetches or expands
// external entities); JSON must be valid UTF-8.
//
// Plain values: thread-compatible.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace meabridge::codec {

struct DocPosition {
  std::string file;  // shared by every node of one document
  int line = 0;      // 1-based; 0 when unknown
  int column = 0;

  // "file:line:column" (or less, when parts are unknown).
  std::string ToString() const;
};

struct DocAttribute {
  std::string name;
  std::string value;
  DocPosition position;
};

struct DocNode {
  std::string name;
  std::vector<DocAttribute> attributes;  // in document order
  std::vector<DocNode> children;         // in document order
  std::string text;                      // trimmed text content
  DocPosition position;

  const DocAttribute* Attribute(std::string_view attr) const;
  // The attribute's value, or `fallback` when absent.
  std::string Get(std::string_view attr, std::string_view fallback = "") const;
  bool Has(std::string_view attr) const { return Attribute(attr) != nullptr; }
  std::vector<const DocNode*> Children(std::string_view child_name) const;
  const DocNode* Child(std::string_view child_name) const;  // the first one

  // "<name> at file:line:column"
  std::string Where() const;
};

// Reads a document; the form is chosen by the file extension (.xml or .json).
Result<DocNode> LoadDocFile(const std::string& path);
// From text; `name_for_errors` stands for the file in positions.
Result<DocNode> ParseXmlDoc(std::string_view text, const std::string& name_for_errors);
Result<DocNode> ParseJsonDoc(std::string_view text, const std::string& name_for_errors);

// Renders a tree in the other form (used by tests that prove the two forms equivalent, and by
// `meabridge mapping convert`).
std::string ToXml(const DocNode& root);
std::string ToJson(const DocNode& root);

// Reads a whole file; IoError naming the path and the reason.
Result<std::string> ReadFile(const std::string& path);

}  // namespace meabridge::codec
