// Workflow jobs and actions as the Oozie Web Services API writes them
// (SPEC.md §10.1: WorkflowJobBean/WorkflowActionBean.toJSONObject keys, RFC
// 822 times, null for unset values), and back, for the CLI's remote mode.
// Secrets are redacted on the way out (redact.h).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "serve/http_server.h"
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

// Bundle jobs (SPEC.md §10.2 end: BundleJobBean.toJSONObject keys), with
// their coordinators (without actions) under bundleCoordJobs.
nlohmann::json BundleJobToJson(const store::BundleJobRecord& bundle,
                               const std::vector<store::CoordinatorJobRecord>& coordinators,
                               const std::string& console_base);

// The inverse, tolerant of missing keys (older Oozie servers omit some).
Result<store::WorkflowJobRecord> WorkflowJobFromJson(const nlohmann::json& json,
                                                     std::vector<store::WorkflowActionRecord>* actions);

// Responses in the Oozie API's shapes, shared by its handlers: a JSON body;
// an error from a Status (400, or 500 when the server itself failed; E0307
// when the status has no code); E0303 for a bad parameter value, with a hint.
HttpResponse OozieJsonResponse(const nlohmann::json& body, int status = 200);
HttpResponse OozieStatusResponse(const Status& status);
HttpResponse OozieInvalidParameter(const std::string& name, const std::string& value, const std::string& hint);

}  // namespace refinery::serve
