#include "publish/odata_v2/service.h"

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/json.h"
#include "core/strings.h"
#include "core/time.h"
#include "model/canonical_json.h"
#include "publish/atom/properties.h"
#include "publish/common.h"
#include "publish/odata/filter.h"
#include "publish/odata/or_response.h"
#include "publish/odata/query_options.h"
#include "publish/odata/tokens.h"
#include "publish/odata/urls.h"
#include "publish/odata_v2/model.h"
#include "core/xml_text.h"

namespace meabridge::publish::odata_v2 {
namespace {

using http::HttpError;
using http::Response;
using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;
using model::FieldType;

constexpr const char* kRel = "http://schemas.microsoft.com/ado/2007/08/dataservices/related/";
constexpr const char* kScheme = "http://schemas.microsoft.com/ado/2007/08/dataservices/scheme";
constexpr const char* kJsonType = "application/json;charset=utf-8";
constexpr const char* kFeedType = "application/atom+xml;type=feed;charset=utf-8";
constexpr const char* kEntryType = "application/atom+xml;type=entry;charset=utf-8";
constexpr int64_t kMsPerDay = 86400000;

// The V3 form (kV3Root) answers DataServiceVersion 3.0, the rest of the dialect 2.0.
void AddVersion(Response& r, bool v3 = false) {
  r.headers.emplace_back("DataServiceVersion", v3 ? "3.0;" : "2.0;");
}

Response JsonError(const HttpError& e) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("error");
  w.StartObject();
  w.Key("code");
  w.String(e.code);
  w.Key("message");
  w.StartObject();
  w.Key("lang");
  w.String("en-US");
  w.Key("value");
  w.String(e.target.empty() ? e.message : e.target + ": " + e.message);
  w.EndObject();
  w.EndObject();
  w.EndObject();
  Response r =
      Response::Make(e.status, kJsonType, std::string(buf.GetString(), buf.GetSize()) + "\n");
  AddVersion(r);
  return r;
}

Response XmlError(const HttpError& e) {
  std::string body =
      "<?xml version=\"1.0\" encoding=\"utf-8\" standalone=\"yes\"?>\n"
      "<error xmlns=\"http://schemas.microsoft.com/ado/2007/08/dataservices/metadata\">\n"
      "  <code>" +
      core::XmlEscape(e.code) +
      "</code>\n"
      "  <message xml:lang=\"en-US\">" +
      core::XmlEscape(e.target.empty() ? e.message : e.target + ": " + e.message) +
      "</message>\n"
      "</error>\n";
  Response r = Response::Make(e.status, "application/xml;charset=utf-8", std::move(body));
  AddVersion(r);
  return r;
}

// JSON when the request asks for it ($format=json, or an Accept naming JSON), Atom otherwise.
bool WantsJson(const http::Request& req) {
  if (const std::string* f = req.Param("$format")) {
    std::string v = core::AsciiLower(core::Trim(*f));
    if (v.find("json") != std::string::npos) return true;
    if (v == "atom" || v == "xml" || v.rfind("application/atom+xml", 0) == 0 ||
        v == "application/xml") {
      return false;
    }
    // A $format this service does not write: its 406 comes in the format Accept names.
  }
  const std::string* accept = req.Header("accept");
  return accept && (accept->find("application/json") != std::string::npos ||
                    accept->find("text/javascript") != std::string::npos);
}

Response ErrorFor(const http::Request& req, const HttpError& e) {
  return WantsJson(req) ? JsonError(e) : XmlError(e);
}

// "\/Date(1452156546000)\/", the V2 JSON form of an Edm.DateTime.
void WriteDate(JsonWriter& w, int64_t ms) {
  std::string raw = "\"\\/Date(" + std::to_string(ms) + ")\\/\"";
  w.RawValue(raw.data(), raw.size(), rapidjson::kStringType);
}

std::optional<int64_t> MsOf(const model::Value& v) {
  if (const auto* t = std::get_if<model::DateTime>(&v)) return t->ms;
  if (const auto* d = std::get_if<core::CivilDate>(&v)) return core::DaysFromCivil(*d) * kMsPerDay;
  return std::nullopt;
}

std::string AtomDate(int64_t ms) { return core::FormatDateTime(ms); }

// The children of a navigation property as Atom entries.
void AppendChildEntries(std::string& out, const std::string& root, const model::EntitySpec& e,
                        const model::Record& r, const model::FieldSpec& f, size_t index,
                        const std::string& updated) {
  std::string type = std::string(kNamespace) + "." + ChildTypeName(e, f);
  std::string base = root + odata::KeySegment(e.set_name, r.id()) + "/" + f.NameIn(kDialect);
  auto entry = [&](const std::string& id, const std::string& title, const std::string& props) {
    out += "<entry><id>" + core::XmlEscape(id) + "</id><title type=\"text\">" + core::XmlEscape(title) +
           "</title><updated>" + updated + "</updated><author><name/></author><category term=\"" +
           type + "\" scheme=\"" + kScheme +
           "\"/><content type=\"application/xml\"><m:properties>" + props +
           "</m:properties></content></entry>";
  };
  const model::Value& v = r.Get(index);
  if (std::holds_alternative<model::Multilingual>(v)) {
    for (const model::LangText* t : ChildrenInOrder(r, index)) {
      entry(base + "('" + t->lang + "')", f.NameIn(kDialect) + " (" + t->lang + ")",
            "<d:id>" + core::XmlEscape(r.id() + "-" + f.NameIn(kDialect) + "-" + t->lang) +
                "</d:id><d:language>" + core::XmlEscape(t->lang) + "</d:language><d:value>" +
                core::XmlEscape(t->text) + "</d:value>");
    }
  } else if (const auto* list = std::get_if<model::StringList>(&v)) {
    for (const std::string& s : *list) {
      entry(base + "('" + s + "')", s, "<d:value>" + core::XmlEscape(s) + "</d:value>");
    }
  } else if (const auto* items = std::get_if<model::ItemList>(&v)) {
    for (size_t k = 0; k < items->size(); ++k) {
      std::string props =
          "<d:id>" + core::XmlEscape(r.id() + "-" + f.NameIn(kDialect) + "-" + std::to_string(k + 1)) +
          "</d:id>";
      for (const model::ItemFieldSpec& spec : f.item_fields) {
        std::optional<std::string> value = PublishedItemField((*items)[k], spec.name);
        if (!value) {
          props += "<d:" + spec.name + " m:null=\"true\"/>";
        } else {
          props += "<d:" + spec.name + ">" + core::XmlEscape(*value) + "</d:" + spec.name + ">";
        }
      }
      entry(base + "(" + std::to_string(k + 1) + ")",
            f.NameIn(kDialect) + " " + std::to_string(k + 1), props);
    }
  }
}

class Handler {
 public:
  // `v3`: the V3 verbose-JSON form (kV3Root): collections inline as arrays, Contacts roles
  // grouped by treaty; the V2 form otherwise.
  Handler(const Context& ctx, http::Exchange& ex, bool v3)
      : ctx_(ctx),
        ex_(ex),
        req_(ex.request()),
        root_(req_.base_url + std::string((v3 ? kV3Root : kV2Root).substr(1))),
        json_(WantsJson(req_)),
        v3_(v3) {}

