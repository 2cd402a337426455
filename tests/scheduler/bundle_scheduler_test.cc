// Bundles on the coordinator scheduler, on a fake clock over a real engine
// and store: nothing is submitted before the kick-off time; at it each enabled
// coordinator is submitted once, named as the bundle names it, with the
// bundle's configuration under its own; kill and suspend cascade; the status
// rolls up (DONEWITHERROR when the coordinators disagree); and a restart
// neither loses nor repeats the kick-off.
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

TimePoint T(const std::string& text) { return ParseOozieTime(text).value(); }

class BundleSchedulerTest : public engine::testing::EngineFixture {
 protected:
  void SetUp() override {
    EngineFixture::SetUp();
    App("wf", Workflow(TestAction("a", "<outcome>${outcome}</outcome><data>region=${region}</data>")));
    const auto coord = dir_ / "apps" / "coord";
    std::filesystem::create_directories(coord);
    std::ofstream(coord / "coordinator.xml")
        << "<coordinator-app xmlns=\"uri:oozie:coordinator:0.4\" name=\"from-xml\" frequency=\"60\" "
           "start=\"${start}\" end=\"${end}\" timezone=\"UTC\">\n"
           "<action><workflow><app-path>../wf</app-path></workflow></action>\n</coordinator-app>\n";
    NewScheduler();
  }
  void TearDown() override {
    scheduler_.reset();
    EngineFixture::TearDown();
  }

  void NewScheduler() {
    scheduler_ = std::make_unique<CoordinatorScheduler>(store_.get(), engine_.get(), files_.get(), &clock_);
  }

  // apps/bundle/bundle.xml with `body` inside <bundle-app>; the job conf.
  Properties Bundle(const std::string& body, const std::string& xmlns = "uri:oozie:bundle:0.2") {
    const auto dir = dir_ / "apps" / "bundle";
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "bundle.xml") << "<bundle-app xmlns=\"" << xmlns << "\" name=\"sales\">\n" << body
                                      << "</bundle-app>\n";
    Properties conf;
    conf.Set("oozie.bundle.application.path", "file://" + dir.string());
    conf.Set("user.name", "tester");
    conf.Set("start", "2026-01-01T00:00Z");
    conf.Set("end", "2026-01-01T01:00Z");
    conf.Set("outcome", "ok");
    conf.Set("region", "emea");
    return conf;
  }

  static std::string Coordinator(const std::string& name, const std::string& conf = "",
                                 const std::string& attributes = "") {
    return "<coordinator name=\"" + name + "\"" + attributes + "><app-path>../coord</app-path>" +
           (conf.empty() ? "" : "<configuration>" + conf + "</configuration>") + "</coordinator>\n";
  }

  static std::string Property(const std::string& name, const std::string& value) {
    return "<property><name>" + name + "</name><value>" + value + "</value></property>";
  }

  std::vector<store::CoordinatorJobRecord> Coordinators(const std::string& bundle_id) {
    return store_->ListBundleCoordinatorJobs(bundle_id).value();
  }

  std::string BundleStatus(const std::string& id) { return store_->GetBundleJob(id).value().status; }

  // Runs what is due until every workflow started has ended and been seen.
  void RunAndSettle() {
    for (int pass = 0; pass < 3; ++pass) {
      scheduler_->RunDue();
      const store::JobPage page = store_->ListJobs({}, 0, 1000).value();
      for (const auto& job : page.jobs) (void)engine_->WaitForJob(job.id);
    }
    scheduler_->RunDue();
  }

  FakeClock clock_{T("2026-01-01T00:00Z")};
  std::unique_ptr<CoordinatorScheduler> scheduler_;
};

