#include "core/job_id.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

#include "core/time_format.h"

namespace refinery {
namespace {

using ::testing::MatchesRegex;
using ::testing::StartsWith;

TimePoint Start() { return FromEpochMillis(1610608028123);  }  // 2021-01-14T07:07:08.123Z

TEST(JobIdGenerator, FirstIdHasOozieShapeAndCounterZero) {
  JobIdGenerator ids("refinery-x", Start());
  EXPECT_EQ(ids.Next(JobKind::kWorkflow), "0000000-210114070708123-refinery-x-W");
}

TEST(JobIdGenerator, ShapeIsCounterStartTimeSystemIdKind) {
  JobIdGenerator ids("refinery-x", SystemClock()->Now());
  EXPECT_THAT(ids.Next(JobKind::kWorkflow), MatchesRegex("0000000-[0-9]{15}-refinery-x-W"));
  EXPECT_THAT(ids.Next(JobKind::kCoordinator), MatchesRegex("0000001-[0-9]{15}-refinery-x-C"));
  EXPECT_THAT(ids.Next(JobKind::kBundle), MatchesRegex("0000002-[0-9]{15}-refinery-x-B"));
}

TEST(JobIdGenerator, CounterIsZeroPaddedToSevenDigits) {
  JobIdGenerator ids("refinery-x", Start());
  for (int i = 0; i < 1000; ++i) ids.Next(JobKind::kWorkflow);
  const std::string id_1001 = ids.Next(JobKind::kWorkflow);
  EXPECT_THAT(id_1001, StartsWith("0001000-"));
  EXPECT_EQ(id_1001, "0001000-210114070708123-refinery-x-W");
}

TEST(JobIdGenerator, IdsAreUniqueAcrossThreads) {
  JobIdGenerator ids("refinery-x", Start());
  constexpr int kThreads = 4;
  constexpr int kPerThread = 500;
  std::vector<std::vector<std::string>> made(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) made[t].push_back(ids.Next(JobKind::kWorkflow));
    });
  }
  for (auto& thread : threads) thread.join();
  std::set<std::string> unique;
  for (const auto& list : made) unique.insert(list.begin(), list.end());
  EXPECT_EQ(unique.size(), static_cast<size_t>(kThreads * kPerThread));
}

TEST(ActionId, IsJobIdAtNodeName) {
  EXPECT_EQ(ActionId("0000001-210114070000000-refinery-x-W", "shell-node"),
            "0000001-210114070000000-refinery-x-W@shell-node");
  EXPECT_EQ(ActionId("0000001-210114070000000-refinery-x-W", ":start:"),
            "0000001-210114070000000-refinery-x-W@:start:");
}

}  // namespace
}  // namespace refinery
