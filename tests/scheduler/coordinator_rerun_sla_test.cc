// Coordinator rerun (by number and date, output cleanup, -failed, -refresh),
// SLA misses of coordinator actions, and <input-logic> deciding when an
// action is ready — on a fake clock over a real engine and store.
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
using ::testing::HasSubstr;
using Rerun = CoordinatorScheduler::RerunRequest;

TimePoint T(const std::string& text) { return ParseOozieTime(text).value(); }

Rerun Scope(const std::string& type, const std::string& scope) {
  Rerun request;
  request.type = type;
  request.scope = scope;
  return request;
}

class CoordinatorExtrasTest : public engine::testing::EngineFixture {
 protected:
  void SetUp() override {
    EngineFixture::SetUp();
    ok_ = App("ok", Workflow(TestAction("a", "<data>in=${inputData}</data>")));
    NewScheduler();
  }
  void TearDown() override {
    scheduler_.reset();
    EngineFixture::TearDown();
  }

  void NewScheduler() {
    scheduler_ = std::make_unique<CoordinatorScheduler>(store_.get(), engine_.get(), files_.get(), &clock_);
  }

  // coordinator.xml with `head` attributes, `body` (controls, datasets,
  // events, logic) and an action running `workflow` with inputData set to
  // `input_data`, plus `sla` inside <action>.
  Properties Coordinator(const std::string& head, const std::string& body, const Properties& workflow,
                         const std::string& input_data = "none", const std::string& sla = "",
                         const std::string& xmlns = "uri:oozie:coordinator:0.4") {
    const auto dir = dir_ / "apps" / "coord";
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "coordinator.xml")
        << "<coordinator-app xmlns=\"" << xmlns << "\" xmlns:sla=\"uri:oozie:sla:0.2\" name=\"c\" " << head << ">\n"
        << body << "<action><workflow><app-path>" << *workflow.Get("oozie.wf.application.path")
        << "</app-path><configuration><property><name>inputData</name><value>" << input_data
        << "</value></property></configuration></workflow>" << sla << "</action>\n</coordinator-app>\n";
    Properties conf;
    conf.Set("oozie.coord.application.path", "file://" + dir.string());
    conf.Set("user.name", "tester");
    return conf;
  }

  std::vector<store::CoordinatorActionRecord> Actions(const std::string& id) {
    return store_->ListCoordinatorActions(id).value();
  }

  void RunAndSettle() {
    scheduler_->RunDue();
    const store::JobPage page = store_->ListJobs({}, 0, 1000).value();
    for (const auto& job : page.jobs) (void)engine_->WaitForJob(job.id);
    scheduler_->RunDue();
  }

  void Touch(const std::string& relative) {
    std::filesystem::create_directories(dir_ / "fs" / relative);
    std::ofstream(dir_ / "fs" / relative / "_SUCCESS") << "";
  }

  // The data the workflow's action "a" reported (in=<inputData>).
  std::string WorkflowData(const std::string& workflow_id) {
    return EngineFixture::Actions(workflow_id)["a"].data;
  }

  FakeClock clock_{T("2026-01-01T00:00Z")};
  std::unique_ptr<CoordinatorScheduler> scheduler_;
  Properties ok_;
};