  Response Serve() {
    if (const std::string* f = req_.Param("$format")) {
      std::string v = core::AsciiLower(core::Trim(*f));
      if (v != "json" && v != "atom" && v != "xml" && v.rfind("application/json", 0) != 0 &&
          v.rfind("application/atom+xml", 0) != 0 && v != "application/xml") {
        return Error(HttpError{406, "NotAcceptable",
                               "$format=" + *f + " is not supported: use json or atom", "$format"});
      }
    }
    const std::string& rest = ex_.rest();
    size_t cut = rest.find_first_of("(/");
    std::string set_name = rest.substr(0, cut);
    const model::EntitySpec* entity = nullptr;
    for (const model::EntitySpec& e : ctx_.registry->entities()) {
      if (e.set_name == set_name) entity = &e;
    }
    if (!entity) {
      return Error(HttpError{
          404, "NotFound",
          "no entity set '" + set_name + "' in this service; it has " + ctx_.registry->SetNames(),
          ""});
    }
    if (cut == std::string::npos) return Collection(*entity);
    std::string tail = rest.substr(cut);
    if (tail == "/$count") return Count(*entity);
    if (tail[0] != '(') {
      return Error(HttpError{404, "NotFound",
                             "'" + tail + "' after " + set_name + " is not a resource here", ""});
    }
    size_t close = std::string::npos;
    bool quoted = false;
    for (size_t i = 1; i < tail.size(); ++i) {
      if (tail[i] == '\'') quoted = !quoted;
      if (!quoted && tail[i] == ')') {
        close = i;
        break;
      }
    }
    std::string_view inner = close == std::string::npos
                                 ? std::string_view()
                                 : std::string_view(tail).substr(1, close - 1);
    if (inner.substr(0, 4) == "guid") inner.remove_prefix(4);  // Contacts(guid'...')
    auto key = close == std::string::npos ? std::nullopt : odata::ParseKeyPredicate(inner);
    if (!key) {
      return Error(HttpError{
          400, "BadRequest",
          "the key of " + set_name + " must be a quoted string, as in " + set_name + "('some-id')",
          ""});
    }
    std::string after = tail.substr(close + 1);
    if (after.empty()) return Entity(*entity, *key);
    if (after[0] == '/') {
      int i = entity->FieldIndex(after.substr(1), kDialect);
      const model::FieldSpec* f = i < 0 ? nullptr : &entity->fields[static_cast<size_t>(i)];
      if (f && IsNavigation(*f)) return Children(*entity, *key, *f);
    }
    return Error(HttpError{404, "NotFound",
                           "'" + after + "' is not a navigation property of " + set_name, ""});
  }

