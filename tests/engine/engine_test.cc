#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/engine_test_support.h"

namespace refinery::engine::testing {
namespace {

using ::testing::HasSubstr;

TEST_F(EngineFixture, RunsStartToEndAndRecordsEveryNode) {
  const auto job = RunToEnd(App("simple", Workflow(TestAction("a", "<data>k=v</data>"))));
  EXPECT_EQ(job.status, "SUCCEEDED");
  EXPECT_THAT(job.id, ::testing::MatchesRegex("[0-9]{7}-[0-9]{15}-refinery-.*-W"));
  const auto actions = Actions(job.id);
  ASSERT_EQ(actions.count(":start:"), 1u);
  EXPECT_EQ(actions.at(":start:").type, ":START:");
  EXPECT_EQ(actions.at(":start:").transition, "a");
  EXPECT_EQ(actions.at("a").status, "OK");
  EXPECT_EQ(actions.at("a").id, job.id + "@a");
  EXPECT_EQ(actions.at("a").data, "k=v");
  EXPECT_EQ(actions.at("end").type, ":END:");
  EXPECT_EQ(scripted_->runs("a"), 1);
}

TEST_F(EngineFixture, ErrorTransitionLeadsToKillWithEvaluatedMessage) {
  const auto job = RunToEnd(App("err", Workflow(TestAction("a", "<outcome>error</outcome><error-code>X1</error-code>"))));
  EXPECT_EQ(job.status, "KILLED");
  const auto actions = Actions(job.id);
  EXPECT_EQ(actions.at("a").status, "ERROR");
  EXPECT_EQ(actions.at("a").error_code, "X1");
  EXPECT_EQ(actions.at("a").transition, "fail");
  EXPECT_EQ(actions.at("fail").error_code, "E0729");
  EXPECT_EQ(actions.at("fail").error_message, "failed at [a]: scripted error");
  EXPECT_EQ(job.error_message, "failed at [a]: scripted error");
}

TEST_F(EngineFixture, FailedOutcomeFailsTheWorkflowWithoutTakingTheErrorTransition) {
  const auto job = RunToEnd(App("failed", Workflow(TestAction("a", "<outcome>failed</outcome>"))));
  EXPECT_EQ(job.status, "FAILED");
  const auto actions = Actions(job.id);
  EXPECT_EQ(actions.at("a").status, "FAILED");
  EXPECT_EQ(actions.count("fail"), 0u);
}

TEST_F(EngineFixture, UndefinedVariableAtActionStartFailsWithElError) {
  const auto job = RunToEnd(App("el", Workflow(TestAction("a", "<data>x=${noSuchVariable}</data>"))));
  EXPECT_EQ(job.status, "FAILED");
  EXPECT_EQ(job.error_code, "EL_ERROR");
  EXPECT_THAT(job.error_message, HasSubstr("variable [noSuchVariable] cannot be resolved"));
  EXPECT_EQ(scripted_->runs("a"), 0);
}

TEST_F(EngineFixture, ActionXmlSeesJobPropertiesAndWorkflowFunctions) {
  auto conf = App("vars", Workflow(TestAction("a", "<data>who=${who} id=${wf:id()} n=${wf:name()} kb=${KB}</data>")));
  conf.Set("who", "a<b");
  const auto job = RunToEnd(conf);
  ASSERT_EQ(job.status, "SUCCEEDED");
  // Job properties are XML-escaped into the action XML, as Oozie does, so the
  // action sees the original text after parsing.
  EXPECT_EQ(Actions(job.id).at("a").data, "who=a<b id=" + job.id + " n=test-wf kb=1024");
}

TEST_F(EngineFixture, DecisionTakesFirstCaseWhoseTrimmedValueIsExactlyTrue) {
  const std::string nodes =
      TestAction("a", "<data>color=blue</data>", "choose") +
      "<decision name=\"choose\"><switch>"
      "<case to=\"red\">  ${wf:actionData('a')['color'] eq 'red'}  </case>"
      "<case to=\"blue\">\n   ${wf:actionData('a')['color'] eq 'blue'}\n</case>"
      "<case to=\"red\">true</case>"
      "<default to=\"red\"/></switch></decision>\n" +
      TestAction("red", "") + TestAction("blue", "");
  const auto job = RunToEnd(App("decision", Workflow(nodes)));
  EXPECT_EQ(job.status, "SUCCEEDED");
  const auto actions = Actions(job.id);
  EXPECT_EQ(actions.at("choose").transition, "blue");
  EXPECT_EQ(actions.count("red"), 0u);
  EXPECT_EQ(scripted_->runs("blue"), 1);
}

TEST_F(EngineFixture, DecisionCaseWithTrueInOtherCaseDoesNotMatch) {
  const std::string nodes =
      "<decision name=\"a\"><switch><case to=\"x\">TRUE</case><case to=\"x\">yes</case>"
      "<default to=\"y\"/></switch></decision>\n" +
      TestAction("x", "") + TestAction("y", "");
  const auto job = RunToEnd(App("decision-case", Workflow(nodes)));
  EXPECT_EQ(Actions(job.id).at("a").transition, "y");
}

TEST_F(EngineFixture, ForkRunsBranchesConcurrentlyAndJoinsOnce) {
  const std::string nodes =
      "<fork name=\"a\"><path start=\"left\"/><path start=\"right\"/></fork>\n" +
      TestAction("left", "<rendezvous>both</rendezvous>", "j") +
      TestAction("right", "<rendezvous>both</rendezvous>", "j") + "<join name=\"j\" to=\"after\"/>\n" +
      TestAction("after", "");
  const auto job = RunToEnd(App("fork", Workflow(nodes)));
  EXPECT_EQ(job.status, "SUCCEEDED") << job.error_message;
  EXPECT_EQ(scripted_->runs("after"), 1);
  const auto actions = Actions(job.id);
  EXPECT_EQ(actions.at("j").transition, "after");
  EXPECT_EQ(actions.at("left").execution_path, "/a:0");
  EXPECT_EQ(actions.at("right").execution_path, "/a:1");
}

// Branches that end at the same moment are recorded together (one store
// batch for every end waiting when a worker gets the engine's lock): each
// still ends once, with its own log lines before its end line.
TEST_F(EngineFixture, BranchesEndingTogetherAreEachRecordedOnceWithTheirLogInOrder) {
  std::string paths;
  std::string branches;
  for (const std::string pair : {"p", "q", "r"}) {
    for (const std::string side : {"1", "2"}) {
      const std::string name = pair + side;
      paths += "<path start=\"" + name + "\"/>";
      branches += TestAction(name, "<log>work of " + name + "</log><rendezvous>" + pair + "</rendezvous>", "j");
    }
  }
  const std::string nodes = "<fork name=\"a\">" + paths + "</fork>\n" + branches + "<join name=\"j\" to=\"after\"/>\n" +
                            TestAction("after", "");
  const auto job = RunToEnd(App("ends-together", Workflow(nodes)));
  ASSERT_EQ(job.status, "SUCCEEDED") << job.error_message;
  EXPECT_EQ(scripted_->runs("after"), 1);
  const auto actions = Actions(job.id);
  const std::string log = store_->ReadLog(job.id).value();
  for (const std::string name : {"p1", "p2", "q1", "q2", "r1", "r2"}) {
    EXPECT_EQ(scripted_->runs(name), 1) << name;
    EXPECT_EQ(actions.at(name).status, "OK") << name;
    const auto work = log.find("[" + name + "] work of " + name);
    const auto end = log.find("[" + name + "] Action ended OK");
    ASSERT_NE(work, std::string::npos) << log;
    ASSERT_NE(end, std::string::npos) << log;
    EXPECT_LT(work, end) << log;
    EXPECT_EQ(log.find("[" + name + "] Action ended OK", end + 1), std::string::npos) << name << " ended twice";
  }
}

TEST_F(EngineFixture, NestedForksJoinInnerBeforeOuter) {
  const std::string nodes =
      "<fork name=\"a\"><path start=\"f2\"/><path start=\"c\"/></fork>\n"
      "<fork name=\"f2\"><path start=\"d\"/><path start=\"e\"/></fork>\n" +
      TestAction("d", "", "j2") + TestAction("e", "<sleep-ms>20</sleep-ms>", "j2") +
      "<join name=\"j2\" to=\"g\"/>\n" + TestAction("g", "", "j") + TestAction("c", "", "j") +
      "<join name=\"j\" to=\"h\"/>\n" + TestAction("h", "");
  const auto job = RunToEnd(App("nested", Workflow(nodes)));
  EXPECT_EQ(job.status, "SUCCEEDED") << job.error_message;
  EXPECT_EQ(scripted_->runs("g"), 1);
  EXPECT_EQ(scripted_->runs("h"), 1);
}

TEST_F(EngineFixture, KillNodeInsideForkKillsTheOtherBranch) {
  const std::string nodes = "<fork name=\"a\"><path start=\"slow\"/><path start=\"bad\"/></fork>\n" +
                            TestAction("slow", "<sleep-ms>5000</sleep-ms>", "j") +
                            TestAction("bad", "<outcome>error</outcome>", "j") + "<join name=\"j\" to=\"end\"/>\n";
  const auto job = RunToEnd(App("fork-kill", Workflow(nodes)));
  EXPECT_EQ(job.status, "KILLED");
  EXPECT_EQ(Actions(job.id).at("slow").status, "KILLED");
}

TEST_F(EngineFixture, UserRetryRerunsAnEligibleErrorUpToRetryMax) {
  auto conf = App("retry", Workflow(TestAction("a", "<outcome>error</outcome><error-code>JA009</error-code>",
                                                "end", "fail", " retry-max=\"2\" retry-interval=\"1\"")));
  const auto job = RunToEnd(conf);
  EXPECT_EQ(job.status, "KILLED");
  EXPECT_EQ(scripted_->runs("a"), 3);
  const auto actions = Actions(job.id);
  EXPECT_EQ(actions.at("a").user_retry_count, 2);
  EXPECT_EQ(actions.at("a").status, "ERROR");
}

TEST_F(EngineFixture, UserRetryIgnoresErrorCodesOutsideTheRetryList) {
  auto conf = App("no-retry", Workflow(TestAction("a", "<outcome>error</outcome><error-code>1</error-code>", "end",
                                                   "fail", " retry-max=\"2\" retry-interval=\"1\"")));
  EXPECT_EQ(RunToEnd(conf).status, "KILLED");
  EXPECT_EQ(scripted_->runs("a"), 1);
}

TEST_F(EngineFixture, UserRetryAppliesToAnyCodeWhenTheExtensionListSaysAll) {
  auto conf = App("retry-all", Workflow(TestAction("a", "<outcome>error</outcome><error-code>1</error-code>", "end",
                                                    "fail", " retry-max=\"1\" retry-interval=\"1\"")));
  conf.Set("oozie.service.LiteWorkflowStoreService.user.retry.error.code.ext", "ALL");
  EXPECT_EQ(RunToEnd(conf).status, "KILLED");
  EXPECT_EQ(scripted_->runs("a"), 2);
}

TEST_F(EngineFixture, TransientErrorsRetryThenSuspendForAManualDecision) {
  const auto job = RunToEnd(App("transient", Workflow(TestAction("a", "<outcome>transient</outcome>"))));
  EXPECT_EQ(job.status, "SUSPENDED");
  EXPECT_EQ(scripted_->runs("a"), 4);
  EXPECT_EQ(Actions(job.id).at("a").status, "START_MANUAL");
}

TEST_F(EngineFixture, KillStopsARunningAction) {
  auto id = engine_->Submit(App("kill", Workflow(TestAction("a", "<sleep-ms>10000</sleep-ms>"))), true);
  ASSERT_TRUE(id.ok());
  while (scripted_->runs("a") == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  ASSERT_TRUE(engine_->Kill(*id).ok());
  auto job = engine_->WaitForJob(*id);
  ASSERT_TRUE(job.ok());
  EXPECT_EQ(job->status, "KILLED");
  EXPECT_EQ(Actions(*id).at("a").status, "KILLED");
}

TEST_F(EngineFixture, SuspendHoldsTheNextNodeUntilResume) {
  const std::string nodes = TestAction("a", "<sleep-ms>100</sleep-ms>", "b") + TestAction("b", "");
  auto id = engine_->Submit(App("suspend", Workflow(nodes)), true);
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(engine_->Suspend(*id).ok());
  auto suspended = engine_->WaitForJob(*id);
  ASSERT_TRUE(suspended.ok());
  EXPECT_EQ(suspended->status, "SUSPENDED");
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(scripted_->runs("b"), 0);
  EXPECT_EQ(Actions(*id).at("a").status, "OK");
  ASSERT_TRUE(engine_->Resume(*id).ok());
  auto done = engine_->WaitForJob(*id);
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->status, "SUCCEEDED");
  EXPECT_EQ(scripted_->runs("b"), 1);
}

TEST_F(EngineFixture, SuspendOnNodesStopsBeforeTheNamedNode) {
  auto conf = App("suspend-on", Workflow(TestAction("a", "", "b") + TestAction("b", "")));
  conf.Set("oozie.suspend.on.nodes", "b");
  const auto job = RunToEnd(conf);
  EXPECT_EQ(job.status, "SUSPENDED");
  EXPECT_EQ(scripted_->runs("b"), 0);
  ASSERT_TRUE(engine_->Resume(job.id).ok());
  EXPECT_EQ(engine_->WaitForJob(job.id)->status, "SUCCEEDED");
  EXPECT_EQ(scripted_->runs("b"), 1);
}

TEST_F(EngineFixture, RerunWithFailNodesSkipsActionsThatSucceeded) {
  auto conf = App("rerun", Workflow(TestAction("a", "", "b") + TestAction("b", "<outcome>${outcome}</outcome>")));
  conf.Set("outcome", "error");
  const auto first = RunToEnd(conf);
  ASSERT_EQ(first.status, "KILLED");
  Properties rerun;
  rerun.Set("oozie.wf.rerun.failnodes", "true");
  rerun.Set("outcome", "ok");
  ASSERT_TRUE(engine_->Rerun(first.id, rerun).ok());
  auto second = engine_->WaitForJob(first.id);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->status, "SUCCEEDED");
  EXPECT_EQ(second->run, 1);
  EXPECT_EQ(scripted_->runs("a"), 1);
  EXPECT_EQ(scripted_->runs("b"), 2);
}

TEST_F(EngineFixture, RerunRefusesAJobThatIsStillRunningAndBothRerunModes) {
  auto id = engine_->Submit(App("rerun-running", Workflow(TestAction("a", "<sleep-ms>300</sleep-ms>"))), true);
  ASSERT_TRUE(id.ok());
  Status status = engine_->Rerun(*id, Properties{});
  EXPECT_EQ(status.error_code(), "E0805");
  ASSERT_TRUE(engine_->WaitForJob(*id).ok());
  Properties both;
  both.Set("oozie.wf.rerun.failnodes", "true");
  both.Set("oozie.wf.rerun.skip.nodes", "a");
  EXPECT_EQ(engine_->Rerun(*id, both).error_code(), "E0404");
}

// Leaves a job as a crash would: the job RUNNING, action `b` RUNNING, `a`
// done, owned by a process that no longer exists. Returns the job id.
std::string JobLeftRunningByACrash(EngineFixture& fixture, const std::string& app) {
  auto conf = fixture.App(app, Workflow(TestAction("a", "", "b") + TestAction("b", "")));
  conf.Set("oozie.suspend.on.nodes", "b");
  const auto job = fixture.RunToEnd(conf);
  EXPECT_EQ(job.status, "SUSPENDED");
  auto record = fixture.store_->GetJob(job.id);
  auto actions = fixture.Actions(job.id);
  store::WriteBatch crash;
  record->status = "RUNNING";
  crash.jobs.push_back(*record);
  actions.at("b").status = "RUNNING";
  crash.actions.push_back(actions.at("b"));
  EXPECT_TRUE(fixture.store_->Apply(crash).ok());
  // Its lease names a process on this host that has exited: taken at once.
  const std::string id = fixture.engine_->ProcessId();
  const std::string dead = id.substr(0, id.find(':')) + ":999999999:0";
  EXPECT_TRUE(fixture.store_->AcquireLease("workflow:" + job.id, dead, 60'000, id).ok());
  return job.id;
}

TEST_F(EngineFixture, RecoverRunsAnInterruptedIdempotentActionAgain) {
  const std::string id = JobLeftRunningByACrash(*this, "recover");
  OpenEngine();
  auto recovered = engine_->Recover();
  ASSERT_TRUE(recovered.ok());
  ASSERT_EQ(recovered->size(), 1u);
  EXPECT_EQ(engine_->WaitForJob(id)->status, "SUCCEEDED");
  EXPECT_EQ(scripted_->runs("a"), 0);  // the new engine never ran the finished action
  EXPECT_EQ(scripted_->runs("b"), 1);
}

TEST_F(EngineFixture, RecoverSuspendsWhenAnInterruptedActionIsNotIdempotent) {
  const std::string id = JobLeftRunningByACrash(*this, "recover-manual");
  store::WorkflowJobRecord job;
  job.id = id;
  OpenEngine();
  scripted_->set_idempotent(false);
  ASSERT_TRUE(engine_->Recover().ok());
  auto after = engine_->WaitForJob(job.id);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->status, "SUSPENDED");
  EXPECT_THAT(after->error_message, HasSubstr("not idempotent"));
  EXPECT_EQ(Actions(job.id).at("b").status, "START_MANUAL");
  EXPECT_EQ(scripted_->runs("b"), 0);
  ASSERT_TRUE(engine_->Resume(job.id).ok());
  EXPECT_EQ(engine_->WaitForJob(job.id)->status, "SUCCEEDED");
}

TEST_F(EngineFixture, RecoverLeavesJobsOfAnotherLiveProcessAlone) {
  auto conf = App("owned", Workflow(TestAction("a", "", "b") + TestAction("b", "")));
  conf.Set("oozie.suspend.on.nodes", "b");
  const auto job = RunToEnd(conf);
  auto record = store_->GetJob(job.id);
  record->status = "RUNNING";
  store::WriteBatch batch;
  batch.jobs.push_back(*record);
  ASSERT_TRUE(store_->Apply(batch).ok());
  // This test process is alive and owns the job.
  auto recovered = engine_->Recover();
  ASSERT_TRUE(recovered.ok());
  EXPECT_TRUE(recovered->empty());
}

// Another process took the job's lease (it thought this one dead): the
// running action's end is not written, nothing after it runs, and the job
// leaves this engine.
TEST_F(EngineFixture, JobWhoseLeaseWasTakenIsDroppedAndWritesNothingMore) {
  auto id = engine_->Submit(App("taken", Workflow(TestAction("a", "<sleep-ms>300</sleep-ms>", "b") +
                                                  TestAction("b", ""))),
                            true);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  const auto taken = store_->AcquireLease("workflow:" + *id, "elsewhere:1:1", 60'000, engine_->ProcessId());
  ASSERT_TRUE(taken.ok()) << taken.status().ToString();
  EXPECT_EQ(taken->fence, 2);
  auto after = engine_->WaitForJob(*id);  // returns once the engine has dropped the job
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->status, "RUNNING");
  EXPECT_NE(Actions(*id).at("a").status, "OK");
  EXPECT_EQ(Actions(*id).count("b"), 0u);
  EXPECT_EQ(scripted_->runs("b"), 0);
  EXPECT_EQ(store_->ListLeases("workflow:" + *id)->at(0).owner, "elsewhere:1:1");
}

TEST_F(EngineFixture, FinishedJobReleasesItsLeaseAndShutdownItsProcess) {
  const auto job = RunToEnd(App("released", Workflow(TestAction("a", ""))));
  ASSERT_EQ(job.status, "SUCCEEDED");
  EXPECT_TRUE(store_->ListLeases("workflow:" + job.id)->empty());
  EXPECT_EQ(store_->ListProcesses()->size(), 1u);
  engine_->Shutdown();
  EXPECT_TRUE(store_->ListProcesses()->empty());
}

TEST_F(EngineFixture, SubmitRejectsAnInvalidGraphWithOozieCode) {
  auto id = engine_->Submit(App("bad", Workflow(TestAction("a", "", "nowhere"))), true);
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.status().error_code(), "E0708");
}

TEST_F(EngineFixture, SubmitRejectsReservedPropertyNames) {
  auto conf = App("reserved", Workflow(TestAction("a", "")));
  conf.Set("GB", "5");
  auto id = engine_->Submit(conf, true);
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.status().error_code(), "E0808");
}