TEST_F(BundleSchedulerTest, NothingIsSubmittedBeforeTheKickOffTime) {
  const auto id = scheduler_->SubmitBundle(
      Bundle("<controls><kick-off-time>2026-01-01T02:00Z</kick-off-time></controls>\n" + Coordinator("c1")));
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_THAT(*id, ::testing::EndsWith("-B"));
  EXPECT_EQ(BundleStatus(*id), "RUNNING");
  EXPECT_EQ(store_->GetBundleJob(*id)->kickoff_ms, ToEpochMillis(T("2026-01-01T02:00Z")));

  const auto due = scheduler_->RunDue();
  ASSERT_TRUE(due.has_value());
  EXPECT_EQ(*due, T("2026-01-01T02:00Z"));  // the thread sleeps until the kick-off
  EXPECT_TRUE(Coordinators(*id).empty());
  clock_.Set(T("2026-01-01T01:59Z"));
  scheduler_->RunDue();
  EXPECT_TRUE(Coordinators(*id).empty());
  EXPECT_EQ(store_->GetBundleJob(*id)->start_ms, 0);

  clock_.Set(T("2026-01-01T02:00Z"));
  scheduler_->RunDue();
  ASSERT_EQ(Coordinators(*id).size(), 1u);
  EXPECT_EQ(store_->GetBundleJob(*id)->start_ms, ToEpochMillis(T("2026-01-01T02:00Z")));
}

TEST_F(BundleSchedulerTest, CoordinatorsGetTheBundleNamesAndLayeredConfiguration) {
  const auto id = scheduler_->SubmitBundle(Bundle(Coordinator("ingest-emea") +
                                                  Coordinator("ingest-apac", Property("region", "apac")) +
                                                  Coordinator("off", "", " enabled=\"false\"")));
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  scheduler_->RunDue();
  const auto coordinators = Coordinators(*id);
  ASSERT_EQ(coordinators.size(), 2u);  // the disabled one is left out
  EXPECT_EQ(coordinators[0].app_name, "ingest-emea");
  EXPECT_EQ(coordinators[1].app_name, "ingest-apac");
  for (const auto& coordinator : coordinators) {
    EXPECT_EQ(coordinator.bundle_id, *id);
    EXPECT_EQ(coordinator.status, "RUNNING");
    EXPECT_EQ(coordinator.app_path, "file://" + (dir_ / "apps" / "bundle").string() + "/../coord");
    const Properties conf = ParseHadoopConfigurationXml(coordinator.conf, "conf").value();
    EXPECT_EQ(conf.Get("oozie.bundle.id"), *id);
    EXPECT_FALSE(conf.Contains("oozie.bundle.application.path"));
    EXPECT_EQ(conf.Get("outcome"), "ok");  // from the bundle's configuration
  }
  EXPECT_EQ(ParseHadoopConfigurationXml(coordinators[0].conf, "c").value().Get("region"), "emea");
  EXPECT_EQ(ParseHadoopConfigurationXml(coordinators[1].conf, "c").value().Get("region"), "apac");  // its own wins

  RunAndSettle();
  for (const auto& coordinator : Coordinators(*id)) {
    const auto actions = store_->ListCoordinatorActions(coordinator.id).value();
    ASSERT_EQ(actions.size(), 1u);
    ASSERT_EQ(actions[0].status, "SUCCEEDED") << actions[0].error_message;
    const auto nodes = store_->ListActions(actions[0].external_id).value();
    const auto node = std::find_if(nodes.begin(), nodes.end(), [](const auto& a) { return a.name == "a"; });
    ASSERT_NE(node, nodes.end());
    EXPECT_THAT(node->data, HasSubstr(coordinator.app_name == "ingest-apac" ? "region=apac" : "region=emea"));
  }
  EXPECT_EQ(BundleStatus(*id), "SUCCEEDED");
  EXPECT_GT(store_->GetBundleJob(*id)->end_ms, 0);
}

TEST_F(BundleSchedulerTest, MixedEndsRollUpToDoneWithError) {
  const auto id = scheduler_->SubmitBundle(Bundle(Coordinator("good") +
                                                  Coordinator("bad", Property("outcome", "error"))));
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  RunAndSettle();
  const auto coordinators = Coordinators(*id);
  ASSERT_EQ(coordinators.size(), 2u);
  EXPECT_EQ(coordinators[0].status, "SUCCEEDED");
  EXPECT_EQ(coordinators[1].status, "DONEWITHERROR");
  EXPECT_EQ(BundleStatus(*id), "DONEWITHERROR");
}

