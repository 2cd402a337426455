// engine: runs workflow jobs as durable state machines (Oozie's statuses and
// transitions, SPEC.md §7). It is event-driven: when an action ends, the next
// node starts at once on a bounded worker pool; fork branches run
// concurrently. Every step is written to the store before it is acted on, so
// after a crash Recover() resumes each unfinished job without running a
// completed action again. Progress and logs reach observers, never stdout.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "actions/action.h"
#include "core/clock.h"
#include "core/properties.h"
#include "core/status.h"
#include "fs/file_system.h"
#include "store/store.h"
#include "workflow/job_config.h"

namespace refinery::executor {
class ActionDispatcher;
}

namespace refinery::engine {

// Something that happened to a job; observers get these in order per job.
struct EngineEvent {
  enum class Kind { kJobStatus, kActionStart, kActionEnd, kActionProgress, kActionLog };
  Kind kind = Kind::kJobStatus;
  std::string job_id;
  std::string action_name;  // "" for job events
  std::string action_type;
  std::string status;       // job or action status after the event
  std::string detail;       // transition, error message, log line or progress detail
  double fraction = -1;     // progress in [0,1], < 0 unknown
  int64_t time_ms = 0;
};

// Observers are called on engine threads and must be quick and thread-safe.
class EngineObserver {
 public:
  virtual ~EngineObserver() = default;
  virtual void OnEvent(const EngineEvent& event) = 0;
};

// The world the engine runs in. Pointers are borrowed and must outlive it.
struct EngineEnvironment {
  store::Store* store = nullptr;
  fs::FileSystem* files = nullptr;
  actions::ActionRegistry* actions = nullptr;
  const Clock* clock = nullptr;
  actions::ProcessRunner* processes = nullptr;
  actions::Mailer* mailer = nullptr;  // may be null: email actions then fail with EM006
  registry::Registry* models = nullptr;  // may be null: publish actions then fail with REG001
  std::string scratch_root;           // local dir for action working directories
  // May be null: every action runs in-process. Else it decides per action
  // (refinery.action.executor) and may run it as a Slurm job (executor/).
  executor::ActionDispatcher* dispatcher = nullptr;
};

struct EngineOptions {
  int worker_threads = 4;
  std::string system_id;              // id segment, default "refinery-<user>"
  std::string base_url = "http://127.0.0.1:11000/oozie";  // for wf:callback and consoleUrl
  int max_user_retries = 3;           // oozie.service.LiteWorkflowStoreService.user.retry.max
  // Length of one retry-interval unit. Oozie counts minutes; tests shorten it.
  std::chrono::milliseconds retry_interval_unit = std::chrono::minutes(1);
  int max_transient_retries = 3;      // oozie.action.retries.max
  // Server-wide webhooks: every workflow job status change is POSTed to each
  // URL as JSON, through the same durable outbox as Oozie's notifications.
  std::vector<std::string> webhook_urls;
  std::chrono::milliseconds transient_retry_interval = std::chrono::seconds(10);
  // Several engines on one store (doc/operations.md, "Several servers"): a
  // job's lease lasts this long without renewal (renewed every third of
  // it); every process sharing a store should use the same value.
  std::chrono::milliseconds lease_ttl = std::chrono::seconds(30);
  // Whether this engine takes over RUNNING jobs whose lease expired (a
  // server does; one-shot commands leave them to the servers).
  bool take_over_orphans = false;
};

struct DryRunResult {
  workflow::WorkflowSubmission submission;
  std::string graph_text;  // nodes and transitions, one per line
};

// Thread-safe.
class Engine : public actions::SubWorkflowRunner {
 public:
  static Result<std::unique_ptr<Engine>> Create(EngineEnvironment env, EngineOptions options);
  ~Engine() override;

  // Validates and stores a new job (PREP); with `start`, runs it. Errors
  // carry Oozie codes (E0701 ... E0808, E0302).
  Result<std::string> Submit(const Properties& conf, bool start);
  Result<DryRunResult> DryRun(const Properties& conf);

  Status Start(const std::string& job_id);    // PREP -> RUNNING (E0801 otherwise)
  Status Kill(const std::string& job_id);     // no effect on finished jobs
  Status Suspend(const std::string& job_id);  // no effect unless RUNNING
  Status Resume(const std::string& job_id);   // no effect unless SUSPENDED
  // Reruns a finished job (E0805 otherwise) with `conf` merged over the old
  // one; honours oozie.wf.rerun.skip.nodes / oozie.wf.rerun.failnodes.
  Status Rerun(const std::string& job_id, const Properties& conf);

  // Blocks until the job is SUCCEEDED, KILLED, FAILED or SUSPENDED.
  Result<store::WorkflowJobRecord> WaitForJob(const std::string& job_id);

  // Resumes every RUNNING job in the store that no other live process runs
  // (call once at start). Returns the ids it took over.
  Result<std::vector<std::string>> Recover();

  void AddObserver(EngineObserver* observer);
  // Evaluates the <sla:info> deadlines of the jobs this process runs at the
  // clock's now (sla.h). A timer does this at each deadline on its own;
  // tests call it after moving a fake clock.
  void CheckSla();
  // Stops accepting work, cancels nothing, waits for running actions.
  void Shutdown();

  // This process in the store's processes and leases tables
  // ("<host>:<pid>:<start ticks>"), the URL it registered, and how many jobs
  // it took over from processes that died or stalled.
  std::string ProcessId() const;
  Status AnnounceUrl(const std::string& url);
  int64_t LeaseTakeovers() const;
  std::chrono::milliseconds LeaseTtl() const;

  // Action types the parser accepts (registered + Hadoop-only).
  std::vector<std::string> KnownActionTypes() const;

  // actions::SubWorkflowRunner
  Result<Outcome> Run(const Properties& child_conf, const actions::Cancellation& cancel) override;

  struct Impl;

 private:
  explicit Engine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Action state (actions::ActionState, e.g. an incremental import's last
// value) kept in the store's meta area, so a later run continues where the
// last stopped; `refinery run-action` on a Slurm node uses the same keys.
std::unique_ptr<actions::ActionState> MakeStoreActionState(store::Store* store);

// Reads application files through the file-system layer (hdfs://, /abs,
// file://).
workflow::AppFileReader MakeAppFileReader(const fs::FileSystem* files);

}  // namespace refinery::engine
