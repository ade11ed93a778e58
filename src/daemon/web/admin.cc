#include "daemon/web/admin.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "core/crypto.h"
#include "core/json.h"
#include "core/log.h"
#include "core/percent.h"
#include "core/strings.h"
#include "core/time.h"
#include "store/run_json.h"

namespace meabridge::daemon::web {
namespace {

using publish::http::HttpError;
using publish::http::Response;
using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

constexpr int64_t kDefaultRunLimit = 50;
constexpr int64_t kMaxRunLimit = 1000;
constexpr int64_t kDefaultRejectLimit = 100;
constexpr int64_t kMaxRejectLimit = 10000;

Response Error(int status, std::string code, std::string message,
               const publish::http::Request& req) {
  return publish::http::DefaultErrorResponse(
      HttpError{status, std::move(code), std::move(message), ""}, req);
}

Response Json(int status, const rapidjson::StringBuffer& buf) {
  return Response::Make(status, "application/json",
                        std::string(buf.GetString(), buf.GetSize()) + "\n");
}

void Time(JsonWriter& w, const char* key, core::EpochMs ms) {
  w.Key(key);
  if (ms > 0) {
    w.String(core::FormatDateTime(ms));
  } else {
    w.Null();
  }
}

void WriteRun(JsonWriter& w, const store::RunRecord& r) {
  w.StartObject();
  store::WriteRunMembers(w, r);
  w.Key("rejects");
  w.String("/admin/runs/" + std::to_string(r.id) + "/rejects");
  w.EndObject();
}

// A positive integer query parameter, at most `max`; `def` when absent.
Result<int64_t> LimitParam(const publish::http::Request& req, int64_t def, int64_t max) {
  const std::string* v = req.Param("limit");
  if (!v) return def;
  auto n = core::ParseInt(*v);
  if (!n || *n < 1 || *n > max) {
    return Status::InvalidArgument("limit=" + core::Quote(*v, 20) + ": give a number from 1 to " +
                                   std::to_string(max));
  }
  return *n;
}

// A method the endpoint does not take: 405 with its Allow; OPTIONS (from a client that sent
// the token: a browser's CORS preflight never does) answers 204 with the same Allow and no
// Access-Control-* fields, since the admin API is not for browsers on other origins.
Response MethodNotAllowed(const publish::http::Request& req, const char* allow) {
  std::string methods = std::string(allow) + ", OPTIONS";
  if (req.method == "OPTIONS") {
    Response r;
    r.status = 204;
    r.headers.emplace_back("Allow", methods);
    return r;
  }
  Response r = Error(405, "MethodNotAllowed",
                     req.method + " is not allowed on " + req.path + "; use " + allow, req);
  r.headers.emplace_back("Allow", methods);
  return r;
}

bool IsGet(const publish::http::Request& req) { return req.method == "GET" || req.IsHead(); }

}  // namespace

bool TokenMatches(std::string_view presented, std::string_view expected) {
  // An empty expected token never matches (the caller refuses it earlier; this keeps it so).
  return core::SecretMatches(presented, expected);
}

std::string BearerToken(std::string_view authorization) {
  std::string_view v = core::Trim(authorization);
  constexpr std::string_view kScheme = "bearer";
  if (v.size() <= kScheme.size() || !core::EqualsIgnoreCase(v.substr(0, kScheme.size()), kScheme) ||
      (v[kScheme.size()] != ' ' && v[kScheme.size()] != '\t')) {
    return "";
  }
  return std::string(core::Trim(v.substr(kScheme.size())));
}

std::string AdminApi::CurrentToken(const std::string& path, std::string* error) {
  struct stat st {};
  std::lock_guard<std::mutex> lock(mu_);
  if (::stat(path.c_str(), &st) != 0) {
    int e = errno;
    std::string why = "the admin token file " + path + " cannot be read: " + std::strerror(e) +
                      "; create it (docs/operations.md#the-token-file) or fix <admin token-file>";
    if (token_.path != path || token_.error != why) {
      core::LogError("admin: " + why);
      token_ = TokenState{path, -1, -1, "", why};
    }
    *error = why;
    return "";
  }
  int64_t mtime = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  if (token_.path == path && token_.mtime_ns == mtime && token_.size == st.st_size) {
    *error = token_.error;
    return token_.token;
  }
  TokenState fresh{path, mtime, static_cast<int64_t>(st.st_size), "", ""};
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  if (in) text << in.rdbuf();
  if (!in) {
    fresh.error = "the admin token file " + path +
                  " cannot be read (permissions?); make it readable by the daemon's user";
  } else {
    fresh.token = std::string(core::Trim(text.str()));
    if (fresh.token.empty()) {
      fresh.error = "the admin token file " + path +
                    " is empty; write a token into it (docs/operations.md#the-token-file)";
    }
  }
  if (fresh.error.empty()) {
    core::LogInfo("admin: token read from " + path);
  } else {
    core::LogError("admin: " + fresh.error);
  }
  token_ = std::move(fresh);
  *error = token_.error;
  return token_.token;
}

Response AdminApi::Handle(publish::http::Exchange& ex) {
  const publish::http::Request& req = ex.request();
  std::shared_ptr<const config::Config> config = control_->config();
  if (!config || config->admin_token_file.empty()) {
    return Error(404, "NotFound",
                 "the admin API is off: name a token file in <admin token-file> to turn it on "
                 "(docs/operations.md#admin-api)",
                 req);
  }
  std::string error;
  std::string token = CurrentToken(config->admin_token_file, &error);
  if (token.empty()) {
    // The path and the reason are in the server log; a client learns only that it is broken.
    return Error(503, "ServiceUnavailable",
                 "the admin API cannot check tokens right now: its token file is missing, "
                 "empty or unreadable; the server log says which",
                 req);
  }
  const std::string* auth = req.Header("authorization");
  std::string presented = auth ? BearerToken(*auth) : "";
  if (presented.empty() || !TokenMatches(presented, token)) {
    Response r = Error(401, "Unauthorized",
                       "send the admin token as Authorization: Bearer TOKEN "
                       "(docs/operations.md#admin-api)",
                       req);
    r.headers.emplace_back("WWW-Authenticate",
                           auth ? "Bearer realm=\"meabridge admin\", error=\"invalid_token\""
                                : "Bearer realm=\"meabridge admin\"");
    if (auth) core::LogWarning("admin: refused a token from " + req.client + " for " + req.path);
    return r;
  }
  return Route(ex);
}

std::string AdminApi::ConfiguredToken() {
  std::shared_ptr<const config::Config> config = control_->config();
  if (!config || config->admin_token_file.empty()) return "";
  std::string error;
  return CurrentToken(config->admin_token_file, &error);
}

Response AdminApi::Route(publish::http::Exchange& ex) {
  const publish::http::Request& req = ex.request();
  std::string rest = ex.rest();
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  std::vector<std::string> parts =
      rest.empty() ? std::vector<std::string>{} : core::Split(rest, '/');
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);

