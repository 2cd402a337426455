#include "engine/job_runtime.h"

namespace refinery::engine::internal {

bool IsTerminalJobStatus(const std::string& status) {
  return status == "SUCCEEDED" || status == "KILLED" || status == "FAILED";
}

const store::WorkflowActionRecord* JobWorkflowInfo::Find(const std::string& node) const {
  auto it = job_->actions.find(node);
  return it == job_->actions.end() ? nullptr : &it->second;
}

std::string JobWorkflowInfo::Id() const { return job_->record.id; }
std::string JobWorkflowInfo::Name() const { return job_->record.app_name; }
std::string JobWorkflowInfo::AppPath() const { return job_->record.app_path; }
std::optional<std::string> JobWorkflowInfo::Conf(const std::string& name) const {
  return job_->submission.job_conf.Get(name);
}
std::string JobWorkflowInfo::User() const { return job_->record.user; }
std::string JobWorkflowInfo::Group() const { return job_->record.group; }
std::string JobWorkflowInfo::CallbackUrl(const std::string& state_var) const {
  return base_url_ + "/callback?id=" + job_->record.id + "@" + job_->evaluating_node + "&status=" + state_var;
}
std::string JobWorkflowInfo::Transition(const std::string& node) const {
  const auto* record = Find(node);
  return record == nullptr ? "" : record->transition;
}
std::string JobWorkflowInfo::LastErrorNode() const { return job_->last_error_node; }
std::string JobWorkflowInfo::ErrorCode(const std::string& node) const {
  const auto* record = Find(node);
  return record == nullptr ? "" : record->error_code;
}
std::string JobWorkflowInfo::ErrorMessage(const std::string& node) const {
  const auto* record = Find(node);
  return record == nullptr ? "" : record->error_message;
}
int JobWorkflowInfo::Run() const { return job_->record.run; }
std::string JobWorkflowInfo::ActionData(const std::string& node) const {
  const auto* record = Find(node);
  return record == nullptr ? "" : record->data;
}
std::string JobWorkflowInfo::ActionExternalId(const std::string& node) const {
  const auto* record = Find(node);
  return record == nullptr ? "" : record->external_id;
}
std::string JobWorkflowInfo::ActionTrackerUri(const std::string& node) const {
  const auto* record = Find(node);
  return record == nullptr ? "" : record->tracker_uri;
}
std::string JobWorkflowInfo::ActionExternalStatus(const std::string& node) const {
  const auto* record = Find(node);
  return record == nullptr ? "" : record->external_status;
}

}  // namespace refinery::engine::internal
