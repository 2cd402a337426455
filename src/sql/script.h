// Internal to sql/: the text layer of HiveQL — a script split into
// statements (quotes and `--` / `/* */` comments respected, each statement
// with the line it starts on), Hive variable substitution, and the tokens a
// statement is made of.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace refinery::sql::internal {

struct ScriptStatement {
  std::string text;  // comments blanked out (newlines kept), no trailing ';'
  int line = 1;      // 1-based line of the statement's first character
};

// Splits at `;` outside quotes and comments. An unterminated string or
// comment is an error naming the line it opens on. Blank statements are dropped.
Result<std::vector<ScriptStatement>> SplitScript(std::string_view script);

// Replaces ${NAME}, ${hivevar:NAME}, ${hiveconf:NAME} and ${env:NAME}.
// `hivevar` holds <param>s, `hiveconf` what SET defined. An unknown name is
// an error naming it and the way to define it.
Result<std::string> SubstituteVariables(std::string_view text, const std::map<std::string, std::string>& hivevar,
                                        const std::map<std::string, std::string>& hiveconf);

enum class TokenKind { kWord, kQuotedName, kString, kNumber, kSymbol };

struct Token {
  TokenKind kind = TokenKind::kWord;
  std::string text;   // words as written; strings unescaped; quoted names unquoted
  int line = 1;
  bool Is(std::string_view keyword) const;  // a word equal to `keyword`, any case
  bool IsSymbol(std::string_view symbol) const { return kind == TokenKind::kSymbol && text == symbol; }
};

// Tokenizes one statement (comments already blanked). Hive string escapes
// (\n, \t, \\, \', \", \0, \uXXXX) are decoded.
Result<std::vector<Token>> Tokenize(std::string_view statement, int first_line);

std::string Upper(std::string_view text);
std::string Lower(std::string_view text);

}  // namespace refinery::sql::internal
