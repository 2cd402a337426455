// Recursive-descent parser for composite EL text. Precedence, loosest first
// (JSP 2.0 §2.9): ?:, || or, && and, == != eq ne, < > <= >= lt gt le ge,
// + -, * / div % mod, unary - ! not empty, then [] and . suffixes.
#include <algorithm>
#include <optional>

#include "el/internal/ast.h"
#include "el/internal/errors.h"
#include "el/internal/lexer.h"

namespace refinery::el {
namespace internal {
namespace {

struct BinaryRule {
  NodeKind kind;
  Op op;
};

std::optional<BinaryRule> OrRule(TokenKind k) {
  if (k == TokenKind::kOr) return BinaryRule{NodeKind::kOr, Op::kNone};
  return std::nullopt;
}

std::optional<BinaryRule> AndRule(TokenKind k) {
  if (k == TokenKind::kAnd) return BinaryRule{NodeKind::kAnd, Op::kNone};
  return std::nullopt;
}

std::optional<BinaryRule> EqualityRule(TokenKind k) {
  if (k == TokenKind::kEq) return BinaryRule{NodeKind::kBinary, Op::kEq};
  if (k == TokenKind::kNe) return BinaryRule{NodeKind::kBinary, Op::kNe};
  return std::nullopt;
}

std::optional<BinaryRule> RelationalRule(TokenKind k) {
  switch (k) {
    case TokenKind::kLt: return BinaryRule{NodeKind::kBinary, Op::kLt};
    case TokenKind::kGt: return BinaryRule{NodeKind::kBinary, Op::kGt};
    case TokenKind::kLe: return BinaryRule{NodeKind::kBinary, Op::kLe};
    case TokenKind::kGe: return BinaryRule{NodeKind::kBinary, Op::kGe};
    default: return std::nullopt;
  }
}

std::optional<BinaryRule> AdditiveRule(TokenKind k) {
  if (k == TokenKind::kPlus) return BinaryRule{NodeKind::kBinary, Op::kAdd};
  if (k == TokenKind::kMinus) return BinaryRule{NodeKind::kBinary, Op::kSub};
  return std::nullopt;
}

std::optional<BinaryRule> MultiplicativeRule(TokenKind k) {
  if (k == TokenKind::kStar) return BinaryRule{NodeKind::kBinary, Op::kMul};
  if (k == TokenKind::kDiv) return BinaryRule{NodeKind::kBinary, Op::kDiv};
  if (k == TokenKind::kMod) return BinaryRule{NodeKind::kBinary, Op::kMod};
  return std::nullopt;
}

std::optional<Op> UnaryOp(TokenKind k) {
  if (k == TokenKind::kMinus) return Op::kNegate;
  if (k == TokenKind::kNot) return Op::kNot;
  if (k == TokenKind::kEmpty) return Op::kEmpty;
  return std::nullopt;
}

// Parses one ${...} whose "${" starts at `start`, appending nodes to `impl`.
class ExpressionParser {
 public:
  ExpressionParser(std::string_view text, size_t start, Template::Impl* impl)
      : text_(text), start_(start), impl_(impl), lexer_(text, start + 2) {}

  // Returns the root node; *end receives the offset just past the '}'.
  Result<int32_t> Parse(size_t* end) {
    REFINERY_ASSIGN_OR_RETURN(const int32_t root, ParseExpression());
    const Token& close = lexer_.Peek();
    if (close.kind != TokenKind::kRBrace) return Unexpected(close, "'}'");
    *end = close.offset + 1;
    return root;
  }

 private:
  using Rule = std::optional<BinaryRule> (*)(TokenKind);
  using Level = Result<int32_t> (ExpressionParser::*)();

  Result<int32_t> ParseExpression() {
    if (++nesting_ > kMaxDepth) return TooDeep(lexer_.Peek().offset);
    Result<int32_t> result = ParseConditional();
    --nesting_;
    return result;
  }

