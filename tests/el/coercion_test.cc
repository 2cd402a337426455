// JSP coercions in isolation: the rules every operator builds on.
#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include "el/internal/coercion.h"

namespace refinery::el::internal {
namespace {

TEST(ElCoercion, BooleanFromNullEmptyAndStrings) {
  EXPECT_FALSE(*CoerceToBoolean(Value::Null()));
  EXPECT_FALSE(*CoerceToBoolean(Value::String("")));
  EXPECT_TRUE(*CoerceToBoolean(Value::String("true")));
  EXPECT_TRUE(*CoerceToBoolean(Value::String("TrUe")));
  EXPECT_FALSE(*CoerceToBoolean(Value::String("yes")));
  EXPECT_FALSE(*CoerceToBoolean(Value::String("true ")));
  EXPECT_TRUE(*CoerceToBoolean(Value::Bool(true)));
}

TEST(ElCoercion, BooleanFromNumbersOrMapsIsAnError) {
  EXPECT_FALSE(CoerceToBoolean(Value::Int(1)).ok());
  EXPECT_FALSE(CoerceToBoolean(Value::Double(1)).ok());
  EXPECT_FALSE(CoerceToBoolean(Value::Map({})).ok());
  EXPECT_EQ(CoerceToBoolean(Value::Int(1)).status().error_code(), "EL_ERROR");
}

TEST(ElCoercion, LongFollowsJavaLongValueOf) {
  EXPECT_EQ(*CoerceToLong(Value::Null()), 0);
  EXPECT_EQ(*CoerceToLong(Value::String("")), 0);
  EXPECT_EQ(*CoerceToLong(Value::String("42")), 42);
  EXPECT_EQ(*CoerceToLong(Value::String("-42")), -42);
  EXPECT_EQ(*CoerceToLong(Value::String("+42")), 42);
  EXPECT_FALSE(CoerceToLong(Value::String(" 42")).ok());
  EXPECT_FALSE(CoerceToLong(Value::String("4x")).ok());
  EXPECT_FALSE(CoerceToLong(Value::String("+")).ok());
  EXPECT_FALSE(CoerceToLong(Value::String("+-1")).ok());
  EXPECT_FALSE(CoerceToLong(Value::String("99999999999999999999")).ok());
  EXPECT_FALSE(CoerceToLong(Value::Bool(true)).ok());
}

TEST(ElCoercion, LongFromDoubleTruncatesAndSaturatesLikeJava) {
  EXPECT_EQ(*CoerceToLong(Value::Double(2.9)), 2);
  EXPECT_EQ(*CoerceToLong(Value::Double(-2.9)), -2);
  EXPECT_EQ(*CoerceToLong(Value::Double(1e300)), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(*CoerceToLong(Value::Double(-1e300)), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(*CoerceToLong(Value::Double(std::nan(""))), 0);
}

TEST(ElCoercion, DoubleFollowsJavaDoubleValueOf) {
  EXPECT_EQ(*CoerceToDouble(Value::String("2.5")), 2.5);
  EXPECT_EQ(*CoerceToDouble(Value::String(" 2.5 ")), 2.5);
  EXPECT_EQ(*CoerceToDouble(Value::String("-1e3")), -1000);
  EXPECT_EQ(*CoerceToDouble(Value::String("2.5f")), 2.5);
  EXPECT_EQ(*CoerceToDouble(Value::String(".5")), 0.5);
  EXPECT_TRUE(std::isinf(*CoerceToDouble(Value::String("-Infinity"))));
  EXPECT_TRUE(std::isnan(*CoerceToDouble(Value::String("NaN"))));
  EXPECT_TRUE(std::isinf(*CoerceToDouble(Value::String("1e999"))));
  EXPECT_EQ(*CoerceToDouble(Value::String("1e-999")), 0.0);
  EXPECT_FALSE(CoerceToDouble(Value::String("inf")).ok());
  EXPECT_FALSE(CoerceToDouble(Value::String("1.2.3")).ok());
  EXPECT_FALSE(CoerceToDouble(Value::String("abc")).ok());
}

TEST(ElCoercion, ArithmeticResultTypes) {
  EXPECT_EQ(*ApplyArithmetic(Op::kAdd, Value::Int(1), Value::Int(2)), Value::Int(3));
  EXPECT_EQ(*ApplyArithmetic(Op::kAdd, Value::Int(1), Value::Double(2)), Value::Double(3));
  EXPECT_EQ(*ApplyArithmetic(Op::kDiv, Value::Int(4), Value::Int(2)), Value::Double(2));
  EXPECT_EQ(*ApplyArithmetic(Op::kMul, Value::String("2"), Value::String("3")), Value::Int(6));
  EXPECT_EQ(*ApplyArithmetic(Op::kMul, Value::String("2E0"), Value::Int(3)), Value::Double(6));
  EXPECT_EQ(*ApplyArithmetic(Op::kAdd, Value::Null(), Value::Null()), Value::Int(0));
}

TEST(ElCoercion, LongOverflowWrapsAndMinModMinusOneIsZero) {
  const int64_t min = std::numeric_limits<int64_t>::min();
  const int64_t max = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(*ApplyArithmetic(Op::kAdd, Value::Int(max), Value::Int(1)), Value::Int(min));
  EXPECT_EQ(*ApplyArithmetic(Op::kMul, Value::Int(max), Value::Int(2)), Value::Int(-2));
  EXPECT_EQ(*ApplyArithmetic(Op::kMod, Value::Int(min), Value::Int(-1)), Value::Int(0));
  EXPECT_EQ(*Negate(Value::Int(min)), Value::Int(min));
}

TEST(ElCoercion, MapsCompareStructurally) {
  const Value a = Value::Map({{"k", Value::String("v")}});
  const Value b = Value::Map({{"k", Value::String("v")}});
  const Value c = Value::Map({{"k", Value::String("w")}});
  EXPECT_EQ(*ApplyComparison(Op::kEq, a, b), Value::Bool(true));
  EXPECT_EQ(*ApplyComparison(Op::kNe, a, c), Value::Bool(true));
  EXPECT_EQ(*ApplyComparison(Op::kEq, a, Value::String("{k=v}")), Value::Bool(true));
  EXPECT_FALSE(ApplyComparison(Op::kLt, a, b).ok());
}

TEST(ElCoercion, EmptyCoversNullEmptyStringAndEmptyMap) {
  EXPECT_TRUE(IsEmpty(Value::Null()));
  EXPECT_TRUE(IsEmpty(Value::String("")));
  EXPECT_TRUE(IsEmpty(Value::Map({})));
  EXPECT_FALSE(IsEmpty(Value::Int(0)));
  EXPECT_FALSE(IsEmpty(Value::Bool(false)));
}

}  // namespace
}  // namespace refinery::el::internal
