// The helpers every Hive function family shares (function_util.h).
#include "sql/function_util.h"

#include <pthread.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>

#include "core/time_format.h"
#include "sql/functions.h"
#include "sql/sql.h"

namespace refinery::sql::internal {

// ---- values ----

bool IsNull(sqlite3_value* v) { return sqlite3_value_type(v) == SQLITE_NULL; }

std::string_view Text(sqlite3_value* v) {
  const unsigned char* text = sqlite3_value_text(v);
  if (text == nullptr) return {};
  return {reinterpret_cast<const char*>(text), static_cast<size_t>(sqlite3_value_bytes(v))};
}

void ResultText(sqlite3_context* ctx, std::string_view text) {
  sqlite3_result_text(ctx, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
}

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

bool NumberArg(sqlite3_value* v, double* out) {
  switch (sqlite3_value_type(v)) {
    case SQLITE_INTEGER:
    case SQLITE_FLOAT: *out = sqlite3_value_double(v); return true;
    case SQLITE_TEXT: return ParseDouble(Text(v), out);
    default: return false;
  }
}

// ---- dates ----

namespace {

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
}  // namespace

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

// ---- regular expressions ----

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

namespace {

struct DeepStackJob {
  const std::function<void()>* match;
  std::exception_ptr error;
};

void* RunDeepStackJob(void* arg) {
  auto* job = static_cast<DeepStackJob*>(arg);
  try {
    (*job->match)();
  } catch (...) {
    job->error = std::current_exception();
  }
  return nullptr;
}

}  // namespace

// libstdc++'s matcher recurses once per character it consumes (about 600
// bytes of stack a character under AddressSanitizer): short subjects match
// inline, longer ones on a thread whose stack is sized for them (reserved,
// only touched as deep as the recursion goes).
bool MatchSafely(sqlite3_context* ctx, const char* function, size_t subject_size, const std::function<void()>& match) {
  constexpr size_t kInline = 2048;
  constexpr size_t kMaxSubject = 256 << 10;
  if (subject_size <= kInline) {
    match();
    return true;
  }
  if (subject_size > kMaxSubject) {
    const std::string message = std::string(function) + ": the text is " + std::to_string(subject_size) +
                                " bytes; regular expressions are applied to at most 262144 (use substr first)";
    sqlite3_result_error(ctx, message.c_str(), -1);
    return false;
  }
  pthread_attr_t attributes;
  pthread_attr_init(&attributes);
  pthread_attr_setstacksize(&attributes, std::max<size_t>(size_t{64} << 20, subject_size * 2048));
  DeepStackJob job{&match, nullptr};
  pthread_t thread;
  const int started = pthread_create(&thread, &attributes, RunDeepStackJob, &job);
  pthread_attr_destroy(&attributes);
  if (started != 0) {
    const std::string message = std::string(function) + ": no thread with a stack for a " +
                                std::to_string(subject_size) + "-byte text: " + std::strerror(started);
    sqlite3_result_error(ctx, message.c_str(), -1);
    return false;
  }
  pthread_join(thread, nullptr);
  if (job.error) std::rethrow_exception(job.error);
  return true;
}

// ---- arrays ----

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
    ResultText(ctx, JsonText(value));
  }
}

std::string JsonElementText(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_float()) return JavaDouble(value.get<double>());
  return JsonText(value);
}

std::string JsonText(const Json& value) { return value.dump(-1, ' ', false, Json::error_handler_t::replace); }

}  // namespace refinery::sql::internal
