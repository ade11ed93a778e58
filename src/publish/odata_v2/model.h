// The InforMEA OData V2 dialect's view of the registry: which fields are plain properties and
// which are navigation properties (multilingual texts as {language, value} children, string
// lists as {value} children, item lists as children with the item's fields), their Edm types,
// and the $metadata EDMX document generated from it.
//
// As the InforMEA harvester reads them: treaties of a contact are `{"value": "cbd"}` children
// (expanded with $expand=treaties), titles are `{"language": "en", "value": "..."}` children
// (expanded with $expand=title), dates are Edm.DateTime.
//
// Pure functions over the immutable registry: thread-safe.
#pragma once

#include <string>
#include <vector>

#include "model/registry.h"

namespace meabridge::publish::odata_v2 {

inline constexpr const char* kNamespace = "informea";
// The registry's names for this dialect (FieldSpec::NameIn): "phoneNumber", as the InforMEA
// harvester reads it.
inline constexpr model::Dialect kDialect = model::Dialect::kInforMeaV2;

// True for the fields the dialect publishes as navigation properties (children).
bool IsNavigation(const model::FieldSpec& field);

// The entity type of a navigation property's children: "LocalizedString", "StringValue" or
// "<Type><Field>Item" (e.g. "DecisionFilesItem").
std::string ChildTypeName(const model::EntitySpec& entity, const model::FieldSpec& field);

// The properties of a navigation property's children, as $metadata declares them: "id",
// "language", "value" for a LocalizedString; "value" for a StringValue; "id" and the item's
// fields for an item.
std::vector<std::string> ChildPropertyNames(const model::FieldSpec& field);

// The Edm type of a plain property ("Edm.String", "Edm.DateTime", "Edm.Boolean", "Edm.Int32",
// "Edm.Double").
const char* EdmType(model::FieldType type);

std::string RenderEdmx(const model::Registry& registry);

}  // namespace meabridge::publish::odata_v2
