// Actions sent to a real single-node Slurm cluster through the built binary:
// `refinery job -config ... -run` in a temporary data home, the cluster in the
// same temporary directory (slurm_cluster.h).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <thread>

#include "cli/cli_test_support.h"
#include "executor/slurm_cluster.h"

namespace refinery::executor::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::string kSourceDir = REFINERY_SOURCE_DIR;

class SlurmExecutorTest : public cli::testing::CliFixture {
 protected:
  void SetUp() override {
    CliFixture::SetUp();
    if (const std::string missing = SlurmCluster::MissingBinary(); !missing.empty()) {
      GTEST_SKIP() << "Slurm is not installed (" << missing
                   << " missing): apt-get install slurmctld slurmd slurm-client munge (scripts/install-deps.sh --test)";
    }
    const std::string error = cluster_.Start(dir_ / "slurm");
    ASSERT_EQ(error, "") << "could not start the test's Slurm cluster";
  }
  void TearDown() override {
    cluster_.Stop();
    CliFixture::TearDown();
  }

  // A workflow with one action `work` (its element given), ok -> end,
  // error -> a kill node that shows the error code and message.
  std::filesystem::path WriteApp(const std::string& action_element, const std::string& properties) {
    WriteFile("app/workflow.xml", R"(<workflow-app xmlns="uri:oozie:workflow:0.5" name="on-slurm">
  <start to="work"/>
  <action name="work">)" + action_element +
                                      R"(
    <ok to="end"/><error to="fail"/></action>
  <kill name="fail"><message>work failed [${wf:errorCode('work')}] ${wf:errorMessage('work')}</message></kill>
  <end name="end"/>
</workflow-app>)");
    return WriteFile("app/job.properties", "oozie.wf.application.path=.\n" + properties);
  }

  static std::string Shell(const std::string& exec, const std::vector<std::string>& args,
                           const std::string& configuration = "") {
    std::string xml =
        "<shell xmlns=\"uri:oozie:shell-action:0.3\"><job-tracker>jt</job-tracker><name-node>nn</name-node>";
    if (!configuration.empty()) xml += "<configuration>" + configuration + "</configuration>";
    xml += "<exec>" + exec + "</exec>";
    for (const auto& arg : args) xml += "<argument>" + arg + "</argument>";
    return xml + "</shell>";
  }

  static std::string Property(const std::string& name, const std::string& value) {
    return "<property><name>" + name + "</name><value>" + value + "</value></property>";
  }

  // The Ext ID column of the action row in `job -info`.
  std::string ExternalIdOf(const std::string& job_id, const std::string& action) {
    const auto info = Run({"job", "-info", job_id});
    std::istringstream lines(info.out);
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind(job_id + "@" + action, 0) != 0) continue;
      std::istringstream words(line);
      std::string id, status, external;
      words >> id >> status >> external;
      return external;
    }
    return "";
  }

  std::string JobField(const std::string& slurm_id, const std::string& key) {
    const std::string text = cluster_.Shell("scontrol show job -o " + slurm_id);
    const auto at = text.find(" " + key + "=");
    if (at == std::string::npos) return "";
    const auto start = at + key.size() + 2;
    return text.substr(start, text.find_first_of(" \n", start) - start);
  }

  SlurmCluster cluster_;
};

TEST_F(SlurmExecutorTest, TrainActionRunsAsASlurmJob) {
  std::filesystem::create_directories(home_ / "fs/user/rawzone");
  std::filesystem::copy_file(kSourceDir + "/examples/data/bank_marketing.csv", home_ / "fs/user/rawzone/bank.csv");
  const auto props = WriteApp("<train xmlns=\"uri:refinery:train-action:1.0\"><configuration>" +
                                  Property("refinery.action.executor", "slurm") + Property("refinery.slurm.cpus", "1") +
                                  Property("refinery.slurm.memory", "1G") +
                                  "</configuration>"
                                  "<input>/user/rawzone/bank.csv</input><target>y</target><exclude>duration</exclude>"
                                  "<param name='rounds'>10</param><param name='nthread'>1</param>"
                                  "<model-dir>/user/refinedzone/model</model-dir></train>",
                              "");
  const auto result = Run({"job", "-config", props.string(), "-run"});
  ASSERT_EQ(result.exit_code, 0) << result.out;
  EXPECT_THAT(result.out, HasSubstr("status: SUCCEEDED"));
  EXPECT_TRUE(std::filesystem::exists(home_ / "fs/user/refinedzone/model/v1/_SUCCESS"));

  const std::string id = ExtractJobId(result.out);
  const std::string slurm_id = ExternalIdOf(id, "work");
  ASSERT_FALSE(slurm_id.empty());
  EXPECT_EQ(JobField(slurm_id, "JobName"), id + "@work");
  EXPECT_EQ(JobField(slurm_id, "JobState"), "COMPLETED");
  EXPECT_EQ(JobField(slurm_id, "Partition"), "daily");
  const auto log = Run({"job", "-log", id});
  EXPECT_THAT(log.out, HasSubstr("submitted as Slurm job " + slurm_id));
  EXPECT_THAT(log.out, HasSubstr("[work]"));
  // The job's directory is removed once its result is in.
  EXPECT_FALSE(std::filesystem::exists(home_ / "fs/.refinery/slurm" / (id + "@work-0")));
}

