// Hive's string, array and conditional functions on SQLite. Arrays travel
// as JSON text ('["a","b"]'), as split() makes them and size() reads them.
#include <algorithm>
#include <cctype>
#include <set>

#include "sql/function_util.h"

namespace refinery::sql::internal {
namespace {

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
  const std::string s = HiveText(argv[0]);
  const std::string format(Text(argv[2]));
  std::string out;
  if (!MatchSafely(ctx, "regexp_replace", s.size(), [&] { out = std::regex_replace(s, *re, format); })) return;
  ResultText(ctx, out);
}

void RegexpExtract(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  if (AnyNull(argc, argv)) return sqlite3_result_null(ctx);
  const std::regex* re = Regex(ctx, argv, 1);
  if (re == nullptr) return;
  const std::string s = HiveText(argv[0]);
  const int64_t group = argc > 2 ? sqlite3_value_int64(argv[2]) : 1;
  std::smatch match;
  bool found = false;
  if (!MatchSafely(ctx, "regexp_extract", s.size(), [&] { found = std::regex_search(s, match, *re); })) return;
  if (!found) return ResultText(ctx, "");
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
  bool found = false;
  if (!MatchSafely(ctx, "RLIKE", s.size(), [&] { found = std::regex_search(s, *re); })) return;
  sqlite3_result_int(ctx, found ? 1 : 0);
}

void Split(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  if (AnyNull(argc, argv)) return sqlite3_result_null(ctx);
  const std::regex* re = Regex(ctx, argv, 1);
  if (re == nullptr) return;
  const std::string s = HiveText(argv[0]);
  Json array = Json::array();
  const bool split = MatchSafely(ctx, "split", s.size(), [&] {
    std::sregex_token_iterator it(s.begin(), s.end(), *re, -1), end;
    for (; it != end; ++it) array.push_back(it->str());
  });
  if (!split) return;
  if (!s.empty() && array.empty()) array.push_back("");
  while (array.size() > 1 && array.back().get<std::string>().empty()) array.erase(array.size() - 1);  // Java's split
  ResultText(ctx, JsonText(array));
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
  ResultText(ctx, JsonText(array));
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
  ResultText(ctx, JsonText(array));
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

}  // namespace

const std::vector<ScalarSpec>& StringFunctions() {
  static const std::vector<ScalarSpec> kFunctions = {
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
  };
  return kFunctions;
}

}  // namespace refinery::sql::internal
