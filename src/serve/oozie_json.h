// Workflow jobs and actions as the Oozie Web Services API writes them
// (SPEC.md §10.1: WorkflowJobBean/WorkflowActionBean.toJSONObject keys, RFC
// 822 times, null for unset values), and back, for the CLI's remote mode.
// Secrets are redacted on the way out (redact.h).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "store/store.h"

namespace refinery::serve {

// `console_base` is the server's Oozie URL ("http://127.0.0.1:11000/oozie").
nlohmann::json WorkflowJobToJson(const store::WorkflowJobRecord& job,
                                 const std::vector<store::WorkflowActionRecord>& actions,
                                 const std::string& console_base);
nlohmann::json WorkflowActionToJson(const store::WorkflowActionRecord& action);

// Coordinator jobs and actions (SPEC.md §10.2: coordJobId/coordJobName/
// coordJobPath keys, timeOut, mat_throttling, total = number of actions).
nlohmann::json CoordinatorJobToJson(const store::CoordinatorJobRecord& job,
                                    const std::vector<store::CoordinatorActionRecord>& actions, int total_actions,
                                    const std::string& console_base);
nlohmann::json CoordinatorActionToJson(const store::CoordinatorActionRecord& action);

// The inverse, tolerant of missing keys (older Oozie servers omit some).
Result<store::WorkflowJobRecord> WorkflowJobFromJson(const nlohmann::json& json,
                                                     std::vector<store::WorkflowActionRecord>* actions);

}  // namespace refinery::serve
