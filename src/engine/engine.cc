#include "engine/engine.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <sstream>

#include <pugixml.hpp>

#include "core/job_id.h"
#include "core/log.h"
#include "core/time_format.h"
#include "engine/file_info_adapter.h"
#include "engine/job_runtime.h"
#include "engine/process_token.h"
#include "engine/worker_pool.h"
#include "workflow/workflow_app.h"

namespace refinery::engine {

using internal::JobRuntime;
using internal::Step;
using store::WorkflowActionRecord;
using workflow::Node;
using workflow::NodeKind;

namespace {

constexpr const char* kDefaultRetryErrorCodes[] = {"JA008", "JA009", "JA017", "JA018",
                                                   "JA019", "FS009", "FS008", "FS014"};
constexpr int kMaxStepsPerAdvance = 1000000;

bool IsJavaIdentifier(std::string_view name) {
  if (name.empty()) return false;
  auto head = [](char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; };
  if (!head(name[0])) return false;
  return std::all_of(name.begin() + 1, name.end(),
                     [&](char c) { return head(c) || std::isdigit(static_cast<unsigned char>(c)); });
}

std::string XmlEscape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

std::vector<std::string> SplitCommaList(const std::string& text) {
  std::vector<std::string> items;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ',')) {
    const auto begin = item.find_first_not_of(" \t");
    if (begin == std::string::npos) continue;
    items.push_back(item.substr(begin, item.find_last_not_of(" \t") - begin + 1));
  }
  return items;
}

// "/f:0/g:1" -> group "/f:0/g", parent path "/f:0".
std::string ForkGroupOf(const std::string& path) { return path.substr(0, path.rfind(':')); }
std::string ParentPathOf(const std::string& path) { return path.substr(0, path.rfind('/')); }

bool IsDone(const WorkflowActionRecord& record) {
  return (record.status == "OK" || record.status == "ERROR") && !record.transition.empty();
}

// Action statuses meaning "started here but not finished".
bool WasInFlight(const std::string& status) {
  return status == "RUNNING" || status == "DONE" || status == "END_RETRY" || status == "END_MANUAL";
}

}  // namespace

// Everything one locked step decided to do, carried out by Commit() in order:
// persist first, then tell observers, then start work.
struct Effects {
  store::WriteBatch batch;
  std::vector<EngineEvent> events;
  struct RunRequest {
    std::string job_id;
    std::string node;
    bool blocking = false;
    std::chrono::milliseconds delay{0};
  };
  std::vector<RunRequest> runs;
  std::set<std::string> touched_jobs;
};

struct Engine::Impl {
  EngineEnvironment env;
  EngineOptions options;
  JobIdGenerator ids;
  internal::FileInfoAdapter file_info;

  std::mutex mu;
  std::condition_variable job_cv;                                // guarded by mu
  std::map<std::string, std::shared_ptr<JobRuntime>> jobs;      // guarded by mu
  std::vector<EngineObserver*> observers;                       // guarded by mu
  std::unique_ptr<internal::WorkerPool> pool;
  Engine* owner = nullptr;  // runs sub-workflows

  Impl(EngineEnvironment e, EngineOptions o)
      : env(std::move(e)),
        options(std::move(o)),
        ids(options.system_id, env.clock->Now()),
        file_info(env.files) {}

  int64_t NowMs() const { return ToEpochMillis(env.clock->Now()); }

  // Marks a job as run by this process (see process_token.h).
  Status Claim(const std::string& job_id) { return env.store->PutMeta("owner." + job_id, process_token); }
  bool OwnedByAnotherLiveProcess(const std::string& job_id) {
    auto owner = env.store->GetMeta("owner." + job_id);
    if (!owner.ok() || !owner->has_value()) return false;
    return **owner != process_token && internal::ProcessTokenAlive(**owner);
  }
  std::string process_token = internal::CurrentProcessToken();

  // ---- Preparation (no lock) ----
  Result<workflow::WorkflowSubmission> Prepare(const Properties& submitted,
                                               const std::string* stored_definition) const;
  std::vector<std::string> KnownTypes() const { return env.actions->KnownTypes(); }
  void InitRuntime(JobRuntime& job) const;
  Result<std::shared_ptr<JobRuntime>> LoadRuntime(const store::WorkflowJobRecord& record);

  // ---- Locked state machine (REQUIRES(mu)) ----
  el::Context ElContext(JobRuntime& job, bool escape_variables);
  WorkflowActionRecord& RecordFor(JobRuntime& job, const Node& node, const std::string& path);
  void Touch(JobRuntime& job, WorkflowActionRecord& record, Effects& effects);
  void PersistJob(JobRuntime& job, Effects& effects);
  void JobLog(JobRuntime& job, const std::string& node, const std::string& message, Effects& effects);
  void Emit(JobRuntime& job, EngineEvent::Kind kind, const std::string& node, const std::string& type,
            const std::string& status, const std::string& detail, Effects& effects);
  void StartJob(JobRuntime& job, Effects& effects);
  void Advance(JobRuntime& job, std::vector<Step> steps, Effects& effects);
  bool ExecuteControl(JobRuntime& job, const Node& node, const Step& step, std::deque<Step>& queue,
                      Effects& effects);
  void StartAction(JobRuntime& job, const Node& node, const std::string& path, Effects& effects);
  void FinishAction(JobRuntime& job, const std::string& name, const actions::ActionResult& result,
                    Effects& effects);
  bool UserRetryAllowed(const JobRuntime& job, const WorkflowActionRecord& record) const;
  void EndJob(JobRuntime& job, const std::string& status, const std::string& error_code,
              const std::string& error_message, Effects& effects);
  void SuspendJob(JobRuntime& job, const std::string& reason, Effects& effects);
  void Replay(JobRuntime& job, bool recovering, Effects& effects);
  void Commit(Effects& effects);

