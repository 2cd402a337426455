// The coordinator scheduler on a fake clock over a real engine and store:
// one action per nominal time, end exclusive, catch-up in execution order,
// data dependencies with done flags, timeouts, kill, and a restart that
// neither loses nor repeats an action.
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/time_format.h"
#include "engine/engine_test_support.h"
#include "scheduler/coordinator_scheduler.h"

namespace refinery::scheduler {
namespace {

using engine::testing::TestAction;
using engine::testing::Workflow;

TimePoint T(const std::string& text) { return ParseOozieTime(text).value(); }

class SchedulerTest : public engine::testing::EngineFixture {
 protected:
  void SetUp() override {
    EngineFixture::SetUp();
    App("wf", Workflow(TestAction("a", "<data>nominal=${nominal}</data>")));
    NewScheduler();
  }
  void TearDown() override {
    scheduler_.reset();
    EngineFixture::TearDown();
  }

  void NewScheduler() {
    scheduler_ = std::make_unique<CoordinatorScheduler>(store_.get(), engine_.get(), files_.get(), &clock_);
  }

  // A coordinator over apps/wf with the given attributes and extra XML.
  Properties Coordinator(const std::string& attributes, const std::string& controls = "",
                         const std::string& data = "", std::string workflow_path = "") {
    if (workflow_path.empty()) workflow_path = "file://" + (dir_ / "apps" / "wf").string();
    const auto dir = dir_ / "apps" / "coord";
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "coordinator.xml")
        << "<coordinator-app xmlns=\"uri:oozie:coordinator:0.4\" name=\"c\" " << attributes << ">\n"
        << controls << data << "<action><workflow><app-path>" << workflow_path << "</app-path><configuration><property><name>nominal</name><value>${coord:formatTime("
           "coord:nominalTime(), 'yyyy-MM-dd HH:mm')}</value></property></configuration></workflow></action>\n"
        << "</coordinator-app>\n";
    Properties conf;
    conf.Set("oozie.coord.application.path", "file://" + dir.string());
    conf.Set("user.name", "tester");
    return conf;
  }

  std::vector<store::CoordinatorActionRecord> Actions(const std::string& id) {
    return store_->ListCoordinatorActions(id).value();
  }

  // Runs what is due, waits for the workflows started, and runs again so
  // their ends are recorded.
  void RunAndSettle() {
    scheduler_->RunDue();
    const store::JobPage page = store_->ListJobs({}, 0, 1000).value();
    for (const auto& job : page.jobs) (void)engine_->WaitForJob(job.id);
    scheduler_->RunDue();
  }

  FakeClock clock_{T("2026-01-01T00:00Z")};
  std::unique_ptr<CoordinatorScheduler> scheduler_;
};

TEST_F(SchedulerTest, OneActionPerNominalTimeEndExclusive) {
  clock_.Set(T("2025-12-31T23:58Z"));
  const auto id = scheduler_->Submit(Coordinator(
      "frequency=\"${coord:minutes(15)}\" start=\"2026-01-01T00:00Z\" end=\"2026-01-01T01:00Z\" timezone=\"UTC\""));
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  const auto due = scheduler_->RunDue();
  ASSERT_TRUE(due.has_value());
  EXPECT_EQ(*due, T("2026-01-01T00:00Z"));  // sleeps until the first nominal time
  // Materialized an hour ahead (Oozie's window), started at their nominal times.
  ASSERT_EQ(Actions(*id).size(), 4u);
  EXPECT_EQ(Actions(*id)[0].status, "WAITING");

  for (const char* time : {"2026-01-01T00:00Z", "2026-01-01T00:15Z", "2026-01-01T00:30Z", "2026-01-01T00:45Z",
                           "2026-01-01T01:00Z", "2026-01-01T02:00Z"}) {
    clock_.Set(T(time));
    RunAndSettle();
  }
  const auto actions = Actions(*id);
  ASSERT_EQ(actions.size(), 4u);  // 00:00, 00:15, 00:30, 00:45 — the end is exclusive
  for (size_t i = 0; i < actions.size(); ++i) {
    EXPECT_EQ(actions[i].status, "SUCCEEDED") << actions[i].id;
    EXPECT_EQ(actions[i].nominal_ms, ToEpochMillis(T("2026-01-01T00:00Z")) + static_cast<int64_t>(i) * 15 * 60000);
    const auto workflow = store_->GetJob(actions[i].external_id).value();
    EXPECT_EQ(workflow.parent_id, actions[i].id);
  }
  const auto first = store_->ListActions(actions[0].external_id).value();
  const auto node = std::find_if(first.begin(), first.end(), [](const auto& a) { return a.name == "a"; });
  ASSERT_NE(node, first.end());
  EXPECT_THAT(node->data, ::testing::HasSubstr("nominal=2026-01-01 00:00"));
  EXPECT_EQ(store_->GetCoordinatorJob(*id).value().status, "SUCCEEDED");
}

TEST_F(SchedulerTest, ARelativeAppPathLiesBesideCoordinatorXml) {
  clock_.Set(T("2026-01-01T00:00Z"));
  const auto id = scheduler_->Submit(Coordinator(
      "frequency=\"60\" start=\"2026-01-01T00:00Z\" end=\"2026-01-01T01:00Z\" timezone=\"UTC\"", "", "", "../wf"));
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  RunAndSettle();
  const auto actions = Actions(*id);
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].status, "SUCCEEDED") << actions[0].error_message;
  EXPECT_EQ(store_->GetJob(actions[0].external_id).value().app_path,
            "file://" + (dir_ / "apps" / "coord").string() + "/../wf");
}

