// The local ProcessRunner: posix_spawn into a new process group, stdout and
// stderr through pipes, stdin from /dev/null. Cancellation sends SIGTERM to
// the whole group, then SIGKILL after a grace period, so a script's own
// children (`sleep 30`) die with it.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <system_error>
#include <thread>

#include "actions/action.h"

extern char** environ;

namespace refinery::actions {
namespace {

namespace stdfs = std::filesystem;
using SteadyClock = std::chrono::steady_clock;

constexpr size_t kStderrTailBytes = 4096;
constexpr auto kKillGrace = std::chrono::seconds(5);
// After the child exits, how long its pipes may stay open (a background
// grandchild holding them) before we stop reading.
constexpr auto kDrainAfterExit = std::chrono::seconds(2);
constexpr int kPollMs = 50;
constexpr char kDefaultPath[] = "/usr/local/bin:/usr/bin:/bin";

std::string Quote(const std::string& text) { return "\"" + text + "\""; }
std::string ErrnoText(int err) { return std::generic_category().message(err); }

// Both ends of a pipe, closed on destruction.
struct Pipe {
  int read_end = -1;
  int write_end = -1;
  ~Pipe() {
    CloseRead();
    CloseWrite();
  }
  bool Open() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return false;
    read_end = fds[0];
    write_end = fds[1];
    return ::fcntl(read_end, F_SETFL, O_NONBLOCK) == 0;
  }
  void CloseRead() {
    if (read_end >= 0) ::close(read_end);
    read_end = -1;
  }
  void CloseWrite() {
    if (write_end >= 0) ::close(write_end);
    write_end = -1;
  }
};

// Removes a temporary working directory this runner created.
struct TempDir {
  stdfs::path path;
  ~TempDir() {
    std::error_code ec;
    if (!path.empty()) stdfs::remove_all(path, ec);
  }
};

std::vector<std::string> BuildEnvironment(const ProcessSpec& spec) {
  std::vector<std::string> env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) env.emplace_back(*entry);
  for (const auto& [name, value] : spec.env) {
    const std::string prefix = name + "=";
    bool replaced = false;
    for (std::string& entry : env) {
      if (entry.compare(0, prefix.size(), prefix) == 0) {
        entry = prefix + value;
        replaced = true;
      }
    }
    if (!replaced) env.push_back(prefix + value);
  }
  return env;
}

std::string PathOf(const std::vector<std::string>& env) {
  for (const std::string& entry : env) {
    if (entry.rfind("PATH=", 0) == 0) return entry.substr(5);
  }
  return kDefaultPath;
}

bool IsExecutableFile(const stdfs::path& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

// execvp's lookup, but with the child's PATH and relative entries (".")
// taken against the child's working directory.
Result<std::string> FindProgram(const std::string& name, const std::string& path, const stdfs::path& cwd) {
  if (name.empty()) return Status::InvalidArgument("Could not run a process: argv[0] is empty");
  if (name.find('/') != std::string::npos) {
    const stdfs::path candidate = name[0] == '/' ? stdfs::path(name) : cwd / name;
    if (IsExecutableFile(candidate)) return candidate.string();
    const int err = ::access(candidate.c_str(), X_OK) == 0 ? EACCES : errno;
    return Status::IoError("Could not run " + Quote(name) + ": " + ErrnoText(err));
  }
  size_t start = 0;
  while (start <= path.size()) {
    size_t colon = path.find(':', start);
    if (colon == std::string::npos) colon = path.size();
    std::string dir = path.substr(start, colon - start);
    start = colon + 1;
    if (dir.empty()) dir = ".";
    const stdfs::path base = dir[0] == '/' ? stdfs::path(dir) : cwd / dir;
    if (IsExecutableFile(base / name)) return (base / name).string();
  }
  return Status::IoError("Could not run " + Quote(name) + ": not found in the working directory or on PATH [" +
                         path + "]");
}

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  for (std::string& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

// Spawns `program` with stdout/stderr on the pipes; errno-style result.
int Spawn(const std::string& program, std::vector<std::string> argv, std::vector<std::string> env,
          const stdfs::path& cwd, const Pipe& out, const Pipe& err, pid_t* pid) {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out.write_end, 1);
  posix_spawn_file_actions_adddup2(&actions, err.write_end, 2);
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
  sigset_t empty;
  sigemptyset(&empty);
  sigset_t defaults;
  sigemptyset(&defaults);
  for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD, SIGALRM, SIGUSR1, SIGUSR2}) {
    sigaddset(&defaults, sig);
  }
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  std::vector<char*> c_argv = CStrings(argv);
  std::vector<char*> c_env = CStrings(env);
  const int rc = ::posix_spawn(pid, program.c_str(), &actions, &attr, c_argv.data(), c_env.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  return rc;
}

