#include "publish/profiles/feeds.h"

#include <map>
#include <set>

#include "codec/byte_source.h"
#include "core/strings.h"
#include "mapping/outbound.h"
#include "publish/common.h"
#include "publish/odata/filter.h"
#include "publish/odata/query_options.h"
#include "vocab/vocabulary.h"

namespace meabridge::publish::profiles {
namespace {

using http::HttpError;
using http::Response;

// The mapping writer's output, handed to the response body as it is produced.
class BodySink : public codec::ByteSink {
 public:
  explicit BodySink(http::BodyWriter& out) : out_(out) {}
  Status Write(std::string_view bytes) override { return out_.Write(bytes); }

 private:
  http::BodyWriter& out_;
};

// The profiles of one name, by entity.
struct Named {
  std::string name;
  std::vector<const Profile*> profiles;
};

Response Serve(const Named& named, http::Exchange& ex) {
  const http::Request& req = ex.request();
  std::string entity = ex.rest();
  if (!entity.empty() && entity.back() == '/') entity.pop_back();
  const Profile* profile = nullptr;
  std::string offered;
  for (const Profile* p : named.profiles) {
    const model::EntitySpec& e = p->mapping->entity();
    offered += (offered.empty() ? "" : ", ") + e.name;
    if (core::EqualsIgnoreCase(e.name, entity) || core::EqualsIgnoreCase(e.set_name, entity)) {
      profile = p;
    }
  }
  if (!profile) {
    return http::DefaultErrorResponse(
        HttpError{404, "NotFound",
                  "the profile " + named.name + " has no feed '" + entity + "'; it publishes " +
                      offered + " at /feeds/" + named.name + "/ENTITY",
                  ""},
        req);
  }
  const model::EntitySpec& e = profile->mapping->entity();
  auto query = std::make_shared<store::Query>();
  query->entity = &e;
  mapping::Params params;
  for (const auto& [k, v] : req.query) {
    if (k == "$filter") {
      auto parsed = odata::ParseFilter(v, e);
      if (!parsed.ok()) {
        return http::DefaultErrorResponse(
            HttpError{400, "BadRequest", parsed.status().message(), "$filter"}, req);
      }
      query->filter = std::move(*parsed);
    } else if (k == "$orderby") {
      auto parsed = odata::ParseOrderBy(v, e);
      if (!parsed.ok()) {
        return http::DefaultErrorResponse(
            HttpError{400, "BadRequest", parsed.status().message(), "$orderby"}, req);
      }
      query->order_by = std::move(*parsed);
    } else if (!k.empty() && k[0] == '$') {
      return http::DefaultErrorResponse(
          HttpError{400, "BadRequest",
                    k + " is not supported on partner feeds (only $filter and $orderby; other "
                        "query parameters are the mapping's parameters)",
                    k},
          req);
    } else {
      params[k] = v;
    }
  }
  Status checked = profile->mapping->CheckParams(params);
  if (!checked.ok()) {
    return http::DefaultErrorResponse(HttpError{400, "BadRequest", checked.message(), ""}, req);
  }
  store::ReadView* view = &ex.view();
  std::shared_ptr<const mapping::OutboundMapping> m = profile->mapping;
  Response r;
  r.content_type = m->content_type() + ";charset=utf-8";
  r.last_modified = LastChange(*view);
  r.stream = [view, query, m, params](http::BodyWriter& out) -> Status {
    BodySink sink(out);
    MB_ASSIGN_OR_RETURN(auto writer, m->NewWriter(sink, params));
    MB_RETURN_IF_ERROR(
        view->Scan(*query, [&](const model::Record& rec) { return writer->Write(rec); }));
    return writer->Finish();
  };
  return r;
}

}  // namespace

Result<std::vector<Profile>> LoadProfiles(const config::Config& config,
                                          const vocab::Vocabularies* vocabularies,
                                          const model::Registry& registry) {
  std::vector<Profile> out;
  if (config.profiles.empty()) return out;
  if (!vocabularies) {
    return Status::FailedPrecondition(
        "partner profiles need the vocabularies, which could not be loaded (is Debian's "
        "iso-codes installed?)");
  }
  std::set<std::pair<std::string, std::string>> seen;
  for (const config::ProfileConfig& p : config.profiles) {
    auto m = mapping::OutboundMapping::Load(p.mapping, *vocabularies, registry);
    if (!m.ok()) {
      return Status::InvalidArgument("profile '" + p.name + "' (" + p.position.ToString() +
                                     "): its mapping does not load: " + m.status().message());
    }
    const model::EntitySpec& e = (*m)->entity();
    if (!seen.insert({p.name, e.set_name}).second) {
      return Status::InvalidArgument("profile '" + p.name + "' (" + p.position.ToString() +
                                     ") has two mappings for " + e.set_name +
                                     "; give each entity set of a profile one mapping");
    }
    out.push_back(Profile{p.name, std::move(*m)});
  }
  return out;
}

Status Register(http::RouteRegistry& routes, std::shared_ptr<const Context> context) {
  std::map<std::string, Named> by_name;
  for (const Profile& p : context->profiles) {
    Named& n = by_name[p.name];
    n.name = p.name;
    n.profiles.push_back(&p);
  }
  for (auto& [name, named] : by_name) {
    http::Route r;
    r.name = "profile:" + name;
    r.path = "/feeds/" + name + "/";
    r.prefix = true;
    r.cache = http::CacheMode::kStore;
    // `context` owns the profiles `named` points to; the handler keeps it alive.
    r.handler = [context, n = named](http::Exchange& ex) { return Serve(n, ex); };
    MB_RETURN_IF_ERROR(routes.Add(std::move(r)));
  }
  return Status::Ok();
}

}  // namespace meabridge::publish::profiles