TEST_F(SchedulerTest, CatchUpRunsPastActionsOneAtATimeInOrder) {
  clock_.Set(T("2026-01-01T00:50Z"));
  const auto id = scheduler_->Submit(Coordinator(
      "frequency=\"15\" start=\"2026-01-01T00:00Z\" end=\"2026-01-01T01:00Z\" timezone=\"UTC\"",
      "<controls><concurrency>1</concurrency><execution>FIFO</execution></controls>\n"));
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  scheduler_->RunDue();
  auto actions = Actions(*id);
  ASSERT_EQ(actions.size(), 4u);
  EXPECT_EQ(actions[0].status, "RUNNING");  // concurrency 1: only the oldest starts
  EXPECT_EQ(actions[1].status, "READY");
  for (int i = 0; i < 4; ++i) RunAndSettle();
  actions = Actions(*id);
  for (const auto& action : actions) EXPECT_EQ(action.status, "SUCCEEDED") << action.id;
  EXPECT_LT(store_->GetJob(actions[0].external_id).value().created_ms,
            store_->GetJob(actions[3].external_id).value().created_ms);
}

TEST_F(SchedulerTest, WaitsForInputDataAndTimesOutWithoutIt) {
  const std::string datasets =
      "<datasets><dataset name=\"raw\" frequency=\"60\" initial-instance=\"2025-01-01T00:00Z\" timezone=\"UTC\">"
      "<uri-template>hdfs://nn/data/${YEAR}${MONTH}${DAY}${HOUR}</uri-template></dataset></datasets>\n"
      "<input-events><data-in name=\"in\" dataset=\"raw\"><instance>${coord:current(0)}</instance></data-in>"
      "</input-events>\n";
  clock_.Set(T("2026-01-01T00:00Z"));
  const auto id = scheduler_->Submit(Coordinator(
      "frequency=\"60\" start=\"2026-01-01T00:00Z\" end=\"2026-01-01T02:00Z\" timezone=\"UTC\"",
      "<controls><timeout>30</timeout></controls>\n", datasets));
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  const auto due = scheduler_->RunDue();
  auto actions = Actions(*id);
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].status, "WAITING");
  EXPECT_EQ(actions[0].missing_dependencies, "hdfs://nn/data/2026010100");
  ASSERT_TRUE(due.has_value());  // a re-check of the data is scheduled
  EXPECT_LE(*due, clock_.Now() + std::chrono::minutes(1));

  std::filesystem::create_directories(dir_ / "fs" / "data" / "2026010100");
  scheduler_->RunDue();
  EXPECT_EQ(Actions(*id)[0].status, "WAITING");  // the directory alone is not enough: no _SUCCESS
  std::ofstream(dir_ / "fs" / "data" / "2026010100" / "_SUCCESS") << "";
  RunAndSettle();
  EXPECT_EQ(Actions(*id)[0].status, "SUCCEEDED");

  clock_.Set(T("2026-01-01T00:56Z"));  // the 01:00 action is created 5 minutes ahead
  scheduler_->RunDue();
  clock_.Set(T("2026-01-01T01:31Z"));  // its data never comes: 30 minutes after its nominal time it times out
  scheduler_->RunDue();
  actions = Actions(*id);
  ASSERT_EQ(actions.size(), 2u);
  EXPECT_EQ(actions[1].status, "TIMEDOUT");
  EXPECT_EQ(store_->GetCoordinatorJob(*id).value().status, "DONEWITHERROR");
}

