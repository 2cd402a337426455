#include "ml/model_scorer.h"

#include <cmath>
#include <unordered_map>

#include "ml/value.h"

namespace refinery::ml {
namespace {

std::string Shown(const nlohmann::json& value) {
  std::string text = value.is_string() ? value.get<std::string>() : value.dump();
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return text;
}

class BundleScorer final : public ModelScorer {
 public:
  static Result<std::unique_ptr<BundleScorer>> Load(const std::filesystem::path& dir) {
    REFINERY_ASSIGN_OR_RETURN(Bundle bundle, ReadBundle(dir));
    REFINERY_ASSIGN_OR_RETURN(Predictor predictor, Predictor::FromBundle(bundle));
    auto scorer = std::unique_ptr<BundleScorer>(new BundleScorer(std::move(predictor)));
    scorer->pipeline_json_ = std::move(bundle.pipeline);
    scorer->metrics_ = std::move(bundle.metrics);
    REFINERY_ASSIGN_OR_RETURN(scorer->holdout_, ParseHoldoutRows(bundle.holdout_jsonl));
    scorer->IndexInputs();
    REFINERY_RETURN_IF_ERROR(scorer->Warm());
    return scorer;
  }

  const nlohmann::json& pipeline() const override { return pipeline_json_; }
  const nlohmann::json& metrics() const override { return metrics_; }
  const std::vector<nlohmann::json>& holdout_rows() const override { return holdout_; }
  const std::vector<double>& holdout_scores() const override { return holdout_scores_; }

  RowCheck Check(const nlohmann::json& row, bool allow_extra_fields) const override {
    RowCheck check;
    if (!row.is_object()) {
      check.errors.push_back({"", "not_an_object", "a row must be a JSON object of input fields, got " + Shown(row)});
      return check;
    }
    for (const auto& [name, value] : row.items()) {
      if (inputs_.count(name) == 0) {
        if (!allow_extra_fields) check.errors.push_back({name, "unknown_field", UnknownFieldMessage(name)});
        continue;
      }
      CheckValue(inputs_.at(name), value, &check);
    }
    for (const InputColumn& input : predictor_.pipeline().inputs()) {
      if (!row.contains(input.name)) {
        check.errors.push_back({input.name, "missing_field",
                                "required; send null when the value is unknown"});
      }
    }
    return check;
  }

  Result<std::vector<PredictedRow>> Predict(const std::vector<nlohmann::json>& rows, bool explain) const override {
    return predictor_.Predict(rows, explain);
  }

 private:
  struct InputInfo {
    const InputColumn* column = nullptr;
    const Feature* feature = nullptr;  // the encoded feature of the same name, if any
  };

  explicit BundleScorer(Predictor predictor) : predictor_(std::move(predictor)) {}

  void IndexInputs() {
    for (const InputColumn& input : predictor_.pipeline().inputs()) inputs_[input.name].column = &input;
    for (const Feature& feature : predictor_.pipeline().features()) {
      auto found = inputs_.find(feature.name);
      if (!feature.derived && found != inputs_.end()) found->second.feature = &feature;
    }
    for (const InputColumn& input : predictor_.pipeline().inputs()) input_list_ += (input_list_.empty() ? "" : ", ") + input.name;
  }

  // Scoring the holdout once loads every lazy part of the booster before the
  // first request and gives the reference distribution for drift checks.
  Status Warm() {
    if (holdout_.empty()) return Status::Ok();
    REFINERY_ASSIGN_OR_RETURN(std::vector<PredictedRow> scored, predictor_.Predict(holdout_, false));
    for (const PredictedRow& row : scored) holdout_scores_.push_back(row.value);
    return Status::Ok();
  }

  std::string UnknownFieldMessage(const std::string& name) const {
    return "not an input of this model [" + name + "]; inputs are: " + input_list_;
  }

  void CheckValue(const InputInfo& info, const nlohmann::json& value, RowCheck* check) const {
    const std::string& name = info.column->name;
    // Read exactly as the pipeline will encode it, so the check never disagrees with scoring.
    const Result<Value> cell = ReadInputCell(*info.column, value);
    if (!cell.ok() || (cell->is_number() && !std::isfinite(cell->number))) {
      check->errors.push_back({name, "wrong_type", "expected a " + std::string(info.column->numeric ? "number" : "text") +
                                                       " value, got " + Shown(value)});
      return;
    }
    if (cell->is_null()) return;  // an unknown value: the pipeline's missing-value strategy applies
    if (info.column->numeric) {
      const double number = cell->number;
      if (info.feature != nullptr && info.feature->type == FeatureType::kNumeric &&
          (number < info.feature->min || number > info.feature->max)) {
        check->errors.push_back({name, "out_of_range",
                                 Shown(value) + " is outside the range seen in training [" +
                                     FormatNumber(info.feature->min) + ", " + FormatNumber(info.feature->max) + "]"});
      }
      return;
    }
    if (info.feature == nullptr || info.feature->type != FeatureType::kCategorical) return;
    const std::string& text = cell->text;
    for (const std::string& category : info.feature->categories) {
      if (category == text) return;
    }
    const bool refused = info.feature->unseen == UnseenPolicy::kError;
    std::string known;
    for (const std::string& category : info.feature->categories) {
      if (category == kRareCategory) continue;
      if (known.size() > 200) {
        known += ", ...";
        break;
      }
      known += (known.empty() ? "" : ", ") + category;
    }
    const std::string treated = info.feature->unseen == UnseenPolicy::kRare && info.feature->rare_bucket
                                    ? "scored as a rare category"
                                    : "scored as missing";
    FieldProblem problem{name, "unseen_category",
                         "[" + text + "] was never seen in training" + (refused ? "" : "; " + treated) +
                             "; seen: " + known};
    (refused ? check->errors : check->warnings).push_back(std::move(problem));
  }

  Predictor predictor_;
  nlohmann::json pipeline_json_;
  nlohmann::json metrics_;
  std::vector<nlohmann::json> holdout_;
  std::vector<double> holdout_scores_;
  std::unordered_map<std::string, InputInfo> inputs_;
  std::string input_list_;
};

}  // namespace

Result<std::unique_ptr<ModelScorer>> LoadModelScorer(const std::filesystem::path& bundle_dir) {
  REFINERY_ASSIGN_OR_RETURN(std::unique_ptr<BundleScorer> scorer, BundleScorer::Load(bundle_dir));
  return std::unique_ptr<ModelScorer>(std::move(scorer));
}

}  // namespace refinery::ml
