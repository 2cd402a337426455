#include "ml/trainer.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <thread>

#include "ml/metrics.h"
#include "ml/params.h"
#include "ml/trainer_internal.h"
#include "ml/xgboost_booster.h"

namespace refinery::ml {
namespace {

using Params = std::map<std::string, std::string>;

std::string List(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

Status NoSuchColumn(const Frame& frame, const std::string& what, const std::string& name) {
  return Status::InvalidArgument(what + " '" + name + "' is not a column of the input; columns: " +
                                     List(frame.ColumnNames()),
                                 what == "target" ? kTrainDataCode : kBadSpecCode);
}

FrameOptions LoadOptions(const TrainSpec& spec, TrainObserver* observer) {
  FrameOptions options;
  options.force_text.insert(spec.target);
  for (const ColumnSpec& column : spec.columns) {
    if (!column.type) continue;
    (*column.type == FeatureType::kCategorical ? options.force_text : options.force_numeric).insert(column.name);
  }
  options.cancelled = [observer] { return observer->Cancelled(); };
  options.log = [observer](const std::string& line) { observer->OnLog(line); };
  return options;
}

Status CheckNames(const Frame& frame, const TrainSpec& spec) {
  if (frame.Find(spec.target) < 0) return NoSuchColumn(frame, "target", spec.target);
  for (const std::string& name : spec.exclude) {
    if (frame.Find(name) < 0) return NoSuchColumn(frame, "excluded column", name);
  }
  for (const ColumnSpec& column : spec.columns) {
    if (frame.Find(column.name) < 0) return NoSuchColumn(frame, "column", column.name);
  }
  return Status::Ok();
}

bool CopiesTarget(const FrameColumn& feature, const FrameColumn& target, const internal::LabeledRows& labeled) {
  for (size_t i = 0; i < labeled.rows.size(); ++i) {
    const uint32_t row = labeled.rows[i];
    const Value v = feature.At(row);
    if (v.is_null()) return false;
    const std::string& label = target.dictionary[target.codes[row]];
    const bool same_text = (v.is_text() ? v.text : FormatNumber(v.number)) == label;
    const bool same_code = v.is_number() && labeled.target.task != Task::kRegression && v.number == labeled.labels[i];
    if (!same_text && !same_code) return false;
  }
  return true;
}

Result<std::vector<std::string>> ChooseFeatures(const Frame& frame, const TrainSpec& spec,
                                                const internal::LabeledRows& labeled) {
  std::vector<std::string> features;
  const FrameColumn& target = frame.columns[frame.Find(spec.target)];
  for (const FrameColumn& column : frame.columns) {
    if (column.name == spec.target) continue;
    if (std::find(spec.exclude.begin(), spec.exclude.end(), column.name) != spec.exclude.end()) continue;
    if (column.nulls == static_cast<int64_t>(frame.rows)) {
      return Status::InvalidArgument("column '" + column.name + "' is null in every row; add it to <exclude>",
                                     kTrainDataCode);
    }
    if (CopiesTarget(column, target, labeled)) {
      return Status::InvalidArgument("column '" + column.name + "' is an exact copy of the target '" + spec.target +
                                         "' (a leak); add it to <exclude>",
                                     kTrainDataCode);
    }
    features.push_back(column.name);
  }
  if (features.empty()) {
    return Status::InvalidArgument("no feature columns are left after excluding the target and <exclude>",
                                   kTrainDataCode);
  }
  return features;
}

// Raw columns a caller must supply: input features and what derived
// expressions read, in input order.
std::vector<InputColumn> InputColumns(const Frame& frame, size_t raw_columns, const std::vector<std::string>& features,
                                      const std::vector<Expression>& expressions) {
  std::set<std::string> needed(features.begin(), features.end());
  for (const Expression& e : expressions) needed.insert(e.columns().begin(), e.columns().end());
  std::vector<InputColumn> inputs;
  for (size_t i = 0; i < raw_columns; ++i) {
    if (needed.count(frame.columns[i].name) > 0) inputs.push_back({frame.columns[i].name, frame.columns[i].numeric});
  }
  return inputs;
}

int Threads(const Params& params) {
  const int asked = std::stoi(params.at("nthread"));
  if (asked > 0) return asked;
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

// The XGBoost parameters for the declared ones.
std::vector<std::pair<std::string, std::string>> BoosterParams(const Params& p, const Params& given,
                                                               const internal::LabeledRows& labeled) {
  std::vector<std::pair<std::string, std::string>> out;
  switch (labeled.target.task) {
    case Task::kBinary: out = {{"objective", "binary:logistic"}, {"eval_metric", "auc"}}; break;
    case Task::kMulticlass:
      out = {{"objective", "multi:softprob"}, {"eval_metric", "mlogloss"},
             {"num_class", std::to_string(labeled.target.labels.size())}};
      break;
    default: out = {{"objective", "reg:squarederror"}, {"eval_metric", "rmse"}}; break;
  }
  out.push_back({"nthread", std::to_string(Threads(p))});
  out.push_back({"seed", p.at("seed")});
  out.push_back({"verbosity", "0"});
  const std::string& booster = p.at("booster");
  if (booster == "gblinear") {
    // Coordinate descent is deterministic whatever the thread count (shotgun is not).
    out.insert(out.end(), {{"booster", "gblinear"}, {"updater", "coord_descent"}, {"eta", p.at("eta")},
                           {"lambda", p.at("lambda")}, {"alpha", p.at("alpha")}});
    return out;
  }
  const bool forest = booster == "forest";
  auto value = [&](const std::string& name, const std::string& forest_default) {
    return forest && given.count(name) == 0 ? forest_default : p.at(name);
  };
  out.insert(out.end(), {{"booster", "gbtree"},
                         {"tree_method", "hist"},
                         {"max_depth", p.at("max_depth")},
                         {"eta", value("eta", "1")},
                         {"min_child_weight", p.at("min_child_weight")},
                         {"gamma", p.at("gamma")},
                         {"subsample", value("subsample", "0.8")},
                         {"colsample_bynode", value("colsample_bynode", "0.8")},
                         {"lambda", p.at("lambda")},
                         {"alpha", p.at("alpha")},
                         {"max_bin", p.at("max_bin")},
                         {"max_cat_to_onehot", p.at("max_cat_to_onehot")},
                         {"num_parallel_tree", value("num_parallel_tree", "100")}});
  if (labeled.target.task == Task::kBinary) out.push_back({"scale_pos_weight", p.at("scale_pos_weight")});
  return out;
}

struct Split {
  std::vector<uint32_t> rows;
  std::vector<float> labels;
};

Split Gather(const internal::LabeledRows& labeled, const std::vector<size_t>& indices) {
  Split split;
  for (size_t i : indices) {
    split.rows.push_back(labeled.rows[i]);
    split.labels.push_back(labeled.labels[i]);
  }
  return split;
}

Result<DMatrix> Encode(const FeaturePipeline& pipeline, const Frame& frame, const Split& split, int threads) {
  std::vector<float> matrix(split.rows.size() * pipeline.width());
  pipeline.EncodeFrame(frame, split.rows, matrix.data());
  std::vector<std::string> names;
  for (size_t i = 0; i < pipeline.width(); ++i) names.push_back("f" + std::to_string(i));
  REFINERY_ASSIGN_OR_RETURN(DMatrix dmatrix, DMatrix::FromDense(matrix.data(), split.rows.size(), pipeline.width(),
                                                               names, pipeline.encoded_types(), threads));
  REFINERY_RETURN_IF_ERROR(dmatrix.SetLabels(split.labels));
  return dmatrix;
}

double MetricValue(const std::string& evaluation) {
  const size_t colon = evaluation.find_last_of(':');
  return colon == std::string::npos ? std::nan("") : std::strtod(evaluation.c_str() + colon + 1, nullptr);
}

struct Boosted {
  Booster booster;
  int rounds = 0;
  int best_round = 0;
};

Result<Boosted> Boost(const Params& params, const Params& given, const internal::LabeledRows& labeled,
                      const DMatrix& train, const DMatrix& holdout, TrainObserver* observer) {
  REFINERY_ASSIGN_OR_RETURN(Booster booster, Booster::Create({&train, &holdout}));
  for (const auto& [name, value] : BoosterParams(params, given, labeled)) {
    REFINERY_RETURN_IF_ERROR(booster.SetParam(name, value));
  }
  const bool forest = params.at("booster") == "forest";
  const int rounds = forest && given.count("rounds") == 0 ? 1 : std::stoi(params.at("rounds"));
  const int patience = std::stoi(params.at("early_stopping_rounds"));
  const bool higher_is_better = labeled.target.task == Task::kBinary;
  double best = 0;
  int best_round = -1, done = 0;
  for (int round = 0; round < rounds; ++round) {
    if (observer->Cancelled()) return Status::Cancelled("training was cancelled after " + std::to_string(round) + " rounds");
    REFINERY_RETURN_IF_ERROR(booster.UpdateOneIter(round, train));
    ++done;
    // Evaluating costs a pass (and for AUC a sort) over the rows, so the
    // holdout is evaluated every 10th round unless early stopping needs
    // every round, and the training rows only at the end.
    const bool last = round + 1 == rounds;
    if (patience == 0 && !last && (round + 1) % 10 != 0) {
      observer->OnRound(round + 1, rounds, "[" + std::to_string(round) + "]");
      continue;
    }
    std::vector<const DMatrix*> matrices = {&holdout};
    std::vector<std::string> names = {"holdout"};
    if (last) {
      matrices.insert(matrices.begin(), &train);
      names.insert(names.begin(), "train");
    }
    REFINERY_ASSIGN_OR_RETURN(std::string evaluation, booster.EvalOneIter(round, matrices, names));
    observer->OnRound(round + 1, rounds, evaluation);
    const double metric = MetricValue(evaluation);
    if (best_round < 0 || (higher_is_better ? metric > best : metric < best)) {
      best = metric;
      best_round = round;
    } else if (patience > 0 && round - best_round >= patience) {
      observer->OnLog("early stopping after round " + std::to_string(round + 1) + ": the best holdout metric " +
                      std::to_string(best) + " was at round " + std::to_string(best_round + 1));
      break;
    }
  }
  if (patience > 0 && best_round + 1 < done && params.at("booster") != "gblinear") {
    REFINERY_ASSIGN_OR_RETURN(booster, booster.Slice(0, best_round + 1));
  } else {
    best_round = done - 1;
  }
  return Boosted{std::move(booster), done, best_round};
}

nlohmann::json HoldoutMetrics(const TargetInfo& target, const std::vector<float>& labels,
                              const std::vector<float>& predictions, const Params& params) {
  switch (target.task) {
    case Task::kBinary: {
      std::optional<double> threshold;
      if (params.count("threshold") > 0) threshold = std::stod(params.at("threshold"));
      return ToJson(ComputeBinaryMetrics(labels, predictions, threshold));
    }
    case Task::kMulticlass:
      return ToJson(ComputeMulticlassMetrics(labels, predictions, static_cast<int>(target.labels.size())));
    default: return ToJson(ComputeRegressionMetrics(labels, predictions));
  }
}

Result<nlohmann::json> Importance(const Booster& booster, const FeaturePipeline& pipeline, bool linear) {
  nlohmann::json out = nlohmann::json::array();
  if (linear) return out;  // gain is defined for trees only
  REFINERY_ASSIGN_OR_RETURN(auto gain, booster.FeatureGain());
  std::vector<double> per_feature(pipeline.features().size(), 0);
  for (const auto& [name, value] : gain) {
    const size_t column = std::stoul(name.substr(1));
    if (column < pipeline.width()) per_feature[pipeline.encoded_feature()[column]] += value;
  }
  std::vector<size_t> order(per_feature.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return per_feature[a] > per_feature[b]; });
  for (size_t i : order) out.push_back({{"feature", pipeline.features()[i].name}, {"gain", per_feature[i]}});
  return out;
}

Status CheckEnoughRows(const internal::LabeledRows& labeled, const std::vector<size_t>& train,
                       const std::vector<size_t>& holdout, double fraction) {
  const std::string counts = std::to_string(labeled.rows.size()) + " rows with a target (" +
                             std::to_string(train.size()) + " to train, " + std::to_string(holdout.size()) +
                             " held out at holdout=" + FormatNumber(fraction) + ")";
  if (static_cast<int>(train.size()) < kMinTrainingRows || holdout.empty()) {
    return Status::InvalidArgument("too few rows: " + counts + "; need at least " + std::to_string(kMinTrainingRows) +
                                       " training rows and one holdout row",
                                   kTrainDataCode);
  }
  if (labeled.target.task != Task::kBinary) return Status::Ok();
  bool holdout_has[2] = {false, false};
  for (size_t i : holdout) holdout_has[labeled.labels[i] > 0.5f] = true;
  if (!holdout_has[0] || !holdout_has[1]) {
    return Status::InvalidArgument("too few rows: " + counts + "; the holdout lacks one of the classes, so AUC is "
                                   "undefined; add rows or raise holdout",
                                   kTrainDataCode);
  }
  return Status::Ok();
}

Result<CategoricalEncoding> ChooseEncoding(const Params& params, Task task) {
  const std::string& asked = params.at("categorical_encoding");
  const bool linear = params.at("booster") == "gblinear";
  if (asked == "auto") {
    if (linear) return CategoricalEncoding::kOneHot;
    return task == Task::kMulticlass ? CategoricalEncoding::kNative : CategoricalEncoding::kOrdered;
  }
  if (asked == "native" && linear) {
    return Status::InvalidArgument("parameter 'categorical_encoding': gblinear cannot split categories natively; "
                                   "use one-hot or ordered",
                                   kBadSpecCode);
  }
  if (asked == "ordered" && task == Task::kMulticlass) {
    return Status::InvalidArgument("parameter 'categorical_encoding': ordered needs a binary or numeric target "
                                   "(a class number has no order); use native or one-hot",
                                   kBadSpecCode);
  }
  return ParseCategoricalEncoding(asked);
}

}  // namespace

nlohmann::json RawRow(const Frame& frame, size_t row, const std::vector<InputColumn>& inputs) {
  nlohmann::json out = nlohmann::json::object();
  for (const InputColumn& input : inputs) {
    const Value v = frame.columns[frame.Find(input.name)].At(row);
    if (v.is_null()) {
      out[input.name] = nullptr;
    } else if (v.is_number()) {
      out[input.name] = v.number;
    } else {
      out[input.name] = v.text;
    }
  }
  return out;
}

Result<TrainResult> Train(const TrainSpec& spec, TrainObserver* observer) {
  TrainObserver quiet;
  if (observer == nullptr) observer = &quiet;
  REFINERY_ASSIGN_OR_RETURN(Params params, ResolveParams(spec.params));
  std::vector<Expression> expressions;
  for (const DerivedSpec& d : spec.derived) {
    REFINERY_ASSIGN_OR_RETURN(Expression e, Expression::Parse(d.expression));
    expressions.push_back(std::move(e));
  }
  if (spec.inputs.empty() && spec.sources.empty()) return Status::InvalidArgument("no input dataset given", kBadSpecCode);
  FrameOptions load_options = LoadOptions(spec, observer);
  load_options.infer_numbers = !spec.sources.empty();
  REFINERY_ASSIGN_OR_RETURN(Frame loaded, spec.sources.empty() ? LoadFrame(spec.inputs, load_options)
                                                               : LoadFrame(spec.sources, load_options));
  auto frame = std::make_unique<Frame>(std::move(loaded));
  REFINERY_RETURN_IF_ERROR(CheckNames(*frame, spec));
  const size_t raw_columns = frame->columns.size();
  for (size_t i = 0; i < spec.derived.size(); ++i) {
    REFINERY_RETURN_IF_ERROR(AddDerivedColumn(frame.get(), spec.derived[i].name, expressions[i]));
  }
  REFINERY_ASSIGN_OR_RETURN(internal::LabeledRows labeled, internal::LabelRows(*frame, spec));
  if (labeled.dropped > 0) observer->OnLog("dropped " + std::to_string(labeled.dropped) + " rows without a target");
  REFINERY_ASSIGN_OR_RETURN(std::vector<std::string> features, ChooseFeatures(*frame, spec, labeled));

  const double fraction = std::stod(params.at("holdout"));
  std::vector<size_t> train_index, holdout_index;
  nlohmann::json validation;
  if (spec.time_split) {
    REFINERY_ASSIGN_OR_RETURN(const double cutoff, internal::SplitByTime(*frame, labeled, *spec.time_split, fraction,
                                                                         &train_index, &holdout_index));
    validation = {{"kind", "time"}, {"column", spec.time_split->column}, {"cutoff", cutoff}};
    if (!spec.time_split->cutoff.empty()) validation["cutoff_text"] = spec.time_split->cutoff;
    observer->OnLog("time split on '" + spec.time_split->column + "': rows after " +
                    (spec.time_split->cutoff.empty() ? FormatNumber(cutoff) : spec.time_split->cutoff) + " validate");
  } else {
    internal::SplitHoldout(labeled, fraction, std::stoull(params.at("seed")), &train_index, &holdout_index);
    validation = {{"kind", "holdout"}, {"fraction", fraction},
                  {"stratified", labeled.target.task != Task::kRegression}};
  }
  REFINERY_RETURN_IF_ERROR(CheckEnoughRows(labeled, train_index, holdout_index, fraction));
  const Split train = Gather(labeled, train_index), holdout = Gather(labeled, holdout_index);

  REFINERY_ASSIGN_OR_RETURN(const CategoricalEncoding encoding, ChooseEncoding(params, labeled.target.task));
  REFINERY_ASSIGN_OR_RETURN(FeaturePipeline pipeline,
                            FeaturePipeline::Fit(*frame, train.rows, InputColumns(*frame, raw_columns, features, expressions),
                                                 spec.derived, features, spec.columns, encoding, &train.labels));
  observer->OnLog("task " + std::string(TaskName(labeled.target.task)) + ", " + std::to_string(features.size()) +
                  " features (" + std::to_string(pipeline.width()) + " encoded columns), " +
                  std::to_string(train.rows.size()) + " training rows, " + std::to_string(holdout.rows.size()) +
                  " holdout rows");
  const int threads = Threads(params);
  REFINERY_ASSIGN_OR_RETURN(DMatrix train_matrix, Encode(pipeline, *frame, train, threads));
  REFINERY_ASSIGN_OR_RETURN(DMatrix holdout_matrix, Encode(pipeline, *frame, holdout, threads));
  REFINERY_ASSIGN_OR_RETURN(Boosted boosted,
                            Boost(params, spec.params, labeled, train_matrix, holdout_matrix, observer));
  REFINERY_ASSIGN_OR_RETURN(Prediction prediction, boosted.booster.Predict(holdout_matrix, PredictKind::kValue));

  TrainResult result;
  REFINERY_ASSIGN_OR_RETURN(result.booster_json, boosted.booster.SaveJson());
  result.metrics = HoldoutMetrics(labeled.target, holdout.labels, prediction.values, params);
  result.metrics["task"] = TaskName(labeled.target.task);
  result.metrics["rows"] = {{"train", train.rows.size()}, {"holdout", holdout.rows.size()},
                            {"dropped_without_target", labeled.dropped}};
  result.metrics["validation"] = validation;
  result.metrics["rounds"] = boosted.rounds;
  result.metrics["best_round"] = boosted.best_round + 1;
  REFINERY_ASSIGN_OR_RETURN(result.metrics["importance"], Importance(boosted.booster, pipeline, params.at("booster") == "gblinear"));
  for (const auto& [name, value] : params) result.params[name] = value;
  result.params["nthread"] = std::to_string(threads);
  result.pipeline = std::move(pipeline);
  result.target = labeled.target;
  result.inputs = frame->inputs;
  result.train_rows = static_cast<int64_t>(train.rows.size());
  result.holdout_rows = static_cast<int64_t>(holdout.rows.size());
  result.holdout = holdout.rows;
  result.holdout_predictions = std::move(prediction.values);
  if (spec.keep_frame) result.frame = std::move(frame);
  return result;
}

}  // namespace refinery::ml