TEST_F(BundleSchedulerTest, RerunOfNamedCoordinatorsRunsTheirActionsAgainAndTheBundleWithThem) {
  const auto id = scheduler_->SubmitBundle(Bundle(Coordinator("good") +
                                                  Coordinator("bad", Property("outcome", "error"))));
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  RunAndSettle();
  ASSERT_EQ(BundleStatus(*id), "DONEWITHERROR");
  const int workflows_before = store_->ListJobs({}, 0, 0).value().total;

  CoordinatorScheduler::BundleRerunRequest unknown;
  unknown.coordinators = "bad,ugly";
  const auto refused = scheduler_->RerunBundle(*id, unknown);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().error_code(), "E0303");
  EXPECT_THAT(refused.status().message(), HasSubstr("[ugly]; the coordinators of bundle"));
  EXPECT_THAT(refused.status().message(), HasSubstr("good, bad"));

  CoordinatorScheduler::BundleRerunRequest request;
  request.coordinators = "bad";
  const auto rerun = scheduler_->RerunBundle(*id, request);
  ASSERT_TRUE(rerun.ok()) << rerun.status().ToString();
  ASSERT_EQ(rerun->size(), 1u);
  EXPECT_EQ(rerun->front().job_id, Coordinators(*id)[1].id);
  EXPECT_EQ(BundleStatus(*id), "RUNNING");
  RunAndSettle();
  EXPECT_EQ(store_->ListJobs({}, 0, 0).value().total, workflows_before + 1);  // only bad's action ran again
  EXPECT_EQ(BundleStatus(*id), "DONEWITHERROR");
}

TEST_F(BundleSchedulerTest, ChangeGoesToEveryRunningCoordinatorAndRefusesOtherKeys) {
  const auto id = scheduler_->SubmitBundle(Bundle(Coordinator("c1") + Coordinator("c2")));
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  scheduler_->RunDue();
  ASSERT_TRUE(scheduler_->ChangeBundle(*id, "endtime=2026-01-01T03:00Z").ok());
  for (const auto& coordinator : Coordinators(*id)) EXPECT_EQ(coordinator.end_ms, ToEpochMillis(T("2026-01-01T03:00Z")));
  const Status concurrency = scheduler_->ChangeBundle(*id, "concurrency=2");
  ASSERT_FALSE(concurrency.ok());
  EXPECT_EQ(concurrency.error_code(), "E1015");
  EXPECT_THAT(concurrency.message(), HasSubstr("not [concurrency]"));
}

TEST_F(BundleSchedulerTest, ACoordinatorThatDoesNotValidateFailsAloneAndTheBundleWithIt) {
  auto conf = Bundle(Coordinator("only", Property("end", "2025-01-01T00:00Z")));  // ends before it starts
  const auto id = scheduler_->SubmitBundle(conf);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  RunAndSettle();
  const auto coordinators = Coordinators(*id);
  ASSERT_EQ(coordinators.size(), 1u);
  EXPECT_EQ(coordinators[0].status, "FAILED");
  EXPECT_THAT(coordinators[0].error_message, HasSubstr("E1003"));
  EXPECT_EQ(BundleStatus(*id), "FAILED");
}

TEST_F(BundleSchedulerTest, SubmitWithoutStartWaitsInPrepUntilStarted) {
  const auto id = scheduler_->SubmitBundle(Bundle(Coordinator("c1")), /*start=*/false);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(BundleStatus(*id), "PREP");
  scheduler_->RunDue();
  EXPECT_TRUE(Coordinators(*id).empty());
  ASSERT_TRUE(scheduler_->StartBundle(*id).ok());
  EXPECT_EQ(BundleStatus(*id), "RUNNING");
  EXPECT_EQ(scheduler_->StartBundle(*id).error_code(), "E1100");  // only a PREP bundle starts
  scheduler_->RunDue();
  EXPECT_EQ(Coordinators(*id).size(), 1u);
}

