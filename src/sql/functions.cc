#include "sql/functions.h"

// g++ 12 reports false -Wmaybe-uninitialized inside <regex> under
// -fsanitize (a known compiler false positive); the header is not ours to fix.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <regex>
#pragma GCC diagnostic pop

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <set>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/time_format.h"
#include "sql/sql.h"

namespace refinery::sql::internal {
namespace {

using Json = nlohmann::json;

// ---- value helpers ----

bool IsNull(sqlite3_value* v) { return sqlite3_value_type(v) == SQLITE_NULL; }

std::string_view Text(sqlite3_value* v) {
  const unsigned char* text = sqlite3_value_text(v);
  if (text == nullptr) return {};
  return {reinterpret_cast<const char*>(text), static_cast<size_t>(sqlite3_value_bytes(v))};
}

void ResultText(sqlite3_context* ctx, std::string_view text) {
  sqlite3_result_text(ctx, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
}

// The value as Hive would print it (doubles the Java way).
std::string HiveText(sqlite3_value* v) {
  if (sqlite3_value_type(v) == SQLITE_FLOAT) return JavaDouble(sqlite3_value_double(v));
  return std::string(Text(v));
}

bool AnyNull(int argc, sqlite3_value** argv) {
  for (int k = 0; k < argc; ++k) {
    if (IsNull(argv[k])) return true;
  }
  return false;
}

std::string_view TrimView(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Integer text with an optional fractional part that is dropped, as Hive's LazyInteger.
bool ParseHiveInteger(std::string_view s, int64_t* out) {
  s = TrimView(s);
  size_t dot = s.find('.');
  std::string_view whole = s.substr(0, dot);
  if (dot != std::string_view::npos) {
    for (char c : s.substr(dot + 1)) {
      if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    }
  }
  if (!whole.empty() && whole.front() == '+') whole.remove_prefix(1);
  if (whole.empty() || whole == "-") return false;
  auto [ptr, ec] = std::from_chars(whole.data(), whole.data() + whole.size(), *out);
  return ec == std::errc() && ptr == whole.data() + whole.size();
}

bool ParseDouble(std::string_view s, double* out) {
  s = TrimView(s);
  if (s.empty()) return false;
  std::string copy(s);
  char* end = nullptr;
  *out = std::strtod(copy.c_str(), &end);
  return end == copy.c_str() + copy.size();
}

// Numeric argument: integers and reals as they are, text parsed; false when not a number.
bool NumberArg(sqlite3_value* v, double* out) {
  switch (sqlite3_value_type(v)) {
    case SQLITE_INTEGER:
    case SQLITE_FLOAT: *out = sqlite3_value_double(v); return true;
    case SQLITE_TEXT: return ParseDouble(Text(v), out);
    default: return false;
  }
}

// ---- dates (proleptic Gregorian, UTC) ----

struct DateTime {
  int64_t days = 0;     // since 1970-01-01
  int64_t seconds = 0;  // within the day
  std::string fraction;  // ".123" or ""
};

bool Digits(std::string_view s, size_t at, size_t n, int* out) {
  if (at + n > s.size()) return false;
  int value = 0;
  for (size_t k = at; k < at + n; ++k) {
    if (!std::isdigit(static_cast<unsigned char>(s[k]))) return false;
    value = value * 10 + (s[k] - '0');
  }
  *out = value;
  return true;
}

// "YYYY-MM-DD" optionally followed by " HH:MM:SS[.fff]" or "THH:MM:SS".
bool ParseDateTime(std::string_view s, DateTime* out) {
  s = TrimView(s);
  int y, m, d;
  if (!Digits(s, 0, 4, &y) || s.size() < 10 || s[4] != '-' || !Digits(s, 5, 2, &m) || s[7] != '-' ||
      !Digits(s, 8, 2, &d) || m < 1 || m > 12 || d < 1 || d > 31) {
    return false;
  }
  out->days = DaysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
  out->seconds = 0;
  out->fraction.clear();
  if (s.size() == 10) return true;
  int hh, mm, ss = 0;
  if ((s[10] != ' ' && s[10] != 'T') || !Digits(s, 11, 2, &hh) || s.size() < 16 || s[13] != ':' ||
      !Digits(s, 14, 2, &mm)) {
    return true;  // Hive's to_date reads the date part of anything that starts with one
  }
  if (s.size() >= 19 && s[16] == ':') Digits(s, 17, 2, &ss);
  out->seconds = hh * 3600 + mm * 60 + ss;
  if (s.size() > 19 && s[19] == '.') out->fraction = std::string(s.substr(19));
  return true;
}

bool DateArg(sqlite3_value* v, DateTime* out) {
  if (IsNull(v)) return false;
  if (sqlite3_value_type(v) == SQLITE_INTEGER) {  // seconds since the epoch
    const int64_t t = sqlite3_value_int64(v);
    out->days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    out->seconds = t - out->days * 86400;
    return true;
  }
  return ParseDateTime(Text(v), out);
}

std::string FormatDate(int64_t days) {
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
  return buf;
}

// java.text.SimpleDateFormat's common letters: y M d H m s S, quoted literals.
std::string FormatPattern(int64_t epoch_seconds, std::string_view pattern) {
  int64_t days = epoch_seconds >= 0 ? epoch_seconds / 86400 : -((-epoch_seconds + 86399) / 86400);
  int64_t secs = epoch_seconds - days * 86400;
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  std::string out;
  for (size_t i = 0; i < pattern.size();) {
    const char c = pattern[i];
    size_t run = 1;
    while (i + run < pattern.size() && pattern[i + run] == c) ++run;
    auto pad = [&](int64_t value, size_t width) {
      std::string digits = std::to_string(value);
      if (digits.size() < width) digits.insert(0, width - digits.size(), '0');
      out += digits;
    };
    switch (c) {
      case 'y': run == 2 ? pad(y % 100, 2) : pad(y, run); break;
      case 'M': pad(m, run); break;
      case 'd': pad(d, run); break;
      case 'H': pad(secs / 3600, run); break;
      case 'm': pad(secs / 60 % 60, run); break;
      case 's': pad(secs % 60, run); break;
      case 'S': pad(0, run); break;
      case '\'': {
        const size_t close = pattern.find('\'', i + 1);
        out += pattern.substr(i + 1, (close == std::string_view::npos ? pattern.size() : close) - i - 1);
        i = close == std::string_view::npos ? pattern.size() : close + 1;
        continue;
      }
      default: out.append(run, c);
    }
    i += run;
  }
  return out;
}

bool ParsePattern(std::string_view s, std::string_view pattern, int64_t* epoch_seconds) {
  int fields[7] = {1970, 1, 1, 0, 0, 0, 0};
  const std::string letters = "yMdHmsS";
  size_t at = 0;
  for (size_t i = 0; i < pattern.size();) {
    const char c = pattern[i];
    size_t run = 1;
    while (i + run < pattern.size() && pattern[i + run] == c) ++run;
    const size_t slot = letters.find(c);
    if (slot == std::string::npos) {
      for (size_t k = 0; k < run; ++k, ++at) {
        if (at >= s.size() || s[at] != c) return false;
      }
    } else {
      const size_t width = (c == 'y' && run != 2) ? 4 : std::max<size_t>(run, 2);
      size_t n = 0;
      int value = 0;
      while (n < width && at < s.size() && std::isdigit(static_cast<unsigned char>(s[at]))) {
        value = value * 10 + (s[at++] - '0');
        ++n;
      }
      if (n == 0) return false;
      fields[slot] = (c == 'y' && run == 2) ? 2000 + value : value;
    }
    i += run;
  }
  if (fields[1] < 1 || fields[1] > 12 || fields[2] < 1 || fields[2] > 31) return false;
  *epoch_seconds = DaysFromCivil(fields[0], static_cast<unsigned>(fields[1]), static_cast<unsigned>(fields[2])) * 86400 +
                   fields[3] * 3600 + fields[4] * 60 + fields[5];
  return true;
}

// ---- regular expressions (Java syntax read as ECMAScript, cached per call site) ----

const std::regex* Regex(sqlite3_context* ctx, sqlite3_value** argv, int arg) {
  auto* cached = static_cast<std::regex*>(sqlite3_get_auxdata(ctx, arg));
  if (cached != nullptr) return cached;
  try {
    auto* compiled = new std::regex(std::string(Text(argv[arg])), std::regex::ECMAScript);
    sqlite3_set_auxdata(ctx, arg, compiled, [](void* p) { delete static_cast<std::regex*>(p); });
    return static_cast<std::regex*>(sqlite3_get_auxdata(ctx, arg));
  } catch (const std::regex_error& e) {
    const std::string message = "invalid regular expression '" + std::string(Text(argv[arg])) + "': " + e.what();
    sqlite3_result_error(ctx, message.c_str(), -1);
    return nullptr;
  }
}

// ---- arrays: JSON text ----

bool ArrayArg(sqlite3_value* v, Json* out) {
  if (sqlite3_value_type(v) != SQLITE_TEXT) return false;
  std::string_view text = Text(v);
  if (text.empty() || text.front() != '[') return false;
  *out = Json::parse(text, nullptr, false);
  return !out->is_discarded() && out->is_array();
}

Json JsonOf(sqlite3_value* v) {
  switch (sqlite3_value_type(v)) {
    case SQLITE_INTEGER: return sqlite3_value_int64(v);
    case SQLITE_FLOAT: return sqlite3_value_double(v);
    case SQLITE_NULL: return nullptr;
    default: return std::string(Text(v));
  }
}

void ResultJsonValue(sqlite3_context* ctx, const Json& value) {
  if (value.is_null()) {
    sqlite3_result_null(ctx);
  } else if (value.is_number_integer()) {
    sqlite3_result_int64(ctx, value.get<int64_t>());
  } else if (value.is_number()) {
    sqlite3_result_double(ctx, value.get<double>());
  } else if (value.is_string()) {
    ResultText(ctx, value.get<std::string>());
  } else if (value.is_boolean()) {
    sqlite3_result_int(ctx, value.get<bool>() ? 1 : 0);
  } else {
    ResultText(ctx, value.dump());
  }
}

std::string JsonElementText(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_float()) return JavaDouble(value.get<double>());
  return value.dump();
}

// ---- scalar functions ----

void Concat(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  if (AnyNull(argc, argv)) return sqlite3_result_null(ctx);
  std::string out;
  for (int k = 0; k < argc; ++k) out += HiveText(argv[k]);
  ResultText(ctx, out);
}

void ConcatWs(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  if (argc < 1 || IsNull(argv[0])) return sqlite3_result_null(ctx);
  const std::string sep(Text(argv[0]));
  std::string out;
  bool first = true;
  auto add = [&](const std::string& piece) {
    if (!first) out += sep;
    out += piece;
    first = false;
  };
  for (int k = 1; k < argc; ++k) {
    if (IsNull(argv[k])) continue;
    Json array;
    if (ArrayArg(argv[k], &array)) {
      for (const Json& item : array) {
        if (!item.is_null()) add(JsonElementText(item));
      }
    } else {
      add(HiveText(argv[k]));
    }
  }
  ResultText(ctx, out);
}

// Byte offsets of each UTF-8 character, plus the end.
std::vector<size_t> CharOffsets(std::string_view s) {
  std::vector<size_t> offsets;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) offsets.push_back(i);
  }
  offsets.push_back(s.size());
  return offsets;
}

void Substr(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  if (AnyNull(argc, argv)) return sqlite3_result_null(ctx);
  const std::string s = HiveText(argv[0]);
  const std::vector<size_t> offsets = CharOffsets(s);
  const int64_t n = static_cast<int64_t>(offsets.size()) - 1;
  int64_t pos = sqlite3_value_int64(argv[1]);
  int64_t len = argc > 2 ? sqlite3_value_int64(argv[2]) : n;
  if (len <= 0 || pos > n || -pos > n) return ResultText(ctx, "");
  const int64_t start = pos > 0 ? pos - 1 : (pos < 0 ? n + pos : 0);
  const int64_t stop = std::min(n, start + len);
  ResultText(ctx, std::string_view(s).substr(offsets[start], offsets[stop] - offsets[start]));
}

void RegexpReplace(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  if (AnyNull(argc, argv)) return sqlite3_result_null(ctx);
  const std::regex* re = Regex(ctx, argv, 1);
  if (re == nullptr) return;
  ResultText(ctx, std::regex_replace(HiveText(argv[0]), *re, std::string(Text(argv[2]))));
}

void RegexpExtract(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  if (AnyNull(argc, argv)) return sqlite3_result_null(ctx);
  const std::regex* re = Regex(ctx, argv, 1);
  if (re == nullptr) return;
  const std::string s = HiveText(argv[0]);
  const int64_t group = argc > 2 ? sqlite3_value_int64(argv[2]) : 1;
  std::smatch match;
  if (!std::regex_search(s, match, *re)) return ResultText(ctx, "");
  if (group < 0 || group >= static_cast<int64_t>(match.size())) {
    return sqlite3_result_error(ctx, "regexp_extract: the group index is out of range", -1);
  }
  ResultText(ctx, match[static_cast<size_t>(group)].str());
}

// REGEXP operator: regexp(pattern, value); true when the pattern is found anywhere (Java's find()).
void RegexpOperator(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  if (AnyNull(argc, argv)) return sqlite3_result_null(ctx);
  const std::regex* re = Regex(ctx, argv, 0);
  if (re == nullptr) return;
  const std::string s = HiveText(argv[1]);
  sqlite3_result_int(ctx, std::regex_search(s, *re) ? 1 : 0);
}

void Split(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  if (AnyNull(argc, argv)) return sqlite3_result_null(ctx);
  const std::regex* re = Regex(ctx, argv, 1);
  if (re == nullptr) return;
  const std::string s = HiveText(argv[0]);
  Json array = Json::array();
  std::sregex_token_iterator it(s.begin(), s.end(), *re, -1), end;
  for (; it != end; ++it) array.push_back(it->str());
  if (!s.empty() && array.empty()) array.push_back("");
  while (array.size() > 1 && array.back().get<std::string>().empty()) array.erase(array.size() - 1);  // Java's split
  ResultText(ctx, array.dump());
}

void Size(sqlite3_context* ctx, int, sqlite3_value** argv) {
  Json array;
  if (!ArrayArg(argv[0], &array)) return sqlite3_result_int64(ctx, -1);
  sqlite3_result_int64(ctx, static_cast<int64_t>(array.size()));
}

void Index(sqlite3_context* ctx, int, sqlite3_value** argv) {
  Json array;
  if (!ArrayArg(argv[0], &array) || IsNull(argv[1])) return sqlite3_result_null(ctx);
  const int64_t i = sqlite3_value_int64(argv[1]);
  if (i < 0 || i >= static_cast<int64_t>(array.size())) return sqlite3_result_null(ctx);
  ResultJsonValue(ctx, array[static_cast<size_t>(i)]);
}

void ArrayOf(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  Json array = Json::array();
  for (int k = 0; k < argc; ++k) array.push_back(JsonOf(argv[k]));
  ResultText(ctx, array.dump());
}

void ArrayContains(sqlite3_context* ctx, int, sqlite3_value** argv) {
  Json array;
  if (!ArrayArg(argv[0], &array) || IsNull(argv[1])) return sqlite3_result_null(ctx);
  const Json needle = JsonOf(argv[1]);
  sqlite3_result_int(ctx, std::find(array.begin(), array.end(), needle) != array.end() ? 1 : 0);
}

void SortArray(sqlite3_context* ctx, int, sqlite3_value** argv) {
  Json array;
  if (!ArrayArg(argv[0], &array)) return sqlite3_result_null(ctx);
  std::sort(array.begin(), array.end());
  ResultText(ctx, array.dump());
}

void Nvl(sqlite3_context* ctx, int, sqlite3_value** argv) {
  sqlite3_result_value(ctx, IsNull(argv[0]) ? argv[1] : argv[0]);
}

void IsNullFn(sqlite3_context* ctx, int, sqlite3_value** argv) { sqlite3_result_int(ctx, IsNull(argv[0]) ? 1 : 0); }
void IsNotNullFn(sqlite3_context* ctx, int, sqlite3_value** argv) { sqlite3_result_int(ctx, IsNull(argv[0]) ? 0 : 1); }

void Greatest(sqlite3_context* ctx, int argc, sqlite3_value** argv, bool greatest) {
  sqlite3_value* best = nullptr;
  for (int k = 0; k < argc; ++k) {
    if (IsNull(argv[k])) continue;
    if (best == nullptr) {
      best = argv[k];
      continue;
    }
    double a, b;
    bool replace;
    if (NumberArg(argv[k], &a) && NumberArg(best, &b)) {
      replace = greatest ? a > b : a < b;
    } else {
      replace = greatest ? HiveText(argv[k]) > HiveText(best) : HiveText(argv[k]) < HiveText(best);
    }
    if (replace) best = argv[k];
  }
  if (best == nullptr) return sqlite3_result_null(ctx);
  sqlite3_result_value(ctx, best);
}

void Lpad(sqlite3_context* ctx, int argc, sqlite3_value** argv, bool left) {
  if (AnyNull(argc, argv)) return sqlite3_result_null(ctx);
  const std::string s = HiveText(argv[0]);
  const int64_t len = sqlite3_value_int64(argv[1]);
  const std::string pad(Text(argv[2]));
  const std::vector<size_t> offsets = CharOffsets(s);
  const int64_t n = static_cast<int64_t>(offsets.size()) - 1;
  if (len < 0) return sqlite3_result_null(ctx);
  if (len <= n) return ResultText(ctx, s.substr(0, offsets[static_cast<size_t>(len)]));
  if (pad.empty()) return ResultText(ctx, s);
  std::string fill;
  for (int64_t k = 0; k < len - n; ++k) fill.push_back(pad[static_cast<size_t>(k) % pad.size()]);
  ResultText(ctx, left ? fill + s : s + fill);
}

void Reverse(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (IsNull(argv[0])) return sqlite3_result_null(ctx);
  const std::string s = HiveText(argv[0]);
  const std::vector<size_t> offsets = CharOffsets(s);
  std::string out;
  for (size_t k = offsets.size() - 1; k-- > 0;) out += s.substr(offsets[k], offsets[k + 1] - offsets[k]);
  ResultText(ctx, out);
}

void Locate(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  if (AnyNull(argc, argv)) return sqlite3_result_null(ctx);
  const std::string needle = HiveText(argv[0]);
  const std::string hay = HiveText(argv[1]);
  const int64_t from = argc > 2 ? sqlite3_value_int64(argv[2]) : 1;
  if (from < 1) return sqlite3_result_int64(ctx, 0);
  const size_t at = hay.find(needle, static_cast<size_t>(from - 1));
  sqlite3_result_int64(ctx, at == std::string::npos ? 0 : static_cast<int64_t>(at) + 1);
}

void Initcap(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (IsNull(argv[0])) return sqlite3_result_null(ctx);
  std::string s = HiveText(argv[0]);
  bool start = true;
  for (char& c : s) {
    c = static_cast<char>(start ? std::toupper(static_cast<unsigned char>(c)) : std::tolower(static_cast<unsigned char>(c)));
    start = std::isspace(static_cast<unsigned char>(c)) != 0;
  }
  ResultText(ctx, s);
}

// ---- math ----

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

// ---- dates ----

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

// ---- aggregates ----

// Welford's running moments; removable for window frames.
struct Moments {
  int64_t n = 0;
  double mean = 0, m2 = 0;
};

Moments* MomentsOf(sqlite3_context* ctx, bool create) {
  return static_cast<Moments*>(sqlite3_aggregate_context(ctx, create ? sizeof(Moments) : 0));
}

void MomentsStep(sqlite3_context* ctx, int, sqlite3_value** argv) {
  double x;
  if (!NumberArg(argv[0], &x)) return;
  Moments* m = MomentsOf(ctx, true);
  if (m == nullptr) return sqlite3_result_error_nomem(ctx);
  ++m->n;
  const double delta = x - m->mean;
  m->mean += delta / static_cast<double>(m->n);
  m->m2 += delta * (x - m->mean);
}

void MomentsInverse(sqlite3_context* ctx, int, sqlite3_value** argv) {
  double x;
  Moments* m = MomentsOf(ctx, true);
  if (!NumberArg(argv[0], &x) || m == nullptr || m->n == 0) return;
  if (m->n == 1) {
    *m = Moments();
    return;
  }
  const double old_mean = m->mean;
  m->mean = (old_mean * static_cast<double>(m->n) - x) / static_cast<double>(m->n - 1);
  m->m2 -= (x - old_mean) * (x - m->mean);
  --m->n;
}

// kind: 0 var_pop, 1 var_samp, 2 stddev_pop, 3 stddev_samp
template <int kKind>
void MomentsValue(sqlite3_context* ctx) {
  Moments* m = MomentsOf(ctx, false);
  const int64_t min_n = (kKind == 1 || kKind == 3) ? 2 : 1;
  if (m == nullptr || m->n < min_n) return sqlite3_result_null(ctx);
  const double denominator = static_cast<double>(kKind == 1 || kKind == 3 ? m->n - 1 : m->n);
  const double variance = std::max(0.0, m->m2 / denominator);
  sqlite3_result_double(ctx, kKind >= 2 ? std::sqrt(variance) : variance);
}

// Aggregates that keep values: the state holds a pointer to a heap object.
template <typename T>
T* Holder(sqlite3_context* ctx, bool create) {
  auto** slot = static_cast<T**>(sqlite3_aggregate_context(ctx, create ? sizeof(T*) : 0));
  if (slot == nullptr) return nullptr;
  if (*slot == nullptr && create) *slot = new T();
  return *slot;
}

template <typename T>
std::unique_ptr<T> TakeHolder(sqlite3_context* ctx) {
  auto** slot = static_cast<T**>(sqlite3_aggregate_context(ctx, 0));
  if (slot == nullptr) return nullptr;
  std::unique_ptr<T> owned(*slot);
  *slot = nullptr;
  return owned;
}

struct PercentileState {
  std::vector<double> values;
  Json fractions;  // a number or an array
};

void PercentileStep(sqlite3_context* ctx, int, sqlite3_value** argv) {
  auto* state = Holder<PercentileState>(ctx, true);
  if (state == nullptr) return sqlite3_result_error_nomem(ctx);
  if (state->fractions.is_null()) {
    Json array;
    state->fractions = ArrayArg(argv[1], &array) ? array : Json(sqlite3_value_double(argv[1]));
  }
  double x;
  if (NumberArg(argv[0], &x)) state->values.push_back(x);
}

// Linear interpolation between the closest ranks (Hive's percentile()).
double PercentileOf(const std::vector<double>& sorted, double p) {
  const double position = p * static_cast<double>(sorted.size() - 1);
  const size_t lower = static_cast<size_t>(std::floor(position));
  const size_t upper = static_cast<size_t>(std::ceil(position));
  return sorted[lower] + (position - static_cast<double>(lower)) * (sorted[upper] - sorted[lower]);
}

void PercentileFinal(sqlite3_context* ctx) {
  std::unique_ptr<PercentileState> state = TakeHolder<PercentileState>(ctx);
  if (state == nullptr || state->values.empty()) return sqlite3_result_null(ctx);
  std::sort(state->values.begin(), state->values.end());
  auto valid = [](const Json& p) { return p.is_number() && p.get<double>() >= 0 && p.get<double>() <= 1; };
  if (state->fractions.is_array()) {
    Json out = Json::array();
    for (const Json& p : state->fractions) {
      if (!valid(p)) return sqlite3_result_error(ctx, "percentile: every fraction must be within [0, 1]", -1);
      out.push_back(PercentileOf(state->values, p.get<double>()));
    }
    return ResultText(ctx, out.dump());
  }
  if (!valid(state->fractions)) return sqlite3_result_error(ctx, "percentile: the fraction must be within [0, 1]", -1);
  sqlite3_result_double(ctx, PercentileOf(state->values, state->fractions.get<double>()));
}

struct CollectState {
  Json values = Json::array();
  std::set<std::string> seen;
};

template <bool kDistinct>
void CollectStep(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (IsNull(argv[0])) return;
  auto* state = Holder<CollectState>(ctx, true);
  if (state == nullptr) return sqlite3_result_error_nomem(ctx);
  Json value = JsonOf(argv[0]);
  if (kDistinct && !state->seen.insert(value.dump()).second) return;
  state->values.push_back(std::move(value));
}

void CollectFinal(sqlite3_context* ctx) {
  std::unique_ptr<CollectState> state = TakeHolder<CollectState>(ctx);
  ResultText(ctx, state == nullptr ? "[]" : state->values.dump());
}

// ---- registration ----

using Scalar = void (*)(sqlite3_context*, int, sqlite3_value**);

struct ScalarSpec {
  const char* name;
  int args;  // -1 = any
  Scalar function;
  bool deterministic = true;
};

const std::vector<ScalarSpec>& Scalars() {
  static const std::vector<ScalarSpec> kScalars = {
      {"concat", -1, Concat},
      {"concat_ws", -1, ConcatWs},
      {"substr", 2, Substr},
      {"substr", 3, Substr},
      {"substring", 2, Substr},
      {"substring", 3, Substr},
      {"regexp_replace", 3, RegexpReplace},
      {"regexp_extract", 2, RegexpExtract},
      {"regexp_extract", 3, RegexpExtract},
      {"regexp", 2, RegexpOperator},
      {"split", 2, Split},
      {"size", 1, Size},
      {"hive_index", 2, Index},
      {"array", -1, ArrayOf},
      {"array_contains", 2, ArrayContains},
      {"sort_array", 1, SortArray},
      {"nvl", 2, Nvl},
      {"hive_isnull", 1, IsNullFn},
      {"isnotnull", 1, IsNotNullFn},
      {"greatest", -1, [](sqlite3_context* c, int n, sqlite3_value** v) { Greatest(c, n, v, true); }},
      {"least", -1, [](sqlite3_context* c, int n, sqlite3_value** v) { Greatest(c, n, v, false); }},
      {"lpad", 3, [](sqlite3_context* c, int n, sqlite3_value** v) { Lpad(c, n, v, true); }},
      {"rpad", 3, [](sqlite3_context* c, int n, sqlite3_value** v) { Lpad(c, n, v, false); }},
      {"reverse", 1, Reverse},
      {"locate", 2, Locate},
      {"locate", 3, Locate},
      {"initcap", 1, Initcap},
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
  return kScalars;
}

struct WindowSpec {
  const char* name;
  void (*value)(sqlite3_context*);
};

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
  for (const ScalarSpec& spec : Scalars()) {
    const int flags = SQLITE_UTF8 | (spec.deterministic ? SQLITE_DETERMINISTIC : 0);
    REFINERY_RETURN_IF_ERROR(Check(
        db, sqlite3_create_function_v2(db, spec.name, spec.args, flags, nullptr, spec.function, nullptr, nullptr, nullptr),
        spec.name));
  }
  static const WindowSpec kMoments[] = {
      {"variance", MomentsValue<0>},    {"var_pop", MomentsValue<0>},     {"var_samp", MomentsValue<1>},
      {"stddev", MomentsValue<2>},      {"stddev_pop", MomentsValue<2>},  {"std", MomentsValue<2>},
      {"stddev_samp", MomentsValue<3>},
  };
  for (const WindowSpec& spec : kMoments) {
    REFINERY_RETURN_IF_ERROR(Check(db,
                                   sqlite3_create_window_function(db, spec.name, 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                                                                  nullptr, MomentsStep, spec.value, spec.value,
                                                                  MomentsInverse, nullptr),
                                   spec.name));
  }
  for (const char* name : {"percentile", "percentile_approx"}) {
    for (int args : {2, 3}) {
      REFINERY_RETURN_IF_ERROR(Check(db,
                                     sqlite3_create_function_v2(db, name, args, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                                                                nullptr, nullptr, PercentileStep, PercentileFinal,
                                                                nullptr),
                                     name));
    }
  }
  REFINERY_RETURN_IF_ERROR(Check(db,
                                 sqlite3_create_function_v2(db, "collect_set", 1, SQLITE_UTF8, nullptr, nullptr,
                                                            CollectStep<true>, CollectFinal, nullptr),
                                 "collect_set"));
  REFINERY_RETURN_IF_ERROR(Check(db,
                                 sqlite3_create_function_v2(db, "collect_list", 1, SQLITE_UTF8, nullptr, nullptr,
                                                            CollectStep<false>, CollectFinal, nullptr),
                                 "collect_list"));
  return Status::Ok();
}

}  // namespace refinery::sql::internal
