// The OData V4 JSON service at /odata/v4/: the service document, $metadata (odata_v4/csdl.h),
// entity sets with $filter, $orderby, $top, $skip, $count, $select and $expand, single entities
// by key, /$count, server-driven paging with @odata.nextLink (keyset positions carried in a
// signed $skiptoken, odata/tokens.h), and change tracking: `Prefer: odata.track-changes`
// answers with an @odata.deltaLink; following it returns the records changed since, with
// `@removed` entries for deletions (and for records that no longer match the link's $filter);
// an expired or altered delta link answers 410.
//
// Query errors answer 400 in the OData error format, naming the offending option in `target`;
// they never carry a store message. docs/publishing.md documents every option and limit.
//
// The handlers are stateless: thread-safe.
#pragma once

#include <memory>

#include "core/json.h"
#include "core/status.h"
#include "model/record.h"
#include "publish/context.h"
#include "publish/http/router.h"

namespace meabridge::publish::odata_v4 {

Status Register(http::RouteRegistry& routes, std::shared_ptr<const Context> context);

// The service document of /odata/v4/ (also what `/` answers an OData client).
http::Response ServiceDocument(const Context& ctx, const http::Request& req);

// One property value as the service writes it: null for no value, [] for an empty list, the
// canonical JSON otherwise, except that complex values write every declared property (an item
// every item field of its type, null when it has none; a multilingual text the six declared
// UN languages first, null where absent, then its other languages), and, for a client that
// asked for IEEE754Compatible=true, an Edm.Int64 as a string. Shared with
// `meabridge export --format json`.
void WriteProperty(rapidjson::Writer<rapidjson::StringBuffer>& w, const model::FieldSpec& field,
                   const model::Value& value, bool ieee754_compatible = false);
// One record as an entity of a collection without $select/$expand: every field, registry
// order.
void WriteRecord(rapidjson::Writer<rapidjson::StringBuffer>& w, const model::Record& record);

}  // namespace meabridge::publish::odata_v4
