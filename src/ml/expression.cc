#include "ml/expression.h"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace refinery::ml {

enum class Op { kConst, kColumn, kNeg, kNot, kAdd, kSub, kMul, kDiv, kMod, kEq, kNe, kLt, kLe, kGt, kGe,
                kAnd, kOr, kIsNull, kIsNotNull, kCase, kCall };

struct Expression::Node {
  Op op = Op::kConst;
  Value constant;
  int column = -1;
  std::string function;
  std::vector<int> args;  // kCase: when, then, when, then, ..., [else]
  bool has_else = false;
};

namespace {

using Node = Expression::Node;

const std::vector<std::string>& KnownFunctions() {
  static const std::vector<std::string> kFunctions = {"abs",   "ceil",  "coalesce", "exp",    "floor", "greatest",
                                                      "least", "length", "ln",      "log",    "log10", "lower",
                                                      "power", "round", "sqrt",     "upper"};
  return kFunctions;
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

struct Token {
  enum class Kind { kEnd, kNumber, kString, kIdent, kQuotedIdent, kSymbol } kind = Kind::kEnd;
  std::string text;
  size_t position = 0;
};

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Result<int> ParseAll() {
    REFINERY_RETURN_IF_ERROR(Next());
    REFINERY_ASSIGN_OR_RETURN(int root, ParseOr());
    if (token_.kind != Token::Kind::kEnd) return Error("unexpected '" + token_.text + "'");
    return root;
  }
  std::vector<Node>& nodes() { return nodes_; }
  std::vector<std::string>& columns() { return columns_; }

 private:
  Status Error(const std::string& what) const {
    return Status::InvalidArgument("expression [" + std::string(text_) + "] at character " +
                                       std::to_string(token_.position + 1) + ": " + what,
                                   kBadExpressionCode);
  }

  Status Next() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    token_ = Token{};
    token_.position = pos_;
    if (pos_ >= text_.size()) return Status::Ok();
    const char c = text_[pos_];
    if (std::isdigit(static_cast<unsigned char>(c)) || (c == '.' && pos_ + 1 < text_.size() &&
                                                        std::isdigit(static_cast<unsigned char>(text_[pos_ + 1])))) {
      return LexNumber();
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      size_t end = pos_;
      while (end < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[end])) || text_[end] == '_')) ++end;
      token_.kind = Token::Kind::kIdent;
      token_.text = std::string(text_.substr(pos_, end - pos_));
      pos_ = end;
      return Status::Ok();
    }
    if (c == '\'' || c == '"' || c == '`') return LexQuoted(c);
    static const char* kTwoChar[] = {"<=", ">=", "<>", "!=", "=="};
    for (const char* symbol : kTwoChar) {
      if (text_.substr(pos_, 2) == symbol) {
        token_.kind = Token::Kind::kSymbol;
        token_.text = symbol;
        pos_ += 2;
        return Status::Ok();
      }
    }
    if (std::string_view("+-*/%(),<>=").find(c) == std::string_view::npos) {
      return Error(std::string("unexpected character '") + c + "'");
    }
    token_.kind = Token::Kind::kSymbol;
    token_.text = std::string(1, c);
    ++pos_;
    return Status::Ok();
  }

  Status LexNumber() {
    size_t end = pos_;
    while (end < text_.size() && (std::isdigit(static_cast<unsigned char>(text_[end])) || text_[end] == '.')) ++end;
    if (end < text_.size() && (text_[end] == 'e' || text_[end] == 'E')) {
      size_t exp = end + 1;
      if (exp < text_.size() && (text_[exp] == '+' || text_[exp] == '-')) ++exp;
      if (exp < text_.size() && std::isdigit(static_cast<unsigned char>(text_[exp]))) {
        end = exp;
        while (end < text_.size() && std::isdigit(static_cast<unsigned char>(text_[end]))) ++end;
      }
    }
    token_.kind = Token::Kind::kNumber;
    token_.text = std::string(text_.substr(pos_, end - pos_));
    pos_ = end;
    double unused = 0;
    if (!ParseNumber(token_.text, &unused)) return Error("bad number '" + token_.text + "'");
    return Status::Ok();
  }

  // 'text' (with '' for a quote) or "identifier" / `identifier`.
  Status LexQuoted(char quote) {
    std::string out;
    size_t i = pos_ + 1;
    for (;; ++i) {
      if (i >= text_.size()) return Error(std::string("unterminated ") + quote);
      if (text_[i] == quote) {
        if (i + 1 < text_.size() && text_[i + 1] == quote) {
          out += quote;
          ++i;
          continue;
        }
        break;
      }
      out += text_[i];
    }
    token_.kind = quote == '\'' ? Token::Kind::kString : Token::Kind::kQuotedIdent;
    token_.text = std::move(out);
    pos_ = i + 1;
    return Status::Ok();
  }

  bool IsKeyword(const char* keyword) const {
    return token_.kind == Token::Kind::kIdent && Lower(token_.text) == keyword;
  }
  bool IsSymbol(const char* symbol) const { return token_.kind == Token::Kind::kSymbol && token_.text == symbol; }
  Status Expect(const char* what, bool matched) {
    if (!matched) return Error(std::string("expected ") + what + (token_.kind == Token::Kind::kEnd ? " at the end" : ""));
    return Next();
  }

  int Add(Node node) {
    nodes_.push_back(std::move(node));
    return static_cast<int>(nodes_.size()) - 1;
  }
  int Binary(Op op, int left, int right) {
    Node node;
    node.op = op;
    node.args = {left, right};
    return Add(std::move(node));
  }

  Result<int> ParseOr() {
    REFINERY_ASSIGN_OR_RETURN(int left, ParseAnd());
    while (IsKeyword("or")) {
      REFINERY_RETURN_IF_ERROR(Next());
      REFINERY_ASSIGN_OR_RETURN(int right, ParseAnd());
      left = Binary(Op::kOr, left, right);
    }
    return left;
  }

  Result<int> ParseAnd() {
    REFINERY_ASSIGN_OR_RETURN(int left, ParseNot());
    while (IsKeyword("and")) {
      REFINERY_RETURN_IF_ERROR(Next());
      REFINERY_ASSIGN_OR_RETURN(int right, ParseNot());
      left = Binary(Op::kAnd, left, right);
    }
    return left;
  }

  Result<int> ParseNot() {
    if (!IsKeyword("not")) return ParseComparison();
    REFINERY_RETURN_IF_ERROR(Next());
    REFINERY_ASSIGN_OR_RETURN(int operand, ParseNot());
    Node node;
    node.op = Op::kNot;
    node.args = {operand};
    return Add(std::move(node));
  }

  Result<int> ParseComparison() {
    REFINERY_ASSIGN_OR_RETURN(int left, ParseAdditive());
    if (IsKeyword("is")) {
      REFINERY_RETURN_IF_ERROR(Next());
      bool negated = false;
      if (IsKeyword("not")) {
        negated = true;
        REFINERY_RETURN_IF_ERROR(Next());
      }
      REFINERY_RETURN_IF_ERROR(Expect("NULL", IsKeyword("null")));
      Node node;
      node.op = negated ? Op::kIsNotNull : Op::kIsNull;
      node.args = {left};
      return Add(std::move(node));
    }
    static const std::pair<const char*, Op> kComparisons[] = {{"=", Op::kEq},  {"==", Op::kEq}, {"<>", Op::kNe},
                                                              {"!=", Op::kNe}, {"<", Op::kLt},  {"<=", Op::kLe},
                                                              {">", Op::kGt},  {">=", Op::kGe}};
    for (const auto& [symbol, op] : kComparisons) {
      if (!IsSymbol(symbol)) continue;
      REFINERY_RETURN_IF_ERROR(Next());
      REFINERY_ASSIGN_OR_RETURN(int right, ParseAdditive());
      return Binary(op, left, right);
    }
    return left;
  }

  Result<int> ParseAdditive() {
    REFINERY_ASSIGN_OR_RETURN(int left, ParseMultiplicative());
    while (IsSymbol("+") || IsSymbol("-")) {
      const Op op = IsSymbol("+") ? Op::kAdd : Op::kSub;
      REFINERY_RETURN_IF_ERROR(Next());
      REFINERY_ASSIGN_OR_RETURN(int right, ParseMultiplicative());
      left = Binary(op, left, right);
    }
    return left;
  }

  Result<int> ParseMultiplicative() {
    REFINERY_ASSIGN_OR_RETURN(int left, ParseUnary());
    while (IsSymbol("*") || IsSymbol("/") || IsSymbol("%")) {
      const Op op = IsSymbol("*") ? Op::kMul : IsSymbol("/") ? Op::kDiv : Op::kMod;
      REFINERY_RETURN_IF_ERROR(Next());
      REFINERY_ASSIGN_OR_RETURN(int right, ParseUnary());
      left = Binary(op, left, right);
    }
    return left;
  }

  Result<int> ParseUnary() {
    if (IsSymbol("-") || IsSymbol("+")) {
      const bool negate = IsSymbol("-");
      REFINERY_RETURN_IF_ERROR(Next());
      REFINERY_ASSIGN_OR_RETURN(int operand, ParseUnary());
      if (!negate) return operand;
      Node node;
      node.op = Op::kNeg;
      node.args = {operand};
      return Add(std::move(node));
    }
    return ParsePrimary();
  }

  Result<int> ParsePrimary() {
    Node node;
    switch (token_.kind) {
      case Token::Kind::kEnd: return Error("expected a value at the end");
      case Token::Kind::kNumber: {
        double number = 0;
        ParseNumber(token_.text, &number);
        node.constant = Value::Number(number);
        REFINERY_RETURN_IF_ERROR(Next());
        return Add(std::move(node));
      }
      case Token::Kind::kString:
        node.constant = Value::Text(token_.text);
        REFINERY_RETURN_IF_ERROR(Next());
        return Add(std::move(node));
      case Token::Kind::kQuotedIdent: return ParseColumn();
      case Token::Kind::kSymbol:
        if (IsSymbol("(")) {
          REFINERY_RETURN_IF_ERROR(Next());
          REFINERY_ASSIGN_OR_RETURN(int inner, ParseOr());
          REFINERY_RETURN_IF_ERROR(Expect("')'", IsSymbol(")")));
          return inner;
        }
        return Error("unexpected '" + token_.text + "'");
      case Token::Kind::kIdent: break;
    }
    if (IsKeyword("null")) {
      REFINERY_RETURN_IF_ERROR(Next());
      return Add(std::move(node));
    }
    if (IsKeyword("true") || IsKeyword("false")) {
      node.constant = Value::Number(IsKeyword("true") ? 1 : 0);
      REFINERY_RETURN_IF_ERROR(Next());
      return Add(std::move(node));
    }
    if (IsKeyword("case")) return ParseCase();
    if (pos_ < text_.size() && NextNonSpace() == '(') return ParseCall();
    return ParseColumn();
  }

  char NextNonSpace() const {
    size_t i = pos_;
    while (i < text_.size() && std::isspace(static_cast<unsigned char>(text_[i]))) ++i;
    return i < text_.size() ? text_[i] : '\0';
  }

  Result<int> ParseColumn() {
    Node node;
    node.op = Op::kColumn;
    const auto found = std::find(columns_.begin(), columns_.end(), token_.text);
    node.column = static_cast<int>(found - columns_.begin());
    if (found == columns_.end()) columns_.push_back(token_.text);
    REFINERY_RETURN_IF_ERROR(Next());
    return Add(std::move(node));
  }

  Result<int> ParseCall() {
    Node node;
    node.op = Op::kCall;
    node.function = Lower(token_.text);
    const auto& known = KnownFunctions();
    if (std::find(known.begin(), known.end(), node.function) == known.end()) {
      std::string list;
      for (const std::string& name : known) list += (list.empty() ? "" : ", ") + name;
      return Error("unknown function '" + token_.text + "'; known functions: " + list);
    }
    REFINERY_RETURN_IF_ERROR(Next());  // name
    REFINERY_RETURN_IF_ERROR(Next());  // (
    while (!IsSymbol(")")) {
      REFINERY_ASSIGN_OR_RETURN(int arg, ParseOr());
      node.args.push_back(arg);
      if (IsSymbol(",")) {
        REFINERY_RETURN_IF_ERROR(Next());
        continue;
      }
      if (!IsSymbol(")")) return Error("expected ',' or ')'");
    }
    REFINERY_RETURN_IF_ERROR(Next());
    REFINERY_RETURN_IF_ERROR(CheckArity(node));
    return Add(std::move(node));
  }

  Status CheckArity(const Node& node) const {
    const size_t n = node.args.size();
    const std::string& f = node.function;
    const bool variadic = f == "coalesce" || f == "least" || f == "greatest";
    const size_t want = f == "power" ? 2 : 1;
    if (variadic ? n >= 1 : (n == want || (f == "round" && n == 2) || (f == "log" && n == 2))) return Status::Ok();
    return Error(f + "() takes " + (variadic ? std::string("at least 1") : std::to_string(want)) + " argument(s), got " +
                 std::to_string(n));
  }

  Result<int> ParseCase() {
    Node node;
    node.op = Op::kCase;
    REFINERY_RETURN_IF_ERROR(Next());
    if (!IsKeyword("when")) return Error("expected WHEN after CASE");
    while (IsKeyword("when")) {
      REFINERY_RETURN_IF_ERROR(Next());
      REFINERY_ASSIGN_OR_RETURN(int condition, ParseOr());
      REFINERY_RETURN_IF_ERROR(Expect("THEN", IsKeyword("then")));
      REFINERY_ASSIGN_OR_RETURN(int result, ParseOr());
      node.args.push_back(condition);
      node.args.push_back(result);
    }
    if (IsKeyword("else")) {
      REFINERY_RETURN_IF_ERROR(Next());
      REFINERY_ASSIGN_OR_RETURN(int otherwise, ParseOr());
      node.args.push_back(otherwise);
      node.has_else = true;
    }
    REFINERY_RETURN_IF_ERROR(Expect("END", IsKeyword("end")));
    return Add(std::move(node));
  }

  std::string_view text_;
  size_t pos_ = 0;
  Token token_;
  std::vector<Node> nodes_;
  std::vector<std::string> columns_;
};

