// The trainer: datasets + a declarative spec -> a fitted feature pipeline, an
// XGBoost booster trained on a holdout split, and the holdout metrics. It
// reads, prepares, encodes and trains in memory; the bundle (ml/bundle.h)
// persists what it returns.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "ml/feature_pipeline.h"
#include "ml/frame.h"

namespace refinery::ml {

inline constexpr char kTrainDataCode[] = "ML005";  // the data cannot train the model asked for
inline constexpr int kMinTrainingRows = 20;

enum class Task { kAuto, kBinary, kMulticlass, kRegression };
const char* TaskName(Task task);
Result<Task> ParseTask(const std::string& name);  // "binary", "multiclass", "regression", "" = auto

// Validation on time instead of a random holdout: rows whose `column` is
// after the cut-off validate, the others (and rows without a time) train.
struct TimeSplit {
  std::string column;
  std::string cutoff;  // a number or an ISO date/timestamp; "" = by `fraction`
  // Without a cut-off: the last `fraction` of the column's time range
  // (min + (1 - fraction) * (max - min)); < 0 = the holdout parameter.
  double fraction = -1;
};

struct TrainSpec {
  std::vector<std::string> inputs;  // local dataset directories or CSV files
  // Rows from elsewhere (a SQL preparation statement, a metastore table);
  // when not empty they are read instead of `inputs`, and text columns whose
  // values are all numbers become numeric.
  std::vector<RowSource> sources;
  std::optional<TimeSplit> time_split;
  std::string target;
  Task task = Task::kAuto;
  std::string positive_label;       // binary; "" = inferred
  std::vector<std::string> exclude;
  std::vector<ColumnSpec> columns;  // per-column overrides
  std::vector<DerivedSpec> derived;
  std::map<std::string, std::string> params;  // see TrainParams()
  bool keep_frame = false;          // keep the raw rows in the result (tests)
};

// What the trainer tells the world; every method has a quiet default.
class TrainObserver {
 public:
  virtual ~TrainObserver() = default;
  virtual void OnLog(const std::string& line) {}
  // After each boosting round; `evaluation` as XGBoost prints it.
  virtual void OnRound(int round, int rounds, const std::string& evaluation) {}
  // Polled between rounds (and while reading); true stops with Cancelled.
  virtual bool Cancelled() { return false; }
};

// The target as the model sees it.
struct TargetInfo {
  std::string name;
  Task task = Task::kBinary;
  std::vector<std::string> labels;  // classification: class index -> label ([negative, positive] for binary)
  nlohmann::json ToJson() const;
  static Result<TargetInfo> FromJson(const nlohmann::json& json);
};

struct TrainResult {
  std::string booster_json;  // XGBoost JSON model
  FeaturePipeline pipeline;
  TargetInfo target;
  nlohmann::json metrics;    // holdout metrics, importance, rounds
  nlohmann::json params;     // effective parameters
  std::vector<InputStats> inputs;
  int64_t train_rows = 0, holdout_rows = 0;
  // Frame rows of the holdout and the booster's output for them (binary:
  // probability; multiclass: rows × classes; regression: value).
  std::vector<uint32_t> holdout;
  std::vector<float> holdout_predictions;
  std::unique_ptr<Frame> frame;  // with keep_frame
};

// Errors: ML001 (bad spec: unknown parameter/column, out-of-range value),
// ML003 (unreadable data), ML005 (target missing or constant, all-null
// column, a feature that copies the target, too few rows), Cancelled.
Result<TrainResult> Train(const TrainSpec& spec, TrainObserver* observer);

// The raw row `row` of `frame` as the JSON object a predictor takes.
nlohmann::json RawRow(const Frame& frame, size_t row, const std::vector<InputColumn>& inputs);

}  // namespace refinery::ml
