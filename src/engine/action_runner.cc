// Preparing jobs (parse, validate, reload) and running actions on workers.
#include "engine/engine_impl.h"

#include <algorithm>
#include <filesystem>
#include <optional>
#include <sstream>

#include <pugixml.hpp>

#include "core/log.h"
#include "core/time_format.h"
#include "executor/executor.h"

namespace refinery::engine {

using internal::ForkGroupOf;
using internal::IsDone;
using internal::ParentPathOf;

namespace {

// An action's log lines reach the job log at once, except during its first
// moments: most actions end well within kLogBufferWindow, and their lines then
// go into the transaction that records the action's end instead of one
// transaction each. A long action's lines stream from the window's end on, so
// `job -log` follows it live.
constexpr auto kLogBufferWindow = std::chrono::milliseconds(250);

class EngineActionReporter : public actions::ActionReporter {
 public:
  EngineActionReporter(Engine::Impl* impl, std::string job_id, std::string node)
      : impl_(impl), job_id_(std::move(job_id)), node_(std::move(node)), started_(impl->env.clock->Now()) {}

  void Log(const std::string& line) override {
    const TimePoint now = impl_->env.clock->Now();
    std::string stored = impl_->FormatActionLogLine(now, node_, line);
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!streaming_ && now - started_ < kLogBufferWindow) {
        pending_.emplace_back(job_id_, std::move(stored));
      } else {
        streaming_ = true;
        pending_.emplace_back(job_id_, std::move(stored));
        impl_->StoreLogLines(std::exchange(pending_, {}));
      }
    }
    impl_->NotifyActionEvent(EngineEvent::Kind::kActionLog, job_id_, node_, line, -1);
  }
  void Progress(double fraction, const std::string& detail) override {
    impl_->ReportProgress(job_id_, node_, fraction, detail);
  }

  // The lines not stored yet, for the batch that ends the action.
  std::vector<std::pair<std::string, std::string>> TakePending() {
    std::lock_guard<std::mutex> lock(mu_);
    return std::exchange(pending_, {});
  }

 private:
  Engine::Impl* impl_;
  std::string job_id_;
  std::string node_;
  TimePoint started_;
  std::mutex mu_;  // actions may log from several threads (a shell's stdout and stderr)
  bool streaming_ = false;
  std::vector<std::pair<std::string, std::string>> pending_;
};

}  // namespace

std::unique_ptr<actions::ActionState> MakeStoreActionState(store::Store* store) {
  class StoreActionState : public actions::ActionState {
   public:
    explicit StoreActionState(store::Store* store) : store_(store) {}
    Result<std::optional<std::string>> Get(const std::string& key) override {
      return store_->GetMeta("action-state." + key);
    }
    Status Put(const std::string& key, const std::string& value) override {
      return store_->PutMeta("action-state." + key, value);
    }

   private:
    store::Store* store_;
  };
  return std::make_unique<StoreActionState>(store);
}

// ---------------------------------------------------------------------------
// Preparation

Result<workflow::WorkflowSubmission> Engine::Impl::Prepare(const Properties& submitted,
                                                           const std::string* stored_definition) const {
  Properties conf = submitted;
  if (!conf.Contains("user.name")) conf.Set("user.name", CurrentUserName());
  REFINERY_RETURN_IF_ERROR(workflow::CheckReservedNames(conf, /*is_config_default=*/false));
  REFINERY_ASSIGN_OR_RETURN(Properties resolved, workflow::ResolveVariables(conf));

  workflow::AppFileReader reader = MakeAppFileReader(env.files);
  if (stored_definition != nullptr) {
    // A running job keeps the definition it was submitted with, even if the
    // file changed since.
    const std::string app_path = resolved.GetOr("oozie.wf.application.path", "");
    auto read_files = reader.read;
    reader.read = [app_path, stored_definition, read_files](const std::string& uri) -> Result<std::string> {
      if (uri == app_path || uri == app_path + "/workflow.xml" || uri == app_path + "workflow.xml") {
        return *stored_definition;
      }
      return read_files(uri);
    };
  }
  workflow::ParseOptions parse_options;
  parse_options.job_conf = &resolved;
  REFINERY_ASSIGN_OR_RETURN(auto submission, workflow::PrepareSubmission(resolved, reader, parse_options));

  workflow::ValidateOptions validate_options;
  validate_options.validate_fork_join = submission.job_conf.GetOr("oozie.wf.validate.ForkJoin", "true") != "false";
  validate_options.known_action_types = KnownTypes();
  REFINERY_RETURN_IF_ERROR(workflow::ValidateWorkflow(submission.app, validate_options));
  return submission;
}

