#include "harvest/config_check.h"

#include "core/strings.h"
#include "harvest/sources/source.h"
#include "mapping/mapping.h"
#include "mapping/outbound.h"

namespace meabridge::harvest {

std::vector<std::string> CheckMappings(const config::Config& cfg,
                                       const vocab::Vocabularies& vocabularies) {
  std::vector<std::string> out;
  auto add = [&](const std::string& prefix, const std::string& message) {
    for (const std::string& line : core::Split(message, '\n')) {
      if (!line.empty()) out.push_back(prefix + line);
    }
  };
  for (const config::SourceConfig& s : cfg.sources) {
    const std::string prefix = s.position.ToString() + ": source '" + s.name + "': ";
    Result<std::shared_ptr<const mapping::Mapping>> m =
        mapping::Mapping::Load(s.mapping, vocabularies);
    if (!m.ok()) {
      add(prefix, m.status().message());
      continue;
    }
    for (const std::string& p : (*m)->ParamProblems(s.params)) add(prefix, p);
    if (s.kind == "sql" && (*m)->format() != "csv") {
      add(prefix, (*m)->file() + ": a sql source maps rows like CSV rows, but this mapping's " +
                      "decoder is " + (*m)->format() + "; expected <decoder format=\"csv\"/>");
    }
    if (s.kind == "sql") {
      Status children = CheckSqlChildren(s, **m);
      if (!children.ok()) add(s.position.ToString() + ": ", children.message());
    }
  }
  for (const config::ProfileConfig& p : cfg.profiles) {
    const std::string prefix = p.position.ToString() + ": profile '" + p.name + "': ";
    Result<std::shared_ptr<const mapping::OutboundMapping>> m =
        mapping::OutboundMapping::Load(p.mapping, vocabularies);
    if (!m.ok()) {
      add(prefix, m.status().message());
      continue;
    }
    for (const std::string& problem : (*m)->ParamProblems({})) add(prefix, problem);
  }
  return out;
}

}  // namespace meabridge::harvest
