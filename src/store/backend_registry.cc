#include "store/backend_registry.h"

#include <utility>

#include "core/strings.h"

namespace meabridge::store {
namespace {

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && core::EqualsIgnoreCase(s.substr(0, prefix.size()), prefix);
}

}  // namespace

void BackendRegistry::Add(Backend backend) { backends_.push_back(std::move(backend)); }

Result<const Backend*> BackendRegistry::Resolve(std::string_view location,
                                                std::string* rest) const {
  const Backend* best = nullptr;
  size_t best_len = 0;
  for (const Backend& b : backends_) {
    for (const std::string& p : b.prefixes) {
      if (p.size() > best_len && StartsWithIgnoreCase(location, p)) {
        best = &b;
        best_len = p.size();
      }
    }
  }
  if (best) {
    *rest = std::string(location.substr(best_len));
    if (rest->empty() && best->plain_paths) {
      return Status::InvalidArgument("store location " + core::Quote(location) +
                                     " names no file: write " + best->forms);
    }
    return best;
  }
  if (!location.empty() && core::UrlScheme(location).empty()) {
    for (const Backend& b : backends_) {
      if (b.plain_paths) {
        *rest = std::string(location);
        return &b;
      }
    }
  }
  std::string forms;
  for (const Backend& b : backends_) {
    if (!forms.empty()) forms += "; ";
    forms += b.forms;
  }
  return Status::InvalidArgument((location.empty()
                                      ? std::string("empty store location")
                                      : "unknown store location " + core::Quote(location)) +
                                 ": write " + forms);
}

}  // namespace meabridge::store