TEST_F(CoordinatorExtrasTest, RerunStartsANewWorkflowForTheActionAndRevivesTheEndedJob) {
  const Properties failing = App("failing", Workflow(TestAction("a", "<outcome>failed</outcome>")));
  clock_.Set(T("2026-01-01T01:00Z"));
  const auto id = scheduler_->Submit(
      Coordinator("frequency=\"15\" start=\"2026-01-01T00:00Z\" end=\"2026-01-01T00:30Z\" timezone=\"UTC\"", "",
                  failing));
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  for (int i = 0; i < 3; ++i) RunAndSettle();
  ASSERT_EQ(store_->GetCoordinatorJob(*id).value().status, "DONEWITHERROR");
  const std::string first_workflow = Actions(*id)[0].external_id;

  // The app is fixed; action 1 reruns.
  App("failing", Workflow(TestAction("a", "")));
  const auto rerun = scheduler_->Rerun(*id, Scope("action", "1"));
  ASSERT_TRUE(rerun.ok()) << rerun.status().ToString();
  ASSERT_EQ(rerun->size(), 1u);
  EXPECT_EQ((*rerun)[0].id, *id + "@1");
  EXPECT_EQ((*rerun)[0].status, "WAITING");
  EXPECT_EQ(Actions(*id)[0].status, "WAITING");
  EXPECT_EQ(Actions(*id)[1].status, "FAILED");  // not in scope
  EXPECT_EQ(store_->GetCoordinatorJob(*id).value().status, "RUNNING");

  RunAndSettle();
  auto actions = Actions(*id);
  EXPECT_EQ(actions[0].status, "SUCCEEDED");
  EXPECT_NE(actions[0].external_id, first_workflow);  // same action id, new workflow id
  EXPECT_EQ(store_->GetJob(actions[0].external_id).value().parent_id, *id + "@1");
  EXPECT_EQ(store_->GetCoordinatorJob(*id).value().status, "DONEWITHERROR");  // action 2 still failed

  ASSERT_TRUE(scheduler_->Rerun(*id, Scope("action", "2")).ok());
  RunAndSettle();
  EXPECT_EQ(Actions(*id)[1].status, "SUCCEEDED");
  EXPECT_EQ(store_->GetCoordinatorJob(*id).value().status, "SUCCEEDED");
}

TEST_F(CoordinatorExtrasTest, RerunRefusesActionsThatHaveNotEndedAndBadScopes) {
  const std::string data =
      "<datasets><dataset name=\"raw\" frequency=\"60\" initial-instance=\"2025-01-01T00:00Z\" timezone=\"UTC\">"
      "<uri-template>hdfs://nn/raw/${HOUR}</uri-template></dataset></datasets>\n"
      "<input-events><data-in name=\"in\" dataset=\"raw\"><instance>${coord:current(0)}</instance></data-in>"
      "</input-events>\n";
  clock_.Set(T("2026-01-01T00:00Z"));
  const auto id = scheduler_->Submit(
      Coordinator("frequency=\"60\" start=\"2026-01-01T00:00Z\" end=\"2026-01-01T01:00Z\" timezone=\"UTC\"", data, ok_));
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  scheduler_->RunDue();
  ASSERT_EQ(Actions(*id)[0].status, "WAITING");

  const auto waiting = scheduler_->Rerun(*id, Scope("action", "1"));
  EXPECT_EQ(waiting.status().error_code(), "E1018");
  EXPECT_THAT(waiting.status().message(), HasSubstr("check the status of action number(s) [1 (WAITING)]"));
  EXPECT_EQ(scheduler_->Rerun(*id, Scope("action", "x")).status().error_code(), "E0303");
  EXPECT_EQ(scheduler_->Rerun(*id, Scope("action", "1,7")).status().error_code(), "E0605");
  EXPECT_EQ(scheduler_->Rerun(*id, Scope("date", "2026-01-01T00:30Z")).status().error_code(), "E0605");
  EXPECT_EQ(scheduler_->Rerun(*id, Scope("date", "yesterday")).status().error_code(), "E0303");
  EXPECT_EQ(scheduler_->Rerun(*id, Scope("date", "2026-01-02T00:00Z::2026-01-01T00:00Z")).status().error_code(),
            "E0303");
  EXPECT_EQ(scheduler_->Rerun(*id, Scope("week", "1")).status().error_code(), "E0303");
  EXPECT_EQ(Actions(*id)[0].status, "WAITING");  // nothing changed

  const auto prep = scheduler_->Submit(
      Coordinator("frequency=\"60\" start=\"2026-01-01T00:00Z\" end=\"2026-01-01T01:00Z\" timezone=\"UTC\"", "", ok_),
      false);
  ASSERT_TRUE(prep.ok());
  const auto refused = scheduler_->Rerun(*prep, Scope("action", "1"));
  EXPECT_EQ(refused.status().error_code(), "E1018");
  EXPECT_THAT(refused.status().message(), HasSubstr("is PREP"));
}

