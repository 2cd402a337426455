// libFuzzer: the profile's quality rules. The input's lines up to a line
// `----` are rules (<expect> texts); what follows is a previous profile.json.
// Every rule must parse or be refused with DQ002; the rules are evaluated
// against the fuzzed profile itself and against a fixed profile compared with
// it as the previous one (drift), whose report is rendered too. A previous
// profile.json is a file on disk anyone can edit, so none of this may crash
// or throw (CompareProfiles alone may throw json::exception: its caller
// catches it).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "profile/drift.h"
#include "profile/html_report.h"
#include "profile/rules.h"

namespace {

using nlohmann::json;
namespace profile = refinery::profile;

const json& CurrentProfile() {
  static const json kProfile = json::parse(R"json({
    "format_version": 1, "rows": 1200, "duplicate_rows": 3, "duplicate_fraction": 0.0025, "files": 2,
    "columns": [
      {"name": "income", "type": "float", "kind": "numeric", "count": 1000, "nulls": 200, "null_fraction": 0.1666,
       "distinct": 900, "distinct_exact": true, "mean": 52.5, "min": 1, "max": 99, "invalid": 2,
       "first_invalid": {"row": 7, "file": "part-m-00001", "line": 3, "column": 1,
                         "where": "part-m-00001:3, column 1 (\"income\")", "value": "abc"},
       "quantiles": {"p50": 50.0}, "disguised_missing": [{"value": -1, "count": 4}],
       "histogram": {"edges": [1, 50, 99], "counts": [500, 500], "exact": true},
       "psi_bins": {"edges": [10, 50, 90], "fractions": [0.1, 0.4, 0.4, 0.1]}},
      {"name": "job", "type": "text", "kind": "categorical", "count": 1200, "nulls": 0, "null_fraction": 0,
       "distinct": 2, "distinct_exact": true, "top_values": [{"value": "admin", "count": 700}],
       "categories": [{"value": "admin", "count": 700}, {"value": "pilot", "count": 500}]},
      {"name": "id", "type": "integer", "kind": "id", "count": 1200, "nulls": 0, "distinct": 1200}
    ]
  })json");
  return kProfile;
}

std::vector<profile::Rule> ParseRules(std::string_view text) {
  static const std::vector<std::string> kColumns = {"income", "job", "id", "a b"};
  std::vector<profile::Rule> rules;
  size_t start = 0;
  while (start <= text.size() && rules.size() < 64) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    auto rule = profile::ParseRule(text.substr(start, end - start));
    if (rule.ok()) {
      static_cast<void>(profile::CheckRuleColumn(*rule, kColumns));
      rules.push_back(*rule);
    } else if (rule.status().error_code() != profile::kBadRuleCode) {
      std::abort();  // every refusal is DQ002
    }
    start = end + 1;
  }
  return rules;
}

void Evaluate(const std::vector<profile::Rule>& rules, const json& against) {
  for (const auto& outcome : profile::EvaluateRules(rules, against)) {
    static_cast<void>(profile::DescribeOutcome(outcome));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t split = input.find("\n----\n");
  const std::vector<profile::Rule> rules = ParseRules(input.substr(0, split));
  Evaluate(rules, CurrentProfile());
  if (split == std::string_view::npos) return 0;

  const json previous = json::parse(input.substr(split + 6), nullptr, false);
  if (previous.is_discarded()) return 0;
  Evaluate(rules, previous);
  if (!previous.is_object()) return 0;  // the action only compares with an object
  json current = CurrentProfile();
  try {
    current["drift"] = profile::CompareProfiles(current, previous, {{"income", {0.2, 0.3, 0.3, 0.2}}});
  } catch (const json::exception&) {
    return 0;  // ProfileDataset turns this into an error naming the previous profile
  }
  Evaluate(rules, current);
  static_cast<void>(profile::RenderHtmlReport(current));
  return 0;
}