  // ---- Worker side (no lock held on entry) ----
  void RunAction(const std::string& job_id, const std::string& node_name);
  void ReportLog(const std::string& job_id, const std::string& node, const std::string& line);
  void ReportProgress(const std::string& job_id, const std::string& node, double fraction,
                      const std::string& detail);
};

namespace {

class EngineActionReporter : public actions::ActionReporter {
 public:
  EngineActionReporter(Engine::Impl* impl, std::string job_id, std::string node)
      : impl_(impl), job_id_(std::move(job_id)), node_(std::move(node)) {}
  void Log(const std::string& line) override { impl_->ReportLog(job_id_, node_, line); }
  void Progress(double fraction, const std::string& detail) override {
    impl_->ReportProgress(job_id_, node_, fraction, detail);
  }

 private:
  Engine::Impl* impl_;
  std::string job_id_;
  std::string node_;
};

}  // namespace

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
// Locked state machine

el::Context Engine::Impl::ElContext(JobRuntime& job, bool escape_variables) {
  el::Context context;
  context.functions = &job.functions;
  const Properties* conf = &job.submission.job_conf;
  context.variables = [conf, escape_variables](std::string_view name) -> std::optional<el::Value> {
    if (IsJavaIdentifier(name)) {
      if (auto value = conf->Get(name)) {
        return el::Value::String(escape_variables ? XmlEscape(*value) : *value);
      }
    }
    return el::WorkflowConstant(name);
  };
  return context;
}

WorkflowActionRecord& Engine::Impl::RecordFor(JobRuntime& job, const Node& node, const std::string& path) {
  auto [it, inserted] = job.actions.try_emplace(node.name);
  WorkflowActionRecord& record = it->second;
  if (inserted || record.run != job.record.run) {
    record = WorkflowActionRecord{};
    record.id = ActionId(job.record.id, node.name);
    record.job_id = job.record.id;
    record.name = node.name;
    record.type = node.kind == NodeKind::kAction ? node.action->type : workflow::NodeKindName(node.kind);
    record.status = "PREP";
    record.run = job.record.run;
  }
  record.execution_path = path;
  return record;
}

void Engine::Impl::Touch(JobRuntime& job, WorkflowActionRecord& record, Effects& effects) {
  record.last_modified_ms = NowMs();
  effects.batch.actions.push_back(record);
  effects.touched_jobs.insert(job.record.id);
}

void Engine::Impl::PersistJob(JobRuntime& job, Effects& effects) {
  job.record.last_modified_ms = NowMs();
  // Replace an earlier copy of this job in the same batch: the last state wins.
  auto& jobs = effects.batch.jobs;
  jobs.erase(std::remove_if(jobs.begin(), jobs.end(), [&](const auto& j) { return j.id == job.record.id; }),
             jobs.end());
  jobs.push_back(job.record);
  effects.touched_jobs.insert(job.record.id);
}

void Engine::Impl::JobLog(JobRuntime& job, const std::string& node, const std::string& message,
                          Effects& effects) {
  std::string line = FormatIsoMillis(env.clock->Now()) + " INFO  ";
  if (!node.empty()) line += "[" + node + "] ";
  line += message;
  effects.batch.log_lines.emplace_back(job.record.id, std::move(line));
}

void Engine::Impl::Emit(JobRuntime& job, EngineEvent::Kind kind, const std::string& node,
                        const std::string& type, const std::string& status, const std::string& detail,
                        Effects& effects) {
  EngineEvent event;
  event.kind = kind;
  event.job_id = job.record.id;
  event.action_name = node;
  event.action_type = type;
  event.status = status;
  event.detail = detail;
  event.time_ms = NowMs();
  effects.events.push_back(std::move(event));
}

void Engine::Impl::StartJob(JobRuntime& job, Effects& effects) {
  job.record.status = "RUNNING";
  job.record.start_ms = NowMs();
  PersistJob(job, effects);
  JobLog(job, "", "Job started, app [" + job.record.app_name + "] run [" + std::to_string(job.record.run) + "]",
         effects);
  Emit(job, EngineEvent::Kind::kJobStatus, "", "", "RUNNING", "", effects);
  Advance(job, {Step{job.submission.app.start().name, ""}}, effects);
}

void Engine::Impl::Advance(JobRuntime& job, std::vector<Step> steps, Effects& effects) {
  std::deque<Step> queue(steps.begin(), steps.end());
  int executed = 0;
  while (!queue.empty() && job.record.status == "RUNNING") {
    const Step step = queue.front();
    queue.pop_front();
    if (++executed > kMaxStepsPerAdvance) {
      EndJob(job, "FAILED", "E0709", "Loop detected at runtime, node [" + step.node + "]", effects);
      return;
    }
    const Node* node = job.submission.app.FindNode(step.node);
    if (node == nullptr) {
      EndJob(job, "FAILED", "E0708", "Invalid transition, transition [" + step.node + "]", effects);
      return;
    }
    auto existing = job.actions.find(node->name);
    if (existing != job.actions.end() && existing->second.run == job.record.run && IsDone(existing->second) &&
        node->kind != NodeKind::kJoin) {
      // Done already in this run: a rerun's skipped node replays its
      // transition; anything else on the same path means the graph looped.
      if (job.skip_nodes.count(node->name) > 0) {
        queue.push_back(Step{existing->second.transition, step.path});
        continue;
      }
      if (existing->second.execution_path == step.path) {
        EndJob(job, "FAILED", "E0709", "Loop detected at runtime, node [" + node->name + "]", effects);
        return;
      }
    }
    if (node->kind == NodeKind::kAction) {
      StartAction(job, *node, step.path, effects);
      continue;
    }
    if (!ExecuteControl(job, *node, step, queue, effects)) return;
  }
}