TEST_F(EngineFixture, HadoopOnlyActionFailsAtRunTimeWithAClearMessage) {
  const std::string nodes =
      "<action name=\"a\"><pig><job-tracker>jt</job-tracker><name-node>nn</name-node><script>x.pig</script></pig>"
      "<ok to=\"end\"/><error to=\"fail\"/></action>";
  const auto job = RunToEnd(App("pig", Workflow(nodes)));
  EXPECT_EQ(job.status, "KILLED");
  EXPECT_THAT(Actions(job.id).at("a").error_message, HasSubstr("not supported by Refinery"));
}

TEST_F(EngineFixture, ShellExampleCapturesOutputAndDecidesOnIt) {
  const std::string shell_wf = R"(<workflow-app xmlns="uri:oozie:workflow:1.0" name="shell-wf">
    <start to="shell-node"/>
    <action name="shell-node">
        <shell xmlns="uri:oozie:shell-action:1.0">
            <resource-manager>${resourceManager}</resource-manager>
            <name-node>${nameNode}</name-node>
            <exec>echo</exec>
            <argument>my_output=Hello Oozie</argument>
            <capture-output/>
        </shell>
        <ok to="check-output"/>
        <error to="fail"/>
    </action>
    <decision name="check-output">
        <switch>
            <case to="end">${wf:actionData('shell-node')['my_output'] eq 'Hello Oozie'}</case>
            <default to="fail-output"/>
        </switch>
    </decision>
    <kill name="fail"><message>Shell action failed [${wf:errorMessage(wf:lastErrorNode())}]</message></kill>
    <kill name="fail-output"><message>Incorrect output [${wf:actionData('shell-node')['my_output']}]</message></kill>
    <end name="end"/>
</workflow-app>)";
  auto conf = App("shell", shell_wf);
  conf.Set("nameNode", "hdfs://localhost:8020");
  conf.Set("resourceManager", "localhost:8032");
  const auto job = RunToEnd(conf);
  EXPECT_EQ(job.status, "SUCCEEDED") << job.error_message;
  EXPECT_EQ(Actions(job.id).at("check-output").transition, "end");
}

