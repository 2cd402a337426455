// Internal to ml/: the trainer's steps, exposed for unit tests.
#pragma once

#include <cstdint>
#include <vector>

#include "ml/trainer.h"

namespace refinery::ml::internal {

// The rows that have a target, with their labels (class index or value).
struct LabeledRows {
  TargetInfo target;
  std::vector<uint32_t> rows;  // frame rows
  std::vector<float> labels;   // parallel to rows
  int64_t dropped = 0;         // rows without a target
};
Result<LabeledRows> LabelRows(const Frame& frame, const TrainSpec& spec);

// Indices into LabeledRows::rows, each ascending.
void SplitHoldout(const LabeledRows& labeled, double fraction, uint64_t seed, std::vector<size_t>* train,
                  std::vector<size_t>* holdout);

}  // namespace refinery::ml::internal
