// Parsing and evaluation: literals, operators, precedence, composite text,
// escapes, errors and limits.
#include <chrono>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "el/el.h"
#include "el_test_util.h"

namespace refinery::el {
namespace {

using ::testing::HasSubstr;
using testing::ElHarness;

struct Case {
  const char* input;
  const char* expected;
};

void ExpectAll(const ElHarness& el, const std::vector<Case>& cases) {
  for (const Case& c : cases) EXPECT_EQ(el.Text(c.input), c.expected) << "input: " << c.input;
}

TEST(ElParser, LiteralsEvaluateToTheirJavaText) {
  ElHarness el;
  ExpectAll(el, {
                    {"${true}", "true"},
                    {"${false}", "false"},
                    {"${null}", ""},
                    {"${42}", "42"},
                    {"${0}", "0"},
                    {"${9223372036854775807}", "9223372036854775807"},
                    {"${2.5}", "2.5"},
                    {"${3.}", "3.0"},
                    {"${.5}", "0.5"},
                    {"${1e3}", "1000.0"},
                    {"${1.5E-5}", "1.5E-5"},
                    {"${'single'}", "single"},
                    {"${\"double\"}", "double"},
                    {"${''}", ""},
                });
}

TEST(ElParser, StringLiteralsDecodeBackslashEscapes) {
  ElHarness el;
  ExpectAll(el, {
                    {R"(${'it\'s'})", "it's"},
                    {R"(${"say \"hi\""})", "say \"hi\""},
                    {R"(${'back\\slash'})", "back\\slash"},
                    {R"(${"mixed \' quote"})", "mixed ' quote"},
                    {R"(${'brace } inside'})", "brace } inside"},
                });
}

TEST(ElParser, RejectsUnknownStringEscapeNamingTheColumn) {
  ElHarness el;
  EXPECT_THAT(el.Error(R"(${'a\nb'})"), HasSubstr("column 5: invalid escape '\\n'"));
}

TEST(ElParser, IntegerLiteralTooLargeForALongIsAnError) {
  ElHarness el;
  EXPECT_THAT(el.Error("${9223372036854775808}"), HasSubstr("column 3: integer literal too large"));
}

TEST(ElParser, TextWithoutExpressionsIsReturnedUnchanged) {
  ElHarness el;
  ExpectAll(el, {
                    {"", ""},
                    {"plain text", "plain text"},
                    {"cost $5 {not el}", "cost $5 {not el}"},
                    {"trailing $", "trailing $"},
                    {"back\\slash \\n kept", "back\\slash \\n kept"},
                });
}

TEST(ElParser, CompositeTextMixesLiteralsAndExpressions) {
  ElHarness el;
  el.Set("a", Value::String("A"));
  el.Set("b", Value::String("B"));
  ExpectAll(el, {
                    {"${a}${b}", "AB"},
                    {"x-${a}-y-${b}-z", "x-A-y-B-z"},
                    {"$${a}", "$A"},
                    {"${a}}", "A}"},
                    {"/user/${a}/${1+1}/", "/user/A/2/"},
                });
}

TEST(ElParser, BackslashDollarBraceIsALiteralDollarBrace) {
  ElHarness el;
  el.Set("a", Value::String("A"));
  ExpectAll(el, {
                    {"\\${a}", "${a}"},
                    {"\\${a} and ${a}", "${a} and A"},
                    {"\\$a", "\\$a"},
                });
}

TEST(ElParser, WhitespaceInsideExpressionsIsIgnored) {
  ElHarness el;
  el.Set("a", Value::Int(3));
  EXPECT_EQ(el.Text("${ a\t+\n4 }"), "7");
}

TEST(ElParser, ParseErrorNamesColumnAndToken) {
  const Result<Template> t = Parse("${concat(a,b}");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().error_code(), "EL_ERROR");
  EXPECT_EQ(t.status().ToString(), "EL_ERROR: column 13: expected ')' but found '}' in \"${concat(a,b}\"");
}