  Result<int32_t> ParseConditional() {
    REFINERY_ASSIGN_OR_RETURN(const int32_t condition, ParseOr());
    if (lexer_.Peek().kind != TokenKind::kQuestion) return condition;
    const size_t offset = lexer_.Next().offset;
    REFINERY_ASSIGN_OR_RETURN(const int32_t if_true, ParseExpression());
    if (lexer_.Peek().kind != TokenKind::kColon) return Unexpected(lexer_.Peek(), "':'");
    lexer_.Next();
    REFINERY_ASSIGN_OR_RETURN(const int32_t if_false, ParseExpression());
    Node node;
    node.kind = NodeKind::kConditional;
    node.a = condition;
    node.b = if_true;
    node.c = if_false;
    node.offset = offset;
    return Add(std::move(node));
  }

  Result<int32_t> ParseOr() { return ParseLeftAssociative(&ExpressionParser::ParseAnd, OrRule); }
  Result<int32_t> ParseAnd() { return ParseLeftAssociative(&ExpressionParser::ParseEquality, AndRule); }
  Result<int32_t> ParseEquality() {
    return ParseLeftAssociative(&ExpressionParser::ParseRelational, EqualityRule);
  }
  Result<int32_t> ParseRelational() {
    return ParseLeftAssociative(&ExpressionParser::ParseAdditive, RelationalRule);
  }
  Result<int32_t> ParseAdditive() {
    return ParseLeftAssociative(&ExpressionParser::ParseMultiplicative, AdditiveRule);
  }
  Result<int32_t> ParseMultiplicative() {
    return ParseLeftAssociative(&ExpressionParser::ParseUnary, MultiplicativeRule);
  }

  Result<int32_t> ParseLeftAssociative(Level operand, Rule rule) {
    REFINERY_ASSIGN_OR_RETURN(int32_t left, (this->*operand)());
    while (const std::optional<BinaryRule> matched = rule(lexer_.Peek().kind)) {
      const size_t offset = lexer_.Next().offset;
      REFINERY_ASSIGN_OR_RETURN(const int32_t right, (this->*operand)());
      Node node;
      node.kind = matched->kind;
      node.op = matched->op;
      node.a = left;
      node.b = right;
      node.offset = offset;
      REFINERY_ASSIGN_OR_RETURN(left, Add(std::move(node)));
    }
    return left;
  }

  Result<int32_t> ParseUnary() {
    const std::optional<Op> op = UnaryOp(lexer_.Peek().kind);
    if (!op) return ParseValue();
    const size_t offset = lexer_.Next().offset;
    if (++nesting_ > kMaxDepth) return TooDeep(offset);
    Result<int32_t> operand = ParseUnary();
    --nesting_;
    if (!operand.ok()) return operand;
    Node node;
    node.kind = NodeKind::kUnary;
    node.op = *op;
    node.a = *operand;
    node.offset = offset;
    return Add(std::move(node));
  }

  // A primary followed by any number of .name and [index] suffixes.
  Result<int32_t> ParseValue() {
    REFINERY_ASSIGN_OR_RETURN(int32_t value, ParsePrimary());
    while (true) {
      const TokenKind kind = lexer_.Peek().kind;
      if (kind == TokenKind::kDot) {
        REFINERY_ASSIGN_OR_RETURN(value, ParseDotSuffix(value));
      } else if (kind == TokenKind::kLBracket) {
        REFINERY_ASSIGN_OR_RETURN(value, ParseBracketSuffix(value));
      } else {
        return value;
      }
    }
  }

  Result<int32_t> ParseDotSuffix(int32_t base) {
    const size_t offset = lexer_.Next().offset;
    Token name = lexer_.Next();
    if (name.kind != TokenKind::kIdentifier) return Unexpected(name, "a property name after '.'");
    REFINERY_ASSIGN_OR_RETURN(const int32_t key, AddLiteral(Value::String(std::move(name.text)), name.offset));
    return AddIndex(base, key, offset);
  }

  Result<int32_t> ParseBracketSuffix(int32_t base) {
    const size_t offset = lexer_.Next().offset;
    REFINERY_ASSIGN_OR_RETURN(const int32_t key, ParseExpression());
    if (lexer_.Peek().kind != TokenKind::kRBracket) return Unexpected(lexer_.Peek(), "']'");
    lexer_.Next();
    return AddIndex(base, key, offset);
  }

