// Hive's math functions and the casts (NULL on bad input, as Hive) on SQLite.
#include <algorithm>
#include <cmath>
#include <set>

#include "sql/function_util.h"

namespace refinery::sql::internal {
namespace {

void Round(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  if (AnyNull(argc, argv)) return sqlite3_result_null(ctx);
  const int64_t digits = argc > 1 ? sqlite3_value_int64(argv[1]) : 0;
  if (sqlite3_value_type(argv[0]) == SQLITE_INTEGER && digits >= 0) return sqlite3_result_value(ctx, argv[0]);
  double x;
  if (!NumberArg(argv[0], &x)) return sqlite3_result_null(ctx);
  const double scale = std::pow(10.0, static_cast<double>(digits));
  double r = std::round(x * scale) / scale;  // half away from zero, as Hive's HALF_UP
  if (!std::isfinite(r)) r = x;
  sqlite3_result_double(ctx, r);
}

template <double (*F)(double)>
void ToBigint(sqlite3_context* ctx, int, sqlite3_value** argv) {
  double x;
  if (!NumberArg(argv[0], &x)) return sqlite3_result_null(ctx);
  sqlite3_result_int64(ctx, static_cast<int64_t>(F(x)));
}

template <double (*F)(double)>
void Math1(sqlite3_context* ctx, int, sqlite3_value** argv) {
  double x;
  if (!NumberArg(argv[0], &x)) return sqlite3_result_null(ctx);
  const double r = F(x);
  if (std::isnan(r)) return sqlite3_result_null(ctx);
  sqlite3_result_double(ctx, r);
}

double Ln(double x) { return x > 0 ? std::log(x) : NAN; }
double Log10(double x) { return x > 0 ? std::log10(x) : NAN; }
double Log2(double x) { return x > 0 ? std::log2(x) : NAN; }
double Sqrt(double x) { return x >= 0 ? std::sqrt(x) : NAN; }
double Exp(double x) { return std::exp(x); }
double Floor(double x) { return std::floor(x); }
double Ceil(double x) { return std::ceil(x); }

void Log(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  if (argc == 1) return Math1<Ln>(ctx, argc, argv);
  double base, x;
  if (!NumberArg(argv[0], &base) || !NumberArg(argv[1], &x) || base <= 0 || base == 1 || x <= 0) {
    return sqlite3_result_null(ctx);
  }
  sqlite3_result_double(ctx, std::log(x) / std::log(base));
}

void Pow(sqlite3_context* ctx, int, sqlite3_value** argv) {
  double a, b;
  if (!NumberArg(argv[0], &a) || !NumberArg(argv[1], &b)) return sqlite3_result_null(ctx);
  sqlite3_result_double(ctx, std::pow(a, b));
}

void Pmod(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (IsNull(argv[0]) || IsNull(argv[1])) return sqlite3_result_null(ctx);
  if (sqlite3_value_type(argv[0]) == SQLITE_INTEGER && sqlite3_value_type(argv[1]) == SQLITE_INTEGER) {
    const int64_t a = sqlite3_value_int64(argv[0]), b = sqlite3_value_int64(argv[1]);
    if (b == 0) return sqlite3_result_null(ctx);
    return sqlite3_result_int64(ctx, ((a % b) + b) % b);
  }
  double a, b;
  if (!NumberArg(argv[0], &a) || !NumberArg(argv[1], &b) || b == 0) return sqlite3_result_null(ctx);
  sqlite3_result_double(ctx, std::fmod(std::fmod(a, b) + b, b));
}

// ---- casts (NULL on bad input, as Hive) ----

void CastInt(sqlite3_context* ctx, int, sqlite3_value** argv) {
  int64_t value;
  switch (sqlite3_value_type(argv[0])) {
    case SQLITE_INTEGER: return sqlite3_result_value(ctx, argv[0]);
    case SQLITE_FLOAT: {
      const double d = sqlite3_value_double(argv[0]);
      if (!std::isfinite(d)) return sqlite3_result_null(ctx);
      return sqlite3_result_int64(ctx, static_cast<int64_t>(d));
    }
    case SQLITE_TEXT:
      if (ParseHiveInteger(Text(argv[0]), &value)) return sqlite3_result_int64(ctx, value);
      [[fallthrough]];
    default: sqlite3_result_null(ctx);
  }
}

void CastDouble(sqlite3_context* ctx, int, sqlite3_value** argv) {
  double value;
  if (!NumberArg(argv[0], &value)) return sqlite3_result_null(ctx);
  sqlite3_result_double(ctx, value);
}

void CastString(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (IsNull(argv[0])) return sqlite3_result_null(ctx);
  ResultText(ctx, HiveText(argv[0]));
}

void CastBoolean(sqlite3_context* ctx, int, sqlite3_value** argv) {
  switch (sqlite3_value_type(argv[0])) {
    case SQLITE_NULL: return sqlite3_result_null(ctx);
    case SQLITE_INTEGER:
    case SQLITE_FLOAT: return sqlite3_result_int(ctx, sqlite3_value_double(argv[0]) != 0 ? 1 : 0);
    default: {
      static const std::set<std::string> kFalse = {"", "false", "0", "no", "off", "f", "n"};
      std::string s(TrimView(Text(argv[0])));
      std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
      sqlite3_result_int(ctx, kFalse.count(s) != 0 ? 0 : 1);
    }
  }
}

void CastTimestamp(sqlite3_context* ctx, int, sqlite3_value** argv) {
  DateTime dt;
  if (!DateArg(argv[0], &dt)) return sqlite3_result_null(ctx);
  ResultText(ctx, FormatPattern(dt.days * 86400 + dt.seconds, "yyyy-MM-dd HH:mm:ss") + dt.fraction);
}

}  // namespace

const std::vector<ScalarSpec>& MathFunctions() {
  static const std::vector<ScalarSpec> kFunctions = {
      {"round", 1, Round},
      {"round", 2, Round},
      {"floor", 1, ToBigint<Floor>},
      {"ceil", 1, ToBigint<Ceil>},
      {"ceiling", 1, ToBigint<Ceil>},
      {"sqrt", 1, Math1<Sqrt>},
      {"exp", 1, Math1<Exp>},
      {"ln", 1, Math1<Ln>},
      {"log10", 1, Math1<Log10>},
      {"log2", 1, Math1<Log2>},
      {"log", 1, Log},
      {"log", 2, Log},
      {"pow", 2, Pow},
      {"power", 2, Pow},
      {"pmod", 2, Pmod},
      {"hive_cast_int", 1, CastInt},
      {"hive_cast_double", 1, CastDouble},
      {"hive_cast_string", 1, CastString},
      {"hive_cast_boolean", 1, CastBoolean},
      {"hive_cast_timestamp", 1, CastTimestamp},
  };
  return kFunctions;
}

}  // namespace refinery::sql::internal