TEST_F(CoordinatorExtrasTest, RerunByDateDeletesOutputDirectoriesUnlessToldNotTo) {
  const std::string data =
      "<datasets>"
      "<dataset name=\"out\" frequency=\"15\" initial-instance=\"2025-01-01T00:00Z\" timezone=\"UTC\">"
      "<uri-template>hdfs://nn/out/${HOUR}${MINUTE}</uri-template></dataset>"
      "<dataset name=\"keep\" frequency=\"15\" initial-instance=\"2025-01-01T00:00Z\" timezone=\"UTC\">"
      "<uri-template>hdfs://nn/keep/${HOUR}${MINUTE}</uri-template></dataset></datasets>\n"
      "<output-events><data-out name=\"out\" dataset=\"out\"><instance>${coord:current(0)}</instance></data-out>"
      "<data-out name=\"keep\" dataset=\"keep\" nocleanup=\"true\"><instance>${coord:current(0)}</instance>"
      "</data-out></output-events>\n";
  clock_.Set(T("2026-01-01T01:00Z"));
  const auto id = scheduler_->Submit(
      Coordinator("frequency=\"15\" start=\"2026-01-01T00:00Z\" end=\"2026-01-01T00:30Z\" timezone=\"UTC\"", data, ok_));
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  for (int i = 0; i < 3; ++i) RunAndSettle();
  ASSERT_EQ(store_->GetCoordinatorJob(*id).value().status, "SUCCEEDED");
  for (const char* dir : {"out/0000", "out/0015", "keep/0000"}) Touch(dir);

  // A range with ::, both ends included.
  const auto first = scheduler_->Rerun(*id, Scope("date", "2026-01-01T00:00Z::2026-01-01T00:10Z"));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_EQ(first->size(), 1u);
  EXPECT_EQ((*first)[0].action_number, 1);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "fs" / "out" / "0000"));  // cleaned
  EXPECT_TRUE(std::filesystem::exists(dir_ / "fs" / "keep" / "0000"));  // nocleanup="true" on its data-out

  Rerun keep = Scope("date", "2026-01-01T00:15Z");
  keep.nocleanup = true;
  const auto second = scheduler_->Rerun(*id, keep);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ((*second)[0].action_number, 2);
  EXPECT_TRUE(std::filesystem::exists(dir_ / "fs" / "out" / "0015"));
  for (int i = 0; i < 2; ++i) RunAndSettle();  // concurrency 1: one action per pass
  EXPECT_EQ(store_->GetCoordinatorJob(*id).value().status, "SUCCEEDED");
}

