// The WAL is copied back into the database file off the committing thread,
// and it stays bounded while writes never pause.

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "store/store.h"
#include "store_test_util.h"

namespace refinery::store {
namespace {

using testing::FullAction;
using testing::FullJob;
using testing::JobId;
using testing::OpenOrDie;
using testing::TempDir;

// Each batch adds a job and an action whose 6 KiB conf spills onto overflow
// pages, so every batch writes at least three WAL frames.
WriteBatch BigBatch(int n) {
  WorkflowActionRecord action = FullAction(JobId(n), "a");
  action.conf = std::string(6 * 1024, 'c');
  return {.jobs = {FullJob(JobId(n))}, .actions = {action}, .log_lines = {{JobId(n), "line"}}};
}

TEST(Checkpointer, CopiesTheWalIntoTheDatabaseFileInTheBackground) {
  TempDir dir;
  const std::string path = dir.File("state.db");
  std::unique_ptr<Store> store = OpenOrDie(path);
  ASSERT_NE(store, nullptr);
  const auto initial = std::filesystem::file_size(path);
  // ~600 batches put well over 1000 pages in the WAL, the request threshold.
  for (int n = 0; n < 600; ++n) ASSERT_TRUE(store->Apply(BigBatch(n)).ok());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::filesystem::file_size(path) <= initial && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_GT(std::filesystem::file_size(path), initial + 1'000'000) << "no checkpoint reached the database file";
}

TEST(Checkpointer, WalStaysBoundedWhileWritesNeverPause) {
  TempDir dir;
  const std::string path = dir.File("state.db");
  std::unique_ptr<Store> store = OpenOrDie(path);
  ASSERT_NE(store, nullptr);
  uintmax_t largest = 0;
  // 4000 batches are over 12000 frames (~50 MB) if nothing were checkpointed.
  for (int n = 0; n < 4000; ++n) {
    ASSERT_TRUE(store->Apply(BigBatch(n)).ok());
    if (n % 100 == 0) largest = std::max(largest, std::filesystem::file_size(path + "-wal"));
  }
  EXPECT_LT(largest, 32u << 20);
  Result<JobPage> page = store->ListJobs({}, 0, 0);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total, 4000);
}

TEST(Checkpointer, ClosingTheLastStoreRemovesTheWal) {
  TempDir dir;
  const std::string path = dir.File("state.db");
  {
    std::unique_ptr<Store> store = OpenOrDie(path);
    ASSERT_NE(store, nullptr);
    for (int n = 0; n < 50; ++n) ASSERT_TRUE(store->Apply(BigBatch(n)).ok());
    EXPECT_TRUE(std::filesystem::exists(path + "-wal"));
  }
  EXPECT_FALSE(std::filesystem::exists(path + "-wal"));
  std::unique_ptr<Store> reopened = OpenOrDie(path);
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(reopened->ListJobs({}, 0, 0)->total, 50);
}

}  // namespace
}  // namespace refinery::store
