// The one door to RapidJSON. Every file that needs RapidJSON includes this header, never
// <rapidjson/...> directly (tests/core/include_rules_test checks it).
//
// RapidJSON's RAPIDJSON_ASSERT is assert() by default: in a release build a wrong-type access
// (GetString() on a number, operator[] on a missing member) is undefined behaviour. Here it
// throws meabridge::JsonAssertion instead, which the four boundaries (harvest job, HTTP request,
// CLI command, main) catch like any other broken invariant. Code still checks types before
// it reads untrusted documents; the throw is the safety net, not the validation.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/status.h"

namespace meabridge {
class JsonAssertion : public InternalError {
 public:
  using InternalError::InternalError;
};
[[noreturn]] void ThrowJsonAssertion(const char* expr, const char* file, int line);
}  // namespace meabridge

#ifdef RAPIDJSON_ASSERT
#error "RAPIDJSON_ASSERT defined before core/json.h: include core/json.h instead of rapidjson"
#endif
#define RAPIDJSON_ASSERT(x) \
  ((x) ? static_cast<void>(0) : ::meabridge::ThrowJsonAssertion(#x, __FILE__, __LINE__))
#define RAPIDJSON_HAS_STDSTRING 1
// SSE2 is part of the x86-64 baseline: RapidJSON uses it to skip whitespace and to scan
// strings for characters to escape. Not under AddressSanitizer: the SIMD scan reads whole
// aligned 16-byte blocks, past the end of the buffer (harmless, never across a page, but
// ASan reports it as a heap-buffer-overflow).
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MEABRIDGE_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define MEABRIDGE_ASAN 1
#endif
#if defined(__SSE2__) && !defined(RAPIDJSON_SSE2) && !defined(MEABRIDGE_ASAN)
#define RAPIDJSON_SSE2
#endif
// Documents from partners can nest deeply; the iterative parser never recurses on the stack.
#define RAPIDJSON_PARSE_DEFAULT_FLAGS rapidjson::kParseIterativeFlag

#include <rapidjson/document.h>      // IWYU pragma: export
#include <rapidjson/error/en.h>      // IWYU pragma: export
#include <rapidjson/prettywriter.h>  // IWYU pragma: export
#include <rapidjson/reader.h>        // IWYU pragma: export
#include <rapidjson/stringbuffer.h>  // IWYU pragma: export
#include <rapidjson/writer.h>        // IWYU pragma: export

namespace meabridge::json {

// Parses `text` into `doc`. On failure: "JSON parse error at line L, column C (offset O): why".
Status Parse(std::string_view text, rapidjson::Document& doc);

// Line and column (1-based) of a byte offset in `text`, for error messages.
struct TextPosition {
  size_t line = 1;
  size_t column = 1;
};
TextPosition PositionOf(std::string_view text, size_t offset);

// Member lookup that never asserts: nullptr when `obj` is not an object or lacks `name`.
const rapidjson::Value* Member(const rapidjson::Value& obj, std::string_view name);

// Serialises a value compactly.
std::string ToString(const rapidjson::Value& v);

}  // namespace meabridge::json
