#include "executor/slurm_cluster.h"

#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "support/free_port.h"

extern char** environ;

namespace refinery::executor::testing {
namespace {

namespace stdfs = std::filesystem;

bool OnPath(const std::string& name) {
  for (const char* dir : {"/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin", "/usr/local/bin"}) {
    if (::access((std::string(dir) + "/" + name).c_str(), X_OK) == 0) return true;
  }
  return false;
}

std::string ShortHostName() {
  std::array<char, 256> name{};
  ::gethostname(name.data(), name.size() - 1);
  std::string host = name.data();
  return host.substr(0, host.find('.'));
}

// The daemons run as whoever runs the test (root on CI and the dev machine).
std::string UserName() {
  const passwd* entry = ::getpwuid(::geteuid());
  return entry == nullptr ? "root" : entry->pw_name;
}

long PhysicalMegabytes() {
  return static_cast<long>(::sysconf(_SC_PHYS_PAGES) / 1024 * ::sysconf(_SC_PAGESIZE) / 1024);
}

std::string Tail(const stdfs::path& path, size_t lines) {
  std::ifstream in(path);
  std::vector<std::string> kept;
  for (std::string line; std::getline(in, line);) {
    kept.push_back(line);
    if (kept.size() > lines) kept.erase(kept.begin());
  }
  std::string text;
  for (const auto& line : kept) text += "  " + line + "\n";
  return text;
}

bool WaitForExit(pid_t pid, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (::waitpid(pid, nullptr, WNOHANG) == pid) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

}  // namespace

std::string SlurmCluster::MissingBinary() {
  for (const char* name : {"munged", "slurmctld", "slurmd", "sbatch", "squeue", "scontrol", "scancel", "sinfo"}) {
    if (!OnPath(name)) return name;
  }
  return "";
}

pid_t SlurmCluster::Launch(const std::vector<std::string>& argv, const stdfs::path& log) {
  std::vector<std::string> args = argv;
  std::vector<char*> raw;
  for (auto& arg : args) raw.push_back(arg.data());
  raw.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, raw[0], &actions, nullptr, raw.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return -1;
  daemons_.push_back(pid);
  return pid;
}

std::string SlurmCluster::WriteConfig() {
  const std::string host = ShortHostName();
  const long memory = std::clamp(PhysicalMegabytes() / 2, 256L, 8192L);
  const unsigned cpus = std::max(1u, std::thread::hardware_concurrency());
  const std::string d = dir_.string();
  std::ofstream out(conf_);
  out << "# Written by tests/executor/slurm_cluster.cc for one test; removed with it.\n"
      << "ClusterName=refinerytest\n"
      << "SlurmctldHost=" << host << "(127.0.0.1)\n"
      << "SlurmctldPort=" << ::refinery::testing::FreeLoopbackPort() << "\n"
      << "SlurmdPort=" << ::refinery::testing::FreeLoopbackPort() << "\n"
      << "SlurmUser=" << UserName() << "\nSlurmdUser=" << UserName() << "\n"
      << "AuthType=auth/munge\nCredType=cred/munge\n"
      << "AuthInfo=socket=" << d << "/munge/munge.socket\n"
      << "MpiDefault=none\n"
      << "ProctrackType=proctrack/linuxproc\nTaskPlugin=task/none\n"
      << "JobAcctGatherType=jobacct_gather/none\nAccountingStorageType=accounting_storage/none\n"
      << "SelectType=select/cons_tres\nSelectTypeParameters=CR_Core_Memory\nDefMemPerCPU=100\n"
      << "SchedulerType=sched/backfill\n"
      << "ReturnToService=2\nMailProg=/bin/true\n"
      << "KillWait=2\nMinJobAge=300\nInactiveLimit=0\n"
      << "StateSaveLocation=" << d << "/state\nSlurmdSpoolDir=" << d << "/spool\n"
      << "SlurmctldPidFile=" << d << "/slurmctld.pid\nSlurmdPidFile=" << d << "/slurmd.pid\n"
      << "SlurmctldLogFile=" << d << "/slurmctld.log\nSlurmdLogFile=" << d << "/slurmd.log\n"
      << "NodeName=" << host << " NodeAddr=127.0.0.1 CPUs=" << cpus << " RealMemory=" << memory << " State=UNKNOWN\n"
      << "PartitionName=daily Nodes=ALL Default=YES MaxTime=INFINITE State=UP\n"
      << "PartitionName=tiny Nodes=ALL MaxTime=1 State=UP\n";
  return out ? "" : "could not write " + conf_.string();
}

std::string SlurmCluster::Start(const stdfs::path& dir) {
  dir_ = dir;
  conf_ = dir_ / "slurm.conf";
  for (const char* sub : {"munge", "state", "spool"}) stdfs::create_directories(dir_ / sub);
  // munged insists on private directories and a key only its owner reads.
  stdfs::permissions(dir_ / "munge", stdfs::perms::owner_all);
  {
    std::ofstream key(dir_ / "munge" / "munge.key", std::ios::binary);
    std::random_device random;
    for (int i = 0; i < 1024; ++i) key.put(static_cast<char>(random() & 0xff));
  }
  ::chmod((dir_ / "munge" / "munge.key").c_str(), 0400);
  const std::string munge = (dir_ / "munge").string();
  if (Launch({"munged", "--foreground", "--force", "--socket=" + munge + "/munge.socket",
              "--key-file=" + munge + "/munge.key", "--pid-file=" + munge + "/munged.pid",
              "--log-file=" + munge + "/munged.log", "--seed-file=" + munge + "/munged.seed"},
             dir_ / "munged.out") < 0) {
    return "could not start munged";
  }
  if (std::string error = WriteConfig(); !error.empty()) return error;
  ::setenv("SLURM_CONF", conf_.c_str(), 1);
  // munged creates its socket asynchronously; slurmctld needs it at start.
  for (int i = 0; i < 100 && !stdfs::exists(munge + "/munge.socket"); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (Launch({"slurmctld", "-D", "-f", conf_.string()}, dir_ / "slurmctld.out") < 0) return "could not start slurmctld";
  if (Launch({"slurmd", "-D", "-f", conf_.string()}, dir_ / "slurmd.out") < 0) return "could not start slurmd";
  for (int i = 0; i < 300; ++i) {
    const std::string state = Shell("sinfo -h -N -o %t 2>/dev/null");
    if (state.rfind("idle", 0) == 0) return "";
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return "the Slurm node did not become idle within 30 s; sinfo says \"" + Shell("sinfo -h -N -o %t 2>&1") + "\"\n" +
         LogTails();
}

std::string SlurmCluster::LogTails() const {
  std::string text;
  for (const char* name : {"munged.out", "slurmctld.out", "slurmctld.log", "slurmd.out", "slurmd.log"}) {
    text += std::string(name) + ":\n" + Tail(dir_ / name, 15);
  }
  return text;
}

std::string SlurmCluster::Shell(const std::string& command) const {
  const std::string line = "SLURM_CONF='" + conf_.string() + "' " + command;
  FILE* pipe = ::popen(line.c_str(), "r");
  if (pipe == nullptr) return "";
  std::string out;
  std::array<char, 4096> buffer{};
  for (size_t n; (n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0;) out.append(buffer.data(), n);
  ::pclose(pipe);
  return out;
}

void SlurmCluster::Stop() {
  if (daemons_.empty()) return;
  // Jobs still running would outlive slurmd (their slurmstepd is detached).
  if (daemons_.size() == 3) {
    Shell("squeue -h -o %i | xargs -r scancel 2>/dev/null");
    for (int i = 0; i < 100 && !Shell("squeue -h -t PD,R,CG -o %i 2>/dev/null").empty(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  for (auto it = daemons_.rbegin(); it != daemons_.rend(); ++it) {
    ::kill(*it, SIGTERM);
    if (!WaitForExit(*it, std::chrono::seconds(10))) {
      ::kill(*it, SIGKILL);
      ::waitpid(*it, nullptr, 0);
    }
  }
  daemons_.clear();
}

}  // namespace refinery::executor::testing
