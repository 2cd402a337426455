#include "ml/trainer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "ml/predictor.h"
#include "ml/xgboost_booster.h"

namespace refinery::ml {
namespace {

const std::string kSource = REFINERY_SOURCE_DIR;
const std::string kBank = kSource + "/examples/data/bank_marketing.csv";
const std::string kTelco = kSource + "/tests/data/ml/telco_churn.csv";
const std::string kDiamonds = kSource + "/tests/data/ml/diamonds_sample.csv";

TrainSpec BankSpec() {
  TrainSpec spec;
  spec.inputs = {kBank};
  spec.target = "y";
  spec.exclude = {"duration"};
  spec.params = {{"rounds", "60"}, {"max_depth", "4"}, {"eta", "0.1"}, {"nthread", "1"}, {"seed", "7"}};
  return spec;
}

Result<TrainResult> MustTrain(const TrainSpec& spec) {
  auto result = Train(spec, nullptr);
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return result;
}

Bundle ToBundle(const TrainResult& result) {
  Bundle bundle;
  bundle.booster_json = result.booster_json;
  bundle.pipeline = result.pipeline.ToJson();
  bundle.pipeline["format_version"] = kBundleFormatVersion;
  bundle.pipeline["target"] = result.target.ToJson();
  bundle.metrics = result.metrics;
  return bundle;
}

// A CSV in a fresh temporary directory.
std::string WriteCsv(const std::string& name, const std::string& text) {
  const auto dir = std::filesystem::temp_directory_path() / ("refinery_ml_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto path = dir / name;
  std::ofstream(path) << text;
  return path.string();
}

std::string ErrorOf(const TrainSpec& spec) {
  auto result = Train(spec, nullptr);
  EXPECT_FALSE(result.ok());
  return result.ok() ? "" : result.status().ToString();
}

TEST(Trainer, BankMarketingWithoutDurationBeatsChance) {
  TrainSpec spec = BankSpec();
  auto result = MustTrain(spec);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->target.labels, (std::vector<std::string>{"no", "yes"}));
  EXPECT_EQ(result->metrics["task"], "binary");
  const double auc = result->metrics["auc"];
  std::printf("bank marketing holdout AUC (without duration): %.4f\n", auc);
  EXPECT_GT(auc, 0.68);
  EXPECT_EQ(result->holdout_rows, 904);  // 20 % of 4,521, stratified
  EXPECT_EQ(result->inputs[0].rows, 4521);
  for (const auto& item : result->metrics["importance"]) EXPECT_NE(item["feature"], "duration");
  EXPECT_TRUE(result->metrics.contains("pr_auc"));
  EXPECT_EQ(result->metrics["calibration"].size(), 10u);
}

TEST(Trainer, SameDataSpecAndSeedGiveAByteIdenticalBooster) {
  auto first = MustTrain(BankSpec());
  auto second = MustTrain(BankSpec());
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->booster_json, second->booster_json);
  EXPECT_EQ(first->pipeline.ToJson(), second->pipeline.ToJson());
}

TEST(Trainer, BoosterSaveLoadSaveIsByteIdentical) {
  auto result = MustTrain(BankSpec());
  ASSERT_TRUE(result.ok());
  auto loaded = Booster::LoadJson(result->booster_json);
  ASSERT_TRUE(loaded.ok());
  auto saved = loaded->SaveJson();
  ASSERT_TRUE(saved.ok());
  EXPECT_EQ(*saved, result->booster_json);
}

TEST(Trainer, PredictorReproducesHoldoutPredictionsExactlyFromRawRows) {
  TrainSpec spec = BankSpec();
  spec.keep_frame = true;
  spec.derived = {{"balance_per_call", "balance / (campaign + 1)"},
                  {"never_contacted", "CASE WHEN pdays < 0 THEN 1 ELSE 0 END"}};
  spec.columns = {{"pdays", std::nullopt, MissingStrategy::kNative, "", 0, UnseenPolicy::kMissing},
                  {"job", FeatureType::kCategorical, MissingStrategy::kMode, "", 6, UnseenPolicy::kMissing}};
  auto result = MustTrain(spec);
  ASSERT_TRUE(result.ok());
  auto predictor = Predictor::FromBundle(ToBundle(*result));
  ASSERT_TRUE(predictor.ok()) << predictor.status().ToString();
  std::vector<nlohmann::json> rows;
  for (uint32_t row : result->holdout) rows.push_back(RawRow(*result->frame, row, predictor->pipeline().inputs()));
  // The raw rows travel as JSON text, as a caller would send them.
  for (auto& row : rows) row = nlohmann::json::parse(row.dump());
  auto predictions = predictor->Predict(rows, /*contributions=*/false);
  ASSERT_TRUE(predictions.ok()) << predictions.status().ToString();
  ASSERT_EQ(predictions->size(), result->holdout_predictions.size());
  for (size_t i = 0; i < predictions->size(); ++i) {
    ASSERT_EQ(static_cast<float>((*predictions)[i].value), result->holdout_predictions[i]) << "holdout row " << i;
  }
}

TEST(Trainer, ContributionsAddUpToTheMargin) {
  auto result = MustTrain(BankSpec());
  ASSERT_TRUE(result.ok());
  auto predictor = Predictor::FromBundle(ToBundle(*result));
  ASSERT_TRUE(predictor.ok());
  const nlohmann::json row = {{"age", 35}, {"job", "management"}, {"marital", "married"}, {"education", "tertiary"},
                              {"default", "no"}, {"balance", 1200}, {"housing", "no"}, {"loan", "no"},
                              {"contact", "cellular"}, {"day", 15}, {"month", "oct"}, {"campaign", 1},
                              {"pdays", 90}, {"previous", 2}, {"poutcome", "success"}};
  auto predictions = predictor->Predict({row}, /*contributions=*/true);
  ASSERT_TRUE(predictions.ok()) << predictions.status().ToString();
  const PredictedRow& p = (*predictions)[0];
  double margin = 0;
  for (const auto& [name, value] : p.contributions) margin += value;
  EXPECT_NEAR(1 / (1 + std::exp(-margin)), p.value, 1e-4);
  EXPECT_EQ(p.contributions.back().first, "(bias)");
  EXPECT_EQ(p.contributions.size(), predictor->pipeline().features().size() + 1);
  EXPECT_TRUE(p.label == "yes" || p.label == "no");
}

TEST(Trainer, TelcoChurnWithMissingValues) {
  TrainSpec spec;
  spec.inputs = {kTelco};
  spec.target = "churn";
  spec.columns = {{"total_charges", std::nullopt, MissingStrategy::kMedian, "", 0, UnseenPolicy::kMissing}};
  spec.params = {{"rounds", "50"}, {"max_depth", "3"}, {"eta", "0.1"}, {"nthread", "1"}};
  auto result = MustTrain(spec);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->target.labels, (std::vector<std::string>{"No", "Yes"}));
  const double auc = result->metrics["auc"];
  std::printf("telco churn holdout AUC: %.4f\n", auc);
  EXPECT_GT(auc, 0.80);
  for (const Feature& f : result->pipeline.features()) {
    if (f.name == "total_charges") {
      EXPECT_GT(f.nulls, 0);
    }
  }
}

