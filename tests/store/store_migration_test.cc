// MigrateStore copies a SQLite store holding every kind of record into a
// fresh store of each tested backend (SQLite in store_test, PostgreSQL in
// store_postgres_test), verifies it field by field, keeps notification and
// model event ids, and refuses what it must.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>

#include "store/store_migration.h"
#include "store_backend.h"
#include "store_test_util.h"

namespace refinery::store::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

CoordinatorJobRecord FullCoordinatorJob(const std::string& id, const std::string& bundle_id) {
  CoordinatorJobRecord job;
  job.id = id;
  job.app_name = "coord-" + id;
  job.app_path = "file:///apps/coord";
  job.user = "joe";
  job.status = "RUNNING";
  job.conf = "<configuration/>";
  job.definition = "<coordinator-app name='c'/>";
  job.frequency = "60";
  job.time_unit = "MINUTE";
  job.timezone = "UTC";
  job.execution = "LIFO";
  job.concurrency = 2;
  job.throttle = 5;
  job.timeout_minutes = 30;
  job.last_action_number = 2;
  job.error_message = "none";
  job.start_ms = 1610608000101;
  job.end_ms = 1610608000102;
  job.next_materialized_ms = 1610608000103;
  job.pause_ms = 1610608000104;
  job.created_ms = 1610608000105;
  job.last_modified_ms = 1610608000106;
  job.bundle_id = bundle_id;
  return job;
}

CoordinatorActionRecord FullCoordinatorAction(const std::string& job_id, int number) {
  CoordinatorActionRecord action;
  action.id = job_id + "@" + std::to_string(number);
  action.job_id = job_id;
  action.action_number = number;
  action.status = number == 1 ? "SUCCEEDED" : "WAITING";
  action.external_id = JobId(number);
  action.external_status = "OK";
  action.run_conf = "<configuration/>";
  action.missing_dependencies = "file:///in/_SUCCESS#file:///in2/_SUCCESS";
  action.data_instances = "{\"in\":[]}";
  action.error_code = "E1";
  action.error_message = "m";
  action.nominal_ms = 1610608000200 + number;
  action.created_ms = 1610608000300 + number;
  action.last_modified_ms = 1610608000400 + number;
  return action;
}

BundleJobRecord FullBundleJob(const std::string& id) {
  BundleJobRecord job;
  job.id = id;
  job.app_name = "bundle";
  job.app_path = "file:///apps/bundle";
  job.user = "joe";
  job.status = "RUNNING";
  job.conf = "<configuration/>";
  job.definition = "<bundle-app name='b'/>";
  job.error_message = "e";
  job.kickoff_ms = 1610608000501;
  job.created_ms = 1610608000502;
  job.start_ms = 1610608000503;
  job.end_ms = 1610608000504;
  job.last_modified_ms = 1610608000505;
  return job;
}

NotificationRecord Notification(const std::string& subject, const std::string& method) {
  NotificationRecord n;
  n.url = "http://hooks.example/" + subject;
  n.method = method;
  n.body = method == "POST" ? "{\"id\":\"" + subject + "\"}" : "";
  n.subject_id = subject;
  n.attempts = 2;
  n.next_attempt_ms = 1610608000601;
  n.created_ms = 1610608000602;
  n.last_error = "connection refused";
  return n;
}

