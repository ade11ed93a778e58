// URLs the OData dialects write into responses: entity URLs with key predicates, and next or
// delta links that repeat a request's query options with a new token.
//
// Pure functions: thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace meabridge::publish::odata {

// "Contacts('a''b%2Fc')": the key quoted (quotes doubled) and percent-encoded for a path.
std::string KeySegment(std::string_view set_name, std::string_view id);

// The query string of `params` without the ones named in `drop`, then `name=value` appended
// (when `name` is not empty); each part percent-encoded.
std::string QueryString(const std::vector<std::pair<std::string, std::string>>& params,
                        const std::vector<std::string_view>& drop, std::string_view name = "",
                        std::string_view value = "");

}  // namespace meabridge::publish::odata
