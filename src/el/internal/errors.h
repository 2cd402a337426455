// Shared helpers for the el module's error values. Every failure the module
// reports carries Oozie's error code EL_ERROR so the engine can copy it into
// the action's errorCode unchanged.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "el/el.h"

namespace refinery::el::internal {

inline constexpr const char* kElErrorCode = "EL_ERROR";

inline Status ElError(std::string message) {
  return Status::InvalidArgument(std::move(message), kElErrorCode);
}

// A value as a message quotes it: strings in double quotes (cut after 40
// bytes), numbers and booleans as text, "null", "a map".
std::string DescribeValue(const Value& value);

// Java's Double.toString: 2.5, 3.0, 1.0E10, 1.0E-5, NaN, Infinity.
std::string JavaDoubleToString(double d);

}  // namespace refinery::el::internal
