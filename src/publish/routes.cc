// The one place that registers every public route family (STYLE.md: plugins register
// explicitly, no static self-registration).
#include "publish/atom/feeds.h"
#include "publish/csv/csv.h"
#include "publish/jsonld/jsonld.h"
#include "publish/odata_v2/service.h"
#include "publish/odata_v4/service.h"
#include "publish/profiles/feeds.h"
#include "publish/publisher.h"
#include "publish/vocab_json/vocab_json.h"

namespace meabridge::publish {

Status RegisterPublicRoutes(http::RouteRegistry& routes, std::shared_ptr<const Context> context) {
  MB_RETURN_IF_ERROR(odata_v4::Register(routes, context));
  MB_RETURN_IF_ERROR(odata_v2::Register(routes, context));
  MB_RETURN_IF_ERROR(atom::Register(routes, context));
  MB_RETURN_IF_ERROR(jsonld::Register(routes, context));
  MB_RETURN_IF_ERROR(csv::Register(routes, context));
  MB_RETURN_IF_ERROR(vocab_json::Register(routes, context));
  MB_RETURN_IF_ERROR(profiles::Register(routes, context));
  return Status::Ok();
}

}  // namespace meabridge::publish
