#include "ml/feature_pipeline.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

namespace refinery::ml {
namespace {

constexpr float kMissing = std::numeric_limits<float>::quiet_NaN();

template <typename Enum>
Result<Enum> ParseName(const std::string& name, const char* what, const std::vector<std::pair<const char*, Enum>>& table) {
  std::string list;
  for (const auto& [text, value] : table) {
    if (name == text) return value;
    list += (list.empty() ? "" : ", ") + std::string(text);
  }
  return Status::InvalidArgument("unknown " + std::string(what) + " [" + name + "]; valid: " + list, kBadSpecCode);
}

const std::vector<std::pair<const char*, FeatureType>> kTypes = {{"numeric", FeatureType::kNumeric},
                                                                 {"categorical", FeatureType::kCategorical}};
const std::vector<std::pair<const char*, MissingStrategy>> kStrategies = {
    {"native", MissingStrategy::kNative}, {"mean", MissingStrategy::kMean},        {"median", MissingStrategy::kMedian},
    {"mode", MissingStrategy::kMode},     {"constant", MissingStrategy::kConstant}};
const std::vector<std::pair<const char*, UnseenPolicy>> kPolicies = {
    {"missing", UnseenPolicy::kMissing}, {"rare", UnseenPolicy::kRare}, {"error", UnseenPolicy::kError}};
const std::vector<std::pair<const char*, CategoricalEncoding>> kEncodings = {
    {"native", CategoricalEncoding::kNative}, {"ordered", CategoricalEncoding::kOrdered},
    {"one-hot", CategoricalEncoding::kOneHot}};

template <typename Enum>
const char* NameOf(Enum value, const std::vector<std::pair<const char*, Enum>>& table) {
  for (const auto& [text, v] : table) {
    if (v == value) return text;
  }
  return "?";
}

const ColumnSpec* FindOverride(const std::vector<ColumnSpec>& overrides, const std::string& name) {
  for (const ColumnSpec& spec : overrides) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

Status FitNumeric(const FrameColumn& column, const std::vector<uint32_t>& rows, const ColumnSpec* spec, Feature* f) {
  std::vector<double> present;
  present.reserve(rows.size());
  for (uint32_t row : rows) {
    const double v = column.numbers[row];
    if (v == v) present.push_back(v);
  }
  f->nulls = static_cast<int64_t>(rows.size() - present.size());
  if (present.empty()) return Status::Ok();
  auto [lo, hi] = std::minmax_element(present.begin(), present.end());
  f->min = *lo;
  f->max = *hi;
  switch (f->missing) {
    case MissingStrategy::kNative: break;
    case MissingStrategy::kMean: {
      double sum = 0;
      for (double v : present) sum += v;
      f->fill = sum / static_cast<double>(present.size());
      break;
    }
    case MissingStrategy::kMedian: {
      auto middle = present.begin() + static_cast<std::ptrdiff_t>(present.size() / 2);
      std::nth_element(present.begin(), middle, present.end());
      f->fill = *middle;
      break;
    }
    case MissingStrategy::kMode: {
      std::map<double, int64_t> counts;
      for (double v : present) ++counts[v];
      f->fill = std::max_element(counts.begin(), counts.end(), [](auto& a, auto& b) { return a.second < b.second; })->first;
      break;
    }
    case MissingStrategy::kConstant:
      if (!ParseNumber(spec->constant, &f->fill)) {
        return Status::InvalidArgument("column '" + f->name + "': constant fill value [" + spec->constant +
                                           "] is not a number",
                                       kBadSpecCode);
      }
      break;
  }
  return Status::Ok();
}

void FitCategories(const FrameColumn& column, const std::vector<uint32_t>& rows, int max_categories, Feature* f) {
  std::vector<int64_t> counts(column.dictionary.size(), 0);
  for (uint32_t row : rows) {
    const int32_t code = column.codes[row];
    if (code < 0) {
      ++f->nulls;
    } else {
      ++counts[code];
    }
  }
  std::vector<int32_t> order;
  for (size_t code = 0; code < counts.size(); ++code) {
    if (counts[code] > 0) order.push_back(static_cast<int32_t>(code));
  }
  // Most frequent first; ties by value, so the order does not depend on row order.
  std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
    if (counts[a] != counts[b]) return counts[a] > counts[b];
    return column.dictionary[a] < column.dictionary[b];
  });
  const size_t limit = static_cast<size_t>(std::max(max_categories, 2));
  f->rare_bucket = order.size() > limit || f->unseen == UnseenPolicy::kRare;
  const size_t kept = std::min(order.size(), f->rare_bucket ? limit - 1 : limit);
  for (size_t i = 0; i < kept; ++i) f->categories.push_back(column.dictionary[order[i]]);
  if (f->rare_bucket) f->categories.push_back(kRareCategory);
}

Result<Feature> FitFeature(const Frame& frame, const std::vector<uint32_t>& rows, const std::string& name,
                           bool derived, const ColumnSpec* spec) {
  const int index = frame.Find(name);
  if (index < 0) return Status::Internal("feature '" + name + "' is not in the frame");
  const FrameColumn& column = frame.columns[index];
  Feature f;
  f.name = name;
  f.derived = derived;
  f.type = column.numeric ? FeatureType::kNumeric : FeatureType::kCategorical;
  if (spec != nullptr) {
    f.missing = spec->missing;
    f.unseen = spec->unseen;
    if (spec->type && *spec->type != f.type) {
      return Status::InvalidArgument("column '" + name + "' is declared " + FeatureTypeName(*spec->type) +
                                         " but its values are " + (column.numeric ? "numbers" : "text") +
                                         (derived ? "; change the expression or the declaration" : ""),
                                     kBadSpecCode);
    }
  }
  if (f.type == FeatureType::kNumeric) {
    REFINERY_RETURN_IF_ERROR(FitNumeric(column, rows, spec, &f));
    return f;
  }
  const int max_categories = spec != nullptr && spec->max_categories > 0 ? spec->max_categories : kDefaultMaxCategories;
  FitCategories(column, rows, max_categories, &f);
  if (f.categories.empty() && !f.rare_bucket) f.categories.push_back(kRareCategory);  // all null: keep one code
  if (f.missing == MissingStrategy::kMean || f.missing == MissingStrategy::kMedian) {
    return Status::InvalidArgument("column '" + name + "' is categorical; missing=\"" + MissingStrategyName(f.missing) +
                                       "\" applies to numbers only (use native, mode or constant)",
                                   kBadSpecCode);
  }
  if (f.missing == MissingStrategy::kMode) f.fill = 0;  // categories are ordered by frequency
  if (f.missing == MissingStrategy::kConstant) {
    auto found = std::find(f.categories.begin(), f.categories.end(), spec->constant);
    if (found == f.categories.end()) found = f.categories.insert(f.categories.end() - (f.rare_bucket ? 1 : 0), spec->constant);
    f.fill = static_cast<double>(found - f.categories.begin());
  }
  return f;
}

// Weight of the overall mean in a category's smoothed mean, in rows: a
// category seen a handful of times is ordered near the middle, not at an end.
constexpr double kOrderingPriorRows = 10;

// Renumbers the categories of `f` by the mean label of their training rows
// (smoothed toward the overall mean), lowest first; ties keep frequency
// order. The fill code follows its category.
void OrderCategoriesByTarget(const FrameColumn& column, const std::vector<uint32_t>& rows,
                             const std::vector<float>& labels, Feature* f) {
  const size_t n = f->categories.size();
  std::unordered_map<std::string, size_t> position;
  for (size_t c = 0; c < n; ++c) position.emplace(f->categories[c], c);
  const auto rare = position.find(kRareCategory);
  // The code each dictionary entry encodes to; -1 = missing.
  std::vector<int64_t> code_of(column.dictionary.size(), -1);
  for (size_t d = 0; d < column.dictionary.size(); ++d) {
    const auto found = position.find(column.dictionary[d]);
    if (found != position.end()) {
      code_of[d] = static_cast<int64_t>(found->second);
    } else if (rare != position.end()) {
      code_of[d] = static_cast<int64_t>(rare->second);
    }
  }
  const int64_t null_code = f->missing == MissingStrategy::kNative ? -1 : static_cast<int64_t>(f->fill);
  std::vector<double> sum(n, 0), count(n, 0);
  double total = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    const int32_t d = column.codes[rows[i]];
    const int64_t code = d < 0 ? null_code : code_of[d];
    total += labels[i];
    if (code < 0) continue;
    sum[code] += labels[i];
    count[code] += 1;
  }
  const double overall = rows.empty() ? 0 : total / static_cast<double>(rows.size());
  std::vector<double> mean(n);
  for (size_t c = 0; c < n; ++c) mean[c] = (sum[c] + kOrderingPriorRows * overall) / (count[c] + kOrderingPriorRows);
  std::vector<size_t> order(n);
  for (size_t c = 0; c < n; ++c) order[c] = c;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return mean[a] < mean[b]; });
  std::vector<std::string> sorted;
  double fill = f->fill;
  for (size_t c = 0; c < n; ++c) {
    sorted.push_back(std::move(f->categories[order[c]]));
    if (f->missing != MissingStrategy::kNative && static_cast<double>(order[c]) == f->fill) fill = static_cast<double>(c);
  }
  f->categories = std::move(sorted);
  f->fill = fill;
}

