#include "publish/odata_v4/service.h"

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/json.h"
#include "core/strings.h"
#include "model/canonical_json.h"
#include "publish/common.h"
#include "publish/odata/evaluate.h"
#include "publish/odata/filter.h"
#include "publish/odata/navigation.h"
#include "publish/odata/or_response.h"
#include "publish/odata/query_options.h"
#include "publish/odata/tokens.h"
#include "publish/odata/urls.h"
#include "publish/odata_v4/csdl.h"

namespace meabridge::publish::odata_v4 {
namespace {

using http::HttpError;
using http::Response;
using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

constexpr const char* kPrefix = "/odata/v4/";
constexpr const char* kJsonType = "application/json;odata.metadata=minimal;charset=utf-8";
constexpr const char* kJsonTypeNone = "application/json;odata.metadata=none;charset=utf-8";

Response ErrorResponse(const HttpError& e) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("error");
  w.StartObject();
  w.Key("code");
  w.String(e.code.empty() ? "Error" : e.code);
  w.Key("message");
  w.String(e.message);
  if (!e.target.empty()) {
    w.Key("target");
    w.String(e.target);
  }
  w.EndObject();
  w.EndObject();
  Response r = Response::Make(e.status, "application/json;charset=utf-8",
                              std::string(buf.GetString(), buf.GetSize()) + "\n");
  r.headers.emplace_back("OData-Version", "4.0");
  return r;
}

Response BadRequest(std::string target, std::string message) {
  return ErrorResponse(HttpError{400, "BadRequest", std::move(message), std::move(target)});
}

std::string ResultBody(rapidjson::StringBuffer& buf) {
  std::string body(buf.GetString(), buf.GetSize());
  body += '\n';
  return body;
}

// What the Prefer header asks for.
struct Preferences {
  bool track_changes = false;
  std::optional<int64_t> max_page_size;
};

Preferences ParsePrefer(const http::Request& req) {
  Preferences p;
  for (const auto& [name, value] : req.headers) {
    if (name != "prefer") continue;
    for (const std::string& part : core::Split(value, ',')) {
      std::string item = core::AsciiLower(core::Trim(part));
      if (item == "odata.track-changes" || item == "track-changes") p.track_changes = true;
      for (const char* key : {"odata.maxpagesize=", "maxpagesize="}) {
        std::string k = key;
        if (item.rfind(k, 0) == 0) {
          auto n = core::ParseInt(core::Trim(item.substr(k.size())));
          if (n && *n > 0) p.max_page_size = *n;
        }
      }
    }
  }
  return p;
}

// $select and $expand resolved against an entity.
struct Shape {
  std::vector<int> select;  // empty: every field
  struct Expand {
    const odata::Navigation* nav = nullptr;
    std::vector<odata::Navigation> target_navs;
    std::unique_ptr<Shape> shape;
  };
  std::vector<Expand> expand;
};

class Request {
 public:
  Request(const Context& ctx, http::Exchange& ex)
      : ctx_(ctx), ex_(ex), req_(ex.request()), root_(req_.base_url + "odata/v4/") {}

