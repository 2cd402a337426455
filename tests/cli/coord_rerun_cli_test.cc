// `refinery job -rerun <coordinator id> -action|-date` without a server: the
// actions go back to WAITING in the data home's store and the ended job to
// RUNNING, for the next `refinery server` to start; wrong arguments exit 2.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli/cli_test_support.h"
#include "store/store.h"

namespace refinery::cli::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kJob[] = "0000001-260101000000000-refinery-tester-C";

// A DONEWITHERROR coordinator with a SUCCEEDED and a FAILED action, as a server leaves it.
void StoreEndedCoordinator(const std::filesystem::path& home) {
  std::filesystem::create_directories(home);
  auto store = store::OpenSqliteStore((home / "state.db").string());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  store::WriteBatch batch;
  store::CoordinatorJobRecord job;
  job.id = kJob;
  job.app_name = "c";
  job.app_path = "file:///nowhere";
  job.user = "tester";
  job.status = "DONEWITHERROR";
  job.conf = "<configuration></configuration>";
  job.definition =
      "<coordinator-app xmlns=\"uri:oozie:coordinator:0.4\" name=\"c\" frequency=\"60\" "
      "start=\"2026-01-01T00:00Z\" end=\"2026-01-01T02:00Z\" timezone=\"UTC\">"
      "<action><workflow><app-path>/nowhere</app-path></workflow></action></coordinator-app>";
  job.start_ms = 1767225600000;  // 2026-01-01T00:00Z
  job.end_ms = job.start_ms + 2 * 3600000;
  job.last_action_number = 2;
  job.next_materialized_ms = job.end_ms;
  batch.coordinator_jobs.push_back(job);
  for (int n = 1; n <= 2; ++n) {
    store::CoordinatorActionRecord action;
    action.id = std::string(kJob) + "@" + std::to_string(n);
    action.job_id = kJob;
    action.action_number = n;
    action.status = n == 1 ? "SUCCEEDED" : "FAILED";
    action.nominal_ms = job.start_ms + (n - 1) * 3600000;
    action.created_ms = action.nominal_ms;
    action.data_instances = "{}";
    batch.coordinator_actions.push_back(action);
  }
  ASSERT_TRUE((*store)->Apply(batch).ok());
}

std::string StatusOf(const std::filesystem::path& home, const std::string& id) {
  auto store = store::OpenSqliteStore((home / "state.db").string());
  if (!store.ok()) return store.status().ToString();
  if (id.find('@') == std::string::npos) {
    auto job = (*store)->GetCoordinatorJob(id);
    return job.ok() ? job->status : job.status().ToString();
  }
  auto action = (*store)->GetCoordinatorAction(id);
  return action.ok() ? action->status : action.status().ToString();
}

TEST_F(CliFixture, CoordinatorRerunWithoutAServerUpdatesTheStore) {
  StoreEndedCoordinator(home_);
  const auto rerun = Run({"job", "-rerun", kJob, "-date", "2026-01-01T01:00Z", "-nocleanup"});
  ASSERT_EQ(rerun.exit_code, 0) << rerun.out;
  EXPECT_THAT(rerun.out, HasSubstr(std::string(kJob) + "@2 WAITING"));
  EXPECT_EQ(StatusOf(home_, std::string(kJob) + "@2"), "WAITING");
  EXPECT_EQ(StatusOf(home_, std::string(kJob) + "@1"), "SUCCEEDED");
  EXPECT_EQ(StatusOf(home_, kJob), "RUNNING");

  const auto waiting = Run({"job", "-rerun", kJob, "-action", "1-2"});
  EXPECT_EQ(waiting.exit_code, 1) << waiting.out;
  EXPECT_THAT(waiting.out, HasSubstr("E1018: Coord Job Rerun Error"));
  EXPECT_THAT(waiting.out, HasSubstr("[2 (WAITING)]"));

  const auto both = Run({"job", "-rerun", kJob, "-action", "1", "-date", "2026-01-01T00:00Z"});
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_THAT(both.out, HasSubstr("exactly one of -action 1,3-4 or -date A::B"));
  EXPECT_EQ(Run({"job", "-rerun", kJob}).exit_code, 2);
}

void SetJobStatus(const std::filesystem::path& home, const std::string& status) {
  auto store = store::OpenSqliteStore((home / "state.db").string());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto job = (*store)->GetCoordinatorJob(kJob);
  ASSERT_TRUE(job.ok());
  job->status = status;
  store::WriteBatch batch;
  batch.coordinator_jobs.push_back(*job);
  ASSERT_TRUE((*store)->Apply(batch).ok());
}

TEST_F(CliFixture, ChangeStatusAndIgnoreWithoutAServerUpdateTheStore) {
  StoreEndedCoordinator(home_);
  // Oozie refuses both for a DONEWITHERROR job (CoordChangeXCommand, E1015).
  const auto ignore_ended = Run({"job", "-ignore", kJob});
  EXPECT_EQ(ignore_ended.exit_code, 2) << ignore_ended.out;
  EXPECT_THAT(ignore_ended.out, HasSubstr("E1015"));
  EXPECT_THAT(ignore_ended.out, HasSubstr("Only FAILED or KILLED non-pending job can be changed to IGNORED"));
  const auto revive_ended = Run({"job", "-change", kJob, "-value", "status=RUNNING"});
  EXPECT_EQ(revive_ended.exit_code, 2) << revive_ended.out;
  EXPECT_THAT(revive_ended.out, HasSubstr("Current job status is DONEWITHERROR"));

  SetJobStatus(home_, "KILLED");
  const auto ignored = Run({"job", "-ignore", kJob});
  ASSERT_EQ(ignored.exit_code, 0) << ignored.out;
  EXPECT_EQ(StatusOf(home_, kJob), "IGNORED");
  const auto revived = Run({"job", "-change", kJob, "-value", "status=RUNNING"});
  ASSERT_EQ(revived.exit_code, 0) << revived.out;
  EXPECT_EQ(StatusOf(home_, kJob), "RUNNING");
  const auto action = Run({"job", "-ignore", kJob, "-action", "2"});
  ASSERT_EQ(action.exit_code, 0) << action.out;
  EXPECT_THAT(action.out, HasSubstr(std::string(kJob) + "@2 IGNORED"));
}

}  // namespace
}  // namespace refinery::cli::testing
