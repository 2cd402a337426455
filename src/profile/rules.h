// Quality rules (`<expect>` elements) and their evaluation against a
// profile.json object. The grammar (doc/actions/profile.md):
//
//   rule     := operand comparison number
//   operand  := metric | function "(" column ")"
//   metric   := rows | rows_change | duplicate_rows | duplicate_fraction | columns
//   function := count | nulls | null_fraction | distinct | min | max | mean | stddev
//             | zeros | negatives | invalid | disguised_missing
//             | p1 | p5 | p25 | p50 | p75 | p95 | p99
//             | psi | null_fraction_change | new_categories | missing_categories
//   column   := name | `any name` | "any name"
//   comparison := >= | <= | == | != | > | <
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace refinery::profile {

inline constexpr char kRuleFailedCode[] = "DQ001";  // at least one rule failed
inline constexpr char kBadRuleCode[] = "DQ002";     // a rule that cannot be read

struct Rule {
  std::string text;      // as written, trimmed
  std::string operand;   // metric or function name
  std::string column;    // "" for a metric
  std::string comparison;
  double threshold = 0;
};

// DQ002 naming the rule and listing the valid metrics, functions or comparisons.
Result<Rule> ParseRule(std::string_view text);
// DQ002 when the rule names a column the dataset lacks (listing the columns).
Status CheckRuleColumn(const Rule& rule, const std::vector<std::string>& columns);

struct RuleOutcome {
  Rule rule;
  bool passed = true;
  std::optional<double> observed;  // empty when it could not be measured
  std::string note;                // why it was not measured (e.g. no previous profile)
  std::string where;               // invalid(c): the first invalid value, `file:line, column n ("c"): "v"`
};

// Rules that cannot be measured (drift without a previous profile, a
// category list that was too long to keep) pass with a note.
std::vector<RuleOutcome> EvaluateRules(const std::vector<Rule>& rules, const nlohmann::json& profile);

// "null_fraction(income) <= 0.1 (observed 0.23)"; for invalid(c) also where
// the first invalid value is.
std::string DescribeOutcome(const RuleOutcome& outcome);

}  // namespace refinery::profile
