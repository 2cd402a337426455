// scheduler: runs coordinator jobs. It stores each submitted coordinator,
// materializes its actions exactly once per nominal time (the actions and the
// job's new position are one store batch), waits for each action's nominal
// time and input data, starts its workflow on the engine, follows it to the
// end, and ends the job when its last action is done. It sleeps until the
// next nominal time, data re-check or timeout — there is no fixed polling
// interval — and wakes early when a workflow it started ends. Time comes from
// the injected Clock, so tests drive it with RunDue() on a fake clock.
//
// Crash safety: an action is marked SUBMITTED before its workflow starts, and
// the workflow carries the action id as its parent id; after a restart a
// SUBMITTED action adopts the workflow with that parent instead of starting a
// second one.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "coordinator/bundle.h"
#include "coordinator/coordinator.h"
#include "core/clock.h"
#include "core/job_id.h"
#include "core/properties.h"
#include "engine/engine.h"
#include "fs/file_system.h"
#include "store/store.h"

namespace refinery::scheduler {

struct SchedulerOptions {
  coordinator::MaterializeOptions materialize;
  // First wait before looking again for missing input data; doubles up to
  // the maximum while the data stays missing.
  std::chrono::milliseconds data_recheck_min = std::chrono::seconds(5);
  std::chrono::milliseconds data_recheck_max = std::chrono::minutes(1);
  bool check_maximum_frequency = false;  // Oozie's 5-minute minimum, off by default
  // SLA misses of coordinator actions (<sla:info> in <action>): each is POSTed
  // as JSON to these webhooks; base_url links the job in the alert email.
  std::vector<std::string> sla_webhook_urls;
  std::string base_url = "http://127.0.0.1:11000/oozie";
  std::string system_id;                 // id segment, default "refinery-<user>"
  // Several servers on one store (doc/operations.md, "Several servers"):
  // only the process holding the lease "scheduler" materializes and runs
  // coordinators and bundles, and its writes carry the lease's fence, so a
  // leader that stalled and lost the lease writes nothing when it wakes.
  // The others retry every half TTL. Empty: this process always schedules
  // (one process; tests on a fake clock).
  std::string lease_owner;
  std::chrono::milliseconds lease_ttl = std::chrono::seconds(30);
};

class CoordinatorScheduler : public engine::EngineObserver {
 public:
  // `files` is written only by -rerun, which deletes output directories.
  CoordinatorScheduler(store::Store* store, engine::Engine* engine, fs::FileSystem* files, const Clock* clock,
                       SchedulerOptions options = {});
  ~CoordinatorScheduler() override;

  // Reads coordinator.xml from oozie.coord.application.path, validates it and
  // stores a RUNNING job (PREP when `start` is false). Errors carry Oozie's
  // codes (E0302, E0701, E1003, E1004, ...).
  Result<std::string> Submit(const Properties& conf, bool start = true);
  // PREP -> RUNNING, PREPPAUSED -> PAUSED (its pause time has come).
  Status Start(const std::string& id);
  Status Kill(const std::string& id);     // the job, its waiting actions and running workflows
  // No new actions start; each RUNNING action's workflow is suspended through
  // the engine and the action shows SUSPENDED. Resume undoes both.
  Status Suspend(const std::string& id);
  Status Resume(const std::string& id);

  // Oozie's `job -change ID -value 'endtime=T;concurrency=N;pausetime=T'`
  // (CoordChangeXCommand). endtime must follow the start and the nominal time
  // of every action already started; actions at or past it that have not
  // started are deleted, and an ended job runs again. concurrency is an
  // integer (negative: unbounded). pausetime stops materialization at or after
  // it (empty clears it) and must not be past; actions materialized at or past
  // it that have not started are deleted; from it the job shows PAUSED (or
  // PREPPAUSED before it starts). status=RUNNING revives a FAILED, KILLED or
  // IGNORED job (it materializes what is left before its end), status=IGNORED
  // sets a FAILED or KILLED one aside; a KILLED or IGNORED job takes nothing
  // else. Errors: E1015 (bad value or status), E1016 (killed or ignored job),
  // E0604 (unknown id). The next pass uses the new values.
  Status Change(const std::string& id, const std::string& value);

  // Oozie's `job -ignore ID -action 1,3-4`: the actions in `scope` (numbers and
  // ranges, comma-separated) become IGNORED; each must be FAILED, KILLED or
  // TIMEDOUT (else E1024 naming the others, and nothing changes). An ended
  // job's status is recomputed with ignored actions counting as clean.
  // An empty `scope` ignores the job itself, as Oozie's servlet does: it is
  // Change(id, "status=IGNORED") (E1015 unless FAILED or KILLED). Returns the
  // actions ignored (none for the job).
  Result<std::vector<store::CoordinatorActionRecord>> Ignore(const std::string& id, const std::string& scope);

