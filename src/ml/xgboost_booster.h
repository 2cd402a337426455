// The one adapter to XGBoost's C API. Only ml/xgboost_* files include
// <xgboost/c_api.h>; every call goes through one check that turns XGBoost's
// -1 into a Status carrying XGBGetLastError(), and handles live in move-only
// RAII types, so no XGBoost failure escapes as a crash or a leak.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/status.h"

namespace refinery::ml {

inline constexpr char kXGBoostErrorCode[] = "ML010";

// "1.7.4".
std::string XGBoostVersion();

// A dense float matrix (row-major, NaN = missing) handed to XGBoost.
class DMatrix {
 public:
  // `feature_types` holds "q" (numeric) or "c" (categorical code) per column.
  static Result<DMatrix> FromDense(const float* data, uint64_t rows, uint64_t cols,
                                   const std::vector<std::string>& feature_names,
                                   const std::vector<std::string>& feature_types, int nthread);
  ~DMatrix();
  DMatrix(DMatrix&& other) noexcept;
  DMatrix& operator=(DMatrix&& other) noexcept;
  DMatrix(const DMatrix&) = delete;
  DMatrix& operator=(const DMatrix&) = delete;

  Status SetLabels(const std::vector<float>& labels);
  void* handle() const { return handle_; }

 private:
  explicit DMatrix(void* handle) : handle_(handle) {}
  void* handle_ = nullptr;
};

enum class PredictKind {
  kValue = 0,          // probability / value (softprob: rows × classes)
  kMargin = 1,
  kContributions = 2,  // rows × (cols + 1) [× classes]; last column is the bias
};

struct Prediction {
  std::vector<uint64_t> shape;
  std::vector<float> values;  // row-major over `shape`
};

class Booster {
 public:
  // A booster that trains on `cache` (the matrices evaluated during training).
  static Result<Booster> Create(const std::vector<const DMatrix*>& cache);
  // Loads the XGBoost JSON model text.
  static Result<Booster> LoadJson(const std::string& json);
  ~Booster();
  Booster(Booster&& other) noexcept;
  Booster& operator=(Booster&& other) noexcept;
  Booster(const Booster&) = delete;
  Booster& operator=(const Booster&) = delete;

  Status SetParam(const std::string& name, const std::string& value);
  Status UpdateOneIter(int iteration, const DMatrix& train);
  // Evaluation text as XGBoost prints it: "[3]\ttrain-auc:0.9\tvalid-auc:0.8".
  Result<std::string> EvalOneIter(int iteration, const std::vector<const DMatrix*>& matrices,
                                  const std::vector<std::string>& names);
  Result<int> BoostedRounds() const;
  // A new booster holding layers [begin, end).
  Result<Booster> Slice(int begin, int end) const;

  Result<Prediction> Predict(const DMatrix& matrix, PredictKind kind) const;
  Result<std::string> SaveJson() const;
  // Gain per feature name (only features used in a split appear).
  Result<std::map<std::string, double>> FeatureGain() const;

 private:
  explicit Booster(void* handle) : handle_(handle) {}
  void* handle_ = nullptr;
};

}  // namespace refinery::ml
