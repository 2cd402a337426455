#include "ml/expression.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

namespace refinery::ml {
namespace {

// Evaluates `text` on a row given by name.
Value Eval(const std::string& text, const std::map<std::string, Value>& row = {}) {
  auto expression = Expression::Parse(text);
  EXPECT_TRUE(expression.ok()) << expression.status().ToString();
  if (!expression.ok()) return Value::Null();
  std::vector<Value> values;
  for (const std::string& column : expression->columns()) {
    auto found = row.find(column);
    values.push_back(found == row.end() ? Value::Null() : found->second);
  }
  return expression->Evaluate(values.data());
}

double Number(const std::string& text, const std::map<std::string, Value>& row = {}) {
  const Value v = Eval(text, row);
  EXPECT_TRUE(v.is_number()) << text;
  return v.number;
}

TEST(Expression, ArithmeticFollowsPrecedence) {
  EXPECT_EQ(Number("1 + 2 * 3"), 7);
  EXPECT_EQ(Number("(1 + 2) * 3"), 9);
  EXPECT_EQ(Number("-2 * 3 + 10 / 4"), -3.5);
  EXPECT_EQ(Number("7 % 4"), 3);
  EXPECT_EQ(Number("1.5e2"), 150);
}

TEST(Expression, ReadsColumns) {
  const std::map<std::string, Value> row = {{"balance", Value::Number(100)}, {"campaign", Value::Number(3)}};
  EXPECT_EQ(Number("balance / (campaign + 1)", row), 25);
  EXPECT_EQ(Number("\"balance\" - 1", row), 99);
}

TEST(Expression, CaseWhenPicksTheFirstTrueBranch) {
  const std::string text = "CASE WHEN pdays < 0 THEN 1 WHEN pdays < 100 THEN 2 ELSE 3 END";
  EXPECT_EQ(Number(text, {{"pdays", Value::Number(-1)}}), 1);
  EXPECT_EQ(Number(text, {{"pdays", Value::Number(50)}}), 2);
  EXPECT_EQ(Number(text, {{"pdays", Value::Number(500)}}), 3);
  // A null condition is not true.
  EXPECT_EQ(Number(text, {{"pdays", Value::Null()}}), 3);
  EXPECT_TRUE(Eval("CASE WHEN x > 1 THEN 1 END", {{"x", Value::Number(0)}}).is_null());
}

TEST(Expression, NullsPropagateAsInSql) {
  EXPECT_TRUE(Eval("x + 1").is_null());
  EXPECT_TRUE(Eval("x = 1").is_null());
  EXPECT_TRUE(Eval("1 / 0").is_null());
  EXPECT_EQ(Number("x IS NULL"), 1);
  EXPECT_EQ(Number("x IS NOT NULL"), 0);
  EXPECT_EQ(Number("coalesce(x, y, 7)"), 7);
  EXPECT_EQ(Number("x > 1 OR 1 = 1"), 1);   // decisive side wins over null
  EXPECT_EQ(Number("x > 1 AND 1 = 0"), 0);
  EXPECT_TRUE(Eval("x > 1 AND 1 = 1").is_null());
}

TEST(Expression, ComparesTextAndNumbers) {
  EXPECT_EQ(Number("job = 'admin.'", {{"job", Value::Text("admin.")}}), 1);
  EXPECT_EQ(Number("job <> 'admin.'", {{"job", Value::Text("retired")}}), 1);
  EXPECT_EQ(Number("'10' = 10"), 1);
  EXPECT_EQ(Number("NOT (2 >= 3)"), 1);
  EXPECT_EQ(Number("'it''s' = 'it''s'"), 1);
}

TEST(Expression, Functions) {
  EXPECT_EQ(Number("abs(-3)"), 3);
  EXPECT_DOUBLE_EQ(Number("log(exp(2))"), 2);
  EXPECT_DOUBLE_EQ(Number("log(2, 8)"), 3);
  EXPECT_EQ(Number("log10(1000)"), 3);
  EXPECT_EQ(Number("sqrt(16)"), 4);
  EXPECT_EQ(Number("power(2, 10)"), 1024);
  EXPECT_EQ(Number("least(3, 1, 2)"), 1);
  EXPECT_EQ(Number("greatest(3, 1, 2)"), 3);
  EXPECT_EQ(Number("round(2.567, 2)"), 2.57);
  EXPECT_EQ(Number("floor(2.5) + ceil(2.5)"), 5);
  EXPECT_EQ(Number("length('abc')"), 3);
  EXPECT_EQ(Eval("upper('ab')").text, "AB");
  EXPECT_TRUE(Eval("log(0)").is_null());
  EXPECT_TRUE(Eval("sqrt(-1)").is_null());
  EXPECT_TRUE(Eval("abs('x')").is_null());
}

TEST(Expression, ListsColumnsOnce) {
  auto e = Expression::Parse("a + b * a");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->columns(), (std::vector<std::string>{"a", "b"}));
}

TEST(Expression, ErrorsNameThePositionAndWhatWasExpected) {
  struct Case {
    const char* text;
    const char* message;
  } cases[] = {
      {"1 +", "expected a value at the end"},
      {"(1 + 2", "expected ')'"},
      {"CASE 1 END", "expected WHEN after CASE"},
      {"CASE WHEN 1 THEN 2", "expected END"},
      {"frobnicate(1)", "unknown function 'frobnicate'; known functions: abs,"},
      {"power(1)", "power() takes 2 argument(s), got 1"},
      {"1 $ 2", "at character 3: unexpected character '$'"},
      {"'open", "unterminated '"},
      {"", "expected a value"},
  };
  for (const Case& c : cases) {
    auto e = Expression::Parse(c.text);
    ASSERT_FALSE(e.ok()) << c.text;
    EXPECT_EQ(e.status().error_code(), kBadExpressionCode);
    EXPECT_NE(e.status().message().find(c.message), std::string::npos) << c.text << " -> " << e.status().message();
  }
}

TEST(Value, FormatsNumbersShortestFirst) {
  EXPECT_EQ(FormatNumber(1), "1");
  EXPECT_EQ(FormatNumber(0.1), "0.1");
  EXPECT_EQ(FormatNumber(-2.5), "-2.5");
  double x = 0;
  EXPECT_TRUE(ParseNumber("1e3", &x));
  EXPECT_EQ(x, 1000);
  EXPECT_FALSE(ParseNumber("12abc", &x));
  EXPECT_FALSE(ParseNumber("", &x));
}

}  // namespace
}  // namespace refinery::ml
