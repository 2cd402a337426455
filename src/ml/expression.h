// Derived features: a row-level expression in SQL expression syntax, parsed
// once and evaluated against one row's values, by the same code at training
// and at prediction time. Supported: numbers, 'text', column names (bare or
// "quoted"), + - * / %, comparisons (= <> != < <= > >=), AND OR NOT,
// IS [NOT] NULL, CASE WHEN .. THEN .. [ELSE ..] END, and the functions
// coalesce, abs, log/ln, log10, exp, sqrt, power, least, greatest, round,
// floor, ceil, lower, upper, length. Nulls propagate as in SQL; a division by
// zero or the log of a non-positive number is null.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "ml/value.h"

namespace refinery::ml {

inline constexpr char kBadExpressionCode[] = "ML002";

class Expression {
 public:
  // InvalidArgument (ML002) naming the character position and what was expected.
  static Result<Expression> Parse(std::string_view text);

  const std::string& text() const { return text_; }
  // The columns the expression reads, in first-use order; Evaluate takes
  // their values in this order.
  const std::vector<std::string>& columns() const { return columns_; }
  // Never fails: type mismatches (text in arithmetic) give null.
  Value Evaluate(const Value* column_values) const;

  struct Node;

 private:
  std::string text_;
  std::vector<std::string> columns_;
  std::shared_ptr<const std::vector<Node>> nodes_;
  int root_ = 0;
};

}  // namespace refinery::ml
