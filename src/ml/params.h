// Training parameters declared once as data — name, default, bounds, help —
// so validation, the action's settings table and the docs all come from the
// same rows.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/status.h"

namespace refinery::ml {

inline constexpr char kBadSpecCode[] = "ML001";  // a spec the trainer cannot follow

struct ParamSpec {
  std::string name;
  std::string default_value;        // "" = unset (see help)
  double min = 0, max = 0;          // numeric bounds (inclusive) when choices is empty
  bool integer = false;
  std::vector<std::string> choices;  // a closed set instead of bounds
  std::string help;
};

const std::vector<ParamSpec>& TrainParams();
std::string BoundsText(const ParamSpec& spec);  // "1..100000", "gbtree|gblinear|forest"

// Every parameter with its effective value: `given` over the defaults. An
// unknown name lists the valid ones; a value out of bounds names them (ML001).
Result<std::map<std::string, std::string>> ResolveParams(const std::map<std::string, std::string>& given);

}  // namespace refinery::ml