 private:
  Response Error(const HttpError& e) { return json_ ? JsonError(e) : XmlError(e); }
  Response Bad(const std::string& target, const std::string& message) {
    return Error(HttpError{400, "BadRequest", message, target});
  }

  odata::OrResponse<bool> CheckOptions(const std::set<std::string>& allowed, const char* where) {
    std::set<std::string> seen;
    for (const auto& [k, v] : req_.query) {
      if (k.empty() || k[0] != '$') continue;
      if (!seen.insert(k).second) return Bad(k, k + " is given twice");
      if (allowed.count(k)) continue;
      return Bad(k, "the query option " + core::Quote(k, 40) + " is not supported " + where +
                        "; this service knows $filter, $orderby, $top, $skip, $select, $expand, "
                        "$inlinecount, $format and $skiptoken");
    }
    return true;
  }

  // The fields to write: $select (navigation properties included), every field when absent.
  odata::OrResponse<std::vector<bool>> Selected(const model::EntitySpec& e) {
    std::vector<bool> chosen(e.fields.size(), true);
    const std::string* s = req_.Param("$select");
    if (!s || core::Trim(*s).empty() || core::Trim(*s) == "*") return chosen;
    std::fill(chosen.begin(), chosen.end(), false);
    chosen[model::EntitySpec::kIdField] = true;
    for (const std::string& part : core::Split(*s, ',')) {
      std::string_view name = core::Trim(part);
      if (name == "*") return std::vector<bool>(e.fields.size(), true);
      if (size_t slash = name.find('/'); slash != std::string_view::npos) {
        // nav/* and nav/property (as the SAP V2 client writes them): the navigation property
        // is selected; its children, when expanded, are written whole.
        std::string_view nav = name.substr(0, slash), prop = name.substr(slash + 1);
        int n = e.FieldIndex(nav, kDialect);
        if (n < 0 || !IsNavigation(e.fields[static_cast<size_t>(n)])) {
          return Bad("$select", "'" + std::string(nav) + "' in '" + std::string(name) +
                                    "' is not a navigation property of " + e.set_name);
        }
        const model::FieldSpec& f = e.fields[static_cast<size_t>(n)];
        std::vector<std::string> props = ChildPropertyNames(f);
        if (prop != "*" && std::find(props.begin(), props.end(), prop) == props.end()) {
          return Bad("$select", "unknown property '" + std::string(prop) + "' of " +
                                    ChildTypeName(e, f) + " in '" + std::string(name) +
                                    "'; it has " + core::Join(props, ", "));
        }
        chosen[static_cast<size_t>(n)] = true;
        continue;
      }
      int i = e.FieldIndex(name, kDialect);
      if (i < 0) {
        return Bad("$select", "unknown property '" + std::string(name) + "' of " + e.set_name);
      }
      chosen[static_cast<size_t>(i)] = true;
    }
    return chosen;
  }

  odata::OrResponse<std::vector<bool>> Expanded(const model::EntitySpec& e) {
    std::vector<bool> expand(e.fields.size(), false);
    const std::string* x = req_.Param("$expand");
    if (!x) return expand;
    for (const std::string& part : core::Split(*x, ',')) {
      std::string_view name = core::Trim(part);
      if (name.empty()) continue;
      int i = e.FieldIndex(name, kDialect);
      if (i < 0 || !IsNavigation(e.fields[static_cast<size_t>(i)])) {
        std::string navs;
        for (const auto& f : e.fields) {
          if (IsNavigation(f)) navs += (navs.empty() ? "" : ", ") + f.NameIn(kDialect);
        }
        return Bad("$expand", "'" + std::string(name) + "' is not a navigation property of " +
                                  e.set_name + " (it has " + navs + ")");
      }
      expand[static_cast<size_t>(i)] = true;
    }
    return expand;
  }

