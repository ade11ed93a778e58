// Shared by the fuzz targets: the vocabularies (loaded once) and a sink that drops everything.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "mapping/mapping.h"
#include "vocab/vocabulary.h"

namespace meabridge::fuzz {

inline const vocab::Vocabularies& Vocabs() {
  static const vocab::Vocabularies* v = [] {
    auto loaded = vocab::Vocabularies::Load();
    if (loaded.ok()) return static_cast<const vocab::Vocabularies*>(loaded->release());
    return static_cast<const vocab::Vocabularies*>(
        new vocab::Vocabularies(std::vector<std::unique_ptr<vocab::Vocabulary>>()));
  }();
  return *v;
}

class NullSink : public mapping::RecordSink {
 public:
  Status OnRecord(model::Record) override { return Status::Ok(); }
  Status OnReject(mapping::Reject) override { return Status::Ok(); }
};

// A shipped mapping, loaded once. nullptr (and the target does less) if it cannot load.
inline std::shared_ptr<const mapping::Mapping> Shipped(const std::string& rel) {
  auto m = mapping::Mapping::Load(std::string(MEABRIDGE_SOURCE_DIR) + "/mappings/" + rel, Vocabs());
  return m.ok() ? *m : nullptr;
}

}  // namespace meabridge::fuzz