// Hands complete lines of a stream to ProcessSpec::on_line as they arrive.
class LineSplitter {
 public:
  LineSplitter(const ProcessSpec& spec, bool is_stderr) : spec_(spec), is_stderr_(is_stderr) {}
  ~LineSplitter() {
    if (!partial_.empty() && spec_.on_line) spec_.on_line(partial_, is_stderr_);
  }
  void Feed(const char* data, size_t size) {
    if (!spec_.on_line) return;
    partial_.append(data, size);
    size_t start = 0;
    for (size_t newline; (newline = partial_.find('\n', start)) != std::string::npos; start = newline + 1) {
      spec_.on_line(partial_.substr(start, newline - start), is_stderr_);
    }
    partial_.erase(0, start);
  }

 private:
  const ProcessSpec& spec_;
  bool is_stderr_;
  std::string partial_;
};

// Reads what is available; returns false at end of file.
bool Drain(int fd, std::string* sink, size_t cap, bool* truncated, LineSplitter* lines) {
  char buffer[8192];
  while (true) {
    const ssize_t n = ::read(fd, buffer, sizeof(buffer));
    if (n > 0) {
      lines->Feed(buffer, static_cast<size_t>(n));
      const size_t room = sink->size() < cap ? cap - sink->size() : 0;
      const size_t take = std::min(room, static_cast<size_t>(n));
      sink->append(buffer, take);
      if (take < static_cast<size_t>(n) && truncated != nullptr) *truncated = true;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    return n < 0;  // EAGAIN: open, nothing more now; 0 or other errors: done
  }
}

void KeepTail(std::string* text, size_t limit) {
  if (text->size() > limit) text->erase(0, text->size() - limit);
}

int ExitCodeOf(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return -1;
}

// How a supervised child ended.
struct Ending {
  int wait_status = 0;
  bool lost = false;    // reaped by someone else (SIGCHLD ignored): status unknown
  bool killed = false;  // stopped because `cancel` was set
};

// Reads the child's pipes until it exits, and a little longer while a
// background grandchild still holds them; on cancellation sends SIGTERM to
// the group, SIGKILL after the grace period. Leftovers of the group are
// terminated at the end.
Ending Supervise(pid_t pid, Pipe& out, Pipe& err, const ProcessSpec& spec, const Cancellation& cancel,
                 ProcessOutcome* outcome) {
  Ending ending;
  LineSplitter out_lines(spec, /*is_stderr=*/false);
  LineSplitter err_lines(spec, /*is_stderr=*/true);
  bool exited = false;
  SteadyClock::time_point term_sent;
  SteadyClock::time_point exit_time;
  while (true) {
    if (!exited) {
      const pid_t r = ::waitpid(pid, &ending.wait_status, WNOHANG);
      if (r == pid || (r < 0 && errno == ECHILD)) {
        exited = true;
        exit_time = SteadyClock::now();
        ending.lost = r < 0;
      }
    }
    if (cancel.cancelled()) {
      if (!ending.killed) {
        ending.killed = true;
        term_sent = SteadyClock::now();
        ::kill(-pid, SIGTERM);
      } else if (SteadyClock::now() - term_sent > kKillGrace) {
        ::kill(-pid, SIGKILL);
      }
      if (exited) break;
    }
    const bool pipes_open = out.read_end >= 0 || err.read_end >= 0;
    if (exited && (!pipes_open || SteadyClock::now() - exit_time > kDrainAfterExit)) break;

    pollfd fds[2];
    nfds_t count = 0;
    if (out.read_end >= 0) fds[count++] = {out.read_end, POLLIN, 0};
    if (err.read_end >= 0) fds[count++] = {err.read_end, POLLIN, 0};
    if (count == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(kPollMs));
    } else if (::poll(fds, count, kPollMs) < 0 && errno != EINTR) {
      break;
    }
    if (out.read_end >= 0 &&
        !Drain(out.read_end, &outcome->stdout_text, spec.max_stdout_bytes, &outcome->stdout_truncated,
               &out_lines)) {
      out.CloseRead();
    }
    if (err.read_end >= 0) {
      const bool open = Drain(err.read_end, &outcome->stderr_tail, SIZE_MAX, nullptr, &err_lines);
      KeepTail(&outcome->stderr_tail, 2 * kStderrTailBytes);
      if (!open) err.CloseRead();
    }
  }
  ::kill(-pid, ending.killed ? SIGKILL : SIGTERM);
  if (!exited) {  // only after a poll(2) failure
    ::kill(-pid, SIGKILL);
    ending.lost = ::waitpid(pid, &ending.wait_status, 0) != pid;
  }
  KeepTail(&outcome->stderr_tail, kStderrTailBytes);
  return ending;
}

