#include "actions/action.h"
#include "action_test_util.h"

namespace refinery::actions {
namespace {

class FakeSubWorkflowRunner : public SubWorkflowRunner {
 public:
  Result<Outcome> Run(const Properties& child_conf, const Cancellation& cancel) override {
    ++calls;
    last_conf = child_conf;
    if (!start_error.ok()) return start_error;
    return Outcome{"0000002-240101000000000-refinery-W", child_status};
  }
  int calls = 0;
  Properties last_conf;
  std::string child_status = "SUCCEEDED";
  Status start_error;
};

class SubWorkflowActionTest : public testing::ActionTest {
 protected:
  void SetUp() override {
    ActionTest::SetUp();
    RegisterBuiltinActions(&registry_);
  }
  ActionResult RunSub(const std::string& body, int depth = 0) {
    ActionContext context = Context("<sub-workflow>" + body + "</sub-workflow>");
    context.sub_workflows = &runner_;
    context.sub_workflow_depth = depth;
    return registry_.Find("sub-workflow")->Run(context);
  }
  ActionRegistry registry_;
  FakeSubWorkflowRunner runner_;
};

TEST_F(SubWorkflowActionTest, SubwfExampleBuildsTheChildConfiguration) {
  // examples/subwf/workflow.xml after EL evaluation.
  job_conf_.Set("nameNode", "hdfs://localhost:8020");
  job_conf_.Set("user.name", "joe");
  const ActionResult result = RunSub(
      "<app-path>hdfs://localhost:8020/user/joe/examples/apps/map-reduce</app-path>"
      "<configuration>"
      "<property><name>resourceManager</name><value>localhost:8032</value></property>"
      "<property><name>nameNode</name><value>hdfs://localhost:8020</value></property>"
      "<property><name>queueName</name><value>default</value></property>"
      "<property><name>examplesRoot</name><value>examples</value></property>"
      "<property><name>outputDir</name><value>subwf</value></property>"
      "</configuration>");
  ASSERT_EQ(result.outcome, Outcome::kOk) << result.error_message;
  EXPECT_EQ(result.external_id, "0000002-240101000000000-refinery-W");
  EXPECT_EQ(result.external_status, "SUCCEEDED");
  const Properties& conf = runner_.last_conf;
  EXPECT_EQ(conf.GetOr("oozie.wf.application.path", ""), "hdfs://localhost:8020/user/joe/examples/apps/map-reduce");
  EXPECT_EQ(conf.GetOr("outputDir", ""), "subwf");
  EXPECT_EQ(conf.GetOr("resourceManager", ""), "localhost:8032");
  EXPECT_EQ(conf.GetOr("oozie.wf.parent.id", ""), "0000001-240101000000000-refinery-W");
  EXPECT_EQ(conf.GetOr("oozie.wf.superparent.id", ""), "0000001-240101000000000-refinery-W");
  EXPECT_EQ(conf.GetOr("oozie.action.subworkflow.depth", ""), "1");
  EXPECT_EQ(conf.GetOr("user.name", ""), "joe");
}

TEST_F(SubWorkflowActionTest, ParentConfigurationIsPropagatedOnlyWhenAsked) {
  job_conf_.Set("inherited", "from-parent");
  job_conf_.Set("overridden", "parent");
  job_conf_.Set("oozie.wf.application.path", "hdfs://nn/parent-app");
  const std::string inline_conf =
      "<configuration><property><name>overridden</name><value>inline</value></property></configuration>";
  ASSERT_EQ(RunSub("<app-path>/apps/child</app-path>" + inline_conf).outcome, Outcome::kOk);
  EXPECT_FALSE(runner_.last_conf.Contains("inherited"));
  EXPECT_EQ(runner_.last_conf.GetOr("overridden", ""), "inline");

  ASSERT_EQ(RunSub("<app-path>/apps/child</app-path><propagate-configuration/>" + inline_conf).outcome,
            Outcome::kOk);
  EXPECT_EQ(runner_.last_conf.GetOr("inherited", ""), "from-parent");
  EXPECT_EQ(runner_.last_conf.GetOr("overridden", ""), "inline");
  EXPECT_EQ(runner_.last_conf.GetOr("oozie.wf.application.path", ""), "/apps/child");
}

TEST_F(SubWorkflowActionTest, RelativeAppPathIsResolvedAgainstTheParentAppDir) {
  ASSERT_EQ(RunSub("<app-path>child-app</app-path>").outcome, Outcome::kOk);
  EXPECT_EQ(runner_.last_conf.GetOr("oozie.wf.application.path", ""),
            "hdfs://localhost:8020/user/joe/apps/demo/child-app");
}

TEST_F(SubWorkflowActionTest, DepthAndSuperParentFollowTheChain) {
  job_conf_.Set("oozie.wf.parent.id", "0000000-top-W");
  job_conf_.Set("oozie.wf.superparent.id", "0000000-top-W");
  ASSERT_EQ(RunSub("<app-path>/apps/c</app-path>", /*depth=*/3).outcome, Outcome::kOk);
  EXPECT_EQ(runner_.last_conf.GetOr("oozie.action.subworkflow.depth", ""), "4");
  EXPECT_EQ(runner_.last_conf.GetOr("oozie.wf.superparent.id", ""), "0000000-top-W");
}

TEST_F(SubWorkflowActionTest, DepthAboveTheMaximumIsAnErrorAndStartsNothing) {
  EXPECT_EQ(RunSub("<app-path>/apps/c</app-path>", /*depth=*/49).outcome, Outcome::kOk);
  EXPECT_EQ(runner_.last_conf.GetOr("oozie.action.subworkflow.depth", ""), "50");
  runner_.calls = 0;
  const ActionResult result = RunSub("<app-path>/apps/c</app-path>", /*depth=*/50);
  EXPECT_EQ(result.outcome, Outcome::kError);
  EXPECT_EQ(result.error_code, "SUBWF001");
  EXPECT_EQ(result.error_message.rfind("Depth [51] cannot exceed maximum subworkflow depth [50]", 0), 0u)
      << result.error_message;
  EXPECT_EQ(runner_.calls, 0);
}

TEST_F(SubWorkflowActionTest, MaximumDepthIsASetting) {
  job_conf_.Set("oozie.action.subworkflow.max.depth", "3");
  EXPECT_EQ(RunSub("<app-path>/apps/c</app-path>", 2).outcome, Outcome::kOk);
  EXPECT_EQ(RunSub("<app-path>/apps/c</app-path>", 3).error_code, "SUBWF001");
  job_conf_.Set("oozie.action.subworkflow.max.depth", "0");
  EXPECT_EQ(RunSub("<app-path>/apps/c</app-path>", 0).outcome, Outcome::kFailed);  // out of bounds
}

TEST_F(SubWorkflowActionTest, ChildThatDoesNotSucceedIsAnErrorNamingIt) {
  for (const char* status : {"KILLED", "FAILED", "SUSPENDED"}) {
    runner_.child_status = status;
    const ActionResult result = RunSub("<app-path>/apps/c</app-path>");
    EXPECT_EQ(result.outcome, Outcome::kError) << status;
    EXPECT_EQ(result.error_code, "SUBWF002");
    EXPECT_EQ(result.external_id, "0000002-240101000000000-refinery-W");
    EXPECT_EQ(result.external_status, status);
    EXPECT_NE(result.error_message.find("0000002-240101000000000-refinery-W"), std::string::npos);
    EXPECT_NE(result.error_message.find(std::string("[") + status + "]"), std::string::npos);
  }
}

TEST_F(SubWorkflowActionTest, ChildThatCannotStartIsAnError) {
  runner_.start_error = Status::NotFound("App directory [/apps/none] does not exist", "E0504");
  const ActionResult result = RunSub("<app-path>/apps/none</app-path>");
  EXPECT_EQ(result.outcome, Outcome::kError);
  EXPECT_EQ(result.error_code, "E0504");
  EXPECT_NE(result.error_message.find("App directory [/apps/none] does not exist"), std::string::npos);
  runner_.start_error = Status::IoError("disk trouble");
  EXPECT_EQ(RunSub("<app-path>/apps/none</app-path>").error_code, "SUBWF003");
}

TEST_F(SubWorkflowActionTest, KillOfTheParentKillsTheAction) {
  runner_.child_status = "KILLED";
  cancel_.Cancel();
  EXPECT_EQ(RunSub("<app-path>/apps/c</app-path>").outcome, Outcome::kKilled);
  runner_.start_error = Status::Cancelled("killed");
  EXPECT_EQ(RunSub("<app-path>/apps/c</app-path>").outcome, Outcome::kKilled);
}

TEST_F(SubWorkflowActionTest, InlineUserNameIsDisallowed) {
  const ActionResult result = RunSub(
      "<app-path>/apps/c</app-path><configuration><property><name>user.name</name><value>root</value></property>"
      "</configuration>");
  EXPECT_EQ(result.error_code, "E0808");
  EXPECT_EQ(result.error_message, "Disallowed user property [user.name]");
}

TEST_F(SubWorkflowActionTest, MissingAppPathOrRunnerFailsTheWorkflow) {
  EXPECT_EQ(RunSub("").outcome, Outcome::kFailed);
  ActionContext context = Context("<sub-workflow><app-path>/a</app-path></sub-workflow>");
  EXPECT_EQ(registry_.Find("sub-workflow")->Run(context).outcome, Outcome::kFailed);  // no runner
}

}  // namespace
}  // namespace refinery::actions