class MigrationTest : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    source_path_ = dir_.File("source.db");
    source_ = OpenOrDie(source_path_);
    ASSERT_NE(source_, nullptr);
  }

  // Every kind of record, with gaps in the outbox and event ids so that
  // keeping them is visible.
  void FillSource() {
    WriteBatch bundle;
    bundle.bundle_jobs.push_back(FullBundleJob("0000001-210114070000000-refinery-test-B"));
    bundle.coordinator_jobs.push_back(
        FullCoordinatorJob("0000002-210114070000000-refinery-test-C", "0000001-210114070000000-refinery-test-B"));
    bundle.coordinator_actions.push_back(FullCoordinatorAction("0000002-210114070000000-refinery-test-C", 1));
    bundle.coordinator_actions.push_back(FullCoordinatorAction("0000002-210114070000000-refinery-test-C", 2));
    ASSERT_TRUE(source_->Apply(bundle).ok());
    for (int n = 1; n <= 3; ++n) {
      WriteBatch batch;
      WorkflowJobRecord job = FullJob(JobId(n));
      job.created_ms += n;
      batch.jobs.push_back(job);
      batch.actions.push_back(FullAction(job.id, "first"));
      batch.actions.push_back(FullAction(job.id, "second"));
      batch.log_lines.emplace_back(job.id, "line one of " + job.id);
      batch.log_lines.emplace_back(job.id, "line two\twith a tab");
      batch.notifications.push_back(Notification(job.id, n == 2 ? "POST" : "GET"));
      batch.notifications.push_back(Notification(job.id + "@first", "GET"));
      ASSERT_TRUE(source_->Apply(batch).ok());
    }
    WriteBatch sla;
    SlaEventRecord event;
    event.subject_id = JobId(1) + "@first";
    event.event = "END_MISS";
    event.job_id = JobId(1);
    event.app_type = "WORKFLOW_ACTION";
    event.app_name = "first";
    event.nominal_ms = 1610608000701;
    event.expected_ms = 1610608000702;
    event.actual_ms = 1610608000703;
    event.created_ms = 1610608000704;
    event.detail = "SLA END_MISS of [first]";
    sla.sla_events.push_back(event);
    ASSERT_TRUE(source_->Apply(sla).ok());

    // Delivered notifications leave gaps; one ran out of attempts.
    auto due = source_->ListDueNotifications(std::numeric_limits<int64_t>::max(), 100);
    ASSERT_TRUE(due.ok());
    ASSERT_EQ(due->size(), 6u);
    ASSERT_TRUE(source_->DeleteNotification((*due)[0].id).ok());
    ASSERT_TRUE(source_->DeleteNotification((*due)[3].id).ok());
    NotificationRecord failed = (*due)[4];
    failed.status = "FAILED";
    failed.last_error = "gave up after 10 attempts";
    ASSERT_TRUE(source_->UpdateNotification(failed).ok());

    WriteBatch models;
    for (int version = 1; version <= 2; ++version) {
      ModelVersionRecord record;
      record.model = "funnel";
      record.version = version;
      record.bundle_uri = "/user/refinedzone/model/v" + std::to_string(version);
      record.stage = version == 2 ? "production" : "archived";
      record.metrics = "{\"auc\":0.9}";
      record.lineage = "{\"job\":\"x\"}";
      record.registered_by = "cli";
      record.created_ms = 1610608000800 + version;
      record.stage_changed_ms = 1610608000900 + version;
      models.model_versions.push_back(record);
      ModelEventRecord registered;
      registered.model = "funnel";
      registered.version = version;
      registered.previous_version = version - 1;
      registered.kind = version == 2 ? "promoted" : "registered";
      registered.actor = "joe";
      registered.reason = "better auc";
      registered.created_ms = 1610608001000 + version;
      models.model_events.push_back(registered);
    }
    ASSERT_TRUE(source_->Apply(models).ok());
    ASSERT_TRUE(source_->PutMeta("engine.counter", "42").ok());
  }

  TempDir dir_;
  std::string source_path_;
  std::unique_ptr<Store> source_;
};