  Result<int32_t> ParsePrimary() {
    const TokenKind kind = lexer_.Peek().kind;
    if (kind == TokenKind::kLParen) return ParseParenthesized();
    if (kind == TokenKind::kIdentifier) return ParseName();
    const std::optional<Value> literal = LiteralOf(lexer_.Peek());
    if (!literal) return Unexpected(lexer_.Peek(), "an expression");
    return AddLiteral(*literal, lexer_.Next().offset);
  }

  static std::optional<Value> LiteralOf(const Token& token) {
    switch (token.kind) {
      case TokenKind::kInteger: return Value::Int(token.int_value);
      case TokenKind::kFloat: return Value::Double(token.float_value);
      case TokenKind::kString: return Value::String(token.text);
      case TokenKind::kTrue: return Value::Bool(true);
      case TokenKind::kFalse: return Value::Bool(false);
      case TokenKind::kNull: return Value::Null();
      default: return std::nullopt;
    }
  }

  Result<int32_t> ParseParenthesized() {
    lexer_.Next();
    REFINERY_ASSIGN_OR_RETURN(const int32_t inner, ParseExpression());
    if (lexer_.Peek().kind != TokenKind::kRParen) return Unexpected(lexer_.Peek(), "')'");
    lexer_.Next();
    return inner;
  }

  // `prefix:name(`, `name(` or a variable. Like commons-el, a qualified name
  // is a function only when '(' follows, so `a ? b : c` stays a ternary.
  Result<int32_t> ParseName() {
    const bool qualified_call = lexer_.Peek(1).kind == TokenKind::kColon &&
                                lexer_.Peek(2).kind == TokenKind::kIdentifier &&
                                lexer_.Peek(3).kind == TokenKind::kLParen;
    Token first = lexer_.Next();
    if (qualified_call) {
      lexer_.Next();
      const Token second = lexer_.Next();
      lexer_.Next();
      return ParseCallArguments(first.text + ":" + second.text, first.offset);
    }
    if (lexer_.Peek().kind == TokenKind::kLParen) {
      lexer_.Next();
      return ParseCallArguments(std::move(first.text), first.offset);
    }
    Node node;
    node.kind = NodeKind::kVariable;
    node.name = std::move(first.text);
    node.offset = first.offset;
    return Add(std::move(node));
  }

  // Called with the '(' consumed.
  Result<int32_t> ParseCallArguments(std::string name, size_t offset) {
    Node node;
    node.kind = NodeKind::kCall;
    node.name = std::move(name);
    node.offset = offset;
    if (lexer_.Peek().kind == TokenKind::kRParen) {
      lexer_.Next();
      return AddCall(std::move(node));
    }
    while (true) {
      REFINERY_ASSIGN_OR_RETURN(const int32_t arg, ParseExpression());
      node.args.push_back(arg);
      const Token& separator = lexer_.Peek();
      if (separator.kind == TokenKind::kRParen) break;
      if (separator.kind != TokenKind::kComma) return Unexpected(separator, "')'");
      lexer_.Next();
    }
    lexer_.Next();
    return AddCall(std::move(node));
  }

  Result<int32_t> AddLiteral(Value value, size_t offset) {
    Node node;
    node.kind = NodeKind::kLiteral;
    node.literal = std::move(value);
    node.offset = offset;
    return Add(std::move(node));
  }

  Result<int32_t> AddIndex(int32_t base, int32_t key, size_t offset) {
    Node node;
    node.kind = NodeKind::kIndex;
    node.a = base;
    node.b = key;
    node.offset = offset;
    return Add(std::move(node));
  }

  Result<int32_t> AddCall(Node node) {
    node.call_slot = static_cast<int32_t>(impl_->calls.size());
    REFINERY_ASSIGN_OR_RETURN(const int32_t index, Add(std::move(node)));
    impl_->calls.push_back(index);
    return index;
  }