TEST_F(SlurmExecutorTest, WorkflowPropertyAndQueueNamePickThePartition) {
  const auto props = WriteApp(Shell("echo", {"rows=3"}), "refinery.action.executor=slurm\nqueueName=tiny\n");
  const auto result = Run({"job", "-config", props.string(), "-run"});
  ASSERT_EQ(result.exit_code, 0) << result.out;
  const std::string id = ExtractJobId(result.out);
  const std::string slurm_id = ExternalIdOf(id, "work");
  EXPECT_EQ(JobField(slurm_id, "Partition"), "tiny");
  EXPECT_THAT(Run({"job", "-log", id}).out, HasSubstr("rows=3"));  // the job's output reaches the action's log
}

TEST_F(SlurmExecutorTest, KillingTheWorkflowCancelsTheSlurmJob) {
  const auto props = WriteApp(Shell("sleep", {"120"}), "refinery.action.executor=slurm\n");
  const pid_t runner = Spawn({"job", "-config", props.string(), "-run"}, dir_ / "run.txt");
  std::string running;  // "<slurm id> <job name>"
  for (int i = 0; i < 300 && running.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    running = cluster_.Shell("squeue -h -t R -o '%i %j'");
  }
  ASSERT_FALSE(running.empty()) << "the action's Slurm job never ran";
  const std::string slurm_id = running.substr(0, running.find(' '));
  const std::string id = running.substr(running.find(' ') + 1, running.find('@') - running.find(' ') - 1);
  EXPECT_EQ(Run({"job", "-kill", id}).exit_code, 0);
  EXPECT_EQ(Wait(runner), 1);  // without the kill it would succeed after two minutes
  std::ifstream in(dir_ / "run.txt");
  std::stringstream out;
  out << in.rdbuf();
  EXPECT_THAT(out.str(), HasSubstr("status: KILLED"));
  EXPECT_EQ(cluster_.Shell("squeue -h -o %i"), "");  // the job left the queue
  EXPECT_EQ(JobField(slurm_id, "JobState"), "CANCELLED");
}

