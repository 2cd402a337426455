// The coord:* EL functions. One context struct carries what each phase
// knows; a function whose input is missing from the context fails with an
// EL error rather than guessing.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "coordinator/coordinator.h"
#include "el/el.h"

namespace refinery::coordinator {

struct CoordElContext {
  const Dataset* dataset = nullptr;  // current, currentRange, offset, hoursInDay, daysInMonth, tzOffset
  TimeZone job_timezone;
  std::optional<TimePoint> nominal_time;
  std::optional<TimePoint> actual_time;
  std::string action_id;
  std::string name;
  std::string user;
  const Properties* conf = nullptr;
  const MaterializedAction* action = nullptr;  // dataIn, dataOut
  // coord:latest: whether a URI (with the done flag appended) exists. When
  // empty, or when no instance qualifies, coord:latest(n) is echoed as
  // "${coord:latest(n)}" so the action keeps waiting.
  std::function<bool(const std::string& uri)> data_exists;
};

// Registers coord:nominalTime, actualTime, dateOffset, dateTzOffset,
// formatTime, epochTime, tzOffset, dataIn, dataOut, conf, user, name,
// actionId, hoursInDay, daysInMonth, current, currentRange, offset, latest
// (searching back from the actual time) and the basic EL functions. `ctx` must outlive the table.
void RegisterCoordFunctions(el::FunctionTable* table, const CoordElContext* ctx, const Clock* clock);

// Evaluates `text` with every coord:* function of the context (action start:
// the workflow configuration, sla values). Job properties are variables.
Result<std::string> EvaluateCoordText(std::string_view text, const CoordElContext& ctx);

// Submit-time (phase 1) resolution of the text of coordinator.xml: job
// properties are substituted, coord:user/conf and dateOffset/dateTzOffset are
// evaluated; expressions using any other coord:* function (frequency
// functions included: their unit matters) or ${YEAR}…${MINUTE} are kept
// verbatim for later phases.
// Unresolvable variables are E1004.
Result<std::string> ResolveSubmitText(std::string_view text, const Properties* conf, const std::string& user);

// Java SimpleDateFormat subset (yyyy yy MM MMM M dd d HH H mm ss SSS EEE
// EEEE z Z 'text') in `tz`.
std::string FormatJavaTime(TimePoint t, std::string_view pattern, const TimeZone& tz);
std::string FormatInstance(TimePoint t);  // yyyy-MM-dd'T'HH:mm'Z'

}  // namespace refinery::coordinator