  std::string EntityUri(const model::EntitySpec& e, const std::string& id) const {
    return root_ + odata::KeySegment(e.set_name, id);
  }

  // ---- verbose JSON ----

  void JsonChildren(JsonWriter& w, const model::EntitySpec& e, const model::Record& r,
                    const model::FieldSpec& f, size_t index) {
    if (v3_ && e.set_name == "Contacts" && f.name == "roles") return JsonRolesByTreaty(w, r, index);
    std::string type = std::string(kNamespace) + "." + ChildTypeName(e, f);
    auto meta = [&] {
      w.Key("__metadata");
      w.StartObject();
      w.Key("type");
      w.String(type);
      w.EndObject();
    };
    w.StartArray();
    const model::Value& v = r.Get(index);
    if (std::holds_alternative<model::Multilingual>(v)) {
      for (const model::LangText* t : ChildrenInOrder(r, index)) {
        w.StartObject();
        meta();
        w.Key("id");
        w.String(r.id() + "-" + f.NameIn(kDialect) + "-" + t->lang);
        w.Key("language");
        w.String(t->lang);
        w.Key("value");
        w.String(t->text);
        w.EndObject();
      }
    } else if (const auto* list = std::get_if<model::StringList>(&v)) {
      for (const std::string& s : *list) {
        w.StartObject();
        meta();
        w.Key("value");
        w.String(s);
        w.EndObject();
      }
    } else if (const auto* items = std::get_if<model::ItemList>(&v)) {
      for (size_t k = 0; k < items->size(); ++k) {
        const model::Item& item = (*items)[k];
        w.StartObject();
        meta();
        w.Key("id");
        w.String(r.id() + "-" + f.NameIn(kDialect) + "-" + std::to_string(k + 1));
        for (const model::ItemFieldSpec& spec : f.item_fields) {
          w.Key(spec.name.data(), static_cast<rapidjson::SizeType>(spec.name.size()));
          std::optional<std::string> value = PublishedItemField(item, spec.name);
          if (!value) {
            w.Null();
            continue;
          }
          const std::string& text = *value;
          if (spec.type == FieldType::kBool && (text == "true" || text == "false")) {
            w.Bool(text == "true");
          } else if (spec.type == FieldType::kInt && core::ParseInt(text)) {
            w.Int64(*core::ParseInt(text));
          } else if (spec.type == FieldType::kDate && core::ParseDate(text)) {
            WriteDate(w, core::DaysFromCivil(*core::ParseDate(text)) * kMsPerDay);
          } else {
            w.String(text);
          }
        }
        w.EndObject();
      }
    }
    w.EndArray();
  }

  // A contact's roles in the V3 form, as CBD's V3 service writes them and ODataConsumerV3's
  // loadContactRolesProperty() reads them: one object per treaty, its roles as a list of
  // strings ({"treaty": "cbd", "roles": ["CHM NFP"]}), treaties in the order of their first
  // role. A role without a treaty has no place in that shape and is left out.
  void JsonRolesByTreaty(JsonWriter& w, const model::Record& r, size_t index) {
    std::vector<std::pair<std::string, std::vector<std::string>>> groups;
    if (const auto* items = std::get_if<model::ItemList>(&r.Get(index))) {
      for (const model::Item& item : *items) {
        auto treaty = item.find("treaty");
        auto role = item.find("role");
        if (treaty == item.end() || treaty->second.empty() || role == item.end()) continue;
        auto g = std::find_if(groups.begin(), groups.end(),
                              [&](const auto& p) { return p.first == treaty->second; });
        if (g == groups.end()) g = groups.insert(groups.end(), {treaty->second, {}});
        g->second.push_back(role->second);
      }
    }
    w.StartArray();
    for (const auto& [treaty, roles] : groups) {
      w.StartObject();
      w.Key("__metadata");
      w.StartObject();
      w.Key("type");
      w.String(std::string(kNamespace) + ".PersonRoles");
      w.EndObject();
      w.Key("treaty");
      w.String(treaty);
      w.Key("roles");
      w.StartArray();
      for (const std::string& role : roles) w.String(role);
      w.EndArray();
      w.EndObject();
    }
    w.EndArray();
  }