TEST_F(SchedulerTest, ARestartNeitherLosesNorRepeatsActions) {
  clock_.Set(T("2026-01-01T00:20Z"));
  const auto id = scheduler_->Submit(Coordinator(
      "frequency=\"10\" start=\"2026-01-01T00:00Z\" end=\"2026-01-01T01:00Z\" timezone=\"UTC\"",
      "<controls><concurrency>-1</concurrency></controls>\n"));
  ASSERT_TRUE(id.ok());
  scheduler_->RunDue();
  // A crash after an action was marked SUBMITTED, before its id was stored:
  // the workflow exists and names the action as its parent.
  auto actions = Actions(*id);
  ASSERT_EQ(actions.size(), 6u);  // the hour is materialized; 00:00, 00:10 and 00:20 are due
  ASSERT_EQ(actions[2].status, "RUNNING");
  store::CoordinatorActionRecord lost = actions[2];
  (void)engine_->WaitForJob(lost.external_id);
  lost.status = "SUBMITTED";
  const std::string adopted = lost.external_id;
  lost.external_id.clear();
  store::WriteBatch batch;
  batch.coordinator_actions.push_back(lost);
  ASSERT_TRUE(store_->Apply(batch).ok());

  NewScheduler();  // a new process
  for (const char* time : {"2026-01-01T00:20Z", "2026-01-01T00:40Z", "2026-01-01T01:10Z"}) {
    clock_.Set(T(time));
    RunAndSettle();
  }
  actions = Actions(*id);
  ASSERT_EQ(actions.size(), 6u);
  EXPECT_EQ(actions[2].external_id, adopted);
  EXPECT_EQ(store_->ListJobs({}, 0, 100).value().total, 6);  // one workflow per action
  EXPECT_EQ(store_->GetCoordinatorJob(*id).value().status, "SUCCEEDED");
}

TEST_F(SchedulerTest, KillEndsTheJobItsWaitingActionsAndRunningWorkflows) {
  App("slow", Workflow(TestAction("a", "<sleep-ms>20000</sleep-ms>")));
  clock_.Set(T("2026-01-01T00:00Z"));
  auto conf = Coordinator("frequency=\"60\" start=\"2026-01-01T00:00Z\" end=\"2026-01-02T00:00Z\" timezone=\"UTC\"");
  std::string xml;
  {
    std::ifstream in(dir_ / "apps" / "coord" / "coordinator.xml");
    xml.assign(std::istreambuf_iterator<char>(in), {});
  }
  const auto wf = (dir_ / "apps" / "wf").string();
  xml.replace(xml.find(wf), wf.size(), (dir_ / "apps" / "slow").string());
  std::ofstream(dir_ / "apps" / "coord" / "coordinator.xml") << xml;
  const auto id = scheduler_->Submit(conf);
  ASSERT_TRUE(id.ok());
  scheduler_->RunDue();
  const auto running = Actions(*id)[0];
  ASSERT_EQ(running.status, "RUNNING");
  ASSERT_TRUE(scheduler_->Kill(*id).ok());
  EXPECT_EQ(store_->GetCoordinatorJob(*id).value().status, "KILLED");
  EXPECT_EQ(Actions(*id)[0].status, "KILLED");
  EXPECT_EQ(engine_->WaitForJob(running.external_id).value().status, "KILLED");
  clock_.Set(T("2026-01-01T05:00Z"));
  scheduler_->RunDue();
  EXPECT_EQ(Actions(*id).size(), 1u);  // nothing more after a kill
}

TEST_F(SchedulerTest, ActionStatusChangesQueueTheCoordinatorNotificationUrl) {
  clock_.Set(T("2026-01-01T00:00Z"));
  Properties conf =
      Coordinator("frequency=\"60\" start=\"2026-01-01T00:00Z\" end=\"2026-01-01T01:00Z\" timezone=\"UTC\"");
  conf.Set("oozie.coord.action.notification.url", "http://127.0.0.1:9/c/$actionId/$status");
  const auto id = scheduler_->Submit(conf);
  ASSERT_TRUE(id.ok());
  RunAndSettle();
  std::vector<std::string> urls;
  const auto due = store_->ListDueNotifications(INT64_MAX, 100).value();
  for (const auto& row : due) urls.push_back(row.url);
  EXPECT_THAT(urls, ::testing::Contains("http://127.0.0.1:9/c/" + *id + "@1/RUNNING"));
  EXPECT_THAT(urls, ::testing::Contains("http://127.0.0.1:9/c/" + *id + "@1/SUCCEEDED"));
}

TEST_F(SchedulerTest, BadCoordinatorsAreRefusedWithOozieCodes) {
  auto missing = scheduler_->Submit(Properties());
  EXPECT_EQ(missing.status().error_code(), "E0302");
  auto bad = scheduler_->Submit(Coordinator("frequency=\"abc\" start=\"2026-01-01T00:00Z\" end=\"2026-01-02T00:00Z\" "
                                            "timezone=\"UTC\""));
  ASSERT_FALSE(bad.ok());
  EXPECT_FALSE(bad.status().error_code().empty()) << bad.status().ToString();
}

// ---- job -change, -ignore, suspend/resume cascade, dry run ----

