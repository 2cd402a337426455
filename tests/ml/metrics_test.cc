// Expected values were computed independently with scikit-learn 1.2
// (roc_auc_score, average_precision_score, log_loss, ...) or by hand.
#include "ml/metrics.h"

#include <gtest/gtest.h>

namespace refinery::ml {
namespace {

TEST(Metrics, RocAucMatchesTheRankStatistic) {
  EXPECT_DOUBLE_EQ(RocAuc({0, 0, 1, 1}, {0.1f, 0.4f, 0.35f, 0.8f}), 0.75);
  EXPECT_DOUBLE_EQ(RocAuc({0, 1}, {0.2f, 0.9f}), 1.0);
  EXPECT_DOUBLE_EQ(RocAuc({0, 1}, {0.9f, 0.2f}), 0.0);
  // Ties count half.
  EXPECT_DOUBLE_EQ(RocAuc({0, 1, 0, 1}, {0.5f, 0.5f, 0.1f, 0.9f}), 0.875);
  // One class only: undefined, reported as 0.5.
  EXPECT_DOUBLE_EQ(RocAuc({1, 1}, {0.2f, 0.9f}), 0.5);
}

TEST(Metrics, AveragePrecisionMatchesScikitLearn) {
  EXPECT_NEAR(AveragePrecision({0, 0, 1, 1}, {0.1f, 0.4f, 0.35f, 0.8f}), 0.8333333333, 1e-9);
  EXPECT_NEAR(AveragePrecision({1, 0, 1, 0, 1}, {0.9f, 0.8f, 0.7f, 0.6f, 0.5f}), (1.0 + 2.0 / 3 + 3.0 / 5) / 3, 1e-9);
}

TEST(Metrics, BinaryMetricsAtAGivenThreshold) {
  const std::vector<float> labels = {0, 0, 1, 1};
  const std::vector<float> p = {0.1f, 0.4f, 0.35f, 0.8f};
  const BinaryMetrics m = ComputeBinaryMetrics(labels, p, 0.5);
  EXPECT_EQ(m.tp, 1);
  EXPECT_EQ(m.fn, 1);
  EXPECT_EQ(m.tn, 2);
  EXPECT_EQ(m.fp, 0);
  EXPECT_DOUBLE_EQ(m.accuracy, 0.75);
  EXPECT_DOUBLE_EQ(m.precision, 1.0);
  EXPECT_DOUBLE_EQ(m.recall, 0.5);
  EXPECT_NEAR(m.f1, 2.0 / 3, 1e-12);
  // log_loss([0,0,1,1],[0.1,0.4,0.35,0.8]) = 0.4722...
  EXPECT_NEAR(m.logloss, 0.47228795, 1e-6);
}

TEST(Metrics, ThresholdIsChosenByF1) {
  const BinaryMetrics m = ComputeBinaryMetrics({0, 0, 1, 1}, {0.1f, 0.4f, 0.35f, 0.8f}, std::nullopt);
  // Predicting positive from 0.35 up gives tp=2, fp=1: F1 0.8, the best.
  EXPECT_FLOAT_EQ(static_cast<float>(m.threshold), 0.35f);
  EXPECT_NEAR(m.f1, 0.8, 1e-9);
  EXPECT_EQ(m.fp, 1);
  EXPECT_EQ(m.tp, 2);
}

TEST(Metrics, CurvesAndCalibration) {
  const BinaryMetrics m = ComputeBinaryMetrics({0, 0, 1, 1}, {0.1f, 0.4f, 0.35f, 0.8f}, std::nullopt);
  ASSERT_EQ(m.roc.size(), 5u);
  EXPECT_EQ(m.roc.front().x, 0);
  EXPECT_EQ(m.roc.back().x, 1);
  EXPECT_EQ(m.roc.back().y, 1);
  ASSERT_EQ(m.calibration.size(), 10u);
  EXPECT_EQ(m.calibration[8].count, 1);
  EXPECT_EQ(m.calibration[8].observed_rate, 1);
  EXPECT_EQ(m.calibration[3].count, 1);  // 0.35
  EXPECT_EQ(m.calibration[4].count, 1);  // 0.4f is a hair above 0.4
  EXPECT_EQ(m.calibration[4].observed_rate, 0);
  const nlohmann::json json = ToJson(m);
  EXPECT_EQ(json["auc"], 0.75);
  EXPECT_TRUE(json.contains("roc"));
}

TEST(Metrics, LongCurvesAreThinned) {
  std::vector<float> labels, scores;
  for (int i = 0; i < 5000; ++i) {
    labels.push_back(static_cast<float>(i % 2));
    scores.push_back(static_cast<float>(i) / 5000);
  }
  const BinaryMetrics m = ComputeBinaryMetrics(labels, scores, std::nullopt);
  EXPECT_LE(m.roc.size(), 200u);
  EXPECT_EQ(m.roc.back().x, 1);
}

TEST(Metrics, Multiclass) {
  // Rows: true 0 predicted 0; true 1 predicted 2; true 2 predicted 2.
  const std::vector<float> p = {0.7f, 0.2f, 0.1f, 0.1f, 0.3f, 0.6f, 0.2f, 0.2f, 0.6f};
  const MulticlassMetrics m = ComputeMulticlassMetrics({0, 1, 2}, p, 3);
  EXPECT_NEAR(m.accuracy, 2.0 / 3, 1e-12);
  // F1 per class: 1, 0, 2/3 -> macro 5/9.
  EXPECT_NEAR(m.macro_f1, 5.0 / 9, 1e-12);
  EXPECT_NEAR(m.logloss, -(std::log(0.7) + std::log(0.3) + std::log(0.6)) / 3, 1e-6);
  EXPECT_EQ(m.confusion[1][2], 1);
}

TEST(Metrics, Regression) {
  const RegressionMetrics m = ComputeRegressionMetrics({1, 2, 3, 4}, {1, 2, 3, 6});
  EXPECT_DOUBLE_EQ(m.rmse, 1.0);
  EXPECT_DOUBLE_EQ(m.mae, 0.5);
  EXPECT_DOUBLE_EQ(m.r2, 1 - 4.0 / 5.0);
}

}  // namespace
}  // namespace refinery::ml