nlohmann::json FeatureToJson(const Feature& f) {
  nlohmann::json j = {{"name", f.name},
                      {"source", f.derived ? "derived" : "input"},
                      {"type", FeatureTypeName(f.type)},
                      {"missing", MissingStrategyName(f.missing)},
                      {"nulls_in_training", f.nulls}};
  if (f.missing != MissingStrategy::kNative) j["fill"] = f.fill;
  if (f.type == FeatureType::kNumeric) {
    j["range"] = {f.min, f.max};
  } else {
    j["unseen"] = UnseenPolicyName(f.unseen);
    j["rare_bucket"] = f.rare_bucket;
    j["categories"] = f.categories;
  }
  return j;
}

Result<Feature> FeatureFromJson(const nlohmann::json& j) {
  Feature f;
  f.name = j.at("name").get<std::string>();
  f.derived = j.at("source").get<std::string>() == "derived";
  REFINERY_ASSIGN_OR_RETURN(f.type, ParseFeatureType(j.at("type").get<std::string>()));
  REFINERY_ASSIGN_OR_RETURN(f.missing, ParseMissingStrategy(j.at("missing").get<std::string>()));
  f.nulls = j.at("nulls_in_training").get<int64_t>();
  if (j.contains("fill")) f.fill = j.at("fill").get<double>();
  if (f.type == FeatureType::kNumeric) {
    f.min = j.at("range").at(0).get<double>();
    f.max = j.at("range").at(1).get<double>();
    return f;
  }
  REFINERY_ASSIGN_OR_RETURN(f.unseen, ParseUnseenPolicy(j.at("unseen").get<std::string>()));
  f.rare_bucket = j.at("rare_bucket").get<bool>();
  f.categories = j.at("categories").get<std::vector<std::string>>();
  return f;
}

}  // namespace