class LocalProcessRunner : public ProcessRunner {
 public:
  Result<ProcessOutcome> Run(const ProcessSpec& spec, const Cancellation& cancel) override;
};

Result<ProcessOutcome> LocalProcessRunner::Run(const ProcessSpec& spec, const Cancellation& cancel) {
  if (spec.argv.empty()) return Status::InvalidArgument("Could not run a process: no argv given");
  const std::string& name = spec.argv[0];
  TempDir temp;
  stdfs::path cwd = spec.working_directory;
  if (cwd.empty()) {
    std::error_code ec;
    std::string pattern = (stdfs::temp_directory_path(ec) / "refinery-proc-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      return Status::IoError("Could not run " + Quote(name) + ": could not create a working directory: " +
                             ErrnoText(errno));
    }
    cwd = temp.path = pattern;
  }
  struct stat st;
  if (::stat(cwd.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return Status::IoError("Could not run " + Quote(name) + ": working directory " + Quote(cwd.string()) +
                           " is not a directory");
  }
  std::vector<std::string> env = BuildEnvironment(spec);
  auto program = FindProgram(name, PathOf(env), cwd);
  if (!program.ok()) return program.status();

  Pipe out;
  Pipe err;
  if (!out.Open() || !err.Open()) return Status::IoError("Could not run " + Quote(name) + ": pipe: " + ErrnoText(errno));
  pid_t pid = 0;
  int rc = Spawn(*program, spec.argv, env, cwd, out, err, &pid);
  if (rc == ENOEXEC) {  // a script without "#!": run it with sh, as execvp does
    std::vector<std::string> argv = {"/bin/sh", *program};
    argv.insert(argv.end(), spec.argv.begin() + 1, spec.argv.end());
    rc = Spawn("/bin/sh", argv, env, cwd, out, err, &pid);
  }
  if (rc != 0) return Status::IoError("Could not run " + Quote(name) + ": " + ErrnoText(rc));
  out.CloseWrite();
  err.CloseWrite();

  ProcessOutcome outcome;
  const Ending ending = Supervise(pid, out, err, spec, cancel, &outcome);
  if (ending.killed) {
    return Status::Cancelled("process " + Quote(name) + " (pid " + std::to_string(pid) +
                             ") was killed because the job was killed");
  }
  outcome.exit_code = ending.lost ? -1 : ExitCodeOf(ending.wait_status);
  return outcome;
}

}  // namespace

std::unique_ptr<ProcessRunner> MakeLocalProcessRunner() { return std::make_unique<LocalProcessRunner>(); }

}  // namespace refinery::actions
