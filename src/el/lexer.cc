// Tokens of JSP 2.0 EL as commons-el's grammar defines them.
#include "el/internal/lexer.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cmath>
#include <limits>
#include <system_error>
#include <unordered_map>

namespace refinery::el::internal {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Java identifier letters; bytes of multi-byte UTF-8 sequences count as
// letters so non-ASCII names written by users still tokenize.
bool IsIdentifierStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$' ||
         static_cast<unsigned char>(c) >= 0x80;
}

bool IsIdentifierPart(char c) { return IsIdentifierStart(c) || IsDigit(c); }

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

const std::unordered_map<std::string_view, TokenKind>& Keywords() {
  static const auto* keywords = new std::unordered_map<std::string_view, TokenKind>{
      {"true", TokenKind::kTrue},   {"false", TokenKind::kFalse}, {"null", TokenKind::kNull},
      {"and", TokenKind::kAnd},     {"or", TokenKind::kOr},       {"not", TokenKind::kNot},
      {"empty", TokenKind::kEmpty}, {"eq", TokenKind::kEq},       {"ne", TokenKind::kNe},
      {"lt", TokenKind::kLt},       {"gt", TokenKind::kGt},       {"le", TokenKind::kLe},
      {"ge", TokenKind::kGe},       {"div", TokenKind::kDiv},     {"mod", TokenKind::kMod},
      {"instanceof", TokenKind::kReserved},
  };
  return *keywords;
}

}  // namespace

const Token& Lexer::Peek(size_t ahead) {
  while (ahead_.size() <= ahead) ahead_.push_back(Scan());
  return ahead_[ahead];
}

Token Lexer::Next() {
  Peek();
  Token token = std::move(ahead_.front());
  ahead_.pop_front();
  return token;
}

Token Lexer::Make(TokenKind kind, size_t start) const {
  Token token;
  token.kind = kind;
  token.offset = start;
  token.length = pos_ - start;
  return token;
}

Token Lexer::Error(size_t start, std::string reason) {
  Token token = Make(TokenKind::kError, start);
  token.text = std::move(reason);
  // Nothing after a malformed token is meaningful; stay on it.
  pos_ = text_.size();
  return token;
}

Token Lexer::Scan() {
  while (pos_ < text_.size() && IsSpace(text_[pos_])) ++pos_;
  const size_t start = pos_;
  if (pos_ >= text_.size()) return Make(TokenKind::kEnd, start);
  const char c = text_[pos_];
  if (IsDigit(c) || (c == '.' && pos_ + 1 < text_.size() && IsDigit(text_[pos_ + 1]))) {
    return ScanNumber(start);
  }
  if (c == '\'' || c == '"') return ScanString(start);
  if (IsIdentifierStart(c)) return ScanWord(start);
  return ScanSymbol(start);
}

Token Lexer::ScanNumber(size_t start) {
  bool is_float = false;
  while (pos_ < text_.size() && IsDigit(text_[pos_])) ++pos_;
  if (pos_ < text_.size() && text_[pos_] == '.') {
    is_float = true;
    ++pos_;
    while (pos_ < text_.size() && IsDigit(text_[pos_])) ++pos_;
  }
  if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
    size_t p = pos_ + 1;
    if (p < text_.size() && (text_[p] == '+' || text_[p] == '-')) ++p;
    if (p < text_.size() && IsDigit(text_[p])) {
      is_float = true;
      pos_ = p;
      while (pos_ < text_.size() && IsDigit(text_[pos_])) ++pos_;
    }
  }
  const std::string_view digits = text_.substr(start, pos_ - start);
  Token token = Make(is_float ? TokenKind::kFloat : TokenKind::kInteger, start);
  if (is_float) {
    const auto result = std::from_chars(digits.data(), digits.data() + digits.size(), token.float_value);
    if (result.ec == std::errc::result_out_of_range) {
      // Java's Double.valueOf gives Infinity or 0.0 here rather than failing.
      const bool tiny = digits.find("e-") != std::string_view::npos || digits.find("E-") != std::string_view::npos;
      token.float_value = tiny ? 0.0 : std::numeric_limits<double>::infinity();
    }
    return token;
  }
  const auto result = std::from_chars(digits.data(), digits.data() + digits.size(), token.int_value);
  if (result.ec != std::errc()) return Error(start, "integer literal too large for a long");
  return token;
}