// Runs a control node in place. Returns false when the job ended.
bool Engine::Impl::ExecuteControl(JobRuntime& job, const Node& node, const Step& step, std::deque<Step>& queue,
                                  Effects& effects) {
  auto complete = [&](const std::string& transition) -> WorkflowActionRecord& {
    WorkflowActionRecord& record = RecordFor(job, node, step.path);
    const int64_t now = NowMs();
    record.status = "OK";
    record.transition = transition;
    record.external_status = "OK";
    record.start_ms = now;
    record.end_ms = now;
    Touch(job, record, effects);
    return record;
  };
  switch (node.kind) {
    case NodeKind::kStart:
      complete(node.to);
      queue.push_back(Step{node.to, step.path});
      return true;
    case NodeKind::kEnd:
      complete(node.name);
      EndJob(job, "SUCCEEDED", "", "", effects);
      return false;
    case NodeKind::kKill: {
      auto message = el::Evaluate(node.kill_message, ElContext(job, false));
      WorkflowActionRecord& record = RecordFor(job, node, step.path);
      const int64_t now = NowMs();
      record.status = "OK";
      record.transition = node.name;
      record.external_status = "OK";
      record.start_ms = now;
      record.end_ms = now;
      record.error_code = message.ok() ? "E0729" : "E0756";
      record.error_message = message.ok() ? *message : message.status().ToString();
      Touch(job, record, effects);
      JobLog(job, node.name, "Kill node message [" + record.error_message + "]", effects);
      EndJob(job, "KILLED", record.error_code, record.error_message, effects);
      return false;
    }
    case NodeKind::kDecision: {
      std::string chosen = node.default_to;
      for (const auto& decision_case : node.cases) {
        auto value = el::Evaluate(decision_case.predicate, ElContext(job, false));
        if (!value.ok()) {
          WorkflowActionRecord& record = RecordFor(job, node, step.path);
          record.status = "FAILED";
          record.error_code = "EL_ERROR";
          record.error_message = value.status().message();
          Touch(job, record, effects);
          EndJob(job, "FAILED", "EL_ERROR", value.status().message(), effects);
          return false;
        }
        std::string text = *value;
        text.erase(0, text.find_first_not_of(" \t\r\n"));
        text.erase(text.find_last_not_of(" \t\r\n") + 1);
        if (text == "true") {
          chosen = decision_case.to;
          break;
        }
      }
      complete(chosen);
      JobLog(job, node.name, "Decision chose [" + chosen + "]", effects);
      queue.push_back(Step{chosen, step.path});
      return true;
    }
    case NodeKind::kFork: {
      complete(node.name);
      const std::string group = step.path + "/" + node.name;
      job.fork_size[group] = static_cast<int>(node.fork_paths.size());
      job.join_arrivals[group] = 0;
      for (size_t i = 0; i < node.fork_paths.size(); ++i) {
        queue.push_back(Step{node.fork_paths[i], group + ":" + std::to_string(i)});
      }
      return true;
    }
    case NodeKind::kJoin: {
      if (step.path.empty()) {
        EndJob(job, "FAILED", "E0720", "Fork/join mismatch, node [" + node.name + "]", effects);
        return false;
      }
      const std::string group = ForkGroupOf(step.path);
      const int arrived = ++job.join_arrivals[group];
      if (arrived < job.fork_size[group]) return true;
      complete(node.to);
      queue.push_back(Step{node.to, ParentPathOf(step.path)});
      return true;
    }
    case NodeKind::kAction:
      break;
  }
  return true;
}

void Engine::Impl::StartAction(JobRuntime& job, const Node& node, const std::string& path, Effects& effects) {
  const workflow::ActionSpec& spec = *node.action;
  WorkflowActionRecord& record = RecordFor(job, node, path);
  const int64_t now = NowMs();

  const auto suspend_on = SplitCommaList(job.submission.job_conf.GetOr("oozie.suspend.on.nodes", ""));
  const bool suspend_here = std::any_of(suspend_on.begin(), suspend_on.end(),
                                        [&](const std::string& n) { return n == "*" || n == node.name; });
  if (suspend_here && record.status == "PREP") {
    record.status = "START_MANUAL";
    Touch(job, record, effects);
    SuspendJob(job, "oozie.suspend.on.nodes lists [" + node.name + "]", effects);
    return;
  }

  job.evaluating_node = node.name;
  auto xml = el::Evaluate(spec.xml, ElContext(job, true));
  job.evaluating_node.clear();
  if (!xml.ok()) {
    record.status = "FAILED";
    record.error_code = "EL_ERROR";
    record.error_message = xml.status().message();
    record.start_ms = now;
    record.end_ms = now;
    Touch(job, record, effects);
    JobLog(job, node.name, "EL error at action start: " + record.error_message, effects);
    EndJob(job, "FAILED", "EL_ERROR", record.error_message, effects);
    return;
  }
  if (env.actions->Find(spec.type) == nullptr) {
    record.status = "FAILED";
    record.error_code = "E0723";
    record.error_message = "Unsupported action type, node [" + node.name + "] type [" + spec.type + "]";
    Touch(job, record, effects);
    EndJob(job, "FAILED", record.error_code, record.error_message, effects);
    return;
  }

  record.conf = std::move(xml).value();
  record.status = "RUNNING";
  record.start_ms = now;
  record.end_ms = 0;
  record.error_code.clear();
  record.error_message.clear();
  record.user_retry_max = std::min(spec.retry_max.value_or(0), options.max_user_retries);
  record.user_retry_interval = spec.retry_interval_minutes.value_or(10);
  Touch(job, record, effects);
  JobLog(job, node.name, "Start action [" + record.id + "] type [" + spec.type + "]", effects);
  Emit(job, EngineEvent::Kind::kActionStart, node.name, spec.type, "RUNNING", "", effects);

  job.running[node.name] = std::make_shared<actions::Cancellation>();
  Effects::RunRequest run;
  run.job_id = job.record.id;
  run.node = node.name;
  run.blocking = spec.type == "sub-workflow";
  effects.runs.push_back(std::move(run));
}