TEST(ElParser, ParseErrorsDescribeWhatWasExpected) {
  ElHarness el;
  EXPECT_THAT(el.Error("${}"), HasSubstr("column 3: expected an expression but found '}'"));
  EXPECT_THAT(el.Error("${a"), HasSubstr("column 4: expected '}' but found end of text"));
  EXPECT_THAT(el.Error("${a b}"), HasSubstr("column 5: expected '}' but found identifier 'b'"));
  EXPECT_THAT(el.Error("${1 +}"), HasSubstr("column 6: expected an expression but found '}'"));
  EXPECT_THAT(el.Error("${(1}"), HasSubstr("column 5: expected ')' but found '}'"));
  EXPECT_THAT(el.Error("${a[1}"), HasSubstr("column 6: expected ']' but found '}'"));
  EXPECT_THAT(el.Error("${true ? 1}"), HasSubstr("column 11: expected ':' but found '}'"));
  EXPECT_THAT(el.Error("${a.1}"), HasSubstr("column 4: expected '}' but found '.1'"));
  EXPECT_THAT(el.Error("${a. }"), HasSubstr("column 6: expected a property name after '.' but found '}'"));
  EXPECT_THAT(el.Error("${'open}"), HasSubstr("column 3: unterminated string literal"));
  EXPECT_THAT(el.Error("${a = b}"), HasSubstr("column 5: unexpected '=' (did you mean '=='?)"));
  EXPECT_THAT(el.Error("${a & b}"), HasSubstr("unexpected '&'"));
  EXPECT_THAT(el.Error("${a # b}"), HasSubstr("column 5: unexpected character '#'"));
  EXPECT_THAT(el.Error("${a instanceof b}"), HasSubstr("'instanceof' is a reserved word"));
}

TEST(ElParser, ParseErrorOnALaterLineNamesLineAndColumn) {
  ElHarness el;
  EXPECT_THAT(el.Error("first line\nsecond ${ 1 + }"), HasSubstr("line 2, column 15: expected an expression"));
}

TEST(ElParser, ParseErrorQuotesOnlyTheBrokenExpression) {
  ElHarness el;
  EXPECT_THAT(el.Error("${a} then ${b c} tail"), HasSubstr("in \"${b c}\""));
}

TEST(ElParser, DeepParenthesesAreAnErrorNotACrash) {
  const std::string deep = "${" + std::string(100000, '(') + "1" + std::string(100000, ')') + "}";
  const Result<Template> t = Parse(deep);
  ASSERT_FALSE(t.ok());
  EXPECT_THAT(t.status().ToString(), HasSubstr("nested more than 200 levels"));
}

TEST(ElParser, DeepUnaryChainsAreAnErrorNotACrash) {
  EXPECT_FALSE(Parse("${" + std::string(100000, '!') + "true}").ok());
  EXPECT_FALSE(Parse("${" + std::string(100000, '-') + "1}").ok());
}

TEST(ElParser, LongOperatorChainsAreBoundedToo) {
  std::string chain = "${1";
  for (int i = 0; i < 100000; ++i) chain += "+1";
  chain += "}";
  const Result<Template> t = Parse(chain);
  ASSERT_FALSE(t.ok());
  EXPECT_THAT(t.status().ToString(), HasSubstr("nested more than 200 levels"));
}

TEST(ElParser, ModeratelyNestedExpressionsStillWork) {
  ElHarness el;
  const std::string nested = "${" + std::string(50, '(') + "1" + std::string(50, ')') + "}";
  EXPECT_EQ(el.Text(nested), "1");
  std::string chain = "${1";
  for (int i = 0; i < 100; ++i) chain += "+1";
  EXPECT_EQ(el.Text(chain + "}"), "101");
}

TEST(ElEvaluator, IntegerArithmeticStaysLong) {
  ElHarness el;
  ExpectAll(el, {
                    {"${1+2}", "3"},
                    {"${7-10}", "-3"},
                    {"${6*7}", "42"},
                    {"${7%3}", "1"},
                    {"${7 mod 3}", "1"},
                    {"${-7 % 3}", "-1"},
                    {"${9223372036854775807 + 1}", "-9223372036854775808"},
                });
}

TEST(ElEvaluator, DivisionProducesFloatingPoint) {
  ElHarness el;
  ExpectAll(el, {
                    {"${10/4}", "2.5"},
                    {"${10 div 4}", "2.5"},
                    {"${8/4}", "2.0"},
                    {"${1/0}", "Infinity"},
                    {"${-1/0}", "-Infinity"},
                    {"${0/0}", "NaN"},
                    {"${1e10/1}", "1.0E10"},
                });
}

