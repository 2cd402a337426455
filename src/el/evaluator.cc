// Walks a parsed Template against a Context. Recursion is bounded because
// the parser refuses trees deeper than kMaxDepth.
#include <exception>

#include "el/internal/ast.h"
#include "el/internal/coercion.h"
#include "el/internal/errors.h"

namespace refinery::el {
namespace internal {
namespace {

std::string ArgumentCount(int min_args, int max_args) {
  const std::string noun = max_args == 1 ? " argument" : " arguments";
  if (min_args == max_args) return std::to_string(min_args) + noun;
  return std::to_string(min_args) + " to " + std::to_string(max_args) + noun;
}

// "wf:" for "wf:id", "" for "concat".
std::string PrefixOf(std::string_view name) {
  const size_t colon = name.find(':');
  return colon == std::string_view::npos ? "" : std::string(name.substr(0, colon + 1));
}

Status UnknownFunction(const std::string& name, const FunctionTable* table) {
  const std::string prefix = PrefixOf(name);
  std::string known;
  if (table != nullptr) {
    for (const std::string& candidate : table->Names()) {
      if (PrefixOf(candidate) != prefix) continue;
      known += known.empty() ? "" : ", ";
      known += candidate;
    }
  }
  std::string message = "unknown function [" + name + "]";
  if (known.empty()) {
    return ElError(message + "; no functions " +
                   (prefix.empty() ? std::string("without a prefix") : "with prefix [" + prefix + "]") +
                   " are defined here");
  }
  const std::string group = prefix.empty() ? "functions without a prefix" : prefix + " functions";
  return ElError(message + "; known " + group + ": " + known);
}

class Evaluator {
 public:
  Evaluator(const Template::Impl& impl, const Context& ctx) : impl_(impl), ctx_(ctx) {}

  // Like commons-el, which maps functions when it parses, every call in the
  // text must name a known function with the right arity, even one in a
  // branch that will not run.
  Status ResolveFunctions() {
    functions_.reserve(impl_.calls.size());
    for (int32_t index : impl_.calls) {
      const Node& node = impl_.nodes[index];
      const FunctionTable::Entry* entry = ctx_.functions ? ctx_.functions->Find(node.name) : nullptr;
      if (entry == nullptr) return UnknownFunction(node.name, ctx_.functions);
      const int given = static_cast<int>(node.args.size());
      if (given < entry->min_args || given > entry->max_args) {
        return ElError("function [" + node.name + "] expects " + ArgumentCount(entry->min_args, entry->max_args) +
                       " but was given " + std::to_string(given));
      }
      functions_.push_back(entry);
    }
    return Status::Ok();
  }

  Result<Value> Eval(int32_t index) {
    const Node& node = impl_.nodes[index];
    switch (node.kind) {
      case NodeKind::kLiteral: return node.literal;
      case NodeKind::kVariable: return EvalVariable(node);
      case NodeKind::kUnary: return EvalUnary(node);
      case NodeKind::kBinary: return EvalBinary(node);
      case NodeKind::kAnd: return EvalLogical(node, /*stop_on=*/false);
      case NodeKind::kOr: return EvalLogical(node, /*stop_on=*/true);
      case NodeKind::kConditional: return EvalConditional(node);
      case NodeKind::kIndex: return EvalIndex(node);
      case NodeKind::kCall: return EvalCall(node);
    }
    return ElError("internal error: unknown node kind");
  }

 private:
  Result<Value> EvalVariable(const Node& node) {
    std::optional<Value> value;
    if (ctx_.variables) value = ctx_.variables(node.name);
    if (!value) return ElError("variable [" + node.name + "] cannot be resolved");
    return std::move(*value);
  }

  Result<Value> EvalUnary(const Node& node) {
    REFINERY_ASSIGN_OR_RETURN(const Value operand, Eval(node.a));
    if (node.op == Op::kEmpty) return Value::Bool(IsEmpty(operand));
    if (node.op == Op::kNegate) return Negate(operand);
    const Result<bool> b = CoerceToBoolean(operand);
    if (!b.ok()) return ElError("operator [!]: " + b.status().message());
    return Value::Bool(!*b);
  }

  Result<Value> EvalBinary(const Node& node) {
    REFINERY_ASSIGN_OR_RETURN(const Value left, Eval(node.a));
    REFINERY_ASSIGN_OR_RETURN(const Value right, Eval(node.b));
    switch (node.op) {
      case Op::kAdd:
      case Op::kSub:
      case Op::kMul:
      case Op::kDiv:
      case Op::kMod: return ApplyArithmetic(node.op, left, right);
      default: return ApplyComparison(node.op, left, right);
    }
  }