TEST_F(BundleSchedulerTest, KillCascadesToTheCoordinators) {
  clock_.Set(T("2025-12-31T23:00Z"));  // before the coordinators' start: they wait
  const auto id = scheduler_->SubmitBundle(Bundle(Coordinator("c1") + Coordinator("c2")));
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  scheduler_->RunDue();
  ASSERT_EQ(Coordinators(*id).size(), 2u);
  ASSERT_TRUE(scheduler_->KillBundle(*id).ok());
  EXPECT_EQ(BundleStatus(*id), "KILLED");
  for (const auto& coordinator : Coordinators(*id)) EXPECT_EQ(coordinator.status, "KILLED") << coordinator.id;
  scheduler_->RunDue();
  EXPECT_EQ(BundleStatus(*id), "KILLED");
  EXPECT_TRUE(scheduler_->KillBundle(*id).ok());  // killing an ended bundle changes nothing
}

TEST_F(BundleSchedulerTest, KillingAPendingBundleNeverSubmitsItsCoordinators) {
  const auto id = scheduler_->SubmitBundle(
      Bundle("<controls><kick-off-time>2026-01-01T02:00Z</kick-off-time></controls>\n" + Coordinator("c1")));
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  ASSERT_TRUE(scheduler_->KillBundle(*id).ok());
  clock_.Set(T("2026-01-01T03:00Z"));
  scheduler_->RunDue();
  EXPECT_TRUE(Coordinators(*id).empty());
  EXPECT_EQ(BundleStatus(*id), "KILLED");
}

TEST_F(BundleSchedulerTest, SuspendAndResumeCascade) {
  clock_.Set(T("2025-12-31T23:00Z"));
  const auto id = scheduler_->SubmitBundle(Bundle(Coordinator("c1")));
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  scheduler_->RunDue();
  ASSERT_TRUE(scheduler_->SuspendBundle(*id).ok());
  EXPECT_EQ(BundleStatus(*id), "SUSPENDED");
  EXPECT_EQ(Coordinators(*id).at(0).status, "SUSPENDED");
  EXPECT_EQ(scheduler_->SuspendBundle(*id).error_code(), "E1100");
  ASSERT_TRUE(scheduler_->ResumeBundle(*id).ok());
  EXPECT_EQ(BundleStatus(*id), "RUNNING");
  EXPECT_EQ(Coordinators(*id).at(0).status, "RUNNING");
}

TEST_F(BundleSchedulerTest, ARestartKicksOffExactlyOnce) {
  clock_.Set(T("2025-12-31T23:00Z"));  // no workflow starts: only the kick-off is under test
  const auto id = scheduler_->SubmitBundle(Bundle(Coordinator("c1") + Coordinator("c2")));
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  // kill -9 right after the bundle record was written: a new process, a
  // reopened store, and its first pass does the kick-off.
  scheduler_.reset();
  OpenEngine();
  NewScheduler();
  scheduler_->RunDue();
  ASSERT_EQ(Coordinators(*id).size(), 2u);
  // Again after the kick-off: nothing is submitted a second time.
  scheduler_.reset();
  OpenEngine();
  NewScheduler();
  scheduler_->RunDue();
  EXPECT_EQ(Coordinators(*id).size(), 2u);
  // Even a bundle record that lost its start mark keeps the coordinators it has.
  auto bundle = store_->GetBundleJob(*id).value();
  bundle.start_ms = 0;
  store::WriteBatch batch;
  batch.bundle_jobs.push_back(bundle);
  ASSERT_TRUE(store_->Apply(batch).ok());
  NewScheduler();
  scheduler_->RunDue();
  EXPECT_EQ(Coordinators(*id).size(), 2u);
  EXPECT_GT(store_->GetBundleJob(*id)->start_ms, 0);
  EXPECT_EQ(store_->ListCoordinatorJobs({}, 0, 100)->total, 2);
}