Result<Value> ReadInputCell(const InputColumn& input, const nlohmann::json& cell) {
  if (cell.is_null()) return Value::Null();
  if (cell.is_boolean()) return input.numeric ? Value::Number(cell.get<bool>() ? 1 : 0) : Value::Text(cell.get<bool>() ? "true" : "false");
  if (cell.is_number()) {
    const double number = cell.get<double>();
    return input.numeric ? Value::Number(number) : Value::Text(FormatNumber(number));
  }
  if (!cell.is_string()) {
    return Status::InvalidArgument("field '" + input.name + "': expected a number or text, got " + cell.dump(),
                                   kBadInputRowCode);
  }
  const std::string& text = cell.get_ref<const std::string&>();
  if (text.empty()) return Value::Null();
  if (!input.numeric) return Value::Text(text);
  double number = 0;
  if (ParseNumber(text, &number)) return Value::Number(number);
  return Status::InvalidArgument("field '" + input.name + "': [" + text + "] is not a number", kBadInputRowCode);
}


const char* FeatureTypeName(FeatureType type) { return NameOf(type, kTypes); }
const char* MissingStrategyName(MissingStrategy strategy) { return NameOf(strategy, kStrategies); }
const char* UnseenPolicyName(UnseenPolicy policy) { return NameOf(policy, kPolicies); }
const char* CategoricalEncodingName(CategoricalEncoding encoding) { return NameOf(encoding, kEncodings); }
Result<FeatureType> ParseFeatureType(const std::string& name) { return ParseName(name, "column type", kTypes); }
Result<MissingStrategy> ParseMissingStrategy(const std::string& name) {
  return ParseName(name, "missing-value strategy", kStrategies);
}
Result<UnseenPolicy> ParseUnseenPolicy(const std::string& name) {
  return ParseName(name, "unseen-category policy", kPolicies);
}
Result<CategoricalEncoding> ParseCategoricalEncoding(const std::string& name) {
  return ParseName(name, "categorical encoding", kEncodings);
}