Token Lexer::ScanString(size_t start) {
  const char quote = text_[pos_++];
  std::string decoded;
  while (pos_ < text_.size()) {
    const char c = text_[pos_++];
    if (c == quote) {
      Token token = Make(TokenKind::kString, start);
      token.text = std::move(decoded);
      return token;
    }
    if (c != '\\') {
      decoded.push_back(c);
      continue;
    }
    if (pos_ >= text_.size()) break;
    const char escaped = text_[pos_++];
    if (escaped != '\\' && escaped != '\'' && escaped != '"') {
      return Error(pos_ - 2, std::string("invalid escape '\\") + escaped +
                                 "' in string literal (only \\\\, \\' and \\\" are allowed)");
    }
    decoded.push_back(escaped);
  }
  return Error(start, "unterminated string literal");
}

Token Lexer::ScanWord(size_t start) {
  while (pos_ < text_.size() && IsIdentifierPart(text_[pos_])) ++pos_;
  const std::string_view word = text_.substr(start, pos_ - start);
  const auto& keywords = Keywords();
  if (const auto it = keywords.find(word); it != keywords.end()) return Make(it->second, start);
  Token token = Make(TokenKind::kIdentifier, start);
  token.text = std::string(word);
  return token;
}

Token Lexer::ScanSymbol(size_t start) {
  const char c = text_[pos_++];
  const char next = pos_ < text_.size() ? text_[pos_] : '\0';
  auto two = [&](TokenKind kind) {
    ++pos_;
    return Make(kind, start);
  };
  switch (c) {
    case '=': return next == '=' ? two(TokenKind::kEq) : Error(start, "unexpected '=' (did you mean '=='?)");
    case '!': return next == '=' ? two(TokenKind::kNe) : Make(TokenKind::kNot, start);
    case '<': return next == '=' ? two(TokenKind::kLe) : Make(TokenKind::kLt, start);
    case '>': return next == '=' ? two(TokenKind::kGe) : Make(TokenKind::kGt, start);
    case '&': return next == '&' ? two(TokenKind::kAnd) : Error(start, "unexpected '&' (did you mean '&&'?)");
    case '|': return next == '|' ? two(TokenKind::kOr) : Error(start, "unexpected '|' (did you mean '||'?)");
    case '+': return Make(TokenKind::kPlus, start);
    case '-': return Make(TokenKind::kMinus, start);
    case '*': return Make(TokenKind::kStar, start);
    case '/': return Make(TokenKind::kDiv, start);
    case '%': return Make(TokenKind::kMod, start);
    case '?': return Make(TokenKind::kQuestion, start);
    case ':': return Make(TokenKind::kColon, start);
    case ',': return Make(TokenKind::kComma, start);
    case '.': return Make(TokenKind::kDot, start);
    case '(': return Make(TokenKind::kLParen, start);
    case ')': return Make(TokenKind::kRParen, start);
    case '[': return Make(TokenKind::kLBracket, start);
    case ']': return Make(TokenKind::kRBracket, start);
    case '}': return Make(TokenKind::kRBrace, start);
    default: break;
  }
  const unsigned char byte = static_cast<unsigned char>(c);
  if (byte < 0x20 || byte == 0x7f) {
    char hex[8];
    std::snprintf(hex, sizeof(hex), "0x%02X", byte);
    return Error(start, std::string("unexpected character ") + hex);
  }
  return Error(start, std::string("unexpected character '") + c + "'");
}

std::string DescribeToken(const Token& token, std::string_view text) {
  if (token.kind == TokenKind::kEnd) return "end of text";
  constexpr size_t kMaxShown = 40;
  std::string shown(text.substr(token.offset, std::min(token.length, kMaxShown)));
  if (token.length > kMaxShown) shown += "...";
  if (token.kind == TokenKind::kIdentifier) return "identifier '" + shown + "'";
  return "'" + shown + "'";
}

}  // namespace refinery::el::internal
