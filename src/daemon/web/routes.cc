// RegisterDaemonRoutes: the probes, /metrics, /status and /admin/ on the publisher's registry.
#include <memory>
#include <optional>

#include "core/clock.h"
#include "core/crypto.h"
#include "core/log.h"
#include "core/percent.h"
#include "core/strings.h"
#include "daemon/web/admin.h"
#include "daemon/web/assets.h"
#include "daemon/web/docs.h"
#include "daemon/web/front_page.h"
#include "daemon/web/session.h"
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
constexpr const char* kHtml = "text/html; charset=utf-8";

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

// The form fields of an application/x-www-form-urlencoded body.
std::vector<std::pair<std::string, std::string>> FormFields(std::string_view body) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const std::string& part : core::Split(body, '&')) {
    size_t eq = part.find('=');
    std::optional<std::string> k = core::PercentDecode(std::string_view(part).substr(0, eq), true);
    std::optional<std::string> v =
        eq == std::string::npos ? std::string()
                                : core::PercentDecode(std::string_view(part).substr(eq + 1), true);
    if (!k || !v) continue;
    out.emplace_back(std::move(*k), std::move(*v));
  }
  return out;
}

// Where the sign-in returns to: a path under /status, nothing else (no open redirect).
std::string SafeNext(const std::string* next) {
  if (!next || next->rfind("/status", 0) != 0 || next->find("//") != std::string::npos ||
      next->find('\\') != std::string::npos) {
    return "/status";
  }
  return *next;
}

Response SeeOther(const std::string& location) {
  Response r = Response::Make(303, kText, "see " + location + "\n");
  r.headers.emplace_back("Location", location);
  return r;
}

bool SecureBase(const std::string& base_url) { return base_url.rfind("https://", 0) == 0; }

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
  auto admin = std::make_shared<AdminApi>(control, store);
  // A valid session cookie in the request (session.h).
  auto signed_in = [admin](const publish::http::Request& req) {
    std::string cookie = CookieValue(req, kSessionCookie);
    if (cookie.empty()) return false;
    std::string token = admin->ConfiguredToken();
    return SessionValid(cookie, token, core::SystemClock::Instance().NowMs());
  };
  auto published = [control] {
    std::shared_ptr<const config::Config> cfg = control->config();
    return cfg && cfg->server_publish_rejects;
  };
  MB_RETURN_IF_ERROR(routes.Add(Plain(
      "status", "/status",
      [control, store, publish, metrics, signed_in, published](publish::http::Exchange& ex) {
        StatusPageInput in;
        in.rejects_published = published();
        in.signed_in = signed_in(ex.request());
        in.control = control;
        in.store = store;
        in.registry = &model::Registry::Default();
        in.publish = publish;
        in.figures = &metrics->store_figures();
        in.base_url = ex.request().base_url;
        in.now = core::SystemClock::Instance().NowMs();
        auto page = RenderStatusPage(in);
        if (!page.ok()) return StoreUnavailable("/status", page.status());
        return Response::Make(200, kHtml, std::move(*page));
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

  // A run's rejects in a browser: published, or for a browser signed in with the admin token.
  MB_RETURN_IF_ERROR(routes.Add(Plain(
      "status-rejects", "/status/rejects",
      [admin, store, signed_in, published](publish::http::Exchange& ex) {
        const publish::http::Request& req = ex.request();
        const std::string* run = req.Param("run");
        std::optional<int64_t> id = run ? core::ParseInt(*run) : std::nullopt;
        if (!id || *id <= 0) {
          return Response::Make(400, kText,
                                "400 say which run: /status/rejects?run=N (the status page "
                                "links each source's last run)\n");
        }
        bool in = signed_in(req);
        if (!in && !published()) {
          if (admin->ConfiguredToken().empty()) {
            return Response::Make(403, kText,
                                  "403 rejects are not published: set <server "
                                  "publish-rejects=\"true\">, or <admin token-file> to let an "
                                  "admin sign in (docs/operations.md#rejects-in-the-browser)\n");
          }
          return SeeOther(req.base_url + "status/sign-in?next=" +
                          core::PercentEncode("/status/rejects?run=" + std::to_string(*id)));
        }
        RejectsPageInput input;
        input.store = store;
        input.run_id = *id;
        input.base_url = req.base_url;
        input.signed_in = in;
        auto page = RenderRejectsPage(input);
        if (!page.ok() && page.status().code() == Status::Code::kNotFound) {
          return Response::Make(404, kText, "404 " + page.status().message() + "\n");
        }
        if (!page.ok()) return StoreUnavailable("/status/rejects", page.status());
        return Response::Make(200, kHtml, std::move(*page));
      })));

  Route sign_in = Plain(
      "status-sign-in", "/status/sign-in", [admin](publish::http::Exchange& ex) {
        const publish::http::Request& req = ex.request();
        std::string token = admin->ConfiguredToken();
        if (token.empty()) {
          return Response::Make(404, kText,
                                "404 there is nothing to sign in to: the admin token is not "
                                "configured (<admin token-file>) or cannot be read\n");
        }
        if (req.method != "POST") {
          return Response::Make(200, kHtml,
                                RenderSignInPage(req.base_url, SafeNext(req.Param("next")), ""));
        }
        std::string presented, next = "/status";
        for (const auto& [k, v] : FormFields(req.body)) {
          if (k == "token") presented = std::string(core::Trim(v));
          if (k == "next") next = SafeNext(&v);
        }
        if (!core::SecretMatches(presented, token)) {
          core::LogWarning("status: refused a sign-in from " + req.client);
          return Response::Make(
              401, kHtml, RenderSignInPage(req.base_url, next, "That is not the admin token."));
        }
        const core::EpochMs expires = core::SystemClock::Instance().NowMs() + kSessionMs;
        Response r = SeeOther(req.base_url + next.substr(1));
        r.headers.emplace_back("Set-Cookie",
                               SessionSetCookie(SessionValue(token, expires), kSessionMs / 1000,
                                                SecureBase(req.base_url)));
        return r;
      });
  sign_in.methods = {"GET", "HEAD", "POST"};
  MB_RETURN_IF_ERROR(routes.Add(std::move(sign_in)));

  Route sign_out =
      Plain("status-sign-out", "/status/sign-out", [](publish::http::Exchange& ex) {
        const publish::http::Request& req = ex.request();
        Response r = SeeOther(req.base_url + "status");
        r.headers.emplace_back("Set-Cookie", SessionSetCookie("", 0, SecureBase(req.base_url)));
        return r;
      });
  sign_out.methods = {"POST"};
  MB_RETURN_IF_ERROR(routes.Add(std::move(sign_out)));

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
