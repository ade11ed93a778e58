// Partner profiles: /feeds/{profile}/{entity}, the records of one entity set rendered by the
// outbound mapping a <profile> names (mapping/outbound.h), streamed, in the partner's own JSON
// or XML shape.
//
// Loaded once at start-up; immutable afterwards: thread-safe.
#pragma once

#include <memory>
#include <vector>

#include "config/config.h"
#include "core/status.h"
#include "model/registry.h"
#include "publish/context.h"
#include "publish/http/router.h"

namespace meabridge::publish::profiles {

// Loads the outbound mapping of every <profile>. Errors name the profile and the mapping file.
Result<std::vector<Profile>> LoadProfiles(const config::Config& config,
                                          const vocab::Vocabularies* vocabularies,
                                          const model::Registry& registry);

Status Register(http::RouteRegistry& routes, std::shared_ptr<const Context> context);

}  // namespace meabridge::publish::profiles
