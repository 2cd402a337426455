#include "sql/script.h"

#include <cctype>
#include <cstdlib>
#include <cstring>

#include "sql/sql.h"

namespace refinery::sql::internal {
namespace {

bool IsWordStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || (c & 0x80); }
bool IsWordChar(char c) { return IsWordStart(c) || std::isdigit(static_cast<unsigned char>(c)) || c == '$'; }
bool IsDigit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }
bool IsOctal(char c) { return c >= '0' && c <= '7'; }

Status SyntaxError(int line, const std::string& what) {
  return Status::InvalidArgument("line " + std::to_string(line) + ": " + what, kSyntaxCode);
}

// Skips a quoted run starting at text[i] (the quote); returns the index after
// the closing quote, or npos when it never closes. Backslash escapes inside
// '..' and "..", doubled backticks inside `..`.
size_t SkipQuoted(std::string_view text, size_t i) {
  const char quote = text[i];
  for (size_t j = i + 1; j < text.size(); ++j) {
    if (text[j] == '\\' && quote != '`') {
      ++j;
    } else if (text[j] == quote) {
      if (quote == '`' && j + 1 < text.size() && text[j + 1] == '`') {
        ++j;
        continue;
      }
      return j + 1;
    }
  }
  return std::string_view::npos;
}

int CountLines(std::string_view text, size_t from, size_t to) {
  int lines = 0;
  for (size_t i = from; i < to && i < text.size(); ++i) lines += text[i] == '\n';
  return lines;
}

void AppendUtf8(uint32_t code, std::string* out) {
  if (code < 0x80) {
    out->push_back(static_cast<char>(code));
  } else if (code < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (code >> 6)));
    out->push_back(static_cast<char>(0x80 | (code & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xE0 | (code >> 12)));
    out->push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (code & 0x3F)));
  }
}

// Hive's string literal escapes (BaseSemanticAnalyzer.unescapeSQLString).
std::string UnescapeString(std::string_view body) {
  std::string out;
  for (size_t i = 0; i < body.size(); ++i) {
    if (body[i] != '\\' || i + 1 >= body.size()) {
      out.push_back(body[i]);
      continue;
    }
    if (i + 3 < body.size() && IsOctal(body[i + 1]) && IsOctal(body[i + 2]) && IsOctal(body[i + 3])) {
      out.push_back(static_cast<char>((body[i + 1] - '0') * 64 + (body[i + 2] - '0') * 8 + (body[i + 3] - '0')));
      i += 3;
      continue;
    }
    const char c = body[++i];
    switch (c) {
      case 'n': out.push_back('\n'); break;
      case 't': out.push_back('\t'); break;
      case 'r': out.push_back('\r'); break;
      case 'b': out.push_back('\b'); break;
      case '0': out.push_back('\0'); break;
      case 'Z': out.push_back('\x1a'); break;
      case 'u':
        if (i + 4 < body.size()) {
          AppendUtf8(static_cast<uint32_t>(std::strtoul(std::string(body.substr(i + 1, 4)).c_str(), nullptr, 16)), &out);
          i += 4;
        }
        break;
      default: out.push_back(c);  // \\ \' \" and any other character
    }
  }
  return out;
}

}  // namespace

std::string Upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool Token::Is(std::string_view keyword) const {
  if (kind != TokenKind::kWord || text.size() != keyword.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(text[i])) != std::toupper(static_cast<unsigned char>(keyword[i]))) {
      return false;
    }
  }
  return true;
}

Result<std::vector<ScriptStatement>> SplitScript(std::string_view script) {
  std::vector<ScriptStatement> statements;
  std::string current;
  int line = 1;
  int start_line = 0;  // 0 = nothing but blanks so far
  auto flush = [&] {
    size_t end = current.find_last_not_of(" \t\r\n");
    if (start_line != 0 && end != std::string::npos) {
      size_t begin = current.find_first_not_of(" \t\r\n");
      statements.push_back({current.substr(begin, end + 1 - begin), start_line});
    }
    current.clear();
    start_line = 0;
  };
  for (size_t i = 0; i < script.size();) {
    const char c = script[i];
    if (c == '-' && i + 1 < script.size() && script[i + 1] == '-') {
      while (i < script.size() && script[i] != '\n') ++i;
      continue;
    }
    if (c == '/' && i + 1 < script.size() && script[i + 1] == '*') {
      const size_t end = script.find("*/", i + 2);
      if (end == std::string_view::npos) return SyntaxError(line, "the comment /* opened here never closes with */");
      const int lines = CountLines(script, i, end);
      current.append(static_cast<size_t>(lines), '\n');
      current.push_back(' ');
      line += lines;
      i = end + 2;
      continue;
    }
    if (c == ';') {
      flush();
      ++i;
      continue;
    }
    if (c == '\'' || c == '"' || c == '`') {
      const size_t end = SkipQuoted(script, i);
      if (end == std::string_view::npos) {
        return SyntaxError(line, std::string("the quote ") + c + " opened here never closes");
      }
      if (start_line == 0) start_line = line;
      current.append(script.substr(i, end - i));
      line += CountLines(script, i, end);
      i = end;
      continue;
    }
    if (c == '\n') ++line;
    if (start_line == 0 && !std::isspace(static_cast<unsigned char>(c))) start_line = line;
    current.push_back(c);
    ++i;
  }
  flush();
  return statements;
}

