// Internal to coordinator/: helpers shared by the parser and the materializer.
#pragma once

#include <optional>
#include <string_view>

#include "coordinator/coordinator.h"

namespace refinery::coordinator::internal {

// A unit expression without validation: integer (minutes) or coord:minutes …
// endOfMonths. Used for frequencies and <timeout>.
Result<Frequency> EvaluateUnitExpression(std::string_view text);
std::optional<int64_t> ParseInt(std::string_view text);

// The Oozie DST correction applied to cron fire times at least a day apart.
std::chrono::minutes DstCorrection(const TimeZone& tz, TimePoint start, TimePoint candidate);

}  // namespace refinery::coordinator::internal
