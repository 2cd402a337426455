// The Slurm executor's follow loop against a scripted fake of Slurm's
// commands (no cluster): submission, the external id, output streamed into
// the log, progress lines, cancellation with scancel, and lost jobs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>

#include "executor/action_spec.h"
#include "executor/executor.h"

namespace refinery::executor {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

namespace stdfs = std::filesystem;

class NoopAction : public actions::Action {
 public:
  std::string type() const override { return "shell"; }
  bool idempotent() const override { return false; }
  actions::ActionResult Run(actions::ActionContext&) override {
    ADD_FAILURE() << "a Slurm action must not run in-process";
    return actions::ActionResult::Ok();
  }
};

class Reporter : public actions::ActionReporter {
 public:
  void Log(const std::string& line) override { lines.push_back(line); }
  void Progress(double fraction, const std::string& detail) override { progress.emplace_back(fraction, detail); }
  std::vector<std::string> lines;
  std::vector<std::pair<double, std::string>> progress;
};

// Plays Slurm: sbatch answers "42", scontrol walks through `states`, and the
// job "writes" its output and result when it reaches COMPLETED.
class FakeSlurm : public actions::ProcessRunner {
 public:
  std::vector<std::string> states;  // one per scontrol call; the last repeats
  bool write_result = true;
  actions::Cancellation* cancel_after_running = nullptr;
  std::vector<std::vector<std::string>> calls;

  Result<actions::ProcessOutcome> Run(const actions::ProcessSpec& spec, const actions::Cancellation&) override {
    calls.push_back(spec.argv);
    actions::ProcessOutcome outcome;
    const std::string& command = spec.argv[0];
    const std::string dir = spec.working_directory;  // the executor runs every command in the job's directory
    if (dir.empty()) return Status::InvalidArgument("no working directory");
    if (command == "sbatch") {
      outcome.stdout_text = "42\n";
    } else if (command == "scontrol") {
      const std::string state = states[std::min(next_, states.size() - 1)];
      ++next_;
      if (state == "GONE") {
        outcome.exit_code = 1;
        outcome.stderr_tail = "slurm_load_jobs error: Invalid job id specified";
        return outcome;
      }
      outcome.stdout_text = "JobId=42 JobName=x JobState=" + state +
                            " Reason=None ExitCode=0:0 TimeLimit=UNLIMITED "
                            "Partition=daily\n";
      if (state == "RUNNING") {
        std::ofstream(dir + "/output.log", std::ios::app) << "hello from the node\n[refinery-progress] 0.5000 half\n";
        if (cancel_after_running != nullptr) cancel_after_running->Cancel();
      }
      if (state == "COMPLETED" && write_result) {
        actions::ActionResult result = actions::ActionResult::Ok();
        result.data = "rows=3\n";
        (void)WriteFileAtomically(dir + "/result.json", ResultToJson(result));
      }
    }
    return outcome;
  }

 private:
  size_t next_ = 0;
};

class DispatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = stdfs::temp_directory_path() /
            ("dispatcher-test-" + std::to_string(::getpid()) + "-" + std::to_string(std::random_device()()));
    stdfs::create_directories(root_);
    files_ = std::make_unique<fs::FileSystem>(root_);
    context_.job_id = "0000001-261202000000000-refinery-W";
    context_.action_id = context_.job_id + "@work";
    context_.action_name = "work";
    context_.action_xml = "<shell/>";
    context_.action_conf.Set("refinery.action.executor", "slurm");
    context_.job_conf = &job_conf_;
    context_.files = files_.get();
    context_.processes = &slurm_;
    context_.reporter = &reporter_;
    context_.cancel = &cancel_;
    context_.scratch_dir = (root_ / "scratch/work-0").string();
  }
  void TearDown() override {
    std::error_code ignored;
    stdfs::remove_all(root_, ignored);
  }

  std::optional<actions::ActionResult> Dispatch(const std::string& server_default = "local") {
    DispatcherOptions options;
    options.default_executor = server_default;
    options.home = root_.string();
    options.refinery_binary = "/opt/refinery";
    options.initial_poll_ms = 1;
    options.max_poll_ms = 2;
    return MakeDispatcher(options)->RunElsewhere(action_, context_);
  }

  stdfs::path JobDir() const { return root_ / ".refinery/slurm" / (context_.action_id + "-0"); }

  stdfs::path root_;
  std::unique_ptr<fs::FileSystem> files_;
  Properties job_conf_;
  FakeSlurm slurm_;
  Reporter reporter_;
  actions::Cancellation cancel_;
  NoopAction action_;
  actions::ActionContext context_;
};