std::vector<std::string> StatusesOf(const std::vector<store::CoordinatorActionRecord>& actions) {
  std::vector<std::string> out;
  for (const auto& action : actions) out.push_back(action.status);
  return out;
}

TEST_F(SchedulerTest, ChangeEndtimeDeletesUnstartedActionsPastItAndRevivesAnEndedJob) {
  clock_.Set(T("2025-12-31T23:58Z"));
  const auto id = scheduler_->Submit(
      Coordinator("frequency=\"15\" start=\"2026-01-01T00:00Z\" end=\"2026-01-01T01:00Z\" timezone=\"UTC\""));
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  scheduler_->RunDue();
  ASSERT_EQ(Actions(*id).size(), 4u);  // 00:00 .. 00:45, all WAITING
  ASSERT_TRUE(scheduler_->Change(*id, "endtime=2026-01-01T00:30Z").ok());
  auto actions = Actions(*id);
  ASSERT_EQ(actions.size(), 2u);  // 00:30 and 00:45 lay at or past the new end
  EXPECT_EQ(store_->GetCoordinatorJob(*id).value().end_ms, ToEpochMillis(T("2026-01-01T00:30Z")));
  for (const char* time : {"2026-01-01T00:00Z", "2026-01-01T00:15Z", "2026-01-01T00:30Z"}) {
    clock_.Set(T(time));
    RunAndSettle();
  }
  EXPECT_THAT(StatusesOf(Actions(*id)), ::testing::ElementsAre("SUCCEEDED", "SUCCEEDED"));
  EXPECT_EQ(store_->GetCoordinatorJob(*id).value().status, "SUCCEEDED");

  // A later end runs the ended job again from where it stopped.
  ASSERT_TRUE(scheduler_->Change(*id, "endtime=2026-01-01T01:00Z").ok());
  EXPECT_EQ(store_->GetCoordinatorJob(*id).value().status, "RUNNING");
  clock_.Set(T("2026-01-01T01:05Z"));
  for (int i = 0; i < 3; ++i) RunAndSettle();
  actions = Actions(*id);
  ASSERT_EQ(actions.size(), 4u);
  EXPECT_EQ(actions[2].id, *id + "@3");
  EXPECT_EQ(actions[2].nominal_ms, ToEpochMillis(T("2026-01-01T00:30Z")));
  EXPECT_THAT(StatusesOf(actions), ::testing::Each("SUCCEEDED"));
  EXPECT_EQ(store_->GetCoordinatorJob(*id).value().status, "SUCCEEDED");
}

TEST_F(SchedulerTest, ChangeRefusesBadValuesWithOozieCodes) {
  clock_.Set(T("2026-01-01T00:20Z"));
  const auto id = scheduler_->Submit(
      Coordinator("frequency=\"15\" start=\"2026-01-01T00:00Z\" end=\"2026-01-01T01:00Z\" timezone=\"UTC\""));
  ASSERT_TRUE(id.ok());
  scheduler_->RunDue();  // 00:00 starts; 00:15 waits its turn
  for (const char* value : {"", "endtime=tomorrow", "colour=red", "concurrency=two", "concurrency=", "endtime",
                            "endtime=2025-12-31T00:00Z", "endtime=2026-01-01T00:00Z", "pausetime=2025-01-01T00:00Z",
                            "concurrency=1;concurrency=2"}) {
    const Status status = scheduler_->Change(*id, value);
    EXPECT_EQ(status.error_code(), "E1015") << value << ": " << status.ToString();
  }
  const Status started = scheduler_->Change(*id, "endtime=2026-01-01T00:00Z");
  EXPECT_THAT(started.message(), ::testing::HasSubstr(*id + "@1"));  // says which action holds the end back
  EXPECT_EQ(scheduler_->Change("0000000-000000000000000-x-C", "concurrency=2").code(), StatusCode::kNotFound);
  ASSERT_TRUE(scheduler_->Kill(*id).ok());
  EXPECT_EQ(scheduler_->Change(*id, "concurrency=2").error_code(), "E1016");
}

TEST_F(SchedulerTest, ChangeConcurrencyTakesEffectOnTheNextPass) {
  clock_.Set(T("2026-01-01T00:50Z"));
  const auto id = scheduler_->Submit(
      Coordinator("frequency=\"15\" start=\"2026-01-01T00:00Z\" end=\"2026-01-01T01:00Z\" timezone=\"UTC\"",
                  "<controls><concurrency>1</concurrency></controls>\n"));
  ASSERT_TRUE(id.ok());
  scheduler_->RunDue();
  EXPECT_THAT(StatusesOf(Actions(*id)), ::testing::ElementsAre("RUNNING", "READY", "READY", "READY"));
  ASSERT_TRUE(scheduler_->Change(*id, "concurrency=-1").ok());
  EXPECT_EQ(store_->GetCoordinatorJob(*id).value().concurrency, -1);
  scheduler_->RunDue();
  EXPECT_THAT(StatusesOf(Actions(*id)), ::testing::Not(::testing::Contains("READY")));  // all started at once
}