Result<FeaturePipeline> FeaturePipeline::Fit(const Frame& frame, const std::vector<uint32_t>& rows,
                                             const std::vector<InputColumn>& inputs,
                                             const std::vector<DerivedSpec>& derived,
                                             const std::vector<std::string>& features,
                                             const std::vector<ColumnSpec>& overrides, CategoricalEncoding encoding,
                                             const std::vector<float>* labels) {
  if (encoding == CategoricalEncoding::kOrdered && (labels == nullptr || labels->size() != rows.size())) {
    return Status::Internal("ordered categories need one label per training row");
  }
  FeaturePipeline pipeline;
  pipeline.inputs_ = inputs;
  pipeline.derived_ = derived;
  pipeline.encoding_ = encoding;
  for (const std::string& name : features) {
    const bool is_derived = std::any_of(derived.begin(), derived.end(), [&](const DerivedSpec& d) { return d.name == name; });
    REFINERY_ASSIGN_OR_RETURN(Feature feature, FitFeature(frame, rows, name, is_derived, FindOverride(overrides, name)));
    if (feature.type == FeatureType::kCategorical && encoding == CategoricalEncoding::kOrdered) {
      OrderCategoriesByTarget(frame.columns[frame.Find(name)], rows, *labels, &feature);
    }
    pipeline.features_.push_back(std::move(feature));
  }
  REFINERY_RETURN_IF_ERROR(pipeline.BuildLayout());
  return pipeline;
}