  Response Serve() {
    const std::string& rest = ex_.rest();
    size_t cut = rest.find_first_of("(/");
    std::string set_name = rest.substr(0, cut);
    const model::EntitySpec* entity = nullptr;
    for (const model::EntitySpec& e : ctx_.registry->entities()) {
      if (e.set_name == set_name) entity = &e;
    }
    if (!entity) {
      return ErrorResponse(HttpError{
          404, "NotFound",
          "no entity set '" + set_name + "' in this service; it has " + ctx_.registry->SetNames(),
          set_name});
    }
    MB_ASSIGN_OR_RESPOND(bool json_none, CheckFormat());
    metadata_none_ = json_none;
    ieee754_ = AsksIeee754();
    odata_40_ = AtMostOData40();
    if (cut == std::string::npos) return Collection(*entity);
    std::string tail = rest.substr(cut);
    if (tail == "/$count") return Count(*entity);
    if (tail[0] == '(') {
      size_t close = ClosingParen(tail);
      if (close == std::string::npos) {
        return BadRequest(rest, "the key predicate of " + entity->set_name +
                                    " is not closed: write " + entity->set_name + "('id')");
      }
      auto key = odata::ParseKeyPredicate(std::string_view(tail).substr(1, close - 1));
      if (!key) {
        return BadRequest(rest, "the key of " + entity->set_name +
                                    " must be a quoted string, as in " + entity->set_name +
                                    "('some-id'); quotes inside it are doubled");
      }
      std::string after = tail.substr(close + 1);
      if (!after.empty()) {
        return BadRequest(rest, "'" + after +
                                    "' after the key is not supported; use $select "
                                    "and $expand on " +
                                    entity->set_name + "('" + *key + "')");
      }
      return Entity(*entity, *key);
    }
    return ErrorResponse(HttpError{404, "NotFound",
                                   "'" + tail + "' after " + entity->set_name +
                                       " is not a resource of this service (try /$count)",
                                   rest});
  }

 private:
  static size_t ClosingParen(const std::string& s) {
    bool quoted = false;
    for (size_t i = 1; i < s.size(); ++i) {
      if (s[i] == '\'') quoted = !quoted;
      if (!quoted && s[i] == ')') return i;
    }
    return std::string::npos;
  }

  // $format: JSON only. Returns whether odata.metadata=none was asked for.
  odata::OrResponse<bool> CheckFormat() {
    bool none = false;
    if (const std::string* accept = req_.Header("accept")) {
      none = accept->find("odata.metadata=none") != std::string::npos;
    }
    if (const std::string* f = req_.Param("$format")) {
      std::string v = core::AsciiLower(core::Trim(*f));
      if (v == "json" || v.rfind("application/json", 0) == 0) {
        return none || v.find("odata.metadata=none") != std::string::npos;
      }
      return ErrorResponse(
          HttpError{406, "NotAcceptable",
                    "$format=" + *f +
                        " is not supported here: the V4 service "
                        "answers JSON ($format=json); Atom is at /informea.svc/ and "
                        "/feeds/, CSV at /export/",
                    "$format"});
    }
    return none;
  }

  // IEEE754Compatible=true in Accept or $format: Edm.Int64 values and counts as strings.
  bool AsksIeee754() const {
    auto says = [](const std::string& v) {
      return core::AsciiLower(v).find("ieee754compatible=true") != std::string::npos;
    };
    const std::string* accept = req_.Header("accept");
    const std::string* format = req_.Param("$format");
    return (accept && says(*accept)) || (format && says(*format));
  }

  // OData-MaxVersion 4.0 (a 4.0 client): delta responses in the 4.0 form ($deletedEntity).
  bool AtMostOData40() const {
    const std::string* v = req_.Header("odata-maxversion");
    if (!v) return false;
    std::string_view t = core::Trim(*v);
    return t == "4.0" || t == "4";
  }

  std::string JsonType() const {
    std::string t = metadata_none_ ? kJsonTypeNone : kJsonType;
    if (ieee754_) t += ";IEEE754Compatible=true";
    return t;
  }

  // Every system query option must be known here, and given once.
  odata::OrResponse<bool> CheckOptions(const std::set<std::string>& allowed,
                                       const std::string& where) {
    std::set<std::string> seen;
    for (const auto& [k, v] : req_.query) {
      if (k.empty() || k[0] != '$') continue;  // custom options are ignored
      if (!seen.insert(k).second) {
        return BadRequest(k, k + " is given twice; give each query option once");
      }
      if (allowed.count(k)) continue;
      static const std::set<std::string> kKnown = {
          "$filter",  "$orderby", "$top",       "$skip",          "$count",      "$select",
          "$expand",  "$format",  "$skiptoken", "$deltatoken",    "$search",     "$apply",
          "$compute", "$index",   "$levels",    "$schemaversion", "$inlinecount"};
      if (kKnown.count(k)) {
        return BadRequest(k, k + " is not supported " + where);
      }
      return BadRequest(k, "unknown system query option " + core::Quote(k, 40) +
                               "; this service knows $filter, $orderby, $top, $skip, $count, "
                               "$select, $expand, $format, $skiptoken and $deltatoken");
    }
    return true;
  }

