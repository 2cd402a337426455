// Processes and leases on every backend (store.h, "Processes and leases"):
// a lease is taken when free, expired, already ours or stolen from a dead
// owner, and refused otherwise; the fence moves with every new owner; a
// batch carrying a stale fence writes nothing; renewal keeps what is still
// held; of several stores racing for one lease exactly one wins.

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "store/store.h"
#include "store_backend.h"
#include "store_test_util.h"

namespace refinery::store {
namespace {

using testing::FullJob;
using testing::JobId;
using testing::OpenLocationOrDie;

using StoreLeaseTest = testing::BackendTest;

constexpr int64_t kLong = 60'000;
// A negative TTL makes a lease that has already expired, so expiry is tested
// without waiting for a clock.
constexpr int64_t kExpired = -1'000;

TEST_P(StoreLeaseTest, FreeLeaseIsTakenWithFenceOneAndRenewedBySameOwner) {
  const auto first = store_->AcquireLease("workflow:a", "p1", kLong);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->owner, "p1");
  EXPECT_EQ(first->fence, 1);
  EXPECT_GT(first->expires_ms, first->now_ms);
  const auto again = store_->AcquireLease("workflow:a", "p1", kLong);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->fence, 1);
  EXPECT_EQ(again->acquired_ms, first->acquired_ms);
}

TEST_P(StoreLeaseTest, HeldLeaseIsRefusedNamingItsOwner) {
  ASSERT_TRUE(store_->AcquireLease("scheduler", "p1", kLong).ok());
  const auto refused = store_->AcquireLease("scheduler", "p2", kLong);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().error_code(), kStoreLeaseHeldCode);
  EXPECT_NE(refused.status().message().find("[p1]"), std::string::npos) << refused.status().ToString();
}

TEST_P(StoreLeaseTest, ExpiredLeaseIsTakenOverWithTheNextFence) {
  ASSERT_TRUE(store_->AcquireLease("workflow:a", "p1", kExpired).ok());
  const auto taken = store_->AcquireLease("workflow:a", "p2", kLong);
  ASSERT_TRUE(taken.ok()) << taken.status().ToString();
  EXPECT_EQ(taken->owner, "p2");
  EXPECT_EQ(taken->fence, 2);
  const auto back = store_->AcquireLease("workflow:a", "p1", kLong);
  EXPECT_EQ(back.status().error_code(), kStoreLeaseHeldCode);
}

TEST_P(StoreLeaseTest, LeaseOfAProvedDeadOwnerIsStolenBeforeItExpires) {
  ASSERT_TRUE(store_->AcquireLease("workflow:a", "dead", kLong).ok());
  EXPECT_FALSE(store_->AcquireLease("workflow:a", "p2", kLong, "someone-else").ok());
  const auto stolen = store_->AcquireLease("workflow:a", "p2", kLong, "dead");
  ASSERT_TRUE(stolen.ok()) << stolen.status().ToString();
  EXPECT_EQ(stolen->owner, "p2");
  EXPECT_EQ(stolen->fence, 2);
}

TEST_P(StoreLeaseTest, ReleasedLeaseIsFreeAndOnlyItsOwnerReleasesIt) {
  ASSERT_TRUE(store_->AcquireLease("workflow:a", "p1", kLong).ok());
  ASSERT_TRUE(store_->ReleaseLease("workflow:a", "p2").ok());
  EXPECT_FALSE(store_->AcquireLease("workflow:a", "p2", kLong).ok());
  ASSERT_TRUE(store_->ReleaseLease("workflow:a", "p1").ok());
  EXPECT_TRUE(store_->AcquireLease("workflow:a", "p2", kLong).ok());
}