  // && stops at the first false, || at the first true; the result is a boolean.
  Result<Value> EvalLogical(const Node& node, bool stop_on) {
    const char* name = stop_on ? "||" : "&&";
    REFINERY_ASSIGN_OR_RETURN(const Value left, Eval(node.a));
    const Result<bool> l = CoerceToBoolean(left);
    if (!l.ok()) return ElError(std::string("operator [") + name + "]: " + l.status().message());
    if (*l == stop_on) return Value::Bool(stop_on);
    REFINERY_ASSIGN_OR_RETURN(const Value right, Eval(node.b));
    const Result<bool> r = CoerceToBoolean(right);
    if (!r.ok()) return ElError(std::string("operator [") + name + "]: " + r.status().message());
    return Value::Bool(*r);
  }

  Result<Value> EvalConditional(const Node& node) {
    REFINERY_ASSIGN_OR_RETURN(const Value condition, Eval(node.a));
    const Result<bool> b = CoerceToBoolean(condition);
    if (!b.ok()) return ElError("operator [?:]: " + b.status().message());
    return Eval(*b ? node.b : node.c);
  }

  // a[b] and a.b read maps; a null base or key gives null as in commons-el.
  // A map's keys are strings, so any other key finds nothing (Java's
  // Map.get(Long) on a Map<String,String>).
  Result<Value> EvalIndex(const Node& node) {
    REFINERY_ASSIGN_OR_RETURN(const Value base, Eval(node.a));
    if (base.is_null()) return Value::Null();
    REFINERY_ASSIGN_OR_RETURN(const Value key, Eval(node.b));
    if (key.is_null()) return Value::Null();
    if (!base.is_map()) {
      return ElError("unable to find a value for [" + key.ToText() + "] in " + DescribeValue(base) +
                     ": only maps have properties");
    }
    if (!key.is_string()) return Value::Null();
    const Value::MapType& map = base.as_map();
    const auto it = map.find(key.as_string());
    return it == map.end() ? Value::Null() : it->second;
  }

  Result<Value> EvalCall(const Node& node) {
    std::vector<Value> args;
    args.reserve(node.args.size());
    for (int32_t arg : node.args) {
      REFINERY_ASSIGN_OR_RETURN(Value value, Eval(arg));
      args.push_back(std::move(value));
    }
    const FunctionTable::Entry* entry = functions_[node.call_slot];
    // The table holds caller code; its exceptions must not cross our API.
    try {
      Result<Value> result = entry->fn(args);
      if (result.ok() || !result.status().error_code().empty()) return result;
      return ElError("function [" + node.name + "]: " + result.status().message());
    } catch (const std::exception& e) {
      return ElError("function [" + node.name + "] failed: " + e.what());
    } catch (...) {
      return ElError("function [" + node.name + "] failed");
    }
  }

  const Template::Impl& impl_;
  const Context& ctx_;
  std::vector<const FunctionTable::Entry*> functions_;  // by Node::call_slot
};

Result<std::string> EvaluateSegments(const Template::Impl& impl, const Context& ctx) {
  Evaluator evaluator(impl, ctx);
  REFINERY_RETURN_IF_ERROR(evaluator.ResolveFunctions());
  std::string out;
  for (const Segment& segment : impl.segments) {
    if (segment.root < 0) {
      out += segment.text;
      continue;
    }
    REFINERY_ASSIGN_OR_RETURN(const Value value, evaluator.Eval(segment.root));
    out += value.ToText();
  }
  return out;
}

Result<Value> EvaluateSingle(const Template::Impl& impl, const Context& ctx) {
  Evaluator evaluator(impl, ctx);
  REFINERY_RETURN_IF_ERROR(evaluator.ResolveFunctions());
  return evaluator.Eval(impl.segments.front().root);
}

}  // namespace
}  // namespace internal

Result<std::string> EvaluateToString(const Template& t, const Context& ctx) {
  try {
    return internal::EvaluateSegments(t.impl(), ctx);
  } catch (const std::exception& e) {
    return internal::ElError(std::string("evaluation failed: ") + e.what());
  }
}

Result<Value> EvaluateToValue(const Template& t, const Context& ctx) {
  const Template::Impl& impl = t.impl();
  const bool single_expression = impl.segments.size() == 1 && impl.segments.front().root >= 0;
  try {
    if (single_expression) return internal::EvaluateSingle(impl, ctx);
    REFINERY_ASSIGN_OR_RETURN(std::string text, internal::EvaluateSegments(impl, ctx));
    return Value::String(std::move(text));
  } catch (const std::exception& e) {
    return internal::ElError(std::string("evaluation failed: ") + e.what());
  }
}

}  // namespace refinery::el
