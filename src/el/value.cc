// Value: the typed result of an EL expression, and its JSP text coercion.
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "el/el.h"
#include "el/internal/errors.h"

namespace refinery::el {
namespace {

// The shortest decimal digits that round-trip `d` (d finite, non-zero), as
// "d1d2...dn" with the decimal exponent of d1.
struct Digits {
  std::string digits;
  int exponent = 0;
};

Digits ShortestDigits(double d) {
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), std::fabs(d), std::chars_format::scientific);
  const std::string_view text(buffer, result.ptr - buffer);  // e.g. "2.5e+00"
  const size_t e = text.find('e');
  Digits out;
  for (char c : text.substr(0, e)) {
    if (c != '.') out.digits.push_back(c);
  }
  out.exponent = std::atoi(std::string(text.substr(e + 1)).c_str());
  return out;
}

// Java prints plain decimals for 1e-3 <= |d| < 1e7, always with a fraction.
std::string PlainDecimal(const Digits& d) {
  std::string out;
  if (d.exponent < 0) {
    out = "0." + std::string(static_cast<size_t>(-d.exponent - 1), '0') + d.digits;
    return out;
  }
  const size_t integer_digits = static_cast<size_t>(d.exponent) + 1;
  if (d.digits.size() <= integer_digits) {
    return d.digits + std::string(integer_digits - d.digits.size(), '0') + ".0";
  }
  return d.digits.substr(0, integer_digits) + "." + d.digits.substr(integer_digits);
}

// Otherwise "computerized scientific notation": 1.0E10, 1.234E-5.
std::string Scientific(const Digits& d) {
  const std::string fraction = d.digits.size() > 1 ? d.digits.substr(1) : "0";
  return d.digits.substr(0, 1) + "." + fraction + "E" + std::to_string(d.exponent);
}

std::string MapToText(const Value::MapType& map) {
  std::string out = "{";
  bool first = true;
  for (const auto& [key, value] : map) {
    if (!first) out += ", ";
    first = false;
    out += key;
    out += '=';
    out += value.ToText();
  }
  return out + "}";
}

}  // namespace

namespace internal {

std::string JavaDoubleToString(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  if (d == 0) return std::signbit(d) ? "-0.0" : "0.0";
  const Digits digits = ShortestDigits(d);
  const std::string sign = d < 0 ? "-" : "";
  const double magnitude = std::fabs(d);
  if (magnitude >= 1e-3 && magnitude < 1e7) return sign + PlainDecimal(digits);
  return sign + Scientific(digits);
}

std::string DescribeValue(const Value& value) {
  if (value.is_null()) return "null";
  if (value.is_map()) return "a map";
  if (!value.is_string()) return value.ToText();
  constexpr size_t kMaxQuoted = 40;
  const std::string& s = value.as_string();
  if (s.size() <= kMaxQuoted) return "\"" + s + "\"";
  return "\"" + s.substr(0, kMaxQuoted) + "...\"";
}

}  // namespace internal

Value Value::Bool(bool b) {
  Value v;
  v.v_ = b;
  return v;
}

Value Value::Int(int64_t i) {
  Value v;
  v.v_ = i;
  return v;
}

Value Value::Double(double d) {
  Value v;
  v.v_ = d;
  return v;
}

Value Value::String(std::string s) {
  Value v;
  v.v_ = std::move(s);
  return v;
}

Value Value::Map(MapType m) {
  Value v;
  v.v_ = std::make_shared<const MapType>(std::move(m));
  return v;
}

bool Value::is_null() const { return std::holds_alternative<std::monostate>(v_); }
bool Value::is_bool() const { return std::holds_alternative<bool>(v_); }
bool Value::is_int() const { return std::holds_alternative<int64_t>(v_); }
bool Value::is_double() const { return std::holds_alternative<double>(v_); }
bool Value::is_string() const { return std::holds_alternative<std::string>(v_); }
bool Value::is_map() const { return std::holds_alternative<std::shared_ptr<const MapType>>(v_); }
bool Value::as_bool() const { return std::get<bool>(v_); }
int64_t Value::as_int() const { return std::get<int64_t>(v_); }
double Value::as_double() const { return std::get<double>(v_); }
const std::string& Value::as_string() const { return std::get<std::string>(v_); }
const Value::MapType& Value::as_map() const { return *std::get<std::shared_ptr<const MapType>>(v_); }

std::string Value::ToText() const {
  if (is_null()) return "";
  if (is_bool()) return as_bool() ? "true" : "false";
  if (is_int()) return std::to_string(as_int());
  if (is_double()) return internal::JavaDoubleToString(as_double());
  if (is_string()) return as_string();
  return MapToText(as_map());
}

bool Value::operator==(const Value& other) const {
  if (v_.index() != other.v_.index()) return false;
  if (is_map()) return as_map() == other.as_map();
  return v_ == other.v_;
}

}  // namespace refinery::el
