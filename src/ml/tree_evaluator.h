// The serving-path evaluator: an XGBoost 1.7 JSON model (`Bundle::booster_json`)
// compiled once into flat node arrays and evaluated one encoded row at a time
// with the same float arithmetic as XGBoost's CPU predictor, so its output is
// XGBoost's bit for bit at a small fraction of the per-call cost of the C API.
//
// Handles gbtree (including random forests, num_parallel_tree > 1), dart and
// gblinear boosters with numeric and native categorical splits, multiclass
// tree groups, and the objectives whose transform it knows (see
// tree_evaluator.cc). Anything else is ML006 from Compile, and the caller
// keeps using XGBoost.
//
// Thread safety: a compiled evaluator is immutable; any number of threads may
// call Margins/Predict on one evaluator at the same time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace refinery::ml {

class TreeEvaluator {
 public:
  // Compiles XGBoost's JSON model text. ML006 naming the key when the model is
  // malformed or uses a booster or objective this evaluator cannot reproduce.
  static Result<TreeEvaluator> Compile(const std::string& booster_json);

  // Encoded columns the model reads (learner_model_param.num_feature); a row
  // passed to Margins/Predict holds at least this many floats.
  size_t features() const { return features_; }
  // Margins per row: the number of classes (multiclass) or outputs, else 1.
  size_t groups() const { return groups_; }
  // Values per row from Predict: groups(), except multi:softmax (1, the class).
  size_t outputs() const { return objective_ == Objective::kSoftmax ? 1 : groups_; }
  const std::string& objective_name() const { return objective_name_; }

  // The raw margins of one row (NaN = missing) into out[groups()]: what
  // XGBoost's prediction type 1 (output_margin) gives.
  void Margins(const float* row, float* out) const;
  // The transformed prediction into out[outputs()]: probability (logistic,
  // softprob), value (regression) or class index (multi:softmax), as
  // XGBoost's default prediction type 0 gives it.
  void Predict(const float* row, float* out) const;
  // Predict for `count` rows `stride` floats apart, into out[count × outputs()].
  void PredictRows(const float* rows, size_t count, size_t stride, float* out) const;

  // One node of the flattened forest. The children of a node sit next to each
  // other (right = left + 1), so a step is `left + !goes_left`.
  struct Node {
    float value = 0;         // split threshold, or the leaf value (times the dart weight)
    uint32_t feature = 0;    // split column
    uint32_t left = 0;       // index of the left child in nodes_ (a leaf: itself)
    uint32_t flags = 0;      // kLeaf | kDefaultLeft | kCategorical, and the category set's offset
  };
  static constexpr uint32_t kLeaf = 1u << 31;
  static constexpr uint32_t kDefaultLeft = 1u << 30;
  static constexpr uint32_t kCategorical = 1u << 29;
  static constexpr uint32_t kOffsetMask = kCategorical - 1;

 private:
  enum class Objective { kIdentity, kLogistic, kExp, kSoftprob, kSoftmax };
  enum class Kind { kTrees, kLinear };

  TreeEvaluator() = default;
  uint32_t Step(uint32_t index, const float* row) const;
  float LeafValue(uint32_t root, const float* row) const;
  uint32_t GoesRight(const Node& node, float value) const;
  uint32_t CategoryGoesRight(const Node& node, float value) const;
  void TreeMargins(const float* row, float* out) const;
  void LinearMargins(const float* row, float* out) const;
  // margins[groups()] -> out[outputs()]; out may be margins (except multi:softmax).
  void Transform(float* margins, float* out) const;

  friend class TreeEvaluatorCompiler;

  Kind kind_ = Kind::kTrees;
  Objective objective_ = Objective::kIdentity;
  std::string objective_name_;
  size_t features_ = 0;
  size_t groups_ = 1;
  float base_margin_ = 0;
  // Trees: the roots in XGBoost's tree order, with each tree's output group.
  std::vector<Node> nodes_;
  std::vector<uint32_t> roots_;
  std::vector<uint32_t> tree_groups_;
  std::vector<uint32_t> tree_depths_;  // steps from the root to the deepest leaf
  // Category sets of categorical splits: at a node's offset, the word count,
  // then the bit words (bit c % 32 of word c / 32 set = category c goes right).
  std::vector<uint32_t> category_words_;
  // gblinear: weight of feature f for group g at f * groups_ + g; biases last.
  std::vector<float> weights_;
};

}  // namespace refinery::ml
