#include "publish/http/router.h"

#include "core/json.h"

namespace meabridge::publish::http {

const char* ReasonPhrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 408:
      return "Request Timeout";
    case 410:
      return "Gone";
    case 411:
      return "Length Required";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    default:
      return status < 300 ? "OK" : status < 500 ? "Client Error" : "Server Error";
  }
}

Status RouteRegistry::Add(Route route) {
  for (const auto& r : routes_) {
    if (r->path == route.path && r->prefix == route.prefix) {
      return Status::InvalidArgument("two routes claim the path " + route.path + ": " + r->name +
                                     " and " + route.name);
    }
  }
  if (!route.handler) {
    return Status::InvalidArgument("route " + route.name + " (" + route.path + ") has no handler");
  }
  routes_.push_back(std::make_unique<Route>(std::move(route)));
  return Status::Ok();
}

RouteRegistry::Match RouteRegistry::Find(std::string_view path) const {
  Match best;
  size_t best_len = 0;
  for (const auto& r : routes_) {
    if (!r->prefix) {
      if (path == r->path) return Match{r.get(), ""};
      continue;
    }
    if (path.size() >= r->path.size() && path.compare(0, r->path.size(), r->path) == 0 &&
        (best.route == nullptr || r->path.size() > best_len)) {
      best.route = r.get();
      best_len = r->path.size();
    }
  }
  if (best.route) best.rest = std::string(path.substr(best_len));
  return best;
}

Response DefaultErrorResponse(const HttpError& error, const Request&) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("error");
  w.StartObject();
  w.Key("code");
  w.String(error.code);
  w.Key("message");
  w.String(error.message);
  if (!error.target.empty()) {
    w.Key("target");
    w.String(error.target);
  }
  w.EndObject();
  w.EndObject();
  return Response::Make(error.status, "application/json",
                        std::string(buf.GetString(), buf.GetSize()) + "\n");
}

}  // namespace meabridge::publish::http