TEST_F(SchedulerTest, PausetimeStopsMaterializationAndAnEmptyOneClearsIt) {
  clock_.Set(T("2025-12-31T23:58Z"));
  const auto id = scheduler_->Submit(
      Coordinator("frequency=\"15\" start=\"2026-01-01T00:00Z\" end=\"2026-01-01T02:00Z\" timezone=\"UTC\""));
  ASSERT_TRUE(id.ok());
  scheduler_->RunDue();
  ASSERT_EQ(Actions(*id).size(), 4u);
  ASSERT_TRUE(scheduler_->Change(*id, "pausetime=2026-01-01T00:30Z").ok());
  EXPECT_EQ(Actions(*id).size(), 2u);  // the look-ahead actions at or past the pause are deleted
  EXPECT_EQ(store_->GetCoordinatorJob(*id).value().pause_ms, ToEpochMillis(T("2026-01-01T00:30Z")));
  clock_.Set(T("2026-01-01T01:30Z"));
  for (int i = 0; i < 3; ++i) RunAndSettle();
  EXPECT_EQ(Actions(*id).size(), 2u);
  EXPECT_EQ(store_->GetCoordinatorJob(*id).value().status, "PAUSED");  // not ended

  ASSERT_TRUE(scheduler_->Change(*id, "pausetime=").ok());
  EXPECT_EQ(store_->GetCoordinatorJob(*id).value().pause_ms, 0);
  clock_.Set(T("2026-01-01T02:30Z"));
  for (int i = 0; i < 8; ++i) RunAndSettle();
  const auto actions = Actions(*id);
  ASSERT_EQ(actions.size(), 8u);
  EXPECT_THAT(StatusesOf(actions), ::testing::Each("SUCCEEDED"));
}

TEST_F(SchedulerTest, AJobShowsPausedFromItsPauseTimeAndRunsAgainWhenItMoves) {
  clock_.Set(T("2025-12-31T23:58Z"));
  const auto id = scheduler_->Submit(
      Coordinator("frequency=\"15\" start=\"2026-01-01T00:00Z\" end=\"2026-01-01T02:00Z\" timezone=\"UTC\""));
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(scheduler_->Change(*id, "pausetime=2026-01-01T00:30Z").ok());
  const auto wake = scheduler_->RunDue();
  EXPECT_EQ(store_->GetCoordinatorJob(*id).value().status, "RUNNING");
  ASSERT_TRUE(wake.has_value());
  EXPECT_LE(*wake, T("2026-01-01T00:30Z"));  // the scheduler wakes to pause it on time
  clock_.Set(T("2026-01-01T00:30Z"));
  RunAndSettle();
  EXPECT_EQ(store_->GetCoordinatorJob(*id).value().status, "PAUSED");
  ASSERT_TRUE(scheduler_->Suspend(*id).ok());  // PAUSED -> SUSPENDED, as in Oozie
  ASSERT_TRUE(scheduler_->Resume(*id).ok());
  scheduler_->RunDue();
  EXPECT_EQ(store_->GetCoordinatorJob(*id).value().status, "PAUSED");  // still past the pause time
  ASSERT_TRUE(scheduler_->Change(*id, "pausetime=2026-01-01T01:00Z").ok());
  scheduler_->RunDue();
  EXPECT_EQ(store_->GetCoordinatorJob(*id).value().status, "RUNNING");
}

TEST_F(SchedulerTest, IgnoredFailuresNoLongerMakeTheJobDoneWithError) {
  const Properties failing = App("failing", Workflow(TestAction("a", "<outcome>failed</outcome>")));
  clock_.Set(T("2026-01-01T01:00Z"));
  const auto id = scheduler_->Submit(
      Coordinator("frequency=\"15\" start=\"2026-01-01T00:00Z\" end=\"2026-01-01T00:30Z\" timezone=\"UTC\"", "", "",
                  *failing.Get("oozie.wf.application.path")));
  ASSERT_TRUE(id.ok());
  for (int i = 0; i < 3; ++i) RunAndSettle();
  ASSERT_EQ(store_->GetCoordinatorJob(*id).value().status, "DONEWITHERROR");
  const auto before = Actions(*id);
  ASSERT_EQ(before.size(), 2u);

  EXPECT_EQ(scheduler_->Ignore(*id, "x").status().error_code(), "E0303");
  EXPECT_EQ(scheduler_->Ignore(*id, "1,5").status().error_code(), "E0605");
  const auto ignored = scheduler_->Ignore(*id, "1-2");
  ASSERT_TRUE(ignored.ok()) << ignored.status().ToString();
  EXPECT_EQ(ignored->size(), 2u);
  EXPECT_THAT(StatusesOf(Actions(*id)), ::testing::Each("IGNORED"));
  EXPECT_EQ(store_->GetCoordinatorJob(*id).value().status, "SUCCEEDED");
  // Only FAILED, KILLED and TIMEDOUT actions can be ignored; nothing changes otherwise.
  const auto again = scheduler_->Ignore(*id, "1");
  EXPECT_EQ(again.status().error_code(), "E1024");
  EXPECT_THAT(again.status().message(), ::testing::HasSubstr("1 (IGNORED)"));
}

