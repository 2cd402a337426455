// Resolution and validation of refinery.action.executor and refinery.slurm.*.
#include <regex>
#include <sstream>

#include "executor/executor.h"

namespace refinery::executor {
namespace {

constexpr char kExecutorKey[] = "refinery.action.executor";

// The action's own <configuration> wins over the job's properties.
std::optional<std::string> Lookup(const std::string& key, const Properties& action_conf, const Properties* job_conf) {
  if (auto value = action_conf.Get(key); value && !value->empty()) return value;
  if (job_conf != nullptr) {
    if (auto value = job_conf->Get(key); value && !value->empty()) return value;
  }
  return std::nullopt;
}

Status Invalid(const std::string& key, const std::string& value, const std::string& expected) {
  return Status::InvalidArgument("refinery.action: setting " + key + " has the invalid value \"" + value +
                                 "\": " + expected +
                                 " (fix it in the action's <configuration> or the job "
                                 "properties)");
}

std::string DefaultPartition(const Properties& action_conf, const Properties* job_conf) {
  for (const char* key : {"refinery.slurm.partition", "oozie.launcher.mapred.job.queue.name", "mapreduce.job.queuename",
                          "mapred.job.queue.name", "queueName"}) {
    if (auto value = Lookup(key, action_conf, job_conf)) return *value;
  }
  return "";
}

Status ReadPartition(const Properties& action_conf, const Properties* job_conf, SlurmResources* out) {
  out->partition = DefaultPartition(action_conf, job_conf);
  static const std::regex kName("[A-Za-z0-9_.-]+");
  if (!out->partition.empty() && !std::regex_match(out->partition, kName)) {
    return Invalid("refinery.slurm.partition", out->partition, "a Slurm partition name (letters, digits, _ . -)");
  }
  return Status::Ok();
}

Status ReadCpus(const Properties& action_conf, const Properties* job_conf, SlurmResources* out) {
  auto value = Lookup("refinery.slurm.cpus", action_conf, job_conf);
  if (!value) return Status::Ok();
  static const std::regex kCount("[1-9][0-9]{0,3}");
  if (!std::regex_match(*value, kCount)) {
    return Invalid("refinery.slurm.cpus", *value, "a whole number of CPUs from 1 to 9999, e.g. 4");
  }
  out->cpus = std::stoi(*value);
  return Status::Ok();
}

Status ReadMemory(const Properties& action_conf, const Properties* job_conf, SlurmResources* out) {
  auto value = Lookup("refinery.slurm.memory", action_conf, job_conf);
  if (!value) return Status::Ok();
  static const std::regex kSize("[1-9][0-9]{0,8}[KMGT]?");
  if (!std::regex_match(*value, kSize)) {
    return Invalid("refinery.slurm.memory", *value, "a size in megabytes or with a K, M, G or T suffix, e.g. 2G");
  }
  out->memory = *value;
  return Status::Ok();
}

Status ReadTime(const Properties& action_conf, const Properties* job_conf, SlurmResources* out) {
  auto value = Lookup("refinery.slurm.time", action_conf, job_conf);
  if (!value) return Status::Ok();
  // sbatch --time: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS, or UNLIMITED.
  static const std::regex kTime(
      "[0-9]+|[0-9]+:[0-9]{1,2}|[0-9]+:[0-9]{1,2}:[0-9]{1,2}|"
      "[0-9]+-[0-9]{1,2}(:[0-9]{1,2}){0,2}|UNLIMITED|unlimited|infinite");
  if (!std::regex_match(*value, kTime)) {
    return Invalid("refinery.slurm.time", *value,
                   "minutes or Slurm's syntax (MM:SS, HH:MM:SS, D-HH, D-HH:MM:SS, UNLIMITED), e.g. 90 or 1:30:00");
  }
  out->time_limit = *value;
  return Status::Ok();
}

Status ReadExtraArgs(const Properties& action_conf, const Properties* job_conf, SlurmResources* out) {
  auto value = Lookup("refinery.slurm.extra-args", action_conf, job_conf);
  if (!value) return Status::Ok();
  std::istringstream words(*value);
  for (std::string word; words >> word;) {
    if (word.rfind("-", 0) != 0 && (out->extra_args.empty() || out->extra_args.back().find('=') != std::string::npos)) {
      return Invalid("refinery.slurm.extra-args", *value,
                     "sbatch options separated by spaces, each starting with '-', e.g. --qos=high --constraint=ssd");
    }
    out->extra_args.push_back(word);
  }
  return Status::Ok();
}

}  // namespace

Status ValidateExecutorName(const std::string& value, const std::string& where) {
  if (value == "local" || value == "slurm") return Status::Ok();
  return Status::InvalidArgument(where + ": executor \"" + value + "\" is not known; use local or slurm");
}

Result<ExecutorChoice> ChooseExecutor(const std::string& action_type, const Properties& action_conf,
                                      const Properties* job_conf, const std::string& server_default) {
  ExecutorChoice choice;
  // A sub-workflow runs a child job through this engine; it cannot leave the process.
  if (action_type == "sub-workflow") return choice;
  const std::string name = Lookup(kExecutorKey, action_conf, job_conf).value_or(server_default);
  if (name.empty() || name == "local") return choice;
  if (name != "slurm") return Invalid(kExecutorKey, name, "local or slurm");
  choice.kind = ExecutorKind::kSlurm;
  REFINERY_RETURN_IF_ERROR(ReadPartition(action_conf, job_conf, &choice.slurm));
  REFINERY_RETURN_IF_ERROR(ReadCpus(action_conf, job_conf, &choice.slurm));
  REFINERY_RETURN_IF_ERROR(ReadMemory(action_conf, job_conf, &choice.slurm));
  REFINERY_RETURN_IF_ERROR(ReadTime(action_conf, job_conf, &choice.slurm));
  REFINERY_RETURN_IF_ERROR(ReadExtraArgs(action_conf, job_conf, &choice.slurm));
  choice.slurm.refinery_binary = Lookup("refinery.slurm.refinery-binary", action_conf, job_conf).value_or("");
  return choice;
}

}  // namespace refinery::executor
