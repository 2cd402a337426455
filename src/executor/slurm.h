// Internal: what the Slurm executor knows of Slurm's commands — the sbatch
// command line, `scontrol show job -o` output, and how a job's state becomes
// an action outcome. Pure functions, unit-tested without a cluster.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "actions/action.h"
#include "executor/executor.h"

namespace refinery::executor::internal {

struct SlurmJobInfo {
  std::string job_id;
  std::string state;   // JobState, e.g. RUNNING, COMPLETED, TIMEOUT
  std::string reason;  // Reason, e.g. None, PartitionTimeLimit
  int exit_code = 0;   // ExitCode=<code>:<signal>
  int signal = 0;
  std::string time_limit;  // TimeLimit, e.g. 00:01:00
  std::string partition;
};

struct SubmitPaths {
  std::string script;  // the batch script
  std::string output;  // stdout and stderr of the job
  std::string workdir;
  std::string job_name;
  std::string home;  // exported as REFINERY_HOME ("" = not set)
};

// `sbatch --parsable ...` for one action.
std::vector<std::string> SbatchArgv(const SlurmResources& resources, const SubmitPaths& paths);

// Parses one line of `scontrol show job -o ID`; nullopt when it has no JobState.
std::optional<SlurmJobInfo> ParseScontrolJob(const std::string& text);

// A state after which the job never runs again.
bool IsFinalState(const std::string& state);
// A pending reason that will not clear on its own (the job can never start).
bool IsHopelessPendingReason(const std::string& reason);

// Outcome of a job that reached a final state other than COMPLETED, or
// COMPLETED without a result file (`result_missing`).
actions::ActionResult MapFailedJob(const SlurmJobInfo& info, const std::string& output_tail);
// Error for a job that cannot start; names the partition and the fix.
actions::ActionResult MapHopelessPending(const SlurmJobInfo& info, const SlurmResources& resources);
// Error for a refused submission (sbatch's stderr), listing the partitions
// the cluster has when the partition was the problem.
actions::ActionResult MapSubmitError(const std::string& sbatch_stderr, const SlurmResources& resources,
                                     const std::string& known_partitions);

// Lines starting with this prefix in a job's output are progress reports:
// "<prefix><fraction> <detail>".
inline constexpr char kProgressPrefix[] = "[refinery-progress] ";

}  // namespace refinery::executor::internal
