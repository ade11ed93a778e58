// The InforMEA OData V2 dialect at /informea.svc/: what the InforMEA portal's harvester (and
// other V1/V2 clients) read.
//
//   GET /informea.svc/                      service document (AtomPub, or JSON)
//   GET /informea.svc/$metadata             EDMX 1.0 / DataServiceVersion 2.0 (odata_v2/model.h)
//   GET /informea.svc/Contacts              Atom feed by default; verbose JSON with
//                                           Accept: application/json or $format=json:
//                                           {"d": {"results": [...], "__count": "N", "__next":
//                                           ...}}
//   GET /informea.svc/Contacts/$count       the count as text
//   GET /informea.svc/Contacts('id')        one entry ({"d": {...}}); 404 when absent
//   GET /informea.svc/Contacts('id')/title  the children of a navigation property
//
// Options: $filter (with V2's datetime'...' literals and substringof), $orderby, $top, $skip,
// $select, $expand (navigation properties: multilingual texts, lists), $inlinecount=allpages,
// $format, $skiptoken (server paging when $top is absent). Entries carry __metadata (uri,
// type), dates as \/Date(ms)\/, unexpanded children as __deferred links.
//
// The handlers are stateless: thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "model/record.h"
#include "publish/context.h"
#include "publish/http/router.h"

namespace meabridge::publish::odata_v2 {

// The dialect's two forms. kV2Root: verbose JSON as OData V2 writes it, an expanded collection
// wrapped ({"title": {"results": [...]}}). kV3Root: the same service (the same sets, options,
// Atom, $metadata) whose verbose JSON writes expanded collections inline as arrays
// ({"title": [{"language": "en", "value": ...}]}) and Contacts roles grouped by treaty
// ({"roles": [{"treaty": "cbd", "roles": ["CHM NFP"]}]}), as CBD's V3 service does and the
// InforMEA harvester's ODataConsumerV3 reads; it answers DataServiceVersion 3.0. A client picks
// the form by its service root: the harvester's V3 consumer sends nothing else that tells
// (docs/publishing.md, "The V3 form").
inline constexpr std::string_view kV2Root = "/informea.svc/";
inline constexpr std::string_view kV3Root = "/informea.svc/v3/";

Status Register(http::RouteRegistry& routes, std::shared_ptr<const Context> context);

// One record as an <entry> of the dialect's Atom feed, appended to `out`: `root` is the service
// root ("https://data.example.org/informea.svc/"), `fallback_updated` dates a record without
// `updated`; `selected` and `expanded` (one flag per registry field) say which properties are
// written and which navigation properties are inlined (<m:inline>) rather than linked. Shared
// with `meabridge export --format xml`.
void AppendAtomEntry(std::string& out, const model::Record& record, const std::string& root,
                     core::EpochMs fallback_updated, const std::vector<bool>& selected,
                     const std::vector<bool>& expanded);
// The opening of a document: the XML declaration and <ROOT_ELEMENT xml:base=ROOT> ("feed" or
// "entry") with the namespaces its entries use.
std::string AtomDocumentOpen(const std::string& root, const char* root_element = "feed");

}  // namespace meabridge::publish::odata_v2