  odata::OrResponse<std::shared_ptr<const store::Expr>> Filter(const model::EntitySpec& e) {
    const std::string* f = req_.Param("$filter");
    if (!f) return std::shared_ptr<const store::Expr>();
    auto parsed = odata::ParseFilter(*f, e);
    if (!parsed.ok()) return BadRequest("$filter", parsed.status().message());
    return std::shared_ptr<const store::Expr>(std::move(*parsed));
  }

  odata::OrResponse<std::unique_ptr<Shape>> ShapeOf(const model::EntitySpec& e,
                                                    std::string_view select,
                                                    const std::vector<odata::ExpandItem>& expand,
                                                    int depth) {
    auto shape = std::make_unique<Shape>();
    auto sel = odata::ParseSelect(select, e);
    if (!sel.ok()) return BadRequest("$select", sel.status().message());
    shape->select = std::move(*sel);
    std::vector<odata::Navigation> navs = odata::NavigationsOf(e, *ctx_.registry);
    for (const odata::ExpandItem& item : expand) {
      const odata::Navigation* nav = odata::FindNavigation(navs, item.name);
      if (!nav) {
        std::string names;
        for (const auto& n : navs) names += (names.empty() ? "" : ", ") + n.name;
        return BadRequest("$expand", "$expand: '" + item.name +
                                         "' is not a navigation property of " + e.set_name +
                                         (names.empty() ? " (it has none)" : "; it has " + names));
      }
      if (depth + 1 > ctx_.options.max_expand_depth) {
        return BadRequest("$expand", "$expand nests deeper than this server's limit of " +
                                         std::to_string(ctx_.options.max_expand_depth));
      }
      Shape::Expand x;
      x.target_navs = odata::NavigationsOf(*nav->target, *ctx_.registry);
      MB_ASSIGN_OR_RESPOND(x.shape, ShapeOf(*nav->target, item.select, item.expand, depth + 1));
      // `nav` points into `navs`, which dies here: keep a stable copy.
      stable_navs_.push_back(std::make_unique<odata::Navigation>(*nav));
      x.nav = stable_navs_.back().get();
      shape->expand.push_back(std::move(x));
    }
    return shape;
  }

  odata::OrResponse<std::unique_ptr<Shape>> ParseShape(const model::EntitySpec& e) {
    std::vector<odata::ExpandItem> expand;
    if (const std::string* x = req_.Param("$expand")) {
      auto parsed = odata::ParseExpand(*x, std::max(1, ctx_.options.max_expand_depth));
      if (!parsed.ok()) return BadRequest("$expand", parsed.status().message());
      expand = std::move(*parsed);
      if (ctx_.options.max_expand_depth == 0 && !expand.empty()) {
        return BadRequest("$expand", "$expand is turned off on this server (max-expand-depth=0)");
      }
    }
    const std::string* s = req_.Param("$select");
    return ShapeOf(e, s ? *s : "", expand, 0);
  }

  std::string ContextUrl(const model::EntitySpec& e, const Shape& shape, const char* suffix) {
    std::string url = root_ + "$metadata#" + e.set_name;
    if (!shape.select.empty() || !shape.expand.empty()) {
      std::string inner;
      for (int f : shape.select)
        inner += (inner.empty() ? "" : ",") + e.fields[static_cast<size_t>(f)].name;
      for (const auto& x : shape.expand) inner += (inner.empty() ? "" : ",") + x.nav->name + "()";
      url += "(" + inner + ")";
    }
    return url + suffix;
  }

  // ---- JSON of records ----

