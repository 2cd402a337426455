#include "ml/holdout_evaluation.h"

#include "ml/feature_pipeline.h"
#include "ml/metrics.h"
#include "ml/value.h"

namespace refinery::ml {
namespace {

// The class index of a raw target value, -1 when it is none of the labels.
int LabelIndex(const TargetInfo& target, const nlohmann::json& value) {
  const Result<Value> cell = ReadInputCell({target.name, /*numeric=*/false}, value);
  if (!cell.ok() || cell->is_null()) return -1;
  for (size_t i = 0; i < target.labels.size(); ++i) {
    if (target.labels[i] == cell->text) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace

std::string PrimaryMetric(Task task) {
  if (task == Task::kMulticlass) return "accuracy";
  if (task == Task::kRegression) return "rmse";
  return "auc";
}

bool HigherIsBetter(const std::string& metric) {
  return !(metric == "rmse" || metric == "mae" || metric == "logloss");
}

Result<nlohmann::json> EvaluateOnRows(const Predictor& predictor, const TargetInfo& target,
                                      const std::vector<nlohmann::json>& rows) {
  std::vector<nlohmann::json> kept;
  std::vector<float> labels;
  for (const nlohmann::json& row : rows) {
    const nlohmann::json value = row.value(target.name, nlohmann::json());
    if (target.task == Task::kRegression) {
      const Result<Value> cell = ReadInputCell({target.name, /*numeric=*/true}, value);
      if (!cell.ok() || cell->is_null()) continue;
      labels.push_back(static_cast<float>(cell->number));
    } else {
      const int index = LabelIndex(target, value);
      if (index < 0) continue;
      labels.push_back(static_cast<float>(index));
    }
    kept.push_back(row);
  }
  if (kept.empty()) {
    return Status::InvalidArgument("no row with a known target [" + target.name + "] to evaluate on", "ML005");
  }
  REFINERY_ASSIGN_OR_RETURN(std::vector<PredictedRow> predicted, predictor.Predict(kept, false));
  std::vector<float> scores;
  if (target.task == Task::kMulticlass) {
    for (const PredictedRow& row : predicted) {
      for (double p : row.probabilities) scores.push_back(static_cast<float>(p));
    }
    return ToJson(ComputeMulticlassMetrics(labels, scores, static_cast<int>(target.labels.size())));
  }
  for (const PredictedRow& row : predicted) scores.push_back(static_cast<float>(row.value));
  if (target.task == Task::kRegression) return ToJson(ComputeRegressionMetrics(labels, scores));
  return ToJson(ComputeBinaryMetrics(labels, scores, predictor.threshold()));
}

}  // namespace refinery::ml
