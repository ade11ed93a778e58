#include "vocab/vocabulary_json.h"

namespace meabridge::vocab {
namespace {

void String(rapidjson::Writer<rapidjson::StringBuffer>& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

}  // namespace

void WriteTermJson(rapidjson::Writer<rapidjson::StringBuffer>& w, const Term& t) {
  w.StartObject();
  w.Key("code");
  String(w, t.code);
  w.Key("label");
  String(w, t.label);
  if (!t.labels.empty()) {
    w.Key("labels");
    w.StartObject();
    for (const auto& [lang, label] : t.labels) {
      w.Key(lang.data(), static_cast<rapidjson::SizeType>(lang.size()));
      String(w, label);
    }
    w.EndObject();
  }
  if (!t.aliases.empty()) {
    w.Key("aliases");
    w.StartArray();
    for (const std::string& a : t.aliases) String(w, a);
    w.EndArray();
  }
  if (!t.parent.empty()) {
    w.Key("parent");
    String(w, t.parent);
  }
  if (!t.uri.empty()) {
    w.Key("uri");
    String(w, t.uri);
  }
  if (t.historical) {
    w.Key("historical");
    w.Bool(true);
  }
  w.EndObject();
}

std::string VocabularyJson(const Vocabulary& v) {
  rapidjson::StringBuffer buf(nullptr, 256 * 1024);
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("name");
  String(w, v.name());
  w.Key("description");
  String(w, v.description());
  w.Key("terms");
  w.StartArray();
  for (const Term& t : v.terms()) WriteTermJson(w, t);
  w.EndArray();
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace meabridge::vocab