  Status WriteEntity(JsonWriter& w, const model::Record& r, const Shape& shape) {
    const auto& fields = r.entity().fields;
    w.StartObject();
    auto write_field = [&](size_t i) {
      w.Key(fields[i].name.data(), static_cast<rapidjson::SizeType>(fields[i].name.size()));
      WriteProperty(w, fields[i], r.Get(i), ieee754_);
    };
    if (shape.select.empty()) {
      for (size_t i = 0; i < fields.size(); ++i) write_field(i);
    } else {
      for (int i : shape.select) write_field(static_cast<size_t>(i));
    }
    for (const Shape::Expand& x : shape.expand) {
      w.Key(x.nav->name.data(), static_cast<rapidjson::SizeType>(x.nav->name.size()));
      const model::Value& v = r.Get(static_cast<size_t>(x.nav->field));
      if (x.nav->collection) {
        w.StartArray();
        if (const auto* keys = std::get_if<model::StringList>(&v)) {
          for (const std::string& k : *keys) {
            MB_ASSIGN_OR_RETURN(const model::Record* target, lookup_->Get(*x.nav->target, k));
            if (target) MB_RETURN_IF_ERROR(WriteEntity(w, *target, *x.shape));
          }
        }
        w.EndArray();
      } else {
        const auto* key = std::get_if<std::string>(&v);
        const model::Record* target = nullptr;
        if (key) {
          MB_ASSIGN_OR_RETURN(target, lookup_->Get(*x.nav->target, *key));
        }
        if (target) {
          MB_RETURN_IF_ERROR(WriteEntity(w, *target, *x.shape));
        } else {
          w.Null();
        }
      }
    }
    w.EndObject();
    return Status::Ok();
  }

  void WriteRemoved(JsonWriter& w, const model::EntitySpec& e, const std::string& id,
                    const char* reason) {
    if (odata_40_) {
      // OData JSON 4.0, "Deleted Entity": the context names $deletedEntity, `id` is the
      // entity's id (its URL), `reason` deleted or changed.
      w.StartObject();
      w.Key("@odata.context");
      w.String(root_ + "$metadata#" + e.set_name + "/$deletedEntity");
      w.Key("id");
      w.String(root_ + odata::KeySegment(e.set_name, id));
      w.Key("reason");
      w.String(reason);
      w.EndObject();
      return;
    }
    w.StartObject();
    w.Key("@removed");
    w.StartObject();
    w.Key("reason");
    w.String(reason);
    w.EndObject();
    w.Key("@id");
    w.String(root_ + odata::KeySegment(e.set_name, id));
    w.Key("id");
    w.String(id);
    w.EndObject();
  }

  Response Json(rapidjson::StringBuffer& buf) {
    Response r = Response::Make(200, JsonType(), ResultBody(buf));
    r.headers.emplace_back("OData-Version", "4.0");
    return r;
  }

  // ---- resources ----

