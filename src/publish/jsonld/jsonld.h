// JSON-LD: records as linked data, with a published @context per entity set generated from
// the registry (schema.org terms where the registry names one in `jsonld`, InforMEA terms
// otherwise; multilingual texts as language maps, lists as sets, dates typed xsd:date /
// xsd:dateTime).
//
//   /ld/                               an index: entity sets, their contexts and collections
//   /ld/context/{entity}.jsonld        the @context of an entity set
//   /ld/{entity}                       a page of records as {"@context", "@graph"}; the OData
//                                      options $filter, $orderby, $top, $skip apply; the next
//                                      page is named by a hydra:PartialCollectionView node and
//                                      a Link header (rel="next")
//   /ld/{entity}/{id}                  one record
//
// Each record is a node whose @id is its /ld/{entity}/{id} URL and whose @type is the
// registry's jsonld_type. The handlers are stateless: thread-safe.
#pragma once

#include <memory>
#include <string>

#include "core/json.h"
#include "core/status.h"
#include "model/record.h"
#include "publish/context.h"
#include "publish/http/router.h"

namespace meabridge::publish::jsonld {

// The InforMEA vocabulary's namespace, for fields without a schema.org term.
inline constexpr const char* kInforMeaNs = "http://www.informea.org/ontology/";

Status Register(http::RouteRegistry& routes, std::shared_ptr<const Context> context);

// The @context document of an entity set ({"@context": {...}}).
std::string ContextDocument(const model::EntitySpec& entity);

// One record as a JSON-LD node (without @context) into `w`; `base` starts every URL.
void WriteNode(rapidjson::Writer<rapidjson::StringBuffer>& w, const model::Record& record,
               const std::string& base);

}  // namespace meabridge::publish::jsonld