TEST_F(EngineFixture, SubWorkflowRunsTheChildAndPassesItsResult) {
  App("child", Workflow(TestAction("a", "<data>from=${parentValue}</data>")));
  const std::string parent_nodes =
      "<action name=\"a\"><sub-workflow><app-path>file://" + (dir_ / "apps" / "child").string() +
      "</app-path><propagate-configuration/></sub-workflow><ok to=\"end\"/><error to=\"fail\"/></action>";
  auto conf = App("parent", Workflow(parent_nodes));
  conf.Set("parentValue", "p1");
  const auto job = RunToEnd(conf);
  EXPECT_EQ(job.status, "SUCCEEDED") << job.error_message;
  const auto child_id = Actions(job.id).at("a").external_id;
  ASSERT_FALSE(child_id.empty());
  auto child = store_->GetJob(child_id);
  ASSERT_TRUE(child.ok());
  EXPECT_EQ(child->status, "SUCCEEDED");
  EXPECT_EQ(child->parent_id, job.id);
  EXPECT_EQ(Actions(child_id).at("a").data, "from=p1");
}

TEST_F(EngineFixture, FailingSubWorkflowTakesTheErrorTransition) {
  App("bad-child", Workflow(TestAction("a", "<outcome>error</outcome>")));
  const std::string parent_nodes =
      "<action name=\"a\"><sub-workflow><app-path>file://" + (dir_ / "apps" / "bad-child").string() +
      "</app-path></sub-workflow><ok to=\"end\"/><error to=\"fail\"/></action>";
  const auto job = RunToEnd(App("parent2", Workflow(parent_nodes)));
  EXPECT_EQ(job.status, "KILLED");
  EXPECT_EQ(Actions(job.id).at("a").status, "ERROR");
}