void Engine::Impl::InitRuntime(JobRuntime& job) const {
  job.info = std::make_unique<internal::JobWorkflowInfo>(&job, options.base_url);
  el::RegisterBasicFunctions(&job.functions, env.clock);
  el::RegisterWorkflowFunctions(&job.functions, job.info.get());
  el::RegisterFsFunctions(&job.functions, &file_info);
  const std::string depth = job.submission.job_conf.GetOr("oozie.action.subworkflow.depth", "0");
  job.depth = std::atoi(depth.c_str());
  constexpr std::string_view kSkipPrefix = "refinery.rerun.skipped.";
  for (const auto& [key, value] : job.submission.job_conf.entries()) {
    if (key.rfind(kSkipPrefix, 0) == 0) job.skip_nodes.insert(key.substr(kSkipPrefix.size()));
  }
}

Result<std::shared_ptr<JobRuntime>> Engine::Impl::LoadRuntime(const store::WorkflowJobRecord& record) {
  REFINERY_ASSIGN_OR_RETURN(Properties conf, ParseHadoopConfigurationXml(record.conf, record.id + " conf"));
  auto submission = Prepare(conf, &record.definition);
  if (!submission.ok()) return submission.status().WithContext("reloading job " + record.id);
  auto job = std::make_shared<JobRuntime>();
  job->record = record;
  job->submission = std::move(submission).value();
  InitRuntime(*job);
  REFINERY_ASSIGN_OR_RETURN(auto records, env.store->ListActions(record.id));
  int64_t last_error_end = -1;
  for (auto& action : records) {
    if (action.run != record.run) continue;
    if (action.status == "ERROR" && action.end_ms >= last_error_end) {
      last_error_end = action.end_ms;
      job->last_error_node = action.name;
    }
    job->actions[action.name] = std::move(action);
  }
  return job;
}

// ---------------------------------------------------------------------------
// Worker side

void Engine::Impl::RunAction(const std::string& job_id, const std::string& node_name) {
  Effects::RunRequest next{job_id, node_name};
  while (!next.node.empty()) next = RunActionOnce(next.job_id, next.node);
}

