// The one place that names every built-in source kind.
#include "harvest/sources/source.h"

namespace meabridge::harvest {

void RegisterBuiltinSources(SourceRegistry& registry) {
  RegisterHttpSource(registry);
  RegisterFileSource(registry);
  RegisterSqlSource(registry);
  RegisterVocabularySource(registry);
}

const SourceRegistry& SourceRegistry::Default() {
  static const SourceRegistry registry = [] {
    SourceRegistry r;
    RegisterBuiltinSources(r);
    return r;
  }();
  return registry;
}

}  // namespace meabridge::harvest