bool Engine::Impl::UserRetryAllowed(const JobRuntime& job, const WorkflowActionRecord& record) const {
  if (record.user_retry_count >= record.user_retry_max) return false;
  const auto extra = SplitCommaList(
      job.submission.job_conf.GetOr("oozie.service.LiteWorkflowStoreService.user.retry.error.code.ext", ""));
  if (std::find(extra.begin(), extra.end(), "ALL") != extra.end()) return true;
  if (std::find(extra.begin(), extra.end(), record.error_code) != extra.end()) return true;
  return std::any_of(std::begin(kDefaultRetryErrorCodes), std::end(kDefaultRetryErrorCodes),
                     [&](const char* code) { return record.error_code == code; });
}

void Engine::Impl::FinishAction(JobRuntime& job, const std::string& name, const actions::ActionResult& result,
                                Effects& effects) {
  job.running.erase(name);
  auto it = job.actions.find(name);
  if (it == job.actions.end()) return;
  WorkflowActionRecord& record = it->second;
  const Node* node = job.submission.app.FindNode(name);
  const int64_t now = NowMs();
  record.end_ms = now;
  record.data = result.data;
  record.external_id = result.external_id;
  record.external_status = result.external_status;
  effects.touched_jobs.insert(job.record.id);

  if (internal::IsTerminalJobStatus(job.record.status) || result.outcome == actions::Outcome::kKilled) {
    record.status = "KILLED";
    record.external_status = "KILLED";
    Touch(job, record, effects);
    Emit(job, EngineEvent::Kind::kActionEnd, name, record.type, "KILLED", "", effects);
    return;
  }

  switch (result.outcome) {
    case actions::Outcome::kOk:
      record.status = "OK";
      record.transition = node->action->ok_to;
      Touch(job, record, effects);
      JobLog(job, name, "Action ended OK, transition to [" + record.transition + "]", effects);
      Emit(job, EngineEvent::Kind::kActionEnd, name, record.type, "OK", record.transition, effects);
      Advance(job, {Step{record.transition, record.execution_path}}, effects);
      return;
    case actions::Outcome::kError:
      record.error_code = result.error_code;
      record.error_message = result.error_message;
      if (UserRetryAllowed(job, record)) {
        record.status = "USER_RETRY";
        ++record.user_retry_count;
        const bool exponential = node->action->retry_policy == "exponential";
        const int factor = exponential ? (1 << std::min(record.user_retry_count - 1, 20)) : 1;
        const auto delay = options.retry_interval_unit * record.user_retry_interval * factor;
        record.retry_at_ms = now + std::chrono::duration_cast<std::chrono::milliseconds>(delay).count();
        Touch(job, record, effects);
        JobLog(job, name,
               "Error [" + result.error_code + "] " + result.error_message + "; user retry " +
                   std::to_string(record.user_retry_count) + " of " + std::to_string(record.user_retry_max),
               effects);
        Emit(job, EngineEvent::Kind::kActionEnd, name, record.type, "USER_RETRY", result.error_message, effects);
        effects.runs.push_back({job.record.id, name, false, std::chrono::duration_cast<std::chrono::milliseconds>(delay)});
        return;
      }
      record.status = "ERROR";
      record.transition = node->action->error_to;
      job.last_error_node = name;
      Touch(job, record, effects);
      JobLog(job, name, "Action ended with error [" + result.error_code + "] " + result.error_message, effects);
      Emit(job, EngineEvent::Kind::kActionEnd, name, record.type, "ERROR", result.error_message, effects);
      Advance(job, {Step{record.transition, record.execution_path}}, effects);
      return;
    case actions::Outcome::kFailed:
      record.status = "FAILED";
      record.error_code = result.error_code;
      record.error_message = result.error_message;
      Touch(job, record, effects);
      Emit(job, EngineEvent::Kind::kActionEnd, name, record.type, "FAILED", result.error_message, effects);
      EndJob(job, "FAILED", result.error_code, result.error_message, effects);
      return;
    case actions::Outcome::kTransient:
      record.error_code = result.error_code;
      record.error_message = result.error_message;
      if (record.retries < options.max_transient_retries) {
        ++record.retries;
        record.status = "START_RETRY";
        Touch(job, record, effects);
        effects.runs.push_back({job.record.id, name, false, options.transient_retry_interval});
        return;
      }
      record.status = "START_MANUAL";
      Touch(job, record, effects);
      SuspendJob(job, "action [" + name + "] failed transiently " + std::to_string(record.retries + 1) +
                          " times: " + result.error_message,
                 effects);
      return;
    case actions::Outcome::kKilled:
      return;
  }
}

