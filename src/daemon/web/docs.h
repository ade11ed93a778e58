// The documentation (docs/*.md), compiled into the binary by CMake (src/daemon/web/docs.cc.in),
// so that /docs/ always describes the binary that serves it, with no file to find at run time.
#pragma once

#include <string_view>
#include <vector>

namespace meabridge::daemon::web {

struct EmbeddedDoc {
  std::string_view name;  // "publishing.md"
  std::string_view text;  // the Markdown source
};

// In file name order.
const std::vector<EmbeddedDoc>& EmbeddedDocs();

}  // namespace meabridge::daemon::web
