// ListJobs with JobFilter: `oozie jobs -filter` semantics (SPEC §9), newest
// first, total before paging — on every backend.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store/store.h"
#include "store_backend.h"
#include "store_test_util.h"

namespace refinery::store {
namespace {

using testing::FullJob;
using testing::JobId;

const std::string kCoordAction = "0000050-210114070000000-refinery-test-C@2";

struct Row {
  const char* name;
  const char* user;
  const char* group;
  const char* status;
  int64_t created_ms;
  std::string parent_id;
};

// Job n is JobId(n). Jobs 4 and 5 share a created time.
const std::vector<Row>& Rows() {
  static const std::vector<Row> rows = {
      {"etl-daily", "alice", "eng", "SUCCEEDED", 1000, ""},
      {"etl-hourly", "bob", "eng", "RUNNING", 2000, ""},
      {"report", "alice", "ops", "FAILED", 3000, JobId(1)},
      {"report", "carol", "ops", "RUNNING", 4000, JobId(1)},
      {"cleanup", "bob", "eng", "KILLED", 5000, kCoordAction},
      {"alice-tool", "dave", "ops", "PREP", 5000, ""},
  };
  return rows;
}

class JobFilterTest : public testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (HasFatalFailure()) return;
    WriteBatch batch;
    for (size_t i = 0; i < Rows().size(); ++i) {
      const Row& row = Rows()[i];
      WorkflowJobRecord job = FullJob(JobId(static_cast<int>(i)));
      job.app_name = row.name;
      job.user = row.user;
      job.group = row.group;
      job.status = row.status;
      job.created_ms = row.created_ms;
      job.parent_id = row.parent_id;
      batch.jobs.push_back(job);
    }
    ASSERT_TRUE(store_->Apply(batch).ok());
  }

  // The job numbers of the page, in the order returned.
  std::vector<int> List(const JobFilter& filter, int offset = 0, int len = 100, int* total = nullptr) {
    Result<JobPage> page = store_->ListJobs(filter, offset, len);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    if (!page.ok()) return {};
    if (total != nullptr) *total = page->total;
    std::vector<int> numbers;
    for (const auto& job : page->jobs) numbers.push_back(std::stoi(job.id.substr(0, 7)));
    return numbers;
  }

  using Ids = std::vector<int>;
};

TEST_P(JobFilterTest, NoFilterListsAllNewestFirstWithIdBreakingTies) {
  int total = 0;
  EXPECT_EQ(List({}, 0, 100, &total), (Ids{5, 4, 3, 2, 1, 0}));
  EXPECT_EQ(total, 6);
}

TEST_P(JobFilterTest, ReturnsWholeRecords) {
  Result<JobPage> page = store_->ListJobs({.ids = {JobId(3)}}, 0, 1);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->jobs.size(), 1u);
  WorkflowJobRecord expected = FullJob(JobId(3));
  expected.app_name = "report";
  expected.user = "carol";
  expected.group = "ops";
  expected.status = "RUNNING";
  expected.created_ms = 4000;
  expected.parent_id = JobId(1);
  testing::ExpectSameJob(page->jobs[0], expected);
}

TEST_P(JobFilterTest, StatusesAreAlternatives) {
  EXPECT_EQ(List({.statuses = {"RUNNING"}}), (Ids{3, 1}));
  EXPECT_EQ(List({.statuses = {"RUNNING", "FAILED"}}), (Ids{3, 2, 1}));
}

TEST_P(JobFilterTest, NamesMatchExactlyAndAreAlternatives) {
  EXPECT_EQ(List({.names = {"report"}}), (Ids{3, 2}));
  EXPECT_EQ(List({.names = {"report", "cleanup"}}), (Ids{4, 3, 2}));
  EXPECT_EQ(List({.names = {"repo"}}), Ids{});
}

TEST_P(JobFilterTest, UsersAreAlternatives) {
  EXPECT_EQ(List({.users = {"alice"}}), (Ids{2, 0}));
  EXPECT_EQ(List({.users = {"alice", "bob"}}), (Ids{4, 2, 1, 0}));
}

TEST_P(JobFilterTest, GroupsAreAlternatives) {
  EXPECT_EQ(List({.groups = {"ops"}}), (Ids{5, 3, 2}));
  EXPECT_EQ(List({.groups = {"ops", "eng"}}), (Ids{5, 4, 3, 2, 1, 0}));
}

TEST_P(JobFilterTest, IdsAreAlternatives) {
  EXPECT_EQ(List({.ids = {JobId(0), JobId(3), "0000404-nope-W"}}), (Ids{3, 0}));
}