TEST(Trainer, DiamondsRegression) {
  TrainSpec spec;
  spec.inputs = {kDiamonds};
  spec.target = "price";
  spec.params = {{"rounds", "40"}, {"max_depth", "6"}, {"eta", "0.3"}, {"nthread", "1"}};
  auto result = MustTrain(spec);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->metrics["task"], "regression");
  const double r2 = result->metrics["r2"];
  std::printf("diamonds holdout R2: %.4f RMSE: %.1f\n", r2, result->metrics["rmse"].get<double>());
  EXPECT_GT(r2, 0.95);
}

TEST(Trainer, MulticlassTargetIsInferred) {
  TrainSpec spec;
  spec.inputs = {kDiamonds};
  spec.target = "cut";
  spec.params = {{"rounds", "10"}, {"max_depth", "4"}, {"nthread", "1"}};
  auto result = MustTrain(spec);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->metrics["task"], "multiclass");
  EXPECT_EQ(result->target.labels.size(), 5u);
  EXPECT_GT(result->metrics["accuracy"].get<double>(), 0.5);
  auto predictor = Predictor::FromBundle(ToBundle(*result));
  ASSERT_TRUE(predictor.ok());
  auto p = predictor->Predict({{{"carat", 0.5}, {"color", "E"}, {"clarity", "VS1"}, {"depth", 61.5}, {"table", 55},
                                {"price", 1500}, {"x", 5.1}, {"y", 5.1}, {"z", 3.1}}},
                              true);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ((*p)[0].probabilities.size(), 5u);
}

TEST(Trainer, LinearModelAndRandomForest) {
  TrainSpec linear = BankSpec();
  linear.params = {{"booster", "gblinear"}, {"rounds", "30"}, {"eta", "0.5"}, {"nthread", "1"}};
  auto l = MustTrain(linear);
  ASSERT_TRUE(l.ok());
  EXPECT_GT(l->metrics["auc"].get<double>(), 0.6);
  TrainSpec forest = BankSpec();
  forest.params = {{"booster", "forest"}, {"num_parallel_tree", "20"}, {"max_depth", "6"}, {"nthread", "1"}};
  auto f = MustTrain(forest);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->metrics["rounds"], 1);
  EXPECT_GT(f->metrics["auc"].get<double>(), 0.65);
}

