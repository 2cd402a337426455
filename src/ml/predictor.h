// The predictor: a model bundle turned back into a function from raw rows
// (JSON objects keyed by input column, as a caller has them) to predictions,
// through the same feature pipeline code that encoded the training rows.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "ml/bundle.h"
#include "ml/feature_pipeline.h"
#include "ml/trainer.h"

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
  // its index and field. Not thread-safe: use one Predictor per thread.
  Result<std::vector<PredictedRow>> Predict(const std::vector<nlohmann::json>& rows, bool contributions) const;
  // The booster's raw output for encoded rows (row-major, pipeline().width()
  // columns): what training computed for the holdout.
  Result<std::vector<float>> PredictEncoded(const std::vector<float>& matrix, size_t rows) const;

 private:
  Predictor() = default;
  FeaturePipeline pipeline_;
  TargetInfo target_;
  double threshold_ = 0.5;
  std::unique_ptr<Booster> booster_;
};

}  // namespace refinery::ml
