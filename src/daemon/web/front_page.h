// `/`: the front door. A browser (an Accept naming text/html, or none) gets one HTML page
// saying what this server publishes, with a link to every feed (per entity set of the registry:
// OData V4, the InforMEA V2 dialect, Atom, CSV, JSON-LD; the service roots and metadata; the
// partner profiles' feeds; /vocab/ and /ld/), the status page, /metrics and the documentation
// (/docs/, docs.h). An OData client (Accept: application/json, or $format=json) gets the OData
// V4 service document, as from /odata/v4/.
//
// /docs/ lists the documentation compiled into the binary; /docs/NAME.md answers one page's
// Markdown as text/plain (which every browser shows in the tab).
//
// The pages load nothing from elsewhere: inline CSS, the daemon's own icon (assets.h).
//
// Pure functions of their inputs: thread-safe.
#pragma once

#include <string>

#include "model/registry.h"
#include "publish/context.h"

namespace meabridge::daemon::web {

// `base_url` ends with '/'. `publish` may be null (no profiles then).
std::string RenderFrontPage(const model::Registry& registry, const publish::Context* publish,
                            const std::string& base_url);

// The /docs/ index.
std::string RenderDocsIndex(const std::string& base_url);

}  // namespace meabridge::daemon::web
