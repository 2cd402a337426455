// The dispatcher: chooses the executor for each action and, for Slurm,
// submits, follows, streams and cancels the batch job.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

#include "executor/action_spec.h"
#include "executor/executor.h"
#include "executor/slurm.h"

namespace refinery::executor {
namespace {

namespace stdfs = std::filesystem;
using internal::SlurmJobInfo;

constexpr size_t kTailLines = 20;
constexpr size_t kMaxLoggedLines = 10000;
constexpr auto kCancelWait = std::chrono::seconds(60);
constexpr int kMaxQueryFailures = 8;
constexpr auto kHopelessAfter = std::chrono::seconds(3);

// Appends new complete lines of a growing file to the action's log.
class OutputFollower {
 public:
  OutputFollower(std::string path, actions::ActionReporter* reporter) : path_(std::move(path)), reporter_(reporter) {}

  void Poll() {
    std::ifstream in(path_, std::ios::binary);
    if (!in) return;
    in.seekg(static_cast<std::streamoff>(offset_));
    std::string chunk((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    offset_ += chunk.size();
    pending_ += chunk;
    for (size_t end; (end = pending_.find('\n')) != std::string::npos;) {
      Emit(pending_.substr(0, end));
      pending_.erase(0, end + 1);
    }
  }
  void Flush() {
    Poll();
    if (!pending_.empty()) Emit(pending_);
    pending_.clear();
  }
  std::string Tail() const {
    std::string text;
    for (const auto& line : tail_) text += line + "\n";
    return text;
  }

 private:
  void Emit(const std::string& line) {
    const std::string prefix = internal::kProgressPrefix;
    if (line.rfind(prefix, 0) == 0) {
      const std::string rest = line.substr(prefix.size());
      const size_t space = rest.find(' ');
      if (reporter_ != nullptr) {
        reporter_->Progress(std::atof(rest.substr(0, space).c_str()),
                            space == std::string::npos ? "" : rest.substr(space + 1));
      }
      return;
    }
    // A chatty job must not flood the state store's log; the output file keeps everything.
    if (reporter_ != nullptr && logged_ < kMaxLoggedLines) {
      const bool last = ++logged_ == kMaxLoggedLines;
      reporter_->Log(last ? "(output beyond " + std::to_string(kMaxLoggedLines) + " lines is not logged)" : line);
    }
    tail_.push_back(line);
    if (tail_.size() > kTailLines) tail_.erase(tail_.begin());
  }

  std::string path_;
  actions::ActionReporter* reporter_;
  size_t offset_ = 0;
  size_t logged_ = 0;
  std::string pending_;
  std::vector<std::string> tail_;
};

std::string Trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\r')) text.pop_back();
  return text;
}

// The attempt number is the scratch directory's "-N" suffix (engine: <node>-<retries>).
std::string AttemptOf(const std::string& scratch_dir) {
  const size_t dash = scratch_dir.find_last_of('-');
  return dash == std::string::npos ? "0" : scratch_dir.substr(dash + 1);
}

std::string SelfBinary() {
  std::error_code error;
  const auto self = stdfs::read_symlink("/proc/self/exe", error);
  return error ? "refinery" : self.string();
}

std::string ShellQuote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

// One Slurm job for one action attempt.
class SlurmRun {
 public:
  SlurmRun(const DispatcherOptions& options, const SlurmResources& resources, actions::Action& action,
           actions::ActionContext& context)
      : options_(options), resources_(resources), action_(action), context_(context) {}

  actions::ActionResult Run() {
    dir_ =
        (context_.files->root() / ".refinery" / "slurm" / (context_.action_id + "-" + AttemptOf(context_.scratch_dir)))
            .string();
    if (Reattach()) {
      Log("following Slurm job " + job_id_ + ", submitted for this attempt before a restart");
    } else {
      auto prepared = Prepare();
      if (!prepared.ok()) return actions::ActionResult::Error("SLURM_SUBMIT", prepared.ToString());
      auto job_id = Submit();
      if (!job_id) return submit_error_;
      job_id_ = *job_id;
      Log("submitted as Slurm job " + job_id_ +
          (resources_.partition.empty() ? "" : " on partition " + resources_.partition));
      if (Status kept = WriteFileAtomically(dir_ + "/job_id", job_id_ + "\n"); !kept.ok()) Log(kept.ToString());
    }
    actions::ActionResult result = Follow();
    if (result.external_id.empty()) result.external_id = job_id_;
    if (result.outcome == actions::Outcome::kOk || result.outcome == actions::Outcome::kKilled) {
      std::error_code ignored;
      stdfs::remove_all(dir_, ignored);
    }
    return result;
  }