  void JsonEntity(JsonWriter& w, const model::Record& r, const std::vector<bool>& selected,
                  const std::vector<bool>& expanded) {
    const model::EntitySpec& e = r.entity();
    std::string uri = EntityUri(e, r.id());
    w.StartObject();
    w.Key("__metadata");
    w.StartObject();
    w.Key("uri");
    w.String(uri);
    w.Key("type");
    w.String(std::string(kNamespace) + "." + e.type_name);
    w.EndObject();
    for (size_t i = 0; i < e.fields.size(); ++i) {
      if (!selected[i] && !expanded[i]) continue;
      const model::FieldSpec& f = e.fields[i];
      const std::string& name = f.NameIn(kDialect);
      w.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
      if (IsNavigation(f)) {
        if (expanded[i] && v3_) {  // the V3 form: the collection is the array itself
          JsonChildren(w, e, r, f, i);
          continue;
        }
        w.StartObject();
        if (expanded[i]) {
          w.Key("results");
          JsonChildren(w, e, r, f, i);
        } else {
          w.Key("__deferred");
          w.StartObject();
          w.Key("uri");
          w.String(uri + "/" + f.NameIn(kDialect));
          w.EndObject();
        }
        w.EndObject();
        continue;
      }
      const model::Value& v = r.Get(i);
      if (model::IsEmpty(v)) {
        w.Null();
      } else if (auto ms = MsOf(v)) {
        WriteDate(w, *ms);
      } else {
        model::WriteValueJson(v, w);
      }
    }
    w.EndObject();
  }

  // ---- Atom ----

  void AtomChildEntries(std::string& out, const model::EntitySpec& e, const model::Record& r,
                        const model::FieldSpec& f, size_t index, const std::string& updated) {
    AppendChildEntries(out, root_, e, r, f, index, updated);
  }

  void AtomEntry(std::string& out, const model::Record& r, const std::vector<bool>& selected,
                 const std::vector<bool>& expanded) {
    AppendAtomEntry(out, r, root_, fallback_updated_, selected, expanded);
  }

  std::string AtomOpen(const char* root_element) const {
    return AtomDocumentOpen(root_, root_element);
  }

  // ---- resources ----

