// Helpers shared by the scheduler's source files (not part of its API).
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "coordinator/coord_el.h"
#include "coordinator/coordinator.h"
#include "core/status.h"
#include "scheduler/coordinator_scheduler.h"
#include "store/store.h"

namespace refinery::scheduler::internal {

// An action's dataset instances as kept in CoordinatorActionRecord::data_instances (JSON).
std::string SaveInstances(const coordinator::MaterializedAction& action);
// The action as materialized, from its record.
coordinator::MaterializedAction RestoreAction(const store::CoordinatorActionRecord& record);
// Action numbers of "1,3-4" (E0303 otherwise).
Result<std::set<int64_t>> ParseActionScope(const std::string& scope);

// The coord:* EL context of an action at its start (Oozie's action-start
// phase): its nominal time, the actual time `now`, its id and dataset
// instances, the job's name, user, time zone and configuration. Serves the
// workflow configuration of the action (coordinator_scheduler.cc) and its
// <sla:info> (coordinator_sla.cc). The context points into the object and at
// `job_conf`, which must outlive it; coord:latest sees no data unless the
// caller sets context().data_exists.
class ActionStartEl {
 public:
  ActionStartEl(const coordinator::CoordinatorApp& app, const Properties& job_conf,
                const store::CoordinatorJobRecord& job, const store::CoordinatorActionRecord& record, TimePoint now);
  ActionStartEl(const ActionStartEl&) = delete;
  ActionStartEl& operator=(const ActionStartEl&) = delete;

  coordinator::CoordElContext& context() { return context_; }
  const coordinator::CoordElContext& context() const { return context_; }

 private:
  coordinator::MaterializedAction action_;
  coordinator::CoordElContext context_;
};

// What `job -change` asks for (Oozie's JobUtils.parseChangeValue and
// CoordChangeXCommand.validateChangeValue); a field left unset is not changed.
struct ChangeRequest {
  std::optional<TimePoint> end;
  std::optional<int> concurrency;
  std::optional<TimePoint> pause;
  bool clear_pause = false;
  std::optional<std::string> status;  // RUNNING or IGNORED
};
// "endtime=T;concurrency=N;pausetime=T;status=RUNNING"; E1015 otherwise.
Result<ChangeRequest> ParseChangeValue(const std::string& text);

// Oozie's PauseTransitService for a job or bundle status: with `paused` (the
// pause time has come) RUNNING -> PAUSED, RUNNINGWITHERROR -> PAUSEDWITHERROR
// and PREP -> PREPPAUSED; without it the reverse. Returns the new status, or
// nullopt when `status` does not move.
std::optional<std::string> PauseTransition(const std::string& status, bool paused);

// Whether the pause time `pause_ms` (0: none) has come at `now`.
bool PauseTimeHasCome(int64_t pause_ms, TimePoint now);

}  // namespace refinery::scheduler::internal

namespace refinery::scheduler {

// A job's definition and configuration as parsed, with what the scheduler
// keeps between passes; dropped when the job ends or is changed.
struct CoordinatorScheduler::Loaded {
  coordinator::CoordinatorApp app;
  Properties conf;
  std::chrono::milliseconds data_backoff{0};
  SlaMemory sla;  // coordinator_sla.cc
};

}  // namespace refinery::scheduler