  Response Collection(const model::EntitySpec& e) {
    MB_ASSIGN_OR_RESPOND(bool ok,
                         CheckOptions({"$filter", "$orderby", "$top", "$skip", "$count", "$select",
                                       "$expand", "$format", "$skiptoken", "$deltatoken"},
                                      "on an entity set"));
    (void)ok;
    MB_ASSIGN_OR_RESPOND(auto filter, Filter(e));
    std::vector<store::OrderKey> order;
    if (const std::string* o = req_.Param("$orderby")) {
      auto parsed = odata::ParseOrderBy(*o, e);
      if (!parsed.ok()) return BadRequest("$orderby", parsed.status().message());
      order = std::move(*parsed);
    }
    std::optional<int64_t> top;
    if (const std::string* t = req_.Param("$top")) {
      auto n = odata::ParseNonNegative(*t, "$top");
      if (!n.ok()) return BadRequest("$top", n.status().message());
      if (*n > ctx_.options.max_top) {
        return BadRequest("$top", "$top=" + std::to_string(*n) +
                                      " is over this server's maximum "
                                      "of " +
                                      std::to_string(ctx_.options.max_top) +
                                      "; leave $top out and follow @odata.nextLink, or page with "
                                      "$skip");
      }
      top = *n;
    }
    int64_t skip = 0;
    if (const std::string* s = req_.Param("$skip")) {
      auto n = odata::ParseNonNegative(*s, "$skip");
      if (!n.ok()) return BadRequest("$skip", n.status().message());
      skip = *n;
    }
    bool count = false;
    if (const std::string* c = req_.Param("$count")) {
      std::string v = core::AsciiLower(core::Trim(*c));
      if (v != "true" && v != "false") {
        return BadRequest("$count", "$count must be true or false, not " + core::Quote(*c, 40));
      }
      count = v == "true";
    }
    MB_ASSIGN_OR_RESPOND(std::unique_ptr<Shape> shape, ParseShape(e));
    std::string qhash = odata::QueryHash(e.set_name, req_.query);
    if (const std::string* d = req_.Param("$deltatoken")) {
      if (!shape->expand.empty()) {
        return BadRequest("$expand", "$expand cannot be combined with a delta link");
      }
      return Delta(e, *d, filter, *shape, qhash);
    }
    Preferences prefer = ParsePrefer(req_);
    std::optional<odata::NextToken> resume;
    if (const std::string* t = req_.Param("$skiptoken")) {
      auto decoded = odata::DecodeNext(ctx_.signer, *t, e, order, qhash);
      if (!decoded.ok()) {
        return BadRequest("$skiptoken",
                          decoded.status().message() + "; start again from the first page");
      }
      resume = std::move(*decoded);
    }
    bool track =
        (prefer.track_changes || (resume && resume->delta_since >= 0)) && !top && skip == 0;
    int64_t page_size = ctx_.options.page_size;
    if (prefer.max_page_size)
      page_size = std::min<int64_t>(*prefer.max_page_size, ctx_.options.max_top);
    odata::PageSpec spec;
    spec.entity = &e;
    spec.filter = filter;
    spec.order = order;
    spec.limit = top ? *top : page_size;
    spec.offset = skip;
    if (resume) spec.after = resume->after;
    store::ReadView& view = ex_.view();
    auto page = odata::ReadPage(view, spec);
    if (!page.ok()) return ErrorResponse(odata::StoreError(page.status(), "reading " + e.set_name));
    std::optional<int64_t> total;
    if (count) {
      store::Query q;
      q.entity = &e;
      q.filter = filter;
      auto n = view.Count(q);
      if (!n.ok()) return ErrorResponse(odata::StoreError(n.status(), "counting " + e.set_name));
      total = *n;
    }
    odata::RecordLookup lookup(view);
    lookup_ = &lookup;
    rapidjson::StringBuffer buf(nullptr, 64 * 1024);
    JsonWriter w(buf);
    w.StartObject();
    if (!metadata_none_) {
      w.Key("@odata.context");
      w.String(ContextUrl(e, *shape, ""));
    }
    if (total) {
      w.Key("@odata.count");
      ieee754_ ? w.String(std::to_string(*total)) : w.Int64(*total);
    }
    w.Key("value");
    w.StartArray();
    for (const model::Record& r : page->records) {
      Status st = WriteEntity(w, r, *shape);
      if (!st.ok()) return ErrorResponse(odata::StoreError(st, "expanding " + e.set_name));
    }
    w.EndArray();
    int64_t delta_since =
        track ? (resume && resume->delta_since >= 0 ? resume->delta_since : ex_.max_seq()) : -1;
    if (page->more && !top && !page->records.empty()) {
      odata::NextToken next;
      next.entity = e.set_name;
      next.query_hash = qhash;
      next.delivered =
          (resume ? resume->delivered : 0) + static_cast<int64_t>(page->records.size());
      next.after = odata::PositionOf(page->records.back(), order);
      next.delta_since = delta_since;
      w.Key("@odata.nextLink");
      w.String(root_ + e.set_name + "?" +
               odata::QueryString(req_.query, {"$skip", "$skiptoken", "$deltatoken"}, "$skiptoken",
                                  odata::EncodeNext(ctx_.signer, next)));
    } else if (track) {
      w.Key("@odata.deltaLink");
      w.String(DeltaLink(e, qhash, delta_since));
    }
    w.EndObject();
    Response r = Json(buf);
    std::string applied;
    if (track && prefer.track_changes) applied = "odata.track-changes";
    if (prefer.max_page_size && !top) {
      applied += (applied.empty() ? "" : ", ") + std::string("odata.maxpagesize=") +
                 std::to_string(page_size);
    }
    if (!applied.empty()) r.headers.emplace_back("Preference-Applied", applied);
    r.last_modified = LastChange(view);
    return r;
  }

