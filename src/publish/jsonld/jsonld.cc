#include "publish/jsonld/jsonld.h"

#include <map>
#include <optional>

#include "core/percent.h"
#include "core/strings.h"
#include "model/canonical_json.h"
#include "publish/common.h"
#include "publish/http/request.h"
#include "publish/odata/filter.h"
#include "publish/odata/query_options.h"
#include "publish/odata/tokens.h"
#include "publish/odata/urls.h"

namespace meabridge::publish::jsonld {
namespace {

using http::HttpError;
using http::Response;
using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;
using model::FieldType;

constexpr const char* kType = "application/ld+json;charset=utf-8";

std::string TermIri(const std::string& jsonld, const std::string& name) {
  return jsonld.empty() ? "informea:" + name : jsonld;
}

void WriteTerm(JsonWriter& w, const std::string& name, const std::string& iri, const char* type,
               const char* container) {
  w.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
  if (!type && !container) {
    w.String(iri);
    return;
  }
  w.StartObject();
  w.Key("@id");
  w.String(iri);
  if (type) {
    w.Key("@type");
    w.String(type);
  }
  if (container) {
    w.Key("@container");
    w.String(container);
  }
  w.EndObject();
}

const char* XsdOf(FieldType t) {
  switch (t) {
    case FieldType::kDate:
      return "xsd:date";
    case FieldType::kDateTime:
      return "xsd:dateTime";
    default:
      return nullptr;
  }
}

Response Error(const HttpError& e, const http::Request& req) {
  return http::DefaultErrorResponse(e, req);
}

class Handler {
 public:
  Handler(const Context& ctx, http::Exchange& ex) : ctx_(ctx), ex_(ex), req_(ex.request()) {}

  Response Serve() {
    const std::string& rest = ex_.rest();
    if (rest.empty()) return Index();
    if (rest.rfind("context/", 0) == 0) {
      std::string name = rest.substr(8);
      if (name.size() > 7 && name.compare(name.size() - 7, 7, ".jsonld") == 0) {
        name.resize(name.size() - 7);
      }
      const model::EntitySpec* e = ctx_.registry->Find(name);
      if (!e) return NotFound(name);
      return Response::Make(200, kType, ContextDocument(*e));
    }
    size_t slash = rest.find('/');
    std::string name = rest.substr(0, slash);
    const model::EntitySpec* e = ctx_.registry->Find(name);
    if (!e) return NotFound(name);
    if (slash == std::string::npos || slash + 1 == rest.size()) return Collection(*e);
    return Single(*e, rest.substr(slash + 1));
  }

 private:
  Response NotFound(const std::string& name) {
    return Error(HttpError{404, "NotFound",
                           "no entity set '" + name + "'; JSON-LD is published for " +
                               ctx_.registry->SetNames() + " at /ld/ENTITY",
                           ""},
                 req_);
  }

  std::string ContextUrl(const model::EntitySpec& e) const {
    return req_.base_url + "ld/context/" + e.name + ".jsonld";
  }

