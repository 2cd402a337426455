// The Store contract beyond single records, on every backend: batches are
// all or nothing, the registry guard admits one of two racing writers, model
// event ids increase, SLA misses are recorded once with their alerts,
// coordinator and bundle listings page newest first, payload bytes survive,
// and threads (or several stores) writing at once lose nothing.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "store/store.h"
#include "store_backend.h"
#include "store_test_util.h"

namespace refinery::store {
namespace {

using testing::FullAction;
using testing::FullJob;
using testing::JobId;
using testing::OpenLocationOrDie;

using StoreContractTest = testing::BackendTest;

NotificationRecord Notification(const std::string& url, int64_t next_attempt_ms) {
  NotificationRecord record;
  record.url = url;
  record.subject_id = JobId(1);
  record.next_attempt_ms = next_attempt_ms;
  return record;
}

ModelEventRecord Event(const std::string& model, int version, const std::string& kind, int previous = 0) {
  ModelEventRecord event;
  event.model = model;
  event.version = version;
  event.previous_version = previous;
  event.kind = kind;
  event.actor = "cli";
  event.reason = "because";
  event.created_ms = 1000 + version;
  return event;
}

ModelVersionRecord Version(const std::string& model, int version, const std::string& stage) {
  ModelVersionRecord record;
  record.model = model;
  record.version = version;
  record.bundle_uri = "/user/models/" + model + "/v" + std::to_string(version);
  record.stage = stage;
  record.metrics = R"({"auc":0.9})";
  record.lineage = R"({"rows":10})";
  record.registered_by = "job@train";
  record.created_ms = 10;
  record.stage_changed_ms = 20;
  return record;
}

CoordinatorJobRecord CoordJob(int n, int64_t created_ms, const std::string& status,
                              const std::string& bundle_id = "") {
  CoordinatorJobRecord job;
  job.id = "000000" + std::to_string(n) + "-260101000000000-test-C";
  job.app_name = "coord-" + std::to_string(n);
  job.status = status;
  job.created_ms = created_ms;
  job.frequency = "60";
  job.time_unit = "MINUTE";
  job.bundle_id = bundle_id;
  return job;
}

CoordinatorActionRecord CoordAction(const CoordinatorJobRecord& job, int number) {
  CoordinatorActionRecord action;
  action.id = job.id + "@" + std::to_string(number);
  action.job_id = job.id;
  action.action_number = number;
  action.status = "WAITING";
  action.missing_dependencies = "hdfs://nn/a#hdfs://nn/b";
  action.data_instances = R"({"in":["x"]})";
  action.nominal_ms = 3600000L * number;
  return action;
}

SlaEventRecord SlaMiss(const std::string& job_id, const std::string& event, const std::string& detail) {
  SlaEventRecord miss;
  miss.subject_id = job_id;
  miss.event = event;
  miss.job_id = job_id;
  miss.app_type = "WORKFLOW_JOB";
  miss.app_name = "app";
  miss.nominal_ms = 1;
  miss.expected_ms = 2;
  miss.actual_ms = 3;
  miss.created_ms = 4;
  miss.detail = detail;
  miss.alerts = {Notification("http://127.0.0.1:1/sla", 0)};
  return miss;
}

// Every kind of row, so a rollback that forgets one shows.
WriteBatch EveryKindOfRow() {
  WriteBatch batch;
  batch.jobs = {FullJob(JobId(2))};
  batch.actions = {FullAction(JobId(2), "a")};
  batch.log_lines = {{JobId(2), "line"}};
  batch.notifications = {Notification("http://127.0.0.1:1/n", 0)};
  const CoordinatorJobRecord coord = CoordJob(1, 1, "RUNNING", "0000001-260101000000000-test-B");
  batch.coordinator_jobs = {coord};
  batch.coordinator_actions = {CoordAction(coord, 1)};
  BundleJobRecord bundle;
  bundle.id = "0000001-260101000000000-test-B";
  bundle.status = "RUNNING";
  batch.bundle_jobs = {bundle};
  batch.model_versions = {Version("bank", 1, "candidate")};
  batch.model_events = {Event("bank", 1, "registered")};
  batch.sla_events = {SlaMiss(JobId(2), "END_MISS", "late")};
  return batch;
}

void ExpectNothingOf(Store& store, const WriteBatch& batch) {
  EXPECT_EQ(store.GetJob(JobId(2)).status().error_code(), "E0604");
  EXPECT_EQ(store.GetAction(JobId(2) + "@a").status().error_code(), "E0605");
  EXPECT_EQ(store.CountNotifications("PENDING").value(), 0);
  EXPECT_EQ(store.GetCoordinatorJob(batch.coordinator_jobs[0].id).status().error_code(), "E0604");
  EXPECT_EQ(store.GetCoordinatorAction(batch.coordinator_actions[0].id).status().error_code(), "E0605");
  EXPECT_EQ(store.GetBundleJob(batch.bundle_jobs[0].id).status().error_code(), "E0604");
  EXPECT_TRUE(store.ListModelVersions("").value().empty());
  EXPECT_EQ(store.LastModelEventId().value(), 0);
  EXPECT_TRUE(store.ListSlaEvents(JobId(2)).value().empty());
}

TEST_P(StoreContractTest, EveryKindOfRowRoundTripsInOneBatch) {
  const WriteBatch batch = EveryKindOfRow();
  ApplyOk(batch);
  EXPECT_TRUE(store_->GetJob(JobId(2)).ok());
  EXPECT_EQ(*store_->ReadLog(JobId(2)), "line\nlate");
  EXPECT_EQ(store_->CountNotifications("PENDING").value(), 2);  // the notification and the SLA alert
  const auto coord = store_->GetCoordinatorJob(batch.coordinator_jobs[0].id);
  ASSERT_TRUE(coord.ok());
  EXPECT_EQ(coord->bundle_id, batch.bundle_jobs[0].id);
  EXPECT_EQ(coord->frequency, "60");
  const auto action = store_->GetCoordinatorAction(batch.coordinator_actions[0].id);
  ASSERT_TRUE(action.ok());
  EXPECT_EQ(action->missing_dependencies, "hdfs://nn/a#hdfs://nn/b");
  EXPECT_EQ(action->data_instances, R"({"in":["x"]})");
  EXPECT_EQ(action->nominal_ms, 3600000L);
  EXPECT_EQ(store_->GetBundleJob(batch.bundle_jobs[0].id)->status, "RUNNING");
  EXPECT_EQ(store_->ListModelVersions("").value().size(), 1u);
  EXPECT_EQ(store_->ListSlaEvents(JobId(2)).value().size(), 1u);
}

// The dangling action is found only at COMMIT (deferred foreign key).
TEST_P(StoreContractTest, BatchFailingAtCommitLeavesNothingBehind) {
  WriteBatch batch = EveryKindOfRow();
  batch.actions.push_back(FullAction("0000999-ghost-W", "b"));
  const Status status = store_->Apply(batch);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << status.ToString();
  EXPECT_NE(status.message().find("neither stored nor in the batch"), std::string::npos) << status.ToString();
  ExpectNothingOf(*store_, batch);
}

// Two actions of one coordinator with the same number: the second upsert
// fails at once, after rows of every kind were written.
TEST_P(StoreContractTest, BatchFailingHalfwayLeavesNothingBehind) {
  WriteBatch batch = EveryKindOfRow();
  CoordinatorActionRecord twin = batch.coordinator_actions[0];
  twin.id += "-twin";
  batch.coordinator_actions.push_back(twin);
  const Status status = store_->Apply(batch);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << status.ToString();
  ExpectNothingOf(*store_, batch);
  ApplyOk(EveryKindOfRow());  // the connection is usable again
}

TEST_P(StoreContractTest, GuardedBatchAppliesOnlyWhileTheModelIsUnchanged) {
  ApplyOk({.model_versions = {Version("bank", 1, "candidate")}, .model_events = {Event("bank", 1, "registered")}});
  const int64_t seen = store_->LastModelEventId().value();
  ASSERT_GT(seen, 0);
  ApplyOk({.model_versions = {Version("bank", 1, "production")},
           .model_events = {Event("bank", 1, "promoted")},
           .guarded_model = "bank",
           .last_model_event_id = seen});
  // A second writer that read before the promotion is refused, and writes nothing.
  const Status stale = store_->Apply({.model_versions = {Version("bank", 1, "archived")},
                                      .model_events = {Event("bank", 1, "rolled-back")},
                                      .guarded_model = "bank",
                                      .last_model_event_id = seen});
  EXPECT_EQ(stale.code(), StatusCode::kFailedPrecondition) << stale.ToString();
  EXPECT_EQ(stale.error_code(), kStoreConflictCode);
  EXPECT_EQ(store_->ListModelVersions("bank").value()[0].stage, "production");
  EXPECT_EQ(store_->ListModelEvents("bank", 10).value().size(), 2u);
  // A model without events is guarded by id 0.
  ApplyOk({.model_events = {Event("fraud", 1, "registered")}, .guarded_model = "fraud", .last_model_event_id = 0});
  EXPECT_EQ(store_->Apply({.model_events = {Event("churn", 1, "registered")}, .guarded_model = "churn",
                           .last_model_event_id = 1})
                .error_code(),
            kStoreConflictCode);
}

TEST_P(StoreContractTest, ModelEventIdsIncreaseAcrossModelsAndListNewestFirst) {
  ApplyOk({.model_events = {Event("a", 1, "registered"), Event("b", 1, "registered")}});
  ApplyOk({.model_events = {Event("a", 2, "registered")}});
  const auto all = store_->ListModelEvents("", 10).value();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_GT(all[0].id, all[1].id);
  EXPECT_GT(all[1].id, all[2].id);
  EXPECT_EQ(all[0].model, "a");
  EXPECT_EQ(all[0].version, 2);
  EXPECT_EQ(all[2].reason, "because");
  EXPECT_EQ(store_->LastModelEventId().value(), all[0].id);
  EXPECT_EQ(store_->ListModelEvents("a", 10).value().size(), 2u);
  EXPECT_EQ(store_->ListModelEvents("", 1).value().size(), 1u);
  EXPECT_EQ(store_->ListModelEvents("", -1).value().size(), 3u);  // negative = no limit
  EXPECT_TRUE(store_->ListModelEvents("nobody", 10).value().empty());
}

TEST_P(StoreContractTest, ModelVersionsUpsertByModelAndVersionInOrder) {
  ModelVersionRecord bare = Version("b", 1, "candidate");
  bare.metrics.clear();
  bare.lineage.clear();
  ApplyOk({.model_versions = {Version("b", 2, "candidate"), bare, Version("a", 1, "candidate")}});
  ApplyOk({.model_versions = {Version("b", 2, "production")}});
  const auto versions = store_->ListModelVersions("").value();
  ASSERT_EQ(versions.size(), 3u);
  EXPECT_EQ(versions[0].model + std::to_string(versions[0].version), "a1");
  EXPECT_EQ(versions[1].model + std::to_string(versions[1].version), "b1");
  EXPECT_EQ(versions[2].model + std::to_string(versions[2].version), "b2");
  EXPECT_EQ(versions[1].metrics, "{}");
  EXPECT_EQ(versions[1].lineage, "{}");
  EXPECT_EQ(versions[2].stage, "production");
  EXPECT_EQ(versions[2].metrics, R"({"auc":0.9})");
  EXPECT_EQ(versions[2].registered_by, "job@train");
  EXPECT_EQ(versions[2].stage_changed_ms, 20);
  EXPECT_EQ(store_->ListModelVersions("b").value().size(), 2u);
}

TEST_P(StoreContractTest, SlaMissIsRecordedOnceWithItsAlertsAndLogLine) {
  ApplyOk({.jobs = {FullJob(JobId(1))}});
  ApplyOk({.sla_events = {SlaMiss(JobId(1), "END_MISS", "SLA END_MISS of job")}});
  // Evaluated again (e.g. after a restart): neither alert nor line again.
  ApplyOk({.sla_events = {SlaMiss(JobId(1), "END_MISS", "SLA END_MISS again")}});
  ApplyOk({.sla_events = {SlaMiss(JobId(1), "START_MISS", "")}});
  const auto events = store_->ListSlaEvents(JobId(1)).value();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].event, "END_MISS");  // created_ms ties: by subject, then event
  EXPECT_EQ(events[0].detail, "SLA END_MISS of job");
  EXPECT_EQ(events[0].expected_ms, 2);
  EXPECT_EQ(events[0].actual_ms, 3);
  EXPECT_EQ(events[1].event, "START_MISS");
  EXPECT_EQ(store_->CountNotifications("PENDING").value(), 2);
  EXPECT_EQ(*store_->ReadLog(JobId(1)), "SLA END_MISS of job");
}

