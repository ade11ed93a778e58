#include "publish/odata/urls.h"

#include <algorithm>

#include "core/percent.h"

namespace meabridge::publish::odata {

std::string KeySegment(std::string_view set_name, std::string_view id) {
  std::string quoted;
  quoted.reserve(id.size() + 2);
  for (char c : id) {
    quoted += c;
    if (c == '\'') quoted += '\'';
  }
  return std::string(set_name) + "('" + core::PercentEncode(quoted, "'!$*,;=:@") + "')";
}

std::string QueryString(const std::vector<std::pair<std::string, std::string>>& params,
                        const std::vector<std::string_view>& drop, std::string_view name,
                        std::string_view value) {
  std::string out;
  auto add = [&out](std::string_view k, std::string_view v) {
    if (!out.empty()) out += '&';
    out += core::PercentEncode(k, "$");
    out += '=';
    out += core::PercentEncode(v, "$'(),:@!*;/");
  };
  for (const auto& [k, v] : params) {
    if (std::find(drop.begin(), drop.end(), k) != drop.end()) continue;
    add(k, v);
  }
  if (!name.empty()) add(name, value);
  return out;
}

}  // namespace meabridge::publish::odata