TEST_F(DispatcherTest, LocalActionsAreLeftToTheEngine) {
  context_.action_conf.Set("refinery.action.executor", "local");
  EXPECT_FALSE(Dispatch("slurm").has_value());
  EXPECT_TRUE(slurm_.calls.empty());
}

TEST_F(DispatcherTest, CompletedJobGivesTheActionsResultAndStreamsItsOutput) {
  slurm_.states = {"PENDING", "RUNNING", "COMPLETED"};
  auto result = Dispatch();
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->outcome, actions::Outcome::kOk) << result->error_message;
  EXPECT_EQ(result->data, "rows=3\n");
  EXPECT_EQ(result->external_id, "42");
  EXPECT_THAT(reporter_.lines, Contains("submitted as Slurm job 42"));
  EXPECT_THAT(reporter_.lines, Contains("hello from the node"));
  ASSERT_EQ(reporter_.progress.size(), 1u);
  EXPECT_EQ(reporter_.progress[0].second, "half");
  EXPECT_FALSE(stdfs::exists(JobDir()));  // removed once the result is in
  ASSERT_FALSE(slurm_.calls.empty());
  EXPECT_EQ(slurm_.calls[0].back(), JobDir().string() + "/job.sh");
}

TEST_F(DispatcherTest, SpecCarriesTheContextAndTheScriptRunsRunAction) {
  slurm_.states = {"FAILED"};
  job_conf_.Set("queueName", "daily");
  auto result = Dispatch();
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->error_code, "SLURM_FAILED");
  // Kept after an error, for inspection.
  auto spec = SpecFromJson(*ReadWholeFile((JobDir() / "spec.json").string()), "spec.json");
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_EQ(spec->action_id, context_.action_id);
  EXPECT_EQ(spec->action_type, "shell");
  EXPECT_EQ(spec->job_conf.GetOr("queueName", ""), "daily");
  EXPECT_EQ(spec->home, root_.string());
  EXPECT_THAT(*ReadWholeFile((JobDir() / "job.sh").string()), HasSubstr("exec '/opt/refinery' run-action --spec"));
  EXPECT_THAT(slurm_.calls[0], Contains("--partition=daily"));
}

TEST_F(DispatcherTest, CancellationRunsScancelAndEndsKilled) {
  slurm_.states = {"RUNNING", "RUNNING", "CANCELLED"};
  slurm_.cancel_after_running = &cancel_;
  auto result = Dispatch();
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->outcome, actions::Outcome::kKilled);
  EXPECT_EQ(result->external_id, "42");
  EXPECT_THAT(slurm_.calls, Contains(std::vector<std::string>{"scancel", "42"}));
}

TEST_F(DispatcherTest, JobThatVanishesWithoutAResultIsLost) {
  slurm_.states = {"RUNNING", "GONE"};
  slurm_.write_result = false;
  auto result = Dispatch();
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->error_code, "SLURM_LOST");
  EXPECT_THAT(result->error_message, HasSubstr("hello from the node"));
}

TEST_F(DispatcherTest, AfterARestartTheAttemptsJobIsFollowedNotSubmittedAgain) {
  stdfs::create_directories(JobDir());
  ASSERT_TRUE(WriteFileAtomically((JobDir() / "job_id").string(), "42\n").ok());
  slurm_.states = {"RUNNING", "RUNNING", "COMPLETED"};
  auto result = Dispatch();
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->outcome, actions::Outcome::kOk) << result->error_message;
  EXPECT_EQ(result->external_id, "42");
  for (const auto& call : slurm_.calls) EXPECT_NE(call[0], "sbatch");
  EXPECT_THAT(reporter_.lines, Contains(HasSubstr("before a restart")));
}

TEST_F(DispatcherTest, InvalidSettingFailsTheWorkflowBeforeSubmitting) {
  context_.action_conf.Set("refinery.slurm.memory", "lots");
  auto result = Dispatch();
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->outcome, actions::Outcome::kFailed);
  EXPECT_EQ(result->error_code, "SLURM_CONFIG");
  EXPECT_THAT(result->error_message, HasSubstr("refinery.slurm.memory"));
  EXPECT_TRUE(slurm_.calls.empty());
}

}  // namespace
}  // namespace refinery::executor