  Response Collection(const model::EntitySpec& e) {
    MB_ASSIGN_OR_RESPOND(bool ok, CheckOptions({"$filter", "$orderby", "$top", "$skip", "$select",
                                                "$expand", "$inlinecount", "$format", "$skiptoken"},
                                               "on an entity set"));
    (void)ok;
    std::shared_ptr<const store::Expr> filter;
    if (const std::string* f = req_.Param("$filter")) {
      auto parsed = odata::ParseFilter(*f, e, kDialect);
      if (!parsed.ok()) return Bad("$filter", parsed.status().message());
      filter = std::move(*parsed);
    }
    std::vector<store::OrderKey> order;
    if (const std::string* o = req_.Param("$orderby")) {
      auto parsed = odata::ParseOrderBy(*o, e, kDialect);
      if (!parsed.ok()) return Bad("$orderby", parsed.status().message());
      order = std::move(*parsed);
    }
    std::optional<int64_t> top;
    if (const std::string* t = req_.Param("$top")) {
      auto n = odata::ParseNonNegative(*t, "$top");
      if (!n.ok()) return Bad("$top", n.status().message());
      if (*n > ctx_.options.max_top) {
        return Bad("$top", "$top=" + std::to_string(*n) + " is over this server's maximum of " +
                               std::to_string(ctx_.options.max_top) + "; page with $skip");
      }
      top = *n;
    }
    int64_t skip = 0;
    if (const std::string* s = req_.Param("$skip")) {
      auto n = odata::ParseNonNegative(*s, "$skip");
      if (!n.ok()) return Bad("$skip", n.status().message());
      skip = *n;
    }
    bool inline_count = false;
    if (const std::string* c = req_.Param("$inlinecount")) {
      if (*c != "allpages" && *c != "none") {
        return Bad("$inlinecount",
                   "$inlinecount must be allpages or none, not " + core::Quote(*c, 40));
      }
      inline_count = *c == "allpages";
    }
    MB_ASSIGN_OR_RESPOND(std::vector<bool> selected, Selected(e));
    MB_ASSIGN_OR_RESPOND(std::vector<bool> expanded, Expanded(e));
    std::string qhash = odata::QueryHash(e.set_name, req_.query);
    std::optional<odata::NextToken> resume;
    if (const std::string* t = req_.Param("$skiptoken")) {
      auto decoded = odata::DecodeNext(ctx_.signer, *t, e, order, qhash);
      if (!decoded.ok()) {
        return Bad("$skiptoken", decoded.status().message() + "; start again from the first page");
      }
      resume = std::move(*decoded);
    }
    odata::PageSpec spec;
    spec.entity = &e;
    spec.filter = filter;
    spec.order = order;
    spec.limit = top ? *top : ctx_.options.page_size;
    spec.offset = skip;
    if (resume) spec.after = resume->after;
    store::ReadView& view = ex_.view();
    auto page = odata::ReadPage(view, spec);
    if (!page.ok()) return Error(odata::StoreError(page.status(), "reading " + e.set_name));
    std::optional<int64_t> total;
    if (inline_count) {
      store::Query q;
      q.entity = &e;
      q.filter = filter;
      auto n = view.Count(q);
      if (!n.ok()) return Error(odata::StoreError(n.status(), "counting " + e.set_name));
      total = *n;
    }
    std::string next;
    if (page->more && !top && !page->records.empty()) {
      odata::NextToken t;
      t.entity = e.set_name;
      t.query_hash = qhash;
      t.delivered = (resume ? resume->delivered : 0) + static_cast<int64_t>(page->records.size());
      t.after = odata::PositionOf(page->records.back(), order);
      next = root_ + e.set_name + "?" +
             odata::QueryString(req_.query, {"$skip", "$skiptoken"}, "$skiptoken",
                                odata::EncodeNext(ctx_.signer, t));
    }
    core::EpochMs last = LastChange(view);
    fallback_updated_ = last;
    Response r;
    if (json_) {
      rapidjson::StringBuffer buf(nullptr, 64 * 1024);
      JsonWriter w(buf);
      w.StartObject();
      w.Key("d");
      w.StartObject();
      if (total) {
        w.Key("__count");
        w.String(std::to_string(*total));
      }
      w.Key("results");
      w.StartArray();
      for (const model::Record& rec : page->records) JsonEntity(w, rec, selected, expanded);
      w.EndArray();
      if (!next.empty()) {
        w.Key("__next");
        w.String(next);
      }
      w.EndObject();
      w.EndObject();
      r = Response::Make(200, kJsonType, std::string(buf.GetString(), buf.GetSize()) + "\n");
    } else {
      std::string out = AtomOpen("feed");
      out.reserve(64 * 1024);
      out += "<id>" + core::XmlEscape(root_ + e.set_name) + "</id><title type=\"text\">" + e.set_name +
             "</title><updated>" + AtomDate(last > 0 ? last : 0) +
             "</updated><link rel=\"self\" title=\"" + e.set_name + "\" href=\"" + e.set_name +
             "\"/>";
      if (total) out += "<m:count>" + std::to_string(*total) + "</m:count>";
      for (const model::Record& rec : page->records) AtomEntry(out, rec, selected, expanded);
      if (!next.empty()) out += "<link rel=\"next\" href=\"" + core::XmlEscape(next) + "\"/>";
      out += "</feed>\n";
      r = Response::Make(200, kFeedType, std::move(out));
    }
    AddVersion(r, v3_);
    r.last_modified = last;
    return r;
  }

  Response Count(const model::EntitySpec& e) {
    MB_ASSIGN_OR_RESPOND(bool ok, CheckOptions({"$filter", "$format"}, "on /$count"));
    (void)ok;
    store::Query q;
    q.entity = &e;
    if (const std::string* f = req_.Param("$filter")) {
      auto parsed = odata::ParseFilter(*f, e, kDialect);
      if (!parsed.ok()) return Bad("$filter", parsed.status().message());
      q.filter = std::move(*parsed);
    }
    auto n = ex_.view().Count(q);
    if (!n.ok()) return Error(odata::StoreError(n.status(), "counting " + e.set_name));
    Response r = Response::Make(200, "text/plain;charset=utf-8", std::to_string(*n));
    AddVersion(r, v3_);
    r.last_modified = LastChange(ex_.view());
    return r;
  }

  odata::OrResponse<model::Record> Find(const model::EntitySpec& e, const std::string& id) {
    auto found = ex_.view().Get(e, id);
    if (!found.ok()) return Error(odata::StoreError(found.status(), "reading " + e.set_name));
    if (!*found) {
      return Error(HttpError{404, "NotFound",
                             "no " + e.set_name + " record has the id " + core::Quote(id), ""});
    }
    return std::move(**found);
  }