void Engine::Impl::EndJob(JobRuntime& job, const std::string& status, const std::string& error_code,
                          const std::string& error_message, Effects& effects) {
  job.record.status = status;
  job.record.end_ms = NowMs();
  job.record.error_code = error_code;
  job.record.error_message = error_message;
  for (auto& [name, cancel] : job.running) cancel->Cancel();
  for (auto& [name, record] : job.actions) {
    const bool waiting = record.status == "USER_RETRY" || record.status == "START_RETRY" ||
                         record.status == "START_MANUAL" || record.status == "PREP";
    if (record.run == job.record.run && waiting && job.running.count(name) == 0) {
      record.status = "KILLED";
      record.end_ms = job.record.end_ms;
      Touch(job, record, effects);
    }
  }
  PersistJob(job, effects);
  JobLog(job, "", "Job ended with status [" + status + "]" + (error_message.empty() ? "" : ": " + error_message),
         effects);
  Emit(job, EngineEvent::Kind::kJobStatus, "", "", status, error_message, effects);
}

void Engine::Impl::SuspendJob(JobRuntime& job, const std::string& reason, Effects& effects) {
  job.record.status = "SUSPENDED";
  job.record.error_message = reason;
  PersistJob(job, effects);
  JobLog(job, "", "Job suspended: " + reason, effects);
  Emit(job, EngineEvent::Kind::kJobStatus, "", "", "SUSPENDED", reason, effects);
}

// Rebuilds the frontier of a job from its records: walks the graph from the
// start following recorded transitions, counts join arrivals, and restarts
// whatever was reached but not finished.
void Engine::Impl::Replay(JobRuntime& job, bool recovering, Effects& effects) {
  job.fork_size.clear();
  job.join_arrivals.clear();
  std::vector<Step> frontier;
  std::vector<std::string> manual;
  std::set<std::string> visited;
  std::vector<Step> work{Step{job.submission.app.start().name, ""}};
  while (!work.empty()) {
    const Step step = work.back();
    work.pop_back();
    const Node* node = job.submission.app.FindNode(step.node);
    if (node == nullptr) continue;
    auto it = job.actions.find(step.node);
    const WorkflowActionRecord* record =
        it != job.actions.end() && it->second.run == job.record.run ? &it->second : nullptr;
    if (node->kind == NodeKind::kJoin) {
      if (step.path.empty()) continue;
      const std::string group = ForkGroupOf(step.path);
      if (++job.join_arrivals[group] < job.fork_size[group]) continue;
      if (record != nullptr && IsDone(*record)) {
        work.push_back(Step{node->to, ParentPathOf(step.path)});
      } else {
        --job.join_arrivals[group];  // Advance counts this arrival again
        frontier.push_back(step);
      }
      continue;
    }
    if (!visited.insert(step.node + "|" + step.path).second) continue;
    if (record != nullptr && IsDone(*record)) {
      if (node->kind == NodeKind::kFork) {
        const std::string group = step.path + "/" + node->name;
        job.fork_size[group] = static_cast<int>(node->fork_paths.size());
        for (size_t i = 0; i < node->fork_paths.size(); ++i) {
          work.push_back(Step{node->fork_paths[i], group + ":" + std::to_string(i)});
        }
      } else {
        work.push_back(Step{record->transition, step.path});
      }
      continue;
    }
    if (record != nullptr && job.running.count(step.node) > 0) continue;
    if (record != nullptr && node->kind == NodeKind::kAction && recovering && WasInFlight(record->status)) {
      actions::Action* action = env.actions->Find(node->action->type);
      if (action == nullptr || !action->idempotent()) {
        manual.push_back(step.node);
        continue;
      }
      JobLog(job, step.node, "Action was interrupted by a restart; it is idempotent, so it runs again", effects);
    }
    frontier.push_back(step);
  }
  for (const std::string& name : manual) {
    WorkflowActionRecord& record = job.actions[name];
    record.status = "START_MANUAL";
    record.error_code = "E0816";
    record.error_message = "action [" + name + "] of type [" + record.type +
                           "] was interrupted by a restart while running and is not idempotent, so Refinery did "
                           "not run it again; check its effects, then resume the job to run it again "
                           "(refinery job -resume " + job.record.id + ") or kill it";
    Touch(job, record, effects);
  }
  if (!manual.empty()) {
    SuspendJob(job, job.actions[manual.front()].error_message, effects);
    return;
  }
  Advance(job, std::move(frontier), effects);
}

void Engine::Impl::Commit(Effects& effects) {
  if (!effects.batch.jobs.empty() || !effects.batch.actions.empty() || !effects.batch.log_lines.empty()) {
    const Status status = env.store->Apply(effects.batch);
    if (!status.ok()) Log(LogLevel::kError, "could not persist job state: " + status.ToString());
  }
  for (const EngineEvent& event : effects.events) {
    for (EngineObserver* observer : observers) observer->OnEvent(event);
  }
  for (const auto& run : effects.runs) {
    auto task = [this, job_id = run.job_id, node = run.node] { RunAction(job_id, node); };
    if (run.delay.count() > 0) {
      // A retry: re-enter through Advance so the action's XML is evaluated again.
      pool->PostAfter(run.delay, [this, job_id = run.job_id, node = run.node] {
        std::lock_guard<std::mutex> lock(mu);
        auto it = jobs.find(job_id);
        if (it == jobs.end() || it->second->record.status != "RUNNING") return;
        JobRuntime& job = *it->second;
        auto record = job.actions.find(node);
        if (record == job.actions.end() || job.running.count(node) > 0) return;
        if (record->second.status != "USER_RETRY" && record->second.status != "START_RETRY") return;
        Effects retry_effects;
        StartAction(job, *job.submission.app.FindNode(node), record->second.execution_path, retry_effects);
        Commit(retry_effects);
      });
    } else if (run.blocking) {
      pool->PostBlocking(std::move(task));
    } else {
      pool->Post(std::move(task));
    }
  }
  for (const std::string& id : effects.touched_jobs) {
    auto it = jobs.find(id);
    if (it == jobs.end()) continue;
    if (internal::IsTerminalJobStatus(it->second->record.status) && it->second->running.empty()) jobs.erase(it);
  }
  job_cv.notify_all();
}

