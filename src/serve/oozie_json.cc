#include "serve/oozie_json.h"

#include "core/time_format.h"
#include "serve/redact.h"

namespace refinery::serve {
namespace {

using nlohmann::json;

json TimeOrNull(int64_t epoch_ms) {
  if (epoch_ms <= 0) return nullptr;
  return FormatRfc822(FromEpochMillis(epoch_ms));
}

json TextOrNull(const std::string& text) { return text.empty() ? json(nullptr) : json(text); }

std::string TextOf(const json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

int IntOf(const json& object, const char* key, int fallback) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_number_integer()) return fallback;
  return it->get<int>();
}

int64_t MillisOf(const json& object, const char* key) {
  const std::string text = TextOf(object, key);
  if (text.empty()) return 0;
  auto parsed = ParseRfc822(text);
  return parsed.ok() ? ToEpochMillis(*parsed) : 0;
}

// Control nodes have no external system; Oozie writes "-" for them.
bool IsControlNode(const std::string& type) { return !type.empty() && type.front() == ':'; }

}  // namespace

json WorkflowActionToJson(const store::WorkflowActionRecord& action) {
  const bool control = IsControlNode(action.type);
  auto dash_or = [&](const std::string& value) { return control && value.empty() ? json("-") : TextOrNull(value); };
  return json{
      {"id", action.id},
      {"name", action.name},
      {"cred", nullptr},
      {"type", action.type},
      {"conf", RedactDefinitionXml(action.conf)},
      {"status", action.status},
      {"retries", action.retries},
      {"startTime", TimeOrNull(action.start_ms)},
      {"endTime", TimeOrNull(action.end_ms)},
      {"transition", TextOrNull(action.transition)},
      {"data", TextOrNull(action.data)},
      {"stats", nullptr},
      {"externalChildIDs", nullptr},
      {"externalId", dash_or(action.external_id)},
      {"externalStatus", TextOrNull(action.external_status)},
      {"trackerUri", dash_or(action.tracker_uri)},
      {"consoleUrl", dash_or(action.console_url)},
      {"errorCode", TextOrNull(action.error_code)},
      {"errorMessage", TextOrNull(action.error_message)},
      {"toString", "Action name[" + action.name + "] status[" + action.status + "]"},
      {"userRetryInterval", action.user_retry_interval},
      {"userRetryCount", action.user_retry_count},
      {"userRetryMax", action.user_retry_max},
  };
}

json WorkflowJobToJson(const store::WorkflowJobRecord& job, const std::vector<store::WorkflowActionRecord>& actions,
                       const std::string& console_base) {
  json action_list = json::array();
  for (const auto& action : actions) action_list.push_back(WorkflowActionToJson(action));
  return json{
      {"appPath", job.app_path},
      {"appName", job.app_name},
      {"id", job.id},
      {"externalId", TextOrNull(job.external_id)},
      {"parentId", TextOrNull(job.parent_id)},
      {"conf", RedactConfigurationXml(job.conf)},
      {"status", job.status},
      {"lastModTime", TimeOrNull(job.last_modified_ms)},
      {"createdTime", TimeOrNull(job.created_ms)},
      {"startTime", TimeOrNull(job.start_ms)},
      {"endTime", TimeOrNull(job.end_ms)},
      {"user", job.user},
      {"group", TextOrNull(job.group)},
      {"acl", nullptr},
      {"run", job.run},
      {"consoleUrl", console_base + "?job=" + job.id},
      {"actions", std::move(action_list)},
      {"toString", "Workflow id[" + job.id + "] status[" + job.status + "]"},
  };
}

json CoordinatorActionToJson(const store::CoordinatorActionRecord& action) {
  return json{
      {"id", action.id},
      {"coordJobId", action.job_id},
      {"type", nullptr},
      {"actionNumber", action.action_number},
      {"createdConf", nullptr},
      {"createdTime", TimeOrNull(action.created_ms)},
      {"nominalTime", TimeOrNull(action.nominal_ms)},
      {"externalId", TextOrNull(action.external_id)},
      {"status", action.status},
      {"runConf", TextOrNull(RedactConfigurationXml(action.run_conf))},
      {"lastModifiedTime", TimeOrNull(action.last_modified_ms)},
      {"missingDependencies", action.missing_dependencies},
      {"pushMissingDependencies", nullptr},
      {"externalStatus", TextOrNull(action.external_status)},
      {"trackerUri", nullptr},
      {"consoleUrl", nullptr},
      {"errorCode", TextOrNull(action.error_code)},
      {"errorMessage", TextOrNull(action.error_message)},
      {"toString", "CoordinatorAction name[" + action.id + "] status[" + action.status + "]"},
  };
}

