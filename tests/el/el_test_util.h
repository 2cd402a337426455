// A small harness for el tests: variables from a map, the basic functions
// over a fixed clock, and one-line evaluation helpers.
#pragma once

#include <map>
#include <string>

#include "core/time_format.h"
#include "el/el.h"
#include "el/functions.h"

namespace refinery::el::testing {

class ElHarness {
 public:
  ElHarness() : clock_(ParseOozieTime("2021-01-14T07:08Z").value()) {
    RegisterBasicFunctions(&functions_, &clock_);
  }

  void Set(const std::string& name, Value value) { variables_[name] = std::move(value); }
  FunctionTable* functions() { return &functions_; }
  FakeClock* clock() { return &clock_; }

  Context context() const {
    Context ctx;
    ctx.functions = &functions_;
    ctx.variables = [this](std::string_view name) -> std::optional<Value> {
      const auto it = variables_.find(std::string(name));
      if (it != variables_.end()) return it->second;
      return WorkflowConstant(name);
    };
    return ctx;
  }

  Result<std::string> Eval(std::string_view text) const { return Evaluate(text, context()); }

  Result<Value> EvalValue(std::string_view text) const {
    REFINERY_ASSIGN_OR_RETURN(const Template t, Parse(text));
    return EvaluateToValue(t, context());
  }

  // The text of a successful evaluation, or "ERROR: <status>" so a failed
  // expectation shows why.
  std::string Text(std::string_view text) const {
    const Result<std::string> r = Eval(text);
    return r.ok() ? r.value() : "ERROR: " + r.status().ToString();
  }

  std::string Error(std::string_view text) const {
    const Result<std::string> r = Eval(text);
    return r.ok() ? "no error, got [" + r.value() + "]" : r.status().ToString();
  }

 private:
  FakeClock clock_;
  FunctionTable functions_;
  std::map<std::string, Value> variables_;
};

}  // namespace refinery::el::testing