TEST_P(StoreContractTest, OutboxIdsIncreaseAndDueOnesComeOldestFirst) {
  NotificationRecord post = Notification("http://127.0.0.1:1/hook", 50);
  post.method = "POST";
  post.body = R"({"id":"x"})";
  ApplyOk({.notifications = {Notification("http://127.0.0.1:1/a", 100), post, Notification("http://127.0.0.1:1/c", 50)}});
  const auto due = store_->ListDueNotifications(100, 10).value();
  ASSERT_EQ(due.size(), 3u);
  EXPECT_EQ(due[0].url, post.url);  // next_attempt_ms 50, then id
  EXPECT_EQ(due[0].method, "POST");
  EXPECT_EQ(due[0].body, post.body);
  EXPECT_EQ(due[0].status, "PENDING");
  EXPECT_EQ(due[1].url, "http://127.0.0.1:1/c");
  EXPECT_EQ(due[2].url, "http://127.0.0.1:1/a");
  EXPECT_LT(due[0].id, due[1].id);
  EXPECT_EQ(store_->ListDueNotifications(100, 2).value().size(), 2u);
  EXPECT_EQ(store_->ListDueNotifications(100, -1).value().size(), 3u);
  EXPECT_EQ(store_->ListDueNotifications(49, 10).value().size(), 0u);
}

