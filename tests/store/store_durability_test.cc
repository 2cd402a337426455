// Durability: a writer killed with SIGKILL at a random moment loses no
// acknowledged batch and leaves no half batch. (Threads sharing one store, on
// every backend: store_contract_test.cc.)

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "store/store.h"
#include "store_test_util.h"

namespace refinery::store {
namespace {

using testing::FullAction;
using testing::FullJob;
using testing::JobId;
using testing::OpenOrDie;
using testing::RawDb;
using testing::TempDir;

// Batch n adds job n (RUNNING) with an action and a log line, and finishes
// job n - 1 — so a torn batch would show as a missing row or a wrong status.
WriteBatch CrashBatch(int n) {
  WriteBatch batch;
  WorkflowJobRecord job = FullJob(JobId(n));
  job.status = "RUNNING";
  job.created_ms = n;
  batch.jobs.push_back(job);
  if (n > 0) {
    WorkflowJobRecord previous = FullJob(JobId(n - 1));
    previous.status = "SUCCEEDED";
    previous.created_ms = n - 1;
    batch.jobs.push_back(previous);
  }
  batch.actions.push_back(FullAction(JobId(n), "a"));
  batch.log_lines.push_back({JobId(n), "batch " + std::to_string(n)});
  return batch;
}

// Child process body: apply batches first, first+1, ... forever, writing the
// number of acknowledged batches to `fd` after each Apply returns. Only
// _exit: the child must not run the parent's atexit handlers or gtest.
[[noreturn]] void ApplyUntilKilled(const std::string& path, int first, int fd) {
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(path);
  if (!store.ok()) _exit(2);
  for (int n = first;; ++n) {
    if (!(*store)->Apply(CrashBatch(n)).ok()) _exit(3);
    const int32_t acknowledged = n + 1;
    if (write(fd, &acknowledged, sizeof(acknowledged)) != sizeof(acknowledged)) _exit(4);
  }
}

// Blocks until `fd` is readable or `timeout` passes; false on timeout.
bool WaitReadable(int fd, std::chrono::milliseconds timeout) {
  pollfd entry{.fd = fd, .events = POLLIN, .revents = 0};
  return poll(&entry, 1, static_cast<int>(timeout.count())) == 1;
}

// Runs one child, kills it `delay` after its first acknowledgement (so the
// kill lands among writes, however slow the start under sanitizers), and
// returns the acknowledged count.
int KillWriterAfter(const std::string& path, int first, std::chrono::microseconds delay) {
  int fds[2];
  if (pipe(fds) != 0) {
    ADD_FAILURE() << "pipe failed";
    return first;
  }
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    ApplyUntilKilled(path, first, fds[1]);
  }
  close(fds[1]);
  EXPECT_TRUE(WaitReadable(fds[0], std::chrono::seconds(30))) << "the writer acknowledged nothing in 30 s";
  std::this_thread::sleep_for(delay);
  kill(pid, SIGKILL);
  int wait_status = 0;
  waitpid(pid, &wait_status, 0);
  EXPECT_TRUE(WIFSIGNALED(wait_status)) << "child exited early with code " << WEXITSTATUS(wait_status);
  int acknowledged = first;
  int32_t value = 0;
  while (read(fds[0], &value, sizeof(value)) == sizeof(value)) acknowledged = value;
  close(fds[0]);
  return acknowledged;
}

// Every acknowledged batch is present; at most one more (committed but not
// yet acknowledged) may be; and no batch is present in part.
int CheckConsistent(Store& store, int acknowledged) {
  Result<JobPage> page = store.ListJobs({}, 0, 0);
  EXPECT_TRUE(page.ok()) << page.status().ToString();
  const int present = page.ok() ? page->total : 0;
  EXPECT_GE(present, acknowledged);
  EXPECT_LE(present, acknowledged + 1);
  for (int n = 0; n < present; ++n) {
    Result<WorkflowJobRecord> job = store.GetJob(JobId(n));
    if (!job.ok()) {
      ADD_FAILURE() << "job " << n << ": " << job.status().ToString();
      continue;
    }
    EXPECT_EQ(job->status, n + 1 == present ? "RUNNING" : "SUCCEEDED") << "job " << n;
    EXPECT_TRUE(store.GetAction(JobId(n) + "@a").ok()) << "action of job " << n;
    EXPECT_EQ(*store.ReadLog(JobId(n)), "batch " + std::to_string(n));
  }
  return present;
}

TEST(StoreDurability, SigkilledWriterLosesNoAcknowledgedBatch) {
  TempDir dir;
  const std::string path = dir.File("state.db");
  std::mt19937 rng(20240601);
  int present = 0;
  for (int round = 0; round < 20; ++round) {
    const auto delay = std::chrono::microseconds(rng() % 50000);
    const int acknowledged = KillWriterAfter(path, present, delay);
    {
      RawDb raw(path);  // also runs WAL recovery
      EXPECT_EQ(raw.QueryText("PRAGMA integrity_check"), "ok") << "round " << round;
      EXPECT_EQ(raw.QueryText("PRAGMA foreign_key_check"), "") << "round " << round;
    }
    std::unique_ptr<Store> store = OpenOrDie(path);
    ASSERT_NE(store, nullptr);
    present = CheckConsistent(*store, acknowledged);
    if (::testing::Test::HasFailure()) FAIL() << "round " << round << ", delay " << delay.count() << " us";
  }
  EXPECT_GT(present, 20) << "the writer never got going; the test proved little";
}

}  // namespace
}  // namespace refinery::store
