#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli/cli_test_support.h"
#include "store/store.h"

namespace refinery::cli::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::string kSourceDir = REFINERY_SOURCE_DIR;

TEST_F(CliFixture, QuickstartExampleRunsToSuccess) {
  const auto result = Run({"job", "-config", kSourceDir + "/examples/quickstart/job.properties", "-run"});
  ASSERT_EQ(result.exit_code, 0) << result.out;
  EXPECT_THAT(result.out, HasSubstr("status: SUCCEEDED"));
  EXPECT_THAT(result.out, HasSubstr("profile-age"));  // live progress per action
  const auto ls = Run({"fs", "-ls", "-R", "/user"});
  EXPECT_THAT(ls.out, HasSubstr("/user/rawzone/funnel-demo/part-m-00000"));
  EXPECT_THAT(ls.out, HasSubstr("/user/refinedzone/funnel-demo/_READY"));

  const std::string id = ExtractJobId(result.out);
  const auto info = Run({"job", "-info", id});
  EXPECT_EQ(info.exit_code, 0);
  EXPECT_THAT(info.out, HasSubstr("Job ID : " + id));
  EXPECT_THAT(info.out, HasSubstr("Workflow Name : funnel-quickstart"));
  EXPECT_THAT(info.out, HasSubstr(id + "@quality-gate"));
  const auto jobs = Run({"jobs", "-filter", "status=SUCCEEDED"});
  EXPECT_THAT(jobs.out, HasSubstr(id));
  EXPECT_THAT(Run({"jobs", "-filter", "status=KILLED"}).out, Not(HasSubstr(id)));
  EXPECT_THAT(Run({"job", "-log", id}).out, HasSubstr("Job ended with status [SUCCEEDED]"));
  EXPECT_THAT(Run({"job", "-definition", id}).out, HasSubstr("<workflow-app"));
}

TEST_F(CliFixture, KilledJobExitsNonZeroAndNamesTheError) {
  WriteFile("app/workflow.xml", R"(<workflow-app xmlns="uri:oozie:workflow:0.5" name="k">
  <start to="boom"/>
  <kill name="boom"><message>stopped on purpose by ${wf:user()}</message></kill>
  <end name="end"/>
</workflow-app>)");
  const auto props = WriteFile("app/job.properties", "oozie.wf.application.path=.\nuser.name=alice\n");
  const auto result = Run({"job", "-config", props.string(), "-run"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.out, HasSubstr("status: KILLED"));
  EXPECT_THAT(result.out, HasSubstr("stopped on purpose by alice"));
}

TEST_F(CliFixture, DryRunPrintsGraphAndResolvedConfiguration) {
  WriteFile("app/workflow.xml", R"(<workflow-app xmlns="uri:oozie:workflow:0.5" name="${appName}">
  <start to="end"/>
  <end name="end"/>
</workflow-app>)");
  const auto props = WriteFile("app/job.properties", "appName=dry\noozie.wf.application.path=.\nx=${appName}-1\n");
  const auto result = Run({"job", "-config", props.string(), "-dryrun"});
  EXPECT_EQ(result.exit_code, 0) << result.out;
  EXPECT_THAT(result.out, HasSubstr("Workflow [dry]"));
  EXPECT_THAT(result.out, HasSubstr("x=dry-1"));
  EXPECT_THAT(result.out, HasSubstr("OK"));
}

TEST_F(CliFixture, ValidateListsEveryErrorWithFileAndLine) {
  const auto wf = WriteFile("bad.xml", R"(<workflow-app xmlns="uri:oozie:workflow:0.5" name="bad">
  <start to="a"/>
  <action name="a"><fs><mkdir path="/x"/></fs><ok to="missing"/><error to="k"/></action>
  <kill name="k"><message>m</message></kill>
  <end name="end"/>
</workflow-app>)");
  const auto result = Run({"validate", wf.string()});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.out, HasSubstr("E0708"));
  EXPECT_THAT(result.out, HasSubstr("bad.xml:3"));
}

TEST_F(CliFixture, ValidateAcceptsEveryOozieExampleWorkflow) {
  const std::filesystem::path examples = kSourceDir + "/../shared/oozie-compat/examples";
  if (!std::filesystem::exists(examples)) GTEST_SKIP() << "no " << examples;
  int checked = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(examples)) {
    if (entry.path().filename() != "workflow.xml") continue;
    const auto result = Run({"validate", entry.path().string()});
    EXPECT_EQ(result.exit_code, 0) << entry.path() << "\n" << result.out;
    ++checked;
  }
  EXPECT_GT(checked, 10);
}

