// ml: the native training path — a raw row becomes features through one
// feature pipeline (expressions, imputation, category codes), XGBoost trains
// on them, metrics judge the holdout, and a versioned bundle carries booster,
// pipeline, metrics and lineage so a predictor built from it can never
// disagree with training. This header holds the one value type raw rows,
// expressions and the pipeline share.
#pragma once

#include <cmath>
#include <string>
#include <string_view>

namespace refinery::ml {

// A raw cell: null, a number or text. Booleans are numbers 1/0.
struct Value {
  enum class Kind { kNull, kNumber, kText };
  Kind kind = Kind::kNull;
  double number = 0;
  std::string text;

  static Value Null() { return Value(); }
  static Value Number(double n) {
    Value v;
    if (std::isnan(n)) return v;
    v.kind = Kind::kNumber;
    v.number = n;
    return v;
  }
  static Value Text(std::string t) {
    Value v;
    v.kind = Kind::kText;
    v.text = std::move(t);
    return v;
  }
  bool is_null() const { return kind == Kind::kNull; }
  bool is_number() const { return kind == Kind::kNumber; }
  bool is_text() const { return kind == Kind::kText; }
};

// Shortest text that reads back as `number` ("1", "0.5", "1e+20").
std::string FormatNumber(double number);
// Parses a whole decimal number ("12", "-0.5", "1e3"); false otherwise.
bool ParseNumber(std::string_view text, double* out);

}  // namespace refinery::ml