// ---------------------------------------------------------------------------
// Worker side

void Engine::Impl::RunAction(const std::string& job_id, const std::string& node_name) {
  std::shared_ptr<JobRuntime> job;
  std::shared_ptr<actions::Cancellation> cancel;
  actions::ActionContext context;
  actions::Action* action = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = jobs.find(job_id);
    if (it == jobs.end()) return;
    job = it->second;
    auto running = job->running.find(node_name);
    if (running == job->running.end()) return;
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
    if (job->submission.app.global) context.name_node = job->submission.app.global->name_node;
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
  context.sub_workflows = owner;
  context.reporter = &reporter;
  context.cancel = cancel.get();

  std::error_code ignored;
  std::filesystem::create_directories(context.scratch_dir, ignored);
  actions::ActionResult result = action->Run(context);
  std::filesystem::remove_all(context.scratch_dir, ignored);

  std::lock_guard<std::mutex> lock(mu);
  Effects effects;
  FinishAction(*job, node_name, result, effects);
  Commit(effects);
}

void Engine::Impl::ReportLog(const std::string& job_id, const std::string& node, const std::string& line) {
  store::WriteBatch batch;
  batch.log_lines.emplace_back(job_id, FormatIsoMillis(env.clock->Now()) + " INFO  [" + node + "] " + line);
  const Status status = env.store->Apply(batch);
  if (!status.ok()) Log(LogLevel::kWarn, "could not store a log line: " + status.ToString());
  std::lock_guard<std::mutex> lock(mu);
  EngineEvent event;
  event.kind = EngineEvent::Kind::kActionLog;
  event.job_id = job_id;
  event.action_name = node;
  event.detail = line;
  event.time_ms = NowMs();
  for (EngineObserver* observer : observers) observer->OnEvent(event);
}

void Engine::Impl::ReportProgress(const std::string& job_id, const std::string& node, double fraction,
                                  const std::string& detail) {
  std::lock_guard<std::mutex> lock(mu);
  EngineEvent event;
  event.kind = EngineEvent::Kind::kActionProgress;
  event.job_id = job_id;
  event.action_name = node;
  event.detail = detail;
  event.fraction = fraction;
  event.time_ms = NowMs();
  for (EngineObserver* observer : observers) observer->OnEvent(event);
}

// ---------------------------------------------------------------------------
// Public API

Result<std::unique_ptr<Engine>> Engine::Create(EngineEnvironment env, EngineOptions options) {
  if (env.store == nullptr || env.files == nullptr || env.actions == nullptr || env.processes == nullptr) {
    return Status::InvalidArgument("engine needs a store, a file system, an action registry and a process runner");
  }
  if (env.clock == nullptr) env.clock = SystemClock();
  if (options.system_id.empty()) options.system_id = "refinery-" + CurrentUserName();
  if (env.scratch_root.empty()) env.scratch_root = (std::filesystem::temp_directory_path() / "refinery-scratch").string();
  auto impl = std::make_unique<Impl>(std::move(env), std::move(options));
  impl->pool = std::make_unique<internal::WorkerPool>(impl->options.worker_threads);
  std::unique_ptr<Engine> engine(new Engine(std::move(impl)));
  engine->impl_->owner = engine.get();
  return engine;
}

Engine::Engine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Engine::~Engine() { Shutdown(); }

void Engine::Shutdown() {
  if (impl_->pool) impl_->pool->Stop();
}

std::vector<std::string> Engine::KnownActionTypes() const { return impl_->KnownTypes(); }

void Engine::AddObserver(EngineObserver* observer) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->observers.push_back(observer);
}

Result<DryRunResult> Engine::DryRun(const Properties& conf) {
  REFINERY_ASSIGN_OR_RETURN(auto submission, impl_->Prepare(conf, nullptr));
  DryRunResult result;
  std::ostringstream graph;
  for (const Node& node : submission.app.nodes) {
    graph << node.name << " (" << (node.kind == NodeKind::kAction ? node.action->type : workflow::NodeKindName(node.kind))
          << ")";
    const auto transitions = node.Transitions();
    if (!transitions.empty()) {
      graph << " ->";
      for (const auto& t : transitions) graph << " " << t;
    }
    graph << "\n";
  }
  result.graph_text = graph.str();
  result.submission = std::move(submission);
  return result;
}

