// Helpers shared by the scheduler's source files (not part of its API).
#pragma once

#include <cstdint>
#include <set>
#include <string>

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
