// Internal to sql/: what the Hive function families (string_functions.cc,
// math_functions.cc, date_functions.cc, aggregate_functions.cc) share —
// reading SQLite arguments the way Hive reads values, arrays as JSON text,
// dates, and cached regular expressions — and each family's table of scalar
// functions, which functions.cc registers.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <functional>
// g++ 12 reports false -Wmaybe-uninitialized inside <regex> under
// -fsanitize (a known compiler false positive); the header is not ours to fix.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <regex>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace refinery::sql::internal {

using Json = nlohmann::json;

// ---- values ----

bool IsNull(sqlite3_value* v);
std::string_view Text(sqlite3_value* v);
void ResultText(sqlite3_context* ctx, std::string_view text);
// The value as Hive would print it (doubles the Java way).
std::string HiveText(sqlite3_value* v);
bool AnyNull(int argc, sqlite3_value** argv);
std::string_view TrimView(std::string_view s);
// Integer text with an optional fractional part that is dropped, as Hive's LazyInteger.
bool ParseHiveInteger(std::string_view s, int64_t* out);
bool ParseDouble(std::string_view s, double* out);
// Numeric argument: integers and reals as they are, text parsed; false when not a number.
bool NumberArg(sqlite3_value* v, double* out);

// ---- arrays: JSON text ----

bool ArrayArg(sqlite3_value* v, Json* out);
Json JsonOf(sqlite3_value* v);
void ResultJsonValue(sqlite3_context* ctx, const Json& value);
std::string JsonElementText(const Json& value);
// Compact JSON text; bytes that are not UTF-8 become U+FFFD instead of throwing.
std::string JsonText(const Json& value);

// ---- regular expressions (Java syntax read as ECMAScript, cached per call site) ----

// The compiled pattern of argument `arg`, or null after setting the error.
const std::regex* Regex(sqlite3_context* ctx, sqlite3_value** argv, int arg);
// Runs `match`, a std::regex search over a subject of `subject_size` bytes,
// where the matcher's recursion cannot exhaust the stack (on a thread with a
// stack sized for the subject when it is long; an exception `match` throws
// is rethrown here). False, with the error set on `ctx`, when the subject is
// over 256 KB or no such thread could be started.
bool MatchSafely(sqlite3_context* ctx, const char* function, size_t subject_size, const std::function<void()>& match);

// ---- dates (proleptic Gregorian, UTC) ----

struct DateTime {
  int64_t days = 0;      // since 1970-01-01
  int64_t seconds = 0;   // within the day
  std::string fraction;  // ".123" or ""
};

// "YYYY-MM-DD" optionally followed by " HH:MM:SS[.fff]" or "THH:MM:SS".
bool ParseDateTime(std::string_view s, DateTime* out);
// Text as ParseDateTime reads it, or an integer of seconds since the epoch.
bool DateArg(sqlite3_value* v, DateTime* out);
std::string FormatDate(int64_t days);
// java.text.SimpleDateFormat's common letters: y M d H m s S, quoted literals.
std::string FormatPattern(int64_t epoch_seconds, std::string_view pattern);
bool ParsePattern(std::string_view s, std::string_view pattern, int64_t* epoch_seconds);

// ---- function tables ----

using Scalar = void (*)(sqlite3_context*, int, sqlite3_value**);

struct ScalarSpec {
  const char* name;
  int args;  // -1 = any
  Scalar function;
  bool deterministic = true;
};

// String, array and conditional functions.
const std::vector<ScalarSpec>& StringFunctions();
// Math functions and the casts.
const std::vector<ScalarSpec>& MathFunctions();
const std::vector<ScalarSpec>& DateFunctions();
// variance/stddev (also as window functions), percentile, collect_set/list.
Status RegisterAggregateFunctions(sqlite3* db);

}  // namespace refinery::sql::internal
