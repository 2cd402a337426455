#include "ml/params.h"

#include <cmath>

#include "ml/value.h"

namespace refinery::ml {

const std::vector<ParamSpec>& TrainParams() {
  static const std::vector<ParamSpec> kParams = {
      {"booster", "gbtree", 0, 0, false, {"gbtree", "gblinear", "forest"},
       "gbtree: boosted trees (hist); gblinear: a linear/logistic model; forest: a random forest"},
      {"rounds", "100", 1, 100000, true, {}, "boosting rounds (forest: 1)"},
      {"max_depth", "6", 1, 64, true, {}, "maximum tree depth"},
      {"eta", "0.3", 1e-6, 1, false, {}, "learning rate (forest: 1)"},
      {"min_child_weight", "1", 0, 1e9, false, {}, "minimum hessian sum in a leaf"},
      {"gamma", "0", 0, 1e9, false, {}, "minimum loss reduction to split"},
      {"subsample", "1", 0.01, 1, false, {}, "row sample per tree (forest default 0.8)"},
      {"colsample_bynode", "1", 0.01, 1, false, {}, "column sample per split (forest default 0.8)"},
      {"lambda", "1", 0, 1e9, false, {}, "L2 regularization"},
      {"alpha", "0", 0, 1e9, false, {}, "L1 regularization"},
      {"max_bin", "256", 2, 4096, true, {}, "histogram bins per numeric feature"},
      {"categorical_encoding", "auto", 0, 0, false, {"auto", "ordered", "native", "one-hot"},
       "how categories reach the model: ordered (codes sorted by the target's mean, split as numbers; fastest), "
       "native (XGBoost's categorical splits), one-hot; auto: one-hot for gblinear, native for multiclass, else ordered"},
      {"max_cat_to_onehot", "4", 1, 1000, true, {}, "categorical features with fewer categories split one-vs-rest"},
      {"num_parallel_tree", "1", 1, 10000, true, {}, "trees per round (forest default 100)"},
      {"scale_pos_weight", "1", 0, 1e9, false, {}, "weight of positive rows (binary)"},
      {"nthread", "0", 0, 1024, true, {}, "training threads; 0 = every core of the machine"},
      {"holdout", "0.2", 0.01, 0.9, false, {}, "fraction of rows held out for metrics (stratified for classification)"},
      {"seed", "0", 0, 2147483647, true, {}, "seed of the holdout split and of XGBoost's sampling"},
      {"early_stopping_rounds", "0", 0, 100000, true, {}, "stop when the holdout metric has not improved for N rounds; 0 = off"},
      {"threshold", "", 0, 1, false, {}, "decision threshold (binary); unset = the one maximizing F1 on the holdout"},
  };
  return kParams;
}

std::string BoundsText(const ParamSpec& spec) {
  if (!spec.choices.empty()) {
    std::string out;
    for (const std::string& c : spec.choices) out += (out.empty() ? "" : "|") + c;
    return out;
  }
  return FormatNumber(spec.min) + ".." + FormatNumber(spec.max);
}

namespace {

Status CheckValue(const ParamSpec& spec, const std::string& value) {
  if (!spec.choices.empty()) {
    for (const std::string& c : spec.choices) {
      if (value == c) return Status::Ok();
    }
  } else {
    double number = 0;
    if (ParseNumber(value, &number) && number >= spec.min && number <= spec.max &&
        (!spec.integer || number == std::floor(number))) {
      return Status::Ok();
    }
  }
  return Status::InvalidArgument("parameter '" + spec.name + "': value [" + value + "] is out of range; expected " +
                                     (spec.integer ? "an integer in " : "") + BoundsText(spec) + " (" + spec.help + ")",
                                 kBadSpecCode);
}

}  // namespace

Result<std::map<std::string, std::string>> ResolveParams(const std::map<std::string, std::string>& given) {
  std::map<std::string, std::string> resolved;
  for (const ParamSpec& spec : TrainParams()) {
    if (!spec.default_value.empty()) resolved[spec.name] = spec.default_value;
  }
  for (const auto& [name, value] : given) {
    const ParamSpec* spec = nullptr;
    for (const ParamSpec& s : TrainParams()) {
      if (s.name == name) spec = &s;
    }
    if (spec == nullptr) {
      std::string list;
      for (const ParamSpec& s : TrainParams()) list += (list.empty() ? "" : ", ") + s.name;
      return Status::InvalidArgument("unknown parameter '" + name + "'; valid parameters: " + list, kBadSpecCode);
    }
    REFINERY_RETURN_IF_ERROR(CheckValue(*spec, value));
    resolved[name] = value;
  }
  return resolved;
}

}  // namespace refinery::ml
