// The executor's pure parts without a cluster: settings resolution and
// validation, the spec and result files, sbatch's command line, and how
// Slurm's job states become action outcomes.
#include "executor/executor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "executor/action_spec.h"
#include "executor/slurm.h"

namespace refinery::executor {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

Properties Props(std::initializer_list<std::pair<std::string, std::string>> entries) {
  Properties properties;
  for (const auto& [key, value] : entries) properties.Set(key, value);
  return properties;
}

TEST(ChooseExecutor, DefaultsToLocal) {
  auto choice = ChooseExecutor("shell", Properties(), nullptr, "local");
  ASSERT_TRUE(choice.ok());
  EXPECT_EQ(choice->kind, ExecutorKind::kLocal);
}

TEST(ChooseExecutor, ActionConfigurationWinsOverJobAndServer) {
  const Properties job = Props({{"refinery.action.executor", "slurm"}});
  auto choice = ChooseExecutor("shell", Props({{"refinery.action.executor", "local"}}), &job, "slurm");
  ASSERT_TRUE(choice.ok());
  EXPECT_EQ(choice->kind, ExecutorKind::kLocal);
  choice = ChooseExecutor("shell", Properties(), &job, "local");
  ASSERT_TRUE(choice.ok());
  EXPECT_EQ(choice->kind, ExecutorKind::kSlurm);
  choice = ChooseExecutor("shell", Properties(), nullptr, "slurm");
  ASSERT_TRUE(choice.ok());
  EXPECT_EQ(choice->kind, ExecutorKind::kSlurm);
}

TEST(ChooseExecutor, SubWorkflowsAlwaysRunLocally) {
  auto choice = ChooseExecutor("sub-workflow", Props({{"refinery.action.executor", "slurm"}}), nullptr, "slurm");
  ASSERT_TRUE(choice.ok());
  EXPECT_EQ(choice->kind, ExecutorKind::kLocal);
}

TEST(ChooseExecutor, QueueNameBecomesThePartition) {
  const Properties job = Props({{"queueName", "daily"}, {"refinery.action.executor", "slurm"}});
  auto choice = ChooseExecutor("train", Properties(), &job, "local");
  ASSERT_TRUE(choice.ok());
  EXPECT_EQ(choice->slurm.partition, "daily");
  // The launcher queue of the action and an explicit partition come first.
  choice = ChooseExecutor("train", Props({{"oozie.launcher.mapred.job.queue.name", "tiny"}}), &job, "local");
  EXPECT_EQ(choice->slurm.partition, "tiny");
  choice = ChooseExecutor("train", Props({{"refinery.slurm.partition", "gpu"}, {"mapreduce.job.queuename", "x"}}), &job,
                          "local");
  EXPECT_EQ(choice->slurm.partition, "gpu");
}

TEST(ChooseExecutor, ReadsResources) {
  const Properties conf = Props({{"refinery.action.executor", "slurm"},
                                 {"refinery.slurm.cpus", "4"},
                                 {"refinery.slurm.memory", "2G"},
                                 {"refinery.slurm.time", "1:30:00"},
                                 {"refinery.slurm.extra-args", "--qos=high --constraint ssd"},
                                 {"refinery.slurm.refinery-binary", "/opt/refinery/bin/refinery"}});
  auto choice = ChooseExecutor("shell", conf, nullptr, "local");
  ASSERT_TRUE(choice.ok()) << choice.status().ToString();
  EXPECT_EQ(choice->slurm.cpus, 4);
  EXPECT_EQ(choice->slurm.memory, "2G");
  EXPECT_EQ(choice->slurm.time_limit, "1:30:00");
  EXPECT_THAT(choice->slurm.extra_args, ElementsAre("--qos=high", "--constraint", "ssd"));
  EXPECT_EQ(choice->slurm.refinery_binary, "/opt/refinery/bin/refinery");
}

TEST(ChooseExecutor, RejectsBadValuesNamingTheSettingAndTheFix) {
  struct Case {
    std::string key, value, expected;
  };
  const std::vector<Case> cases = {
      {"refinery.action.executor", "kubernetes", "local or slurm"},
      {"refinery.slurm.cpus", "0", "whole number"},
      {"refinery.slurm.cpus", "two", "whole number"},
      {"refinery.slurm.memory", "2 GB", "K, M, G or T"},
      {"refinery.slurm.time", "an hour", "HH:MM:SS"},
      {"refinery.slurm.partition", "daily;rm -rf", "partition name"},
      {"refinery.slurm.extra-args", "qos=high", "starting with '-'"},
  };
  for (const Case& c : cases) {
    Properties conf = Props({{"refinery.action.executor", "slurm"}});
    conf.Set(c.key, c.value);
    auto choice = ChooseExecutor("shell", conf, nullptr, "local");
    ASSERT_FALSE(choice.ok()) << c.key << "=" << c.value;
    EXPECT_THAT(choice.status().ToString(), HasSubstr(c.key)) << c.value;
    EXPECT_THAT(choice.status().ToString(), HasSubstr("\"" + c.value + "\""));
    EXPECT_THAT(choice.status().ToString(), HasSubstr(c.expected)) << c.key;
  }
  EXPECT_TRUE(ValidateExecutorName("slurm", "x").ok());
  EXPECT_THAT(ValidateExecutorName("yarn", "refinery.action.executor").ToString(), HasSubstr("local or slurm"));
}

TEST(ActionSpec, RoundTripsThroughJson) {
  ActionSpec spec;
  spec.job_id = "0000001-261202000000000-refinery-W";
  spec.action_id = spec.job_id + "@train";
  spec.action_name = "train";
  spec.action_type = "train";
  spec.action_xml = "<train xmlns=\"uri:refinery:train-action:1.0\"><input>/a \"b\"</input></train>";
  spec.app_path = "hdfs://nn/user/app";
  spec.user = "alice";
  spec.name_node = "hdfs://nn:8020";
  spec.sub_workflow_depth = 2;
  spec.action_conf = Props({{"b", "2"}, {"a", "1\nline"}});
  spec.job_conf = Props({{"queueName", "daily"}});
  spec.home = "/srv/refinery";
  spec.result_file = "/srv/refinery/fs/.refinery/slurm/x/result.json";
  const std::string text = SpecToJson(spec);
  auto back = SpecFromJson(text, "spec.json");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(SpecToJson(*back), text);
  EXPECT_EQ(back->action_conf, spec.action_conf);  // order kept
  EXPECT_EQ(back->sub_workflow_depth, 2);
}

TEST(ActionSpec, RejectsOtherVersionsAndMissingFields) {
  EXPECT_THAT(SpecFromJson("{\"version\": 9}", "s.json").status().ToString(), HasSubstr("same refinery version"));
  EXPECT_THAT(SpecFromJson("{\"version\": 1}", "s.json").status().ToString(), HasSubstr("s.json: missing"));
  EXPECT_THAT(SpecFromJson("not json", "s.json").status().ToString(), HasSubstr("not a JSON object"));
}

TEST(ActionResultFile, RoundTripsThroughJsonAndIsWrittenAtomically) {
  actions::ActionResult result = actions::ActionResult::Error("1", "exit code [3]");
  result.data = "rows=3\n";
  result.external_id = "42";
  result.external_status = "FAILED/KILLED";
  auto back = ResultFromJson(ResultToJson(result), "r.json");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->outcome, actions::Outcome::kError);
  EXPECT_EQ(ResultToJson(*back), ResultToJson(result));