  Response Index() {
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    w.StartObject();
    w.Key("entitySets");
    w.StartArray();
    for (const model::EntitySpec& e : ctx_.registry->entities()) {
      w.StartObject();
      w.Key("name");
      w.String(e.name);
      w.Key("type");
      w.String(e.jsonld_type);
      w.Key("context");
      w.String(ContextUrl(e));
      w.Key("collection");
      w.String(req_.base_url + "ld/" + e.name);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return Response::Make(200, "application/json;charset=utf-8",
                          std::string(buf.GetString(), buf.GetSize()) + "\n");
  }

  Response Single(const model::EntitySpec& e, const std::string& id) {
    auto found = ex_.view().Get(e, id);
    if (!found.ok()) return Error(odata::StoreError(found.status(), "reading " + e.set_name), req_);
    if (!*found) {
      return Error(HttpError{404, "NotFound",
                             "no " + e.set_name + " record has the id " + core::Quote(id), ""},
                   req_);
    }
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    w.StartObject();
    w.Key("@context");
    w.String(ContextUrl(e));
    w.Key("@graph");
    w.StartArray();
    WriteNode(w, **found, req_.base_url);
    w.EndArray();
    w.EndObject();
    Response r = Response::Make(200, kType, std::string(buf.GetString(), buf.GetSize()) + "\n");
    r.etag_seed = (*found)->provenance.content_hash;
    r.last_modified = StoredAt(**found, LastChange(ex_.view()));
    return r;
  }

  Response Collection(const model::EntitySpec& e) {
    odata::PageSpec spec;
    spec.entity = &e;
    spec.limit = ctx_.options.page_size;
    if (const std::string* f = req_.Param("$filter")) {
      auto parsed = odata::ParseFilter(*f, e);
      if (!parsed.ok())
        return Error(HttpError{400, "BadRequest", parsed.status().message(), "$filter"}, req_);
      spec.filter = std::move(*parsed);
    }
    if (const std::string* o = req_.Param("$orderby")) {
      auto parsed = odata::ParseOrderBy(*o, e);
      if (!parsed.ok())
        return Error(HttpError{400, "BadRequest", parsed.status().message(), "$orderby"}, req_);
      spec.order = std::move(*parsed);
    }
    bool top = false;
    if (const std::string* t = req_.Param("$top")) {
      auto n = odata::ParseNonNegative(*t, "$top");
      if (!n.ok()) return Error(HttpError{400, "BadRequest", n.status().message(), "$top"}, req_);
      if (*n > ctx_.options.max_top) {
        return Error(HttpError{400, "BadRequest",
                               "$top=" + std::to_string(*n) + " is over this server's maximum of " +
                                   std::to_string(ctx_.options.max_top),
                               "$top"},
                     req_);
      }
      spec.limit = *n;
      top = true;
    }
    if (const std::string* s = req_.Param("$skip")) {
      auto n = odata::ParseNonNegative(*s, "$skip");
      if (!n.ok()) return Error(HttpError{400, "BadRequest", n.status().message(), "$skip"}, req_);
      spec.offset = *n;
    }
    std::string qhash = odata::QueryHash("ld:" + e.set_name, req_.query);
    int64_t delivered = 0;
    if (const std::string* t = req_.Param("$skiptoken")) {
      auto decoded = odata::DecodeNext(ctx_.signer, *t, e, spec.order, qhash);
      if (!decoded.ok()) {
        return Error(HttpError{400, "BadRequest", decoded.status().message(), "$skiptoken"}, req_);
      }
      spec.after = decoded->after;
      delivered = decoded->delivered;
    }
    store::ReadView& view = ex_.view();
    auto page = odata::ReadPage(view, spec);
    if (!page.ok()) return Error(odata::StoreError(page.status(), "reading " + e.set_name), req_);
    std::string self = req_.base_url + "ld/" + e.name;
    std::string next;
    if (page->more && !top && !page->records.empty()) {
      odata::NextToken t;
      t.entity = e.set_name;
      t.query_hash = qhash;
      t.delivered = delivered + static_cast<int64_t>(page->records.size());
      t.after = odata::PositionOf(page->records.back(), spec.order);
      next = self + "?" +
             odata::QueryString(req_.query, {"$skip", "$skiptoken"}, "$skiptoken",
                                odata::EncodeNext(ctx_.signer, t));
    }
    rapidjson::StringBuffer buf(nullptr, 64 * 1024);
    JsonWriter w(buf);
    w.StartObject();
    w.Key("@context");
    w.String(ContextUrl(e));
    w.Key("@graph");
    w.StartArray();
    for (const model::Record& r : page->records) WriteNode(w, r, req_.base_url);
    if (!next.empty()) {
      w.StartObject();
      w.Key("@id");
      w.String(req_.raw_query.empty() ? self : self + "?" + req_.raw_query);
      w.Key("@type");
      w.String("hydra:PartialCollectionView");
      w.Key("hydra:next");
      w.StartObject();
      w.Key("@id");
      w.String(next);
      w.EndObject();
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    Response r = Response::Make(200, kType, std::string(buf.GetString(), buf.GetSize()) + "\n");
    if (!next.empty()) r.headers.emplace_back("Link", "<" + next + ">; rel=\"next\"");
    r.last_modified = LastChange(view);
    return r;
  }

  const Context& ctx_;
  http::Exchange& ex_;
  const http::Request& req_;
};

}  // namespace

std::string ContextDocument(const model::EntitySpec& e) {
  // Written compactly (the writer type WriteTerm takes), then pretty-printed for readers.
  rapidjson::StringBuffer compact;
  JsonWriter w(compact);
  w.StartObject();
  w.Key("@context");
  w.StartObject();
  w.Key("schema");
  w.String("http://schema.org/");
  w.Key("informea");
  w.String(kInforMeaNs);
  w.Key("xsd");
  w.String("http://www.w3.org/2001/XMLSchema#");
  w.Key("hydra");
  w.String("http://www.w3.org/ns/hydra/core#");
  WriteTerm(w, e.type_name, e.jsonld_type, nullptr, nullptr);
  std::map<std::string, bool> written;
  for (const model::FieldSpec& f : e.fields) {
    std::string iri = TermIri(f.jsonld, f.name);
    const char* container = f.type == FieldType::kMultilingual ? "@language"
                            : f.IsList()                       ? "@set"
                                                               : nullptr;
    WriteTerm(w, f.name, iri, XsdOf(f.type), container);
    written[f.name] = true;
  }
  // The fields of list items, unless an entity field of the same name already defines the term.
  for (const model::FieldSpec& f : e.fields) {
    for (const model::ItemFieldSpec& i : f.item_fields) {
      if (written.count(i.name)) continue;
      written[i.name] = true;
      WriteTerm(w, i.name, "informea:" + i.name, i.type == FieldType::kDate ? "xsd:date" : nullptr,
                nullptr);
    }
  }
  w.EndObject();
  w.EndObject();
  rapidjson::Document doc;
  doc.Parse(compact.GetString(), compact.GetSize());
  rapidjson::StringBuffer buf;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> pw(buf);
  doc.Accept(pw);
  return std::string(buf.GetString(), buf.GetSize()) + "\n";
}

void WriteNode(JsonWriter& w, const model::Record& r, const std::string& base) {
  const model::EntitySpec& e = r.entity();
  w.StartObject();
  w.Key("@id");
  w.String(base + "ld/" + e.name + "/" + core::PercentEncode(r.id()));
  w.Key("@type");
  w.String(e.type_name);
  for (size_t i = 0; i < e.fields.size(); ++i) {
    const model::Value& v = r.Get(i);
    if (model::IsEmpty(v)) continue;
    const std::string& name = e.fields[i].name;
    w.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
    model::WriteValueJson(v, w);
  }
  w.EndObject();
}

Status Register(http::RouteRegistry& routes, std::shared_ptr<const Context> context) {
  http::Route ld;
  ld.name = "jsonld";
  ld.path = "/ld/";
  ld.prefix = true;
  ld.cache = http::CacheMode::kStore;
  ld.handler = [context](http::Exchange& ex) {
    Handler h(*context, ex);
    return h.Serve();
  };
  MB_RETURN_IF_ERROR(routes.Add(ld));
  ld.path = "/ld";
  ld.prefix = false;
  return routes.Add(std::move(ld));
}

}  // namespace meabridge::publish::jsonld