TEST_P(JobFilterTest, ValuesAreCaseSensitive) {
  EXPECT_EQ(List({.statuses = {"running"}}), Ids{});
  EXPECT_EQ(List({.names = {"REPORT"}}), Ids{});
  EXPECT_EQ(List({.text = "ALICE"}), Ids{});
}

TEST_P(JobFilterTest, DifferentFieldsMustAllHold) {
  EXPECT_EQ(List({.statuses = {"RUNNING"}, .users = {"carol"}}), (Ids{3}));
  EXPECT_EQ(List({.statuses = {"RUNNING", "KILLED"}, .names = {"etl-hourly", "cleanup"}, .users = {"bob"}}),
            (Ids{4, 1}));
  EXPECT_EQ(List({.statuses = {"RUNNING"}, .names = {"cleanup"}}), Ids{});
}

TEST_P(JobFilterTest, TextMatchesPartOfNameOrUser) {
  EXPECT_EQ(List({.text = "etl"}), (Ids{1, 0}));
  EXPECT_EQ(List({.text = "alic"}), (Ids{5, 2, 0}));  // name alice-tool; user alice
  EXPECT_EQ(List({.text = "port"}), (Ids{3, 2}));
}

TEST_P(JobFilterTest, TextMatchesOnlyAWholeId) {
  EXPECT_EQ(List({.text = JobId(2)}), (Ids{2}));
  EXPECT_EQ(List({.text = "0000002"}), Ids{});
}

TEST_P(JobFilterTest, TextIsLiteralNotAPattern) {
  EXPECT_EQ(List({.text = "%"}), Ids{});
  EXPECT_EQ(List({.text = "e_l"}), Ids{});
}

TEST_P(JobFilterTest, TextCombinesWithOtherFields) {
  EXPECT_EQ(List({.statuses = {"PREP"}, .text = "alice"}), (Ids{5}));
}

TEST_P(JobFilterTest, ParentIdMatchesExactly) {
  EXPECT_EQ(List({.parent_id = JobId(1)}), (Ids{3, 2}));
  EXPECT_EQ(List({.parent_id = kCoordAction}), (Ids{4}));
  EXPECT_EQ(List({.parent_id = "0000050"}), Ids{});
}

TEST_P(JobFilterTest, CreatedRangeIsInclusive) {
  EXPECT_EQ(List({.created_after_ms = 2000, .created_before_ms = 4000}), (Ids{3, 2, 1}));
  EXPECT_EQ(List({.created_after_ms = 4000}), (Ids{5, 4, 3}));
  EXPECT_EQ(List({.created_before_ms = 1000}), (Ids{0}));
  EXPECT_EQ(List({.created_after_ms = 4001, .created_before_ms = 4999}), Ids{});
}

TEST_P(JobFilterTest, PagesCountFromZeroAndTotalIgnoresPaging) {
  int total = 0;
  EXPECT_EQ(List({}, 1, 2, &total), (Ids{4, 3}));
  EXPECT_EQ(total, 6);
  EXPECT_EQ(List({}, 4, 100, &total), (Ids{1, 0}));
  EXPECT_EQ(total, 6);
  EXPECT_EQ(List({.statuses = {"RUNNING"}}, 1, 1, &total), (Ids{1}));
  EXPECT_EQ(total, 2);
}

TEST_P(JobFilterTest, OffsetPastTheEndGivesAnEmptyPageAndTheTotal) {
  int total = 0;
  EXPECT_EQ(List({}, 6, 10, &total), Ids{});
  EXPECT_EQ(total, 6);
  EXPECT_EQ(List({}, 1000, 10, &total), Ids{});
  EXPECT_EQ(total, 6);
}

TEST_P(JobFilterTest, ZeroLengthGivesOnlyTheTotal) {
  int total = 0;
  EXPECT_EQ(List({.users = {"bob"}}, 0, 0, &total), Ids{});
  EXPECT_EQ(total, 2);
}

TEST_P(JobFilterTest, NegativeOffsetOrLengthIsInvalidArgument) {
  EXPECT_EQ(store_->ListJobs({}, -1, 10).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->ListJobs({}, 0, -1).status().code(), StatusCode::kInvalidArgument);
}

TEST_P(JobFilterTest, NoMatchGivesZeroTotal) {
  int total = -1;
  EXPECT_EQ(List({.users = {"nobody"}}, 0, 10, &total), Ids{});
  EXPECT_EQ(total, 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, JobFilterTest, ::testing::ValuesIn(testing::TestedBackends()),
                         testing::BackendName);

}  // namespace
}  // namespace refinery::store
