// executor: decides where an action runs and runs it there. By default an
// action runs in the engine's process (`local`); with
// refinery.action.executor=slurm it becomes a Slurm batch job that runs
// `refinery run-action --spec FILE` on a node seeing the shared data home:
// the engine submits it with sbatch, follows it with scontrol, streams its
// output into the action's log, cancels it with scancel when the job is
// killed, and maps Slurm's job states to action outcomes (doc/executors.md).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actions/action.h"
#include "core/properties.h"
#include "core/status.h"

namespace refinery::executor {

enum class ExecutorKind { kLocal, kSlurm };

// Resources of one Slurm job, from refinery.slurm.* settings.
struct SlurmResources {
  std::string partition;                // "" = the cluster's default partition
  int cpus = 0;                         // 0 = Slurm's default
  std::string memory;                   // "" = default; else e.g. 512M, 2G
  std::string time_limit;               // "" = the partition's; Slurm syntax (minutes, HH:MM:SS, D-HH)
  std::vector<std::string> extra_args;  // passed to sbatch as they are
  std::string refinery_binary;          // "" = this process's binary
};

struct ExecutorChoice {
  ExecutorKind kind = ExecutorKind::kLocal;
  SlurmResources slurm;
};

// Resolves refinery.action.executor and refinery.slurm.* for one action: the
// action's effective <configuration> first, then the job's properties, then
// `server_default` (local or slurm). The partition defaults to the action's
// or job's queue name (oozie.launcher.mapred.job.queue.name,
// mapreduce.job.queuename, mapred.job.queue.name, queueName). Sub-workflow
// actions always run locally. An invalid value is InvalidArgument naming the
// setting, the value and the fix.
Result<ExecutorChoice> ChooseExecutor(const std::string& action_type, const Properties& action_conf,
                                      const Properties* job_conf, const std::string& server_default);

// Checks a server-wide default ("local" or "slurm").
Status ValidateExecutorName(const std::string& value, const std::string& where);

// What the engine calls for every action. Thread-safe.
class ActionDispatcher {
 public:
  virtual ~ActionDispatcher() = default;
  // Runs `action` elsewhere when its executor says so and returns its
  // result; returns nullopt when it should run in-process.
  virtual std::optional<actions::ActionResult> RunElsewhere(actions::Action& action,
                                                            actions::ActionContext& context) = 0;
};

struct DispatcherOptions {
  std::string default_executor = "local";  // refinery.action.executor of the server
  std::string home;                        // the data home, exported to the job as REFINERY_HOME
  std::string refinery_binary;             // "" = /proc/self/exe
  // Polling backoff while following a job (grows by half each poll).
  int initial_poll_ms = 200;
  int max_poll_ms = 5000;
};
std::unique_ptr<ActionDispatcher> MakeDispatcher(DispatcherOptions options);

}  // namespace refinery::executor
