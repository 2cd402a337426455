// The public surface of el/: function tables, templates and the one-call
// Evaluate. Parsing lives in parser.cc, evaluation in evaluator.cc.
#include "el/el.h"

#include <algorithm>

#include "el/internal/ast.h"

namespace refinery::el {

void FunctionTable::Register(std::string qualified_name, int min_args, int max_args, Function fn) {
  Entry entry{qualified_name, min_args, max_args, std::move(fn)};
  entries_.insert_or_assign(std::move(qualified_name), std::move(entry));
}

const FunctionTable::Entry* FunctionTable::Find(std::string_view qualified_name) const {
  const auto it = entries_.find(std::string(qualified_name));
  return it == entries_.end() ? nullptr : &it->second;
}

std::vector<std::string> FunctionTable::Names() const {
  std::vector<std::string> names;
  names.reserve(entries_.size());
  for (const auto& [name, entry] : entries_) names.push_back(name);
  std::sort(names.begin(), names.end());
  return names;
}

Template::Template() : impl_(std::make_unique<Impl>()) {}
Template::~Template() = default;
Template::Template(Template&&) noexcept = default;
Template& Template::operator=(Template&&) noexcept = default;
Template::Template(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Result<std::string> Evaluate(std::string_view text, const Context& ctx) {
  REFINERY_ASSIGN_OR_RETURN(const Template parsed, Parse(text));
  return EvaluateToString(parsed, ctx);
}

bool HasExpressions(std::string_view text) { return text.find("${") != std::string_view::npos; }

}  // namespace refinery::el
