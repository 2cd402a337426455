// ModelScorer: a model bundle loaded for serving. It checks request rows
// against the bundle's input schema (every problem at once, field by field),
// scores them, and knows the distribution of its own holdout predictions so
// the server can tell when live traffic drifts from it. Implemented in the
// `ml` plugin (XGBoost); the server reaches it through LoadModelScorer's
// plugin entry, so this header needs no linking.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "ml/predictor.h"

namespace refinery::ml {

struct FieldProblem {
  std::string field;    // the input field, "" for the row as a whole
  std::string problem;  // unknown_field, wrong_type, missing_field, out_of_range, unseen_category, not_an_object
  std::string message;  // what is wrong and what is accepted
};

// The outcome of checking one row: errors refuse it, warnings (categories
// never seen in training that the bundle's policy accepts) are reported
// with its prediction.
struct RowCheck {
  std::vector<FieldProblem> errors;
  std::vector<FieldProblem> warnings;
};

class ModelScorer {
 public:
  virtual ~ModelScorer() = default;
  // The bundle's pipeline.json and metrics.json.
  virtual const nlohmann::json& pipeline() const = 0;
  virtual const nlohmann::json& metrics() const = 0;
  // The holdout rows shipped in the bundle (may be empty) and their
  // predictions (PredictedRow::value), scored at load time.
  virtual const std::vector<nlohmann::json>& holdout_rows() const = 0;
  virtual const std::vector<double>& holdout_scores() const = 0;
  // `allow_extra_fields`: columns that are not inputs are ignored rather than
  // refused (CSV files carry ids and the target).
  virtual RowCheck Check(const nlohmann::json& row, bool allow_extra_fields) const = 0;
  // Thread-safe.
  virtual Result<std::vector<PredictedRow>> Predict(const std::vector<nlohmann::json>& rows, bool explain) const = 0;
};

// Loads and warms (scores the holdout once) the bundle in `bundle_dir`.
Result<std::unique_ptr<ModelScorer>> LoadModelScorer(const std::filesystem::path& bundle_dir);

// The plugin entry the server calls: `extern "C" void
// refinery_load_model_scorer(const std::filesystem::path*, Result<std::unique_ptr<ModelScorer>>*)`.
inline constexpr char kLoadModelScorerSymbol[] = "refinery_load_model_scorer";
using LoadModelScorerEntry = void (*)(const std::filesystem::path*, Result<std::unique_ptr<ModelScorer>>*);

}  // namespace refinery::ml
