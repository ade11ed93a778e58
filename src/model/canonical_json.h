// The canonical JSON form of a record: the one serialisation that `mapping test --format json`
// and `export --format json` print, that the store hashes to detect change, and that harvest
// spool files hold.
//
//   {"entity":"Contacts","id":"c1","updated":"2015-05-08T16:39:14Z","treaties":["cbd"],
//    "country":"BB","title":{"en":"...","fr":"..."},"files":[{"url":"..."}], ...}
//
// Members follow registry order; fields without a value are left out; dates are "YYYY-MM-DD",
// datetimes RFC 3339 UTC, multilingual fields objects keyed by language (sorted), items
// objects with their fields sorted by name. The same record always gives the same bytes.
// Pure functions: thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/json.h"
#include "core/status.h"
#include "model/record.h"

namespace meabridge::model {

std::string CanonicalJson(const Record& record);

// Writes the record as one JSON object into any RapidJSON writer.
template <typename Writer>
void WriteCanonicalJson(const Record& record, Writer& w);

// Writes one field value (as in the canonical form). REQUIRES: !IsEmpty(v).
template <typename Writer>
void WriteValueJson(const Value& v, Writer& w);

// The canonical JSON of a record without the "entity" member, as the store hashes it.
std::string ContentJson(const Record& record);

// Reads a record from its canonical JSON. `entity` must be the record's entity; an "entity"
// member, when present, must name it. Unknown members and wrong types are errors.
Result<Record> RecordFromJson(const EntitySpec& entity, const rapidjson::Value& json);
// As above, finding the entity from the "entity" member in the registry.
Result<Record> RecordFromJson(const Registry& registry, const rapidjson::Value& json);

// Reads one field value from JSON as the canonical form writes it.
Result<Value> ValueFromJson(const FieldSpec& field, const rapidjson::Value& json);

}  // namespace meabridge::model

#include "model/canonical_json_inl.h"  // IWYU pragma: export