TEST(ElEvaluator, FloatingOperandMakesArithmeticFloatingPoint) {
  ElHarness el;
  ExpectAll(el, {
                    {"${1.5+1}", "2.5"},
                    {"${2*1.5}", "3.0"},
                    {"${5.5%2}", "1.5"},
                    {"${'1.5' + 1}", "2.5"},
                    {"${'1e2' + 0}", "100.0"},
                });
}

TEST(ElEvaluator, IntegerModuloByZeroIsAnError) {
  ElHarness el;
  EXPECT_THAT(el.Error("${5 % 0}"), HasSubstr("EL_ERROR: operator [%]: division by zero"));
  EXPECT_EQ(el.Text("${5.0 % 0}"), "NaN");
}

TEST(ElEvaluator, StringsCoerceToNumbersInArithmetic) {
  ElHarness el;
  el.Set("n", Value::String("40"));
  ExpectAll(el, {
                    {"${n + 2}", "42"},
                    {"${'3' * '4'}", "12"},
                    {"${'' + 5}", "5"},
                    {"${'-3' - 1}", "-4"},
                    {"${'+3' - 1}", "2"},
                });
}

TEST(ElEvaluator, PlusIsNumericOnly) {
  ElHarness el;
  EXPECT_THAT(el.Error("${'a' + 'b'}"), HasSubstr("operator [+]: cannot convert \"a\" to a long"));
  EXPECT_THAT(el.Error("${'1.x' + 1}"), HasSubstr("cannot convert \"1.x\" to a double"));
}

TEST(ElEvaluator, NullIsZeroInArithmetic) {
  ElHarness el;
  ExpectAll(el, {
                    {"${null + null}", "0"},
                    {"${null + 1}", "1"},
                    {"${null * 2.5}", "0.0"},
                    {"${-null}", "0"},
                    {"${null / null}", "0"},
                });
}

TEST(ElEvaluator, BooleansAreNotNumbers) {
  ElHarness el;
  EXPECT_THAT(el.Error("${true + 1}"), HasSubstr("cannot convert boolean true to a number"));
  EXPECT_THAT(el.Error("${-true}"), HasSubstr("operator [-]: cannot negate true"));
}

TEST(ElEvaluator, UnaryMinusKeepsTheOperandType) {
  ElHarness el;
  ExpectAll(el, {
                    {"${-5}", "-5"},
                    {"${- -5}", "5"},
                    {"${-2.5}", "-2.5"},
                    {"${-'7'}", "-7"},
                    {"${-'7.5'}", "-7.5"},
                    {"${-0.0}", "-0.0"},
                });
}

TEST(ElEvaluator, RelationalOperatorsHaveWordAliases) {
  ElHarness el;
  ExpectAll(el, {
                    {"${1 < 2}", "true"},   {"${1 lt 2}", "true"},   {"${2 > 1}", "true"},
                    {"${2 gt 1}", "true"},  {"${2 <= 2}", "true"},   {"${3 le 2}", "false"},
                    {"${2 >= 3}", "false"}, {"${3 ge 3}", "true"},   {"${1 == 1}", "true"},
                    {"${1 eq 2}", "false"}, {"${1 != 1}", "false"}, {"${1 ne 2}", "true"},
                });
}

TEST(ElEvaluator, RelationalComparesNumbersStringsAndBooleans) {
  ElHarness el;
  ExpectAll(el, {
                    {"${1 < 1.5}", "true"},
                    {"${'10' > 9}", "true"},
                    {"${'abc' < 'abd'}", "true"},
                    {"${'b' > 'abc'}", "true"},
                    {"${false < true}", "true"},
                    {"${null < 1}", "false"},
                    {"${null > 1}", "false"},
                    {"${null <= null}", "true"},
                    {"${null < null}", "false"},
                });
  EXPECT_THAT(el.Error("${'abc' < true}"), HasSubstr("operator [<]: cannot compare \"abc\" with true"));
  EXPECT_THAT(el.Error("${'x' < 1}"), HasSubstr("cannot convert \"x\" to a long"));
}

