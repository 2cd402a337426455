// The predictor: a model bundle turned back into a function from raw rows
// (JSON objects keyed by input column, as a caller has them) to predictions,
// through the same feature pipeline code that encoded the training rows.
//
// Values come from ml::TreeEvaluator, the booster compiled into flat arrays
// (bit for bit XGBoost's output, a tenth or less of its cost per call); XGBoost
// itself serves contributions (TreeSHAP), PredictEncoded, and any model the
// evaluator cannot compile.
//
// Thread safety: one Predictor may be shared by any number of threads. The
// evaluator path is immutable and lock-free; calls into XGBoost (whose
// prediction on a shared booster is not thread-safe) are serialized by a
// mutex inside.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "ml/bundle.h"
#include "ml/feature_pipeline.h"
#include "ml/trainer.h"
#include "ml/tree_evaluator.h"

namespace refinery::ml {

class Booster;

struct PredictedRow {
  // binary: probability of the positive label; multiclass: probability of
  // the predicted class; regression: the value.
  double value = 0;
  std::string label;                  // classification: the predicted label
  std::vector<double> probabilities;  // multiclass: one per label, in TargetInfo::labels order
  // On request: each feature's additive contribution to the margin (TreeSHAP;
  // encoded columns summed back to their feature), largest |value| first,
  // then ("(bias)", base margin). Multiclass: for the predicted class.
  std::vector<std::pair<std::string, double>> contributions;
};

class Predictor {
 public:
  static Result<Predictor> FromBundle(const Bundle& bundle);
  static Result<Predictor> Load(const std::filesystem::path& bundle_dir);
  ~Predictor();
  Predictor(Predictor&&) noexcept;
  Predictor& operator=(Predictor&&) noexcept;

  const FeaturePipeline& pipeline() const { return pipeline_; }
  const TargetInfo& target() const { return target_; }
  double threshold() const { return threshold_; }

  // One result per row, in order. A row that cannot be read is ML004 naming
  // its index and field. Safe to call from several threads at once.
  Result<std::vector<PredictedRow>> Predict(const std::vector<nlohmann::json>& rows, bool contributions) const;
  // XGBoost's own output for encoded rows (row-major, pipeline().width()
  // columns): what training computed for the holdout, and the reference the
  // evaluator is tested against.
  Result<std::vector<float>> PredictEncoded(const std::vector<float>& matrix, size_t rows) const;
  // The compiled evaluator, or null when the model needs XGBoost (ML006 from
  // TreeEvaluator::Compile, kept in evaluator_status()).
  const TreeEvaluator* evaluator() const { return evaluator_ ? &*evaluator_ : nullptr; }
  const Status& evaluator_status() const { return evaluator_status_; }

 private:
  struct GuardedBooster;  // the booster and the mutex serializing calls into it

  Predictor() = default;
  // Sets evaluator_ when the booster compiles and matches the pipeline.
  Status CompileEvaluator(const std::string& booster_json);
  Result<std::vector<float>> BoosterValues(const std::vector<float>& matrix, size_t rows,
                                           std::vector<float>* contributions) const;

  FeaturePipeline pipeline_;
  TargetInfo target_;
  double threshold_ = 0.5;
  std::optional<TreeEvaluator> evaluator_;
  Status evaluator_status_;
  std::unique_ptr<GuardedBooster> booster_;
};

}  // namespace refinery::ml
