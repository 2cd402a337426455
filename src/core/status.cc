#include "core/status.h"

namespace refinery {

const char* StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "OK";
    case StatusCode::kInvalidArgument: return "InvalidArgument";
    case StatusCode::kNotFound: return "NotFound";
    case StatusCode::kAlreadyExists: return "AlreadyExists";
    case StatusCode::kFailedPrecondition: return "FailedPrecondition";
    case StatusCode::kIoError: return "IOError";
    case StatusCode::kUnsupported: return "Unsupported";
    case StatusCode::kCancelled: return "Cancelled";
    case StatusCode::kInternal: return "Internal";
  }
  return "Unknown";
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  const std::string prefix = error_code_.empty() ? StatusCodeName(code_) : error_code_;
  return prefix + ": " + message_;
}

Status Status::WithContext(const std::string& where) const {
  if (ok() || where.empty()) return *this;
  return Status(code_, error_code_, where + ": " + message_);
}

}  // namespace refinery