TEST(ElEvaluator, EqualityCoercesPerJspRules) {
  ElHarness el;
  el.Set("flag", Value::Bool(true));
  ExpectAll(el, {
                    {"${1 == 1.0}", "true"},
                    {"${1 == '1'}", "true"},
                    {"${'2.0' == 2.0}", "true"},
                    {"${flag == 'true'}", "true"},
                    {"${flag == 'TRUE'}", "true"},
                    {"${flag == 'yes'}", "false"},
                    {"${'a' == 'a'}", "true"},
                    {"${'a' eq 'b'}", "false"},
                    {"${null == null}", "true"},
                    {"${null == ''}", "false"},
                    {"${null != 1}", "true"},
                    {"${'' == 0}", "true"},
                    {"${0/0 == 0/0}", "false"},
                });
  EXPECT_THAT(el.Error("${1 == 'one'}"), HasSubstr("operator [==]: cannot convert \"one\" to a long"));
}

TEST(ElEvaluator, LogicalOperatorsShortCircuit) {
  ElHarness el;
  ExpectAll(el, {
                    {"${true && true}", "true"},
                    {"${true and false}", "false"},
                    {"${false || true}", "true"},
                    {"${false or false}", "false"},
                    {"${!true}", "false"},
                    {"${not false}", "true"},
                    // The right side would fail if it ran.
                    {"${false && undefined}", "false"},
                    {"${true || undefined}", "true"},
                    {"${'true' and 'TRUE'}", "true"},
                    {"${null || ''}", "false"},
                });
  EXPECT_THAT(el.Error("${true && undefined}"), HasSubstr("variable [undefined] cannot be resolved"));
  EXPECT_THAT(el.Error("${1 && true}"), HasSubstr("operator [&&]: cannot convert 1 to a boolean"));
}

TEST(ElEvaluator, EmptyIsTrueForNullEmptyStringsAndEmptyMaps) {
  ElHarness el;
  el.Set("none", Value::Map({}));
  el.Set("some", Value::Map({{"k", Value::String("v")}}));
  ExpectAll(el, {
                    {"${empty null}", "true"},
                    {"${empty ''}", "true"},
                    {"${empty 'x'}", "false"},
                    {"${empty 0}", "false"},
                    {"${empty none}", "true"},
                    {"${empty some}", "false"},
                    {"${not empty some}", "true"},
                    {"${empty some.missing}", "true"},
                });
}

TEST(ElEvaluator, TernaryEvaluatesOnlyTheChosenBranch) {
  ElHarness el;
  ExpectAll(el, {
                    {"${true ? 'yes' : 'no'}", "yes"},
                    {"${false ? 'yes' : 'no'}", "no"},
                    {"${'true' ? 1 : undefined}", "1"},
                    {"${false ? 1 : true ? 2 : 3}", "2"},
                    {"${1 > 2 ? 'a' : 'b'}", "b"},
                });
  EXPECT_THAT(el.Error("${5 ? 1 : 2}"), HasSubstr("cannot convert 5 to a boolean"));
}

TEST(ElEvaluator, PrecedenceFollowsJspEl) {
  ElHarness el;
  ExpectAll(el, {
                    {"${1 + 2 * 3}", "7"},
                    {"${(1 + 2) * 3}", "9"},
                    {"${10 - 2 - 3}", "5"},
                    {"${2 * 3 % 4}", "2"},
                    {"${-2 * 3}", "-6"},
                    {"${1 + 1 == 2}", "true"},
                    {"${1 < 2 == true}", "true"},
                    {"${true || false && false}", "true"},
                    {"${!false && false}", "false"},
                    {"${1 + 1 > 1 ? 'big' : 'small'}", "big"},
                    {"${empty '' && true}", "true"},
                });
}

TEST(ElEvaluator, IndexingReadsMapsByBracketOrDot) {
  ElHarness el;
  el.Set("m", Value::Map({{"key", Value::String("v")},
                          {"a.b", Value::String("dotted")},
                          {"inner", Value::Map({{"x", Value::Int(5)}})}}));
  ExpectAll(el, {
                    {"${m['key']}", "v"},
                    {"${m[\"key\"]}", "v"},
                    {"${m.key}", "v"},
                    {"${m['a.b']}", "dotted"},
                    {"${m.inner.x + 1}", "6"},
                    {"${m['inner']['x']}", "5"},
                    {"${m['missing']}", ""},
                    {"${m.missing.deeper}", ""},
                    {"${m[null]}", ""},
                    {"${m[1]}", ""},
                    {"${null.x}", ""},
                    {"${m['k' == 'k' ? 'key' : 'x']}", "v"},
                });
  EXPECT_THAT(el.Error("${'abc'.length}"), HasSubstr("unable to find a value for [length] in \"abc\""));
}

