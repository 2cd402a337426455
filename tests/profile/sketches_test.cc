#include "profile/sketches.h"

#include <cmath>
#include <string>

#include <gtest/gtest.h>

namespace refinery::profile {
namespace {

TEST(DistinctCounter, IsExactBelowItsLimit) {
  DistinctCounter counter(1000);
  for (int i = 0; i < 5000; ++i) counter.Add(HashBytes(std::to_string(i % 700)));
  EXPECT_TRUE(counter.exact());
  EXPECT_EQ(counter.Count(), 700);
}

TEST(DistinctCounter, EstimatesWithinTwoPercentAboveItsLimit) {
  DistinctCounter counter(1000);
  for (int i = 0; i < 200000; ++i) counter.Add(HashBytes("value-" + std::to_string(i)));
  EXPECT_FALSE(counter.exact());
  EXPECT_NEAR(static_cast<double>(counter.Count()), 200000.0, 200000.0 * 0.02);
}

TEST(HyperLogLog, SmallCardinalitiesUseLinearCounting) {
  HyperLogLog hll;
  for (int i = 0; i < 100; ++i) hll.Add(HashBytes(std::to_string(i)));
  EXPECT_NEAR(hll.Estimate(), 100.0, 2.0);
}

TEST(FrequentValues, HeavyHitterSurvivesAMostlyUniqueColumn) {
  FrequentValues values(100);
  for (int i = 0; i < 200000; ++i) {
    const std::string value = i % 10 == 0 ? "unknown" : "v" + std::to_string(i);
    values.Add(HashBytes(value), value);
  }
  const auto top = values.Top(1);
  ASSERT_EQ(top.size(), 1u);
  EXPECT_EQ(top[0].value, "unknown");
  EXPECT_NEAR(static_cast<double>(top[0].count), 20000.0, 4000.0);
}

TEST(QuantileSample, ExactQuantilesInterpolateLikePandas) {
  QuantileSample sample(1000);
  for (int i = 1; i <= 5; ++i) sample.Add(i);
  sample.Finish();
  EXPECT_TRUE(sample.exact());
  EXPECT_DOUBLE_EQ(sample.Quantile(0.5), 3.0);
  EXPECT_DOUBLE_EQ(sample.Quantile(0.25), 2.0);
  EXPECT_DOUBLE_EQ(sample.Quantile(0.1), 1.4);
}

TEST(QuantileSample, ReservoirKeepsQuantilesClose) {
  QuantileSample sample(10000);
  for (int i = 0; i < 1000000; ++i) sample.Add(i);
  sample.Finish();
  EXPECT_FALSE(sample.exact());
  EXPECT_EQ(sample.sorted().size(), 10000u);
  EXPECT_NEAR(sample.Quantile(0.5), 500000.0, 20000.0);
  EXPECT_NEAR(sample.Quantile(0.95), 950000.0, 20000.0);
}

TEST(FrequentValues, CountsExactlyWithinCapacity) {
  FrequentValues values(10);
  for (int i = 0; i < 30; ++i) {
    const std::string value = i % 3 == 0 ? "a" : "b";
    values.Add(HashBytes(value), value);
  }
  ASSERT_TRUE(values.exact());
  const auto top = values.Top(0);
  ASSERT_EQ(top.size(), 2u);
  EXPECT_EQ(top[0].value, "b");
  EXPECT_EQ(top[0].count, 20);
  EXPECT_EQ(top[1].count, 10);
}

TEST(FrequentValues, KeepsTheHeavyHitterBeyondCapacity) {
  FrequentValues values(8);
  for (int i = 0; i < 10000; ++i) {
    const std::string value = i % 2 == 0 ? "heavy" : std::to_string(i);
    values.Add(HashBytes(value), value);
  }
  EXPECT_FALSE(values.exact());
  const auto top = values.Top(1);
  ASSERT_EQ(top.size(), 1u);
  EXPECT_EQ(top[0].value, "heavy");
  EXPECT_NEAR(static_cast<double>(top[0].count), 5000.0, 1000.0);
}

TEST(DuplicateCounter, CountsExactlyWithinCapacity) {
  DuplicateCounter duplicates(1000);
  for (int i = 0; i < 900; ++i) duplicates.Add(HashBytes(std::to_string(i % 300)));
  EXPECT_TRUE(duplicates.exact());
  EXPECT_EQ(duplicates.Duplicates(), 600);
}

TEST(DuplicateCounter, EstimatesBySamplingTheHashSpaceBeyondCapacity) {
  DuplicateCounter duplicates(4096);
  // 100000 distinct rows, each seen twice: 100000 duplicates.
  for (int i = 0; i < 200000; ++i) duplicates.Add(HashBytes(std::to_string(i % 100000)));
  EXPECT_FALSE(duplicates.exact());
  EXPECT_NEAR(static_cast<double>(duplicates.Duplicates()), 100000.0, 10000.0);
}

}  // namespace
}  // namespace refinery::profile