TEST_P(MigrationTest, CopiesEveryRecordAndVerifiesIt) {
  FillSource();
  int reports = 0;
  auto counts = MigrateStore(*source_, *store_, [&](const MigrationCounts&) { ++reports; });
  ASSERT_TRUE(counts.ok()) << counts.status().ToString();
  EXPECT_EQ(counts->bundle_jobs, 1);
  EXPECT_EQ(counts->coordinator_jobs, 1);
  EXPECT_EQ(counts->coordinator_actions, 2);
  EXPECT_EQ(counts->workflow_jobs, 3);
  EXPECT_EQ(counts->workflow_actions, 6);
  EXPECT_EQ(counts->log_lines, 7);  // two per job and the SLA line
  EXPECT_EQ(counts->sla_events, 1);
  EXPECT_EQ(counts->notifications, 4);
  EXPECT_EQ(counts->model_versions, 2);
  EXPECT_EQ(counts->model_events, 2);
  EXPECT_EQ(counts->meta_entries, 1);
  EXPECT_GE(reports, 8);
  EXPECT_THAT(counts->Summary(), HasSubstr("workflow actions      6"));

  ExpectSameJob(*source_->GetJob(JobId(2)), *store_->GetJob(JobId(2)));
  ExpectSameAction(*source_->GetAction(JobId(2) + "@second"), *store_->GetAction(JobId(2) + "@second"));
  EXPECT_EQ(*store_->ReadLog(JobId(1)), *source_->ReadLog(JobId(1)));
  EXPECT_EQ(*store_->CountNotifications("FAILED"), 1);
  EXPECT_EQ(*store_->GetMeta("engine.counter"), std::optional<std::string>("42"));

  // Ids kept, and new rows continue after them.
  auto source_outbox = source_->ListNotifications(0, 100);
  auto copied_outbox = store_->ListNotifications(0, 100);
  ASSERT_TRUE(source_outbox.ok() && copied_outbox.ok());
  ASSERT_EQ(copied_outbox->size(), source_outbox->size());
  for (size_t i = 0; i < copied_outbox->size(); ++i) EXPECT_EQ((*copied_outbox)[i].id, (*source_outbox)[i].id);
  EXPECT_EQ(*store_->LastModelEventId(), *source_->LastModelEventId());
  WriteBatch later;
  later.notifications.push_back(Notification("later", "GET"));
  ModelEventRecord event;
  event.model = "funnel";
  event.version = 2;
  event.kind = "rejected";
  later.model_events.push_back(event);
  ApplyOk(later);
  auto after = store_->ListNotifications(source_outbox->back().id, 10);
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->size(), 1u);
  EXPECT_GT(*store_->LastModelEventId(), *source_->LastModelEventId());
}

TEST_P(MigrationTest, AnEmptySourceGivesAnEmptyVerifiedCopy) {
  auto counts = MigrateStore(*source_, *store_);
  ASSERT_TRUE(counts.ok()) << counts.status().ToString();
  EXPECT_EQ(counts->Total(), 0);
}

TEST_P(MigrationTest, RefusesADestinationThatHoldsJobs) {
  FillSource();
  WriteBatch batch;
  batch.jobs.push_back(FullJob(JobId(99)));
  ApplyOk(batch);
  auto counts = MigrateStore(*source_, *store_);
  ASSERT_FALSE(counts.ok());
  EXPECT_EQ(counts.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(counts.status().message(), HasSubstr("not empty (1 workflow jobs"));
  EXPECT_THAT(counts.status().message(), HasSubstr("empty database"));
  EXPECT_EQ(store_->ListJobs({}, 0, 0)->total, 1);  // nothing written

  // Through locations: the message names the destination, password masked.
  source_.reset();
  auto located = MigrateStoreLocations(source_path_, location_);
  ASSERT_FALSE(located.ok());
  EXPECT_THAT(located.status().message(), HasSubstr(ShownLocation()));
  EXPECT_THAT(located.status().ToString(), Not(HasSubstr("s3cret")));
}

TEST_P(MigrationTest, VerificationNamesTheRecordAndFieldThatDiffer) {
  FillSource();
  ASSERT_TRUE(MigrateStore(*source_, *store_).ok());
  WriteBatch change;
  WorkflowActionRecord action = *store_->GetAction(JobId(3) + "@first");
  action.external_status = "TAMPERED";
  change.actions.push_back(action);
  ApplyOk(change);
  auto verified = VerifyMigration(*source_, *store_);
  ASSERT_FALSE(verified.ok());
  EXPECT_THAT(verified.status().message(),
              HasSubstr("workflow action [" + JobId(3) + "@first] field \"external_status\""));
  EXPECT_THAT(verified.status().message(), HasSubstr("\"TAMPERED\""));
}

TEST_P(MigrationTest, RefusesTheSameStoreAndAMissingSourceFile) {
  source_.reset();
  auto same = MigrateStoreLocations(source_path_, dir_.File("./source.db"));
  ASSERT_FALSE(same.ok());
  EXPECT_THAT(same.status().message(), HasSubstr("the same store"));
  auto same_location = MigrateStoreLocations(location_, location_);
  ASSERT_FALSE(same_location.ok());
  EXPECT_THAT(same_location.status().ToString(), Not(HasSubstr("s3cret")));
  auto missing = MigrateStoreLocations(dir_.File("no-such.db"), location_);
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr("is not a file"));
  EXPECT_FALSE(std::filesystem::exists(dir_.File("no-such.db")));
}

INSTANTIATE_TEST_SUITE_P(Backends, MigrationTest, ::testing::ValuesIn(TestedBackends()), BackendName);

}  // namespace
}  // namespace refinery::store::testing
