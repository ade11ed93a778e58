// The OData V4 service's $metadata: a CSDL XML document generated from the entity registry
// (types, keys, properties with their Edm types and descriptions, navigation properties,
// complex types for multilingual texts and list items, the entity container). Nothing in it is
// written by hand: a field added to the registry appears here.
//
// Pure function: thread-safe.
#pragma once

#include <string>

#include "model/registry.h"

namespace meabridge::publish::odata_v4 {

// The schema namespace of every type: "informea".
inline constexpr const char* kNamespace = "informea";

std::string RenderCsdl(const model::Registry& registry);

// The Edm type of a field in V4 ("Edm.String", "Collection(Edm.String)",
// "informea.Multilingual", "Collection(informea.ContactRolesItem)").
std::string EdmTypeOf(const model::EntitySpec& entity, const model::FieldSpec& field);
// The complex type of an item list's items: "ContactRolesItem".
std::string ItemTypeName(const model::EntitySpec& entity, const model::FieldSpec& field);

}  // namespace meabridge::publish::odata_v4
