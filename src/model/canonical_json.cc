#include "model/canonical_json.h"

#include <cmath>

#include "core/strings.h"

namespace meabridge::model {
namespace {

std::string Str(const rapidjson::Value& v) {
  return std::string(v.GetString(), v.GetStringLength());
}

Status TypeError(const FieldSpec& field, const char* expected) {
  return Status::InvalidArgument("field '" + field.name + "' (" + FieldTypeName(field.type) +
                                 ") expects " + expected);
}

Result<Value> ScalarFromJson(FieldType type, const std::string& name, const rapidjson::Value& j) {
  FieldSpec tmp;
  tmp.name = name;
  tmp.type = type;
  switch (type) {
    case FieldType::kString:
    case FieldType::kText:
    case FieldType::kTerm:
      if (!j.IsString()) return TypeError(tmp, "a string");
      return Value(Str(j));
    case FieldType::kBool:
      if (!j.IsBool()) return TypeError(tmp, "true or false");
      return Value(j.GetBool());
    case FieldType::kInt:
      if (!j.IsInt64()) return TypeError(tmp, "an integer");
      return Value(j.GetInt64());
    case FieldType::kDouble:
      if (!j.IsNumber()) return TypeError(tmp, "a number");
      return Value(j.GetDouble());
    case FieldType::kDate: {
      if (!j.IsString()) return TypeError(tmp, "a date \"YYYY-MM-DD\"");
      auto d = core::ParseDate(Str(j));
      if (!d) return TypeError(tmp, "a date \"YYYY-MM-DD\"");
      return Value(*d);
    }
    case FieldType::kDateTime: {
      if (!j.IsString()) return TypeError(tmp, "an RFC 3339 date-time");
      auto t = core::ParseDateTime(Str(j));
      if (!t) return TypeError(tmp, "an RFC 3339 date-time");
      return Value(DateTime{*t});
    }
    default:
      return Status::Internal("not a scalar type: " + name);
  }
}

}  // namespace

std::string CanonicalJson(const Record& record) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  WriteCanonicalJson(record, w);
  return std::string(buf.GetString(), buf.GetSize());
}

std::string ContentJson(const Record& record) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  internal::WriteFields(record, w);
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

Result<Value> ValueFromJson(const FieldSpec& field, const rapidjson::Value& j) {
  if (j.IsNull()) return Value();
  switch (field.type) {
    case FieldType::kMultilingual: {
      if (!j.IsObject()) return TypeError(field, "an object keyed by language");
      Multilingual m;
      for (auto it = j.MemberBegin(); it != j.MemberEnd(); ++it) {
        if (!it->value.IsString()) return TypeError(field, "string values per language");
        SetText(m, Str(it->name), Str(it->value));
      }
      return Value(std::move(m));
    }
    case FieldType::kStringList: {
      if (!j.IsArray()) return TypeError(field, "an array of strings");
      StringList l;
      for (const auto& e : j.GetArray()) {
        if (!e.IsString()) return TypeError(field, "an array of strings");
        l.push_back(Str(e));
      }
      return Value(std::move(l));
    }
    case FieldType::kItemList: {
      if (!j.IsArray()) return TypeError(field, "an array of objects");
      ItemList l;
      for (const auto& e : j.GetArray()) {
        if (!e.IsObject()) return TypeError(field, "an array of objects");
        Item item;
        for (auto it = e.MemberBegin(); it != e.MemberEnd(); ++it) {
          std::string key = Str(it->name);
          if (!field.ItemField(key)) {
            return Status::InvalidArgument("field '" + field.name + "' has no item field '" + key +
                                           "'");
          }
          if (!it->value.IsString()) {
            return Status::InvalidArgument("item field '" + field.name + "." + key +
                                           "' expects a string");
          }
          item[key] = Str(it->value);
        }
        l.push_back(std::move(item));
      }
      return Value(std::move(l));
    }
    default:
      return ScalarFromJson(field.type, field.name, j);
  }
}

Result<Record> RecordFromJson(const EntitySpec& entity, const rapidjson::Value& json) {
  if (!json.IsObject()) return Status::InvalidArgument("a record must be a JSON object");
  Record record(entity);
  for (auto it = json.MemberBegin(); it != json.MemberEnd(); ++it) {
    std::string name = Str(it->name);
    if (name == "entity") {
      if (!it->value.IsString() || Str(it->value) != entity.set_name) {
        return Status::InvalidArgument("record of entity " + json::ToString(it->value) +
                                       " read as " + entity.set_name);
      }
      continue;
    }
    int index = entity.FieldIndex(name);
    if (index < 0) {
      return Status::InvalidArgument(entity.set_name + " has no field '" + name + "'");
    }
    MB_ASSIGN_OR_RETURN(Value v,
                        ValueFromJson(entity.fields[static_cast<size_t>(index)], it->value));
    record.Set(static_cast<size_t>(index), std::move(v));
  }
  return record;
}

Result<Record> RecordFromJson(const Registry& registry, const rapidjson::Value& json) {
  const rapidjson::Value* entity = json::Member(json, "entity");
  if (!entity || !entity->IsString()) {
    return Status::InvalidArgument("a record needs an \"entity\" member naming its entity set");
  }
  const EntitySpec* spec = registry.Find(Str(*entity));
  if (!spec) {
    return Status::InvalidArgument("unknown entity " + core::Quote(Str(*entity)) +
                                   " (known: " + registry.SetNames() + ")");
  }
  return RecordFromJson(*spec, json);
}

}  // namespace meabridge::model