  std::string DeltaLink(const model::EntitySpec& e, const std::string& qhash, int64_t since) {
    odata::DeltaToken d;
    d.entity = e.set_name;
    d.query_hash = qhash;
    d.since = since;
    return root_ + e.set_name + "?" +
           odata::QueryString(req_.query, {"$skip", "$skiptoken", "$deltatoken"}, "$deltatoken",
                              odata::EncodeDelta(ctx_.signer, d));
  }

  Response Gone(std::string message) {
    return ErrorResponse(HttpError{410, "Gone",
                                   std::move(message) +
                                       "; read the collection again with "
                                       "Prefer: odata.track-changes for a new delta link",
                                   "$deltatoken"});
  }

  Response Delta(const model::EntitySpec& e, const std::string& token,
                 const std::shared_ptr<const store::Expr>& filter, const Shape& shape,
                 const std::string& qhash) {
    auto decoded = odata::DecodeDelta(ctx_.signer, token, e, qhash);
    if (!decoded.ok()) return Gone(decoded.status().message());
    store::ReadView& view = ex_.view();
    auto oldest = view.OldestTrackedSeq();
    if (!oldest.ok()) return ErrorResponse(odata::StoreError(oldest.status(), "reading changes"));
    if (decoded->since < *oldest) {
      return Gone("the delta link has expired: changes before sequence number " +
                  std::to_string(*oldest) + " are no longer kept");
    }
    if (decoded->since > ex_.max_seq()) {
      return Gone("the delta link is ahead of this store (sequence number " +
                  std::to_string(decoded->since) +
                  " was never reached): it belongs to another "
                  "store");
    }
    Preferences prefer = ParsePrefer(req_);
    int64_t page_size = ctx_.options.page_size;
    if (prefer.max_page_size)
      page_size = std::min<int64_t>(*prefer.max_page_size, ctx_.options.max_top);
    std::vector<store::Change> changes;
    Status st = view.ScanChanges(&e, decoded->since, page_size + 1, [&](const store::Change& c) {
      changes.push_back(c);
      return Status::Ok();
    });
    if (!st.ok()) return ErrorResponse(odata::StoreError(st, "reading changes of " + e.set_name));
    bool more = static_cast<int64_t>(changes.size()) > page_size;
    if (more) changes.resize(static_cast<size_t>(page_size));
    rapidjson::StringBuffer buf(nullptr, 64 * 1024);
    JsonWriter w(buf);
    w.StartObject();
    if (!metadata_none_) {
      w.Key("@odata.context");
      w.String(ContextUrl(e, shape, "/$delta"));
    }
    w.Key("value");
    w.StartArray();
    for (const store::Change& c : changes) {
      if (c.deleted || !c.record) {
        WriteRemoved(w, e, c.id, "deleted");
      } else if (!odata::Matches(filter.get(), *c.record)) {
        WriteRemoved(w, e, c.id, "changed");
      } else {
        Status ws = WriteEntity(w, *c.record, shape);
        if (!ws.ok()) return ErrorResponse(odata::StoreError(ws, "reading changes"));
      }
    }
    w.EndArray();
    if (more) {
      w.Key("@odata.nextLink");
      w.String(DeltaLink(e, qhash, changes.back().seq));
    } else {
      w.Key("@odata.deltaLink");
      w.String(DeltaLink(e, qhash, ex_.max_seq()));
    }
    w.EndObject();
    Response r = Json(buf);
    // @removed entries are OData 4.01 JSON; a 4.0 client got $deletedEntity ones.
    if (!odata_40_) r.headers.back().second = "4.01";
    r.cacheable = false;
    return r;
  }

