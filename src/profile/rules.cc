#include "profile/rules.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace refinery::profile {
namespace {

using nlohmann::json;

const std::vector<std::string>& Metrics() {
  static const std::vector<std::string> kMetrics = {"rows", "rows_change", "duplicate_rows", "duplicate_fraction",
                                                    "columns"};
  return kMetrics;
}

const std::vector<std::string>& Functions() {
  static const std::vector<std::string> kFunctions = {
      "count", "nulls", "null_fraction", "distinct", "min", "max", "mean", "stddev", "zeros", "negatives",
      "invalid", "disguised_missing", "p1", "p5", "p25", "p50", "p75", "p95", "p99", "psi",
      "null_fraction_change", "new_categories", "missing_categories"};
  return kFunctions;
}

const std::vector<std::string>& Comparisons() {
  static const std::vector<std::string> kComparisons = {">=", "<=", "==", "!=", ">", "<"};
  return kComparisons;
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

bool Contains(const std::vector<std::string>& items, const std::string& item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return text;
}

Status BadRule(std::string_view text, const std::string& what) {
  return Status::InvalidArgument("rule \"" + std::string(text) + "\": " + what, kBadRuleCode);
}

std::string FormatNumber(double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.6g", value);
  return buffer;
}

// Splits "<operand> <comparison> <number>" at the first comparison sign
// outside a quoted column name.
bool SplitAtComparison(std::string_view text, std::string_view* left, std::string* comparison, std::string_view* right) {
  char quote = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
      continue;
    }
    if (c == '`' || c == '"') {
      quote = c;
      continue;
    }
    if (c != '<' && c != '>' && c != '=' && c != '!') continue;
    const bool two = i + 1 < text.size() && text[i + 1] == '=';
    *comparison = std::string(text.substr(i, two ? 2 : 1));
    *left = Trim(text.substr(0, i));
    *right = Trim(text.substr(i + comparison->size()));
    return true;
  }
  return false;
}

Status ParseOperand(std::string_view text, std::string_view operand, Rule* rule) {
  const size_t open = operand.find('(');
  if (open == std::string_view::npos) {
    rule->operand = std::string(operand);
    if (!Contains(Metrics(), rule->operand)) {
      return BadRule(text, "unknown metric \"" + rule->operand + "\"; metrics: " + Join(Metrics()) +
                               "; functions of a column: " + Join(Functions()) + " (e.g. null_fraction(income))");
    }
    return Status::Ok();
  }
  rule->operand = std::string(Trim(operand.substr(0, open)));
  if (!Contains(Functions(), rule->operand)) {
    return BadRule(text, "unknown function \"" + rule->operand + "\"; functions: " + Join(Functions()));
  }
  if (operand.back() != ')') return BadRule(text, "missing \")\" after the column name");
  std::string_view column = Trim(operand.substr(open + 1, operand.size() - open - 2));
  if (column.size() >= 2 && (column.front() == '`' || column.front() == '"') && column.back() == column.front()) {
    column = column.substr(1, column.size() - 2);
  }
  if (column.empty()) return BadRule(text, "function " + rule->operand + " needs a column name, e.g. " + rule->operand + "(age)");
  rule->column = std::string(column);
  return Status::Ok();
}

// The member `key` of `object`, or null; a reference into `object`.
const json& Member(const json& object, const char* key) {
  static const json kNull;
  if (!object.is_object()) return kNull;
  const auto it = object.find(key);
  return it == object.end() ? kNull : *it;
}

// The profile may hold a previous run's drift, from a file anyone can edit:
// members of the wrong type are skipped, never thrown about.
const json* FindColumn(const json& list, const std::string& name) {
  if (!list.is_array()) return nullptr;
  for (const json& column : list) {
    const json& column_name = Member(column, "name");
    if (column_name.is_string() && column_name.get_ref<const std::string&>() == name) return &column;
  }
  return nullptr;
}

std::optional<double> Number(const json& value) {
  if (value.is_number()) return value.get<double>();
  return std::nullopt;
}

struct Observation {
  std::optional<double> value;
  std::string note;
  std::string where = {};
};

// `part-m-00001:3, column 2 ("age"): "abc"` for a column with invalid values.
std::string FirstInvalid(const json& column) {
  const json& first = Member(column, "first_invalid");
  const json& where = Member(first, "where");
  const json& value = Member(first, "value");
  if (!where.is_string()) return "";
  return where.get<std::string>() + (value.is_string() ? ": \"" + value.get<std::string>() + "\"" : "");
}

Observation DatasetMetric(const Rule& rule, const json& profile) {
  if (rule.operand == "columns") return {static_cast<double>(Member(profile, "columns").size()), ""};
  if (rule.operand == "rows_change") {
      const json& drift = Member(profile, "drift");
    if (!drift.is_object()) return {std::nullopt, "no previous profile to compare with"};
    return {Number(Member(drift, "rows_change")), "the previous profile had no rows"};
  }
  return {Number(Member(profile, rule.operand.c_str())), ""};
}