TEST_F(SlurmExecutorTest, ActionExitCodeUnderSlurmTakesTheErrorTransition) {
  // The data home's default (what `refinery server --executor slurm` sets) sends it to Slurm.
  WriteFile("home/refinery.properties", "refinery.action.executor=slurm\n");
  const auto props = WriteApp(Shell("sh", {"-c", "echo about to fail; exit 3"}), "");
  const auto result = Run({"job", "-config", props.string(), "-run"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.out, HasSubstr("status: KILLED"));
  EXPECT_THAT(result.out, HasSubstr("work failed [1]"));
  EXPECT_THAT(result.out, HasSubstr("exit code [3]"));
  const auto log = Run({"job", "-log", ExtractJobId(result.out)}).out;
  EXPECT_THAT(log, HasSubstr("submitted as Slurm job"));
  EXPECT_THAT(log, HasSubstr("about to fail"));
}

TEST_F(SlurmExecutorTest, FailedSlurmJobIsAnErrorWithItsStateAndExitCode) {
  // The batch script cannot run the action: the job itself FAILS.
  const auto props = WriteApp(Shell("true", {}),
                              "refinery.action.executor=slurm\n"
                              "refinery.slurm.refinery-binary=/bin/false\n");
  const auto result = Run({"job", "-config", props.string(), "-run"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.out, HasSubstr("work failed [SLURM_FAILED]"));
  EXPECT_THAT(result.out, HasSubstr("ended FAILED with exit code 1"));
}

TEST_F(SlurmExecutorTest, TimeLimitAbovePartitionMaxIsAClearError) {
  const auto props = WriteApp(Shell("true", {}),
                              "refinery.action.executor=slurm\n"
                              "refinery.slurm.partition=tiny\nrefinery.slurm.time=10\n");
  const auto result = Run({"job", "-config", props.string(), "-run"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.out, HasSubstr("work failed [SLURM_PENDING]")) << result.out;
  EXPECT_THAT(result.out, HasSubstr("partition \"tiny\""));
  EXPECT_THAT(result.out, HasSubstr("refinery.slurm.time"));
  EXPECT_EQ(cluster_.Shell("squeue -h -o %i"), "");  // not left pending
}

TEST_F(SlurmExecutorTest, UnknownPartitionIsAClearError) {
  const auto props = WriteApp(Shell("true", {}), "refinery.action.executor=slurm\nqueueName=nightly\n");
  const auto result = Run({"job", "-config", props.string(), "-run"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.out, HasSubstr("work failed [SLURM_SUBMIT]"));
  EXPECT_THAT(result.out, HasSubstr("no partition \"nightly\""));
  EXPECT_THAT(result.out, HasSubstr("one of: daily, tiny"));
}

// `refinery run-action` without a cluster: what the batch script runs.
using RunActionTest = cli::testing::CliFixture;

TEST_F(RunActionTest, RunsTheSpecsActionAndWritesItsResult) {
  const std::string job = "0000001-261202000000000-refinery-W";
  const auto spec = WriteFile("job/spec.json", R"({"version": 1, "job_id": ")" + job + R"(",
    "action_id": ")" + job + R"(@work", "action_name": "work", "action_type": "shell",
    "action_xml": "<shell xmlns=\"uri:oozie:shell-action:0.3\"><exec>echo</exec><argument>rows=3</argument><capture-output/></shell>",
    "app_path": "/user/app", "user": "alice", "name_node": "", "sub_workflow_depth": 0,
    "action_conf": [], "job_conf": [["user.name", "alice"]], "home": ")" +
                                                   home_.string() + R"(",
    "result_file": ")" + (dir_ / "job/result.json").string() +
                                                   R"("})");
  const auto run = Run({"run-action", "--spec", spec.string()});
  ASSERT_EQ(run.exit_code, 0) << run.out;
  EXPECT_THAT(run.out, HasSubstr("rows=3"));  // log lines on stdout, which Slurm keeps
  std::ifstream in(dir_ / "job/result.json");
  std::stringstream result;
  result << in.rdbuf();
  EXPECT_THAT(result.str(), HasSubstr("\"outcome\": \"ok\""));
  EXPECT_THAT(result.str(), HasSubstr("rows=3"));  // wf:actionData
}

TEST_F(RunActionTest, ExitsTwoNamingAnUnreadableSpec) {
  const auto bad = WriteFile("job/spec.json", "{\"version\": 1}");
  const auto run = Run({"run-action", "--spec", bad.string()});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.out, HasSubstr(bad.string() + ": missing or mistyped field"));
  EXPECT_EQ(Run({"run-action", "--spec", (dir_ / "none.json").string()}).exit_code, 2);
}

// Slurm enforces time limits in whole minutes, checked about every 30 s, so
// this takes over a minute: it runs only with REFINERY_SLURM_SLOW_TESTS=1.
TEST_F(SlurmExecutorTest, ExceededTimeLimitIsSlurmTimeout) {
  if (std::getenv("REFINERY_SLURM_SLOW_TESTS") == nullptr) GTEST_SKIP() << "set REFINERY_SLURM_SLOW_TESTS=1";
  const auto props = WriteApp(Shell("sleep", {"300"}), "refinery.action.executor=slurm\nrefinery.slurm.time=1\n");
  const auto result = Run({"job", "-config", props.string(), "-run"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.out, HasSubstr("work failed [SLURM_TIMEOUT]"));
  EXPECT_THAT(result.out, HasSubstr("time limit of 00:01:00"));
}

}  // namespace
}  // namespace refinery::executor::testing
