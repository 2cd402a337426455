// The parsed form of a composite text: literal segments and expression trees.
// Nodes live in one vector and refer to each other by index, so a Template
// moves cheaply and is destroyed without recursion however deep it is.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "el/el.h"

namespace refinery::el {
namespace internal {

// Deeper nesting is a parse error, so neither the parser nor the evaluator
// can overflow the stack on hostile input (a fuzzer's "((((((...").
inline constexpr int kMaxDepth = 200;

enum class NodeKind : uint8_t {
  kLiteral,      // literal
  kVariable,     // name
  kUnary,        // op a
  kBinary,       // a op b (arithmetic, relational, equality)
  kAnd,          // a && b, short-circuit
  kOr,           // a || b, short-circuit
  kConditional,  // a ? b : c
  kIndex,        // a[b] and a.b (b is then a string literal)
  kCall,         // name(args...)
};

enum class Op : uint8_t {
  kNone,
  // arithmetic
  kAdd, kSub, kMul, kDiv, kMod,
  // equality and relational
  kEq, kNe, kLt, kGt, kLe, kGe,
  // unary
  kNegate, kNot, kEmpty,
};

struct Node {
  NodeKind kind = NodeKind::kLiteral;
  Op op = Op::kNone;
  int32_t a = -1;
  int32_t b = -1;
  int32_t c = -1;
  int32_t call_slot = -1;  // kCall: index into Template::Impl::calls
  int depth = 1;           // 1 + the deepest child
  size_t offset = 0;       // where the node's token starts in the source text
  std::string name;        // kVariable; kCall: "prefix:name" or "name"
  std::vector<int32_t> args;  // kCall
  Value literal;              // kLiteral
};

// One piece of the text: either literal characters or one ${...}.
struct Segment {
  std::string text;  // literal text when root < 0
  int32_t root = -1;
};

// Printable name of an operator for messages: "+", "==", "empty".
const char* OpName(Op op);

}  // namespace internal

struct Template::Impl {
  std::vector<internal::Segment> segments;
  std::vector<internal::Node> nodes;
  // The kCall nodes in source order; evaluation resolves each once against
  // the context's function table before anything runs.
  std::vector<int32_t> calls;
};

}  // namespace refinery::el