Result<std::string> Engine::Submit(const Properties& conf, bool start) {
  REFINERY_ASSIGN_OR_RETURN(auto submission, impl_->Prepare(conf, nullptr));
  auto job = std::make_shared<JobRuntime>();
  const int64_t now = impl_->NowMs();
  job->record.id = impl_->ids.Next(JobKind::kWorkflow);
  job->record.app_name = submission.app_name;
  job->record.app_path = submission.app_path;
  job->record.user = submission.job_conf.GetOr("user.name", CurrentUserName());
  job->record.group = submission.job_conf.GetOr("group.name", "");
  job->record.status = "PREP";
  job->record.conf = FormatHadoopConfigurationXml(submission.job_conf);
  job->record.definition = submission.app.definition;
  job->record.parent_id = submission.job_conf.GetOr("oozie.wf.parent.id", "");
  job->record.created_ms = now;
  job->submission = std::move(submission);
  impl_->InitRuntime(*job);

  REFINERY_RETURN_IF_ERROR(impl_->Claim(job->record.id));
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->jobs[job->record.id] = job;
  Effects effects;
  impl_->PersistJob(*job, effects);
  impl_->JobLog(*job, "", "Job submitted from [" + job->record.app_path + "]", effects);
  if (start) impl_->StartJob(*job, effects);
  impl_->Commit(effects);
  return job->record.id;
}

Status Engine::Start(const std::string& job_id) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto it = impl_->jobs.find(job_id);
  if (it == impl_->jobs.end()) {
    REFINERY_ASSIGN_OR_RETURN(auto record, impl_->env.store->GetJob(job_id));
    if (record.status != "PREP") {
      return Status::FailedPrecondition("Workflow already running, workflow [" + job_id + "]", "E0801");
    }
    REFINERY_ASSIGN_OR_RETURN(auto job, impl_->LoadRuntime(record));
    REFINERY_RETURN_IF_ERROR(impl_->Claim(job_id));
    it = impl_->jobs.emplace(job_id, job).first;
  }
  if (it->second->record.status != "PREP") {
    return Status::FailedPrecondition("Workflow already running, workflow [" + job_id + "]", "E0801");
  }
  Effects effects;
  impl_->StartJob(*it->second, effects);
  impl_->Commit(effects);
  return Status::Ok();
}

Status Engine::Kill(const std::string& job_id) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  Effects effects;
  auto it = impl_->jobs.find(job_id);
  if (it == impl_->jobs.end()) {
    REFINERY_ASSIGN_OR_RETURN(auto record, impl_->env.store->GetJob(job_id));
    if (internal::IsTerminalJobStatus(record.status)) return Status::Ok();  // Oozie: no effect
    REFINERY_ASSIGN_OR_RETURN(auto job, impl_->LoadRuntime(record));
    it = impl_->jobs.emplace(job_id, job).first;
  }
  if (!internal::IsTerminalJobStatus(it->second->record.status)) {
    impl_->EndJob(*it->second, "KILLED", "", "killed by request", effects);
  }
  impl_->Commit(effects);
  return Status::Ok();
}

Status Engine::Suspend(const std::string& job_id) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto it = impl_->jobs.find(job_id);
  if (it == impl_->jobs.end()) {
    REFINERY_ASSIGN_OR_RETURN(auto record, impl_->env.store->GetJob(job_id));
    (void)record;
    return Status::Ok();  // not running here: Oozie answers 200 with no effect
  }
  if (it->second->record.status != "RUNNING") return Status::Ok();
  Effects effects;
  impl_->SuspendJob(*it->second, "suspended by request", effects);
  impl_->Commit(effects);
  return Status::Ok();
}

Status Engine::Resume(const std::string& job_id) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto it = impl_->jobs.find(job_id);
  if (it == impl_->jobs.end()) {
    REFINERY_ASSIGN_OR_RETURN(auto record, impl_->env.store->GetJob(job_id));
    if (record.status != "SUSPENDED") return Status::Ok();
    REFINERY_ASSIGN_OR_RETURN(auto job, impl_->LoadRuntime(record));
    REFINERY_RETURN_IF_ERROR(impl_->Claim(job_id));
    it = impl_->jobs.emplace(job_id, job).first;
  }
  JobRuntime& job = *it->second;
  if (job.record.status != "SUSPENDED") return Status::Ok();
  Effects effects;
  job.record.status = "RUNNING";
  job.record.error_message.clear();
  impl_->PersistJob(job, effects);
  impl_->JobLog(job, "", "Job resumed", effects);
  impl_->Emit(job, EngineEvent::Kind::kJobStatus, "", "", "RUNNING", "", effects);
  impl_->Replay(job, /*recovering=*/false, effects);
  impl_->Commit(effects);
  return Status::Ok();
}

