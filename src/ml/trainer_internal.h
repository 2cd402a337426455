// Internal to ml/: the trainer's steps, exposed for unit tests.
#pragma once

#include <cstdint>
#include <optional>
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

// Rows after the cut-off validate. A cut-off or time value that is neither a
// number nor an ISO date ("YYYY-MM-DD[ HH:MM:SS]") is ML001/ML005. Returns
// the cut-off used, as epoch seconds (dates) or the number itself.
Result<double> SplitByTime(const Frame& frame, const LabeledRows& labeled, const TimeSplit& split,
                           double default_fraction, std::vector<size_t>* train, std::vector<size_t>* holdout);
// Epoch seconds of "YYYY-MM-DD", "YYYY-MM-DD HH:MM:SS[.fff]" or with 'T';
// a plain number as is; nullopt otherwise.
std::optional<double> TimeValue(const Value& value);

}  // namespace refinery::ml::internal
