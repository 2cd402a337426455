// Records in, records out, on every backend: round trips, upserts, batches,
// logs, meta, the outbox and coordinator deletes.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store/store.h"
#include "store_backend.h"
#include "store_test_util.h"

namespace refinery::store {
namespace {

using testing::ExpectSameAction;
using testing::ExpectSameJob;
using testing::FullAction;
using testing::FullJob;
using testing::JobId;
using testing::OpenLocationOrDie;

using StoreTest = testing::BackendTest;

TEST_P(StoreTest, RoundTripsEveryJobField) {
  const WorkflowJobRecord job = FullJob(JobId(1));
  ApplyOk({.jobs = {job}});
  Result<WorkflowJobRecord> read = store_->GetJob(job.id);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ExpectSameJob(*read, job);
}

TEST_P(StoreTest, RoundTripsEveryActionField) {
  const WorkflowActionRecord action = FullAction(JobId(1), "shell-node");
  ApplyOk({.jobs = {FullJob(JobId(1))}, .actions = {action}});
  Result<WorkflowActionRecord> read = store_->GetAction(action.id);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ExpectSameAction(*read, action);
}

TEST_P(StoreTest, RoundTripsDefaultRecords) {
  WorkflowJobRecord job;
  job.id = JobId(1);
  WorkflowActionRecord action;
  action.id = job.id + "@:start:";
  action.job_id = job.id;
  ApplyOk({.jobs = {job}, .actions = {action}});
  ExpectSameJob(*store_->GetJob(job.id), job);
  ExpectSameAction(*store_->GetAction(action.id), action);
}

TEST_P(StoreTest, KeepsTextBytesExactly) {
  WorkflowJobRecord job = FullJob(JobId(1));
  job.app_name = "ünïcødé-アプリ";
  job.conf = std::string("nul\0inside", 10) + "\n'quotes' \"and\" ;DROP TABLE x;--";
  job.definition = std::string(1 << 20, 'x');  // 1 MiB definition
  ApplyOk({.jobs = {job}});
  ExpectSameJob(*store_->GetJob(job.id), job);
}

TEST_P(StoreTest, KeepsLargeAndNegativeTimes) {
  WorkflowJobRecord job = FullJob(JobId(1));
  job.created_ms = -86400000;              // before 1970
  job.end_ms = int64_t{253402300799999};  // 9999-12-31
  ApplyOk({.jobs = {job}});
  ExpectSameJob(*store_->GetJob(job.id), job);
}

TEST_P(StoreTest, UnknownJobIsE0604) {
  Result<WorkflowJobRecord> read = store_->GetJob("0000404-x-W");
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(read.status().ToString(), "E0604: Job does not exist [0000404-x-W]");
}

TEST_P(StoreTest, UnknownActionIsE0605) {
  Result<WorkflowActionRecord> read = store_->GetAction("0000404-x-W@node");
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(read.status().ToString(), "E0605: Action does not exist [0000404-x-W@node]");
}

TEST_P(StoreTest, UpsertReplacesJob) {
  WorkflowJobRecord job = FullJob(JobId(1));
  ApplyOk({.jobs = {job}});
  job.status = "SUCCEEDED";
  job.end_ms = 1610608999999;
  job.error_code.clear();
  job.run = 4;
  ApplyOk({.jobs = {job}});
  ExpectSameJob(*store_->GetJob(job.id), job);
  EXPECT_EQ(store_->ListJobs({}, 0, 10)->total, 1);
}

TEST_P(StoreTest, UpsertReplacesActionAndKeepsItsPlace) {
  const std::string job_id = JobId(1);
  WorkflowActionRecord first = FullAction(job_id, "a");
  WorkflowActionRecord second = FullAction(job_id, "b");
  first.start_ms = second.start_ms = 0;  // order falls back to insertion
  ApplyOk({.jobs = {FullJob(job_id)}, .actions = {first, second}});
  first.status = "OK";
  first.data = "x=1\n";
  ApplyOk({.actions = {first}});

  Result<std::vector<WorkflowActionRecord>> actions = store_->ListActions(job_id);
  ASSERT_TRUE(actions.ok()) << actions.status().ToString();
  ASSERT_EQ(actions->size(), 2u);
  ExpectSameAction((*actions)[0], first);
  ExpectSameAction((*actions)[1], second);
}

TEST_P(StoreTest, UpsertOfJobKeepsItsActionsAndLog) {
  WorkflowJobRecord job = FullJob(JobId(1));
  ApplyOk({.jobs = {job}, .actions = {FullAction(job.id, "a")}, .log_lines = {{job.id, "started"}}});
  job.status = "KILLED";
  ApplyOk({.jobs = {job}});
  EXPECT_EQ(store_->ListActions(job.id)->size(), 1u);
  EXPECT_EQ(*store_->ReadLog(job.id), "started");
}

TEST_P(StoreTest, EmptyBatchIsOk) { ApplyOk({}); }

TEST_P(StoreTest, ActionsAndLogLinesMayReferToAJobInTheSameBatch) {
  const std::string job_id = JobId(1);
  ApplyOk({.jobs = {FullJob(job_id)},
           .actions = {FullAction(job_id, "a"), FullAction(job_id, "b")},
           .log_lines = {{job_id, "one"}, {job_id, "two"}}});
  EXPECT_EQ(store_->ListActions(job_id)->size(), 2u);
  EXPECT_EQ(*store_->ReadLog(job_id), "one\ntwo");
}

// The last row of the batch names a job that does not exist, which fails
// only at COMMIT: every earlier row of the batch must be rolled back too.

TEST_P(StoreTest, BatchIsAllOrNothingWhenALaterRowFails) {
  const std::string kept = JobId(1);
  ApplyOk({.jobs = {FullJob(kept)}, .log_lines = {{kept, "before"}}});

  WorkflowJobRecord changed = FullJob(kept);
  changed.status = "FAILED";
  const std::string fresh = JobId(2);
  const Status status = store_->Apply({.jobs = {changed, FullJob(fresh)},
                                       .actions = {FullAction(fresh, "a"), FullAction("0000999-ghost-W", "b")},
                                       .log_lines = {{kept, "after"}, {fresh, "x"}}});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << status.ToString();
  EXPECT_NE(status.message().find(ShownLocation()), std::string::npos) << status.ToString();

  EXPECT_EQ(store_->GetJob(kept)->status, "RUNNING");
  EXPECT_EQ(store_->GetJob(fresh).status().error_code(), "E0604");
  EXPECT_EQ(store_->GetAction(fresh + "@a").status().error_code(), "E0605");
  EXPECT_EQ(*store_->ReadLog(kept), "before");
  EXPECT_EQ(store_->ListJobs({}, 0, 10)->total, 1);

  // The connection is usable again after the rollback.
  ApplyOk({.jobs = {FullJob(fresh)}});
  EXPECT_TRUE(store_->GetJob(fresh).ok());
}

TEST_P(StoreTest, LogLineForUnknownJobIsRefused) {
  const Status status = store_->Apply({.log_lines = {{"0000999-ghost-W", "hello"}}});
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << status.ToString();
}

TEST_P(StoreTest, ReopenedStoreSeesEverythingApplied) {
  const std::string job_id = JobId(1);
  const WorkflowJobRecord job = FullJob(job_id);
  const WorkflowActionRecord action = FullAction(job_id, "a");
  ApplyOk({.jobs = {job}, .actions = {action}, .log_lines = {{job_id, "l1"}, {job_id, "l2"}}});
  ASSERT_TRUE(store_->PutMeta("counter", "7").ok());
  Reopen();
  ExpectSameJob(*store_->GetJob(job_id), job);
  ExpectSameAction(*store_->GetAction(action.id), action);
  EXPECT_EQ(*store_->ReadLog(job_id), "l1\nl2");
  EXPECT_EQ(**store_->GetMeta("counter"), "7");
}

TEST_P(StoreTest, ListsActionsByStartTimeThenInsertionOrder) {
  const std::string job_id = JobId(1);
  auto at = [&](const std::string& node, int64_t start_ms) {
    WorkflowActionRecord action = FullAction(job_id, node);
    action.start_ms = start_ms;
    return action;
  };
  ApplyOk({.jobs = {FullJob(job_id)}, .actions = {at("late", 300), at("tie-1", 200), at("early", 100)}});
  ApplyOk({.actions = {at("tie-2", 200)}});
  ApplyOk({.jobs = {FullJob(JobId(2))}, .actions = {FullAction(JobId(2), "elsewhere")}});

  Result<std::vector<WorkflowActionRecord>> actions = store_->ListActions(job_id);
  ASSERT_TRUE(actions.ok()) << actions.status().ToString();
  std::vector<std::string> names;
  for (const auto& action : *actions) names.push_back(action.name);
  EXPECT_EQ(names, (std::vector<std::string>{"early", "tie-1", "tie-2", "late"}));
}

TEST_P(StoreTest, ListActionsOfUnknownJobIsEmpty) {
  Result<std::vector<WorkflowActionRecord>> actions = store_->ListActions("0000404-x-W");
  ASSERT_TRUE(actions.ok());
  EXPECT_TRUE(actions->empty());
}

TEST_P(StoreTest, ListsUnfinishedJobsOldestFirst) {
  const char* statuses[] = {"PREP", "RUNNING", "SUSPENDED", "SUCCEEDED", "KILLED", "FAILED", "RUNNING"};
  WriteBatch batch;
  for (int i = 0; i < 7; ++i) {
    WorkflowJobRecord job = FullJob(JobId(i));
    job.status = statuses[i];
    job.created_ms = 1000 - i;  // later ids are older
    batch.jobs.push_back(job);
  }
  ApplyOk(batch);
  Result<std::vector<std::string>> ids = store_->ListUnfinishedJobIds();
  ASSERT_TRUE(ids.ok()) << ids.status().ToString();
  EXPECT_EQ(*ids, (std::vector<std::string>{JobId(6), JobId(2), JobId(1), JobId(0)}));
}

TEST_P(StoreTest, ReadLogJoinsLinesInInsertionOrder) {
  const std::string a = JobId(1);
  const std::string b = JobId(2);
  ApplyOk({.jobs = {FullJob(a), FullJob(b)}, .log_lines = {{a, "a1"}, {b, "b1"}, {a, "a2"}}});
  ApplyOk({.log_lines = {{a, "a3 with\ttab"}, {b, ""}}});
  EXPECT_EQ(*store_->ReadLog(a), "a1\na2\na3 with\ttab");
  EXPECT_EQ(*store_->ReadLog(b), "b1\n");
}

TEST_P(StoreTest, ReadLogOfJobWithoutLinesIsEmpty) {
  ApplyOk({.jobs = {FullJob(JobId(1))}});
  Result<std::string> log = store_->ReadLog(JobId(1));
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  EXPECT_EQ(*log, "");
}

TEST_P(StoreTest, ReadLogOfUnknownJobIsE0604) {
  Result<std::string> log = store_->ReadLog("0000404-x-W");
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().ToString(), "E0604: Job does not exist [0000404-x-W]");
}

TEST_P(StoreTest, MetaIsAbsentUntilPutAndThenOverwritten) {
  Result<std::optional<std::string>> missing = store_->GetMeta("k");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
  ASSERT_TRUE(store_->PutMeta("k", "v1").ok());
  ASSERT_TRUE(store_->PutMeta("k", "v2").ok());
  ASSERT_TRUE(store_->PutMeta("empty", "").ok());
  EXPECT_EQ(**store_->GetMeta("k"), "v2");
  EXPECT_EQ(**store_->GetMeta("empty"), "");
}

TEST_P(StoreTest, SecondConnectionSeesCommittedWrites) {
  std::unique_ptr<Store> reader = OpenLocationOrDie(location_);
  ASSERT_NE(reader, nullptr);
  ApplyOk({.jobs = {FullJob(JobId(1))}});
  EXPECT_TRUE(reader->GetJob(JobId(1)).ok());
  ASSERT_TRUE(reader->Apply({.jobs = {FullJob(JobId(2))}}).ok());
  EXPECT_TRUE(store_->GetJob(JobId(2)).ok());
}

TEST_P(StoreTest, NotificationsQueueWithTheirBatchAndLeaveWhenDelivered) {
  NotificationRecord early;
  early.url = "http://127.0.0.1:1/a";
  early.subject_id = JobId(1);
  early.next_attempt_ms = 100;
  NotificationRecord late = early;
  late.url = "http://127.0.0.1:1/b";
  late.next_attempt_ms = 500;
  ASSERT_TRUE(store_->Apply({.jobs = {FullJob(JobId(1))}, .notifications = {late, early}}).ok());

  auto due = store_->ListDueNotifications(200, 10);
  ASSERT_TRUE(due.ok());
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].url, early.url);
  EXPECT_EQ(store_->NextNotificationTime().value(), std::optional<int64_t>(100));

  NotificationRecord retry = (*due)[0];
  retry.attempts = 1;
  retry.next_attempt_ms = 1000;
  retry.last_error = "HTTP 500";
  ASSERT_TRUE(store_->UpdateNotification(retry).ok());
  EXPECT_EQ(store_->NextNotificationTime().value(), std::optional<int64_t>(500));
  ASSERT_TRUE(store_->DeleteNotification(retry.id).ok());
  EXPECT_EQ(store_->CountNotifications("PENDING").value(), 1);

  auto rest = store_->ListDueNotifications(600, 10);
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->size(), 1u);
  NotificationRecord failed = (*rest)[0];
  failed.status = "FAILED";
  ASSERT_TRUE(store_->UpdateNotification(failed).ok());
  EXPECT_EQ(store_->CountNotifications("FAILED").value(), 1);
  EXPECT_FALSE(store_->NextNotificationTime().value().has_value());
  EXPECT_TRUE(store_->ListDueNotifications(10000, 10).value().empty());
}

TEST_P(StoreTest, DeletesCoordinatorActionsInTheSameBatchAsTheJob) {
  CoordinatorJobRecord job;
  job.id = "0000001-260101000000000-test-C";
  job.status = "RUNNING";
  WriteBatch batch;
  batch.coordinator_jobs.push_back(job);
  for (int n = 1; n <= 3; ++n) {
    CoordinatorActionRecord action;
    action.id = job.id + "@" + std::to_string(n);
    action.job_id = job.id;
    action.action_number = n;
    action.status = "WAITING";
    batch.coordinator_actions.push_back(action);
  }
  ApplyOk(batch);
  job.last_action_number = 1;
  WriteBatch change;
  change.coordinator_jobs.push_back(job);
  change.deleted_coordinator_actions = {job.id + "@3", job.id + "@2"};
  ApplyOk(change);
  const auto actions = store_->ListCoordinatorActions(job.id).value();
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].action_number, 1);
  EXPECT_EQ(store_->GetCoordinatorJob(job.id).value().last_action_number, 1);
  EXPECT_EQ(store_->GetCoordinatorAction(job.id + "@2").status().error_code(), "E0605");
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::ValuesIn(testing::TestedBackends()), testing::BackendName);

}  // namespace
}  // namespace refinery::store
