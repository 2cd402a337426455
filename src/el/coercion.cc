#include "el/internal/coercion.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <optional>
#include <string_view>
#include <system_error>

#include "el/internal/errors.h"

namespace refinery::el::internal {
namespace {

// Java's String.trim: strips every char <= ' ' from both ends.
std::string_view JavaTrim(std::string_view s) {
  while (!s.empty() && static_cast<unsigned char>(s.front()) <= ' ') s.remove_prefix(1);
  while (!s.empty() && static_cast<unsigned char>(s.back()) <= ' ') s.remove_suffix(1);
  return s;
}

// Long.valueOf: an optional sign, then decimal digits, nothing else.
std::optional<int64_t> ParseJavaLong(std::string_view s) {
  if (!s.empty() && s.front() == '+') {
    s.remove_prefix(1);
    if (s.empty() || s.front() < '0' || s.front() > '9') return std::nullopt;
  }
  int64_t value = 0;
  const auto result = std::from_chars(s.data(), s.data() + s.size(), value);
  if (result.ec != std::errc() || result.ptr != s.data() + s.size()) return std::nullopt;
  return value;
}

// Double.valueOf: surrounding whitespace, a sign, NaN/Infinity, and the
// float/double suffixes f F d D are accepted. Hex floats are not.
std::optional<double> ParseJavaDouble(std::string_view s) {
  s = JavaTrim(s);
  bool negative = false;
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  if (s == "NaN") return std::numeric_limits<double>::quiet_NaN();
  if (s == "Infinity") return negative ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  if (!s.empty() && (s.back() == 'f' || s.back() == 'F' || s.back() == 'd' || s.back() == 'D')) s.remove_suffix(1);
  if (s.empty() || !(std::isdigit(static_cast<unsigned char>(s.front())) || s.front() == '.')) return std::nullopt;
  double value = 0;
  const auto result = std::from_chars(s.data(), s.data() + s.size(), value);
  if (result.ptr != s.data() + s.size()) return std::nullopt;
  if (result.ec == std::errc::result_out_of_range) {
    const bool tiny = s.find("e-") != std::string_view::npos || s.find("E-") != std::string_view::npos;
    value = tiny ? 0.0 : std::numeric_limits<double>::infinity();
  } else if (result.ec != std::errc()) {
    return std::nullopt;
  }
  return negative ? -value : value;
}

// Java's (long) cast: NaN is 0 and out-of-range values saturate.
int64_t JavaDoubleToLong(double d) {
  if (std::isnan(d)) return 0;
  if (d >= 9223372036854775807.0) return std::numeric_limits<int64_t>::max();
  if (d <= -9223372036854775808.0) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(d);
}

// commons-el picks floating point when a string operand "looks like" one.
bool IsFloatingPointString(const Value& v) {
  return v.is_string() && v.as_string().find_first_of(".eE") != std::string::npos;
}

bool IsFloatingPoint(const Value& v) { return v.is_double(); }

Status NotANumber(const Value& value, const char* type) {
  if (value.is_bool()) return ElError("cannot convert boolean " + value.ToText() + " to a number");
  return ElError("cannot convert " + DescribeValue(value) + " to a " + type);
}

Status WithOperator(Op op, const Status& status) {
  return ElError(std::string("operator [") + OpName(op) + "]: " + status.message());
}

// Java long arithmetic wraps on overflow; unsigned arithmetic does the same
// in C++ without undefined behaviour.
int64_t Wrap(uint64_t bits) { return static_cast<int64_t>(bits); }

Result<Value> LongArithmetic(Op op, int64_t l, int64_t r) {
  const uint64_t ul = static_cast<uint64_t>(l);
  const uint64_t ur = static_cast<uint64_t>(r);
  switch (op) {
    case Op::kAdd: return Value::Int(Wrap(ul + ur));
    case Op::kSub: return Value::Int(Wrap(ul - ur));
    case Op::kMul: return Value::Int(Wrap(ul * ur));
    case Op::kMod:
      if (r == 0) return ElError("operator [%]: division by zero in " + std::to_string(l) + " % 0");
      if (r == -1) return Value::Int(0);  // Long.MIN_VALUE % -1 is 0 in Java, a trap in C++
      return Value::Int(l % r);
    default: return ElError(std::string("operator [") + OpName(op) + "] is not arithmetic");
  }
}

Result<Value> DoubleArithmetic(Op op, double l, double r) {
  switch (op) {
    case Op::kAdd: return Value::Double(l + r);
    case Op::kSub: return Value::Double(l - r);
    case Op::kMul: return Value::Double(l * r);
    case Op::kDiv: return Value::Double(l / r);
    case Op::kMod: return Value::Double(std::fmod(l, r));
    default: return ElError(std::string("operator [") + OpName(op) + "] is not arithmetic");
  }
}

template <typename T>
bool Compare(Op op, const T& l, const T& r) {
  switch (op) {
    case Op::kEq: return l == r;
    case Op::kNe: return !(l == r);
    case Op::kLt: return l < r;
    case Op::kGt: return l > r;
    case Op::kLe: return l <= r;
    case Op::kGe: return l >= r;
    default: return false;
  }
}

// Numbers compare as doubles if either is one, else as longs.
Result<bool> CompareNumbers(Op op, const Value& left, const Value& right) {
  if (IsFloatingPoint(left) || IsFloatingPoint(right)) {
    REFINERY_ASSIGN_OR_RETURN(const double l, CoerceToDouble(left));
    REFINERY_ASSIGN_OR_RETURN(const double r, CoerceToDouble(right));
    return Compare(op, l, r);
  }
  REFINERY_ASSIGN_OR_RETURN(const int64_t l, CoerceToLong(left));
  REFINERY_ASSIGN_OR_RETURN(const int64_t r, CoerceToLong(right));
  return Compare(op, l, r);
}

bool IsNumber(const Value& v) { return v.is_int() || v.is_double(); }

// JSP 2.0 §2.3.5.7: null, then numbers, then booleans, then strings.
Result<bool> Equality(Op op, const Value& left, const Value& right) {
  if (left.is_null() || right.is_null()) {
    const bool equal = left.is_null() && right.is_null();
    return op == Op::kEq ? equal : !equal;
  }
  if (IsNumber(left) || IsNumber(right)) return CompareNumbers(op, left, right);
  if (left.is_bool() || right.is_bool()) {
    REFINERY_ASSIGN_OR_RETURN(const bool l, CoerceToBoolean(left));
    REFINERY_ASSIGN_OR_RETURN(const bool r, CoerceToBoolean(right));
    return Compare(op, l, r);
  }
  if (left.is_string() || right.is_string()) return Compare(op, left.ToText(), right.ToText());
  // Two maps: Java's equals, structural.
  return op == Op::kEq ? left == right : !(left == right);
}

// JSP 2.0 §2.3.5.6. A null operand makes every relation false, except that
// null <= null and null >= null hold (commons-el checks identity first).
Result<bool> Relation(Op op, const Value& left, const Value& right) {
  if (left.is_null() && right.is_null()) return op == Op::kLe || op == Op::kGe;
  if (left.is_null() || right.is_null()) return false;
  if (IsNumber(left) || IsNumber(right)) return CompareNumbers(op, left, right);
  if (left.is_string() && right.is_string()) return Compare(op, left.as_string(), right.as_string());
  if (left.is_bool() && right.is_bool()) return Compare(op, left.as_bool(), right.as_bool());
  return ElError("cannot compare " + DescribeValue(left) + " with " + DescribeValue(right));
}

}  // namespace

const char* OpName(Op op) {
  switch (op) {
    case Op::kNone: return "";
    case Op::kAdd: return "+";
    case Op::kSub: return "-";
    case Op::kMul: return "*";
    case Op::kDiv: return "/";
    case Op::kMod: return "%";
    case Op::kEq: return "==";
    case Op::kNe: return "!=";
    case Op::kLt: return "<";
    case Op::kGt: return ">";
    case Op::kLe: return "<=";
    case Op::kGe: return ">=";
    case Op::kNegate: return "-";
    case Op::kNot: return "!";
    case Op::kEmpty: return "empty";
  }
  return "?";
}

Result<bool> CoerceToBoolean(const Value& value) {
  if (value.is_null()) return false;
  if (value.is_bool()) return value.as_bool();
  if (!value.is_string()) return ElError("cannot convert " + DescribeValue(value) + " to a boolean");
  const std::string& s = value.as_string();
  return s.size() == 4 && (s[0] | 0x20) == 't' && (s[1] | 0x20) == 'r' && (s[2] | 0x20) == 'u' &&
         (s[3] | 0x20) == 'e';
}

Result<int64_t> CoerceToLong(const Value& value) {
  if (value.is_null()) return int64_t{0};
  if (value.is_int()) return value.as_int();
  if (value.is_double()) return JavaDoubleToLong(value.as_double());
  if (!value.is_string()) return NotANumber(value, "long");
  if (value.as_string().empty()) return int64_t{0};
  const std::optional<int64_t> parsed = ParseJavaLong(value.as_string());
  if (!parsed) return NotANumber(value, "long");
  return *parsed;
}

Result<double> CoerceToDouble(const Value& value) {
  if (value.is_null()) return 0.0;
  if (value.is_int()) return static_cast<double>(value.as_int());
  if (value.is_double()) return value.as_double();
  if (!value.is_string()) return NotANumber(value, "double");
  if (value.as_string().empty()) return 0.0;
  const std::optional<double> parsed = ParseJavaDouble(value.as_string());
  if (!parsed) return NotANumber(value, "double");
  return *parsed;
}

Result<Value> ApplyArithmetic(Op op, const Value& left, const Value& right) {
  if (left.is_null() && right.is_null()) return Value::Int(0);
  const bool floating = op == Op::kDiv || IsFloatingPoint(left) || IsFloatingPoint(right) ||
                        IsFloatingPointString(left) || IsFloatingPointString(right);
  if (floating) {
    const Result<double> l = CoerceToDouble(left);
    if (!l.ok()) return WithOperator(op, l.status());
    const Result<double> r = CoerceToDouble(right);
    if (!r.ok()) return WithOperator(op, r.status());
    return DoubleArithmetic(op, *l, *r);
  }
  const Result<int64_t> l = CoerceToLong(left);
  if (!l.ok()) return WithOperator(op, l.status());
  const Result<int64_t> r = CoerceToLong(right);
  if (!r.ok()) return WithOperator(op, r.status());
  return LongArithmetic(op, *l, *r);
}

Result<Value> ApplyComparison(Op op, const Value& left, const Value& right) {
  const bool equality = op == Op::kEq || op == Op::kNe;
  const Result<bool> result = equality ? Equality(op, left, right) : Relation(op, left, right);
  if (!result.ok()) return WithOperator(op, result.status());
  return Value::Bool(*result);
}

Result<Value> Negate(const Value& value) {
  if (value.is_null()) return Value::Int(0);
  if (value.is_double()) return Value::Double(-value.as_double());
  if (value.is_int()) return Value::Int(Wrap(0 - static_cast<uint64_t>(value.as_int())));
  if (!value.is_string()) return ElError("operator [-]: cannot negate " + DescribeValue(value));
  if (IsFloatingPointString(value)) {
    const Result<double> d = CoerceToDouble(value);
    if (!d.ok()) return WithOperator(Op::kNegate, d.status());
    return Value::Double(-*d);
  }
  const Result<int64_t> l = CoerceToLong(value);
  if (!l.ok()) return WithOperator(Op::kNegate, l.status());
  return Value::Int(Wrap(0 - static_cast<uint64_t>(*l)));
}

bool IsEmpty(const Value& value) {
  if (value.is_null()) return true;
  if (value.is_string()) return value.as_string().empty();
  if (value.is_map()) return value.as_map().empty();
  return false;
}

}  // namespace refinery::el::internal
