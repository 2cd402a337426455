// el: Oozie's expression language (JSP 2.0 EL as commons-el implements it).
// Text may mix literal characters and ${...} expressions. Functions and
// variables come from tables the caller injects, so this module knows nothing
// of jobs, files or stores; the workflow and coordinator function groups are
// registered by whoever owns that state.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "core/status.h"

namespace refinery::el {

// null, boolean, long, double, string, or a map (wf:actionData, hadoop:counters).
class Value {
 public:
  using MapType = std::map<std::string, Value>;

  Value() = default;  // null
  static Value Null() { return Value(); }
  static Value Bool(bool b);
  static Value Int(int64_t i);
  static Value Double(double d);
  static Value String(std::string s);
  static Value Map(MapType m);

  bool is_null() const;
  bool is_bool() const;
  bool is_int() const;
  bool is_double() const;
  bool is_string() const;
  bool is_map() const;
  bool as_bool() const;            // requires is_bool()
  int64_t as_int() const;          // requires is_int()
  double as_double() const;        // requires is_double()
  const std::string& as_string() const;  // requires is_string()
  const MapType& as_map() const;   // requires is_map()

  // JSP coercion to text: null -> "", true -> "true", 2.5 -> "2.5", 3.0 -> "3.0"
  // (Java's Double.toString), a map -> "{a=b, c=d}" (Java's Map.toString).
  std::string ToText() const;

  bool operator==(const Value& other) const;

 private:
  std::variant<std::monostate, bool, int64_t, double, std::string, std::shared_ptr<const MapType>> v_;
};

using Function = std::function<Result<Value>(const std::vector<Value>& args)>;

// Functions by qualified name: "wf:id", "fs:exists", or a bare "concat".
class FunctionTable {
 public:
  struct Entry {
    std::string name;
    int min_args = 0;
    int max_args = 0;
    Function fn;
  };
  void Register(std::string qualified_name, int min_args, int max_args, Function fn);
  const Entry* Find(std::string_view qualified_name) const;
  std::vector<std::string> Names() const;  // sorted, for "unknown function" errors

 private:
  std::unordered_map<std::string, Entry> entries_;
};

// Returns the value of a variable, or nullopt when it is not defined (which is
// an error: Oozie's "variable [x] cannot be resolved").
using VariableResolver = std::function<std::optional<Value>(std::string_view name)>;

struct Context {
  const FunctionTable* functions = nullptr;  // may be null: no functions
  VariableResolver variables;                // may be empty: no variables
};

// A parsed composite text: literal pieces and expressions. Immutable;
// evaluation is thread-safe when the context's callbacks are.
class Template {
 public:
  Template();
  ~Template();
  Template(Template&&) noexcept;
  Template& operator=(Template&&) noexcept;
  struct Impl;
  const Impl& impl() const { return *impl_; }
  explicit Template(std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

// Parse errors carry error code "EL_ERROR" and name the column (1-based) and
// the offending token, e.g. `EL_ERROR: column 14: expected ')' but found '}' in "${concat(a,b}"`.
Result<Template> Parse(std::string_view text);

// Evaluates to text (every expression coerced with Value::ToText).
// Undefined variables: EL_ERROR "variable [x] cannot be resolved".
// Unknown functions: EL_ERROR naming the function and listing the known ones
// of the same prefix.
Result<std::string> EvaluateToString(const Template& t, const Context& ctx);
// When the text is exactly one ${...}, its typed value; otherwise a String.
Result<Value> EvaluateToValue(const Template& t, const Context& ctx);

// Parse + evaluate in one call.
Result<std::string> Evaluate(std::string_view text, const Context& ctx);
// True when the text holds at least one ${ (a cheap pre-check for callers).
bool HasExpressions(std::string_view text);

}  // namespace refinery::el
