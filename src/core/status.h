// Status and Result<T>: expected failures as values (after leveldb's include/leveldb/status.h).
//
// A bad record, an unreachable source, a malformed query or a wrong config key is a Status,
// not an exception. Exceptions are kept for broken invariants and fatal start-up problems and
// are caught at four boundaries: a harvest job, an HTTP request, a CLI command and main().
//
// Status and Result are plain values: thread-compatible, copy them like std::string.
//
// These two types live in the root namespace `meabridge` rather than `meabridge::core`
// because every module uses them in nearly every signature.
#pragma once

#include <cassert>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace meabridge {

class Status {
 public:
  enum class Code {
    kOk,
    kInvalidArgument,     // bad input from the user: a config key, a CLI flag, a query option
    kNotFound,            // a record, file, source or term that does not exist
    kParseError,          // malformed JSON/XML/CSV, a date that does not parse
    kIoError,             // file system or network failure
    kUnavailable,         // a remote that is down or busy (retrying may help)
    kCorruption,          // a store or file whose content breaks its own invariants
    kFailedPrecondition,  // the operation is not allowed in this state (store too new ...)
    kAborted,             // stopped on purpose: a guard tripped, a shutdown arrived
    kUnimplemented,       // a subcommand or option a later version builds
    kInternal,            // a bug: an invariant broke
  };

  Status() = default;  // ok

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string msg) {
    return {Code::kInvalidArgument, std::move(msg)};
  }
  static Status NotFound(std::string msg) { return {Code::kNotFound, std::move(msg)}; }
  static Status ParseError(std::string msg) { return {Code::kParseError, std::move(msg)}; }
  static Status IoError(std::string msg) { return {Code::kIoError, std::move(msg)}; }
  static Status Unavailable(std::string msg) { return {Code::kUnavailable, std::move(msg)}; }
  static Status Corruption(std::string msg) { return {Code::kCorruption, std::move(msg)}; }
  static Status FailedPrecondition(std::string msg) {
    return {Code::kFailedPrecondition, std::move(msg)};
  }
  static Status Aborted(std::string msg) { return {Code::kAborted, std::move(msg)}; }
  static Status Unimplemented(std::string msg) { return {Code::kUnimplemented, std::move(msg)}; }
  static Status Internal(std::string msg) { return {Code::kInternal, std::move(msg)}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  bool IsNotFound() const { return code_ == Code::kNotFound; }
  bool IsInvalidArgument() const { return code_ == Code::kInvalidArgument; }

  // "parse error: <message>"; "ok" for an ok status.
  std::string ToString() const;

  // The same status with "<where>: " put before the message, so that a failure deep in a
  // parser reaches the user as "mappings/x.xml:12:5: unknown function 'trm'".
  Status WithContext(std::string_view where) const;

  static const char* CodeName(Code code);

 private:
  Status(Code code, std::string msg) : code_(code), message_(std::move(msg)) {}

  Code code_ = Code::kOk;
  std::string message_;
};

// Either a T or a non-ok Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    if (std::get<Status>(v_).ok()) {
      v_ = Status::Internal("Result constructed from an ok Status without a value");
    }
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }

  // REQUIRES: ok()
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

// Thrown only for broken invariants (see the header comment); caught at the boundaries.
class InternalError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

}  // namespace meabridge

#define MB_CONCAT_INNER_(a, b) a##b
#define MB_CONCAT_(a, b) MB_CONCAT_INNER_(a, b)

// Returns the Status of `expr` from the current function when it is not ok.
#define MB_RETURN_IF_ERROR(expr)             \
  do {                                       \
    ::meabridge::Status mb_status_ = (expr); \
    if (!mb_status_.ok()) return mb_status_; \
  } while (false)

// `MB_ASSIGN_OR_RETURN(auto x, Foo());` declares x from a Result or returns its Status.
#define MB_ASSIGN_OR_RETURN(lhs, expr) \
  MB_ASSIGN_OR_RETURN_IMPL_(MB_CONCAT_(mb_result_, __LINE__), lhs, expr)
#define MB_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()