TEST_F(SchedulerTest, SuspendSuspendsRunningWorkflowsAndResumeResumesThem) {
  const Properties slow =
      App("slow", Workflow(TestAction("a", "<sleep-ms>2000</sleep-ms>", "b") + TestAction("b", "")));
  clock_.Set(T("2026-01-01T00:00Z"));
  const auto id = scheduler_->Submit(
      Coordinator("frequency=\"60\" start=\"2026-01-01T00:00Z\" end=\"2026-01-01T01:00Z\" timezone=\"UTC\"", "", "",
                  *slow.Get("oozie.wf.application.path")));
  ASSERT_TRUE(id.ok());
  scheduler_->RunDue();
  const auto running = Actions(*id)[0];
  ASSERT_EQ(running.status, "RUNNING");

  ASSERT_TRUE(scheduler_->Suspend(*id).ok());
  EXPECT_EQ(store_->GetCoordinatorJob(*id).value().status, "SUSPENDED");
  EXPECT_EQ(Actions(*id)[0].status, "SUSPENDED");
  EXPECT_EQ(store_->GetJob(running.external_id).value().status, "SUSPENDED");

  ASSERT_TRUE(scheduler_->Resume(*id).ok());
  EXPECT_EQ(store_->GetCoordinatorJob(*id).value().status, "RUNNING");
  EXPECT_EQ(Actions(*id)[0].status, "RUNNING");
  EXPECT_EQ(engine_->WaitForJob(running.external_id).value().status, "SUCCEEDED");
  scheduler_->RunDue();
  EXPECT_EQ(Actions(*id)[0].status, "SUCCEEDED");
  EXPECT_EQ(store_->GetCoordinatorJob(*id).value().status, "SUCCEEDED");
}

TEST_F(SchedulerTest, DryRunListsTheFirstActionsAndStoresNothing) {
  const auto result = scheduler_->DryRun(
      Coordinator("frequency=\"60\" start=\"2026-03-01T00:00Z\" end=\"2026-03-02T00:00Z\" timezone=\"UTC\""), 3);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(result->actions.size(), 3u);
  EXPECT_EQ(result->actions[0].number, 1);
  EXPECT_EQ(result->actions[0].nominal_time, T("2026-03-01T00:00Z"));
  EXPECT_EQ(result->actions[2].nominal_time, T("2026-03-01T02:00Z"));
  EXPECT_EQ(store_->ListCoordinatorJobs({}, 0, 10).value().total, 0);
  // The end is exclusive and bounds the list.
  const auto short_run = scheduler_->DryRun(
      Coordinator("frequency=\"60\" start=\"2026-03-01T00:00Z\" end=\"2026-03-01T02:00Z\" timezone=\"UTC\""), 20);
  ASSERT_TRUE(short_run.ok());
  EXPECT_EQ(short_run->actions.size(), 2u);
  EXPECT_EQ(scheduler_->DryRun(Properties(), 3).status().error_code(), "E0302");
}

std::string JobStatus(store::Store* store, const std::string& id) {
  return store->GetCoordinatorJob(id).value().status;
}

TEST_F(SchedulerTest, APrepJobShowsPrepPausedFromItsPauseTimeAndStartsPaused) {
  clock_.Set(T("2025-12-31T23:00Z"));
  const auto id = scheduler_->Submit(
      Coordinator("frequency=\"15\" start=\"2026-01-01T00:00Z\" end=\"2026-01-01T02:00Z\" timezone=\"UTC\""),
      /*start=*/false);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  ASSERT_TRUE(scheduler_->Change(*id, "pausetime=2026-01-01T00:30Z").ok());
  const auto wake = scheduler_->RunDue();
  EXPECT_EQ(JobStatus(store_.get(), *id), "PREP");
  ASSERT_TRUE(wake.has_value());
  EXPECT_EQ(*wake, T("2026-01-01T00:30Z"));  // wakes to show PREPPAUSED on time
  clock_.Set(T("2026-01-01T00:30Z"));
  scheduler_->RunDue();
  EXPECT_EQ(JobStatus(store_.get(), *id), "PREPPAUSED");  // SPEC §7.3: PREP -> PREPPAUSED
  EXPECT_TRUE(Actions(*id).empty());

  // Started past its pause time it is PAUSED at once, and runs only what
  // lies before the pause time.
  ASSERT_TRUE(scheduler_->Start(*id).ok());
  EXPECT_EQ(JobStatus(store_.get(), *id), "PAUSED");
  for (int i = 0; i < 3; ++i) RunAndSettle();
  EXPECT_THAT(StatusesOf(Actions(*id)), ::testing::ElementsAre("SUCCEEDED", "SUCCEEDED"));  // 00:00, 00:15
  EXPECT_EQ(JobStatus(store_.get(), *id), "PAUSED");
  ASSERT_TRUE(scheduler_->Change(*id, "pausetime=").ok());
  EXPECT_EQ(JobStatus(store_.get(), *id), "RUNNING");  // cleared: it runs again at once
}