  Response Count(const model::EntitySpec& e) {
    MB_ASSIGN_OR_RESPOND(bool ok, CheckOptions({"$filter", "$format"}, "on /$count"));
    (void)ok;
    MB_ASSIGN_OR_RESPOND(auto filter, Filter(e));
    store::Query q;
    q.entity = &e;
    q.filter = filter;
    auto n = ex_.view().Count(q);
    if (!n.ok()) return ErrorResponse(odata::StoreError(n.status(), "counting " + e.set_name));
    Response r = Response::Make(200, "text/plain;charset=utf-8", std::to_string(*n));
    r.headers.emplace_back("OData-Version", "4.0");
    r.last_modified = LastChange(ex_.view());
    return r;
  }

  Response Entity(const model::EntitySpec& e, const std::string& id) {
    MB_ASSIGN_OR_RESPOND(bool ok,
                         CheckOptions({"$select", "$expand", "$format"}, "on a single entity"));
    (void)ok;
    MB_ASSIGN_OR_RESPOND(std::unique_ptr<Shape> shape, ParseShape(e));
    store::ReadView& view = ex_.view();
    odata::RecordLookup lookup(view);
    lookup_ = &lookup;
    auto found = lookup.Get(e, id);
    if (!found.ok())
      return ErrorResponse(odata::StoreError(found.status(), "reading " + e.set_name));
    if (!*found) {
      return ErrorResponse(HttpError{404, "NotFound",
                                     "no " + e.set_name + " record has the id " + core::Quote(id),
                                     e.set_name});
    }
    const model::Record& r = **found;
    rapidjson::StringBuffer buf(nullptr, 4096);
    JsonWriter w(buf);
    // The context goes first: write it, then the entity's members into the same object.
    rapidjson::StringBuffer inner;
    JsonWriter iw(inner);
    Status st = WriteEntity(iw, r, *shape);
    if (!st.ok()) return ErrorResponse(odata::StoreError(st, "expanding " + e.set_name));
    std::string body;
    if (metadata_none_) {
      body.assign(inner.GetString(), inner.GetSize());
    } else {
      w.StartObject();
      w.Key("@odata.context");
      w.String(ContextUrl(e, *shape, "/$entity"));
      w.EndObject();
      // {"@odata.context":"..."} + {"id":...} -> {"@odata.context":"...","id":...}
      body.assign(buf.GetString(), buf.GetSize() - 1);
      std::string_view members(inner.GetString(), inner.GetSize());
      if (members.size() > 2) {
        body += ',';
        body.append(members.substr(1));
      } else {
        body += '}';
      }
    }
    body += '\n';
    Response resp = Response::Make(200, JsonType(), std::move(body));
    resp.headers.emplace_back("OData-Version", "4.0");
    // The entity's ETag follows its content (and that of what it expands), not the store's.
    std::string seed = r.provenance.content_hash.empty() ? std::to_string(ex_.max_seq())
                                                         : r.provenance.content_hash;
    if (!shape->expand.empty()) seed += "#" + std::to_string(ex_.max_seq());
    resp.etag_seed = seed;
    resp.last_modified = StoredAt(r, LastChange(view));
    return resp;
  }

  const Context& ctx_;
  http::Exchange& ex_;
  const http::Request& req_;
  std::string root_;
  bool metadata_none_ = false;
  bool ieee754_ = false;
  bool odata_40_ = false;
  odata::RecordLookup* lookup_ = nullptr;
  std::vector<std::unique_ptr<odata::Navigation>> stable_navs_;
};

}  // namespace

