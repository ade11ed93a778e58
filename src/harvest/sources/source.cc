#include "harvest/sources/source.h"

#include <cstdio>

#include "core/time.h"

namespace meabridge::harvest {

void RunContext::Warn(std::string warning) { warnings.push_back(std::move(warning)); }

void RunContext::Incomplete(std::string why) {
  complete = false;
  incomplete.push_back(why);
  warnings.push_back(std::move(why));
}

void RunContext::ReportProgress(const std::string& phase) {
  if (!progress) return;
  Progress p;
  p.source = source.name;
  p.phase = phase;
  p.pages = pages;
  p.records = spool.records() + spool.rejects();
  p.bytes = bytes;
  progress(p);
}

Result<bool> Source::Exists(RunContext& ctx, const std::string&) {
  return Status::Unimplemented("source '" + ctx.source.name + "' (" + ctx.source.kind +
                               ") cannot be probed record by record");
}

void SourceRegistry::Add(const std::string& kind, SourceFactory factory) {
  factories_[kind] = std::move(factory);
}

Result<std::unique_ptr<Source>> SourceRegistry::Create(const config::SourceConfig& source) const {
  auto it = factories_.find(source.kind);
  if (it == factories_.end()) {
    std::string kinds;
    for (const auto& [k, f] : factories_) kinds += (kinds.empty() ? "" : ", ") + k;
    return Status::InvalidArgument("source '" + source.name + "': unknown kind '" + source.kind +
                                   "' (known: " + kinds + ")");
  }
  return it->second(source);
}

std::vector<std::string> SourceRegistry::Kinds() const {
  std::vector<std::string> out;
  for (const auto& [k, f] : factories_) out.push_back(k);
  return out;
}

std::string FormatSince(core::EpochMs since, const std::string& format) {
  if (format == "epoch-ms") return std::to_string(since);
  if (format == "date") return core::FormatDate(core::DateOf(since));
  std::string iso = core::FormatDateTime(since - since % 1000);  // whole seconds
  if (format == "odata-v2") {
    // datetime'2024-05-01T10:00:00' (OData V2 literals carry no zone: UTC is meant).
    if (!iso.empty() && iso.back() == 'Z') iso.pop_back();
    return "datetime'" + iso + "'";
  }
  return iso;
}

}  // namespace meabridge::harvest
