#include "el/internal/java_text.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <regex>
#include <variant>

#include "core/xml_text.h"
#include "el/internal/errors.h"

namespace refinery::el::internal {
namespace {

// libstdc++'s backtracking regex executor recurses once per character and
// per NFA state, so a long subject or a pattern like (a?){50000} can exhaust
// the stack. Patterns are therefore run in its polynomial (breadth-first)
// mode, and patterns whose NFA would be large or deeply nested are refused
// before std::regex sees them. A search that fails at many start positions
// is still quadratic in the subject (a*c over "aaaa..."), as it is in Java.
constexpr size_t kMaxRegexUnits = 1000;
constexpr size_t kMaxRegexNesting = 10;

size_t SaturatingMultiply(size_t a, size_t b) {
  if (a != 0 && b > kMaxRegexUnits * 2 / a) return kMaxRegexUnits * 2;
  return a * b;
}

// Reads "{n}", "{n,}" or "{n,m}" at p[i]; returns the largest count and
// moves i to the closing brace, or nullopt when it is not a repetition.
std::optional<size_t> ReadRepetition(std::string_view p, size_t* i) {
  const size_t close = p.find('}', *i);
  if (close == std::string_view::npos) return std::nullopt;
  const std::string_view body = p.substr(*i + 1, close - *i - 1);
  if (body.empty() || body.find_first_not_of("0123456789,") != std::string_view::npos) return std::nullopt;
  size_t largest = 1;
  size_t current = 0;
  for (char c : body) {
    if (c == ',') {
      largest = std::max(largest, current + 1);  // "{n,}" can repeat past n
      current = 0;
      continue;
    }
    current = std::min(current * 10 + static_cast<size_t>(c - '0'), kMaxRegexUnits * 2);
  }
  largest = std::max(largest, current);
  *i = close;
  return largest;
}

// A rough size of the NFA: one unit per atom, groups summed, counted
// repetitions multiplying what they repeat.
Status CheckRegexComplexity(std::string_view p) {
  std::vector<size_t> group_units{0};
  size_t last_atom = 0;
  for (size_t i = 0; i < p.size(); ++i) {
    const char c = p[i];
    if (c == '\\') {
      ++i;
      last_atom = 1;
    } else if (c == '[') {
      size_t j = i + 1;
      if (j < p.size() && p[j] == '^') ++j;
      if (j < p.size() && p[j] == ']') ++j;
      while (j < p.size() && p[j] != ']') j += p[j] == '\\' ? 2 : 1;
      i = j;
      last_atom = 1;
    } else if (c == '(') {
      group_units.push_back(0);
      if (group_units.size() > kMaxRegexNesting) return ElError("regular expression nests groups too deeply");
      continue;
    } else if (c == ')' && group_units.size() > 1) {
      last_atom = group_units.back() + 1;
      group_units.pop_back();
    } else if (c == '{') {
      const std::optional<size_t> count = ReadRepetition(p, &i);
      if (count) {
        const size_t repeated = SaturatingMultiply(last_atom, *count);
        group_units.back() += repeated - std::min(repeated, last_atom);
        last_atom = repeated;
        if (group_units.back() > kMaxRegexUnits) return ElError("regular expression is too complex");
        continue;
      }
      last_atom = 1;
    } else {
      last_atom = 1;
    }
    group_units.back() += last_atom;
    if (group_units.back() > kMaxRegexUnits) return ElError("regular expression is too complex");
  }
  return Status::Ok();
}

Result<std::regex> CompileJavaRegex(std::string_view pattern) {
  auto flags = std::regex::ECMAScript;
#ifdef __GLIBCXX__
  flags |= std::regex_constants::__polynomial;
#endif
  // Java's embedded case-insensitive flag, the one commonly seen in EL.
  if (pattern.substr(0, 4) == "(?i)") {
    flags |= std::regex::icase;
    pattern.remove_prefix(4);
  }
  const Status complexity = CheckRegexComplexity(pattern);
  if (!complexity.ok()) return ElError(complexity.message() + ": [" + std::string(pattern) + "]");
  try {
    return std::regex(pattern.begin(), pattern.end(), flags);
  } catch (const std::regex_error& e) {
    return ElError("invalid regular expression [" + std::string(pattern) + "]: " + e.what());
  }
}

// A Java replacement string, split into literal text and group references.
using ReplacementPart = std::variant<std::string, size_t>;

// Java's appendReplacement rules: "\x" is x, "$n" is group n where further
// digits extend n only while such a group exists.
Result<std::vector<ReplacementPart>> ParseReplacement(std::string_view repl, size_t group_count) {
  std::vector<ReplacementPart> parts;
  std::string literal;
  for (size_t i = 0; i < repl.size(); ++i) {
    const char c = repl[i];
    if (c == '\\') {
      if (++i >= repl.size()) return ElError("replacement [" + std::string(repl) + "] ends with a lone '\\'");
      literal.push_back(repl[i]);
      continue;
    }
    if (c != '$') {
      literal.push_back(c);
      continue;
    }
    if (i + 1 >= repl.size() || repl[i + 1] < '0' || repl[i + 1] > '9') {
      return ElError("illegal group reference in replacement [" + std::string(repl) +
                     "]: '$' must be followed by a group number (write \\$ for a literal '$')");
    }
    size_t group = static_cast<size_t>(repl[++i] - '0');
    if (group > group_count) {
      return ElError("replacement [" + std::string(repl) + "] refers to group " + std::to_string(group) +
                     " but the pattern has " + std::to_string(group_count));
    }
    while (i + 1 < repl.size() && repl[i + 1] >= '0' && repl[i + 1] <= '9') {
      const size_t longer = group * 10 + static_cast<size_t>(repl[i + 1] - '0');
      if (longer > group_count) break;
      group = longer;
      ++i;
    }
    if (!literal.empty()) parts.emplace_back(std::move(literal));
    literal.clear();
    parts.emplace_back(group);
  }
  if (!literal.empty()) parts.emplace_back(std::move(literal));
  return parts;
}

Status TooLarge() {
  return ElError("result exceeds " + std::to_string(kMaxRegexResultBytes >> 20) + " MiB");
}

Result<std::string> ReplaceMatches(std::string_view src, const std::regex& re, std::string_view replacement) {
  std::cregex_iterator it(src.data(), src.data() + src.size(), re);
  const std::cregex_iterator end;
  if (it == end) return std::string(src);
  REFINERY_ASSIGN_OR_RETURN(const std::vector<ReplacementPart> parts, ParseReplacement(replacement, re.mark_count()));
  std::string out;
  const char* copied_to = src.data();
  for (; it != end; ++it) {
    const std::cmatch& m = *it;
    out.append(copied_to, m[0].first);
    for (const ReplacementPart& part : parts) {
      if (const auto* text = std::get_if<std::string>(&part)) {
        out += *text;
      } else if (m[std::get<size_t>(part)].matched) {
        out += m[std::get<size_t>(part)].str();
      }
    }
    copied_to = m[0].second;
    if (out.size() > kMaxRegexResultBytes) return TooLarge();
  }
  out.append(copied_to, src.data() + src.size());
  return out;
}

void AppendJsonString(std::string_view s, std::string* out) {
  auto unicode_escape = [out](unsigned code) {
    char hex[8];
    std::snprintf(hex, sizeof(hex), "\\u%04X", code);
    *out += hex;
  };
  *out += '"';
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"': *out += "\\\""; continue;
      case '\\': *out += "\\\\"; continue;
      case '/': *out += "\\/"; continue;
      case '\b': *out += "\\b"; continue;
      case '\f': *out += "\\f"; continue;
      case '\n': *out += "\\n"; continue;
      case '\r': *out += "\\r"; continue;
      case '\t': *out += "\\t"; continue;
      default: break;
    }
    const unsigned char next = i + 1 < s.size() ? static_cast<unsigned char>(s[i + 1]) : 0;
    const unsigned char third = i + 2 < s.size() ? static_cast<unsigned char>(s[i + 2]) : 0;
    if (c < 0x20 || c == 0x7f) {
      unicode_escape(c);
    } else if (c == 0xC2 && next >= 0x80 && next <= 0x9F) {  // U+0080..U+009F
      unicode_escape(next);
      i += 1;
    } else if (c == 0xE2 && next >= 0x80 && next <= 0x83 && (third & 0xC0) == 0x80) {  // U+2000..U+20FF
      unicode_escape(0x2000 + ((next & 0x3Fu) << 6) + (third & 0x3Fu));
      i += 2;
    } else {
      *out += static_cast<char>(c);
    }
  }
  *out += '"';
}

