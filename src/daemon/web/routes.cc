// RegisterDaemonRoutes: the probes, /metrics, /status and /admin/ on the publisher's registry.
#include <memory>

#include "core/clock.h"
#include "core/log.h"
#include "core/strings.h"
#include "daemon/web/admin.h"
#include "daemon/web/assets.h"
#include "daemon/web/docs.h"
#include "daemon/web/front_page.h"
#include "daemon/web/status_page.h"
#include "daemon/web/web.h"
#include "publish/odata_v4/service.h"

namespace meabridge::daemon::web {
namespace {

using publish::http::CacheMode;
using publish::http::HttpError;
using publish::http::Response;
using publish::http::Route;

constexpr const char* kText = "text/plain; charset=utf-8";

// Probes, metrics and the status page answer their errors as one line of plain text (what a
// load balancer, Prometheus or a person reading a browser tab shows best).
Response PlainError(const HttpError& e, const publish::http::Request&) {
  return Response::Make(e.status, kText, std::to_string(e.status) + " " + e.message + "\n");
}

Route Plain(std::string name, std::string path, publish::http::Handler handler) {
  Route r;
  r.name = std::move(name);
  r.path = std::move(path);
  r.cache = CacheMode::kNone;
  r.handler = std::move(handler);
  r.render_error = PlainError;
  return r;
}

Response StoreUnavailable(const char* what, const Status& st) {
  core::LogError(std::string("http: ") + what + ": cannot read the store: " + st.ToString());
  return Response::Make(503, kText,
                        "503 the store cannot be read right now; the server log says why\n");
}

// An OData client at `/`: $format=json, or an Accept naming JSON and not HTML (browsers name
// text/html).
bool WantsServiceDocument(const publish::http::Request& req) {
  if (const std::string* f = req.Param("$format")) {
    return core::AsciiLower(core::Trim(*f)).find("json") != std::string::npos;
  }
  const std::string* accept = req.Header("accept");
  if (!accept) return false;
  std::string a = core::AsciiLower(*accept);
  return a.find("application/json") != std::string::npos &&
         a.find("text/html") == std::string::npos;
}

constexpr const char* kHtml = "text/html; charset=utf-8";

}  // namespace

Status RegisterDaemonRoutes(publish::http::RouteRegistry& routes, WebDeps deps) {
  if (!deps.control || !deps.store || !deps.metrics) {
    return Status::InvalidArgument(
        "RegisterDaemonRoutes needs a Control, a Store and a Metrics (a wiring bug)");
  }
  Control* control = deps.control;
  store::Store* store = deps.store;
  Metrics* metrics = deps.metrics;
  const publish::Context* publish = deps.publish;

  MB_RETURN_IF_ERROR(routes.Add(Plain("healthz", "/healthz", [](publish::http::Exchange&) {
    return Response::Make(200, kText, "ok\n");
  })));
  MB_RETURN_IF_ERROR(routes.Add(Plain("readyz", "/readyz", [control](publish::http::Exchange&) {
    return control->Ready() ? Response::Make(200, kText, "ready\n")
                            : Response::Make(503, kText, "not ready\n");
  })));
  MB_RETURN_IF_ERROR(
      routes.Add(Plain("metrics", "/metrics", [control, store, metrics](publish::http::Exchange&) {
        auto text = metrics->Render(*store, *control);
        if (!text.ok()) return StoreUnavailable("/metrics", text.status());
        return Response::Make(200, "text/plain; version=0.0.4; charset=utf-8", std::move(*text));
      })));
  MB_RETURN_IF_ERROR(routes.Add(
      Plain("status", "/status", [control, store, publish, metrics](publish::http::Exchange& ex) {
        StatusPageInput in;
        in.control = control;
        in.store = store;
        in.registry = &model::Registry::Default();
        in.publish = publish;
        in.figures = &metrics->store_figures();
        in.base_url = ex.request().base_url;
        in.now = core::SystemClock::Instance().NowMs();
        auto page = RenderStatusPage(in);
        if (!page.ok()) return StoreUnavailable("/status", page.status());
        return Response::Make(200, "text/html; charset=utf-8", std::move(*page));
      })));

  // ---- the front door, its icon and the documentation (front_page.h) ----
  Route front = Plain("front-page", "/", [publish](publish::http::Exchange& ex) {
    const publish::http::Request& req = ex.request();
    if (publish && WantsServiceDocument(req)) {
      return publish::odata_v4::ServiceDocument(*publish, req);
    }
    return Response::Make(200, kHtml,
                          RenderFrontPage(model::Registry::Default(), publish, req.base_url));
  });
  front.vary = {"accept"};
  MB_RETURN_IF_ERROR(routes.Add(std::move(front)));
  Route icon = Plain("favicon", kFaviconPath, [](publish::http::Exchange&) {
    return Response::Make(200, "image/svg+xml", kFaviconSvg);
  });
  icon.cache = CacheMode::kStatic;
  MB_RETURN_IF_ERROR(routes.Add(std::move(icon)));
  MB_RETURN_IF_ERROR(routes.Add(Plain("docs", "/docs/", [](publish::http::Exchange& ex) {
    return Response::Make(200, kHtml, RenderDocsIndex(ex.request().base_url));
  })));
  Route doc = Plain("docs", "/docs/", [](publish::http::Exchange& ex) {
    for (const EmbeddedDoc& d : EmbeddedDocs()) {
      if (d.name == ex.rest()) {
        return Response::Make(200, "text/plain; charset=utf-8", std::string(d.text));
      }
    }
    return Response::Make(
        404, kText,
        "404 no page " + core::Quote(ex.rest(), 80) + " in the documentation; /docs/ lists them\n");
  });
  doc.prefix = true;
  MB_RETURN_IF_ERROR(routes.Add(std::move(doc)));

  auto admin = std::make_shared<AdminApi>(control, store);
  for (bool prefix : {true, false}) {
    Route r;
    r.name = "admin";
    r.path = prefix ? "/admin/" : "/admin";
    r.prefix = prefix;
    // Every method reaches the handler, OPTIONS and unknown ones included, so that the API
    // answers 404 for all of them while it is off, 401 without a valid token while it is on
    // (no CORS preflight: browsers' preflights carry no token), and with a token 405 (or 204
    // for OPTIONS) with the endpoint's own Allow.
    r.all_methods = true;
    r.cache = CacheMode::kNone;
    r.cors = false;
    r.handler = [admin](publish::http::Exchange& ex) { return admin->Handle(ex); };
    MB_RETURN_IF_ERROR(routes.Add(std::move(r)));
  }
  return Status::Ok();
}

}  // namespace meabridge::daemon::web
