// Coordinator job and action statuses (SPEC §7.3, §7.4) with Oozie's
// allowed transitions, and the fate of an action that is still waiting:
// LAST_ONLY / NONE skipping and the timeout of WAITING actions.
#pragma once

#include <optional>
#include <string_view>

#include "coordinator/coordinator.h"

namespace refinery::coordinator {

enum class JobStatus {
  kPrep, kRunning, kRunningWithError, kPrepSuspended, kSuspended, kSuspendedWithError, kPrepPaused, kPaused,
  kPausedWithError, kSucceeded, kDoneWithError, kKilled, kFailed, kIgnored,
};
enum class ActionStatus {
  kWaiting, kReady, kSubmitted, kRunning, kSuspended, kTimedOut, kSucceeded, kKilled, kFailed, kIgnored, kSkipped,
};

const char* JobStatusName(JobStatus s);        // "RUNNINGWITHERROR", ...
const char* ActionStatusName(ActionStatus s);  // "TIMEDOUT", ...
std::optional<JobStatus> ParseJobStatus(std::string_view name);
std::optional<ActionStatus> ParseActionStatus(std::string_view name);

bool CanTransition(JobStatus from, JobStatus to);
bool CanTransition(ActionStatus from, ActionStatus to);
bool IsTerminal(ActionStatus s);  // TIMEDOUT SUCCEEDED KILLED FAILED IGNORED SKIPPED

// What becomes of a WAITING or READY action at `now`:
// LAST_ONLY skips it once now > the next action's nominal time; NONE once
// now > its own nominal time + `none_tolerance`; a WAITING (not READY)
// action times out when now − max(nominal, created) exceeds the timeout
// (0: at once). Returns the new status, or nullopt to keep waiting.
struct WaitingAction {
  ActionStatus status = ActionStatus::kWaiting;
  TimePoint nominal_time;
  TimePoint created_time;
  std::optional<TimePoint> next_nominal_time;  // none for the last action
};
std::optional<ActionStatus> WaitingActionFate(const Controls& controls, const WaitingAction& action, TimePoint now,
                                              std::chrono::minutes none_tolerance = std::chrono::minutes(1));

}  // namespace refinery::coordinator