TEST(ElEvaluator, UndefinedVariableIsAnError) {
  ElHarness el;
  const Result<std::string> r = el.Eval("${foo}");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().error_code(), "EL_ERROR");
  EXPECT_THAT(r.status().message(), HasSubstr("variable [foo] cannot be resolved"));
}

TEST(ElEvaluator, NoVariableResolverMeansEveryVariableIsUndefined) {
  const Result<std::string> r = Evaluate("${x}", Context{});
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("variable [x] cannot be resolved"));
}

TEST(ElEvaluator, IdentifiersMayHoldDollarsUnderscoresAndDigits) {
  ElHarness el;
  el.Set("$a_1", Value::String("ok"));
  EXPECT_EQ(el.Text("${$a_1}"), "ok");
}

TEST(ElEvaluator, HyphenatedNamesAreSubtraction) {
  ElHarness el;
  el.Set("my", Value::Int(5));
  el.Set("var", Value::Int(2));
  EXPECT_EQ(el.Text("${my-var}"), "3");
}

TEST(ElEvaluator, BareAndPrefixedFunctionsAreCalled) {
  ElHarness el;
  el.Set("a", Value::String("A"));
  el.functions()->Register("a:a", 0, 0, [](const std::vector<Value>&) -> Result<Value> {
    return Value::String("a");
  });
  EXPECT_EQ(el.Text("${a}${a:a()}"), "Aa");
  EXPECT_EQ(el.Text("${concat('x', 'y')}"), "xy");
  EXPECT_EQ(el.Text("${a:a ()}"), "a");
}

TEST(ElEvaluator, QualifiedNameWithoutParenthesesStaysATernary) {
  ElHarness el;
  el.Set("b", Value::String("B"));
  el.Set("c", Value::String("C"));
  EXPECT_EQ(el.Text("${true ? b : c}"), "B");
  EXPECT_EQ(el.Text("${false ? b:c}"), "C");
}

TEST(ElEvaluator, UnknownFunctionListsKnownOnesWithTheSamePrefix) {
  ElHarness el;
  auto stub = [](const std::vector<Value>&) -> Result<Value> { return Value::Int(0); };
  el.functions()->Register("wf:id", 0, 0, stub);
  el.functions()->Register("wf:name", 0, 0, stub);
  el.functions()->Register("coord:current", 1, 1, stub);
  const std::string error = el.Error("${wf:bogus()}");
  EXPECT_THAT(error, HasSubstr("EL_ERROR: unknown function [wf:bogus]; known wf: functions: wf:id, wf:name"));
  EXPECT_THAT(error, ::testing::Not(HasSubstr("coord:current")));
  EXPECT_THAT(el.Error("${x:y()}"), HasSubstr("unknown function [x:y]; no functions with prefix [x:]"));
  EXPECT_THAT(el.Error("${bogus()}"), HasSubstr("known functions without a prefix: appendAll, concat"));
}

TEST(ElEvaluator, UnknownFunctionInAnUntakenBranchIsStillAnError) {
  ElHarness el;
  EXPECT_THAT(el.Error("${true ? 'a' : nope()}"), HasSubstr("unknown function [nope]"));
}

TEST(ElEvaluator, WrongArityNamesTheFunctionAndTheExpectedCount) {
  ElHarness el;
  EXPECT_THAT(el.Error("${concat('a')}"), HasSubstr("function [concat] expects 2 arguments but was given 1"));
  EXPECT_THAT(el.Error("${trim('a', 'b')}"), HasSubstr("function [trim] expects 1 argument but was given 2"));
  el.functions()->Register("f:range", 1, 3, [](const std::vector<Value>&) -> Result<Value> { return Value::Int(0); });
  EXPECT_THAT(el.Error("${f:range()}"), HasSubstr("expects 1 to 3 arguments but was given 0"));
}

TEST(ElEvaluator, NoFunctionTableMeansNoFunctions) {
  Context ctx;
  const Result<std::string> r = Evaluate("${concat('a','b')}", ctx);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("unknown function [concat]"));
}