  const auto dir = std::filesystem::temp_directory_path() / ("executor-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "result.json").string();
  ASSERT_TRUE(WriteFileAtomically(path, ResultToJson(result)).ok());
  EXPECT_EQ(*ReadWholeFile(path), ResultToJson(result));
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir), {}), 1);  // no temporary left
  std::filesystem::remove_all(dir);
}

TEST(SlurmCommands, SbatchArgvCarriesTheResources) {
  SlurmResources resources;
  resources.partition = "daily";
  resources.cpus = 2;
  resources.memory = "512M";
  resources.time_limit = "10";
  resources.extra_args = {"--qos=high"};
  const internal::SubmitPaths paths{"/d/job.sh", "/d/output.log", "/d", "W@train", "/srv/home"};
  EXPECT_THAT(internal::SbatchArgv(resources, paths),
              ElementsAre("sbatch", "--parsable", "--job-name=W@train", "--output=/d/output.log", "--chdir=/d",
                          "--partition=daily", "--cpus-per-task=2", "--mem=512M", "--time=10",
                          "--export=ALL,REFINERY_HOME=/srv/home", "--qos=high", "/d/job.sh"));
}

TEST(SlurmCommands, ParsesScontrolShowJob) {
  auto info = internal::ParseScontrolJob(
      "JobId=7 JobName=W@train UserId=root(0) JobState=TIMEOUT Reason=TimeLimit Dependency=(null) "
      "ExitCode=0:15 RunTime=00:01:02 TimeLimit=00:01:00 Partition=tiny NodeList=vm\n");
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->job_id, "7");
  EXPECT_EQ(info->state, "TIMEOUT");
  EXPECT_EQ(info->reason, "TimeLimit");
  EXPECT_EQ(info->signal, 15);
  EXPECT_EQ(info->time_limit, "00:01:00");
  EXPECT_EQ(info->partition, "tiny");
  EXPECT_FALSE(internal::ParseScontrolJob("slurm_load_jobs error: Invalid job id specified").has_value());
}