Status FeaturePipeline::BuildLayout() {
  std::vector<std::string> names;
  for (const InputColumn& input : inputs_) names.push_back(input.name);
  auto index_of = [&names](const std::string& name) {
    return static_cast<int>(std::find(names.begin(), names.end(), name) - names.begin());
  };
  for (const DerivedSpec& spec : derived_) {
    REFINERY_ASSIGN_OR_RETURN(Expression expression, Expression::Parse(spec.expression));
    std::vector<int> sources;
    for (const std::string& column : expression.columns()) {
      const int index = index_of(column);
      if (index == static_cast<int>(names.size())) {
        return Status::InvalidArgument("derived feature '" + spec.name + "': unknown column '" + column + "'",
                                       kBadExpressionCode);
      }
      sources.push_back(index);
    }
    derived_sources_.push_back(std::move(sources));
    expressions_.push_back(std::move(expression));
    names.push_back(spec.name);
  }
  for (size_t i = 0; i < features_.size(); ++i) {
    const Feature& f = features_[i];
    const int source = index_of(f.name);
    if (source == static_cast<int>(names.size())) {
      return Status::InvalidArgument("feature '" + f.name + "' is neither an input nor a derived column", kBadSpecCode);
    }
    feature_source_.push_back(source);
    offset_.push_back(encoded_names_.size());
    std::unordered_map<std::string, int> index;
    for (size_t c = 0; c < f.categories.size(); ++c) index.emplace(f.categories[c], static_cast<int>(c));
    const auto rare = index.find(kRareCategory);
    rare_code_.push_back(f.rare_bucket && rare != index.end() ? rare->second : -1);
    category_index_.push_back(std::move(index));
    if (f.type == FeatureType::kCategorical && encoding_ == CategoricalEncoding::kOneHot) {
      for (const std::string& category : f.categories) {
        encoded_names_.push_back(f.name + "=" + category);
        encoded_types_.push_back("q");
        encoded_feature_.push_back(static_cast<int>(i));
      }
      continue;
    }
    encoded_names_.push_back(f.name);
    encoded_types_.push_back(f.type == FeatureType::kCategorical && encoding_ == CategoricalEncoding::kNative ? "c" : "q");
    encoded_feature_.push_back(static_cast<int>(i));
  }
  return Status::Ok();
}

float FeaturePipeline::EncodeNumber(const Feature& feature, double value) const {
  if (value != value && feature.missing != MissingStrategy::kNative) value = feature.fill;
  return static_cast<float>(value);
}

float FeaturePipeline::EncodeCategory(const Feature& feature, const Value& value, bool* unseen_error) const {
  if (value.is_null()) return feature.missing == MissingStrategy::kNative ? kMissing : static_cast<float>(feature.fill);
  const auto& codes = category_index_[static_cast<size_t>(&feature - features_.data())];
  const auto found = codes.find(value.is_text() ? value.text : FormatNumber(value.number));
  if (found != codes.end()) return static_cast<float>(found->second);
  // Outside the kept categories: the rare bucket when there is one.
  const int rare = rare_code_[static_cast<size_t>(&feature - features_.data())];
  if (rare >= 0) return static_cast<float>(rare);
  if (feature.unseen == UnseenPolicy::kError) *unseen_error = true;
  return kMissing;
}

void FeaturePipeline::Write(const Feature& feature, float code, float* out) const {
  if (feature.type == FeatureType::kNumeric || encoding_ != CategoricalEncoding::kOneHot) {
    *out = code;
    return;
  }
  for (size_t c = 0; c < feature.categories.size(); ++c) out[c] = 0;
  if (code == code) out[static_cast<size_t>(code)] = 1;
}

void FeaturePipeline::EncodeFrame(const Frame& frame, const std::vector<uint32_t>& rows, float* out) const {
  const size_t width = this->width();
  bool unused = false;
  for (size_t i = 0; i < features_.size(); ++i) {
    const Feature& feature = features_[i];
    const FrameColumn& column = frame.columns[frame.Find(feature.name)];
    float* base = out + offset_[i];
    if (feature.type == FeatureType::kNumeric) {
      for (size_t r = 0; r < rows.size(); ++r) Write(feature, EncodeNumber(feature, column.numbers[rows[r]]), base + r * width);
      continue;
    }
    // One lookup per distinct value instead of one per row.
    std::vector<float> codes(column.dictionary.size());
    for (size_t c = 0; c < codes.size(); ++c) codes[c] = EncodeCategory(feature, Value::Text(column.dictionary[c]), &unused);
    const float null_code = EncodeCategory(feature, Value::Null(), &unused);
    for (size_t r = 0; r < rows.size(); ++r) {
      const int32_t code = column.codes[rows[r]];
      Write(feature, code < 0 ? null_code : codes[code], base + r * width);
    }
  }
}

