// The feature pipeline: what turns a raw row into the float row XGBoost sees,
// fitted once on the training rows and then frozen into the bundle. Steps in
// order: parse each input by its schema type, evaluate derived expressions,
// then per feature impute (native/mean/median/mode/constant) and encode
// (numbers as floats; categories as codes, see CategoricalEncoding).
// Training and prediction both call EncodeNumber/EncodeCategory below, so
// they cannot disagree.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "ml/expression.h"
#include "ml/frame.h"
#include "ml/params.h"

namespace refinery::ml {

inline constexpr char kBadInputRowCode[] = "ML004";
inline constexpr char kRareCategory[] = "__rare__";

enum class FeatureType { kNumeric, kCategorical };
enum class MissingStrategy { kNative, kMean, kMedian, kMode, kConstant };
enum class UnseenPolicy { kMissing, kRare, kError };
// How categories reach the model. kOrdered numbers the categories by the
// training target's smoothed mean and lets the trees split the codes as
// numbers: for a binary or numeric target, sorting categories by mean target
// is how the best partition is found anyway, and XGBoost's numeric splits are
// several times cheaper than its native categorical ones. kNative keeps
// frequency-ordered codes for XGBoost's partition splits (multiclass needs
// it); kOneHot gives each category a 0/1 column (linear models).
enum class CategoricalEncoding { kNative, kOrdered, kOneHot };

const char* FeatureTypeName(FeatureType type);
const char* MissingStrategyName(MissingStrategy strategy);
const char* UnseenPolicyName(UnseenPolicy policy);
const char* CategoricalEncodingName(CategoricalEncoding encoding);
// InvalidArgument (ML001) listing the valid names.
Result<FeatureType> ParseFeatureType(const std::string& name);
Result<MissingStrategy> ParseMissingStrategy(const std::string& name);
Result<UnseenPolicy> ParseUnseenPolicy(const std::string& name);
Result<CategoricalEncoding> ParseCategoricalEncoding(const std::string& name);

// A per-column override as declared in the spec.
struct ColumnSpec {
  std::string name;
  std::optional<FeatureType> type;
  MissingStrategy missing = MissingStrategy::kNative;
  std::string constant;     // the fill value for kConstant
  int max_categories = 0;   // 0 = kDefaultMaxCategories
  UnseenPolicy unseen = UnseenPolicy::kMissing;
};
inline constexpr int kDefaultMaxCategories = 256;

struct DerivedSpec {
  std::string name;
  std::string expression;
};

// One fitted feature.
struct Feature {
  std::string name;
  bool derived = false;
  FeatureType type = FeatureType::kNumeric;
  MissingStrategy missing = MissingStrategy::kNative;
  UnseenPolicy unseen = UnseenPolicy::kMissing;
  double fill = 0;                      // numeric fill value / category code (when not native)
  std::vector<std::string> categories;  // code -> value (kRareCategory among them when bucketed)
  bool rare_bucket = false;
  double min = 0, max = 0;              // numeric range seen in training
  int64_t nulls = 0;                    // in the training rows
};

struct InputColumn {
  std::string name;
  bool numeric = true;
};

// A raw JSON cell read as `input`'s type, as EncodeRow reads it: null, ""
// and absent are null; booleans are 1/0 (numeric) or "true"/"false"; numbers
// become text shortest-first. ML004 naming the field for anything else.
Result<Value> ReadInputCell(const InputColumn& input, const nlohmann::json& cell);

class FeaturePipeline {
 public:
  // Fits on `rows` of `frame` (which already holds the derived columns).
  // `inputs` are the raw columns a caller must supply at prediction time.
  // kOrdered needs `labels` (parallel to `rows`: class 0/1 or the value).
  static Result<FeaturePipeline> Fit(const Frame& frame, const std::vector<uint32_t>& rows,
                                     const std::vector<InputColumn>& inputs, const std::vector<DerivedSpec>& derived,
                                     const std::vector<std::string>& features, const std::vector<ColumnSpec>& overrides,
                                     CategoricalEncoding encoding, const std::vector<float>* labels = nullptr);
  static Result<FeaturePipeline> FromJson(const nlohmann::json& json);
  nlohmann::json ToJson() const;

  const std::vector<InputColumn>& inputs() const { return inputs_; }
  const std::vector<Feature>& features() const { return features_; }
  CategoricalEncoding encoding() const { return encoding_; }
  // One entry per column of the encoded matrix.
  const std::vector<std::string>& encoded_names() const { return encoded_names_; }
  const std::vector<std::string>& encoded_types() const { return encoded_types_; }  // "q" / "c"
  const std::vector<int>& encoded_feature() const { return encoded_feature_; }    // -> features() index
  size_t width() const { return encoded_names_.size(); }

  // Encodes `rows` of the training frame into out[rows.size() × width()].
  void EncodeFrame(const Frame& frame, const std::vector<uint32_t>& rows, float* out) const;
  // Encodes one raw row (a JSON object keyed by input name; absent = null)
  // into out[width()]. ML004 names the field that cannot be read.
  Status EncodeRow(const nlohmann::json& row, float* out) const;

 private:
  Status BuildLayout();  // parses expressions, resolves names, lays out encoded columns
  float EncodeNumber(const Feature& feature, double value) const;
  // NaN for missing/unseen (or rare bucket); `unseen_error` set under kError.
  float EncodeCategory(const Feature& feature, const Value& value, bool* unseen_error) const;
  void Write(const Feature& feature, float code, float* out) const;

  std::vector<InputColumn> inputs_;
  std::vector<DerivedSpec> derived_;
  std::vector<Expression> expressions_;  // parsed derived_
  std::vector<Feature> features_;
  CategoricalEncoding encoding_ = CategoricalEncoding::kNative;
  std::vector<std::string> encoded_names_, encoded_types_;
  std::vector<int> encoded_feature_;
  std::vector<size_t> offset_;  // first encoded column of each feature
  std::vector<std::unordered_map<std::string, int>> category_index_;  // per feature
  std::vector<int> rare_code_;  // per feature: code of kRareCategory, -1 = none
  std::vector<std::vector<int>> derived_sources_;  // per derived: indices into inputs + earlier derived
  std::vector<int> feature_source_;                // per feature: index into inputs + derived
};

}  // namespace refinery::ml