TEST_F(BundleSchedulerTest, BadSubmissionsAreRefusedWithOozieCodes) {
  Properties conf = Bundle(Coordinator("c1") + Coordinator("c1"));
  auto id = scheduler_->SubmitBundle(conf);
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.status().error_code(), "E1304");
  EXPECT_THAT(id.status().ToString(), HasSubstr("bundle.xml:3"));

  conf.Set("oozie.coord.application.path", "/x");
  EXPECT_EQ(scheduler_->SubmitBundle(conf).status().error_code(), "E0302");
  conf.Erase("oozie.coord.application.path");
  conf.Set("oozie.bundle.application.path", "file://" + (dir_ / "apps" / "nowhere").string());
  EXPECT_EQ(scheduler_->SubmitBundle(conf).status().error_code(), "E0505");
  EXPECT_EQ(store_->ListBundleJobs({}, 0, 10)->total, 0);
}

TEST_F(BundleSchedulerTest, ABundleShowsPrepPausedFromItsPauseTimeAndItsCoordinatorsTakeIt) {
  const auto id = scheduler_->SubmitBundle(Bundle(Coordinator("c1") + Coordinator("c2")), /*start=*/false);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  ASSERT_TRUE(scheduler_->ChangeBundle(*id, "pausetime=2026-01-01T00:30Z").ok());
  EXPECT_EQ(scheduler_->ChangeBundle(*id, "pausetime=2025-01-01T00:00Z").error_code(), "E1015");  // not past
  const auto wake = scheduler_->RunDue();
  EXPECT_EQ(BundleStatus(*id), "PREP");
  ASSERT_TRUE(wake.has_value());
  EXPECT_EQ(*wake, T("2026-01-01T00:30Z"));
  clock_.Set(T("2026-01-01T00:30Z"));
  scheduler_->RunDue();
  EXPECT_EQ(BundleStatus(*id), "PREPPAUSED");  // SPEC §7.5 as §7.3: PREP -> PREPPAUSED

  // PREPPAUSED suspends to PREPSUSPENDED and resumes to PREP, which its pause
  // time makes PREPPAUSED again.
  ASSERT_TRUE(scheduler_->SuspendBundle(*id).ok());
  EXPECT_EQ(BundleStatus(*id), "PREPSUSPENDED");
  ASSERT_TRUE(scheduler_->ResumeBundle(*id).ok());
  EXPECT_EQ(BundleStatus(*id), "PREPPAUSED");

  // Started past its pause time it is PAUSED; the coordinators it submits
  // take the pause time and are PAUSED too.
  ASSERT_TRUE(scheduler_->StartBundle(*id).ok());
  EXPECT_EQ(BundleStatus(*id), "PAUSED");
  scheduler_->RunDue();
  const auto coordinators = Coordinators(*id);
  ASSERT_EQ(coordinators.size(), 2u);
  for (const auto& coordinator : coordinators) {
    EXPECT_EQ(coordinator.status, "PAUSED") << coordinator.app_name;
    EXPECT_EQ(coordinator.pause_ms, ToEpochMillis(T("2026-01-01T00:30Z")));
    EXPECT_FALSE(ParseHadoopConfigurationXml(coordinator.conf, "c").value().Contains("refinery.bundle.pausetime"));
  }
  // Clearing it runs the bundle and its coordinators again at once.
  ASSERT_TRUE(scheduler_->ChangeBundle(*id, "pausetime=").ok());
  EXPECT_EQ(BundleStatus(*id), "RUNNING");
  for (const auto& coordinator : Coordinators(*id)) {
    EXPECT_EQ(coordinator.status, "RUNNING");
    EXPECT_EQ(coordinator.pause_ms, 0);
  }
  RunAndSettle();
  EXPECT_EQ(BundleStatus(*id), "SUCCEEDED");
}

