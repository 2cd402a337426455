// The profile action inside a workflow, run by the `refinery` binary: the
// gate's outcome drives the transitions and its summary reaches wf:actionData.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli/cli_test_support.h"

namespace refinery::cli::testing {
namespace {

using ::testing::HasSubstr;

const std::string kSourceDir = REFINERY_SOURCE_DIR;

std::string Workflow(const std::string& rule) {
  return R"(<workflow-app xmlns="uri:oozie:workflow:1.0" name="gate">
  <start to="profile"/>
  <action name="profile">
    <profile xmlns="uri:refinery:profile-action:1.0">
      <input>file://)" + kSourceDir + R"(/examples/data/bank_marketing.csv</input>
      <output>/user/reports/bank</output>
      <expect>)" + rule + R"(</expect>
    </profile>
    <ok to="check"/>
    <error to="stopped"/>
  </action>
  <decision name="check">
    <switch>
      <case to="end">${wf:actionData('profile')['rows'] eq '4521'}</case>
      <default to="wrong"/>
    </switch>
  </decision>
  <kill name="stopped"><message>gate closed: ${wf:errorCode('profile')} ${wf:errorMessage('profile')}</message></kill>
  <kill name="wrong"><message>unexpected actionData</message></kill>
  <end name="end"/>
</workflow-app>)";
}

TEST_F(CliFixture, ProfileGateThatPassesLetsTheWorkflowSucceed) {
  WriteFile("app/workflow.xml", Workflow("rows &gt;= 1000"));
  const auto props = WriteFile("app/job.properties", "oozie.wf.application.path=.\nuser.name=alice\n");
  const auto validated = Run({"validate", (dir_ / "app/workflow.xml").string()});
  EXPECT_EQ(validated.exit_code, 0) << validated.out;
  const auto result = Run({"job", "-config", props.string(), "-run"});
  EXPECT_EQ(result.exit_code, 0) << result.out;
  EXPECT_THAT(result.out, HasSubstr("status: SUCCEEDED"));
  const auto ls = Run({"fs", "-ls", "/user/reports/bank"});
  EXPECT_THAT(ls.out, HasSubstr("profile.html"));
  EXPECT_THAT(ls.out, HasSubstr("profile.json"));
}

TEST_F(CliFixture, ProfileGateThatFailsStopsTheWorkflowWithDq001) {
  WriteFile("app/workflow.xml", Workflow("null_fraction(age) &gt; 0.5"));
  const auto props = WriteFile("app/job.properties", "oozie.wf.application.path=.\nuser.name=alice\n");
  const auto result = Run({"job", "-config", props.string(), "-run"});
  EXPECT_EQ(result.exit_code, 1) << result.out;
  EXPECT_THAT(result.out, HasSubstr("status: KILLED"));
  EXPECT_THAT(result.out, HasSubstr("gate closed: DQ001"));
  EXPECT_THAT(result.out, HasSubstr("null_fraction(age) > 0.5 (observed 0)"));
}

}  // namespace
}  // namespace refinery::cli::testing
