// Scores a model on labelled raw rows (a bundle's holdout.jsonl) and computes
// the task's metrics, so two versions can be compared on the same rows: the
// publish action's champion/challenger gate.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "core/status.h"
#include "ml/predictor.h"
#include "ml/trainer.h"

namespace refinery::ml {

// The metric a task's versions are compared by, and whether higher is better:
// binary auc, multiclass accuracy, regression rmse (lower is better).
std::string PrimaryMetric(Task task);
bool HigherIsBetter(const std::string& metric);

// Metrics of `predictor` on `rows`, whose target is `target` (its name and,
// for classification, its labels). Rows whose target is null or not one of
// the labels are skipped. ML005 when no row is left.
Result<nlohmann::json> EvaluateOnRows(const Predictor& predictor, const TargetInfo& target,
                                      const std::vector<nlohmann::json>& rows);

}  // namespace refinery::ml
