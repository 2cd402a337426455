// JSP 2.0 EL type coercion and operators (spec §1.8, §2.3), following
// commons-el's Coercions class: where the spec and commons-el differ, Oozie
// users see commons-el, so that is what this reproduces.
#pragma once

#include <cstdint>

#include "core/status.h"
#include "el/el.h"
#include "el/internal/ast.h"

namespace refinery::el::internal {

// null and "" -> false; "true" in any case -> true; other strings -> false;
// numbers and maps are an error.
Result<bool> CoerceToBoolean(const Value& value);
// null and "" -> 0; strings parse as Java's Long.valueOf / Double.valueOf;
// booleans and maps are an error.
Result<int64_t> CoerceToLong(const Value& value);
Result<double> CoerceToDouble(const Value& value);

// + - * / % on any two values. `/` always yields a double; + - * % stay long
// unless an operand is a double or a string that looks like one.
Result<Value> ApplyArithmetic(Op op, const Value& left, const Value& right);
// == != < > <= >=; the result is a boolean.
Result<Value> ApplyComparison(Op op, const Value& left, const Value& right);
// Unary minus.
Result<Value> Negate(const Value& value);
// The `empty` operator: null, "" and empty maps.
bool IsEmpty(const Value& value);

}  // namespace refinery::el::internal