  int DepthOf(int32_t index) const { return index < 0 ? 0 : impl_->nodes[index].depth; }

  // Left-associative chains ("1+1+1+...") build deep trees without deep
  // parser recursion, so the tree's own depth is bounded here too.
  Result<int32_t> Add(Node node) {
    int deepest = std::max({DepthOf(node.a), DepthOf(node.b), DepthOf(node.c)});
    for (int32_t arg : node.args) deepest = std::max(deepest, DepthOf(arg));
    node.depth = deepest + 1;
    if (node.depth > kMaxDepth) return TooDeep(node.offset);
    impl_->nodes.push_back(std::move(node));
    return static_cast<int32_t>(impl_->nodes.size() - 1);
  }

  Status Unexpected(const Token& token, const std::string& expected) {
    if (token.kind == TokenKind::kError) return ErrorAt(token.offset, token.text);
    if (token.kind == TokenKind::kReserved) {
      return ErrorAt(token.offset, DescribeToken(token, text_) + " is a reserved word and cannot be used");
    }
    return ErrorAt(token.offset, "expected " + expected + " but found " + DescribeToken(token, text_));
  }

  Status TooDeep(size_t offset) {
    return ErrorAt(offset, "expression nested more than " + std::to_string(kMaxDepth) + " levels deep");
  }

  Status ErrorAt(size_t offset, const std::string& what) const {
    return ElError(Where(offset) + ": " + what + " in \"" + Excerpt(offset) + "\"");
  }

  // "column 14", or "line 3, column 2" when the text spans lines.
  std::string Where(size_t offset) const {
    const std::string_view before = text_.substr(0, offset);
    const size_t newline = before.rfind('\n');
    if (newline == std::string_view::npos) return "column " + std::to_string(offset + 1);
    const size_t line = 1 + std::count(before.begin(), before.end(), '\n');
    return "line " + std::to_string(line) + ", column " + std::to_string(offset - newline);
  }

  // The expression from its "${" through the first '}' at or after the
  // error, cut short if long.
  std::string Excerpt(size_t offset) const {
    constexpr size_t kMaxExcerpt = 120;
    const size_t close = text_.find('}', std::min(offset, text_.size()));
    const size_t end = close == std::string_view::npos ? text_.size() : close + 1;
    std::string excerpt(text_.substr(start_, std::min(end - start_, kMaxExcerpt)));
    if (end - start_ > kMaxExcerpt) excerpt += "...";
    return excerpt;
  }

  std::string_view text_;
  size_t start_;
  Template::Impl* impl_;
  Lexer lexer_;
  int nesting_ = 0;
};

// Appends literal text to the last segment when it is literal too.
void AppendLiteral(Template::Impl* impl, std::string_view text) {
  if (text.empty()) return;
  if (impl->segments.empty() || impl->segments.back().root >= 0) impl->segments.emplace_back();
  impl->segments.back().text.append(text);
}

}  // namespace
}  // namespace internal

Result<Template> Parse(std::string_view text) {
  auto impl = std::make_unique<Template::Impl>();
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t special = text.find_first_of("$\\", pos);
    if (special == std::string_view::npos) {
      internal::AppendLiteral(impl.get(), text.substr(pos));
      break;
    }
    internal::AppendLiteral(impl.get(), text.substr(pos, special - pos));
    // JSP's escape: "\${" is the literal text "${"; any other backslash is kept.
    if (text[special] == '\\' && text.substr(special + 1, 2) == "${") {
      internal::AppendLiteral(impl.get(), "${");
      pos = special + 3;
      continue;
    }
    if (text[special] != '$' || text.substr(special, 2) != "${") {
      internal::AppendLiteral(impl.get(), text.substr(special, 1));
      pos = special + 1;
      continue;
    }
    internal::ExpressionParser parser(text, special, impl.get());
    size_t end = 0;
    REFINERY_ASSIGN_OR_RETURN(const int32_t root, parser.Parse(&end));
    impl->segments.push_back(internal::Segment{"", root});
    pos = end;
  }
  return Template(std::move(impl));
}

}  // namespace refinery::el
