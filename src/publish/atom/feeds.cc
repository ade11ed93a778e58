#include "publish/atom/feeds.h"

#include <vector>

#include "core/percent.h"
#include "core/strings.h"
#include "core/version.h"
#include "publish/atom/properties.h"
#include "publish/common.h"
#include "publish/http/request.h"
#include "publish/odata/query_options.h"
#include "publish/odata/urls.h"
#include "core/xml_text.h"

namespace meabridge::publish::atom {
namespace {

using http::HttpError;
using http::Response;

constexpr const char* kFeedType = "application/atom+xml;charset=utf-8";

std::string EntryId(const std::string& base, const model::EntitySpec& e, const std::string& id) {
  return base + "odata/v4/" + odata::KeySegment(e.set_name, id);
}

Response Feed(const Context& ctx, http::Exchange& ex) {
  const http::Request& req = ex.request();
  std::string name = ex.rest();
  if (name.size() <= 5 || name.compare(name.size() - 5, 5, ".atom") != 0) {
    return http::DefaultErrorResponse(
        HttpError{404, "NotFound",
                  "no feed at " + req.path + "; the change feeds are /feeds/ENTITY.atom (" +
                      ctx.registry->SetNames() + ")",
                  ""},
        req);
  }
  name.resize(name.size() - 5);
  const model::EntitySpec* e = ctx.registry->Find(name);
  if (!e) {
    return http::DefaultErrorResponse(
        HttpError{404, "NotFound",
                  "no entity '" + name + "'; the feeds are /feeds/ENTITY.atom for " +
                      ctx.registry->SetNames(),
                  ""},
        req);
  }
  int64_t after = 0;
  if (const std::string* a = req.Param("after")) {
    auto n = odata::ParseNonNegative(*a, "after");
    if (!n.ok()) {
      return http::DefaultErrorResponse(HttpError{400, "BadRequest", n.status().message(), "after"},
                                        req);
    }
    after = *n;
  }
  store::ReadView& view = ex.view();
  if (after > 0) {
    auto oldest = view.OldestTrackedSeq();
    if (!oldest.ok()) {
      return http::DefaultErrorResponse(odata::StoreError(oldest.status(), "reading changes"), req);
    }
    if (after < *oldest) {
      return http::DefaultErrorResponse(
          HttpError{410, "Gone",
                    "position after=" + std::to_string(after) +
                        " is older than the oldest change still kept (" + std::to_string(*oldest) +
                        "); read the feed again from its first page",
                    "after"},
          req);
    }
  }
  int64_t page = ctx.options.page_size;
  std::vector<store::Change> changes;
  Status st = view.ScanChanges(e, after, page + 1, [&](const store::Change& c) {
    changes.push_back(c);
    return Status::Ok();
  });
  if (!st.ok()) return http::DefaultErrorResponse(odata::StoreError(st, "reading changes"), req);
  bool more = static_cast<int64_t>(changes.size()) > page;
  if (more) changes.resize(static_cast<size_t>(page));

  const std::string& base = req.base_url;
  std::string self = base + "feeds/" + e->name + ".atom";
  core::EpochMs last = LastChange(view);
  std::string out;
  out.reserve(64 * 1024);
  out += "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed ";
  out += kNamespaces;
  out += ">\n<id>" + core::XmlEscape(self) + "</id>\n<title type=\"text\">" + e->set_name +
         " (meabridge)</title>\n<subtitle type=\"text\">Changes to " + e->set_name +
         " in change order; deleted records as RFC 6721 tombstones</subtitle>\n<updated>" +
         AtomDate(last) + "</updated>\n<author><name>meabridge</name></author>\n" +
         "<generator version=\"" + kVersion + "\">meabridge</generator>\n";
  out += "<link rel=\"self\" href=\"" +
         core::XmlEscape(after > 0 ? self + "?after=" + std::to_string(after) : self) + "\"/>\n";
  out += "<link rel=\"first\" href=\"" + core::XmlEscape(self) + "\"/>\n";
  if (more) {
    out += "<link rel=\"next\" href=\"" +
           core::XmlEscape(self + "?after=" + std::to_string(changes.back().seq)) + "\"/>\n";
  }
  for (const store::Change& c : changes) {
    if (c.deleted || !c.record) {
      out += "<at:deleted-entry ref=\"" + core::XmlEscape(EntryId(base, *e, c.id)) + "\" when=\"" +
             AtomDate(c.deleted_at > 0 ? c.deleted_at : last) +
             "\"><at:comment>deleted at the "
             "source (change " +
             std::to_string(c.seq) + ")</at:comment></at:deleted-entry>\n";
      continue;
    }
    out += EntryXml(*c.record, base, last);
    out += '\n';
  }
  out += "</feed>\n";
  Response r = Response::Make(200, kFeedType, std::move(out));
  r.last_modified = last;
  return r;
}

}  // namespace

std::string EntryXml(const model::Record& r, const std::string& base,
                     core::EpochMs fallback_updated) {
  const model::EntitySpec& e = r.entity();
  std::string id = EntryId(base, e, r.id());
  auto updated = InstantOf(r.Get(model::EntitySpec::kUpdatedField));
  std::string out = "<entry><id>" + core::XmlEscape(id) + "</id><title type=\"text\">" +
                    core::XmlEscape(TitleOf(r)) + "</title><updated>" +
                    AtomDate(updated ? *updated : StoredAt(r, fallback_updated)) + "</updated>";
  out += "<link rel=\"alternate\" type=\"application/json\" href=\"" + core::XmlEscape(id) + "\"/>";
  out += "<link rel=\"alternate\" type=\"application/ld+json\" href=\"" +
         core::XmlEscape(base + "ld/" + e.name + "/" + core::PercentEncode(r.id())) + "\"/>";
  out += "<category term=\"" + e.set_name + "\" label=\"" + e.type_name + "\"/>";
  AppendProperties(out, r, PropertyOptions{});
  out += "</entry>";
  return out;
}

Status Register(http::RouteRegistry& routes, std::shared_ptr<const Context> context) {
  http::Route feeds;
  feeds.name = "atom";
  feeds.path = "/feeds/";
  feeds.prefix = true;
  feeds.cache = http::CacheMode::kStore;
  feeds.handler = [context](http::Exchange& ex) { return Feed(*context, ex); };
  return routes.Add(std::move(feeds));
}

}  // namespace meabridge::publish::atom
