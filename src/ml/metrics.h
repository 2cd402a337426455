// Holdout metrics, computed here rather than by XGBoost so the bundle's
// numbers do not depend on the booster type and can be checked by hand.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <vector>

namespace refinery::ml {

struct CurvePoint {
  double x = 0, y = 0, threshold = 0;
};

struct CalibrationBin {
  double mean_predicted = 0, observed_rate = 0;
  int64_t count = 0;
};

struct BinaryMetrics {
  double auc = 0, pr_auc = 0, logloss = 0;
  double threshold = 0.5;  // chosen by F1 unless given
  double accuracy = 0, precision = 0, recall = 0, f1 = 0;
  int64_t tp = 0, fp = 0, tn = 0, fn = 0;
  std::vector<CalibrationBin> calibration;  // 10 equal-width bins of the probability
  std::vector<CurvePoint> roc;              // x = FPR, y = TPR (at most ~200 points)
  std::vector<CurvePoint> pr;               // x = recall, y = precision
};

struct MulticlassMetrics {
  double accuracy = 0, macro_f1 = 0, logloss = 0;
  std::vector<std::vector<int64_t>> confusion;  // [actual][predicted]
};

struct RegressionMetrics {
  double rmse = 0, mae = 0, r2 = 0;
};

// AUC by the rank statistic (ties count half).
double RocAuc(const std::vector<float>& labels, const std::vector<float>& scores);
// Average precision: sum over thresholds of (R_k - R_{k-1}) * P_k, as scikit-learn.
double AveragePrecision(const std::vector<float>& labels, const std::vector<float>& scores);

// `labels` 0/1, `probabilities` of class 1. `threshold` empty = pick by F1.
BinaryMetrics ComputeBinaryMetrics(const std::vector<float>& labels, const std::vector<float>& probabilities,
                                   std::optional<double> threshold);
// `probabilities` row-major rows × classes.
MulticlassMetrics ComputeMulticlassMetrics(const std::vector<float>& labels, const std::vector<float>& probabilities,
                                           int classes);
RegressionMetrics ComputeRegressionMetrics(const std::vector<float>& labels, const std::vector<float>& predictions);

nlohmann::json ToJson(const BinaryMetrics& m);
nlohmann::json ToJson(const MulticlassMetrics& m);
nlohmann::json ToJson(const RegressionMetrics& m);

}  // namespace refinery::ml
