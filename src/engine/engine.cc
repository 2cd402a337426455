#include "engine/engine_impl.h"

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
using internal::SplitCommaList;

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
  impl->request_watcher = std::thread([raw = impl.get()] { raw->WatchRequests(); });
  std::unique_ptr<Engine> engine(new Engine(std::move(impl)));
  engine->impl_->owner = engine.get();
  // Seen by `admin -status` and /metrics of every process on the store; the
  // server announces its real URL once it listens.
  if (Status registered = engine->AnnounceUrl(engine->impl_->options.base_url); !registered.ok()) {
    Log(LogLevel::kWarn, "could not register this process in the state store: " + registered.ToString());
  }
  engine->impl_->lease_keeper = std::thread([raw = engine->impl_.get()] { raw->KeepLeases(); });
  return engine;
}

Engine::Engine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Engine::~Engine() { Shutdown(); }

void Engine::Impl::WatchRequests() {
  constexpr auto kPollInterval = std::chrono::milliseconds(300);
  for (;;) {
    std::vector<std::string> ids;
    {
      std::unique_lock<std::mutex> lock(mu);
      stop_cv.wait_for(lock, kPollInterval, [this] { return stopping; });
      if (stopping) return;
      for (const auto& [id, job] : jobs) ids.push_back(id);
    }
    for (const std::string& id : ids) {
      auto request = env.store->GetMeta("request." + id);
      if (!request.ok() || !request->has_value() || (*request)->empty()) continue;
      (void)env.store->PutMeta("request." + id, "");
      if (**request == "kill") (void)owner->Kill(id);
      if (**request == "suspend") (void)owner->Suspend(id);
      if (**request == "resume") (void)owner->Resume(id);
    }
  }
}

void Engine::Shutdown() {
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->stop_cv.notify_all();
  if (impl_->request_watcher.joinable()) impl_->request_watcher.join();
  if (impl_->lease_keeper.joinable()) impl_->lease_keeper.join();
  if (impl_->pool) impl_->pool->Stop();
  if (impl_->unregistered.exchange(true)) return;
  // Frees this engine's leases: other servers take over its unfinished
  // jobs at once instead of after the lease expires.
  impl_->ReleaseAll();
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
    REFINERY_RETURN_IF_ERROR(impl_->Claim(job_id));
    REFINERY_ASSIGN_OR_RETURN(auto job, impl_->LoadRuntime(record));
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
    if (impl_->OwnedByAnotherLiveProcess(job_id)) return impl_->env.store->PutMeta("request." + job_id, "kill");
    if (Status claimed = impl_->Claim(job_id); !claimed.ok()) {
      if (claimed.error_code() != store::kStoreLeaseHeldCode) return claimed;
      return impl_->env.store->PutMeta("request." + job_id, "kill");
    }
    REFINERY_ASSIGN_OR_RETURN(record, impl_->env.store->GetJob(job_id));  // as of the lease
    if (internal::IsTerminalJobStatus(record.status)) {
      impl_->ReleaseLocked(job_id);
      return Status::Ok();
    }
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
    if (record.status == "RUNNING" && impl_->OwnedByAnotherLiveProcess(job_id)) {
      return impl_->env.store->PutMeta("request." + job_id, "suspend");
    }
    return Status::Ok();  // not running anywhere: Oozie answers 200 with no effect
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
    if (Status claimed = impl_->Claim(job_id); !claimed.ok()) {
      // Suspended in another live process's memory: it resumes the job.
      if (claimed.error_code() != store::kStoreLeaseHeldCode) return claimed;
      return impl_->env.store->PutMeta("request." + job_id, "resume");
    }
    REFINERY_ASSIGN_OR_RETURN(record, impl_->env.store->GetJob(job_id));  // as of the lease
    if (record.status != "SUSPENDED") {
      impl_->ReleaseLocked(job_id);
      return Status::Ok();
    }
    REFINERY_ASSIGN_OR_RETURN(auto job, impl_->LoadRuntime(record));
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

// The same path as the keeper's takeover of jobs whose owner died.
Result<std::vector<std::string>> Engine::Recover() { return impl_->TakeOverOrphans(); }

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
      if (impl_->stopping) {
        // The child stays RUNNING in the store; the next start recovers both.
        return Status::Cancelled("engine shutting down while sub-workflow [" + child_id + "] runs");
      }
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
