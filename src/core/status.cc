#include "core/status.h"

namespace meabridge {

const char* Status::CodeName(Code code) {
  switch (code) {
    case Code::kOk:
      return "ok";
    case Code::kInvalidArgument:
      return "invalid argument";
    case Code::kNotFound:
      return "not found";
    case Code::kParseError:
      return "parse error";
    case Code::kIoError:
      return "I/O error";
    case Code::kUnavailable:
      return "unavailable";
    case Code::kCorruption:
      return "corruption";
    case Code::kFailedPrecondition:
      return "failed precondition";
    case Code::kAborted:
      return "aborted";
    case Code::kUnimplemented:
      return "not implemented";
    case Code::kInternal:
      return "internal error";
  }
  return "unknown";
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string out = CodeName(code_);
  out += ": ";
  out += message_;
  return out;
}

Status Status::WithContext(std::string_view where) const {
  if (ok() || where.empty()) return *this;
  std::string msg(where);
  msg += ": ";
  msg += message_;
  return Status(code_, std::move(msg));
}

}  // namespace meabridge
