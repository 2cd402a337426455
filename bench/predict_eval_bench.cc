// Single-row prediction cost: ml::TreeEvaluator against XGBoost's C API (a
// one-row DMatrix + XGBoosterPredictFromDMatrix, what Predictor did before),
// on the same encoded rows, plus Predictor::Predict end to end (a JSON row
// encoded by the feature pipeline, then evaluated). Prints µs/row and the
// ratio, and checks the outputs agree bit for bit.
// Usage: predict_eval_bench [bundle dir]  (default: trains the bank model,
// 100 rounds, depth 6, eta 0.1, `duration` excluded)
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "ml/bundle.h"
#include "ml/predictor.h"
#include "ml/trainer.h"
#include "ml/tree_evaluator.h"
#include "ml/xgboost_booster.h"

namespace refinery::ml {
namespace {

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

int Run(int argc, char** argv) {
  TrainSpec spec;
  spec.inputs = {std::string(REFINERY_SOURCE_DIR) + "/examples/data/bank_marketing.csv"};
  spec.target = "y";
  spec.exclude = {"duration"};
  spec.params = {{"rounds", "100"}, {"max_depth", "6"}, {"eta", "0.1"}, {"nthread", "1"}};
  spec.keep_frame = true;
  auto trained = Train(spec, nullptr);
  if (!trained.ok()) {
    std::fprintf(stderr, "%s\n", trained.status().ToString().c_str());
    return 1;
  }
  Bundle bundle;
  if (argc > 1) {
    auto read = ReadBundle(argv[1]);
    if (!read.ok()) {
      std::fprintf(stderr, "%s\n", read.status().ToString().c_str());
      return 1;
    }
    bundle = std::move(*read);
  } else {
    bundle.booster_json = trained->booster_json;
    bundle.pipeline = trained->pipeline.ToJson();
    bundle.pipeline["format_version"] = kBundleFormatVersion;
    bundle.pipeline["target"] = trained->target.ToJson();
  }
  auto predictor = Predictor::FromBundle(bundle);
  if (!predictor.ok() || predictor->evaluator() == nullptr) {
    std::fprintf(stderr, "no evaluator: %s\n",
                 predictor.ok() ? predictor->evaluator_status().ToString().c_str() : predictor.status().ToString().c_str());
    return 1;
  }
  const FeaturePipeline& pipeline = predictor->pipeline();
  const size_t rows = trained->frame->rows, width = pipeline.width();
  std::vector<nlohmann::json> raw;
  std::vector<float> matrix(rows * width);
  for (size_t r = 0; r < rows; ++r) {
    raw.push_back(RawRow(*trained->frame, r, pipeline.inputs()));
    if (!pipeline.EncodeRow(raw.back(), matrix.data() + r * width).ok()) return 1;
  }
  const TreeEvaluator& evaluator = *predictor->evaluator();
  auto booster = Booster::LoadJson(bundle.booster_json);
  if (!booster.ok()) return 1;
  std::vector<std::string> names;
  for (size_t c = 0; c < width; ++c) names.push_back("f" + std::to_string(c));

  // Best of `passes` timings of `run` over all rows, per row: the least
  // disturbed pass on a shared machine.
  auto best_us = [&](int passes, size_t count, const std::function<void()>& run) {
    double best = 1e300;
    for (int pass = 0; pass < passes; ++pass) {
      const auto start = std::chrono::steady_clock::now();
      run();
      best = std::min(best, Seconds(start) * 1e6 / static_cast<double>(count));
    }
    return best;
  };

  // XGBoost, one row per call, one thread (no OpenMP team to wake).
  if (!booster->SetParam("nthread", "1").ok()) return 1;
  const size_t sampled = std::min<size_t>(rows, 1000);
  std::vector<float> reference(rows);
  const double xgboost_us = best_us(3, sampled, [&] {
    for (size_t r = 0; r < sampled; ++r) {
      auto dmatrix = DMatrix::FromDense(matrix.data() + r * width, 1, width, names, pipeline.encoded_types(), 1);
      reference[r] = booster->Predict(*dmatrix, PredictKind::kValue)->values[0];
    }
  });
  auto all = DMatrix::FromDense(matrix.data(), rows, width, names, pipeline.encoded_types(), 1);
  reference = booster->Predict(*all, PredictKind::kValue)->values;

  std::vector<float> out(rows);
  const double evaluator_us = best_us(10, rows, [&] {
    for (size_t r = 0; r < rows; ++r) evaluator.Predict(matrix.data() + r * width, &out[r]);
  });
  size_t differing = 0;
  for (size_t r = 0; r < rows; ++r) differing += std::memcmp(&out[r], &reference[r], sizeof(float)) != 0;
  const double rows_us = best_us(10, rows, [&] { evaluator.PredictRows(matrix.data(), rows, width, out.data()); });
  for (size_t r = 0; r < rows; ++r) differing += std::memcmp(&out[r], &reference[r], sizeof(float)) != 0;
  const double predictor_us = best_us(3, rows, [&] {
    for (size_t r = 0; r < rows; ++r) {
      if (!predictor->Predict({raw[r]}, false).ok()) std::abort();
    }
  });

  std::printf("model: %s, %zu encoded columns, %zu rows\n", evaluator.objective_name().c_str(), width, rows);
  std::printf("%-52s %10s\n", "prediction, best of several passes", "us/row");
  std::printf("%-52s %10.2f\n", "XGBoost C API, 1 thread (1-row DMatrix + PredictFromDMatrix)", xgboost_us);
  std::printf("%-52s %10.2f\n", "TreeEvaluator::Predict (encoded row)", evaluator_us);
  std::printf("%-52s %10.2f\n", "TreeEvaluator::PredictRows (all rows, per row)", rows_us);
  std::printf("%-52s %10.2f\n", "Predictor::Predict (JSON row: encode + evaluate)", predictor_us);
  std::printf("XGBoost / evaluator: %.1fx; rows whose output differs from XGBoost's bits: %zu\n",
              xgboost_us / evaluator_us, differing);
  return differing == 0 ? 0 : 1;
}

}  // namespace
}  // namespace refinery::ml

int main(int argc, char** argv) { return refinery::ml::Run(argc, argv); }
