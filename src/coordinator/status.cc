#include "coordinator/status.h"

#include <array>
#include <utility>

namespace refinery::coordinator {
namespace {

constexpr std::array<std::pair<JobStatus, const char*>, 14> kJobNames = {{
    {JobStatus::kPrep, "PREP"},
    {JobStatus::kRunning, "RUNNING"},
    {JobStatus::kRunningWithError, "RUNNINGWITHERROR"},
    {JobStatus::kPrepSuspended, "PREPSUSPENDED"},
    {JobStatus::kSuspended, "SUSPENDED"},
    {JobStatus::kSuspendedWithError, "SUSPENDEDWITHERROR"},
    {JobStatus::kPrepPaused, "PREPPAUSED"},
    {JobStatus::kPaused, "PAUSED"},
    {JobStatus::kPausedWithError, "PAUSEDWITHERROR"},
    {JobStatus::kSucceeded, "SUCCEEDED"},
    {JobStatus::kDoneWithError, "DONEWITHERROR"},
    {JobStatus::kKilled, "KILLED"},
    {JobStatus::kFailed, "FAILED"},
    {JobStatus::kIgnored, "IGNORED"},
}};

constexpr std::array<std::pair<ActionStatus, const char*>, 11> kActionNames = {{
    {ActionStatus::kWaiting, "WAITING"},
    {ActionStatus::kReady, "READY"},
    {ActionStatus::kSubmitted, "SUBMITTED"},
    {ActionStatus::kRunning, "RUNNING"},
    {ActionStatus::kSuspended, "SUSPENDED"},
    {ActionStatus::kTimedOut, "TIMEDOUT"},
    {ActionStatus::kSucceeded, "SUCCEEDED"},
    {ActionStatus::kKilled, "KILLED"},
    {ActionStatus::kFailed, "FAILED"},
    {ActionStatus::kIgnored, "IGNORED"},
    {ActionStatus::kSkipped, "SKIPPED"},
}};

using J = JobStatus;
using A = ActionStatus;

constexpr std::pair<J, J> kJobTransitions[] = {
    {J::kPrep, J::kPrepSuspended}, {J::kPrep, J::kPrepPaused}, {J::kPrep, J::kRunning}, {J::kPrep, J::kKilled},
    {J::kRunning, J::kRunningWithError}, {J::kRunning, J::kSuspended}, {J::kRunning, J::kPaused},
    {J::kRunning, J::kSucceeded}, {J::kRunning, J::kKilled},
    {J::kRunningWithError, J::kRunning}, {J::kRunningWithError, J::kSuspendedWithError},
    {J::kRunningWithError, J::kPausedWithError}, {J::kRunningWithError, J::kDoneWithError},
    {J::kRunningWithError, J::kKilled}, {J::kRunningWithError, J::kFailed},
    {J::kPrepSuspended, J::kPrep}, {J::kPrepSuspended, J::kKilled},
    {J::kSuspended, J::kRunning}, {J::kSuspended, J::kKilled},
    {J::kSuspendedWithError, J::kRunningWithError}, {J::kSuspendedWithError, J::kKilled},
    {J::kPrepPaused, J::kPrep}, {J::kPrepPaused, J::kKilled},
    {J::kPaused, J::kSuspended}, {J::kPaused, J::kRunning}, {J::kPaused, J::kKilled},
    {J::kPausedWithError, J::kSuspendedWithError}, {J::kPausedWithError, J::kRunningWithError},
    {J::kPausedWithError, J::kKilled},
    {J::kFailed, J::kIgnored}, {J::kKilled, J::kIgnored}, {J::kIgnored, J::kRunning},
};

constexpr std::pair<A, A> kActionTransitions[] = {
    {A::kWaiting, A::kReady}, {A::kWaiting, A::kTimedOut}, {A::kWaiting, A::kSkipped}, {A::kWaiting, A::kKilled},
    {A::kReady, A::kSubmitted}, {A::kReady, A::kSkipped}, {A::kReady, A::kKilled},
    {A::kSubmitted, A::kRunning}, {A::kSubmitted, A::kKilled}, {A::kSubmitted, A::kFailed},
    {A::kRunning, A::kSucceeded}, {A::kRunning, A::kKilled}, {A::kRunning, A::kFailed},
    {A::kRunning, A::kSuspended}, {A::kSuspended, A::kRunning}, {A::kSuspended, A::kKilled},
    {A::kFailed, A::kIgnored}, {A::kKilled, A::kIgnored}, {A::kTimedOut, A::kIgnored},
    {A::kIgnored, A::kWaiting},
    // rerun
    {A::kTimedOut, A::kWaiting}, {A::kSucceeded, A::kWaiting}, {A::kKilled, A::kWaiting},
    {A::kFailed, A::kWaiting},
};

}  // namespace

const char* JobStatusName(JobStatus s) {
  for (const auto& [status, name] : kJobNames) {
    if (status == s) return name;
  }
  return "PREP";
}

const char* ActionStatusName(ActionStatus s) {
  for (const auto& [status, name] : kActionNames) {
    if (status == s) return name;
  }
  return "WAITING";
}

std::optional<JobStatus> ParseJobStatus(std::string_view text) {
  for (const auto& [status, name] : kJobNames) {
    if (text == name) return status;
  }
  return std::nullopt;
}

std::optional<ActionStatus> ParseActionStatus(std::string_view text) {
  for (const auto& [status, name] : kActionNames) {
    if (text == name) return status;
  }
  return std::nullopt;
}

bool CanTransition(JobStatus from, JobStatus to) {
  for (const auto& [f, t] : kJobTransitions) {
    if (f == from && t == to) return true;
  }
  return false;
}

bool CanTransition(ActionStatus from, ActionStatus to) {
  for (const auto& [f, t] : kActionTransitions) {
    if (f == from && t == to) return true;
  }
  return false;
}

bool IsTerminal(ActionStatus s) {
  return s == A::kTimedOut || s == A::kSucceeded || s == A::kKilled || s == A::kFailed || s == A::kIgnored ||
         s == A::kSkipped;
}

std::optional<ActionStatus> WaitingActionFate(const Controls& controls, const WaitingAction& action, TimePoint now,
                                              std::chrono::minutes none_tolerance) {
  if (action.status != A::kWaiting && action.status != A::kReady) return std::nullopt;
  if (controls.execution == Execution::kLastOnly && action.next_nominal_time && now > *action.next_nominal_time) {
    return A::kSkipped;
  }
  if (controls.execution == Execution::kNone && now > action.nominal_time + none_tolerance) return A::kSkipped;
  if (action.status != A::kWaiting) return std::nullopt;
  const TimePoint since = std::max(action.nominal_time, action.created_time);
  const std::chrono::minutes timeout(controls.timeout_minutes);
  if (timeout.count() == 0 ? now >= since : now - since > timeout) return A::kTimedOut;
  return std::nullopt;
}

}  // namespace refinery::coordinator