TEST_F(CoordinatorExtrasTest, RerunFailedRerunsOnlyTheFailedNodesOfTheSameWorkflow) {
  const Properties two_steps =
      App("two", Workflow(TestAction("a", "", "b") + TestAction("b", "<outcome>failed</outcome>")));
  clock_.Set(T("2026-01-01T01:00Z"));
  const auto id = scheduler_->Submit(
      Coordinator("frequency=\"60\" start=\"2026-01-01T00:00Z\" end=\"2026-01-01T01:00Z\" timezone=\"UTC\"", "",
                  two_steps));
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  RunAndSettle();
  ASSERT_EQ(Actions(*id)[0].status, "FAILED");
  const std::string workflow = Actions(*id)[0].external_id;
  ASSERT_EQ(scripted_->runs("a"), 1);
  ASSERT_EQ(scripted_->runs("b"), 1);

  Rerun failed = Scope("action", "1");
  failed.failed = true;
  ASSERT_TRUE(scheduler_->Rerun(*id, failed).ok());
  EXPECT_EQ(Actions(*id)[0].external_id, workflow);  // kept for the rerun
  RunAndSettle();
  const auto action = Actions(*id)[0];
  EXPECT_EQ(action.status, "FAILED");
  EXPECT_EQ(action.external_id, workflow);
  EXPECT_EQ(store_->GetJob(workflow).value().run, 1);
  EXPECT_EQ(scripted_->runs("a"), 1);  // a had succeeded: skipped
  EXPECT_EQ(scripted_->runs("b"), 2);

  // A crash after the action was marked SUBMITTED, before its workflow was
  // rerun: a new process reruns it rather than taking the old end for the new.
  ASSERT_TRUE(scheduler_->Rerun(*id, failed).ok());
  store::CoordinatorActionRecord interrupted = Actions(*id)[0];
  interrupted.status = "SUBMITTED";
  store::WriteBatch batch;
  batch.coordinator_actions.push_back(interrupted);
  ASSERT_TRUE(store_->Apply(batch).ok());
  NewScheduler();
  RunAndSettle();
  RunAndSettle();
  EXPECT_EQ(Actions(*id)[0].status, "FAILED");
  EXPECT_EQ(Actions(*id)[0].external_id, workflow);
  EXPECT_EQ(scripted_->runs("b"), 3);
  EXPECT_EQ(store_->GetJob(workflow).value().run, 2);
}

TEST_F(CoordinatorExtrasTest, RerunRefreshResolvesTheInputsAgain) {
  const std::string data =
      "<datasets><dataset name=\"raw\" frequency=\"60\" initial-instance=\"2025-01-01T00:00Z\" timezone=\"UTC\">"
      "<uri-template>hdfs://nn/raw/${HOUR}</uri-template></dataset></datasets>\n"
      "<input-events><data-in name=\"in\" dataset=\"raw\"><instance>${coord:current(0)}</instance></data-in>"
      "</input-events>\n";
  Touch("raw/00");
  clock_.Set(T("2026-01-01T00:00Z"));
  const auto id = scheduler_->Submit(Coordinator(
      "frequency=\"60\" start=\"2026-01-01T00:00Z\" end=\"2026-01-01T01:00Z\" timezone=\"UTC\"", data, ok_,
      "${coord:dataIn('in')}"));
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  RunAndSettle();
  ASSERT_EQ(Actions(*id)[0].status, "SUCCEEDED");
  // Spoil the stored instances: only a refresh puts them right.
  store::CoordinatorActionRecord spoiled = Actions(*id)[0];
  spoiled.data_instances = "{}";
  store::WriteBatch batch;
  batch.coordinator_actions.push_back(spoiled);
  ASSERT_TRUE(store_->Apply(batch).ok());
  Rerun refresh = Scope("action", "1");
  refresh.refresh = true;
  ASSERT_TRUE(scheduler_->Rerun(*id, refresh).ok());
  EXPECT_THAT(Actions(*id)[0].data_instances, HasSubstr("hdfs://nn/raw/00"));
  RunAndSettle();
  const auto action = Actions(*id)[0];
  ASSERT_EQ(action.status, "SUCCEEDED");
  EXPECT_THAT(WorkflowData(action.external_id), HasSubstr("in=hdfs://nn/raw/00"));
}

