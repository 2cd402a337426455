// Value: construction, equality and Java-shaped text.
#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include "el/el.h"

namespace refinery::el {
namespace {

TEST(ElValue, TextOfScalars) {
  EXPECT_EQ(Value().ToText(), "");
  EXPECT_EQ(Value::Null().ToText(), "");
  EXPECT_EQ(Value::Bool(true).ToText(), "true");
  EXPECT_EQ(Value::Bool(false).ToText(), "false");
  EXPECT_EQ(Value::Int(-42).ToText(), "-42");
  EXPECT_EQ(Value::String("s").ToText(), "s");
}

TEST(ElValue, DoubleTextMatchesJavaDoubleToString) {
  const std::vector<std::pair<double, const char*>> cases = {
      {2.5, "2.5"},
      {3.0, "3.0"},
      {0.0, "0.0"},
      {-0.0, "-0.0"},
      {100.0, "100.0"},
      {0.1, "0.1"},
      {0.001, "0.001"},
      {0.0001, "1.0E-4"},
      {1234567.0, "1234567.0"},
      {1e7, "1.0E7"},
      {1e10, "1.0E10"},
      {12345678.9, "1.23456789E7"},
      {-1.5e-7, "-1.5E-7"},
      {1.0 / 3, "0.3333333333333333"},
      {std::numeric_limits<double>::infinity(), "Infinity"},
      {-std::numeric_limits<double>::infinity(), "-Infinity"},
      {std::nan(""), "NaN"},
      {1.7976931348623157e308, "1.7976931348623157E308"},
  };
  for (const auto& [d, expected] : cases) EXPECT_EQ(Value::Double(d).ToText(), expected) << d;
}

TEST(ElValue, MapTextIsJavaMapToString) {
  const Value map = Value::Map({{"a", Value::String("b")}, {"c", Value::Int(1)}, {"n", Value::Null()}});
  EXPECT_EQ(map.ToText(), "{a=b, c=1, n=}");
  EXPECT_EQ(Value::Map({}).ToText(), "{}");
}

TEST(ElValue, EqualityIsTypeAndValue) {
  EXPECT_EQ(Value::Int(1), Value::Int(1));
  EXPECT_FALSE(Value::Int(1) == Value::Double(1));
  EXPECT_FALSE(Value::String("1") == Value::Int(1));
  EXPECT_EQ(Value(), Value::Null());
  EXPECT_EQ(Value::Map({{"k", Value::Int(1)}}), Value::Map({{"k", Value::Int(1)}}));
}

TEST(ElValue, CopiesShareMapsSafely) {
  const Value original = Value::Map({{"k", Value::String("v")}});
  const Value copy = original;  // NOLINT: the copy is the point
  EXPECT_EQ(&original.as_map(), &copy.as_map());
  EXPECT_EQ(copy.as_map().at("k").as_string(), "v");
}

}  // namespace
}  // namespace refinery::el