TEST_P(StoreLeaseTest, RenewExtendsOwnLeasesAndOmitsTakenOnes) {
  ASSERT_TRUE(store_->RegisterProcess({.id = "p1", .host = "h", .pid = 1, .url = "http://h:1/oozie"}).ok());
  ASSERT_TRUE(store_->AcquireLease("workflow:a", "p1", kExpired).ok());
  ASSERT_TRUE(store_->AcquireLease("workflow:b", "p1", kExpired).ok());
  ASSERT_TRUE(store_->AcquireLease("workflow:b", "p2", kLong).ok());  // expired, so taken over
  const auto held = store_->RenewLeases("p1", kLong);
  ASSERT_TRUE(held.ok()) << held.status().ToString();
  EXPECT_EQ(*held, std::vector<std::string>{"workflow:a"});
  const auto leases = store_->ListLeases("workflow:").value();
  ASSERT_EQ(leases.size(), 2u);
  EXPECT_EQ(leases[0].resource, "workflow:a");
  EXPECT_GT(leases[0].expires_ms, leases[0].now_ms);  // renewed: no longer expired
  EXPECT_EQ(leases[1].owner, "p2");
  const auto processes = store_->ListProcesses().value();
  ASSERT_EQ(processes.size(), 1u);
  EXPECT_EQ(processes[0].url, "http://h:1/oozie");
  EXPECT_GT(processes[0].heartbeat_ms, 0);
}

TEST_P(StoreLeaseTest, UnregisterRemovesTheProcessAndFreesItsLeases) {
  ASSERT_TRUE(store_->RegisterProcess({.id = "p1", .host = "h", .pid = 1}).ok());
  ASSERT_TRUE(store_->RegisterProcess({.id = "p2", .host = "h", .pid = 2}).ok());
  ASSERT_TRUE(store_->AcquireLease("scheduler", "p1", kLong).ok());
  ASSERT_TRUE(store_->UnregisterProcess("p1").ok());
  EXPECT_EQ(store_->ListProcesses().value().size(), 1u);
  EXPECT_TRUE(store_->ListLeases("").value().empty());
  EXPECT_TRUE(store_->AcquireLease("scheduler", "p2", kLong).ok());
}

TEST_P(StoreLeaseTest, BatchWithACurrentFenceApplies) {
  const auto lease = store_->AcquireLease("workflow:" + JobId(1), "p1", kLong).value();
  ApplyOk({.jobs = {FullJob(JobId(1))}, .fences = {{lease.resource, "p1", lease.fence}}});
  EXPECT_TRUE(store_->GetJob(JobId(1)).ok());
}

TEST_P(StoreLeaseTest, BatchWithAStaleFenceWritesNothing) {
  const std::string resource = "workflow:" + JobId(1);
  const auto old = store_->AcquireLease(resource, "p1", kExpired).value();
  ASSERT_TRUE(store_->AcquireLease(resource, "p2", kLong).ok());
  WorkflowJobRecord job = FullJob(JobId(1));
  const Status status =
      store_->Apply({.jobs = {job}, .log_lines = {{job.id, "late"}}, .fences = {{resource, "p1", old.fence}}});
  EXPECT_EQ(status.error_code(), kStoreFencedCode) << status.ToString();
  EXPECT_NE(status.message().find("[p2]"), std::string::npos) << status.ToString();
  EXPECT_FALSE(store_->GetJob(job.id).ok());
}

TEST_P(StoreLeaseTest, BatchFencedByAReleasedLeaseWritesNothing) {
  const std::string resource = "workflow:" + JobId(1);
  const auto lease = store_->AcquireLease(resource, "p1", kLong).value();
  ASSERT_TRUE(store_->ReleaseLease(resource, "p1").ok());
  const Status status = store_->Apply({.jobs = {FullJob(JobId(1))}, .fences = {{resource, "p1", lease.fence}}});
  EXPECT_EQ(status.error_code(), kStoreFencedCode) << status.ToString();
}

TEST_P(StoreLeaseTest, ExpiredButUntakenLeaseStillFencesForItsOwner) {
  const std::string resource = "workflow:" + JobId(1);
  const auto lease = store_->AcquireLease(resource, "p1", kExpired).value();
  ApplyOk({.jobs = {FullJob(JobId(1))}, .fences = {{resource, "p1", lease.fence}}});
}

TEST_P(StoreLeaseTest, ListLeasesFiltersByPrefixInResourceOrder) {
  ASSERT_TRUE(store_->AcquireLease("workflow:b", "p1", kLong).ok());
  ASSERT_TRUE(store_->AcquireLease("scheduler", "p1", kLong).ok());
  ASSERT_TRUE(store_->AcquireLease("workflow:a", "p2", kLong).ok());
  const auto all = store_->ListLeases("").value();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].resource, "scheduler");
  const auto workflows = store_->ListLeases("workflow:").value();
  ASSERT_EQ(workflows.size(), 2u);
  EXPECT_EQ(workflows[0].resource, "workflow:a");
  EXPECT_EQ(workflows[1].resource, "workflow:b");
}

