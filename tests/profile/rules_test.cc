#include "profile/rules.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace refinery::profile {
namespace {

using ::testing::HasSubstr;
using nlohmann::json;

struct GoodCase {
  std::string text, operand, column, comparison;
  double threshold;
};

TEST(ParseRule, ReadsEveryExampleOfTheIssue) {
  const GoodCase cases[] = {
      {"rows >= 1000", "rows", "", ">=", 1000},
      {"null_fraction(income) <= 0.1", "null_fraction", "income", "<=", 0.1},
      {"distinct(y) == 2", "distinct", "y", "==", 2},
      {"psi(age) <= 0.2", "psi", "age", "<=", 0.2},
      {"rows_change >= -0.5", "rows_change", "", ">=", -0.5},
      {"new_categories(job) == 0", "new_categories", "job", "==", 0},
      {"  mean( `monthly charges` )<100  ", "mean", "monthly charges", "<", 100},
      {"p99(\"a<b\") != 1e3", "p99", "a<b", "!=", 1000},
  };
  for (const GoodCase& c : cases) {
    auto rule = ParseRule(c.text);
    ASSERT_TRUE(rule.ok()) << c.text << ": " << rule.status().ToString();
    EXPECT_EQ(rule->operand, c.operand) << c.text;
    EXPECT_EQ(rule->column, c.column) << c.text;
    EXPECT_EQ(rule->comparison, c.comparison) << c.text;
    EXPECT_DOUBLE_EQ(rule->threshold, c.threshold) << c.text;
  }
}

TEST(ParseRule, BadRulesNameTheRuleAndTheValidChoices) {
  const std::pair<std::string, std::string> cases[] = {
      {"rows", "no comparison"},
      {"rowz >= 1", "unknown metric \"rowz\"; metrics: rows, rows_change"},
      {"nul_fraction(x) <= 1", "unknown function \"nul_fraction\"; functions: count, nulls, null_fraction"},
      {"rows => 1", "unknown comparison \"=\""},
      {"rows >= many", "\"many\" is not a number"},
      {"distinct() == 2", "needs a column name"},
      {"distinct(y == 2", "missing \")\""},
  };
  for (const auto& [text, message] : cases) {
    auto rule = ParseRule(text);
    ASSERT_FALSE(rule.ok()) << text;
    EXPECT_EQ(rule.status().error_code(), kBadRuleCode);
    EXPECT_THAT(rule.status().message(), HasSubstr("rule \"" + text + "\"")) << text;
    EXPECT_THAT(rule.status().message(), HasSubstr(message)) << text;
  }
}

TEST(CheckRuleColumn, ListsTheDatasetColumns) {
  auto rule = ParseRule("null_fraction(incme) <= 0.1");
  ASSERT_TRUE(rule.ok());
  const Status status = CheckRuleColumn(*rule, {"age", "income"});
  EXPECT_EQ(status.error_code(), kBadRuleCode);
  EXPECT_THAT(status.message(), HasSubstr("no column \"incme\" in the dataset; columns: age, income"));
}

json SampleProfile() {
  return json::parse(R"({
    "rows": 1200, "duplicate_rows": 3, "duplicate_fraction": 0.0025,
    "columns": [
      {"name": "income", "kind": "numeric", "count": 1000, "nulls": 200, "null_fraction": 0.1666,
       "distinct": 900, "mean": 52.5, "quantiles": {"p50": 50.0}, "disguised_missing": [{"value": -1, "count": 4}]},
      {"name": "y", "kind": "categorical", "count": 1200, "nulls": 0, "null_fraction": 0, "distinct": 2}
    ],
    "drift": {"rows_change": -0.6, "columns": [
      {"name": "income", "psi": 0.35, "null_fraction_change": 0.1, "new_category_count": null},
      {"name": "y", "psi": 0.01, "new_category_count": 1, "missing_category_count": 0}
    ]}
  })");
}

TEST(EvaluateRules, ReportsObservedValuesOfFailedRules) {
  std::vector<Rule> rules;
  for (const char* text : {"rows >= 1000", "null_fraction(income) <= 0.1", "distinct(y) == 2", "psi(income) <= 0.2",
                           "rows_change >= -0.5", "new_categories(y) == 0", "p50(income) > 10",
                           "disguised_missing(income) == 0"}) {
    rules.push_back(*ParseRule(text));
  }
  const auto outcomes = EvaluateRules(rules, SampleProfile());
  ASSERT_EQ(outcomes.size(), rules.size());
  const bool expected[] = {true, false, true, false, false, false, true, false};
  for (size_t i = 0; i < outcomes.size(); ++i) EXPECT_EQ(outcomes[i].passed, expected[i]) << rules[i].text;
  EXPECT_EQ(DescribeOutcome(outcomes[1]), "null_fraction(income) <= 0.1 (observed 0.1666)");
  EXPECT_EQ(DescribeOutcome(outcomes[4]), "rows_change >= -0.5 (observed -0.6)");
  EXPECT_EQ(DescribeOutcome(outcomes[7]), "disguised_missing(income) == 0 (observed 4)");
}

TEST(EvaluateRules, FailedInvalidRuleNamesTheFirstInvalidValue) {
  json profile = SampleProfile();
  profile["columns"][0]["invalid"] = 3;
  profile["columns"][0]["first_invalid"] = {{"where", "part-m-00001:3, column 1 (\"income\")"}, {"value", "abc"}};
  const auto outcomes = EvaluateRules({*ParseRule("invalid(income) == 0")}, profile);
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_FALSE(outcomes[0].passed);
  EXPECT_EQ(DescribeOutcome(outcomes[0]),
            "invalid(income) == 0 (observed 3; the first at part-m-00001:3, column 1 (\"income\"): \"abc\")");
}

// Found by fuzz/profile_rules_fuzz: a column name that is not a string threw.
TEST(EvaluateRules, MembersOfTheWrongTypeAreNotMeasuredNotThrown) {
  const json profile = json::parse(R"({"rows": "many", "columns": [{"name": 5}, {"name": "y", "distinct": "2"}],
                                       "drift": {"columns": 3}})");
  const auto outcomes = EvaluateRules({*ParseRule("distinct(y) == 2"), *ParseRule("rows >= 1"),
                                       *ParseRule("psi(y) <= 0.2")},
                                      profile);
  ASSERT_EQ(outcomes.size(), 3u);
  for (const auto& outcome : outcomes) EXPECT_FALSE(outcome.observed.has_value()) << outcome.rule.text;
}

TEST(EvaluateRules, DriftRulesPassWithANoteOnTheFirstProfile) {
  json profile = SampleProfile();
  profile["drift"] = nullptr;
  const auto outcomes = EvaluateRules({*ParseRule("psi(income) <= 0.2"), *ParseRule("rows_change >= -0.5")}, profile);
  for (const auto& outcome : outcomes) {
    EXPECT_TRUE(outcome.passed);
    EXPECT_FALSE(outcome.observed.has_value());
    EXPECT_THAT(outcome.note, HasSubstr("no previous profile"));
  }
}

}  // namespace
}  // namespace refinery::profile