Result<std::string> SubstituteVariables(std::string_view text, const std::map<std::string, std::string>& hivevar,
                                        const std::map<std::string, std::string>& hiveconf) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    const size_t open = text.find("${", i);
    if (open == std::string_view::npos) break;
    const size_t close = text.find('}', open + 2);
    if (close == std::string_view::npos) break;
    out.append(text.substr(i, open - i));
    const std::string ref(text.substr(open + 2, close - open - 2));
    const size_t colon = ref.find(':');
    const std::string space = colon == std::string::npos ? "" : ref.substr(0, colon);
    const std::string name = colon == std::string::npos ? ref : ref.substr(colon + 1);
    const std::string* value = nullptr;
    std::string env_value;
    if (space.empty() || space == "hivevar") {
      auto it = hivevar.find(name);
      if (it != hivevar.end()) value = &it->second;
    }
    if (value == nullptr && (space.empty() || space == "hiveconf")) {
      auto it = hiveconf.find(name);
      if (it != hiveconf.end()) value = &it->second;
    }
    if (value == nullptr && (space == "env" || space == "system")) {
      const char* env = std::getenv(name.c_str());
      if (env != nullptr) {
        env_value = env;
        value = &env_value;
      }
    }
    if (value == nullptr) {
      return Status::InvalidArgument("the variable ${" + ref + "} is not defined; pass it as <param>" + name +
                                         "=VALUE</param> in the action (or SET " + name + "=VALUE before this statement)",
                                     kVariableCode);
    }
    out.append(*value);
    i = close + 1;
  }
  out.append(text.substr(i));
  return out;
}

Result<std::vector<Token>> Tokenize(std::string_view text, int first_line) {
  std::vector<Token> tokens;
  int line = first_line;
  for (size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (c == '\n') ++line;
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    Token token;
    token.line = line;
    if (c == '\'' || c == '"' || c == '`') {
      const size_t end = SkipQuoted(text, i);
      if (end == std::string_view::npos) return SyntaxError(line, std::string("the quote ") + c + " never closes");
      std::string_view body = text.substr(i + 1, end - i - 2);
      if (c == '`') {
        token.kind = TokenKind::kQuotedName;
        for (size_t j = 0; j < body.size(); ++j) {
          token.text.push_back(body[j]);
          if (body[j] == '`') ++j;
        }
      } else {
        token.kind = TokenKind::kString;
        token.text = UnescapeString(body);
      }
      line += CountLines(text, i, end);
      i = end;
    } else if (IsDigit(c) || (c == '.' && i + 1 < text.size() && IsDigit(text[i + 1]))) {
      size_t j = i;
      while (j < text.size() && (IsDigit(text[j]) || text[j] == '.')) ++j;
      if (j < text.size() && (text[j] == 'e' || text[j] == 'E') && j + 1 < text.size() &&
          (IsDigit(text[j + 1]) || ((text[j + 1] == '-' || text[j + 1] == '+') && j + 2 < text.size() && IsDigit(text[j + 2])))) {
        j += 2;
        while (j < text.size() && IsDigit(text[j])) ++j;
      }
      token.kind = TokenKind::kNumber;
      token.text = std::string(text.substr(i, j - i));
      // Hive's type suffixes: 10L, 10S, 10Y, 1.5BD, 1.5D.
      if (j + 1 < text.size() && (text[j] == 'B' || text[j] == 'b') && (text[j + 1] == 'D' || text[j + 1] == 'd')) {
        j += 2;
      } else if (j < text.size() && std::strchr("LlSsYyDd", text[j]) != nullptr &&
                 (j + 1 >= text.size() || !IsWordChar(text[j + 1]))) {
        ++j;
      }
      if (j < text.size() && IsWordStart(text[j])) {
        // "1a": an identifier that starts with a digit, as Hive allows.
        while (j < text.size() && IsWordChar(text[j])) ++j;
        token.kind = TokenKind::kWord;
        token.text = std::string(text.substr(i, j - i));
      }
      i = j;
    } else if (IsWordStart(c)) {
      size_t j = i;
      while (j < text.size() && IsWordChar(text[j])) ++j;
      token.kind = TokenKind::kWord;
      token.text = std::string(text.substr(i, j - i));
      i = j;
    } else {
      static const char* kLong[] = {"<=>", "==", "!=", "<>", "<=", ">=", "||", "<<", ">>"};
      token.kind = TokenKind::kSymbol;
      token.text = std::string(1, c);
      for (const char* symbol : kLong) {
        if (text.substr(i, std::strlen(symbol)) == symbol) {
          token.text = symbol;
          break;
        }
      }
      i += token.text.size();
    }
    tokens.push_back(std::move(token));
  }
  return tokens;
}

}  // namespace refinery::sql::internal