// Several stores on one location (processes, in production) race for the
// same expired lease, round after round: each round exactly one wins, and
// the fence grows by one per round.
TEST_P(StoreLeaseTest, RacingAcquirersExactlyOneWinsEachRound) {
  constexpr int kRacers = 3;
  constexpr int kRounds = 10;
  std::vector<std::unique_ptr<Store>> stores;
  for (int i = 0; i < kRacers; ++i) {
    stores.push_back(OpenLocationOrDie(location_));
    ASSERT_NE(stores.back(), nullptr);
  }
  for (int round = 0; round < kRounds; ++round) {
    std::atomic<int> winners{0};
    std::atomic<int> errors{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < kRacers; ++i) {
      threads.emplace_back([&, i] {
        // Each winner's lease is already expired, so the next round is open.
        const auto lease =
            stores[i]->AcquireLease("scheduler", "racer-" + std::to_string(round) + "-" + std::to_string(i), kExpired);
        if (lease.ok()) {
          ++winners;
        } else if (lease.status().error_code() != kStoreLeaseHeldCode) {
          ADD_FAILURE() << lease.status().ToString();
          ++errors;
        }
      });
    }
    for (auto& thread : threads) thread.join();
    // An expired lease can be taken again in the same round; all that may
    // never happen is a round with no winner or an error.
    EXPECT_GE(winners.load(), 1);
    EXPECT_EQ(errors.load(), 0);
  }
  const auto leases = store_->ListLeases("scheduler").value();
  ASSERT_EQ(leases.size(), 1u);
  EXPECT_GE(leases[0].fence, kRounds);
}

// With a live lease at stake, exactly one of the racers gets it.
TEST_P(StoreLeaseTest, RacingAcquirersOfALiveLeaseHaveOneWinner) {
  constexpr int kRacers = 4;
  constexpr int kRounds = 10;
  std::vector<std::unique_ptr<Store>> stores;
  for (int i = 0; i < kRacers; ++i) {
    stores.push_back(OpenLocationOrDie(location_));
    ASSERT_NE(stores.back(), nullptr);
  }
  for (int round = 0; round < kRounds; ++round) {
    const std::string resource = "workflow:race-" + std::to_string(round);
    std::atomic<int> winners{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < kRacers; ++i) {
      threads.emplace_back([&, i] {
        const auto lease = stores[i]->AcquireLease(resource, "racer-" + std::to_string(i), kLong);
        if (lease.ok()) {
          ++winners;
          EXPECT_EQ(lease->fence, 1);
        } else {
          EXPECT_EQ(lease.status().error_code(), kStoreLeaseHeldCode) << lease.status().ToString();
        }
      });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(winners.load(), 1) << resource;
  }
}

// The materialization belt: a batch written from a coordinator position
// that has since moved writes nothing.
TEST_P(StoreLeaseTest, MaterializationFromAStalePositionWritesNothing) {
  CoordinatorJobRecord job;
  job.id = "0000001-000000000000000-refinery-test-C";
  job.status = "RUNNING";
  ApplyOk({.coordinator_jobs = {job}, .guarded_coordinator = job.id, .expected_last_action_number = 0});
  CoordinatorActionRecord first;
  first.id = job.id + "@1";
  first.job_id = job.id;
  first.action_number = 1;
  job.last_action_number = 1;
  ApplyOk({.coordinator_jobs = {job},
           .coordinator_actions = {first},
           .guarded_coordinator = job.id,
           .expected_last_action_number = 0});
  first.status = "WAITING";
  const Status again = store_->Apply({.coordinator_jobs = {job},
                                      .coordinator_actions = {first},
                                      .guarded_coordinator = job.id,
                                      .expected_last_action_number = 0});
  EXPECT_EQ(again.error_code(), kStoreConflictCode) << again.ToString();
  EXPECT_EQ(store_->GetCoordinatorAction(first.id)->status, "");
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreLeaseTest, ::testing::ValuesIn(testing::TestedBackends()),
                         testing::BackendName);

}  // namespace
}  // namespace refinery::store