TEST_F(CoordinatorExtrasTest, SlaMissesOfAnActionAreRecordedAndAlertedOnce) {
  const std::string data =
      "<datasets><dataset name=\"raw\" frequency=\"60\" initial-instance=\"2025-01-01T00:00Z\" timezone=\"UTC\">"
      "<uri-template>hdfs://nn/raw/${HOUR}</uri-template></dataset></datasets>\n"
      "<input-events><data-in name=\"in\" dataset=\"raw\"><instance>${coord:current(0)}</instance></data-in>"
      "</input-events>\n";
  const std::string sla =
      "<sla:info><sla:nominal-time>${coord:nominalTime()}</sla:nominal-time>"
      "<sla:should-start>${5 * MINUTES}</sla:should-start><sla:should-end>${10 * MINUTES}</sla:should-end>"
      "<sla:alert-events>start_miss,end_miss</sla:alert-events><sla:alert-contact>ops@example.com</sla:alert-contact>"
      "</sla:info>";
  clock_.Set(T("2026-01-01T00:00Z"));
  const auto id = scheduler_->Submit(Coordinator(
      "frequency=\"60\" start=\"2026-01-01T00:00Z\" end=\"2026-01-01T01:00Z\" timezone=\"UTC\"", data, ok_, "none",
      sla));
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  auto due = scheduler_->RunDue();
  EXPECT_TRUE(store_->ListSlaEvents(*id).value().empty());
  ASSERT_TRUE(due.has_value());

  clock_.Set(T("2026-01-01T00:06Z"));  // its data is still missing: it has not started by should-start
  due = scheduler_->RunDue();
  auto events = store_->ListSlaEvents(*id).value();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].subject_id, *id + "@1");
  EXPECT_EQ(events[0].event, "START_MISS");
  EXPECT_EQ(events[0].app_type, "COORDINATOR_ACTION");
  EXPECT_EQ(events[0].app_name, "c");
  EXPECT_EQ(events[0].nominal_ms, ToEpochMillis(T("2026-01-01T00:00Z")));
  EXPECT_EQ(events[0].expected_ms, ToEpochMillis(T("2026-01-01T00:05Z")));
  ASSERT_TRUE(due.has_value());
  EXPECT_LE(*due, T("2026-01-01T00:10Z") + std::chrono::milliseconds(1));  // wakes for should-end
  auto mails = [&] {
    int count = 0;
    const auto due_notifications = store_->ListDueNotifications(ToEpochMillis(T("2027-01-01T00:00Z")), 100).value();
    for (const auto& n : due_notifications) {
      if (n.url == "mailto:ops@example.com") ++count;
    }
    return count;
  };
  EXPECT_EQ(mails(), 1);
  scheduler_->RunDue();
  EXPECT_EQ(store_->ListSlaEvents(*id).value().size(), 1u);
  EXPECT_EQ(mails(), 1);

  clock_.Set(T("2026-01-01T00:11Z"));
  scheduler_->RunDue();
  events = store_->ListSlaEvents(*id).value();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].event, "END_MISS");
  EXPECT_EQ(mails(), 2);

  NewScheduler();  // a restart re-evaluates but never alerts twice
  scheduler_->RunDue();
  EXPECT_EQ(store_->ListSlaEvents(*id).value().size(), 2u);
  EXPECT_EQ(mails(), 2);
}

// The Oozie coord-input-logic example's shape: two 20-minute datasets, three
// instances each per hourly action.
std::string InputLogicBody(const std::string& logic) {
  std::string body = "<datasets>";
  for (const char* n : {"1", "2"}) {
    body += std::string("<dataset name=\"data-") + n +
            "\" frequency=\"${coord:minutes(20)}\" initial-instance=\"2010-01-01T00:00Z\" timezone=\"UTC\">"
            "<uri-template>hdfs://nn/in" + n + "/${HOUR}${MINUTE}</uri-template></dataset>";
  }
  body += "</datasets>\n<input-events>";
  for (const char* n : {"1", "2"}) {
    body += std::string("<data-in name=\"input-") + n + "\" dataset=\"data-" + n +
            "\"><start-instance>${coord:current(-2)}</start-instance><end-instance>${coord:current(0)}"
            "</end-instance></data-in>";
  }
  return body + "</input-events>\n<input-logic>" + logic + "</input-logic>\n";
}

constexpr char kHour[] = "frequency=\"${coord:hours(1)}\" start=\"2026-01-01T01:00Z\" end=\"2026-01-01T02:00Z\" "
                         "timezone=\"UTC\"";