 private:
  // After an engine restart, this attempt's job may still be in Slurm (or
  // have left its result): follow it instead of running the action twice.
  bool Reattach() {
    auto recorded = ReadWholeFile(dir_ + "/job_id");
    if (!recorded.ok() || Trimmed(*recorded).empty()) return false;
    job_id_ = Trimmed(*recorded);
    if (Query().has_value() || stdfs::exists(dir_ + "/result.json")) return true;
    job_id_.clear();
    return false;
  }

  Status Prepare() {
    std::error_code error;
    stdfs::remove_all(dir_, error);  // a job that left neither a trace in Slurm nor a result starts afresh
    stdfs::create_directories(dir_, error);
    if (error) return Status::IoError("Could not create the job directory \"" + dir_ + "\": " + error.message());
    // The spec holds the job's configuration, credentials included: owner only.
    stdfs::permissions(dir_, stdfs::perms::owner_all, error);
    ActionSpec spec = SpecFromContext(context_, action_.type());
    spec.home = options_.home;
    spec.result_file = dir_ + "/result.json";
    REFINERY_RETURN_IF_ERROR(WriteFileAtomically(dir_ + "/spec.json", SpecToJson(spec)));
    const std::string binary = !resources_.refinery_binary.empty() ? resources_.refinery_binary
                               : !options_.refinery_binary.empty() ? options_.refinery_binary
                                                                   : SelfBinary();
    const std::string script = "#!/bin/sh\n# Refinery action " + context_.action_id + "\nexec " + ShellQuote(binary) +
                               " run-action --spec " + ShellQuote(dir_ + "/spec.json") + "\n";
    REFINERY_RETURN_IF_ERROR(WriteFileAtomically(dir_ + "/job.sh", script));
    stdfs::permissions(dir_ + "/job.sh", stdfs::perms::owner_all, stdfs::perm_options::add, error);
    return Status::Ok();
  }

  Result<actions::ProcessOutcome> Command(std::vector<std::string> argv) {
    actions::ProcessSpec spec;
    spec.argv = std::move(argv);
    spec.working_directory = dir_;
    actions::Cancellation never;  // Slurm's commands are short; the job itself is cancelled with scancel
    return context_.processes->Run(spec, never);
  }

  // The Slurm job id; nullopt with `submit_error_` set when sbatch refused or could not run.
  std::optional<std::string> Submit() {
    internal::SubmitPaths paths{dir_ + "/job.sh", dir_ + "/output.log", dir_, context_.action_id, options_.home};
    auto outcome = Command(internal::SbatchArgv(resources_, paths));
    if (!outcome.ok()) {
      submit_error_ = actions::ActionResult::Error(
          "SLURM_SUBMIT", "Could not run sbatch: " + outcome.status().ToString() +
                              " (install Slurm's client commands on this host and put them on PATH)");
      return std::nullopt;
    }
    if (outcome->exit_code != 0) {
      std::string partitions;
      if (auto sinfo = Command({"sinfo", "-h", "-o", "%R"}); sinfo.ok() && sinfo->exit_code == 0) {
        std::istringstream lines(sinfo->stdout_text);
        for (std::string line; std::getline(lines, line);) partitions += (partitions.empty() ? "" : ", ") + line;
      }
      submit_error_ = internal::MapSubmitError(outcome->stderr_tail + outcome->stdout_text, resources_, partitions);
      return std::nullopt;
    }
    // --parsable prints "<id>" or "<id>;<cluster>".
    std::string id = Trimmed(outcome->stdout_text);
    id = id.substr(0, id.find(';'));
    return id;
  }

  // nullopt: the job is no longer known to Slurm (or Slurm did not answer).
  std::optional<SlurmJobInfo> Query() {
    auto outcome = Command({"scontrol", "show", "job", "-o", job_id_});
    if (!outcome.ok() || outcome->exit_code != 0) return std::nullopt;
    return internal::ParseScontrolJob(outcome->stdout_text);
  }

  bool Gone(const Result<actions::ProcessOutcome>& outcome) {
    return outcome.ok() && outcome->exit_code != 0 &&
           (outcome->stderr_tail + outcome->stdout_text).find("nvalid job id") != std::string::npos;
  }