TEST(SlurmStates, MapToActionErrors) {
  internal::SlurmJobInfo info;
  info.job_id = "7";
  info.partition = "tiny";
  info.time_limit = "00:01:00";
  struct Case {
    std::string state;
    std::string code;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"TIMEOUT", "SLURM_TIMEOUT", "time limit of 00:01:00"},
      {"CANCELLED", "SLURM_CANCELLED", "outside Refinery"},
      {"FAILED", "SLURM_FAILED", "exit code 3"},
      {"NODE_FAIL", "SLURM_NODE_FAIL", "ended NODE_FAIL"},
      {"OUT_OF_MEMORY", "SLURM_OUT_OF_MEMORY", "refinery.slurm.memory"},
      {"BOOT_FAIL", "SLURM_BOOT_FAIL", "ended BOOT_FAIL"},
      {"COMPLETED", "SLURM_NO_RESULT", "without writing its result"},
  };
  info.exit_code = 3;
  for (const Case& c : cases) {
    info.state = c.state;
    EXPECT_TRUE(internal::IsFinalState(c.state)) << c.state;
    const auto result = internal::MapFailedJob(info, "line one\n");
    EXPECT_EQ(result.outcome, actions::Outcome::kError) << c.state;
    EXPECT_EQ(result.error_code, c.code);
    EXPECT_THAT(result.error_message, HasSubstr(c.message)) << c.state;
    EXPECT_EQ(result.external_id, "7");
    EXPECT_EQ(result.external_status, c.state);
  }
  EXPECT_THAT(internal::MapFailedJob(info, "boom\n").error_message, HasSubstr("boom"));
  EXPECT_FALSE(internal::IsFinalState("RUNNING"));
  EXPECT_FALSE(internal::IsFinalState("COMPLETING"));
  EXPECT_FALSE(internal::IsFinalState("PENDING"));
}

TEST(SlurmStates, HopelessPendingAndRefusedSubmissionsNameTheFix) {
  internal::SlurmJobInfo info;
  info.job_id = "8";
  info.state = "PENDING";
  info.reason = "PartitionTimeLimit";
  info.partition = "tiny";
  EXPECT_TRUE(internal::IsHopelessPendingReason("PartitionTimeLimit"));
  EXPECT_FALSE(internal::IsHopelessPendingReason("Resources"));
  EXPECT_FALSE(internal::IsHopelessPendingReason("Priority"));
  SlurmResources resources;
  resources.time_limit = "10";
  resources.partition = "tiny";
  const auto pending = internal::MapHopelessPending(info, resources);
  EXPECT_EQ(pending.error_code, "SLURM_PENDING");
  EXPECT_THAT(pending.error_message, HasSubstr("partition \"tiny\""));
  EXPECT_THAT(pending.error_message, HasSubstr("refinery.slurm.time"));

  resources.partition = "nightly";
  const auto refused = internal::MapSubmitError(
      "sbatch: error: invalid partition specified: nightly\nsbatch: error: Batch job submission failed: Invalid "
      "partition name specified\n",
      resources, "daily, tiny");
  EXPECT_EQ(refused.error_code, "SLURM_SUBMIT");
  EXPECT_THAT(refused.error_message, HasSubstr("no partition \"nightly\""));
  EXPECT_THAT(refused.error_message, HasSubstr("one of: daily, tiny"));
}

}  // namespace
}  // namespace refinery::executor
