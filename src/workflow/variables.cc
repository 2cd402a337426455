#include "workflow/variables.h"

namespace refinery::workflow::internal {
namespace {

// Bound the work one expression can cause: values that grow on every
// substitution (a=${a}${a}, a=x${a}) and "unlimited" depth with a
// self-reference would otherwise spin or eat memory.
constexpr size_t kMaxSubstitutedLength = 256 * 1024;
constexpr size_t kMaxTotalWork = 4 * 1024 * 1024;  // bytes built over all steps
constexpr int kUnlimitedDepthCap = 10000;

struct VariableMatch {
  size_t begin = std::string::npos;  // position of '$'
  size_t end = 0;                    // one past '}'
  std::string_view name;
};

// First match of the regex \$\{[^\}\$ ]+\}.
VariableMatch FindVariable(std::string_view text) {
  size_t from = 0;
  while (true) {
    const size_t dollar = text.find("${", from);
    if (dollar == std::string_view::npos) return {};
    size_t i = dollar + 2;
    while (i < text.size() && text[i] != '}' && text[i] != '$' && text[i] != ' ') ++i;
    if (i < text.size() && text[i] == '}' && i > dollar + 2) {
      return {dollar, i + 1, text.substr(dollar + 2, i - dollar - 2)};
    }
    from = dollar + 1;
  }
}

}  // namespace

Result<std::string> SubstituteVariables(std::string_view expr, const Properties& conf, int max_depth) {
  const int limit = max_depth < 0 ? kUnlimitedDepthCap : max_depth;
  std::string eval(expr);
  size_t work = 0;
  for (int depth = 0; depth < limit; ++depth) {
    const VariableMatch match = FindVariable(eval);
    if (match.begin == std::string::npos) return eval;
    const std::optional<std::string> value = conf.Get(match.name);
    if (!value) return eval;  // unbound: returned literally
    const size_t next_size = eval.size() - (match.end - match.begin) + value->size();
    work += next_size;
    if (next_size > kMaxSubstitutedLength || work > kMaxTotalWork) {
      return Status::InvalidArgument("Variable substitution result too large: " + std::string(expr.substr(0, 200)));
    }
    eval.replace(match.begin, match.end - match.begin, *value);
  }
  return Status::InvalidArgument("Variable substitution depth too large: " + std::to_string(limit) + " " +
                                 std::string(expr.substr(0, 200)));
}

}  // namespace refinery::workflow::internal
