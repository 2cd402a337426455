#include "ml/tree_evaluator.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "ml/predictor.h"
#include "ml/trainer.h"
#include "ml/xgboost_booster.h"

namespace refinery::ml {
namespace {

const std::string kSource = REFINERY_SOURCE_DIR;
const std::string kBank = kSource + "/examples/data/bank_marketing.csv";
const std::string kDiamonds = kSource + "/tests/data/ml/diamonds_sample.csv";
const std::string kTelco = kSource + "/tests/data/ml/telco_churn.csv";
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

uint32_t Bits(float value) {
  uint32_t bits = 0;
  std::memcpy(&bits, &value, sizeof(bits));
  return bits;
}

// A trained model with its training rows encoded the way the pipeline does.
struct Trained {
  TrainResult result;
  std::vector<float> matrix;  // rows × width
  size_t rows = 0;
  size_t width = 0;
};

Trained TrainOn(const std::string& input, const std::string& target, std::map<std::string, std::string> params,
                std::vector<std::string> exclude = {}, size_t max_rows = 600) {
  TrainSpec spec;
  spec.inputs = {input};
  spec.target = target;
  spec.exclude = std::move(exclude);
  params["nthread"] = "1";
  spec.params = std::move(params);
  spec.keep_frame = true;
  auto result = Train(spec, nullptr);
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  Trained trained;
  if (!result.ok()) return trained;
  trained.result = std::move(*result);
  trained.width = trained.result.pipeline.width();
  trained.rows = std::min(max_rows, trained.result.frame->rows);
  std::vector<uint32_t> rows(trained.rows);
  for (size_t r = 0; r < rows.size(); ++r) rows[r] = static_cast<uint32_t>(r);
  trained.matrix.resize(trained.rows * trained.width);
  trained.result.pipeline.EncodeFrame(*trained.result.frame, rows, trained.matrix.data());
  return trained;
}

std::vector<std::string> ColumnNames(size_t width) {
  std::vector<std::string> names;
  for (size_t i = 0; i < width; ++i) names.push_back("f" + std::to_string(i));
  return names;
}

// XGBoost's own output through the C API: the reference.
std::vector<float> XGBoostOutput(const std::string& booster_json, const std::vector<float>& matrix, size_t rows,
                                 size_t width, const std::vector<std::string>& types, PredictKind kind) {
  auto booster = Booster::LoadJson(booster_json);
  EXPECT_TRUE(booster.ok()) << booster.status().ToString();
  auto dmatrix = DMatrix::FromDense(matrix.data(), rows, width, ColumnNames(width), types, 1);
  EXPECT_TRUE(dmatrix.ok()) << dmatrix.status().ToString();
  if (!booster.ok() || !dmatrix.ok()) return {};
  auto prediction = booster->Predict(*dmatrix, kind);
  EXPECT_TRUE(prediction.ok()) << prediction.status().ToString();
  return prediction.ok() ? prediction->values : std::vector<float>{};
}

// Every row's margins and predictions equal XGBoost's, bit for bit.
void ExpectSameBits(const std::string& booster_json, const std::vector<float>& matrix, size_t rows, size_t width,
                    const std::vector<std::string>& types) {
  auto evaluator = TreeEvaluator::Compile(booster_json);
  ASSERT_TRUE(evaluator.ok()) << evaluator.status().ToString();
  ASSERT_EQ(evaluator->features(), width);
  const std::vector<float> margins = XGBoostOutput(booster_json, matrix, rows, width, types, PredictKind::kMargin);
  const std::vector<float> values = XGBoostOutput(booster_json, matrix, rows, width, types, PredictKind::kValue);
  const size_t groups = evaluator->groups(), outputs = evaluator->outputs();
  ASSERT_EQ(margins.size(), rows * groups);
  ASSERT_EQ(values.size(), rows * outputs);
  std::vector<float> mine(groups);
  size_t differing = 0;
  for (size_t r = 0; r < rows; ++r) {
    const float* row = matrix.data() + r * width;
    evaluator->Margins(row, mine.data());
    for (size_t g = 0; g < groups; ++g) {
      if (Bits(mine[g]) != Bits(margins[r * groups + g]) && differing++ < 5) {
        ADD_FAILURE() << "row " << r << " group " << g << ": margin " << mine[g] << " vs XGBoost "
                      << margins[r * groups + g];
      }
    }
    evaluator->Predict(row, mine.data());
    for (size_t o = 0; o < outputs; ++o) {
      if (Bits(mine[o]) != Bits(values[r * outputs + o]) && differing++ < 5) {
        ADD_FAILURE() << "row " << r << " output " << o << ": " << mine[o] << " vs XGBoost " << values[r * outputs + o];
      }
    }
  }
  std::vector<float> block(rows * outputs);
  evaluator->PredictRows(matrix.data(), rows, width, block.data());
  for (size_t i = 0; i < block.size(); ++i) {
    if (Bits(block[i]) != Bits(values[i]) && differing++ < 5) {
      ADD_FAILURE() << "PredictRows, value " << i << ": " << block[i] << " vs XGBoost " << values[i];
    }
  }
  EXPECT_EQ(differing, 0u) << "of " << rows << " rows";
}

void ExpectSameBits(const Trained& trained) {
  ExpectSameBits(trained.result.booster_json, trained.matrix, trained.rows, trained.width,
                 trained.result.pipeline.encoded_types());
}

// The same rows with about a fifth of the cells missing.
std::vector<float> WithHoles(std::vector<float> matrix, unsigned seed) {
  std::mt19937 random(seed);
  for (float& cell : matrix) {
    if (random() % 5 == 0) cell = kNaN;
  }
  return matrix;
}

// Some tree lists a node in categories_nodes.
bool HasCategoricalSplit(const std::string& booster_json) {
  const std::string key = "\"categories_nodes\":[";
  for (size_t at = booster_json.find(key); at != std::string::npos; at = booster_json.find(key, at + 1)) {
    if (booster_json[at + key.size()] != ']') return true;
  }
  return false;
}

const Trained& BankHist() {
  static const Trained trained = TrainOn(kBank, "y", {{"rounds", "40"}, {"max_depth", "5"}, {"eta", "0.2"}, {"categorical_encoding", "native"}}, {"duration"});
  return trained;
}

TEST(TreeEvaluator, BinaryHistWithNativeCategoricalSplitsMatchesXGBoostBitForBit) {
  const Trained& trained = BankHist();
  ASSERT_GT(trained.rows, 0u);
  ASSERT_TRUE(HasCategoricalSplit(trained.result.booster_json));
  ExpectSameBits(trained);
}

TEST(TreeEvaluator, OrderedCategoriesSplitAsNumbersAndMatchXGBoostBitForBit) {
  const Trained trained = TrainOn(kBank, "y", {{"rounds", "20"}, {"max_depth", "5"}}, {"duration"});
  ASSERT_FALSE(HasCategoricalSplit(trained.result.booster_json));
  ExpectSameBits(trained);
}

TEST(TreeEvaluator, PartitionCategoricalSplitsMatchXGBoost) {
  // max_cat_to_onehot=1: every categorical split is a many-vs-many partition.
  const Trained trained = TrainOn(kTelco, "churn", {{"rounds", "25"}, {"max_depth", "6"}, {"max_cat_to_onehot", "1"}, {"categorical_encoding", "native"}});
  ASSERT_TRUE(HasCategoricalSplit(trained.result.booster_json));
  ExpectSameBits(trained);
  ExpectSameBits(trained.result.booster_json, WithHoles(trained.matrix, 3), trained.rows, trained.width,
                 trained.result.pipeline.encoded_types());
}

TEST(TreeEvaluator, MissingValuesTakeTheDefaultBranchAsInXGBoost) {
  const Trained& trained = BankHist();
  ExpectSameBits(trained.result.booster_json, WithHoles(trained.matrix, 1), trained.rows, trained.width,
                 trained.result.pipeline.encoded_types());
  std::vector<float> all_missing(trained.width * 2, kNaN);
  ExpectSameBits(trained.result.booster_json, all_missing, 2, trained.width, trained.result.pipeline.encoded_types());
}

TEST(TreeEvaluator, UnseenAndOutOfRangeCategoryCodesGoWhereXGBoostSendsThem) {
  const Trained& trained = BankHist();
  const auto& types = trained.result.pipeline.encoded_types();
  const float codes[] = {0, 1, 2, 3.5f, 11, 12, 31, 32, 33, 63, 64, 100, 1000, 65535, 1e6f, -1, -0.5f, 16777216.0f, 3e7f};
  std::vector<float> matrix;
  size_t rows = 0;
  for (float code : codes) {
    for (size_t r = 0; r < 20; ++r) {
      const float* source = trained.matrix.data() + r * trained.width;
      for (size_t c = 0; c < trained.width; ++c) matrix.push_back(types[c] == "c" ? code : source[c]);
      ++rows;
    }
  }
  ExpectSameBits(trained.result.booster_json, matrix, rows, trained.width, types);
}

TEST(TreeEvaluator, MulticlassSoftprobMatchesXGBoost) {
  const Trained trained = TrainOn(kDiamonds, "cut", {{"rounds", "12"}, {"max_depth", "4"}});
  ASSERT_EQ(trained.result.target.labels.size(), 5u);
  auto evaluator = TreeEvaluator::Compile(trained.result.booster_json);
  ASSERT_TRUE(evaluator.ok());
  EXPECT_EQ(evaluator->groups(), 5u);
  EXPECT_EQ(evaluator->objective_name(), "multi:softprob");
  ExpectSameBits(trained);
  ExpectSameBits(trained.result.booster_json, WithHoles(trained.matrix, 2), trained.rows, trained.width,
                 trained.result.pipeline.encoded_types());
}

TEST(TreeEvaluator, RegressionMatchesXGBoost) {
  const Trained trained = TrainOn(kDiamonds, "price", {{"rounds", "30"}, {"max_depth", "6"}});
  EXPECT_EQ(TreeEvaluator::Compile(trained.result.booster_json)->objective_name(), "reg:squarederror");
  ExpectSameBits(trained);
}

TEST(TreeEvaluator, RandomForestMatchesXGBoost) {
  const Trained trained =
      TrainOn(kBank, "y", {{"booster", "forest"}, {"num_parallel_tree", "30"}, {"max_depth", "6"}}, {"duration"});
  ASSERT_NE(trained.result.booster_json.find("\"num_parallel_tree\":\"30\""), std::string::npos);
  ExpectSameBits(trained);
  ExpectSameBits(trained.result.booster_json, WithHoles(trained.matrix, 4), trained.rows, trained.width,
                 trained.result.pipeline.encoded_types());
}

TEST(TreeEvaluator, LinearBoosterMatchesXGBoost) {
  const Trained trained = TrainOn(kBank, "y", {{"booster", "gblinear"}, {"rounds", "20"}, {"eta", "0.5"}}, {"duration"});
  ExpectSameBits(trained);
  ExpectSameBits(trained.result.booster_json, WithHoles(trained.matrix, 5), trained.rows, trained.width,
                 trained.result.pipeline.encoded_types());
}

// Boosters and objectives the trainer does not produce, trained through the C API.
std::string TrainDirect(const Trained& data, const std::vector<float>& labels,
                        const std::vector<std::pair<std::string, std::string>>& params, int rounds) {
  auto dmatrix = DMatrix::FromDense(data.matrix.data(), data.rows, data.width, ColumnNames(data.width),
                                    data.result.pipeline.encoded_types(), 1);
  EXPECT_TRUE(dmatrix.ok());
  EXPECT_TRUE(dmatrix->SetLabels(labels).ok());
  auto booster = Booster::Create({&*dmatrix});
  EXPECT_TRUE(booster.ok());
  for (const auto& [name, value] : params) EXPECT_TRUE(booster->SetParam(name, value).ok()) << name;
  EXPECT_TRUE(booster->SetParam("nthread", "1").ok());
  for (int i = 0; i < rounds; ++i) EXPECT_TRUE(booster->UpdateOneIter(i, *dmatrix).ok());
  auto json = booster->SaveJson();
  EXPECT_TRUE(json.ok());
  return json.ok() ? *json : "";
}

std::vector<float> Column(const Trained& data, const std::string& name) {
  const int index = data.result.frame->Find(name);
  EXPECT_GE(index, 0) << name;
  if (index < 0) return std::vector<float>(data.rows, 0.0f);
  const FrameColumn& column = data.result.frame->columns[index];
  std::vector<float> out;
  for (size_t r = 0; r < data.rows; ++r) out.push_back(static_cast<float>(column.numbers[r]));
  return out;
}

TEST(TreeEvaluator, DartAndOtherObjectivesMatchXGBoost) {
  const Trained diamonds = TrainOn(kDiamonds, "carat", {{"rounds", "2"}});  // for its rows
  const std::vector<float> price = Column(diamonds, "price");
  std::vector<float> expensive, counts;
  for (float p : price) {
    expensive.push_back(p > 3000 ? 1.0f : 0.0f);
    counts.push_back(std::floor(p / 1000));
  }
  const auto& types = diamonds.result.pipeline.encoded_types();
  const std::vector<std::pair<std::string, std::string>> tree = {{"tree_method", "hist"}, {"max_depth", "4"}};
  struct Case {
    std::string name;
    std::vector<std::pair<std::string, std::string>> params;
    const std::vector<float>* labels;
  };
  const std::vector<Case> cases = {
      {"dart", {{"booster", "dart"}, {"rate_drop", "0.2"}, {"objective", "binary:logistic"}}, &expensive},
      {"logistic base_score", {{"objective", "binary:logistic"}, {"base_score", "0.3"}}, &expensive},
      {"logitraw", {{"objective", "binary:logitraw"}, {"base_score", "0.7"}}, &expensive},
      {"reg:logistic", {{"objective", "reg:logistic"}, {"base_score", "0.3"}}, &expensive},
      {"poisson", {{"objective", "count:poisson"}, {"base_score", "2.5"}}, &counts},
      {"gamma", {{"objective", "reg:gamma"}}, &price},
      {"tweedie", {{"objective", "reg:tweedie"}}, &price},
      {"pseudohuber", {{"objective", "reg:pseudohubererror"}}, &price},
      {"absolute", {{"objective", "reg:absoluteerror"}}, &price},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto params = tree;
    params.insert(params.end(), c.params.begin(), c.params.end());
    const std::string json = TrainDirect(diamonds, *c.labels, params, 8);
    ExpectSameBits(json, diamonds.matrix, diamonds.rows, diamonds.width, types);
    ExpectSameBits(json, WithHoles(diamonds.matrix, 6), diamonds.rows, diamonds.width, types);
  }
}

TEST(TreeEvaluator, MultiSoftmaxGivesTheClassIndexAsXGBoost) {
  const Trained diamonds = TrainOn(kDiamonds, "carat", {{"rounds", "2"}});  // for its rows
  std::vector<float> band;
  for (float p : Column(diamonds, "price")) band.push_back(p < 1000 ? 0.0f : p < 4000 ? 1.0f : 2.0f);
  const std::string json =
      TrainDirect(diamonds, band, {{"objective", "multi:softmax"}, {"num_class", "3"}, {"max_depth", "3"}}, 6);
  auto evaluator = TreeEvaluator::Compile(json);
  ASSERT_TRUE(evaluator.ok());
  EXPECT_EQ(evaluator->outputs(), 1u);
  EXPECT_EQ(evaluator->groups(), 3u);
  ExpectSameBits(json, diamonds.matrix, diamonds.rows, diamonds.width, diamonds.result.pipeline.encoded_types());
}

TEST(TreeEvaluator, ModelsItCannotReproduceAreML006) {
  const std::string json = BankHist().result.booster_json;
  auto replace = [&](const std::string& from, const std::string& to) {
    std::string copy = json;
    const size_t at = copy.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) copy.replace(at, from.size(), to);
    return copy;
  };
  const std::vector<std::pair<std::string, std::string>> cases = {
      {replace("\"binary:logistic\"", "\"rank:pairwise\""), "objective 'rank:pairwise'"},
      {replace("\"name\":\"gbtree\"", "\"name\":\"gbforest\""), "booster 'gbforest'"},
      {replace("\"left_children\":[1", "\"left_children\":[0"), "invalid child"},
      {json.substr(0, json.size() / 2), "invalid JSON"},
      {"[]", "not a JSON object"},
      {"{\"learner\": {}}", "has no 'objective'"},
  };
  for (const auto& [text, message] : cases) {
    auto evaluator = TreeEvaluator::Compile(text);
    ASSERT_FALSE(evaluator.ok()) << message;
    EXPECT_EQ(evaluator.status().error_code(), "ML006");
    EXPECT_NE(evaluator.status().ToString().find(message), std::string::npos) << evaluator.status().ToString();
  }
}

// ---- the Predictor on top ----

Bundle ToBundle(const TrainResult& result) {
  Bundle bundle;
  bundle.booster_json = result.booster_json;
  bundle.pipeline = result.pipeline.ToJson();
  bundle.pipeline["format_version"] = kBundleFormatVersion;
  bundle.pipeline["target"] = result.target.ToJson();
  bundle.metrics = result.metrics;
  return bundle;
}

std::vector<nlohmann::json> RawRows(const Trained& trained, size_t count) {
  std::vector<nlohmann::json> rows;
  for (size_t r = 0; r < count; ++r) rows.push_back(RawRow(*trained.result.frame, r, trained.result.pipeline.inputs()));
  return rows;
}

TEST(Predictor, ServesValuesFromTheEvaluatorIdenticalToXGBoost) {
  const Trained& trained = BankHist();
  auto predictor = Predictor::FromBundle(ToBundle(trained.result));
  ASSERT_TRUE(predictor.ok()) << predictor.status().ToString();
  ASSERT_NE(predictor->evaluator(), nullptr) << predictor->evaluator_status().ToString();
  std::vector<nlohmann::json> rows = RawRows(trained, 200);
  rows.push_back({{"age", 41}, {"job", "astronaut"}, {"marital", nullptr}});  // unseen and missing
  auto fast = predictor->Predict(rows, false);
  auto reference = predictor->Predict(rows, true);  // contributions: through XGBoost
  ASSERT_TRUE(fast.ok() && reference.ok());
  for (size_t r = 0; r < rows.size(); ++r) {
    EXPECT_EQ(Bits(static_cast<float>((*fast)[r].value)), Bits(static_cast<float>((*reference)[r].value))) << r;
    EXPECT_EQ((*fast)[r].label, (*reference)[r].label) << r;
  }
}

TEST(Predictor, FallsBackToXGBoostForAModelTheEvaluatorCannotReproduce) {
  const Trained diamonds = TrainOn(kDiamonds, "price", {{"rounds", "2"}});
  Bundle bundle = ToBundle(diamonds.result);
  bundle.booster_json = TrainDirect(diamonds, Column(diamonds, "carat"), {{"objective", "survival:cox"}}, 3);
  auto predictor = Predictor::FromBundle(bundle);
  ASSERT_TRUE(predictor.ok()) << predictor.status().ToString();
  EXPECT_EQ(predictor->evaluator(), nullptr);
  EXPECT_EQ(predictor->evaluator_status().error_code(), "ML006");
  EXPECT_NE(predictor->evaluator_status().ToString().find("survival:cox"), std::string::npos);
  auto predicted = predictor->Predict(RawRows(diamonds, 5), false);
  ASSERT_TRUE(predicted.ok()) << predicted.status().ToString();
  EXPECT_EQ(predicted->size(), 5u);
}

TEST(Predictor, OnePredictorServesFourThreadsAtOnce) {
  const Trained& trained = BankHist();
  auto predictor = Predictor::FromBundle(ToBundle(trained.result));
  ASSERT_TRUE(predictor.ok());
  const std::vector<nlohmann::json> rows = RawRows(trained, 100);
  auto expected = predictor->Predict(rows, false);
  ASSERT_TRUE(expected.ok());
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 20; ++round) {
        // Threads 2 and 3 also take the XGBoost path (contributions) now and then.
        const bool explain = t >= 2 && round % 5 == 0;
        for (size_t r = 0; r < rows.size(); r += 7) {
          auto one = predictor->Predict({rows[r]}, explain);
          if (!one.ok() || Bits(static_cast<float>((*one)[0].value)) != Bits(static_cast<float>((*expected)[r].value))) {
            ++mismatches[t];
          }
        }
        auto all = predictor->PredictEncoded(trained.matrix, 10);
        if (!all.ok() || all->size() != 10) ++mismatches[t];
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(mismatches, std::vector<int>(4, 0));
}

}  // namespace
}  // namespace refinery::ml
