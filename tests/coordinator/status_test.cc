#include <gtest/gtest.h>

#include "coordinator/status.h"
#include "core/time_format.h"

namespace refinery::coordinator {
namespace {

TimePoint T(const char* text) { return ParseOozieTime(text).value(); }

TEST(CoordinatorStatus, NamesRoundTrip) {
  for (const char* name : {"PREP", "RUNNING", "RUNNINGWITHERROR", "PREPSUSPENDED", "SUSPENDED", "SUSPENDEDWITHERROR",
                           "PREPPAUSED", "PAUSED", "PAUSEDWITHERROR", "SUCCEEDED", "DONEWITHERROR", "KILLED",
                           "FAILED", "IGNORED"}) {
    ASSERT_TRUE(ParseJobStatus(name).has_value()) << name;
    EXPECT_STREQ(JobStatusName(*ParseJobStatus(name)), name);
  }
  for (const char* name : {"WAITING", "READY", "SUBMITTED", "RUNNING", "SUSPENDED", "TIMEDOUT", "SUCCEEDED",
                           "KILLED", "FAILED", "IGNORED", "SKIPPED"}) {
    ASSERT_TRUE(ParseActionStatus(name).has_value()) << name;
    EXPECT_STREQ(ActionStatusName(*ParseActionStatus(name)), name);
  }
  EXPECT_FALSE(ParseJobStatus("running").has_value());
}

TEST(CoordinatorStatus, JobTransitionsFollowOozie) {
  EXPECT_TRUE(CanTransition(JobStatus::kPrep, JobStatus::kRunning));
  EXPECT_TRUE(CanTransition(JobStatus::kKilled, JobStatus::kIgnored));
  EXPECT_TRUE(CanTransition(JobStatus::kIgnored, JobStatus::kRunning));
  EXPECT_FALSE(CanTransition(JobStatus::kSucceeded, JobStatus::kRunning));
  EXPECT_FALSE(CanTransition(JobStatus::kPrep, JobStatus::kSucceeded));
}

TEST(CoordinatorStatus, ActionTransitionsFollowOozie) {
  EXPECT_TRUE(CanTransition(ActionStatus::kWaiting, ActionStatus::kReady));
  EXPECT_TRUE(CanTransition(ActionStatus::kWaiting, ActionStatus::kTimedOut));
  EXPECT_TRUE(CanTransition(ActionStatus::kTimedOut, ActionStatus::kWaiting));  // rerun
  EXPECT_FALSE(CanTransition(ActionStatus::kReady, ActionStatus::kTimedOut));
  EXPECT_FALSE(CanTransition(ActionStatus::kSkipped, ActionStatus::kWaiting));
  EXPECT_TRUE(IsTerminal(ActionStatus::kSkipped));
  EXPECT_FALSE(IsTerminal(ActionStatus::kReady));
}

TEST(WaitingActionFate, WaitingActionTimesOutAfterTimeoutFromLaterOfNominalAndCreated) {
  Controls controls;  // timeout 120
  WaitingAction a{ActionStatus::kWaiting, T("2010-01-01T01:00Z"), T("2010-01-01T00:00Z"), std::nullopt};
  EXPECT_FALSE(WaitingActionFate(controls, a, T("2010-01-01T03:00Z")).has_value());
  EXPECT_EQ(WaitingActionFate(controls, a, T("2010-01-01T03:01Z")), ActionStatus::kTimedOut);
}

TEST(WaitingActionFate, ZeroTimeoutTimesOutAtOnceButReadyNeverTimesOut) {
  Controls controls;
  controls.timeout_minutes = 0;
  WaitingAction a{ActionStatus::kWaiting, T("2010-01-01T01:00Z"), T("2010-01-01T01:00Z"), std::nullopt};
  EXPECT_EQ(WaitingActionFate(controls, a, T("2010-01-01T01:00Z")), ActionStatus::kTimedOut);
  a.status = ActionStatus::kReady;
  EXPECT_FALSE(WaitingActionFate(controls, a, T("2011-01-01T01:00Z")).has_value());
}

TEST(WaitingActionFate, LastOnlySkipsOnceTheNextNominalTimeHasPassed) {
  Controls controls;
  controls.execution = Execution::kLastOnly;
  WaitingAction a{ActionStatus::kReady, T("2010-01-01T01:00Z"), T("2010-01-01T01:00Z"), T("2010-01-01T02:00Z")};
  EXPECT_FALSE(WaitingActionFate(controls, a, T("2010-01-01T02:00Z")).has_value());
  EXPECT_EQ(WaitingActionFate(controls, a, T("2010-01-01T02:01Z")), ActionStatus::kSkipped);
  a.next_nominal_time.reset();  // the last action is never skipped this way
  EXPECT_FALSE(WaitingActionFate(controls, a, T("2010-01-01T05:00Z")).has_value());
}

TEST(WaitingActionFate, NoneSkipsOnceItsOwnNominalTimePlusToleranceHasPassed) {
  Controls controls;
  controls.execution = Execution::kNone;
  WaitingAction a{ActionStatus::kWaiting, T("2010-01-01T01:00Z"), T("2010-01-01T01:00Z"), std::nullopt};
  EXPECT_FALSE(WaitingActionFate(controls, a, T("2010-01-01T01:01Z")).has_value());
  EXPECT_EQ(WaitingActionFate(controls, a, T("2010-01-01T01:02Z")), ActionStatus::kSkipped);
}

}  // namespace
}  // namespace refinery::coordinator
