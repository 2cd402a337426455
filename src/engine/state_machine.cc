// The locked state machine: steps, control nodes, action start and end,
// job end, suspension, replay after a restart, and committing effects.
#include "engine/engine_impl.h"
#include "core/xml_text.h"

#include <algorithm>
#include <filesystem>
#include <sstream>

#include <pugixml.hpp>

#include "core/log.h"
#include "core/time_format.h"

namespace refinery::engine {

using internal::ForkGroupOf;
using internal::IsDone;
using internal::ParentPathOf;
using internal::WasInFlight;
using internal::SplitCommaList;
using internal::IsJavaIdentifier;

namespace {
constexpr const char* kDefaultRetryErrorCodes[] = {"JA008", "JA009", "JA017", "JA018",
                                                   "JA019", "FS009", "FS008", "FS014"};
constexpr int kMaxStepsPerAdvance = 1000000;

// " (in node [a] at workflow.xml:12)": where an EL error came from.
std::string WhereUsed(const JobRuntime& job, const Node& node) {
  return " (in node [" + node.name + "] at " + job.submission.app.source_name + ":" + std::to_string(node.line) + ")";
}
}  // namespace

// ---------------------------------------------------------------------------
// Locked state machine

el::Context Engine::Impl::ElContext(JobRuntime& job, bool escape_variables) {
  el::Context context;
  context.functions = &job.functions;
  const Properties* conf = &job.submission.job_conf;
  context.variables = [conf, escape_variables](std::string_view name) -> std::optional<el::Value> {
    if (IsJavaIdentifier(name)) {
      if (auto value = conf->Get(name)) {
        return el::Value::String(escape_variables ? EscapeXml(*value) : *value);
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
          record.error_message = value.status().message() + WhereUsed(job, node);
          Touch(job, record, effects);
          EndJob(job, "FAILED", "EL_ERROR", record.error_message, effects);
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
    record.error_message = xml.status().message() + WhereUsed(job, node);
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

void Engine::Impl::Commit(Effects& effects, Effects::RunRequest* continuation) {
  QueueNotifications(effects);
  QueueSlaEvents(effects);
  Fence(effects);
  const store::WriteBatch& batch = effects.batch;
  auto has_writes = [&batch] {
    return !batch.jobs.empty() || !batch.actions.empty() || !batch.log_lines.empty() ||
           !batch.notifications.empty() || !batch.sla_events.empty();
  };
  if (has_writes()) {
    Status status = env.store->Apply(batch);
    if (status.error_code() == store::kStoreFencedCode) {
      // Another process took a job over: nothing of it may be written or
      // acted on here. The rest of the step (other jobs) is written again.
      DropFencedLocked(effects);
      effects.batch.fences.clear();
      Fence(effects);
      status = has_writes() ? env.store->Apply(batch) : Status::Ok();
    }
    if (!status.ok()) Log(LogLevel::kError, "could not persist job state: " + status.ToString());
  }
  for (const EngineEvent& event : effects.events) {
    for (EngineObserver* observer : observers) observer->OnEvent(event);
  }
  for (const auto& run : effects.runs) {
    // The worker that just finished an action runs the next one itself: no
    // hand-off to another thread on the critical path of a chain.
    if (continuation != nullptr && continuation->node.empty() && run.delay.count() == 0 && !run.blocking) {
      *continuation = run;
      continue;
    }
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
  // Waiters only care about jobs that stopped (ended or suspended); waking
  // them on every step would cost a context switch per action.
  bool someone_stopped = false;
  for (const std::string& id : effects.touched_jobs) {
    auto it = jobs.find(id);
    if (it == jobs.end()) continue;
    const std::string& status = it->second->record.status;
    if (status != "RUNNING" && status != "PREP") someone_stopped = true;
    if (internal::IsTerminalJobStatus(status) && it->second->running.empty()) {
      jobs.erase(it);
      ReleaseLocked(id);
    }
  }
  if (someone_stopped) job_cv.notify_all();
}


}  // namespace refinery::engine
