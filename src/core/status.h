// core: the vocabulary every other module shares — Status and Result for
// expected failures, Properties for configuration, the Clock, job ids, time
// formats and logging. It depends on no other Refinery module.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace refinery {

// A small closed set of categories. The Oozie-compatible code (E0708, FS005,
// EL_ERROR, ...) travels separately in `error_code` because users and Oozie
// clients match on it.
enum class StatusCode {
  kOk,
  kInvalidArgument,    // bad input from a user: file, field, value
  kNotFound,           // a named thing does not exist
  kAlreadyExists,
  kFailedPrecondition, // the operation is not allowed in the current state
  kIoError,            // the operating system said no
  kUnsupported,        // valid Oozie, but not something Refinery runs
  kCancelled,          // stopped by a kill
  kInternal,           // a bug
};

const char* StatusCodeName(StatusCode code);

// Rendered as "<error_code>: <message>" when an Oozie-style code is present,
// otherwise "<CodeName>: <message>". Cheap to copy when ok.
class Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string error_code, std::string message)
      : code_(code), error_code_(std::move(error_code)), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string message, std::string error_code = "") {
    return Status(StatusCode::kInvalidArgument, std::move(error_code), std::move(message));
  }
  static Status NotFound(std::string message, std::string error_code = "") {
    return Status(StatusCode::kNotFound, std::move(error_code), std::move(message));
  }
  static Status AlreadyExists(std::string message, std::string error_code = "") {
    return Status(StatusCode::kAlreadyExists, std::move(error_code), std::move(message));
  }
  static Status FailedPrecondition(std::string message, std::string error_code = "") {
    return Status(StatusCode::kFailedPrecondition, std::move(error_code), std::move(message));
  }
  static Status IoError(std::string message, std::string error_code = "") {
    return Status(StatusCode::kIoError, std::move(error_code), std::move(message));
  }
  static Status Unsupported(std::string message, std::string error_code = "") {
    return Status(StatusCode::kUnsupported, std::move(error_code), std::move(message));
  }
  static Status Cancelled(std::string message, std::string error_code = "") {
    return Status(StatusCode::kCancelled, std::move(error_code), std::move(message));
  }
  static Status Internal(std::string message, std::string error_code = "") {
    return Status(StatusCode::kInternal, std::move(error_code), std::move(message));
  }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& error_code() const { return error_code_; }
  const std::string& message() const { return message_; }
  std::string ToString() const;

  // Returns a copy whose message gains a prefix, e.g. the file:line it came from.
  Status WithContext(const std::string& where) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string error_code_;
  std::string message_;
};

// Either a value or a non-ok Status. Accessing the value of an error is a bug.
template <typename T>
class Result {
 public:
  Result(T value) : state_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : state_(std::move(status)) {}  // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(state_); }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(state_);
  }
  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> state_;
};

}  // namespace refinery

#define REFINERY_RETURN_IF_ERROR(expr)            \
  do {                                            \
    ::refinery::Status refinery_status_ = (expr); \
    if (!refinery_status_.ok()) return refinery_status_; \
  } while (0)

#define REFINERY_CONCAT_INNER(a, b) a##b
#define REFINERY_CONCAT(a, b) REFINERY_CONCAT_INNER(a, b)
#define REFINERY_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                   \
  if (!tmp.ok()) return tmp.status();                  \
  lhs = std::move(tmp).value()
// Usage: REFINERY_ASSIGN_OR_RETURN(auto doc, ParseDocument(text));
#define REFINERY_ASSIGN_OR_RETURN(lhs, expr) \
  REFINERY_ASSIGN_OR_RETURN_IMPL(REFINERY_CONCAT(refinery_result_, __LINE__), lhs, expr)