TEST_P(StoreContractTest, CoordinatorJobsListNewestFirstWithStatusesAndPages) {
  ApplyOk({.coordinator_jobs = {CoordJob(1, 100, "RUNNING"), CoordJob(2, 300, "SUCCEEDED"),
                                CoordJob(3, 200, "RUNNING"), CoordJob(4, 200, "KILLED")}});
  auto ids = [](const CoordinatorJobPage& page) {
    std::string out;
    for (const auto& job : page.jobs) out += job.app_name.substr(6);
    return out;
  };
  const auto all = store_->ListCoordinatorJobs({}, 0, 10).value();
  EXPECT_EQ(all.total, 4);
  EXPECT_EQ(ids(all), "2431");  // created desc, then id desc
  const auto running = store_->ListCoordinatorJobs({"RUNNING", "KILLED"}, 1, 1).value();
  EXPECT_EQ(running.total, 3);
  EXPECT_EQ(ids(running), "3");
  EXPECT_EQ(store_->ListCoordinatorJobs({}, 0, 0).value().jobs.size(), 0u);
  EXPECT_EQ(store_->ListCoordinatorJobs({}, 10, 5).value().total, 4);
  const Status negative = store_->ListCoordinatorJobs({}, -1, 5).status();
  EXPECT_EQ(negative.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(negative.error_code(), "E0303");
}

TEST_P(StoreContractTest, CoordinatorActionsListByNumberAndUnknownOnesAreNotFound) {
  const CoordinatorJobRecord job = CoordJob(1, 1, "RUNNING");
  ApplyOk({.coordinator_jobs = {job}, .coordinator_actions = {CoordAction(job, 3), CoordAction(job, 1)}});
  ApplyOk({.coordinator_actions = {CoordAction(job, 2)}});
  const auto actions = store_->ListCoordinatorActions(job.id).value();
  ASSERT_EQ(actions.size(), 3u);
  EXPECT_EQ(actions[0].action_number, 1);
  EXPECT_EQ(actions[2].action_number, 3);
  EXPECT_EQ(store_->GetCoordinatorJob("0000404-x-C").status().ToString(), "E0604: Job does not exist [0000404-x-C]");
  EXPECT_EQ(store_->GetCoordinatorAction("0000404-x-C@1").status().ToString(),
            "E0605: Action does not exist [0000404-x-C@1]");
  EXPECT_TRUE(store_->ListCoordinatorActions("0000404-x-C").value().empty());
}

TEST_P(StoreContractTest, BundlesListNewestFirstAndTheirCoordinatorsOldestFirst) {
  BundleJobRecord first;
  first.id = "0000001-260101000000000-test-B";
  first.status = "RUNNING";
  first.created_ms = 1;
  first.kickoff_ms = 5;
  BundleJobRecord second = first;
  second.id = "0000002-260101000000000-test-B";
  second.status = "SUCCEEDED";
  second.created_ms = 2;
  ApplyOk({.coordinator_jobs = {CoordJob(2, 20, "RUNNING", first.id), CoordJob(1, 10, "RUNNING", first.id),
                                CoordJob(3, 5, "RUNNING")},
           .bundle_jobs = {first, second}});
  const auto page = store_->ListBundleJobs({}, 0, 10).value();
  EXPECT_EQ(page.total, 2);
  ASSERT_EQ(page.jobs.size(), 2u);
  EXPECT_EQ(page.jobs[0].id, second.id);
  EXPECT_EQ(page.jobs[1].kickoff_ms, 5);
  EXPECT_EQ(store_->ListBundleJobs({"RUNNING"}, 0, 10).value().total, 1);
  const auto coords = store_->ListBundleCoordinatorJobs(first.id).value();
  ASSERT_EQ(coords.size(), 2u);
  EXPECT_EQ(coords[0].app_name, "coord-1");
  EXPECT_EQ(store_->GetBundleJob("0000404-x-B").status().error_code(), "E0604");
  EXPECT_EQ(store_->ListBundleJobs({}, 0, -1).status().error_code(), "E0303");
}

// Captured output is whatever a program printed: not always UTF-8.
TEST_P(StoreContractTest, KeepsPayloadBytesThatAreNotUtf8) {
  const std::string latin1 = "caf\xe9 na\xefve\x01\xff";
  WorkflowActionRecord action = FullAction(JobId(1), "a");
  action.data = "out=" + latin1 + "\n";
  action.error_message = latin1;
  ApplyOk({.jobs = {FullJob(JobId(1))}, .actions = {action}, .log_lines = {{JobId(1), latin1}}});
  EXPECT_EQ(store_->GetAction(action.id)->data, action.data);
  EXPECT_EQ(store_->GetAction(action.id)->error_message, latin1);
  EXPECT_EQ(*store_->ReadLog(JobId(1)), latin1);
}

// Several stores on one location (processes, in production) promote the
// same model at once, each retrying on conflict: every promotion saw the one
// before it, so the chain of previous versions has no gap and no twin.
TEST_P(StoreContractTest, RacingGuardedWritersFormOneChain) {
  constexpr int kWriters = 3;
  constexpr int kEach = 8;
  std::vector<std::unique_ptr<Store>> stores;
  for (int i = 0; i < kWriters; ++i) {
    stores.push_back(OpenLocationOrDie(location_));
    ASSERT_NE(stores.back(), nullptr);
  }
  std::atomic<int> errors{0};
  auto writer = [&](Store* store) {
    for (int done = 0; done < kEach;) {
      const auto last = store->ListModelEvents("m", 1);
      if (!last.ok()) {
        ++errors;
        return;
      }
      const int64_t last_id = last->empty() ? 0 : (*last)[0].id;
      const int previous = last->empty() ? 0 : (*last)[0].version;
      const Status status = store->Apply({.model_events = {Event("m", previous + 1, "promoted", previous)},
                                          .guarded_model = "m",
                                          .last_model_event_id = last_id});
      if (status.ok()) {
        ++done;
      } else if (status.error_code() != kStoreConflictCode) {
        ADD_FAILURE() << status.ToString();
        ++errors;
        return;
      }
    }
  };
  std::vector<std::thread> threads;
  for (auto& store : stores) threads.emplace_back(writer, store.get());
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(errors.load(), 0);
  const auto events = store_->ListModelEvents("m", -1).value();
  ASSERT_EQ(events.size(), static_cast<size_t>(kWriters * kEach));
  for (size_t i = 0; i < events.size(); ++i) {
    const int expected = static_cast<int>(events.size() - i);  // newest first
    EXPECT_EQ(events[i].version, expected) << "event " << events[i].id;
    EXPECT_EQ(events[i].previous_version, expected - 1) << "event " << events[i].id;
  }
}

// A figure for people (printed, never asserted): single-action batches, one
// after another, as the engine writes them.
TEST_P(StoreContractTest, AppliesAThousandSingleActionBatches) {
  ApplyOk({.jobs = {FullJob(JobId(1))}});
  constexpr int kBatches = 1000;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kBatches; ++i) {
    WorkflowActionRecord action = FullAction(JobId(1), "node-" + std::to_string(i));
    ASSERT_TRUE(store_->Apply({.actions = {action}}).ok());
  }
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(store_->ListActions(JobId(1)).value().size(), static_cast<size_t>(kBatches));
  std::printf("[ figure   ] %s: %d single-action batches in %.3f s = %.0f batches/s\n", GetParam().c_str(), kBatches,
              took.count(), kBatches / took.count());
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreContractTest, ::testing::ValuesIn(testing::TestedBackends()),
                         testing::BackendName);