// ---- Evaluation ----

bool AsNumber(const Value& v, double* out) {
  if (v.is_number()) {
    *out = v.number;
    return true;
  }
  return v.is_text() && ParseNumber(v.text, out);
}

// SQL truth: null and 0 are not true.
bool Truthy(const Value& v) {
  double n = 0;
  return AsNumber(v, &n) && n != 0;
}

Value Arithmetic(Op op, const Value& a, const Value& b) {
  double x = 0, y = 0;
  if (!AsNumber(a, &x) || !AsNumber(b, &y)) return Value::Null();
  switch (op) {
    case Op::kAdd: return Value::Number(x + y);
    case Op::kSub: return Value::Number(x - y);
    case Op::kMul: return Value::Number(x * y);
    case Op::kDiv: return y == 0 ? Value::Null() : Value::Number(x / y);
    case Op::kMod: return y == 0 ? Value::Null() : Value::Number(std::fmod(x, y));
    default: return Value::Null();
  }
}

// -1, 0, 1; numbers compare as numbers when both sides read as numbers.
int Compare(const Value& a, const Value& b) {
  double x = 0, y = 0;
  if (AsNumber(a, &x) && AsNumber(b, &y)) return x < y ? -1 : (x > y ? 1 : 0);
  const std::string left = a.is_text() ? a.text : FormatNumber(a.number);
  const std::string right = b.is_text() ? b.text : FormatNumber(b.number);
  return left.compare(right) < 0 ? -1 : (left == right ? 0 : 1);
}