  // Oozie's `job -rerun ID -action 1,3-4 | -date A::B` (CoordRerunXCommand,
  // coordinator_rerun.cc). Each action in scope must be TIMEDOUT, SUCCEEDED,
  // KILLED, FAILED or IGNORED (else E1018 naming the others, and nothing
  // changes). Unless `nocleanup`, the output-event directories of each action
  // (data-out without nocleanup="true") are deleted first. The actions go
  // back to WAITING in one store batch (with `refresh` their input instances
  // are resolved again) and an ended job runs again. A rerun action starts a
  // new workflow, except with `failed`: then its workflow reruns under the
  // same id with oozie.wf.rerun.failnodes=true. Returns the actions rerun.
  struct RerunRequest {
    std::string type = "action";  // "action": numbers 1,3-4; "date": A::B ranges and dates, comma-separated
    std::string scope;
    bool refresh = false;
    bool nocleanup = false;
    bool failed = false;
  };
  Result<std::vector<store::CoordinatorActionRecord>> Rerun(const std::string& id, const RerunRequest& request);

  // Oozie's coordinator dry run: validates `conf` as Submit does and returns
  // the first `max_actions` actions it would materialize from the start
  // (nominal times and dataset instances), storing nothing.
  struct DryRunResult {
    coordinator::CoordinatorApp app;
    std::vector<coordinator::MaterializedAction> actions;
  };
  Result<DryRunResult> DryRun(const Properties& conf, int max_actions);

  // Bundles (bundle_scheduler.cc). SubmitBundle reads bundle.xml from
  // oozie.bundle.application.path (a directory, or the file itself),
  // validates it and stores a RUNNING bundle (PREP when `start` is false, as
  // Oozie's -submit). At its kick-off time a RUNNING bundle submits each
  // enabled coordinator — the bundle's configuration under the coordinator's
  // own <configuration>, named as the bundle names it, bundle_id set — in the
  // same store batch that marks the bundle started, so it happens exactly
  // once. Kill, suspend and resume cascade to its coordinators; its status
  // rolls up from theirs (coordinator/bundle.h).
  Result<std::string> SubmitBundle(const Properties& conf, bool start = true);
  // PREP -> RUNNING, PREPPAUSED -> PAUSED (its pause time has come).
  Status StartBundle(const std::string& id);
  Status KillBundle(const std::string& id);
  Status SuspendBundle(const std::string& id);
  Status ResumeBundle(const std::string& id);
  // Oozie's `job -change BUNDLE -value 'endtime=T;pausetime=T'`: each value
  // goes to every coordinator the bundle started that has not ended, as that
  // coordinator's -change would take it. E1015 for any other key. The bundle
  // keeps the pause time too (Oozie's PauseTransitService): from it the
  // bundle shows PREPPAUSED (not started) or PAUSED, and coordinators it
  // submits at kick-off take it; clearing or moving it undoes that.
  Status ChangeBundle(const std::string& id, const std::string& value);
  // Oozie's bundle dry run (BundleSubmitXCommand with dryrun): reads and
  // validates bundle.xml as SubmitBundle does, and each enabled coordinator
  // it names as the kick-off would submit it (Oozie checks only bundle.xml);
  // stores nothing. A coordinator that does not validate fails it, its error
  // naming the coordinator and bundle.xml's line.
  struct BundleDryRunCoordinator {
    std::string name;
    coordinator::CoordinatorApp app;
  };
  struct BundleDryRunResult {
    coordinator::BundleApp app;
    std::vector<BundleDryRunCoordinator> coordinators;  // the enabled ones, in bundle.xml's order
  };
  Result<BundleDryRunResult> DryRunBundle(const Properties& conf);
  // Oozie's bundle rerun: the named coordinators of the bundle (every one
  // when `coordinators` is empty) rerun their actions at the nominal times in
  // `dates` (as a coordinator rerun's -date), or all of them when it is empty;
  // an ended bundle runs again. E0303 names an unknown coordinator. Returns
  // the actions rerun.
  struct BundleRerunRequest {
    std::string coordinators;  // names, comma-separated
    std::string dates;
    bool refresh = false;
    bool nocleanup = false;
  };
  Result<std::vector<store::CoordinatorActionRecord>> RerunBundle(const std::string& id,
                                                                  const BundleRerunRequest& request);

  // Does everything due at the clock's now: materializes, times out or skips
  // waiting actions, starts ready ones, follows running ones, ends finished
  // jobs. Returns when something is next due (nullopt: nothing scheduled).
  std::optional<TimePoint> RunDue();

