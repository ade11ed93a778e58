// A value, or the HTTP response to answer instead: how the OData handlers thread "this query
// option is bad, answer 400 with this body" through their parsing steps without exceptions.
//
// Plain value: thread-compatible.
#pragma once

#include <optional>
#include <utility>

#include "core/status.h"
#include "publish/http/response.h"

namespace meabridge::publish::odata {

template <typename T>
class OrResponse {
 public:
  OrResponse(T value) : value_(std::move(value)) {}                     // NOLINT
  OrResponse(http::Response response) : error_(std::move(response)) {}  // NOLINT
  bool ok() const { return value_.has_value(); }
  T value() && { return std::move(*value_); }
  http::Response error() && { return std::move(*error_); }

 private:
  std::optional<T> value_;
  std::optional<http::Response> error_;
};

}  // namespace meabridge::publish::odata

// `lhs = value` of an OrResponse, or return its response from the enclosing function.
#define MB_ASSIGN_OR_RESPOND(lhs, expr)                                                           \
  auto MB_CONCAT_(mb_or_, __LINE__) = (expr);                                                     \
  if (!MB_CONCAT_(mb_or_, __LINE__).ok()) return std::move(MB_CONCAT_(mb_or_, __LINE__)).error(); \
  lhs = std::move(MB_CONCAT_(mb_or_, __LINE__)).value()