TEST_F(BundleSchedulerTest, ARunningBundleShowsPausedFromItsPauseTime) {
  clock_.Set(T("2025-12-31T23:00Z"));
  const auto id = scheduler_->SubmitBundle(Bundle(Coordinator("c1")));
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  scheduler_->RunDue();
  ASSERT_TRUE(scheduler_->ChangeBundle(*id, "pausetime=2025-12-31T23:30Z").ok());
  EXPECT_EQ(BundleStatus(*id), "RUNNING");
  clock_.Set(T("2025-12-31T23:30Z"));
  scheduler_->RunDue();
  EXPECT_EQ(BundleStatus(*id), "PAUSED");
  EXPECT_EQ(Coordinators(*id).at(0).status, "PAUSED");
  ASSERT_TRUE(scheduler_->SuspendBundle(*id).ok());  // PAUSED -> SUSPENDED
  EXPECT_EQ(BundleStatus(*id), "SUSPENDED");
  ASSERT_TRUE(scheduler_->ResumeBundle(*id).ok());
  EXPECT_EQ(BundleStatus(*id), "PAUSED");  // RUNNING, and its pause time has come
  ASSERT_TRUE(scheduler_->KillBundle(*id).ok());
  EXPECT_EQ(BundleStatus(*id), "KILLED");
}

// Oozie records critical="true" on the bundle action but no status rule reads
// it (BundleStatusTransitXCommand): a failed critical coordinator shows in the
// bundle's status as any coordinator's failure does.
TEST_F(BundleSchedulerTest, ACriticalCoordinatorRollsUpAsAnyOther) {
  const auto id = scheduler_->SubmitBundle(
      Bundle(Coordinator("bad", Property("outcome", "error"), " critical=\"true\"") + Coordinator("good")));
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  RunAndSettle();
  const auto coordinators = Coordinators(*id);
  ASSERT_EQ(coordinators.size(), 2u);
  EXPECT_EQ(coordinators[0].status, "DONEWITHERROR");
  EXPECT_EQ(coordinators[1].status, "SUCCEEDED");
  EXPECT_EQ(BundleStatus(*id), "DONEWITHERROR");

  const auto alone = scheduler_->SubmitBundle(
      Bundle(Coordinator("only", Property("end", "2025-01-01T00:00Z"), " critical=\"true\"")));
  ASSERT_TRUE(alone.ok());
  RunAndSettle();
  EXPECT_EQ(Coordinators(*alone).at(0).status, "FAILED");
  EXPECT_EQ(BundleStatus(*alone), "FAILED");
}

TEST_F(BundleSchedulerTest, DryRunValidatesEachEnabledCoordinatorAndStoresNothing) {
  const auto result = scheduler_->DryRunBundle(
      Bundle(Coordinator("c1") + Coordinator("c2", Property("region", "apac")) +
             Coordinator("off", "", " enabled=\"false\"")));
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->app.name, "sales");
  ASSERT_EQ(result->coordinators.size(), 2u);
  EXPECT_EQ(result->coordinators[0].name, "c1");
  EXPECT_EQ(result->coordinators[1].name, "c2");
  EXPECT_EQ(result->coordinators[0].app.name, "from-xml");
  EXPECT_EQ(result->coordinators[0].app.start, T("2026-01-01T00:00Z"));
  EXPECT_EQ(store_->ListBundleJobs({}, 0, 10)->total, 0);
  EXPECT_EQ(store_->ListCoordinatorJobs({}, 0, 10)->total, 0);

  // A coordinator that would fail at kick-off fails the dry run, named.
  const auto bad = scheduler_->DryRunBundle(Bundle(Coordinator("c1") +
                                                   Coordinator("late", Property("end", "2025-01-01T00:00Z"))));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().error_code(), "E1003");
  EXPECT_THAT(bad.status().ToString(), HasSubstr("coordinator [late]"));
  EXPECT_THAT(bad.status().ToString(), HasSubstr("bundle.xml:3"));
  EXPECT_EQ(scheduler_->DryRunBundle(Bundle(Coordinator("c1") + Coordinator("c1"))).status().error_code(), "E1304");
}

}  // namespace
}  // namespace refinery::scheduler