  // The background thread: RunDue, then sleep until the returned time or a
  // wake-up. Stop() joins it.
  void StartThread();
  void Stop();

  // Called with (actual start - nominal time) in seconds for each action
  // started (the server's scheduler-lag metric).
  void SetLagObserver(std::function<void(double)> observer);

  // True while this process holds the scheduler lease (always without one).
  bool leading() const { return options_.lease_owner.empty() || fence_.load() > 0; }

  // engine::EngineObserver: a workflow of ours ended.
  void OnEvent(const engine::EngineEvent& event) override;

 private:
  struct Loaded;
  Result<Loaded*> Load(const store::CoordinatorJobRecord& job);
  Result<std::optional<TimePoint>> RunJob(store::CoordinatorJobRecord job);
  Status SetJobStatus(const std::string& id, const std::string& status, const std::string& action_status,
                      bool kill_workflows);
  // Suspends (or resumes) the workflows of the job's running (or suspended) actions.
  Status CascadeSuspend(const std::string& id, bool suspend);
  // Records the SLA misses of the job's actions (coordinator_sla.cc); returns
  // the next deadline at which one could happen.
  // Reruns a workflow's failed nodes (oozie.wf.rerun.failnodes=true); returns its id.
  Result<std::string> RerunFailedNodes(const std::string& workflow_id);
  struct SlaMemory {
    bool seeded = false;               // `recorded` read from the store
    std::set<std::string> recorded;    // "<action id> <event>" already in the store
    std::set<std::string> settled;     // ended actions evaluated once since loading
  };
  std::optional<TimePoint> CheckActionSlas(const coordinator::CoordinatorApp& app, const Properties& conf,
                                           SlaMemory& memory, const store::CoordinatorJobRecord& job,
                                           const std::vector<store::CoordinatorActionRecord>& actions,
                                           TimePoint now);
  // A submitted configuration read and validated (Submit and DryRun).
  struct Parsed {
    Properties conf;
    std::string user;
    std::string app_path;
    std::string definition;
    coordinator::CoordinatorApp app;
  };
  Result<Parsed> ParseSubmission(const Properties& submitted);
  // A new coordinator job record for a parsed submission (Submit, bundles).
  store::CoordinatorJobRecord NewCoordinatorRecord(const Parsed& parsed, bool start);
  // Bundles (bundle_scheduler.cc), under run_mu_: submit the coordinators of
  // RUNNING bundles whose kick-off time has come (returns the next kick-off),
  // and roll ended coordinators up into their bundle's status.
  std::optional<TimePoint> KickOffBundles(TimePoint now);
  // Moves bundles in and out of (PREP)PAUSED at their pause times; returns
  // the next pause time to come.
  std::optional<TimePoint> FollowBundlePauseTimes(TimePoint now);
  void RollUpBundles(TimePoint now);
  Status SetBundleStatus(const std::string& id, const std::vector<std::string>& from, const std::string& prep_to,
                         const std::string& to, std::vector<store::CoordinatorJobRecord>* coordinators);
  void Wake();
  // Takes or renews the scheduler lease (under run_mu_); false while
  // another process leads, and then the next try is due at *retry.
  bool Lead(std::optional<TimePoint>* retry);
  // store_->Apply with the scheduler fence while leading: a pass of a leader
  // that lost the lease writes nothing (STORE_FENCED) and stops leading.
  Status ApplyFenced(store::WriteBatch batch);
  // Writes one bundle's record (fenced) on its own; a failure is logged and
  // the bundle is left as stored for the next pass.
  bool SaveBundle(const store::BundleJobRecord& bundle);
  // The lease TTL in ms, at least 1 (the lease and retry periods divide it).
  int64_t LeaseTtlMs() const { return std::max<int64_t>(1, options_.lease_ttl.count()); }

  store::Store* store_;
  engine::Engine* engine_;
  fs::FileSystem* files_;
  const Clock* clock_;
  SchedulerOptions options_;
  JobIdGenerator ids_;

  std::mutex run_mu_;  // one RunDue / control call at a time
  std::map<std::string, std::unique_ptr<Loaded>> loaded_;  // guarded by run_mu_
  std::function<void(double)> lag_observer_;                // guarded by run_mu_

  std::atomic<int64_t> fence_{0};  // the scheduler lease's fence; 0 = not leading

  std::mutex wake_mu_;
  std::condition_variable wake_cv_;
  bool woken_ = false;     // guarded by wake_mu_
  bool stopping_ = false;  // guarded by wake_mu_
  std::thread thread_;
};

}  // namespace refinery::scheduler