void AppendJson(const Value& value, std::string* out) {
  if (value.is_null()) {
    *out += "null";
  } else if (value.is_string()) {
    AppendJsonString(value.as_string(), out);
  } else if (value.is_double() && !std::isfinite(value.as_double())) {
    *out += "null";  // json-simple writes non-finite doubles as null
  } else if (!value.is_map()) {
    *out += value.ToText();
  } else {
    *out += '{';
    bool first = true;
    for (const auto& [key, item] : value.as_map()) {
      if (!first) *out += ',';
      first = false;
      AppendJsonString(key, out);
      *out += ':';
      AppendJson(item, out);
    }
    *out += '}';
  }
}

}  // namespace

Result<std::string> JavaReplaceAll(std::string_view src, std::string_view regex, std::string_view replacement) {
  REFINERY_ASSIGN_OR_RETURN(const std::regex re, CompileJavaRegex(regex));
  try {
    return ReplaceMatches(src, re, replacement);
  } catch (const std::regex_error& e) {
    return ElError("regular expression [" + std::string(regex) + "] failed: " + e.what());
  }
}

Result<std::vector<std::string>> JavaSplit(std::string_view src, std::string_view regex) {
  REFINERY_ASSIGN_OR_RETURN(const std::regex re, CompileJavaRegex(regex));
  std::vector<std::string> pieces;
  size_t index = 0;
  try {
    for (std::cregex_iterator it(src.data(), src.data() + src.size(), re), end; it != end; ++it) {
      const size_t start = static_cast<size_t>(it->position(0));
      pieces.emplace_back(src.substr(index, start - index));
      index = start + static_cast<size_t>(it->length(0));
    }
  } catch (const std::regex_error& e) {
    return ElError("regular expression [" + std::string(regex) + "] failed: " + e.what());
  }
  // As in Java: no match that consumed anything means one piece, the input.
  if (index == 0) return std::vector<std::string>{std::string(src)};
  pieces.emplace_back(src.substr(index));
  while (!pieces.empty() && pieces.back().empty()) pieces.pop_back();
  return pieces;
}

std::string JavaTrim(std::string_view s) {
  while (!s.empty() && static_cast<unsigned char>(s.front()) <= ' ') s.remove_prefix(1);
  while (!s.empty() && static_cast<unsigned char>(s.back()) <= ' ') s.remove_suffix(1);
  return std::string(s);
}

std::string UrlEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    const unsigned char c = static_cast<unsigned char>(ch);
    const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                            c == '.' || c == '-' || c == '*' || c == '_';
    if (unreserved) {
      out += ch;
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0x0F];
    }
  }
  return out;
}

std::string EscapeXml(std::string_view s) { return refinery::EscapeXml(s); }

std::string ToJsonText(const Value& value) {
  std::string out;
  AppendJson(value, &out);
  return out;
}

}  // namespace refinery::el::internal