Effects::RunRequest Engine::Impl::RunActionOnce(const std::string& job_id, const std::string& node_name) {
  std::shared_ptr<JobRuntime> job;
  std::shared_ptr<actions::Cancellation> cancel;
  actions::ActionContext context;
  actions::Action* action = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = jobs.find(job_id);
    if (it == jobs.end()) return {};
    job = it->second;
    auto running = job->running.find(node_name);
    if (running == job->running.end()) return {};
    cancel = running->second;
    const WorkflowActionRecord& record = job->actions[node_name];
    const Node* node = job->submission.app.FindNode(node_name);
    action = env.actions->Find(node->action->type);
    Node evaluated = *node;
    evaluated.action->xml = record.conf;
    context.action_conf = workflow::EffectiveActionConfiguration(job->submission, evaluated);
    context.job_id = job_id;
    context.action_id = record.id;
    context.action_name = node_name;
    context.action_xml = record.conf;
    context.app_path = job->submission.app_path;
    context.user = job->record.user;
    context.job_conf = &job->submission.job_conf;
    context.sub_workflow_depth = job->depth;
    if (job->submission.app.global && !job->submission.app.global->name_node.empty()) {
      // The global section is not part of the action's XML, so evaluate its EL here.
      auto name_node = el::Evaluate(job->submission.app.global->name_node, ElContext(*job, false));
      if (name_node.ok()) context.name_node = *name_node;
    }
    context.scratch_dir = env.scratch_root + "/" + job_id + "/" + node_name + "-" +
                          std::to_string(record.user_retry_count + record.retries);
  }
  pugi::xml_document doc;
  if (doc.load_string(context.action_xml.c_str())) {
    const std::string name_node = doc.first_child().child("name-node").text().as_string();
    if (!name_node.empty()) context.name_node = name_node;
  }
  EngineActionReporter reporter(this, job_id, node_name);
  context.files = env.files;
  context.clock = env.clock;
  context.processes = env.processes;
  context.mailer = env.mailer;
  context.models = env.models;
  context.sub_workflows = owner;
  context.reporter = &reporter;
  const auto state = MakeStoreActionState(env.store);
  context.state = state.get();
  context.cancel = cancel.get();

  std::optional<actions::ActionResult> elsewhere;
  if (env.dispatcher != nullptr) elsewhere = env.dispatcher->RunElsewhere(*action, context);
  actions::ActionResult result = elsewhere ? std::move(*elsewhere) : action->Run(context);
  std::error_code ignored;
  if (std::filesystem::remove_all(context.scratch_dir, ignored) > 0) {
    std::filesystem::remove(std::filesystem::path(context.scratch_dir).parent_path(), ignored);  // if now empty
  }

  {
    std::lock_guard<std::mutex> queue(ended_mu);
    ended.push_back({job, node_name, std::move(result), reporter.TakePending()});
  }
  std::lock_guard<std::mutex> lock(mu);
  std::vector<EndedAction> to_record;
  {
    std::lock_guard<std::mutex> queue(ended_mu);
    to_record.swap(ended);
  }
  // Empty: a worker that held `mu` before us recorded this end with its own,
  // and queued what follows it.
  if (to_record.empty()) return {};
  Effects effects;
  for (EndedAction& end : to_record) {
    auto& lines = effects.batch.log_lines;
    lines.insert(lines.end(), std::make_move_iterator(end.log_lines.begin()),
                 std::make_move_iterator(end.log_lines.end()));
    FinishAction(*end.job, end.node, end.result, effects);
  }
  Effects::RunRequest continuation;
  Commit(effects, &continuation);
  return continuation;
}

std::string Engine::Impl::FormatActionLogLine(TimePoint time, const std::string& node, const std::string& line) const {
  return FormatIsoMillis(time) + " INFO  [" + node + "] " + line;
}

void Engine::Impl::StoreLogLines(std::vector<std::pair<std::string, std::string>> lines) {
  Effects effects;
  effects.batch.log_lines = std::move(lines);
  Fence(effects);  // a job another process took over gets no more lines from here
  if (effects.batch.log_lines.empty()) return;
  const Status status = env.store->Apply(effects.batch);
  if (!status.ok()) Log(LogLevel::kWarn, "could not store a log line: " + status.ToString());
}

void Engine::Impl::ReportProgress(const std::string& job_id, const std::string& node, double fraction,
                                  const std::string& detail) {
  NotifyActionEvent(EngineEvent::Kind::kActionProgress, job_id, node, detail, fraction);
}

void Engine::Impl::NotifyActionEvent(EngineEvent::Kind kind, const std::string& job_id, const std::string& node,
                                     const std::string& detail, double fraction) {
  EngineEvent event;
  event.kind = kind;
  event.job_id = job_id;
  event.action_name = node;
  event.detail = detail;
  event.fraction = fraction;
  event.time_ms = NowMs();
  std::lock_guard<std::mutex> lock(mu);
  for (EngineObserver* observer : observers) observer->OnEvent(event);
}

}  // namespace refinery::engine
