// The engine's private parts, shared by its .cc files: the Impl behind
// Engine, and Effects, the record of what one locked step decided.
// Not part of the public API.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/job_id.h"
#include "core/time_format.h"
#include "engine/engine.h"
#include "engine/file_info_adapter.h"
#include "engine/job_runtime.h"
#include "engine/process_token.h"
#include "engine/sla.h"
#include "engine/worker_pool.h"
#include "workflow/workflow_app.h"

namespace refinery::engine {

namespace internal {
bool IsJavaIdentifier(std::string_view name);
std::vector<std::string> SplitCommaList(const std::string& text);
// "/f:0/g:1" -> group "/f:0/g", parent path "/f:0".
inline std::string ForkGroupOf(const std::string& path) { return path.substr(0, path.rfind(':')); }
inline std::string ParentPathOf(const std::string& path) { return path.substr(0, path.rfind('/')); }
bool IsDone(const store::WorkflowActionRecord& record);
// Action statuses meaning "started here but not finished".
bool WasInFlight(const std::string& status);
}  // namespace internal

using internal::JobRuntime;
using internal::Step;
using store::WorkflowActionRecord;
using workflow::Node;
using workflow::NodeKind;

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
  std::map<std::string, internal::SlaJobWatch> sla_watches;     // by job id; guarded by mu
  std::unique_ptr<internal::WorkerPool> pool;
  Engine* owner = nullptr;  // runs sub-workflows

  // Kill and suspend requests from other processes sharing the data home
  // arrive as meta keys "request.<job id>"; this thread polls them for the
  // jobs this process runs.
  std::thread request_watcher;
  std::condition_variable stop_cv;  // guarded by mu
  bool stopping = false;            // guarded by mu
  void WatchRequests();

  Impl(EngineEnvironment e, EngineOptions o)
      : env(std::move(e)),
        options(std::move(o)),
        ids(options.system_id, env.clock->Now()),
        file_info(env.files) {}

  int64_t NowMs() const { return ToEpochMillis(env.clock->Now()); }

  // ---- Leases (lease_keeper.cc; doc/operations.md, "Several servers") ----
  // Each job this engine runs is held through the lease "workflow:<job id>"
  // (owner: process_id); every batch that touches it carries its fence, so
  // once another process has taken the job over nothing more is written
  // for it here.
  std::string process_id = internal::CurrentProcessId();
  std::mutex lease_mu;  // after mu when both are taken
  std::map<std::string, int64_t> fences;  // job id -> fence; guarded by lease_mu
  // Jobs whose lease was lost, with their old runtime while a worker still
  // holds it: their writes are dropped, and the job is not taken back until
  // that runtime is gone. Guarded by lease_mu.
  std::map<std::string, std::weak_ptr<JobRuntime>> lost;
  std::atomic<int64_t> takeovers{0};
  std::atomic<bool> unregistered{false};
  std::once_flag registered;
  std::string url;  // as last announced; guarded by lease_mu
  void Register();    // counts this engine among the process's on its store
  void ReleaseAll();  // at shutdown: its leases, and the process row after the last engine
  std::thread lease_keeper;
  void KeepLeases();
  void ForgetStaleProcesses(int64_t stale_ms);

  // Takes the job's lease for this process: when free, expired, ours, or
  // held by a process on this host that has exited (so a restart recovers
  // at once). STORE_LEASE_HELD when another live process runs the job.
  Status Claim(const std::string& job_id);
  bool OwnedByAnotherLiveProcess(const std::string& job_id);
  static std::string LeaseOf(const std::string& job_id) { return "workflow:" + job_id; }
  // Resumes RUNNING jobs no live process holds (Recover and the keeper).
  Result<std::vector<std::string>> TakeOverOrphans();
  // Drops a job whose lease is gone: cancels its actions, forgets it.
  void DropJobLocked(const std::string& job_id, const std::string& why);  // REQUIRES(mu)
  // Strips what `effects` would write or start for lost jobs and adds the
  // fences of the jobs its batch touches (takes lease_mu).
  void Fence(Effects& effects);
  // After a STORE_FENCED batch: drops the jobs of `effects` whose lease moved (REQUIRES(mu)).
  void DropFencedLocked(const Effects& effects);
  // A finished job's lease is released (REQUIRES(mu)).
  void ReleaseLocked(const std::string& job_id);

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
  // Persists, notifies, then starts work. With `continuation`, the first
  // immediate run is handed back to the caller instead of queued.
  void Commit(Effects& effects, Effects::RunRequest* continuation = nullptr);
  // Adds the outbox rows for the job and action notification URLs of the
  // events in `effects` to its batch (notifications.cc).
  void QueueNotifications(Effects& effects);
  // Records the SLA misses of the touched jobs and their actions, with their
  // alerts, in the batch and schedules a check at the next deadline
  // (sla_monitor.cc).
  void QueueSlaEvents(Effects& effects);
  // A deadline check: evaluates the job's SLAs at the clock's now and commits.
  void CheckSlaOf(const std::string& job_id);

  // Actions that ended and wait to be recorded (group commit): the worker
  // that gets `mu` records every waiting end in one batch, so branches of a
  // fork that end together share one store transaction.
  struct EndedAction {
    std::shared_ptr<JobRuntime> job;
    std::string node;
    actions::ActionResult result;
    std::vector<std::pair<std::string, std::string>> log_lines;
  };
  std::mutex ended_mu;             // taken after mu when both are held
  std::vector<EndedAction> ended;  // guarded by ended_mu

  // ---- Worker side (no lock held on entry) ----
  void RunAction(const std::string& job_id, const std::string& node_name);
  // Runs one action; returns the next action to run on this thread, if any.
  Effects::RunRequest RunActionOnce(const std::string& job_id, const std::string& node_name);
  // An action's log line as the job log stores it.
  std::string FormatActionLogLine(TimePoint time, const std::string& node, const std::string& line) const;
  // Appends (job id, line) pairs to job logs in one transaction.
  void StoreLogLines(std::vector<std::pair<std::string, std::string>> lines);
  void ReportProgress(const std::string& job_id, const std::string& node, double fraction,
                      const std::string& detail);
  // Tells observers about an action's log line or progress (takes mu).
  void NotifyActionEvent(EngineEvent::Kind kind, const std::string& job_id, const std::string& node,
                         const std::string& detail, double fraction);
};

}  // namespace refinery::engine
