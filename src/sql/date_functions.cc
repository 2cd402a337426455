// Hive's date functions on SQLite: dates are 'YYYY-MM-DD' text, timestamps
// 'YYYY-MM-DD HH:MM:SS[.f]', integers are seconds since the epoch (UTC).
#include <ctime>

#include "core/time_format.h"
#include "sql/function_util.h"

namespace refinery::sql::internal {
namespace {

void ToDate(sqlite3_context* ctx, int, sqlite3_value** argv) {
  DateTime dt;
  if (!DateArg(argv[0], &dt)) return sqlite3_result_null(ctx);
  ResultText(ctx, FormatDate(dt.days));
}

void DateDiff(sqlite3_context* ctx, int, sqlite3_value** argv) {
  DateTime a, b;
  if (!DateArg(argv[0], &a) || !DateArg(argv[1], &b)) return sqlite3_result_null(ctx);
  sqlite3_result_int64(ctx, a.days - b.days);
}

void DateAdd(sqlite3_context* ctx, int, sqlite3_value** argv, int sign) {
  DateTime dt;
  if (!DateArg(argv[0], &dt) || IsNull(argv[1])) return sqlite3_result_null(ctx);
  ResultText(ctx, FormatDate(dt.days + sign * sqlite3_value_int64(argv[1])));
}

// part: 0 year, 1 month, 2 day, 3 hour, 4 minute, 5 second, 6 quarter, 7 week of year
void DatePart(sqlite3_context* ctx, sqlite3_value** argv, int part) {
  DateTime dt;
  if (!DateArg(argv[0], &dt)) return sqlite3_result_null(ctx);
  int64_t y;
  unsigned m, d;
  CivilFromDays(dt.days, &y, &m, &d);
  int64_t value = 0;
  switch (part) {
    case 0: value = y; break;
    case 1: value = m; break;
    case 2: value = d; break;
    case 3: value = dt.seconds / 3600; break;
    case 4: value = dt.seconds / 60 % 60; break;
    case 5: value = dt.seconds % 60; break;
    case 6: value = (m - 1) / 3 + 1; break;
    default: {  // ISO-8601 week, as Hive's weekofyear
      const int64_t weekday = ((dt.days % 7) + 7 + 3) % 7;  // 0 = Monday
      const int64_t thursday = dt.days - weekday + 3;
      int64_t ty;
      unsigned tm, td;
      CivilFromDays(thursday, &ty, &tm, &td);
      value = (thursday - DaysFromCivil(ty, 1, 1)) / 7 + 1;
    }
  }
  sqlite3_result_int64(ctx, value);
}

void FromUnixtime(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  if (AnyNull(argc, argv)) return sqlite3_result_null(ctx);
  const std::string pattern = argc > 1 ? std::string(Text(argv[1])) : "yyyy-MM-dd HH:mm:ss";
  ResultText(ctx, FormatPattern(sqlite3_value_int64(argv[0]), pattern));
}

void UnixTimestamp(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  if (argc == 0) return sqlite3_result_int64(ctx, static_cast<int64_t>(std::time(nullptr)));
  if (AnyNull(argc, argv)) return sqlite3_result_null(ctx);
  int64_t seconds;
  if (argc > 1) {
    if (!ParsePattern(Text(argv[0]), Text(argv[1]), &seconds)) return sqlite3_result_null(ctx);
    return sqlite3_result_int64(ctx, seconds);
  }
  DateTime dt;
  if (!ParseDateTime(Text(argv[0]), &dt) || TrimView(Text(argv[0])).size() < 19) return sqlite3_result_null(ctx);
  sqlite3_result_int64(ctx, dt.days * 86400 + dt.seconds);
}

void DateFormat(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  DateTime dt;
  if (IsNull(argv[1]) || !DateArg(argv[0], &dt)) return sqlite3_result_null(ctx);
  ResultText(ctx, FormatPattern(dt.days * 86400 + dt.seconds, Text(argv[1])));
}

}  // namespace

const std::vector<ScalarSpec>& DateFunctions() {
  static const std::vector<ScalarSpec> kFunctions = {
      {"to_date", 1, ToDate},
      {"datediff", 2, DateDiff},
      {"date_add", 2, [](sqlite3_context* c, int, sqlite3_value** v) { DateAdd(c, 2, v, 1); }},
      {"date_sub", 2, [](sqlite3_context* c, int, sqlite3_value** v) { DateAdd(c, 2, v, -1); }},
      {"year", 1, [](sqlite3_context* c, int, sqlite3_value** v) { DatePart(c, v, 0); }},
      {"month", 1, [](sqlite3_context* c, int, sqlite3_value** v) { DatePart(c, v, 1); }},
      {"day", 1, [](sqlite3_context* c, int, sqlite3_value** v) { DatePart(c, v, 2); }},
      {"dayofmonth", 1, [](sqlite3_context* c, int, sqlite3_value** v) { DatePart(c, v, 2); }},
      {"hour", 1, [](sqlite3_context* c, int, sqlite3_value** v) { DatePart(c, v, 3); }},
      {"minute", 1, [](sqlite3_context* c, int, sqlite3_value** v) { DatePart(c, v, 4); }},
      {"second", 1, [](sqlite3_context* c, int, sqlite3_value** v) { DatePart(c, v, 5); }},
      {"quarter", 1, [](sqlite3_context* c, int, sqlite3_value** v) { DatePart(c, v, 6); }},
      {"weekofyear", 1, [](sqlite3_context* c, int, sqlite3_value** v) { DatePart(c, v, 7); }},
      {"from_unixtime", 1, FromUnixtime},
      {"from_unixtime", 2, FromUnixtime},
      {"unix_timestamp", 0, UnixTimestamp, false},
      {"unix_timestamp", 1, UnixTimestamp},
      {"unix_timestamp", 2, UnixTimestamp},
      {"date_format", 2, DateFormat},
  };
  return kFunctions;
}

}  // namespace refinery::sql::internal
