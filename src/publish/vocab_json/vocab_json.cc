#include "publish/vocab_json/vocab_json.h"

#include "core/json.h"
#include "core/strings.h"
#include "vocab/vocabulary.h"

namespace meabridge::publish::vocab_json {
namespace {

using http::HttpError;
using http::Response;
using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

constexpr const char* kJson = "application/json;charset=utf-8";

void WriteTerm(JsonWriter& w, const vocab::Term& t) {
  w.StartObject();
  w.Key("code");
  w.String(t.code);
  w.Key("label");
  w.String(t.label);
  if (!t.labels.empty()) {
    w.Key("labels");
    w.StartObject();
    for (const auto& [lang, label] : t.labels) {
      w.Key(lang.data(), static_cast<rapidjson::SizeType>(lang.size()));
      w.String(label);
    }
    w.EndObject();
  }
  if (!t.aliases.empty()) {
    w.Key("aliases");
    w.StartArray();
    for (const std::string& a : t.aliases) w.String(a);
    w.EndArray();
  }
  if (!t.parent.empty()) {
    w.Key("parent");
    w.String(t.parent);
  }
  if (!t.uri.empty()) {
    w.Key("uri");
    w.String(t.uri);
  }
  if (t.historical) {
    w.Key("historical");
    w.Bool(true);
  }
  w.EndObject();
}

Response Json(rapidjson::StringBuffer& buf) {
  return Response::Make(200, kJson, std::string(buf.GetString(), buf.GetSize()) + "\n");
}

Response Serve(const Context& ctx, http::Exchange& ex) {
  const http::Request& req = ex.request();
  if (!ctx.vocabularies) {
    return http::DefaultErrorResponse(
        HttpError{503, "ServiceUnavailable",
                  "the vocabularies could not be loaded at start-up (is Debian's iso-codes "
                  "installed?); see the server log",
                  ""},
        req);
  }
  const std::string& rest = ex.rest();
  std::string base = req.base_url + "vocab/";
  if (rest.empty()) {
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    w.StartObject();
    w.Key("vocabularies");
    w.StartArray();
    for (const auto& v : ctx.vocabularies->all()) {
      w.StartObject();
      w.Key("name");
      w.String(v->name().data(), static_cast<rapidjson::SizeType>(v->name().size()));
      w.Key("description");
      w.String(v->description().data(), static_cast<rapidjson::SizeType>(v->description().size()));
      w.Key("terms");
      w.Int64(static_cast<int64_t>(v->terms().size()));
      w.Key("url");
      w.String(base + std::string(v->name()));
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return Json(buf);
  }
  size_t slash = rest.find('/');
  std::string name = rest.substr(0, slash);
  const vocab::Vocabulary* v = ctx.vocabularies->Find(name);
  if (!v) {
    return http::DefaultErrorResponse(
        HttpError{404, "NotFound",
                  "no vocabulary '" + name + "'; there are " + ctx.vocabularies->Names(), ""},
        req);
  }
  if (slash != std::string::npos && slash + 1 < rest.size()) {
    std::string code = rest.substr(slash + 1);
    const vocab::Term* t = v->FindCode(code);
    if (!t) {
      return http::DefaultErrorResponse(
          HttpError{404, "NotFound",
                    core::Quote(code) + " is not a code of " + name +
                        " (codes are canonical: e.g. FR, cbd; see " + base + name + ")",
                    ""},
          req);
    }
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    WriteTerm(w, *t);
    return Json(buf);
  }
  rapidjson::StringBuffer buf(nullptr, 256 * 1024);
  JsonWriter w(buf);
  w.StartObject();
  w.Key("name");
  w.String(v->name().data(), static_cast<rapidjson::SizeType>(v->name().size()));
  w.Key("description");
  w.String(v->description().data(), static_cast<rapidjson::SizeType>(v->description().size()));
  w.Key("terms");
  w.StartArray();
  for (const vocab::Term& t : v->terms()) WriteTerm(w, t);
  w.EndArray();
  w.EndObject();
  return Json(buf);
}

}  // namespace

Status Register(http::RouteRegistry& routes, std::shared_ptr<const Context> context) {
  http::Route r;
  r.name = "vocab";
  r.path = "/vocab/";
  r.prefix = true;
  r.cache = http::CacheMode::kStatic;
  r.handler = [context](http::Exchange& ex) { return Serve(*context, ex); };
  MB_RETURN_IF_ERROR(routes.Add(r));
  r.path = "/vocab";
  r.prefix = false;
  return routes.Add(std::move(r));
}

}  // namespace meabridge::publish::vocab_json
