// Template bodies of canonical_json.h (writers are templates so that any RapidJSON writer,
// compact or pretty, into any buffer or stream, can be used).
#pragma once

#include <type_traits>

namespace meabridge::model {

template <typename Writer>
void WriteValueJson(const Value& v, Writer& w) {
  std::visit(
      [&w](const auto& x) {
        using X = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<X, std::monostate>) {
          w.Null();
        } else if constexpr (std::is_same_v<X, std::string>) {
          w.String(x.data(), static_cast<rapidjson::SizeType>(x.size()));
        } else if constexpr (std::is_same_v<X, bool>) {
          w.Bool(x);
        } else if constexpr (std::is_same_v<X, int64_t>) {
          w.Int64(x);
        } else if constexpr (std::is_same_v<X, double>) {
          w.Double(x);
        } else if constexpr (std::is_same_v<X, core::CivilDate>) {
          std::string s = core::FormatDate(x);
          w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
        } else if constexpr (std::is_same_v<X, DateTime>) {
          std::string s = core::FormatDateTime(x.ms);
          w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
        } else if constexpr (std::is_same_v<X, Multilingual>) {
          w.StartObject();
          for (const LangText& t : x) {
            w.Key(t.lang.data(), static_cast<rapidjson::SizeType>(t.lang.size()));
            w.String(t.text.data(), static_cast<rapidjson::SizeType>(t.text.size()));
          }
          w.EndObject();
        } else if constexpr (std::is_same_v<X, StringList>) {
          w.StartArray();
          for (const std::string& s : x) {
            w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
          }
          w.EndArray();
        } else if constexpr (std::is_same_v<X, ItemList>) {
          w.StartArray();
          for (const Item& item : x) {
            w.StartObject();
            for (const auto& [k, val] : item) {
              w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size()));
              w.String(val.data(), static_cast<rapidjson::SizeType>(val.size()));
            }
            w.EndObject();
          }
          w.EndArray();
        }
      },
      v);
}

namespace internal {
template <typename Writer>
void WriteFields(const Record& record, Writer& w) {
  const auto& fields = record.entity().fields;
  for (size_t i = 0; i < fields.size(); ++i) {
    const Value& v = record.Get(i);
    // No value and an empty value are the same thing in the canonical form: both are left
    // out (the id is always written, so that a record without one shows it).
    if (std::holds_alternative<std::monostate>(v)) continue;
    if (i != EntitySpec::kIdField && IsEmpty(v)) continue;
    w.Key(fields[i].name.data(), static_cast<rapidjson::SizeType>(fields[i].name.size()));
    WriteValueJson(v, w);
  }
}
}  // namespace internal

template <typename Writer>
void WriteCanonicalJson(const Record& record, Writer& w) {
  w.StartObject();
  const std::string& set = record.entity().set_name;
  w.Key("entity", 6);
  w.String(set.data(), static_cast<rapidjson::SizeType>(set.size()));
  internal::WriteFields(record, w);
  w.EndObject();
}

}  // namespace meabridge::model
