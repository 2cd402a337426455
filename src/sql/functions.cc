// Registers the Hive function families (function_util.h) on a SQLite
// database. SQLite calls scalar functions from C, so every one runs through
// Call, which turns an exception into the statement's error instead of
// letting it unwind through SQLite.
#include "sql/functions.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <exception>
#include <string>

#include "sql/function_util.h"
#include "sql/sql.h"

namespace refinery::sql::internal {
namespace {

// The trampoline every scalar is registered through; its user data is the
// function's ScalarSpec (static storage).
void Call(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  const auto* spec = static_cast<const ScalarSpec*>(sqlite3_user_data(ctx));
  try {
    spec->function(ctx, argc, argv);
  } catch (const std::bad_alloc&) {
    sqlite3_result_error_nomem(ctx);
  } catch (const std::exception& e) {
    const std::string message = std::string(spec->name) + ": " + e.what();
    sqlite3_result_error(ctx, message.c_str(), -1);
  }
}

Status Check(sqlite3* db, int rc, const char* name) {
  if (rc == SQLITE_OK) return Status::Ok();
  return Status::Internal(std::string("could not register the SQL function ") + name + ": " + sqlite3_errmsg(db),
                          kQueryCode);
}

}  // namespace

std::string JavaDouble(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  if (value == 0) return std::signbit(value) ? "-0.0" : "0.0";
  char buf[64];
  const auto result = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
  const std::string sci(buf, result.ptr);  // "-1.234e+05"
  const size_t e = sci.find('e');
  std::string mantissa = sci.substr(0, e);
  const int exponent = std::atoi(sci.c_str() + e + 1);
  const bool negative = mantissa[0] == '-';
  std::string digits;
  for (char c : mantissa) {
    if (std::isdigit(static_cast<unsigned char>(c))) digits.push_back(c);
  }
  std::string out = negative ? "-" : "";
  const double magnitude = std::fabs(value);
  if (magnitude >= 1e-3 && magnitude < 1e7) {
    if (exponent >= 0) {
      const size_t point = static_cast<size_t>(exponent) + 1;
      if (digits.size() < point) digits.append(point - digits.size(), '0');
      const std::string fraction = digits.substr(point);
      out += digits.substr(0, point) + "." + (fraction.empty() ? "0" : fraction);
    } else {
      out += "0." + std::string(static_cast<size_t>(-exponent - 1), '0') + digits;
    }
    return out;
  }
  out += digits.substr(0, 1) + "." + (digits.size() > 1 ? digits.substr(1) : "0") + "E" + std::to_string(exponent);
  return out;
}

Status RegisterHiveFunctions(sqlite3* db) {
  for (const auto* family : {&StringFunctions(), &MathFunctions(), &DateFunctions()}) {
    for (const ScalarSpec& spec : *family) {
      const int flags = SQLITE_UTF8 | (spec.deterministic ? SQLITE_DETERMINISTIC : 0);
      void* user_data = const_cast<ScalarSpec*>(&spec);
      REFINERY_RETURN_IF_ERROR(Check(
          db, sqlite3_create_function_v2(db, spec.name, spec.args, flags, user_data, Call, nullptr, nullptr, nullptr),
          spec.name));
    }
  }
  return RegisterAggregateFunctions(db);
}

}  // namespace refinery::sql::internal
