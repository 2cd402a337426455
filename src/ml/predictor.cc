#include "ml/predictor.h"

#include <algorithm>
#include <cmath>
#include <mutex>
#include <utility>

#include "ml/xgboost_booster.h"

namespace refinery::ml {
namespace {

std::vector<std::string> ColumnNames(size_t width) {
  std::vector<std::string> names;
  for (size_t i = 0; i < width; ++i) names.push_back("f" + std::to_string(i));
  return names;
}

// Contributions of one row (cols + 1 values, bias last) summed per feature.
std::vector<std::pair<std::string, double>> PerFeature(const FeaturePipeline& pipeline, const float* values) {
  std::vector<double> sums(pipeline.features().size(), 0);
  for (size_t c = 0; c < pipeline.width(); ++c) sums[pipeline.encoded_feature()[c]] += values[c];
  std::vector<std::pair<std::string, double>> out;
  for (size_t f = 0; f < sums.size(); ++f) out.emplace_back(pipeline.features()[f].name, sums[f]);
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return std::fabs(a.second) > std::fabs(b.second); });
  out.emplace_back("(bias)", values[pipeline.width()]);
  return out;
}

}  // namespace

struct Predictor::GuardedBooster {
  explicit GuardedBooster(Booster b) : booster(std::move(b)) {}
  std::mutex mutex;  // guards every call on `booster`
  Booster booster;
};

Predictor::~Predictor() = default;
Predictor::Predictor(Predictor&&) noexcept = default;
Predictor& Predictor::operator=(Predictor&&) noexcept = default;

Result<Predictor> Predictor::FromBundle(const Bundle& bundle) {
  Predictor predictor;
  REFINERY_ASSIGN_OR_RETURN(predictor.pipeline_, FeaturePipeline::FromJson(bundle.pipeline));
  if (!bundle.pipeline.contains("target")) {
    return Status::InvalidArgument("the bundle's pipeline has no target", kBadBundleCode);
  }
  REFINERY_ASSIGN_OR_RETURN(predictor.target_, TargetInfo::FromJson(bundle.pipeline.at("target")));
  const auto threshold = bundle.metrics.find("threshold");
  if (threshold != bundle.metrics.end() && threshold->is_number()) predictor.threshold_ = threshold->get<double>();
  REFINERY_ASSIGN_OR_RETURN(Booster booster, Booster::LoadJson(bundle.booster_json));
  predictor.booster_ = std::make_unique<GuardedBooster>(std::move(booster));
  predictor.evaluator_status_ = predictor.CompileEvaluator(bundle.booster_json);
  return predictor;
}

Status Predictor::CompileEvaluator(const std::string& booster_json) {
  Result<TreeEvaluator> evaluator = TreeEvaluator::Compile(booster_json);
  if (!evaluator.ok()) return evaluator.status();
  const size_t classes = target_.task == Task::kMulticlass ? target_.labels.size() : 1;
  if (evaluator->features() != pipeline_.width() || evaluator->outputs() != classes) {
    return Status::InvalidArgument("the booster reads " + std::to_string(evaluator->features()) + " columns into " +
                                       std::to_string(evaluator->outputs()) + " outputs; the pipeline has " +
                                       std::to_string(pipeline_.width()) + " columns and " +
                                       std::to_string(classes) + " outputs",
                                   kBadBundleCode);
  }
  evaluator_.emplace(std::move(*evaluator));
  return Status::Ok();
}

Result<Predictor> Predictor::Load(const std::filesystem::path& bundle_dir) {
  REFINERY_ASSIGN_OR_RETURN(Bundle bundle, ReadBundle(bundle_dir));
  return FromBundle(bundle);
}

Result<std::vector<float>> Predictor::BoosterValues(const std::vector<float>& matrix, size_t rows,
                                                    std::vector<float>* contributions) const {
  std::lock_guard<std::mutex> lock(booster_->mutex);
  REFINERY_ASSIGN_OR_RETURN(DMatrix dmatrix, DMatrix::FromDense(matrix.data(), rows, pipeline_.width(),
                                                               ColumnNames(pipeline_.width()), pipeline_.encoded_types(), 0));
  REFINERY_ASSIGN_OR_RETURN(Prediction values, booster_->booster.Predict(dmatrix, PredictKind::kValue));
  if (contributions != nullptr) {
    REFINERY_ASSIGN_OR_RETURN(Prediction contribs, booster_->booster.Predict(dmatrix, PredictKind::kContributions));
    *contributions = std::move(contribs.values);
  }
  return std::move(values.values);
}

Result<std::vector<float>> Predictor::PredictEncoded(const std::vector<float>& matrix, size_t rows) const {
  return BoosterValues(matrix, rows, nullptr);
}

Result<std::vector<PredictedRow>> Predictor::Predict(const std::vector<nlohmann::json>& rows, bool contributions) const {
  const size_t width = pipeline_.width();
  std::vector<float> matrix(rows.size() * width);
  for (size_t r = 0; r < rows.size(); ++r) {
    const Status status = pipeline_.EncodeRow(rows[r], matrix.data() + r * width);
    if (!status.ok()) return status.WithContext("row " + std::to_string(r));
  }
  const size_t classes = target_.task == Task::kMulticlass ? target_.labels.size() : 1;
  std::vector<float> values, contribs;
  if (evaluator_ && !contributions) {
    values.resize(rows.size() * classes);
    if (rows.size() == 1) {
      evaluator_->Predict(matrix.data(), values.data());
    } else {
      evaluator_->PredictRows(matrix.data(), rows.size(), width, values.data());
    }
  } else {
    REFINERY_ASSIGN_OR_RETURN(values, BoosterValues(matrix, rows.size(), contributions ? &contribs : nullptr));
  }
  std::vector<PredictedRow> out(rows.size());
  for (size_t r = 0; r < rows.size(); ++r) {
    PredictedRow& row = out[r];
    size_t chosen = 0;
    if (target_.task == Task::kMulticlass) {
      const float* p = values.data() + r * classes;
      row.probabilities.assign(p, p + classes);
      chosen = static_cast<size_t>(std::max_element(p, p + classes) - p);
      row.value = p[chosen];
      row.label = target_.labels[chosen];
    } else {
      row.value = values[r];
      if (target_.task == Task::kBinary) row.label = target_.labels[row.value >= threshold_ ? 1 : 0];
    }
    if (contributions) row.contributions = PerFeature(pipeline_, contribs.data() + (r * classes + chosen) * (width + 1));
  }
  return out;
}

}  // namespace refinery::ml
