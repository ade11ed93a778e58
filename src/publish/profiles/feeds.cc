#include "publish/profiles/feeds.h"

namespace meabridge::publish::profiles {

Result<std::vector<Profile>> LoadProfiles(const config::Config& config, const vocab::Vocabularies*,
                                          const model::Registry&) {
  if (!config.profiles.empty()) {
    return Status::Unimplemented("partner profiles are not available in this build yet");
  }
  return std::vector<Profile>{};
}

Status Register(http::RouteRegistry&, std::shared_ptr<const Context>) { return Status::Ok(); }

}  // namespace meabridge::publish::profiles
