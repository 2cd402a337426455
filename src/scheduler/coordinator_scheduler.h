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

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

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
  std::string system_id;                 // id segment, default "refinery-<user>"
};

class CoordinatorScheduler : public engine::EngineObserver {
 public:
  CoordinatorScheduler(store::Store* store, engine::Engine* engine, const fs::FileSystem* files, const Clock* clock,
                       SchedulerOptions options = {});
  ~CoordinatorScheduler() override;

  // Reads coordinator.xml from oozie.coord.application.path, validates it and
  // stores a RUNNING job (PREP when `start` is false). Errors carry Oozie's
  // codes (E0302, E0701, E1003, E1004, ...).
  Result<std::string> Submit(const Properties& conf, bool start = true);
  Status Start(const std::string& id);    // PREP -> RUNNING
  Status Kill(const std::string& id);     // the job, its waiting actions and running workflows
  Status Suspend(const std::string& id);  // no new actions start; running workflows are suspended
  Status Resume(const std::string& id);

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

  // engine::EngineObserver: a workflow of ours ended.
  void OnEvent(const engine::EngineEvent& event) override;

 private:
  struct Loaded;
  Result<Loaded*> Load(const store::CoordinatorJobRecord& job);
  Result<std::optional<TimePoint>> RunJob(store::CoordinatorJobRecord job);
  Status SetJobStatus(const std::string& id, const std::string& status, const std::string& action_status,
                      bool kill_workflows);
  void Wake();

  store::Store* store_;
  engine::Engine* engine_;
  const fs::FileSystem* files_;
  const Clock* clock_;
  SchedulerOptions options_;
  JobIdGenerator ids_;

  std::mutex run_mu_;  // one RunDue / control call at a time
  std::map<std::string, std::unique_ptr<Loaded>> loaded_;  // guarded by run_mu_
  std::function<void(double)> lag_observer_;                // guarded by run_mu_

  std::mutex wake_mu_;
  std::condition_variable wake_cv_;
  bool woken_ = false;     // guarded by wake_mu_
  bool stopping_ = false;  // guarded by wake_mu_
  std::thread thread_;
};

}  // namespace refinery::scheduler