void WriteProperty(rapidjson::Writer<rapidjson::StringBuffer>& w, const model::FieldSpec& f,
                   const model::Value& v, bool ieee754_compatible) {
  if (model::IsEmpty(v)) {
    if (f.IsList()) {
      w.StartArray();
      w.EndArray();
    } else {
      w.Null();
    }
    return;
  }
  auto string = [&w](const std::string& s) {
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  };
  if (const auto* n = std::get_if<int64_t>(&v); n && ieee754_compatible) {
    string(std::to_string(*n));
  } else if (const auto* m = std::get_if<model::Multilingual>(&v)) {
    w.StartObject();
    for (const char* lang : kUnLanguages) {
      w.Key(lang);
      const std::string* text = model::FindText(*m, lang);
      text ? string(*text) : (void)w.Null();
    }
    for (const model::LangText& t : *m) {
      if (std::find_if(std::begin(kUnLanguages), std::end(kUnLanguages), [&](const char* un) {
            return t.lang == un;
          }) != std::end(kUnLanguages)) {
        continue;
      }
      w.Key(t.lang.data(), static_cast<rapidjson::SizeType>(t.lang.size()));
      string(t.text);
    }
    w.EndObject();
  } else if (const auto* items = std::get_if<model::ItemList>(&v)) {
    w.StartArray();
    for (const model::Item& item : *items) {
      w.StartObject();
      for (const model::ItemFieldSpec& spec : f.item_fields) {
        w.Key(spec.name.data(), static_cast<rapidjson::SizeType>(spec.name.size()));
        auto it = item.find(spec.name);
        it == item.end() ? (void)w.Null() : string(it->second);
      }
      for (const auto& [name, value] : item) {
        if (f.ItemField(name)) continue;
        w.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
        string(value);
      }
      w.EndObject();
    }
    w.EndArray();
  } else {
    model::WriteValueJson(v, w);
  }
}

void WriteRecord(rapidjson::Writer<rapidjson::StringBuffer>& w, const model::Record& r) {
  const auto& fields = r.entity().fields;
  w.StartObject();
  for (size_t i = 0; i < fields.size(); ++i) {
    w.Key(fields[i].name.data(), static_cast<rapidjson::SizeType>(fields[i].name.size()));
    WriteProperty(w, fields[i], r.Get(i));
  }
  w.EndObject();
}

http::Response ServiceDocument(const Context& ctx, const http::Request& req) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("@odata.context");
  w.String(req.base_url + "odata/v4/$metadata");
  w.Key("value");
  w.StartArray();
  for (const model::EntitySpec& e : ctx.registry->entities()) {
    w.StartObject();
    w.Key("name");
    w.String(e.set_name);
    w.Key("kind");
    w.String("EntitySet");
    w.Key("url");
    w.String(e.set_name);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  Response r = Response::Make(200, kJsonType, ResultBody(buf));
  r.headers.emplace_back("OData-Version", "4.0");
  return r;
}

Status Register(http::RouteRegistry& routes, std::shared_ptr<const Context> context) {
  auto render_error = [](const HttpError& e, const http::Request&) { return ErrorResponse(e); };
  std::string csdl = RenderCsdl(*context->registry);

  http::Route service;
  service.name = "odata-v4";
  service.path = "/odata/v4";
  service.cache = http::CacheMode::kStatic;
  service.render_error = render_error;
  service.handler = [context](http::Exchange& ex) {
    return ServiceDocument(*context, ex.request());
  };
  MB_RETURN_IF_ERROR(routes.Add(service));
  service.path = "/odata/v4/";
  MB_RETURN_IF_ERROR(routes.Add(service));

  http::Route metadata;
  metadata.name = "odata-v4-metadata";
  metadata.path = "/odata/v4/$metadata";
  metadata.cache = http::CacheMode::kStatic;
  metadata.render_error = render_error;
  metadata.handler = [csdl](http::Exchange&) {
    Response r = Response::Make(200, "application/xml;charset=utf-8", csdl);
    r.headers.emplace_back("OData-Version", "4.0");
    return r;
  };
  MB_RETURN_IF_ERROR(routes.Add(metadata));

  http::Route sets;
  sets.name = "odata-v4";
  sets.path = kPrefix;
  sets.prefix = true;
  sets.cache = http::CacheMode::kStore;
  sets.vary = {"accept", "prefer"};
  sets.render_error = render_error;
  sets.handler = [context](http::Exchange& ex) {
    Request r(*context, ex);
    return r.Serve();
  };
  return routes.Add(std::move(sets));
}

}  // namespace meabridge::publish::odata_v4