Status Engine::Rerun(const std::string& job_id, const Properties& conf) {
  REFINERY_ASSIGN_OR_RETURN(auto record, impl_->env.store->GetJob(job_id));
  if (!internal::IsTerminalJobStatus(record.status)) {
    return Status::FailedPrecondition("Workflow job not completed, status [" + record.status + "]", "E0805");
  }
  REFINERY_ASSIGN_OR_RETURN(Properties merged, ParseHadoopConfigurationXml(record.conf, job_id + " conf"));
  merged.MergeFrom(conf);
  const bool has_skip = merged.Contains("oozie.wf.rerun.skip.nodes");
  const bool fail_nodes = merged.GetOr("oozie.wf.rerun.failnodes", "false") == "true";
  if (has_skip && merged.Contains("oozie.wf.rerun.failnodes")) {
    return Status::InvalidArgument(
        "Only one of the properties are allowed [oozie.wf.rerun.skip.nodes OR oozie.wf.rerun.failnodes]", "E0404");
  }
  REFINERY_ASSIGN_OR_RETURN(auto previous_actions, impl_->env.store->ListActions(job_id));
  std::map<std::string, WorkflowActionRecord> last_run;
  for (auto& action : previous_actions) {
    if (action.run == record.run) last_run[action.name] = action;
  }
  std::set<std::string> skip;
  if (has_skip) {
    for (const std::string& name : SplitCommaList(*merged.Get("oozie.wf.rerun.skip.nodes"))) {
      auto it = last_run.find(name);
      if (it == last_run.end()) {
        return Status::InvalidArgument("Some skip actions were not executed [" + name + "]", "E0807");
      }
      if (it->second.status != "OK") {
        return Status::InvalidArgument("Action did not complete in previous run, action [" + name + "]", "E0806");
      }
      skip.insert(name);
    }
  } else if (fail_nodes) {
    for (const auto& [name, action] : last_run) {
      if (action.status == "OK" && action.type.front() != ':' && action.type != "switch") skip.insert(name);
    }
  }
  // Skipped nodes are kept in the job's conf so a restart mid-rerun still skips them.
  for (const std::string& name : skip) merged.Set("refinery.rerun.skipped." + name, "true");
  // Drop the markers of an earlier rerun that are not skipped this time.
  std::vector<std::string> stale;
  for (const auto& [key, value] : merged.entries()) {
    if (key.rfind("refinery.rerun.skipped.", 0) == 0 && skip.count(key.substr(23)) == 0) stale.push_back(key);
  }
  for (const auto& key : stale) merged.Erase(key);

  record.run += 1;
  record.conf = FormatHadoopConfigurationXml(merged);
  record.status = "RUNNING";
  record.end_ms = 0;
  record.error_code.clear();
  record.error_message.clear();
  REFINERY_ASSIGN_OR_RETURN(auto job, impl_->LoadRuntime(record));
  REFINERY_RETURN_IF_ERROR(impl_->Claim(job_id));
  for (const std::string& name : skip) {
    WorkflowActionRecord action = last_run[name];
    action.run = record.run;
    job->actions[name] = action;
  }

  std::lock_guard<std::mutex> lock(impl_->mu);
  if (impl_->jobs.count(job_id) > 0) {
    return Status::FailedPrecondition("Workflow job not completed, status [RUNNING]", "E0805");
  }
  impl_->jobs[job_id] = job;
  Effects effects;
  for (const std::string& name : skip) effects.batch.actions.push_back(job->actions[name]);
  impl_->JobLog(*job, "", "Rerun " + std::to_string(record.run) + " skipping " + std::to_string(skip.size()) +
                              " node(s)", effects);
  impl_->StartJob(*job, effects);
  impl_->Commit(effects);
  return Status::Ok();
}

Result<store::WorkflowJobRecord> Engine::WaitForJob(const std::string& job_id) {
  std::unique_lock<std::mutex> lock(impl_->mu);
  for (;;) {
    auto it = impl_->jobs.find(job_id);
    if (it == impl_->jobs.end()) break;
    const std::string& status = it->second->record.status;
    if (status == "SUSPENDED" || (internal::IsTerminalJobStatus(status) && it->second->running.empty())) {
      return it->second->record;
    }
    impl_->job_cv.wait(lock);
  }
  lock.unlock();
  return impl_->env.store->GetJob(job_id);
}

Result<std::vector<std::string>> Engine::Recover() {
  REFINERY_ASSIGN_OR_RETURN(auto ids, impl_->env.store->ListUnfinishedJobIds());
  std::vector<std::string> recovered;
  for (const std::string& id : ids) {
    REFINERY_ASSIGN_OR_RETURN(auto record, impl_->env.store->GetJob(id));
    if (record.status != "RUNNING") continue;
    {
      std::lock_guard<std::mutex> lock(impl_->mu);
      if (impl_->jobs.count(id) > 0) continue;
    }
    if (impl_->OwnedByAnotherLiveProcess(id)) continue;
    REFINERY_RETURN_IF_ERROR(impl_->Claim(id));
    auto job = impl_->LoadRuntime(record);
    if (!job.ok()) {
      Log(LogLevel::kError, "could not recover job " + id + ": " + job.status().ToString());
      continue;
    }
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->jobs[id] = *job;
    Effects effects;
    impl_->JobLog(**job, "", "Recovering job after a restart", effects);
    impl_->Replay(**job, /*recovering=*/true, effects);
    impl_->Commit(effects);
    recovered.push_back(id);
  }
  return recovered;
}

Result<actions::SubWorkflowRunner::Outcome> Engine::Run(const Properties& child_conf,
                                                       const actions::Cancellation& cancel) {
  REFINERY_ASSIGN_OR_RETURN(std::string child_id, Submit(child_conf, /*start=*/true));
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(impl_->mu);
      auto it = impl_->jobs.find(child_id);
      if (it == impl_->jobs.end()) break;
      const std::string& status = it->second->record.status;
      if (status == "SUSPENDED" || internal::IsTerminalJobStatus(status)) break;
      impl_->job_cv.wait_for(lock, std::chrono::milliseconds(200));
    }
    if (cancel.cancelled()) {
      REFINERY_RETURN_IF_ERROR(Kill(child_id));
    }
  }
  REFINERY_ASSIGN_OR_RETURN(auto record, WaitForJob(child_id));
  return Outcome{child_id, record.status};
}

workflow::AppFileReader MakeAppFileReader(const fs::FileSystem* files) {
  workflow::AppFileReader reader;
  reader.read = [files](const std::string& uri) -> Result<std::string> { return files->ReadFile(uri); };
  reader.is_directory = [files](const std::string& uri) {
    auto is_dir = files->IsDirectory(uri);
    return is_dir.ok() && *is_dir;
  };
  return reader;
}

}  // namespace refinery::engine