TEST_F(EngineFixture, ObserversSeeJobAndActionEventsInOrder) {
  struct Recorder : EngineObserver {
    std::mutex mu;
    std::vector<std::string> seen;
    void OnEvent(const EngineEvent& event) override {
      std::lock_guard<std::mutex> lock(mu);
      seen.push_back(event.action_name + ":" + event.status);
    }
  } recorder;
  engine_->AddObserver(&recorder);
  RunToEnd(App("observed", Workflow(TestAction("a", ""))));
  std::lock_guard<std::mutex> lock(recorder.mu);
  EXPECT_THAT(recorder.seen, ::testing::ElementsAre(":RUNNING", "a:RUNNING", "a:OK", ":SUCCEEDED"));
}

TEST_F(EngineFixture, JobLogTellsTheStoryOfTheRun) {
  const auto job = RunToEnd(App("logged", Workflow(TestAction("a", ""))));
  auto log = store_->ReadLog(job.id);
  ASSERT_TRUE(log.ok());
  EXPECT_THAT(*log, HasSubstr("Start action [" + job.id + "@a]"));
  EXPECT_THAT(*log, HasSubstr("Job ended with status [SUCCEEDED]"));
}

TEST_F(EngineFixture, AQuickActionsLogLinesComeBeforeItsEndLine) {
  const auto job = RunToEnd(App("quick-log", Workflow(TestAction("a", "<log>one</log><log>two</log>"))));
  auto log = store_->ReadLog(job.id);
  ASSERT_TRUE(log.ok());
  const size_t one = log->find("[a] one"), two = log->find("[a] two"), end = log->find("[a] Action ended OK");
  ASSERT_NE(one, std::string::npos) << *log;
  ASSERT_NE(two, std::string::npos) << *log;
  ASSERT_NE(end, std::string::npos) << *log;
  EXPECT_LT(one, two);
  EXPECT_LT(two, end);
}

TEST_F(EngineFixture, ALongActionsLogLinesReachTheJobLogWhileItRuns) {
  // The second line comes after the buffering window, so it is stored at once
  // (with the first) while the action still sleeps.
  auto id = engine_->Submit(App("streamed-log", Workflow(TestAction(
                                    "a", "<log>early</log><log-after-ms ms=\"400\">late</log-after-ms>"
                                         "<sleep-ms>3000</sleep-ms>"))),
                            true);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  std::string log;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (log.find("[a] late") == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    auto current = store_->ReadLog(*id);
    if (current.ok()) log = *current;
  }
  EXPECT_THAT(log, HasSubstr("[a] early"));
  EXPECT_THAT(log, HasSubstr("[a] late"));
  EXPECT_THAT(log, ::testing::Not(HasSubstr("[a] Action ended")));
  ASSERT_TRUE(engine_->Kill(*id).ok());
  ASSERT_TRUE(engine_->WaitForJob(*id).ok());
}

}  // namespace
}  // namespace refinery::engine::testing
