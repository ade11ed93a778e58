// The configuration's spec: every element and attribute meabridge reads, with its type,
// default, allowed values and one line of documentation. It drives validation
// (config/load.cc, CheckElement), `meabridge check-config --reference` and the test that keeps
// docs/configuration.md complete. One source of truth: a key that is not here is refused.
//
// Immutable after construction: thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace meabridge::config {

enum class ValueKind {
  kString,
  kInt,       // decimal integer within [min, max]
  kBool,      // true/false, yes/no, on/off, 1/0
  kDuration,  // "500ms", "30s", "5m", "6h", "1d"; a bare number is seconds
  kSize,      // "512", "64KB", "10MB", "1GB" (powers of 1024)
  kChoice,    // one of `choices`
  kPath,      // a file path, relative to the configuration file's folder
  kUrl,       // an absolute URL
  kShare,     // a fraction: "0.2" or "20%"
};

struct AttrSpec {
  std::string name;
  ValueKind kind = ValueKind::kString;
  std::string default_value;  // "" = no default
  bool required = false;
  std::vector<std::string> choices;  // kChoice
  int64_t min = 0;                   // kInt
  int64_t max = INT64_MAX;
  std::string doc;
  std::string example;
};

struct ElementSpec {
  std::string name;
  std::string doc;
  bool repeated = false;
  bool required = false;
  std::string key;  // attribute whose value must be unique among siblings ("name")
  std::vector<AttrSpec> attributes;
  std::vector<ElementSpec> children;

  const AttrSpec* Attr(const std::string& attr) const;
  const ElementSpec* Child(const std::string& child) const;
};

// The root element, <meabridge>.
const ElementSpec& ConfigSpec();

const char* ValueKindName(ValueKind kind);

}  // namespace meabridge::config
