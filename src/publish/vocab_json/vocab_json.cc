#include "publish/vocab_json/vocab_json.h"

#include "core/json.h"
#include "core/strings.h"
#include "vocab/vocabulary.h"
#include "vocab/vocabulary_json.h"

namespace meabridge::publish::vocab_json {
namespace {

using http::HttpError;
using http::Response;
using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

constexpr const char* kJson = "application/json;charset=utf-8";

// The registry's fields whose values are terms of `vocabulary`: "Contacts.treaties",
// "Contacts.roles[].treaty" ..., in registry order.
std::vector<std::string> UsedBy(const model::Registry& registry, std::string_view vocabulary) {
  std::vector<std::string> out;
  for (const model::EntitySpec& e : registry.entities()) {
    for (const model::FieldSpec& f : e.fields) {
      if (f.vocabulary == vocabulary) out.push_back(e.set_name + "." + f.name);
      for (const model::ItemFieldSpec& i : f.item_fields) {
        if (i.vocabulary == vocabulary) out.push_back(e.set_name + "." + f.name + "[]." + i.name);
      }
    }
  }
  return out;
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
      w.Key("usedBy");
      w.StartArray();
      for (const std::string& field : UsedBy(*ctx.registry, v->name())) w.String(field);
      w.EndArray();
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
    vocab::WriteTermJson(w, *t);
    return Json(buf);
  }
  return Response::Make(200, kJson, vocab::VocabularyJson(*v) + "\n");
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