TEST_F(CliFixture, MissingConfigFileIsAClearError) {
  const auto result = Run({"job", "-config", "/nonexistent/job.properties", "-run"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.out, HasSubstr("configuration file [/nonexistent/job.properties] not found"));
}

TEST_F(CliFixture, UnknownJobIdIsOozieE0604) {
  const auto result = Run({"job", "-info", "0000000-000000000000000-refinery-x-W"});
  EXPECT_NE(result.exit_code, 0);
  EXPECT_THAT(result.out, HasSubstr("E0604"));
}

TEST_F(CliFixture, BadJobsFilterIsE0420) {
  const auto result = Run({"jobs", "-filter", "status=SLEEPING"});
  EXPECT_NE(result.exit_code, 0);
  EXPECT_THAT(result.out, HasSubstr("E0420"));
}

TEST_F(CliFixture, FsCommandsManageTheRootLikeHdfsDfs) {
  const auto local = WriteFile("local.txt", "hello\n");
  EXPECT_EQ(Run({"fs", "-mkdir", "-p", "/user/refinedzone"}).exit_code, 0);
  EXPECT_EQ(Run({"fs", "-put", "-f", local.string(), "/user/refinedzone/"}).exit_code, 0);
  EXPECT_EQ(Run({"fs", "-cat", "hdfs://namenode:8020/user/refinedzone/local.txt"}).out, "hello\n");
  EXPECT_EQ(Run({"fs", "-test", "-e", "/user/refinedzone/local.txt"}).exit_code, 0);
  EXPECT_EQ(Run({"fs", "-test", "-d", "/user/refinedzone/local.txt"}).exit_code, 1);
  EXPECT_THAT(Run({"fs", "-du", "/user/refinedzone"}).out, HasSubstr("6"));
  EXPECT_EQ(Run({"fs", "-rm", "-r", "/user/refinedzone"}).exit_code, 0);
  EXPECT_EQ(Run({"fs", "-test", "-e", "/user/refinedzone"}).exit_code, 1);
  const auto escape = Run({"fs", "-put", "-f", local.string(), "/user/../../etc/x"});
  EXPECT_NE(escape.exit_code, 0);
}

TEST_F(CliFixture, EveryVerbHasHelp) {
  for (const std::string verb : {"job", "jobs", "validate", "admin", "recover", "fs"}) {
    const auto result = Run({verb, "-h"});
    EXPECT_EQ(result.exit_code, 0) << verb << "\n" << result.out;
    EXPECT_THAT(result.out, HasSubstr("sage")) << verb;  // "Usage"/"usage"
  }
}

TEST_F(CliFixture, KillFromAnotherProcessStopsTheRunningJob) {
  WriteFile("app/workflow.xml", R"(<workflow-app xmlns="uri:oozie:workflow:0.5" name="long">
  <start to="wait"/>
  <action name="wait"><shell xmlns="uri:oozie:shell-action:0.3"><job-tracker>jt</job-tracker>
    <name-node>nn</name-node><exec>sleep</exec><argument>30</argument></shell>
    <ok to="end"/><error to="fail"/></action>
  <kill name="fail"><message>failed</message></kill>
  <end name="end"/>
</workflow-app>)");
  const auto props = WriteFile("app/job.properties", "oozie.wf.application.path=.\n");
  const auto log = dir_ / "long-run.txt";
  const pid_t runner = Spawn({"job", "-config", props.string(), "-run"}, log);
  std::string id;
  for (int i = 0; i < 200 && id.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (!std::filesystem::exists(home_ / "state.db")) continue;
    auto store = store::OpenSqliteStore((home_ / "state.db").string());
    if (!store.ok()) continue;
    store::JobFilter running;
    running.statuses = {"RUNNING"};
    auto page = (*store)->ListJobs(running, 0, 1);
    if (page.ok() && !page->jobs.empty()) id = page->jobs[0].id;
  }
  ASSERT_FALSE(id.empty()) << "the job never showed up as RUNNING";
  // The job runs in the other process; the kill reaches it through the store.
  EXPECT_EQ(Run({"job", "-kill", id}).exit_code, 0);
  EXPECT_EQ(Wait(runner), 1);  // without the kill it would succeed after 30 s
  std::ifstream in(log);
  std::stringstream out;
  out << in.rdbuf();
  EXPECT_THAT(out.str(), HasSubstr("status: KILLED"));
}

TEST_F(CliFixture, AdminStatusAndVersion) {
  EXPECT_THAT(Run({"admin", "-status"}).out, HasSubstr("System mode: NORMAL"));
  EXPECT_THAT(Run({"admin", "-version"}).out, HasSubstr("build version"));
}

}  // namespace
}  // namespace refinery::cli::testing
