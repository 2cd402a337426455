// One column's statistics, accumulated value by value in bounded memory and
// rendered as the column object of profile.json (doc/formats/profile.md).
// Numeric columns (integer, decimal, float) get moments, quantiles, a
// histogram and decile bins for drift; every other column is categorical and
// gets value counts; id columns get only counts and distinct values. Values
// that disagree with the column's type (`abc` in an integer column, `2024-13`
// in a date column) are counted as invalid, the first with its file and line.
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

// Where a value was read: its data row (1-based over the whole dataset) and
// the file (an index into DatasetReader::files()) and line its row starts on.
// Only the first value a column cannot read keeps it.
struct ValueOrigin {
  int64_t row = 0;
  size_t file = 0;
  int64_t line = 0;  // 0 when the source has no lines
};

class ColumnAccumulator {
 public:
  // `number` is the column's 1-based position in the dataset (for messages).
  ColumnAccumulator(data::Column column, size_t number, bool is_id, const std::vector<std::string>* null_tokens,
                    const ColumnLimits& limits = {});

  void Add(std::string_view text, bool is_null, const ValueOrigin& origin);
  // Sorts the quantile sample; call once after the last Add.
  void Finish();
  // The column object (after Finish). `files` (DatasetReader::files()) names
  // the file of the first invalid value.
  nlohmann::json ToJson(const std::vector<std::string>& files = {}) const;
  // Fractions of the numeric values in (-inf, e0], (e0, e1], ..., (e_last, inf).
  std::vector<double> FractionsIn(const std::vector<double>& edges) const;

  ColumnKind kind() const { return kind_; }
  const data::Column& column() const { return column_; }

 private:
  void AddNumeric(std::string_view text, const ValueOrigin& origin);
  void AddText(std::string_view text, const ValueOrigin& origin);
  void CountInvalid(std::string_view text, const ValueOrigin& origin);
  nlohmann::json InvalidJson(const std::vector<std::string>& files) const;
  void CheckDisguisedText(std::string_view text);
  nlohmann::json NumericJson() const;
  nlohmann::json CategoricalJson() const;
  nlohmann::json Histogram() const;
  nlohmann::json DecileBins() const;

  data::Column column_;
  size_t number_;
  ColumnKind kind_;
  const std::vector<std::string>* null_tokens_;
  ColumnLimits limits_;

  int64_t count_ = 0;
  int64_t nulls_ = 0;
  DistinctCounter distinct_;
  std::vector<int64_t> disguised_;  // per DisguisedMissing* entry

  // Values the column's type cannot read (numbers, dates, times, booleans).
  int64_t invalid_ = 0;
  ValueOrigin first_invalid_;
  std::string first_invalid_value_;

  // Numeric.
  int64_t numbers_ = 0;
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