Status FeaturePipeline::EncodeRow(const nlohmann::json& row, float* out) const {
  if (!row.is_object()) {
    return Status::InvalidArgument("an input row must be a JSON object keyed by column name, got " + row.dump(),
                                   kBadInputRowCode);
  }
  std::vector<Value> values;
  values.reserve(inputs_.size() + derived_.size());
  for (const InputColumn& input : inputs_) {
    const auto cell = row.find(input.name);
    if (cell == row.end()) {
      values.push_back(Value::Null());
      continue;
    }
    REFINERY_ASSIGN_OR_RETURN(Value value, ReadInputCell(input, *cell));
    values.push_back(std::move(value));
  }
  std::vector<Value> arguments;
  for (size_t d = 0; d < expressions_.size(); ++d) {
    arguments.clear();
    for (int source : derived_sources_[d]) arguments.push_back(values[source]);
    values.push_back(expressions_[d].Evaluate(arguments.data()));
  }
  for (size_t i = 0; i < features_.size(); ++i) {
    const Feature& feature = features_[i];
    const Value& value = values[feature_source_[i]];
    if (feature.type == FeatureType::kNumeric) {
      double number = std::numeric_limits<double>::quiet_NaN();
      if (value.is_number() || (value.is_text() && ParseNumber(value.text, &number))) {
        number = value.is_number() ? value.number : number;
      }
      Write(feature, EncodeNumber(feature, number), out + offset_[i]);
      continue;
    }
    bool unseen = false;
    const float code = EncodeCategory(feature, value, &unseen);
    if (unseen) {
      return Status::InvalidArgument("field '" + feature.name + "': category [" + value.text +
                                         "] was never seen in training (unseen=\"error\")",
                                     kBadInputRowCode);
    }
    Write(feature, code, out + offset_[i]);
  }
  return Status::Ok();
}

nlohmann::json FeaturePipeline::ToJson() const {
  nlohmann::json inputs = nlohmann::json::array();
  for (const InputColumn& input : inputs_) inputs.push_back({{"name", input.name}, {"type", input.numeric ? "numeric" : "text"}});
  nlohmann::json transforms = nlohmann::json::array();
  for (const DerivedSpec& d : derived_) transforms.push_back({{"step", "derive"}, {"name", d.name}, {"expression", d.expression}});
  nlohmann::json features = nlohmann::json::array();
  for (const Feature& f : features_) features.push_back(FeatureToJson(f));
  transforms.push_back({{"step", "encode"}, {"categorical", CategoricalEncodingName(encoding_)}, {"features", features}});
  return {{"inputs", inputs}, {"transforms", transforms}, {"encoded_columns", encoded_names_}};
}

Result<FeaturePipeline> FeaturePipeline::FromJson(const nlohmann::json& json) {
  FeaturePipeline pipeline;
  try {
    for (const auto& input : json.at("inputs")) {
      pipeline.inputs_.push_back({input.at("name").get<std::string>(), input.at("type").get<std::string>() == "numeric"});
    }
    for (const auto& step : json.at("transforms")) {
      const std::string kind = step.at("step").get<std::string>();
      if (kind == "derive") {
        pipeline.derived_.push_back({step.at("name").get<std::string>(), step.at("expression").get<std::string>()});
        continue;
      }
      if (kind != "encode") return Status::InvalidArgument("unknown pipeline step [" + kind + "]", kBadSpecCode);
      REFINERY_ASSIGN_OR_RETURN(pipeline.encoding_, ParseCategoricalEncoding(step.at("categorical").get<std::string>()));
      for (const auto& feature : step.at("features")) {
        REFINERY_ASSIGN_OR_RETURN(Feature f, FeatureFromJson(feature));
        pipeline.features_.push_back(std::move(f));
      }
    }
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument(std::string("feature pipeline JSON: ") + e.what(), kBadSpecCode);
  }
  REFINERY_RETURN_IF_ERROR(pipeline.BuildLayout());
  return pipeline;
}

}  // namespace refinery::ml