TEST_F(SchedulerTest, PrepPausedSuspendsToPrepSuspendedAndResumesPrepPaused) {
  clock_.Set(T("2025-12-31T23:00Z"));
  const auto id = scheduler_->Submit(
      Coordinator("frequency=\"15\" start=\"2026-01-01T00:00Z\" end=\"2026-01-01T02:00Z\" timezone=\"UTC\""),
      /*start=*/false);
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(scheduler_->Change(*id, "pausetime=2025-12-31T23:30Z").ok());
  clock_.Set(T("2025-12-31T23:45Z"));
  scheduler_->RunDue();
  ASSERT_EQ(JobStatus(store_.get(), *id), "PREPPAUSED");
  ASSERT_TRUE(scheduler_->Suspend(*id).ok());
  EXPECT_EQ(JobStatus(store_.get(), *id), "PREPSUSPENDED");
  scheduler_->RunDue();
  EXPECT_EQ(JobStatus(store_.get(), *id), "PREPSUSPENDED");  // the pause time does not touch it
  ASSERT_TRUE(scheduler_->Resume(*id).ok());
  EXPECT_EQ(JobStatus(store_.get(), *id), "PREPPAUSED");  // PREP, and its pause time has come
  EXPECT_EQ(scheduler_->Ignore(*id, "1").status().error_code(), "E1024");  // nothing materialized
  ASSERT_TRUE(scheduler_->Change(*id, "pausetime=2026-01-01T00:00Z").ok());
  EXPECT_EQ(JobStatus(store_.get(), *id), "PREP");  // moved past now: PREPPAUSED -> PREP
  ASSERT_TRUE(scheduler_->Kill(*id).ok());
  EXPECT_EQ(JobStatus(store_.get(), *id), "KILLED");
}

TEST_F(SchedulerTest, ChangeStatusRunningRevivesOnlyAFailedKilledOrIgnoredJob) {
  clock_.Set(T("2026-01-01T00:20Z"));
  const auto id = scheduler_->Submit(
      Coordinator("frequency=\"30\" start=\"2026-01-01T00:00Z\" end=\"2026-01-01T03:00Z\" timezone=\"UTC\""));
  ASSERT_TRUE(id.ok());
  scheduler_->RunDue();  // 00:00 starts; 00:30 and 01:00 are materialized ahead
  const Status running = scheduler_->Change(*id, "status=RUNNING");
  EXPECT_EQ(running.error_code(), "E1015");
  EXPECT_EQ(running.message(),
            "Invalid coordinator job change value [RUNNING], Only FAILED, KILLED, IGNORED job can be changed to "
            "RUNNING. Current job status is RUNNING");
  EXPECT_EQ(scheduler_->Change(*id, "status=SUCCEEDED").error_code(), "E1015");
  EXPECT_THAT(scheduler_->Change(*id, "status=PAUSED").message(), ::testing::HasSubstr("must be RUNNING or IGNORED"));

  ASSERT_TRUE(scheduler_->Kill(*id).ok());
  const size_t killed = Actions(*id).size();
  ASSERT_GE(killed, 2u);
  EXPECT_THAT(StatusesOf(Actions(*id)), ::testing::Each("KILLED"));
  // A killed job takes status=RUNNING and nothing else (E1016).
  EXPECT_EQ(scheduler_->Change(*id, "concurrency=2").error_code(), "E1016");
  EXPECT_EQ(scheduler_->Change(*id, "status=RUNNING;concurrency=2").error_code(), "E1016");
  ASSERT_TRUE(scheduler_->Change(*id, "status=RUNNING").ok());
  EXPECT_EQ(JobStatus(store_.get(), *id), "RUNNING");

  // It materializes what is left before its end; the killed actions stay KILLED.
  for (const char* time : {"2026-01-01T01:30Z", "2026-01-01T02:30Z", "2026-01-01T03:30Z"}) {
    clock_.Set(T(time));
    for (int i = 0; i < 4; ++i) RunAndSettle();
  }
  const auto actions = Actions(*id);
  ASSERT_EQ(actions.size(), 6u);  // 00:00 ... 02:30
  for (size_t i = 0; i < actions.size(); ++i) {
    EXPECT_EQ(actions[i].status, i < killed ? "KILLED" : "SUCCEEDED") << actions[i].id;
  }
  EXPECT_EQ(JobStatus(store_.get(), *id), "DONEWITHERROR");
}