// Threads share one Store: each writes its own jobs while reading its own
// and everyone's; at the end every write is there exactly once.
class StoreConcurrency : public ::testing::TestWithParam<std::tuple<std::string, int>> {};

TEST_P(StoreConcurrency, ThreadsApplyAndReadConsistently) {
  const std::string location = testing::NewStoreLocation(std::get<0>(GetParam()));
  ASSERT_FALSE(location.empty());
  std::unique_ptr<Store> store = OpenLocationOrDie(location);
  ASSERT_NE(store, nullptr);
  const int threads = std::get<1>(GetParam());
  constexpr int kJobsPerThread = 150;
  std::atomic<int> failures{0};
  auto worker = [&](int t) {
    for (int i = 0; i < kJobsPerThread; ++i) {
      const int n = t * kJobsPerThread + i;
      const std::string id = JobId(n);
      WorkflowJobRecord job = FullJob(id);
      job.created_ms = n;
      if (!store->Apply({.jobs = {job}, .actions = {FullAction(id, "a")}, .log_lines = {{id, "x"}}}).ok()) {
        ++failures;
      }
      job.status = "SUCCEEDED";
      if (!store->Apply({.jobs = {job}, .log_lines = {{id, "y"}}, .notifications = {{.url = "http://h/" + id}}})
               .ok()) {
        ++failures;
      }
      Result<WorkflowJobRecord> read = store->GetJob(id);
      if (!read.ok() || read->status != "SUCCEEDED") ++failures;
      if (!store->ListActions(id).ok() || *store->ReadLog(id) != "x\ny") ++failures;
      if (i % 10 != 0) continue;
      Result<JobPage> page = store->ListJobs({.statuses = {"RUNNING", "SUCCEEDED"}}, 0, 20);
      if (!page.ok() || page->total < i + 1) ++failures;
      if (!store->ListUnfinishedJobIds().ok()) ++failures;
      if (!store->PutMeta("thread-" + std::to_string(t), std::to_string(i)).ok()) ++failures;
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(worker, t);
  for (auto& thread : pool) thread.join();

  EXPECT_EQ(failures.load(), 0);
  Result<JobPage> all = store->ListJobs({.statuses = {"SUCCEEDED"}}, 0, 0);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->total, threads * kJobsPerThread);
  Result<std::vector<std::string>> unfinished = store->ListUnfinishedJobIds();
  ASSERT_TRUE(unfinished.ok());
  EXPECT_TRUE(unfinished->empty());
  const auto outbox = store->ListDueNotifications(0, -1).value();
  EXPECT_EQ(outbox.size(), static_cast<size_t>(threads * kJobsPerThread));
  std::set<int64_t> ids;
  for (const auto& record : outbox) ids.insert(record.id);
  EXPECT_EQ(ids.size(), outbox.size());
  for (int t = 0; t < threads; ++t) {
    EXPECT_EQ(**store->GetMeta("thread-" + std::to_string(t)), std::to_string(kJobsPerThread - 10));
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreConcurrency,
                         ::testing::Combine(::testing::ValuesIn(testing::TestedBackends()),
                                            ::testing::Values(1, 2, 4)),
                         [](const ::testing::TestParamInfo<std::tuple<std::string, int>>& info) {
                           return std::get<0>(info.param) + "_" + std::to_string(std::get<1>(info.param)) +
                                  "Threads";
                         });

}  // namespace
}  // namespace refinery::store