  if (parts.empty()) {
    if (!IsGet(req)) return MethodNotAllowed(req, "GET, HEAD");
    w.StartObject();
    w.Key("endpoints");
    w.StartArray();
    for (const char* e :
         {"GET /admin/sources", "POST /admin/sources/{name}/harvest?full=true|false",
          "GET /admin/runs?source=NAME&limit=N", "GET /admin/runs/{id}",
          "GET /admin/runs/{id}/rejects?limit=N", "POST /admin/reload"}) {
      w.String(e);
    }
    w.EndArray();
    w.EndObject();
    return Json(200, buf);
  }

  if (parts[0] == "sources" && parts.size() == 1) {
    if (!IsGet(req)) return MethodNotAllowed(req, "GET, HEAD");
    std::vector<SourceState> sources = control_->Sources();
    auto view = store_->Read();
    if (!view.ok()) {
      core::LogError("admin: cannot read the store: " + view.status().ToString());
      return Error(503, "ServiceUnavailable", "the store cannot be read right now; try again", req);
    }
    w.StartObject();
    w.Key("sources");
    w.StartArray();
    for (const SourceState& s : sources) {
      w.StartObject();
      w.Key("name");
      w.String(s.name);
      w.Key("kind");
      w.String(s.kind);
      w.Key("schedule");
      w.String(s.schedule);
      w.Key("enabled");
      w.Bool(s.enabled);
      w.Key("running");
      w.Bool(s.running);
      Time(w, "runningSince", s.running_since_ms);
      Time(w, "nextRun", s.next_run_ms);
      w.Key("lastRun");
      auto runs = (*view)->Runs(s.name, 1);
      if (runs.ok() && !runs->empty()) {
        WriteRun(w, runs->front());
      } else {
        w.Null();
      }
      w.Key("harvest");
      w.String("/admin/sources/" + s.name + "/harvest");
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return Json(200, buf);
  }

  if (parts[0] == "sources" && parts.size() == 3 && parts[2] == "harvest") {
    if (req.method != "POST") return MethodNotAllowed(req, "POST");
    bool full = false;
    if (const std::string* f = req.Param("full")) {
      if (*f == "true" || *f == "1") {
        full = true;
      } else if (*f != "false" && *f != "0") {
        return Error(400, "BadRequest", "full=" + core::Quote(*f, 20) + ": write true or false",
                     req);
      }
    }
    const std::string& name = parts[1];
    Status st = control_->StartHarvest(name, full);
    if (!st.ok()) {
      int status = 500;
      std::string code = "InternalError";
      switch (st.code()) {
        case Status::Code::kNotFound:
          status = 404;
          code = "NotFound";
          break;
        case Status::Code::kFailedPrecondition:
          status = 409;
          code = "Conflict";
          break;
        case Status::Code::kUnavailable:
          status = 503;
          code = "ServiceUnavailable";
          break;
        default:
          core::LogError("admin: starting a harvest of " + core::Quote(name) +
                         " failed: " + st.ToString());
          break;
      }
      return Error(status, code, st.message(), req);
    }
    core::LogInfo("admin: " + req.client + " started a " + (full ? "full " : "") + "harvest of " +
                  name);
    w.StartObject();
    w.Key("source");
    w.String(name);
    w.Key("full");
    w.Bool(full);
    w.Key("status");
    w.String("started");
    w.Key("runs");
    w.String("/admin/runs?source=" + core::PercentEncode(name));
    w.EndObject();
    Response r = Json(202, buf);
    r.headers.emplace_back("Location", "/admin/runs?source=" + core::PercentEncode(name));
    return r;
  }

  if (parts[0] == "runs" && parts.size() <= 3) {
    if (!IsGet(req)) return MethodNotAllowed(req, "GET, HEAD");
    auto view = store_->Read();
    if (!view.ok()) {
      core::LogError("admin: cannot read the store: " + view.status().ToString());
      return Error(503, "ServiceUnavailable", "the store cannot be read right now; try again", req);
    }
    if (parts.size() == 1) {
      auto limit = LimitParam(req, kDefaultRunLimit, kMaxRunLimit);
      if (!limit.ok()) return Error(400, "BadRequest", limit.status().message(), req);
      const std::string* source = req.Param("source");
      auto runs = (*view)->Runs(source ? *source : "", *limit);
      if (!runs.ok()) {
        core::LogError("admin: cannot list runs: " + runs.status().ToString());
        return Error(503, "ServiceUnavailable", "the store cannot be read right now", req);
      }
      w.StartObject();
      w.Key("runs");
      w.StartArray();
      for (const store::RunRecord& r : *runs) WriteRun(w, r);
      w.EndArray();
      w.EndObject();
      return Json(200, buf);
    }
    auto id = core::ParseInt(parts[1]);
    if (!id || *id <= 0 || (parts.size() == 3 && parts[2] != "rejects")) {
      return Error(404, "NotFound",
                   "nothing at " + req.path +
                       "; runs are at /admin/runs/ID and their rejects "
                       "at /admin/runs/ID/rejects",
                   req);
    }
    auto run = (*view)->Run(*id);
    if (!run.ok()) {
      core::LogError("admin: cannot read run " + std::to_string(*id) + ": " +
                     run.status().ToString());
      return Error(503, "ServiceUnavailable", "the store cannot be read right now", req);
    }
    if (!*run) {
      return Error(404, "NotFound",
                   "no run " + std::to_string(*id) + " in the store; GET /admin/runs lists them",
                   req);
    }
    if (parts.size() == 2) {
      WriteRun(w, **run);
      return Json(200, buf);
    }
    auto limit = LimitParam(req, kDefaultRejectLimit, kMaxRejectLimit);
    if (!limit.ok()) return Error(400, "BadRequest", limit.status().message(), req);
    auto rejects = (*view)->Rejects(*id, *limit);
    if (!rejects.ok()) {
      core::LogError("admin: cannot read the rejects of run " + std::to_string(*id) + ": " +
                     rejects.status().ToString());
      return Error(503, "ServiceUnavailable", "the store cannot be read right now", req);
    }
    w.StartObject();
    w.Key("run");
    w.Int64(*id);
    w.Key("source");
    w.String((*run)->source);
    w.Key("total");
    w.Int64((*run)->counts.rejected);
    w.Key("rejects");
    w.StartArray();
    for (const store::Reject& r : *rejects) {
      w.StartObject();
      store::WriteRejectMembers(w, r);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return Json(200, buf);
  }

  if (parts[0] == "reload" && parts.size() == 1) {
    if (req.method != "POST") return MethodNotAllowed(req, "POST");
    Status st = control_->Reload();
    if (!st.ok()) {
      if (st.code() != Status::Code::kInvalidArgument) {
        return Error(503, "ServiceUnavailable", st.message(), req);
      }
      w.StartObject();
      w.Key("error");
      w.StartObject();
      w.Key("code");
      w.String("InvalidConfiguration");
      w.Key("message");
      w.String("the new configuration was refused; the old one keeps running");
      w.Key("details");
      w.StartArray();
      for (const std::string& line : core::Split(st.message(), '\n')) {
        if (!core::Trim(line).empty()) w.String(line);
      }
      w.EndArray();
      w.EndObject();
      w.EndObject();
      core::LogWarning("admin: " + req.client + " asked for a reload; refused");
      return Json(400, buf);
    }
    core::LogInfo("admin: " + req.client + " reloaded the configuration");
    w.StartObject();
    w.Key("status");
    w.String("reloaded");
    std::shared_ptr<const config::Config> now = control_->config();
    w.Key("sources");
    w.Int64(now ? static_cast<int64_t>(now->sources.size()) : 0);
    w.EndObject();
    return Json(200, buf);
  }

  return Error(
      404, "NotFound",
      "nothing at " + req.path + "; GET /admin/ lists the endpoints (docs/operations.md#admin-api)",
      req);
}

}  // namespace meabridge::daemon::web
