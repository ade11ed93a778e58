// What every family of published endpoints shares: the entity registry, the vocabularies,
// the limits and page sizes from <server>, the link signer, and the partner profiles.
//
// Built once when the publisher starts and immutable afterwards: thread-safe to share between
// the request threads.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "model/registry.h"
#include "publish/odata/tokens.h"

namespace meabridge::vocab {
class Vocabularies;
}
namespace meabridge::mapping {
class OutboundMapping;
}

namespace meabridge::publish {

struct PublishOptions {
  int page_size = 100;       // records per page when the request does not say
  int max_top = 1000;        // largest $top
  int max_expand_depth = 2;  // deepest $expand nesting
};

// A partner profile (<profile>): /feeds/NAME/ENTITY in the shape of an outbound mapping
// (profiles/feeds.h loads them).
struct Profile {
  std::string name;
  std::shared_ptr<const mapping::OutboundMapping> mapping;
};

struct Context {
  const model::Registry* registry = nullptr;
  const vocab::Vocabularies* vocabularies = nullptr;  // nullptr: /vocab/ answers 503
  PublishOptions options;
  odata::LinkSigner signer{""};
  std::vector<Profile> profiles;
};

}  // namespace meabridge::publish