Value Comparison(Op op, const Value& a, const Value& b) {
  if (a.is_null() || b.is_null()) return Value::Null();
  const int c = Compare(a, b);
  bool result = false;
  switch (op) {
    case Op::kEq: result = c == 0; break;
    case Op::kNe: result = c != 0; break;
    case Op::kLt: result = c < 0; break;
    case Op::kLe: result = c <= 0; break;
    case Op::kGt: result = c > 0; break;
    case Op::kGe: result = c >= 0; break;
    default: break;
  }
  return Value::Number(result ? 1 : 0);
}

Value Unary(const std::string& f, const Value& a, const Value* b) {
  if (f == "lower" || f == "upper") {
    if (!a.is_text()) return a;
    std::string out = a.text;
    for (char& c : out) c = static_cast<char>(f == "lower" ? std::tolower(static_cast<unsigned char>(c))
                                                           : std::toupper(static_cast<unsigned char>(c)));
    return Value::Text(out);
  }
  if (f == "length") return a.is_null() ? a : Value::Number(static_cast<double>((a.is_text() ? a.text : FormatNumber(a.number)).size()));
  double x = 0;
  if (!AsNumber(a, &x)) return Value::Null();
  double y = 0;
  const bool has_b = b != nullptr && AsNumber(*b, &y);
  if (b != nullptr && !has_b) return Value::Null();
  if (f == "abs") return Value::Number(std::fabs(x));
  if (f == "exp") return Value::Number(std::exp(x));
  if (f == "sqrt") return x < 0 ? Value::Null() : Value::Number(std::sqrt(x));
  if (f == "floor") return Value::Number(std::floor(x));
  if (f == "ceil") return Value::Number(std::ceil(x));
  if (f == "power") return Value::Number(std::pow(x, y));
  if (f == "round") {
    const double scale = std::pow(10.0, has_b ? y : 0);
    return Value::Number(std::round(x * scale) / scale);
  }
  if (f == "log10") return x <= 0 ? Value::Null() : Value::Number(std::log10(x));
  // ln(x), log(x) natural; log(base, x) as in PostgreSQL/Hive.
  if (has_b) return (x <= 0 || x == 1 || y <= 0) ? Value::Null() : Value::Number(std::log(y) / std::log(x));
  return x <= 0 ? Value::Null() : Value::Number(std::log(x));
}