TEST(ElEvaluator, FunctionErrorsAndExceptionsBecomeElErrors) {
  ElHarness el;
  el.functions()->Register("t:fail", 0, 0, [](const std::vector<Value>&) -> Result<Value> {
    return Status::IoError("disk on fire");
  });
  el.functions()->Register("t:throw", 0, 0, [](const std::vector<Value>&) -> Result<Value> {
    throw std::runtime_error("boom");
  });
  EXPECT_EQ(el.Error("${t:fail()}"), "EL_ERROR: function [t:fail]: disk on fire");
  EXPECT_EQ(el.Error("${t:throw()}"), "EL_ERROR: function [t:throw] failed: boom");
}

TEST(ElEvaluator, FunctionArgumentsArriveAsTypedValues) {
  ElHarness el;
  el.functions()->Register("t:kind", 1, 1, [](const std::vector<Value>& args) -> Result<Value> {
    const Value& v = args[0];
    if (v.is_null()) return Value::String("null");
    if (v.is_bool()) return Value::String("bool");
    if (v.is_int()) return Value::String("int");
    if (v.is_double()) return Value::String("double");
    if (v.is_map()) return Value::String("map");
    return Value::String("string");
  });
  ExpectAll(el, {
                    {"${t:kind(null)}", "null"},
                    {"${t:kind(1 == 1)}", "bool"},
                    {"${t:kind(1 + 1)}", "int"},
                    {"${t:kind(1 / 1)}", "double"},
                    {"${t:kind('s')}", "string"},
                });
}

TEST(ElEvaluator, EvaluateToValueKeepsTheTypeOfASingleExpression) {
  ElHarness el;
  const Result<Value> n = el.EvalValue("${1 + 1}");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, Value::Int(2));
  const Result<Value> b = el.EvalValue("${1 < 2}");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*b, Value::Bool(true));
  const Result<Value> s = el.EvalValue("n=${1 + 1}");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, Value::String("n=2"));
  const Result<Value> empty = el.EvalValue("");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(*empty, Value::String(""));
}

TEST(ElEvaluator, TemplatesAreReusableAcrossContexts) {
  const Result<Template> t = Parse("${x * 2}");
  ASSERT_TRUE(t.ok());
  for (int i = 0; i < 3; ++i) {
    Context ctx;
    ctx.variables = [i](std::string_view) -> std::optional<Value> { return Value::Int(i); };
    const Result<std::string> r = EvaluateToString(*t, ctx);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*r, std::to_string(i * 2));
  }
}

TEST(ElEvaluator, HasExpressionsDetectsDollarBrace) {
  EXPECT_TRUE(HasExpressions("a ${b} c"));
  EXPECT_FALSE(HasExpressions("a $b {c}"));
  EXPECT_FALSE(HasExpressions(""));
}

// Sanitizers slow everything down about tenfold; the budget is for real builds.
#if defined(__SANITIZE_ADDRESS__)
constexpr double kTimeBudgetScale = 10;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr double kTimeBudgetScale = 10;
#else
constexpr double kTimeBudgetScale = 1;
#endif
#else
constexpr double kTimeBudgetScale = 1;
#endif

TEST(ElEvaluator, ThousandActionWorkflowEvaluatesQuickly) {
  ElHarness el;
  el.Set("nameNode", Value::String("hdfs://nn:8020"));
  el.Set("queue", Value::String("default"));
  el.Set("flag", Value::String("true"));
  const std::string action_xml =
      "<action name='a'><shell><job-tracker>${nameNode}</job-tracker><name-node>${nameNode}</name-node>"
      "<configuration><property><name>q</name><value>${queue}</value></property></configuration>"
      "<exec>${replaceAll(concat(nameNode, '/bin/run.sh'), 'hdfs://[^/]+', '')}</exec>"
      "<argument>${flag == 'true' ? trim('  yes ') : 'no'}</argument>"
      "<argument>${urlEncode(concat(queue, ' x'))} ${10 / 4} ${KB * 2}</argument></shell></action>";
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 1000; ++i) {
    const Result<std::string> r = el.Eval(action_xml);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(seconds, 0.5 * kTimeBudgetScale);
}

}  // namespace
}  // namespace refinery::el
