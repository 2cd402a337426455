// The in-memory state of one running workflow job. Internal to the engine;
// every field is guarded by the engine's mutex.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "actions/action.h"
#include "el/el.h"
#include "el/functions.h"
#include "store/store.h"
#include "workflow/job_config.h"

namespace refinery::engine::internal {

// A node to execute and the fork path it runs on.
struct Step {
  std::string node;
  std::string path;
};

struct JobRuntime;

// wf:* reads the job's records; called only with the engine mutex held.
class JobWorkflowInfo : public el::WorkflowInfo {
 public:
  JobWorkflowInfo(const JobRuntime* job, std::string base_url) : job_(job), base_url_(std::move(base_url)) {}
  std::string Id() const override;
  std::string Name() const override;
  std::string AppPath() const override;
  std::optional<std::string> Conf(const std::string& name) const override;
  std::string User() const override;
  std::string Group() const override;
  std::string CallbackUrl(const std::string& state_var) const override;
  std::string Transition(const std::string& node) const override;
  std::string LastErrorNode() const override;
  std::string ErrorCode(const std::string& node) const override;
  std::string ErrorMessage(const std::string& node) const override;
  int Run() const override;
  std::string ActionData(const std::string& node) const override;
  std::string ActionExternalId(const std::string& node) const override;
  std::string ActionTrackerUri(const std::string& node) const override;
  std::string ActionExternalStatus(const std::string& node) const override;

 private:
  const store::WorkflowActionRecord* Find(const std::string& node) const;
  const JobRuntime* job_;
  std::string base_url_;
};

struct JobRuntime {
  store::WorkflowJobRecord record;
  workflow::WorkflowSubmission submission;
  int depth = 0;  // oozie.action.subworkflow.depth
  // Records of the current run by node name.
  std::map<std::string, store::WorkflowActionRecord> actions;
  // Fork bookkeeping: group ("<path>/<fork>") -> branches / arrivals.
  std::map<std::string, int> fork_size;
  std::map<std::string, int> join_arrivals;
  // Actions executing in this process, with their kill switches.
  std::map<std::string, std::shared_ptr<actions::Cancellation>> running;
  std::string last_error_node;
  std::set<std::string> skip_nodes;  // a rerun's skipped action nodes
  std::string evaluating_node;  // node whose EL is being evaluated (wf:callback)
  std::unique_ptr<JobWorkflowInfo> info;
  el::FunctionTable functions;
};

bool IsTerminalJobStatus(const std::string& status);

}  // namespace refinery::engine::internal
