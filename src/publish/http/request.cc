#include "publish/http/request.h"

#include "core/percent.h"
#include "core/strings.h"

namespace meabridge::publish::http {

const std::string* Request::Header(std::string_view lower_name) const {
  for (const auto& [k, v] : headers) {
    if (k == lower_name) return &v;
  }
  return nullptr;
}

const std::string* Request::Param(std::string_view name) const {
  for (const auto& [k, v] : query) {
    if (k == name) return &v;
  }
  return nullptr;
}

int Request::ParamCount(std::string_view name) const {
  int n = 0;
  for (const auto& [k, v] : query) n += k == name ? 1 : 0;
  return n;
}

bool Request::AcceptsGzip() const {
  const std::string* ae = Header("accept-encoding");
  if (!ae) return false;
  for (const std::string& part : core::Split(*ae, ',')) {
    std::vector<std::string> params = core::Split(part, ';');
    std::string coding = core::AsciiLower(core::Trim(params[0]));
    if (coding != "gzip" && coding != "x-gzip" && coding != "*") continue;
    bool zero = false;
    for (size_t i = 1; i < params.size(); ++i) {
      std::string_view p = core::Trim(params[i]);
      if (p.size() > 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
        auto q = core::ParseDouble(core::Trim(p.substr(2)));
        zero = q && *q <= 0.0;
      }
    }
    if (!zero) return true;
  }
  return false;
}

Status ParseTarget(std::string_view target, Request* out) {
  if (target.empty() || target[0] != '/') {
    return Status::InvalidArgument("the request target must be a path starting with '/', not " +
                                   core::Quote(target));
  }
  size_t q = target.find('?');
  std::string_view raw_path = target.substr(0, q);
  out->raw_query = q == std::string_view::npos ? "" : std::string(target.substr(q + 1));
  // Fragments are never sent by clients; drop one defensively.
  if (size_t h = out->raw_query.find('#'); h != std::string::npos) out->raw_query.resize(h);
  std::optional<std::string> path = core::PercentDecode(raw_path);
  if (!path) {
    return Status::InvalidArgument("malformed percent-escape in the path " + core::Quote(raw_path));
  }
  out->path = std::move(*path);
  size_t bad = 0;
  if (out->path.find('\0') != std::string::npos || !core::IsValidUtf8(out->path, &bad)) {
    return Status::InvalidArgument("the path is not valid UTF-8 text once decoded");
  }
  out->query.clear();
  if (!out->raw_query.empty()) {
    for (const std::string& part : core::Split(out->raw_query, '&')) {
      if (part.empty()) continue;
      size_t eq = part.find('=');
      std::optional<std::string> name =
          core::PercentDecode(std::string_view(part).substr(0, eq), true);
      std::optional<std::string> value =
          eq == std::string::npos
              ? std::string()
              : core::PercentDecode(std::string_view(part).substr(eq + 1), true);
      if (!name || !value) {
        return Status::InvalidArgument("malformed percent-escape in the query parameter " +
                                       core::Quote(part));
      }
      if (name->find('\0') != std::string::npos || value->find('\0') != std::string::npos ||
          !core::IsValidUtf8(*name) || !core::IsValidUtf8(*value)) {
        return Status::InvalidArgument("the query parameter " + core::Quote(part) +
                                       " is not valid UTF-8 text once decoded");
      }
      out->query.emplace_back(std::move(*name), std::move(*value));
    }
  }
  return Status::Ok();
}

}  // namespace meabridge::publish::http