Value Eval(const std::vector<Node>& nodes, int index, const Value* columns);

Value Call(const std::vector<Node>& nodes, const Node& node, const Value* columns) {
  const std::string& f = node.function;
  if (f == "coalesce") {
    for (int arg : node.args) {
      Value v = Eval(nodes, arg, columns);
      if (!v.is_null()) return v;
    }
    return Value::Null();
  }
  if (f == "least" || f == "greatest") {
    Value best;
    for (int arg : node.args) {
      Value v = Eval(nodes, arg, columns);
      if (v.is_null()) return Value::Null();
      if (best.is_null() || (f == "least" ? Compare(v, best) < 0 : Compare(v, best) > 0)) best = std::move(v);
    }
    return best;
  }
  const Value a = Eval(nodes, node.args[0], columns);
  if (node.args.size() == 1) return Unary(f, a, nullptr);
  const Value b = Eval(nodes, node.args[1], columns);
  return Unary(f, a, &b);
}

Value Eval(const std::vector<Node>& nodes, int index, const Value* columns) {
  const Node& node = nodes[index];
  switch (node.op) {
    case Op::kConst: return node.constant;
    case Op::kColumn: return columns[node.column];
    case Op::kNeg: {
      double x = 0;
      return AsNumber(Eval(nodes, node.args[0], columns), &x) ? Value::Number(-x) : Value::Null();
    }
    case Op::kNot: {
      const Value v = Eval(nodes, node.args[0], columns);
      return v.is_null() ? v : Value::Number(Truthy(v) ? 0 : 1);
    }
    case Op::kAnd:
    case Op::kOr: {
      const Value a = Eval(nodes, node.args[0], columns);
      const Value b = Eval(nodes, node.args[1], columns);
      const bool is_and = node.op == Op::kAnd;
      // Three-valued logic: a decisive side wins over a null one.
      if (!a.is_null() && Truthy(a) != is_and) return Value::Number(is_and ? 0 : 1);
      if (!b.is_null() && Truthy(b) != is_and) return Value::Number(is_and ? 0 : 1);
      if (a.is_null() || b.is_null()) return Value::Null();
      return Value::Number(is_and ? 1 : 0);
    }
    case Op::kIsNull: return Value::Number(Eval(nodes, node.args[0], columns).is_null() ? 1 : 0);
    case Op::kIsNotNull: return Value::Number(Eval(nodes, node.args[0], columns).is_null() ? 0 : 1);
    case Op::kCase: {
      const size_t pairs = (node.args.size() - (node.has_else ? 1 : 0)) / 2;
      for (size_t i = 0; i < pairs; ++i) {
        if (Truthy(Eval(nodes, node.args[2 * i], columns))) return Eval(nodes, node.args[2 * i + 1], columns);
      }
      return node.has_else ? Eval(nodes, node.args.back(), columns) : Value::Null();
    }
    case Op::kCall: return Call(nodes, node, columns);
    case Op::kAdd:
    case Op::kSub:
    case Op::kMul:
    case Op::kDiv:
    case Op::kMod: return Arithmetic(node.op, Eval(nodes, node.args[0], columns), Eval(nodes, node.args[1], columns));
    default: return Comparison(node.op, Eval(nodes, node.args[0], columns), Eval(nodes, node.args[1], columns));
  }
}

}  // namespace

Result<Expression> Expression::Parse(std::string_view text) {
  Parser parser(text);
  REFINERY_ASSIGN_OR_RETURN(int root, parser.ParseAll());
  Expression expression;
  expression.text_ = std::string(text);
  expression.columns_ = std::move(parser.columns());
  expression.nodes_ = std::make_shared<const std::vector<Node>>(std::move(parser.nodes()));
  expression.root_ = root;
  return expression;
}

Value Expression::Evaluate(const Value* column_values) const { return Eval(*nodes_, root_, column_values); }

}  // namespace refinery::ml