  Response Entity(const model::EntitySpec& e, const std::string& id) {
    MB_ASSIGN_OR_RESPOND(bool ok,
                         CheckOptions({"$select", "$expand", "$format"}, "on a single entry"));
    (void)ok;
    MB_ASSIGN_OR_RESPOND(std::vector<bool> selected, Selected(e));
    MB_ASSIGN_OR_RESPOND(std::vector<bool> expanded, Expanded(e));
    MB_ASSIGN_OR_RESPOND(model::Record rec, Find(e, id));
    fallback_updated_ = LastChange(ex_.view());
    Response r;
    if (json_) {
      rapidjson::StringBuffer buf;
      JsonWriter w(buf);
      w.StartObject();
      w.Key("d");
      JsonEntity(w, rec, selected, expanded);
      w.EndObject();
      r = Response::Make(200, kJsonType, std::string(buf.GetString(), buf.GetSize()) + "\n");
    } else {
      std::string out = AtomOpen("entry");
      std::string entry;
      AtomEntry(entry, rec, selected, expanded);
      out += entry.substr(std::string_view("<entry>").size());  // the root carries the namespaces
      out += "\n";
      r = Response::Make(200, kEntryType, std::move(out));
    }
    AddVersion(r, v3_);
    r.etag_seed = rec.provenance.content_hash;
    r.last_modified = StoredAt(rec, fallback_updated_);
    return r;
  }

  Response Children(const model::EntitySpec& e, const std::string& id, const model::FieldSpec& f) {
    MB_ASSIGN_OR_RESPOND(bool ok, CheckOptions({"$format"}, "on a navigation property"));
    (void)ok;
    MB_ASSIGN_OR_RESPOND(model::Record rec, Find(e, id));
    size_t index = static_cast<size_t>(e.FieldIndex(f.name));
    fallback_updated_ = LastChange(ex_.view());
    Response r;
    if (json_) {
      rapidjson::StringBuffer buf;
      JsonWriter w(buf);
      w.StartObject();
      w.Key("d");
      w.StartObject();
      w.Key("results");
      JsonChildren(w, e, rec, f, index);
      w.EndObject();
      w.EndObject();
      r = Response::Make(200, kJsonType, std::string(buf.GetString(), buf.GetSize()) + "\n");
    } else {
      std::string updated = AtomDate(MsOf(rec.Get(model::EntitySpec::kUpdatedField))
                                         .value_or(StoredAt(rec, fallback_updated_)));
      std::string key = odata::KeySegment(e.set_name, id);
      std::string out = AtomOpen("feed");
      out += "<id>" + core::XmlEscape(root_ + key + "/" + f.NameIn(kDialect)) +
             "</id><title type=\"text\">" + f.NameIn(kDialect) + "</title><updated>" + updated +
             "</updated><author><name/></author>";
      AtomChildEntries(out, e, rec, f, index, updated);
      out += "</feed>\n";
      r = Response::Make(200, kFeedType, std::move(out));
    }
    AddVersion(r, v3_);
    r.etag_seed = rec.provenance.content_hash;
    r.last_modified = StoredAt(rec, fallback_updated_);
    return r;
  }

  const Context& ctx_;
  http::Exchange& ex_;
  const http::Request& req_;
  std::string root_;
  bool json_;
  bool v3_;
  core::EpochMs fallback_updated_ = 0;
};

}  // namespace

void AppendAtomEntry(std::string& out, const model::Record& r, const std::string& root,
                     core::EpochMs fallback_updated, const std::vector<bool>& selected,
                     const std::vector<bool>& expanded) {
  const model::EntitySpec& e = r.entity();
  std::string key = odata::KeySegment(e.set_name, r.id());
  const model::Value& upd = r.Get(model::EntitySpec::kUpdatedField);
  std::string updated = AtomDate(MsOf(upd).value_or(StoredAt(r, fallback_updated)));
  out += "<entry><id>" + core::XmlEscape(root + key) + "</id><title type=\"text\">" +
         core::XmlEscape(TitleOf(r)) + "</title><updated>" + updated +
         "</updated><author><name/></author>";
  out += "<link rel=\"edit\" title=\"" + e.type_name + "\" href=\"" + core::XmlEscape(key) + "\"/>";
  for (size_t i = 0; i < e.fields.size(); ++i) {
    const model::FieldSpec& f = e.fields[i];
    if (!IsNavigation(f) || (!selected[i] && !expanded[i])) continue;
    out += "<link rel=\"" + std::string(kRel) + f.NameIn(kDialect) +
           "\" type=\"application/atom+xml;type=feed\" title=\"" + f.NameIn(kDialect) +
           "\" href=\"" + core::XmlEscape(key + "/" + f.NameIn(kDialect)) + "\"";
    if (!expanded[i]) {
      out += "/>";
      continue;
    }
    out += "><m:inline><feed><id>" + core::XmlEscape(root + key + "/" + f.NameIn(kDialect)) +
           "</id><title type=\"text\">" + f.NameIn(kDialect) + "</title><updated>" + updated +
           "</updated><author><name/></author>";
    AppendChildEntries(out, root, e, r, f, i, updated);
    out += "</feed></m:inline></link>";
  }
  out += "<category term=\"" + std::string(kNamespace) + "." + e.type_name + "\" scheme=\"" +
         kScheme + "\"/>";
  atom::PropertyOptions options;
  options.selected = &selected;
  options.collections = false;
  options.dialect = kDialect;
  atom::AppendProperties(out, r, options);
  out += "</entry>";
}

