// A real single-node Slurm cluster for tests: its own munge key and munged,
// slurmctld and slurmd (Debian's packages) with a slurm.conf, state and logs
// inside a temporary directory, on free ports. Partitions: `daily` (the
// default) and `tiny` (MaxTime 1 minute). Start() exports SLURM_CONF so the
// test's child processes (refinery, sbatch, squeue) use it; Stop() cancels
// leftover jobs and stops the three daemons by pid.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace refinery::executor::testing {

class SlurmCluster {
 public:
  SlurmCluster() = default;
  SlurmCluster(const SlurmCluster&) = delete;
  SlurmCluster& operator=(const SlurmCluster&) = delete;
  ~SlurmCluster() { Stop(); }

  // "" when munged, slurmctld, slurmd and the client commands are installed;
  // else the missing program's name.
  static std::string MissingBinary();

  // Starts the cluster in `dir` (created) and waits until the node is idle.
  // Returns "" or what went wrong, with the daemons' log tails.
  std::string Start(const std::filesystem::path& dir);
  void Stop();

  // Runs a shell command line with this cluster's SLURM_CONF; returns stdout.
  std::string Shell(const std::string& command) const;
  const std::filesystem::path& conf() const { return conf_; }

 private:
  pid_t Launch(const std::vector<std::string>& argv, const std::filesystem::path& log);
  std::string WriteConfig();
  std::string LogTails() const;

  std::filesystem::path dir_;
  std::filesystem::path conf_;
  std::vector<pid_t> daemons_;  // munged, slurmctld, slurmd
};

}  // namespace refinery::executor::testing