  actions::ActionResult Follow() {
    OutputFollower output(dir_ + "/output.log", context_.reporter);
    auto delay = std::chrono::milliseconds(options_.initial_poll_ms);
    int failures = 0;
    bool pending_logged = false;
    std::string hopeless_reason;
    auto hopeless_since = std::chrono::steady_clock::now();
    while (true) {
      if (context_.cancel != nullptr && context_.cancel->cancelled()) return Cancel(output);
      auto outcome = Command({"scontrol", "show", "job", "-o", job_id_});
      output.Poll();
      if (Gone(outcome)) return Finished(std::nullopt, output);
      std::optional<SlurmJobInfo> info;
      if (outcome.ok() && outcome->exit_code == 0) info = internal::ParseScontrolJob(outcome->stdout_text);
      if (!info) {
        if (++failures >= kMaxQueryFailures) {
          return actions::ActionResult::Error(
              "SLURM_UNREACHABLE", "Could not follow Slurm job " + job_id_ + " with scontrol: " +
                                       (outcome.ok() ? Trimmed(outcome->stderr_tail) : outcome.status().ToString()));
        }
      } else {
        failures = 0;
        if (internal::IsFinalState(info->state)) return Finished(info, output);
        // Until the scheduler has looked at a job Slurm may show a provisional
        // reason (PartitionConfig before PartitionTimeLimit): only a reason that
        // stays for kHopelessAfter counts.
        const bool hopeless = info->state == "PENDING" && internal::IsHopelessPendingReason(info->reason);
        const auto now = std::chrono::steady_clock::now();
        if (!hopeless || info->reason != hopeless_reason) hopeless_since = now;
        hopeless_reason = hopeless ? info->reason : "";
        if (hopeless && now - hopeless_since >= kHopelessAfter) {
          (void)Command({"scancel", job_id_});
          return internal::MapHopelessPending(*info, resources_);
        }
        if (info->state == "PENDING" && !pending_logged && info->reason != "None") {
          Log("Slurm job " + job_id_ + " is pending: " + info->reason);
          pending_logged = true;
        }
      }
      SleepUnlessCancelled(delay);
      delay = std::min(delay * 3 / 2, std::chrono::milliseconds(options_.max_poll_ms));
    }
  }

  void SleepUnlessCancelled(std::chrono::milliseconds delay) {
    const auto until = std::chrono::steady_clock::now() + delay;
    while (std::chrono::steady_clock::now() < until) {
      if (context_.cancel != nullptr && context_.cancel->cancelled()) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }

  actions::ActionResult Finished(const std::optional<SlurmJobInfo>& info, OutputFollower& output) {
    output.Flush();
    const bool completed = !info || info->state == "COMPLETED";
    if (completed) {
      if (auto text = ReadWholeFile(dir_ + "/result.json"); text.ok()) {
        auto result = ResultFromJson(*text, dir_ + "/result.json");
        if (!result.ok()) return actions::ActionResult::Error("SLURM_NO_RESULT", result.status().ToString());
        if (result->external_id.empty()) result->external_id = job_id_;
        return *result;
      }
    }
    if (!info) {
      return actions::ActionResult::Error(
          "SLURM_LOST",
          "Slurm job " + job_id_ + " left the queue without a result file; last output:\n" + output.Tail());
    }
    return internal::MapFailedJob(*info, output.Tail());
  }

  actions::ActionResult Cancel(OutputFollower& output) {
    Log("the workflow was killed: cancelling Slurm job " + job_id_);
    (void)Command({"scancel", job_id_});
    const auto deadline = std::chrono::steady_clock::now() + kCancelWait;
    auto delay = std::chrono::milliseconds(options_.initial_poll_ms);
    while (std::chrono::steady_clock::now() < deadline) {
      auto info = Query();
      if (!info || internal::IsFinalState(info->state)) break;
      std::this_thread::sleep_for(delay);
      delay = std::min(delay * 2, std::chrono::milliseconds(2000));
    }
    output.Flush();
    actions::ActionResult result;
    result.outcome = actions::Outcome::kKilled;
    result.external_id = job_id_;
    result.external_status = "KILLED";
    return result;
  }

  void Log(const std::string& line) {
    if (context_.reporter != nullptr) context_.reporter->Log(line);
  }

  const DispatcherOptions& options_;
  SlurmResources resources_;
  actions::Action& action_;
  actions::ActionContext& context_;
  std::string dir_;
  std::string job_id_;
  actions::ActionResult submit_error_;
};

class Dispatcher : public ActionDispatcher {
 public:
  explicit Dispatcher(DispatcherOptions options) : options_(std::move(options)) {}

  std::optional<actions::ActionResult> RunElsewhere(actions::Action& action, actions::ActionContext& context) override {
    auto choice = ChooseExecutor(action.type(), context.action_conf, context.job_conf, options_.default_executor);
    if (!choice.ok()) return actions::ActionResult::Failed("SLURM_CONFIG", choice.status().ToString());
    if (choice->kind == ExecutorKind::kLocal) return std::nullopt;
    return SlurmRun(options_, choice->slurm, action, context).Run();
  }

 private:
  DispatcherOptions options_;
};

}  // namespace

std::unique_ptr<ActionDispatcher> MakeDispatcher(DispatcherOptions options) {
  if (options.home.empty()) {
    if (const char* home = std::getenv("REFINERY_HOME")) options.home = home;
  }
  return std::make_unique<Dispatcher>(std::move(options));
}

}  // namespace refinery::executor