std::string AtomDocumentOpen(const std::string& root, const char* root_element) {
  return std::string("<?xml version=\"1.0\" encoding=\"utf-8\" standalone=\"yes\"?>\n<") +
         root_element + " xml:base=\"" + core::XmlEscape(root) +
         "\" xmlns=\"http://www.w3.org/2005/Atom\" "
         "xmlns:d=\"http://schemas.microsoft.com/ado/2007/08/dataservices\" "
         "xmlns:m=\"http://schemas.microsoft.com/ado/2007/08/dataservices/metadata\">";
}

namespace {

Response ServiceDocument(const Context& ctx, const http::Request& req, bool v3) {
  std::string root = req.base_url + std::string((v3 ? kV3Root : kV2Root).substr(1));
  Response r;
  if (WantsJson(req)) {
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    w.StartObject();
    w.Key("d");
    w.StartObject();
    w.Key("EntitySets");
    w.StartArray();
    for (const model::EntitySpec& e : ctx.registry->entities()) w.String(e.set_name);
    w.EndArray();
    w.EndObject();
    w.EndObject();
    r = Response::Make(200, kJsonType, std::string(buf.GetString(), buf.GetSize()) + "\n");
  } else {
    std::string out =
        "<?xml version=\"1.0\" encoding=\"utf-8\" standalone=\"yes\"?>\n<service xml:base=\"" +
        core::XmlEscape(root) +
        "\" xmlns=\"http://www.w3.org/2007/app\" xmlns:atom=\"http://www.w3.org/2005/Atom\">"
        "<workspace><atom:title>Default</atom:title>";
    for (const model::EntitySpec& e : ctx.registry->entities()) {
      out += "<collection href=\"" + e.set_name + "\"><atom:title>" + e.set_name +
             "</atom:title></collection>";
    }
    out += "</workspace></service>\n";
    r = Response::Make(200, "application/atomsvc+xml;charset=utf-8", std::move(out));
  }
  AddVersion(r, v3);
  return r;
}

}  // namespace

Status Register(http::RouteRegistry& routes, std::shared_ptr<const Context> context) {
  auto render_error = [](const HttpError& e, const http::Request& req) { return ErrorFor(req, e); };
  std::string edmx = RenderEdmx(*context->registry);
  // The V2 form at kV2Root, the V3 form at kV3Root: the same routes, the same handler, a flag.
  for (bool v3 : {false, true}) {
    std::string root(v3 ? kV3Root : kV2Root);  // "/informea.svc/"
    http::Route service;
    service.name = v3 ? "odata-v3" : "odata-v2";
    service.path = root.substr(0, root.size() - 1);
    service.cache = http::CacheMode::kStatic;
    service.vary = {"accept"};
    service.render_error = render_error;
    service.handler = [context, v3](http::Exchange& ex) {
      return ServiceDocument(*context, ex.request(), v3);
    };
    MB_RETURN_IF_ERROR(routes.Add(service));
    service.path = root;
    MB_RETURN_IF_ERROR(routes.Add(service));

    http::Route metadata;
    metadata.name = v3 ? "odata-v3-metadata" : "odata-v2-metadata";
    metadata.path = root + "$metadata";
    metadata.cache = http::CacheMode::kStatic;
    metadata.render_error = render_error;
    metadata.handler = [edmx](http::Exchange&) {
      Response r = Response::Make(200, "application/xml;charset=utf-8", edmx);
      AddVersion(r);
      return r;
    };
    MB_RETURN_IF_ERROR(routes.Add(metadata));

    http::Route sets;
    sets.name = service.name;
    sets.path = root;
    sets.prefix = true;
    sets.cache = http::CacheMode::kStore;
    sets.vary = {"accept"};
    sets.render_error = render_error;
    sets.handler = [context, v3](http::Exchange& ex) {
      Handler h(*context, ex, v3);
      return h.Serve();
    };
    MB_RETURN_IF_ERROR(routes.Add(std::move(sets)));
  }
  return Status::Ok();
}

}  // namespace meabridge::publish::odata_v2