TEST_F(SchedulerTest, IgnoringTheJobIsChangeStatusIgnored) {
  const Properties failing = App("failing", Workflow(TestAction("a", "<outcome>failed</outcome>")));
  clock_.Set(T("2026-01-01T01:00Z"));
  const auto ended = scheduler_->Submit(
      Coordinator("frequency=\"15\" start=\"2026-01-01T00:00Z\" end=\"2026-01-01T00:30Z\" timezone=\"UTC\"", "", "",
                  *failing.Get("oozie.wf.application.path")));
  ASSERT_TRUE(ended.ok());
  for (int i = 0; i < 3; ++i) RunAndSettle();
  ASSERT_EQ(JobStatus(store_.get(), *ended), "DONEWITHERROR");
  const auto refused = scheduler_->Ignore(*ended, "");
  EXPECT_EQ(refused.status().error_code(), "E1015");
  EXPECT_THAT(refused.status().message(),
              ::testing::HasSubstr("Only FAILED or KILLED non-pending job can be changed to IGNORED. Current job "
                                   "status is DONEWITHERROR"));

  const auto id = scheduler_->Submit(
      Coordinator("frequency=\"15\" start=\"2026-01-01T00:00Z\" end=\"2026-01-01T02:00Z\" timezone=\"UTC\""));
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(scheduler_->Kill(*id).ok());
  const auto ignored = scheduler_->Ignore(*id, "");
  ASSERT_TRUE(ignored.ok()) << ignored.status().ToString();
  EXPECT_TRUE(ignored->empty());  // the job, no actions
  EXPECT_EQ(JobStatus(store_.get(), *id), "IGNORED");
  EXPECT_EQ(scheduler_->Change(*id, "endtime=2026-01-01T03:00Z").error_code(), "E1016");
  EXPECT_EQ(scheduler_->Change(*id, "status=IGNORED").error_code(), "E1015");  // already set aside
  ASSERT_TRUE(scheduler_->Change(*id, "status=RUNNING").ok());  // IGNORED -> RUNNING (SPEC §7.3)
  EXPECT_EQ(JobStatus(store_.get(), *id), "RUNNING");
}

// Several servers on one store: only the holder of the scheduler lease
// materializes; another takes over once it has the lease, and the nominal
// times go on from where the first left them, none twice.
TEST_F(SchedulerTest, OnlyTheSchedulerLeaseHolderMaterializesAndATakeoverContinuesWithoutRepeats) {
  clock_.Set(T("2026-01-01T00:50Z"));
  SchedulerOptions first_options;
  first_options.lease_owner = "host:1:1";
  first_options.lease_ttl = std::chrono::minutes(10);
  SchedulerOptions second_options = first_options;
  second_options.lease_owner = "host:2:2";
  CoordinatorScheduler first(store_.get(), engine_.get(), files_.get(), &clock_, first_options);
  CoordinatorScheduler second(store_.get(), engine_.get(), files_.get(), &clock_, second_options);
  const auto id = second.Submit(Coordinator(
      "frequency=\"15\" start=\"2026-01-01T00:00Z\" end=\"2026-01-01T03:00Z\" timezone=\"UTC\""));
  ASSERT_TRUE(id.ok()) << id.status().ToString();

  first.RunDue();
  EXPECT_TRUE(first.leading());
  const size_t materialized = Actions(*id).size();
  ASSERT_GT(materialized, 0u);
  second.RunDue();
  EXPECT_FALSE(second.leading());
  EXPECT_EQ(Actions(*id).size(), materialized);

  // The first stalls; the second is handed its lease (as after expiry).
  ASSERT_TRUE(store_->AcquireLease("scheduler", second_options.lease_owner, 600'000, first_options.lease_owner).ok());
  clock_.Set(T("2026-01-01T01:50Z"));
  second.RunDue();
  EXPECT_TRUE(second.leading());
  first.RunDue();
  EXPECT_FALSE(first.leading());
  const auto actions = Actions(*id);
  EXPECT_GT(actions.size(), materialized);
  for (size_t i = 0; i < actions.size(); ++i) EXPECT_EQ(actions[i].action_number, static_cast<int64_t>(i + 1));
  const store::JobPage page = store_->ListJobs({}, 0, 1000).value();
  for (const auto& job : page.jobs) (void)engine_->WaitForJob(job.id);
}

}  // namespace
}  // namespace refinery::scheduler