TEST_F(CoordinatorExtrasTest, InputLogicOrStartsWithEitherInputAndDataInNamesThatOne) {
  clock_.Set(T("2026-01-01T01:00Z"));
  const auto id = scheduler_->Submit(
      Coordinator(kHour,
                  InputLogicBody("<or name=\"input\"><data-in dataset=\"input-1\"/><data-in dataset=\"input-2\"/></or>"),
                  ok_, "${coord:dataIn('input')}", "", "uri:oozie:coordinator:0.5"));
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  scheduler_->RunDue();
  ASSERT_EQ(Actions(*id)[0].status, "WAITING");
  for (const char* at : {"0020", "0040", "0100"}) Touch(std::string("in2/") + at);
  RunAndSettle();
  const auto action = Actions(*id)[0];
  ASSERT_EQ(action.status, "SUCCEEDED") << action.error_message;
  EXPECT_THAT(WorkflowData(action.external_id),
              HasSubstr("in=hdfs://nn/in2/0100,hdfs://nn/in2/0040,hdfs://nn/in2/0020"));
}

TEST_F(CoordinatorExtrasTest, InputLogicAndWaitsForBothInputs) {
  clock_.Set(T("2026-01-01T01:00Z"));
  const auto id = scheduler_->Submit(Coordinator(
      kHour, InputLogicBody("<and name=\"input\"><data-in dataset=\"input-1\"/><data-in dataset=\"input-2\"/></and>"),
      ok_, "${coord:dataIn('input')}", "", "uri:oozie:coordinator:0.5"));
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  for (const char* at : {"0020", "0040", "0100"}) Touch(std::string("in2/") + at);
  scheduler_->RunDue();
  auto action = Actions(*id)[0];
  EXPECT_EQ(action.status, "WAITING");
  EXPECT_THAT(action.missing_dependencies, HasSubstr("hdfs://nn/in1/0100"));
  EXPECT_THAT(action.missing_dependencies, ::testing::Not(HasSubstr("in2")));
  for (const char* at : {"0020", "0040", "0100"}) Touch(std::string("in1/") + at);
  RunAndSettle();
  action = Actions(*id)[0];
  ASSERT_EQ(action.status, "SUCCEEDED") << action.error_message;
  EXPECT_THAT(WorkflowData(action.external_id), HasSubstr("in=hdfs://nn/in1/0100,hdfs://nn/in1/0040,"
                                                          "hdfs://nn/in1/0020,hdfs://nn/in2/0100"));
}

TEST_F(CoordinatorExtrasTest, InputLogicMinIsAcceptedOnceTheWaitIsOver) {
  clock_.Set(T("2026-01-01T01:00Z"));
  const auto id = scheduler_->Submit(
      Coordinator(kHour, InputLogicBody("<data-in name=\"input\" dataset=\"input-1\" min=\"2\" wait=\"10\"/>"), ok_,
                  "${coord:dataIn('input')}", "", "uri:oozie:coordinator:0.5"));
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  for (const char* at : {"0040", "0100"}) Touch(std::string("in1/") + at);
  const auto due = scheduler_->RunDue();
  EXPECT_EQ(Actions(*id)[0].status, "WAITING");  // two of three: waits up to 10 minutes for the third
  ASSERT_TRUE(due.has_value());
  EXPECT_LE(*due, T("2026-01-01T01:10Z"));
  clock_.Set(T("2026-01-01T01:09Z"));
  scheduler_->RunDue();
  EXPECT_EQ(Actions(*id)[0].status, "WAITING");
  clock_.Set(T("2026-01-01T01:10Z"));
  RunAndSettle();
  const auto action = Actions(*id)[0];
  ASSERT_EQ(action.status, "SUCCEEDED") << action.error_message;
  EXPECT_THAT(WorkflowData(action.external_id), HasSubstr("in=hdfs://nn/in1/0100,hdfs://nn/in1/0040"));
}

}  // namespace
}  // namespace refinery::scheduler
