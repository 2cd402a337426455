// One column's statistics, accumulated value by value in bounded memory and
// rendered as the column object of profile.json (doc/formats/profile.md).
// Numeric columns (integer, decimal, float) get moments, quantiles, a
// histogram and decile bins for drift; every other column is categorical and
// gets value counts; id columns get only counts and distinct values.
// Not thread-safe: one accumulator is fed by one thread.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/table.h"
#include "profile/sketches.h"

namespace refinery::profile {

enum class ColumnKind { kNumeric, kCategorical, kId };

// Limits shared by every column (defaults as documented).
struct ColumnLimits {
  size_t exact_distinct = size_t{1} << 17;  // then HyperLogLog
  size_t exact_quantiles = 100000;          // then a reservoir sample of this size
  size_t value_counts = 10000;              // then Misra-Gries
  size_t top_values = 20;                   // listed in top_values
  size_t stored_categories = 1000;          // full category list kept up to this many
  int histogram_bins = 20;
};

// Text values that often stand for "missing" in a column that has no nulls
// (matched case-insensitively, after trimming spaces); numbers likewise.
const std::vector<std::string>& DisguisedMissingTexts();
const std::vector<double>& DisguisedMissingNumbers();

class ColumnAccumulator {
 public:
  ColumnAccumulator(data::Column column, bool is_id, const std::vector<std::string>* null_tokens,
                    const ColumnLimits& limits = {});

  // `row` (1-based) only names the first value a numeric column cannot read.
  void Add(std::string_view text, bool is_null, int64_t row);
  // Sorts the quantile sample; call once after the last Add.
  void Finish();
  // The column object (after Finish).
  nlohmann::json ToJson() const;
  // Fractions of the numeric values in (-inf, e0], (e0, e1], ..., (e_last, inf).
  std::vector<double> FractionsIn(const std::vector<double>& edges) const;

  ColumnKind kind() const { return kind_; }
  const data::Column& column() const { return column_; }

 private:
  void AddNumeric(std::string_view text, int64_t row);
  void AddText(std::string_view text);
  void CheckDisguisedText(std::string_view text);
  nlohmann::json NumericJson() const;
  nlohmann::json CategoricalJson() const;
  nlohmann::json Histogram() const;
  nlohmann::json DecileBins() const;

  data::Column column_;
  ColumnKind kind_;
  const std::vector<std::string>* null_tokens_;
  ColumnLimits limits_;

  int64_t count_ = 0;
  int64_t nulls_ = 0;
  DistinctCounter distinct_;
  std::vector<int64_t> disguised_;  // per DisguisedMissing* entry

  // Numeric.
  int64_t numbers_ = 0;
  int64_t invalid_ = 0;
  int64_t first_invalid_row_ = 0;
  std::string first_invalid_value_;
  double shift_ = 0;  // first value: sums are taken of (x - shift) for stability
  double sum_ = 0;
  double sum_squares_ = 0;
  double min_ = 0;
  double max_ = 0;
  int64_t zeros_ = 0;
  int64_t negatives_ = 0;
  QuantileSample sample_;

  // Categorical.
  FrequentValues values_;
  bool distinct_seeded_ = false;  // distinct_ counts text values (else values_ does)
  std::string min_text_;
  std::string max_text_;
};

}  // namespace refinery::profile
