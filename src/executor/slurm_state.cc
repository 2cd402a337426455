// Slurm's command lines and job states, as text in and text out.
#include <algorithm>
#include <cstdlib>
#include <sstream>

#include "executor/slurm.h"

namespace refinery::executor::internal {
namespace {

// The value of `Key=` in scontrol's one-line output (values hold no spaces
// for the keys we read).
std::string Field(const std::string& text, const std::string& key) {
  const std::string needle = key + "=";
  size_t at = 0;
  while ((at = text.find(needle, at)) != std::string::npos) {
    if (at == 0 || text[at - 1] == ' ') break;
    at += needle.size();
  }
  if (at == std::string::npos) return "";
  const size_t start = at + needle.size();
  const size_t end = text.find_first_of(" \n", start);
  return text.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

std::string Describe(const SlurmJobInfo& info) {
  std::string text = "Slurm job " + info.job_id;
  if (!info.partition.empty()) text += " (partition \"" + info.partition + "\")";
  return text;
}

std::string WithTail(std::string message, const std::string& output_tail) {
  if (output_tail.empty()) return message;
  return message + "; last output:\n" + output_tail;
}

}  // namespace

std::vector<std::string> SbatchArgv(const SlurmResources& resources, const SubmitPaths& paths) {
  std::vector<std::string> argv = {"sbatch", "--parsable", "--job-name=" + paths.job_name, "--output=" + paths.output,
                                   "--chdir=" + paths.workdir};
  if (!resources.partition.empty()) argv.push_back("--partition=" + resources.partition);
  if (resources.cpus > 0) argv.push_back("--cpus-per-task=" + std::to_string(resources.cpus));
  if (!resources.memory.empty()) argv.push_back("--mem=" + resources.memory);
  if (!resources.time_limit.empty()) argv.push_back("--time=" + resources.time_limit);
  argv.push_back(paths.home.empty() ? "--export=ALL" : "--export=ALL,REFINERY_HOME=" + paths.home);
  argv.insert(argv.end(), resources.extra_args.begin(), resources.extra_args.end());
  argv.push_back(paths.script);
  return argv;
}

std::optional<SlurmJobInfo> ParseScontrolJob(const std::string& text) {
  SlurmJobInfo info;
  info.state = Field(text, "JobState");
  if (info.state.empty()) return std::nullopt;
  info.job_id = Field(text, "JobId");
  info.reason = Field(text, "Reason");
  info.time_limit = Field(text, "TimeLimit");
  info.partition = Field(text, "Partition");
  const std::string exit_code = Field(text, "ExitCode");
  const size_t colon = exit_code.find(':');
  info.exit_code = std::atoi(exit_code.substr(0, colon).c_str());
  if (colon != std::string::npos) info.signal = std::atoi(exit_code.substr(colon + 1).c_str());
  return info;
}

bool IsFinalState(const std::string& state) {
  static const char* const kFinal[] = {"COMPLETED",     "CANCELLED",    "FAILED",    "TIMEOUT",
                                       "NODE_FAIL",     "PREEMPTED",    "BOOT_FAIL", "DEADLINE",
                                       "OUT_OF_MEMORY", "SPECIAL_EXIT", "REVOKED"};
  return std::find(std::begin(kFinal), std::end(kFinal), state) != std::end(kFinal);
}

bool IsHopelessPendingReason(const std::string& reason) {
  static const char* const kHopeless[] = {"PartitionTimeLimit",   "PartitionNodeLimit", "PartitionConfig",
                                          "BadConstraints",       "InvalidAccount",     "InvalidQOS",
                                          "PartitionDoesNotExist"};
  return std::find(std::begin(kHopeless), std::end(kHopeless), reason) != std::end(kHopeless);
}

actions::ActionResult MapFailedJob(const SlurmJobInfo& info, const std::string& output_tail) {
  actions::ActionResult result;
  if (info.state == "TIMEOUT") {
    result = actions::ActionResult::Error(
        "SLURM_TIMEOUT", Describe(info) + " exceeded its time limit of " + info.time_limit +
                             "; raise refinery.slurm.time (within the partition's MaxTime) or choose another "
                             "partition with refinery.slurm.partition");
  } else if (info.state == "CANCELLED") {
    result = actions::ActionResult::Error(
        "SLURM_CANCELLED", Describe(info) + " was cancelled outside Refinery (scancel or an administrator)");
  } else if (info.state == "COMPLETED") {
    result = actions::ActionResult::Error(
        "SLURM_NO_RESULT", WithTail(Describe(info) + " completed without writing its result file; check that the "
                                                     "node sees the data home and runs the same refinery binary",
                                    output_tail));
  } else {
    std::string message = Describe(info) + " ended " + info.state + " with exit code " + std::to_string(info.exit_code);
    if (info.signal != 0) message += " (signal " + std::to_string(info.signal) + ")";
    if (info.state == "OUT_OF_MEMORY") message += "; raise refinery.slurm.memory";
    result = actions::ActionResult::Error("SLURM_" + info.state, WithTail(message, output_tail));
  }
  result.external_id = info.job_id;
  result.external_status = info.state;
  return result;
}

actions::ActionResult MapHopelessPending(const SlurmJobInfo& info, const SlurmResources& resources) {
  std::string fix = "check the job's resources against the partition's limits (scontrol show partition)";
  if (info.reason == "PartitionTimeLimit") {
    fix = "the time limit " + (resources.time_limit.empty() ? info.time_limit : resources.time_limit) +
          " exceeds the partition's MaxTime; lower refinery.slurm.time or choose another partition with "
          "refinery.slurm.partition";
  } else if (info.reason == "PartitionNodeLimit" || info.reason == "PartitionConfig") {
    fix =
        "the CPUs or memory asked for (refinery.slurm.cpus, refinery.slurm.memory) do not fit the partition; "
        "ask for less or choose another partition with refinery.slurm.partition";
  }
  actions::ActionResult result =
      actions::ActionResult::Error("SLURM_PENDING", Describe(info) + " can never start: " + info.reason + ": " + fix);
  result.external_id = info.job_id;
  result.external_status = "PENDING";
  return result;
}

actions::ActionResult MapSubmitError(const std::string& sbatch_stderr, const SlurmResources& resources,
                                     const std::string& known_partitions) {
  std::string cause = sbatch_stderr;
  while (!cause.empty() && (cause.back() == '\n' || cause.back() == ' ')) cause.pop_back();
  if (cause.find("nvalid partition") != std::string::npos) {
    return actions::ActionResult::Error(
        "SLURM_SUBMIT", "sbatch refused the job: Slurm has no partition \"" + resources.partition +
                            "\" (from refinery.slurm.partition or the queue name); set refinery.slurm.partition "
                            "to one of: " +
                            (known_partitions.empty() ? "(sinfo lists none)" : known_partitions));
  }
  return actions::ActionResult::Error("SLURM_SUBMIT", "sbatch refused the job: " + cause);
}

}  // namespace refinery::executor::internal