TEST(Trainer, EarlyStoppingKeepsTheBestRound) {
  TrainSpec spec = BankSpec();
  spec.params["rounds"] = "400";
  spec.params["eta"] = "0.3";
  spec.params["early_stopping_rounds"] = "10";
  auto result = MustTrain(spec);
  ASSERT_TRUE(result.ok());
  EXPECT_LT(result->metrics["rounds"].get<int>(), 400);
  auto booster = Booster::LoadJson(result->booster_json);
  ASSERT_TRUE(booster.ok());
  EXPECT_EQ(*booster->BoostedRounds(), result->metrics["best_round"].get<int>());
}

class CancelAfter : public TrainObserver {
 public:
  explicit CancelAfter(int rounds) : rounds_(rounds) {}
  void OnRound(int round, int, const std::string&) override { seen_ = round; }
  bool Cancelled() override { return seen_ >= rounds_; }
  int seen_ = 0;

 private:
  int rounds_;
};

TEST(Trainer, CancellationStopsBetweenRounds) {
  CancelAfter observer(3);
  auto result = Train(BankSpec(), &observer);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kCancelled);
  EXPECT_EQ(observer.seen_, 3);
}

TEST(Trainer, ErrorsThatHelp) {
  TrainSpec spec = BankSpec();
  spec.target = "subscribed";
  EXPECT_NE(ErrorOf(spec).find("target 'subscribed' is not a column of the input; columns: age, job"), std::string::npos);

  spec = BankSpec();
  spec.exclude = {"durationn"};
  EXPECT_NE(ErrorOf(spec).find("excluded column 'durationn' is not a column"), std::string::npos);

  spec = BankSpec();
  spec.params["depth"] = "3";
  EXPECT_NE(ErrorOf(spec).find("unknown parameter 'depth'; valid parameters:"), std::string::npos);

  spec = BankSpec();
  spec.params["eta"] = "7";
  EXPECT_NE(ErrorOf(spec).find("parameter 'eta': value [7] is out of range"), std::string::npos);

  spec = BankSpec();
  spec.task = Task::kRegression;
  EXPECT_NE(ErrorOf(spec).find("needs a numeric target"), std::string::npos);

  spec = BankSpec();
  spec.derived = {{"bad", "balance +"}};
  EXPECT_NE(ErrorOf(spec).find("ML002"), std::string::npos);

  spec = BankSpec();
  spec.derived = {{"bad", "balanse * 2"}};
  EXPECT_NE(ErrorOf(spec).find("unknown column 'balanse'"), std::string::npos);
}

TEST(Trainer, ErrorsAboutTheData) {
  std::string rows = "id,x,empty,copy,y\n";
  for (int i = 0; i < 40; ++i) {
    const char* y = i % 3 == 0 ? "yes" : "no";
    rows += std::to_string(i) + "," + std::to_string(i % 7) + ",," + y + "," + y + "\n";
  }
  TrainSpec spec;
  spec.inputs = {WriteCsv("data.csv", rows)};
  spec.target = "y";
  spec.exclude = {"copy"};
  EXPECT_NE(ErrorOf(spec).find("column 'empty' is null in every row; add it to <exclude>"), std::string::npos);
  spec.exclude = {"empty"};
  EXPECT_NE(ErrorOf(spec).find("column 'copy' is an exact copy of the target 'y' (a leak)"), std::string::npos);

  spec.exclude = {"empty", "copy"};
  spec.target = "x";
  spec.task = Task::kBinary;
  EXPECT_NE(ErrorOf(spec).find("task binary needs a target with two values; 'x' has 7"), std::string::npos);

  std::string constant = "x,y\n";
  for (int i = 0; i < 30; ++i) constant += std::to_string(i) + ",same\n";
  spec = TrainSpec();
  spec.inputs = {WriteCsv("constant.csv", constant)};
  spec.target = "y";
  EXPECT_NE(ErrorOf(spec).find("target 'y' has the single value [same] in every row"), std::string::npos);

  spec.inputs = {WriteCsv("few.csv", "x,y\n1,a\n2,b\n3,a\n4,b\n")};
  EXPECT_NE(ErrorOf(spec).find("too few rows: 4 rows with a target"), std::string::npos);
}

}  // namespace
}  // namespace refinery::ml