json CoordinatorJobToJson(const store::CoordinatorJobRecord& job,
                          const std::vector<store::CoordinatorActionRecord>& actions, int total_actions,
                          const std::string& console_base) {
  json action_list = json::array();
  for (const auto& action : actions) action_list.push_back(CoordinatorActionToJson(action));
  return json{
      {"coordJobPath", job.app_path},
      {"coordJobName", job.app_name},
      {"coordJobId", job.id},
      {"coordExternalId", nullptr},
      {"bundleId", TextOrNull(job.bundle_id)},
      {"conf", RedactConfigurationXml(job.conf)},
      {"status", job.status},
      {"executionPolicy", job.execution},
      {"frequency", job.frequency},
      {"timeUnit", job.time_unit},
      {"timeZone", job.timezone},
      {"concurrency", job.concurrency},
      {"timeOut", job.timeout_minutes},
      {"lastAction", TimeOrNull(job.next_materialized_ms)},
      {"nextMaterializedTime", TimeOrNull(job.next_materialized_ms)},
      {"createdTime", TimeOrNull(job.created_ms)},
      {"startTime", TimeOrNull(job.start_ms)},
      {"endTime", TimeOrNull(job.end_ms)},
      {"pauseTime", TimeOrNull(job.pause_ms)},
      {"user", job.user},
      {"group", nullptr},
      {"acl", nullptr},
      {"consoleUrl", console_base + "?job=" + job.id},
      {"mat_throttling", job.throttle},
      {"actions", std::move(action_list)},
      {"toString", "Coordinator application id[" + job.id + "] status[" + job.status + "]"},
      {"total", total_actions},
  };
}

json BundleJobToJson(const store::BundleJobRecord& bundle, const std::vector<store::CoordinatorJobRecord>& coordinators,
                     const std::string& console_base) {
  json coordinator_list = json::array();
  for (const auto& job : coordinators) {
    coordinator_list.push_back(CoordinatorJobToJson(job, {}, static_cast<int>(job.last_action_number), console_base));
  }
  return json{
      {"bundleJobPath", bundle.app_path},
      {"bundleJobName", bundle.app_name},
      {"bundleJobId", bundle.id},
      {"bundleExternalId", nullptr},
      {"conf", RedactConfigurationXml(bundle.conf)},
      {"status", bundle.status},
      {"timeUnit", "NONE"},
      {"timeOut", 0},
      {"kickoffTime", TimeOrNull(bundle.kickoff_ms)},
      {"startTime", TimeOrNull(bundle.start_ms)},
      {"endTime", TimeOrNull(bundle.end_ms)},
      {"pauseTime", nullptr},
      {"createdTime", TimeOrNull(bundle.created_ms)},
      {"user", bundle.user},
      {"group", nullptr},
      {"acl", nullptr},
      {"consoleUrl", console_base + "?job=" + bundle.id},
      {"bundleCoordJobs", std::move(coordinator_list)},
      {"toString", "Bundle id[" + bundle.id + "] status[" + bundle.status + "]"},
  };
}

Result<store::WorkflowJobRecord> WorkflowJobFromJson(const json& object,
                                                     std::vector<store::WorkflowActionRecord>* actions) {
  if (!object.is_object() || TextOf(object, "id").empty()) {
    return Status::InvalidArgument("the server's answer is not a workflow job (no \"id\")");
  }
  store::WorkflowJobRecord job;
  job.id = TextOf(object, "id");
  job.app_name = TextOf(object, "appName");
  job.app_path = TextOf(object, "appPath");
  job.user = TextOf(object, "user");
  job.group = TextOf(object, "group");
  job.status = TextOf(object, "status");
  job.run = IntOf(object, "run", 0);
  job.conf = TextOf(object, "conf");
  job.parent_id = TextOf(object, "parentId");
  job.external_id = TextOf(object, "externalId");
  job.created_ms = MillisOf(object, "createdTime");
  job.start_ms = MillisOf(object, "startTime");
  job.end_ms = MillisOf(object, "endTime");
  job.last_modified_ms = MillisOf(object, "lastModTime");
  auto list = object.find("actions");
  if (actions == nullptr || list == object.end() || !list->is_array()) return job;
  for (const json& item : *list) {
    store::WorkflowActionRecord action;
    action.id = TextOf(item, "id");
    action.job_id = job.id;
    action.name = TextOf(item, "name");
    action.type = TextOf(item, "type");
    action.status = TextOf(item, "status");
    action.transition = TextOf(item, "transition");
    action.conf = TextOf(item, "conf");
    action.data = TextOf(item, "data");
    action.error_code = TextOf(item, "errorCode");
    action.error_message = TextOf(item, "errorMessage");
    action.external_id = TextOf(item, "externalId");
    action.external_status = TextOf(item, "externalStatus");
    action.tracker_uri = TextOf(item, "trackerUri");
    action.console_url = TextOf(item, "consoleUrl");
    action.retries = IntOf(item, "retries", 0);
    action.user_retry_count = IntOf(item, "userRetryCount", 0);
    action.user_retry_max = IntOf(item, "userRetryMax", 0);
    action.user_retry_interval = IntOf(item, "userRetryInterval", 10);
    action.start_ms = MillisOf(item, "startTime");
    action.end_ms = MillisOf(item, "endTime");
    actions->push_back(std::move(action));
  }
  return job;
}

HttpResponse OozieJsonResponse(const nlohmann::json& body, int status) {
  HttpResponse response;
  response.status = status;
  response.body = body.dump();
  return response;
}

// Engine errors are the client's to fix (400) unless the server itself failed.
HttpResponse OozieStatusResponse(const Status& status) {
  const bool server_fault = status.code() == StatusCode::kIoError || status.code() == StatusCode::kInternal;
  return ErrorResponse(server_fault ? 500 : 400, status.error_code().empty() ? "E0307" : status.error_code(),
                       status.message());
}

HttpResponse OozieInvalidParameter(const std::string& name, const std::string& value, const std::string& hint) {
  return ErrorResponse(400, "E0303",
                       "Invalid parameter value, [" + name + "] = [" + value + "]" + (hint.empty() ? "" : "; " + hint));
}

}  // namespace refinery::serve
