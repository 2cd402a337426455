// The tokenizer for the inside of one ${...}. Keywords and their symbolic
// spellings share a kind (`and` and `&&` are both kAnd). A malformed token
// becomes a kError token carrying the reason, so the parser reports it at the
// point where it would have read it.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

namespace refinery::el::internal {

enum class TokenKind : uint8_t {
  kEnd,  // the text ended inside an expression
  kError,
  kIdentifier,
  kInteger,
  kFloat,
  kString,
  kTrue, kFalse, kNull,
  kAnd, kOr, kNot, kEmpty,
  kEq, kNe, kLt, kGt, kLe, kGe,
  kPlus, kMinus, kStar, kDiv, kMod,
  kQuestion, kColon, kComma, kDot,
  kLParen, kRParen, kLBracket, kRBracket, kRBrace,
  kReserved,  // `instanceof`: reserved by JSP EL, meaningless here
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  size_t offset = 0;  // into the whole text
  size_t length = 0;
  std::string text;   // identifier name, decoded string, or kError's reason
  int64_t int_value = 0;
  double float_value = 0;
};

class Lexer {
 public:
  // Reads tokens of `text` starting at `offset` (just after a "${").
  Lexer(std::string_view text, size_t offset) : text_(text), pos_(offset) {}

  // The token `ahead` places past the next one (0 = the next one).
  const Token& Peek(size_t ahead = 0);
  Token Next();

 private:
  Token Scan();
  Token ScanNumber(size_t start);
  Token ScanString(size_t start);
  Token ScanWord(size_t start);
  Token ScanSymbol(size_t start);
  Token Make(TokenKind kind, size_t start) const;
  Token Error(size_t start, std::string reason);

  std::string_view text_;
  size_t pos_;
  std::deque<Token> ahead_;
};

// "'}'", "identifier 'foo'", "end of text": how a message names a token.
std::string DescribeToken(const Token& token, std::string_view text);

}  // namespace refinery::el::internal