Observation DriftMetric(const Rule& rule, const json& profile) {
  const json& drift = Member(profile, "drift");
  if (!drift.is_object()) return {std::nullopt, "no previous profile to compare with"};
  const json* column = FindColumn(Member(drift, "columns"), rule.column);
  if (column == nullptr) return {std::nullopt, "the previous profile has no column " + rule.column};
  std::string key = rule.operand;
  if (key == "new_categories") key = "new_category_count";
  if (key == "missing_categories") key = "missing_category_count";
  const auto value = Number(Member(*column, key.c_str()));
  if (value) return {value, ""};
  if (rule.operand == "psi") return {std::nullopt, "no PSI for this column (id column, or its kind changed)"};
  return {std::nullopt, "category lists too long to compare (more than the stored limit), or not a categorical column"};
}

Observation ColumnMetric(const Rule& rule, const json& profile) {
  const json* column = FindColumn(Member(profile, "columns"), rule.column);
  if (column == nullptr) return {std::nullopt, "no column " + rule.column};
  const std::string& f = rule.operand;
  if (f == "disguised_missing") {
    double total = 0;
    for (const json& item : Member(*column, "disguised_missing")) total += Member(item, "count").is_number() ? Member(item, "count").get<double>() : 0.0;
    return {total, ""};
  }
  if (f.size() >= 2 && f[0] == 'p' && std::isdigit(static_cast<unsigned char>(f[1]))) {
    return {Number(Member(Member(*column, "quantiles"), f.c_str())), "not a numeric column, or no numbers in it"};
  }
  const auto value = Number(Member(*column, f.c_str()));
  const json& kind = Member(*column, "kind");
  if (f == "invalid" && value && *value > 0) return {value, "", FirstInvalid(*column)};
  return {value, value ? "" : f + " is not measured for a " + (kind.is_string() ? kind.get<std::string>() : "") + " column"};
}

bool Compare(double observed, const std::string& comparison, double threshold) {
  if (comparison == ">=") return observed >= threshold;
  if (comparison == "<=") return observed <= threshold;
  if (comparison == "==") return observed == threshold;
  if (comparison == "!=") return observed != threshold;
  if (comparison == ">") return observed > threshold;
  return observed < threshold;
}

bool IsDriftFunction(const std::string& name) {
  return name == "psi" || name == "null_fraction_change" || name == "new_categories" || name == "missing_categories";
}

}  // namespace

Result<Rule> ParseRule(std::string_view raw) {
  const std::string_view text = Trim(raw);
  Rule rule;
  rule.text = std::string(text);
  std::string_view left, right;
  if (!SplitAtComparison(text, &left, &rule.comparison, &right)) {
    return BadRule(text, "no comparison; write <operand> <comparison> <number>, e.g. rows >= 1000; comparisons: " +
                             Join(Comparisons()));
  }
  if (!Contains(Comparisons(), rule.comparison)) {
    return BadRule(text, "unknown comparison \"" + rule.comparison + "\"; comparisons: " + Join(Comparisons()));
  }
  if (left.empty()) return BadRule(text, "nothing before \"" + rule.comparison + "\"");
  REFINERY_RETURN_IF_ERROR(ParseOperand(text, left, &rule));
  const char* end = right.data() + right.size();
  auto [ptr, ec] = std::from_chars(right.data(), end, rule.threshold);
  if (right.empty() || ec != std::errc() || ptr != end || !std::isfinite(rule.threshold)) {
    return BadRule(text, "\"" + std::string(right) + "\" is not a number; the right side must be a number such as 0.1");
  }
  return rule;
}

Status CheckRuleColumn(const Rule& rule, const std::vector<std::string>& columns) {
  if (rule.column.empty() || Contains(columns, rule.column)) return Status::Ok();
  return BadRule(rule.text, "no column \"" + rule.column + "\" in the dataset; columns: " + Join(columns));
}

std::vector<RuleOutcome> EvaluateRules(const std::vector<Rule>& rules, const json& profile) {
  std::vector<RuleOutcome> outcomes;
  for (const Rule& rule : rules) {
    Observation observation;
    if (rule.column.empty()) {
      observation = DatasetMetric(rule, profile);
    } else if (IsDriftFunction(rule.operand)) {
      observation = DriftMetric(rule, profile);
    } else {
      observation = ColumnMetric(rule, profile);
    }
    RuleOutcome outcome;
    outcome.rule = rule;
    outcome.observed = observation.value;
    outcome.where = observation.where;
    if (observation.value) {
      outcome.passed = Compare(*observation.value, rule.comparison, rule.threshold);
    } else {
      outcome.note = observation.note;
    }
    outcomes.push_back(std::move(outcome));
  }
  return outcomes;
}

std::string DescribeOutcome(const RuleOutcome& outcome) {
  if (!outcome.observed) return outcome.rule.text + " (not measured: " + outcome.note + ")";
  const std::string first = outcome.where.empty() ? "" : "; the first at " + outcome.where;
  return outcome.rule.text + " (observed " + FormatNumber(*outcome.observed) + first + ")";
}

}  // namespace refinery::profile
