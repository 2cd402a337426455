#include "ml/tree_evaluator.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <utility>

#include "ml/bundle.h"

// What XGBoost 1.7's CPU predictor does, and this file reproduces:
// * The output starts at the base margin, a float: ProbToMargin(base_score)
//   of the objective (binary:logistic, reg:logistic: -logf(1/b - 1);
//   poisson, gamma, tweedie: logf(b); others, binary:logitraw too: b itself).
// * gbtree: for each tree in model order, the row walks from the root (NaN =
//   missing -> the default child; numeric: left iff value < threshold;
//   categorical: right iff the category is in the split's set, a negative,
//   huge or beyond-the-set category goes left) and the leaf value is added in
//   float to the margin of the tree's group (tree_info). Dart first scales
//   each tree's output by its weight_drop, in float.
// * gblinear: per group, bias + base margin, then value * weight added in
//   column order for each non-missing value.
// * The objective's transform: sigmoid 1/(1 + expf(-x)); softmax with the
//   max subtracted, expf, a double sum, and a float division; expf.
// Every step is the same float operation in the same order, so the result is
// the same bits (the tests compare every row against XGBoost itself).

namespace refinery::ml {
namespace {

using Json = nlohmann::json;

Status Bad(const std::string& what) {
  return Status::InvalidArgument("the booster JSON cannot be evaluated natively: " + what, kBadBundleCode);
}

// XGBoost writes NaN and +-Infinity as bare words, which JSON does not allow.
const char* NonFiniteWordAt(const std::string& text, size_t i) {
  for (const char* word : {"NaN", "-Infinity", "Infinity"}) {
    if (text.compare(i, std::char_traits<char>::length(word), word) == 0) return word;
  }
  return nullptr;
}

// Quotes those words (outside strings) so they parse as strings FloatOf reads.
std::string QuoteNonFinite(const std::string& text) {
  std::string out;
  out.reserve(text.size() + 64);
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < text.size()) {
        out += text[++i];
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (const char* word = NonFiniteWordAt(text, i)) {
      out += '"';
      out += word;
      out += '"';
      i += std::char_traits<char>::length(word) - 1;
      continue;
    }
    if (c == '"') in_string = true;
    out += c;
  }
  return out;
}

// Builds the DOM like nlohmann's own parser, except that a floating-point
// number is read with strtof from its text: XGBoost reads its model the same
// way, and going through a double could round a value differently.
class ExactFloatBuilder : public nlohmann::json_sax<Json> {
 public:
  explicit ExactFloatBuilder(Json* root) : root_(root) {}

  bool null() override { return Put(Json(nullptr)); }
  bool boolean(bool value) override { return Put(Json(value)); }
  bool number_integer(number_integer_t value) override { return Put(Json(value)); }
  bool number_unsigned(number_unsigned_t value) override { return Put(Json(value)); }
  bool number_float(number_float_t, const string_t& text) override {
    return Put(Json(static_cast<double>(std::strtof(text.c_str(), nullptr))));
  }
  bool string(string_t& value) override { return Put(Json(std::move(value))); }
  bool binary(binary_t& value) override { return Put(Json::binary(std::move(value))); }
  bool start_object(std::size_t) override { return Open(Json::object()); }
  bool key(string_t& value) override {
    key_ = std::move(value);
    return true;
  }
  bool end_object() override { return Close(); }
  bool start_array(std::size_t) override { return Open(Json::array()); }
  bool end_array() override { return Close(); }
  bool parse_error(std::size_t position, const std::string&, const Json::exception& error) override {
    error_ = "invalid JSON at byte " + std::to_string(position) + ": " + error.what();
    return false;
  }
  const std::string& error() const { return error_; }

 private:
  Json* Place(Json value) {
    if (stack_.empty()) {
      *root_ = std::move(value);
      return root_;
    }
    Json& parent = *stack_.back();
    if (parent.is_array()) {
      parent.push_back(std::move(value));
      return &parent.back();
    }
    Json& slot = parent[key_];
    slot = std::move(value);
    return &slot;
  }
  bool Put(Json value) {
    Place(std::move(value));
    return true;
  }
  bool Open(Json container) {
    stack_.push_back(Place(std::move(container)));
    return true;
  }
  bool Close() {
    stack_.pop_back();
    return true;
  }

  Json* root_;
  std::vector<Json*> stack_;
  std::string key_;
  std::string error_;
};

Result<Json> ParseModel(const std::string& text) {
  Json root;
  ExactFloatBuilder builder(&root);
  const std::string quoted = QuoteNonFinite(text);
  if (!Json::sax_parse(quoted, &builder) || !root.is_object()) {
    return Bad(builder.error().empty() ? "the text is not a JSON object" : builder.error());
  }
  return root;
}

// ---- typed access with errors naming the key ----

Result<const Json*> Member(const Json& object, const std::string& key, const std::string& where) {
  if (!object.is_object() || !object.contains(key)) return Bad("'" + where + "' has no '" + key + "'");
  return &object.at(key);
}

Result<float> FloatOf(const Json& value, const std::string& where) {
  if (value.is_number()) return static_cast<float>(value.get<double>());
  if (value.is_string()) {
    const std::string& text = value.get_ref<const std::string&>();
    char* end = nullptr;
    errno = 0;
    const float number = std::strtof(text.c_str(), &end);
    if (!text.empty() && end == text.c_str() + text.size()) return number;
  }
  if (value.is_null()) return std::nanf("");
  return Bad("'" + where + "' is not a number: " + value.dump());
}

Result<int64_t> IntegerOf(const Json& value, const std::string& where) {
  if (value.is_number_integer()) return value.get<int64_t>();
  if (value.is_boolean()) return value.get<bool>() ? 1 : 0;
  if (value.is_string()) {
    const std::string& text = value.get_ref<const std::string&>();
    char* end = nullptr;
    errno = 0;
    const long long number = std::strtoll(text.c_str(), &end, 10);
    if (!text.empty() && end == text.c_str() + text.size() && errno == 0) return number;
  }
  return Bad("'" + where + "' is not an integer: " + value.dump());
}

template <typename T, typename Convert>
Result<std::vector<T>> ArrayOf(const Json& object, const std::string& key, const std::string& where,
                               Convert convert) {
  REFINERY_ASSIGN_OR_RETURN(const Json* array, Member(object, key, where));
  if (!array->is_array()) return Bad("'" + where + "." + key + "' is not an array");
  std::vector<T> out;
  out.reserve(array->size());
  for (const Json& item : *array) {
    REFINERY_ASSIGN_OR_RETURN(auto value, convert(item, where + "." + key));
    out.push_back(static_cast<T>(value));
  }
  return out;
}

Result<std::vector<int64_t>> Integers(const Json& object, const std::string& key, const std::string& where) {
  return ArrayOf<int64_t>(object, key, where, IntegerOf);
}
Result<std::vector<float>> Floats(const Json& object, const std::string& key, const std::string& where) {
  return ArrayOf<float>(object, key, where, FloatOf);
}

enum class Margin { kSame, kLogit, kLog };  // how base_score becomes the base margin

}  // namespace

// Reads the model JSON into a TreeEvaluator; a friend, so the evaluator's
// header shows only what evaluating needs.
class TreeEvaluatorCompiler {
 public:
  using Objective = TreeEvaluator::Objective;

  struct ObjectiveSpec {
    const char* name;
    Objective transform;
    Margin margin;
  };

  static Result<TreeEvaluator> Compile(const std::string& text) {
    REFINERY_ASSIGN_OR_RETURN(Json model, ParseModel(text));
    TreeEvaluator evaluator;
    REFINERY_ASSIGN_OR_RETURN(const Json* learner, Member(model, "learner", "model"));
    REFINERY_RETURN_IF_ERROR(ReadParams(*learner, &evaluator));
    REFINERY_ASSIGN_OR_RETURN(const Json* booster, Member(*learner, "gradient_booster", "learner"));
    REFINERY_ASSIGN_OR_RETURN(const Json* name, Member(*booster, "name", "learner.gradient_booster"));
    const std::string kind = name->is_string() ? name->get<std::string>() : "";
    if (kind == "gbtree") {
      REFINERY_ASSIGN_OR_RETURN(const Json* trees, Member(*booster, "model", "learner.gradient_booster"));
      REFINERY_RETURN_IF_ERROR(ReadTrees(*trees, {}, &evaluator));
    } else if (kind == "dart") {
      REFINERY_ASSIGN_OR_RETURN(const Json* gbtree, Member(*booster, "gbtree", "learner.gradient_booster"));
      REFINERY_ASSIGN_OR_RETURN(const Json* trees, Member(*gbtree, "model", "learner.gradient_booster.gbtree"));
      REFINERY_ASSIGN_OR_RETURN(std::vector<float> weights,
                                Floats(*booster, "weight_drop", "learner.gradient_booster"));
      REFINERY_RETURN_IF_ERROR(ReadTrees(*trees, weights, &evaluator));
    } else if (kind == "gblinear") {
      REFINERY_ASSIGN_OR_RETURN(const Json* linear, Member(*booster, "model", "learner.gradient_booster"));
      REFINERY_RETURN_IF_ERROR(ReadLinear(*linear, &evaluator));
    } else {
      return Bad("booster '" + (kind.empty() ? booster->value("name", Json()).dump() : kind) +
                 "' is not one of gbtree, dart, gblinear");
    }
    return evaluator;
  }

 private:
  static const ObjectiveSpec* FindObjective(const std::string& name) {
    static const ObjectiveSpec kObjectives[] = {
        {"reg:squarederror", Objective::kIdentity, Margin::kSame},
        {"reg:linear", Objective::kIdentity, Margin::kSame},
        {"reg:squaredlogerror", Objective::kIdentity, Margin::kSame},
        {"reg:pseudohubererror", Objective::kIdentity, Margin::kSame},
        {"reg:absoluteerror", Objective::kIdentity, Margin::kSame},
        {"binary:logistic", Objective::kLogistic, Margin::kLogit},
        {"reg:logistic", Objective::kLogistic, Margin::kLogit},
        {"binary:logitraw", Objective::kIdentity, Margin::kSame},  // 1.7: base_score is the margin
        {"count:poisson", Objective::kExp, Margin::kLog},
        {"reg:gamma", Objective::kExp, Margin::kLog},
        {"reg:tweedie", Objective::kExp, Margin::kLog},
        {"multi:softprob", Objective::kSoftprob, Margin::kSame},
        {"multi:softmax", Objective::kSoftmax, Margin::kSame},
    };
    for (const ObjectiveSpec& spec : kObjectives) {
      if (name == spec.name) return &spec;
    }
    return nullptr;
  }

  static Status ReadParams(const Json& learner, TreeEvaluator* evaluator) {
    REFINERY_ASSIGN_OR_RETURN(const Json* objective, Member(learner, "objective", "learner"));
    REFINERY_ASSIGN_OR_RETURN(const Json* name, Member(*objective, "name", "learner.objective"));
    evaluator->objective_name_ = name->is_string() ? name->get<std::string>() : name->dump();
    const ObjectiveSpec* spec = FindObjective(evaluator->objective_name_);
    if (spec == nullptr) return Bad("objective '" + evaluator->objective_name_ + "' has no native transform");
    evaluator->objective_ = spec->transform;

    const std::string where = "learner.learner_model_param";
    REFINERY_ASSIGN_OR_RETURN(const Json* params, Member(learner, "learner_model_param", "learner"));
    REFINERY_ASSIGN_OR_RETURN(const Json* base, Member(*params, "base_score", where));
    REFINERY_ASSIGN_OR_RETURN(const float base_score, FloatOf(*base, where + ".base_score"));
    REFINERY_ASSIGN_OR_RETURN(const Json* features, Member(*params, "num_feature", where));
    REFINERY_ASSIGN_OR_RETURN(const int64_t num_feature, IntegerOf(*features, where + ".num_feature"));
    int64_t num_class = 0, num_target = 1;
    if (params->contains("num_class")) {
      REFINERY_ASSIGN_OR_RETURN(num_class, IntegerOf(params->at("num_class"), where + ".num_class"));
    }
    if (params->contains("num_target")) {
      REFINERY_ASSIGN_OR_RETURN(num_target, IntegerOf(params->at("num_target"), where + ".num_target"));
    }
    if (num_feature < 0 || num_feature > (1 << 24) || num_class < 0 || num_class > 100000 || num_target < 1 ||
        num_target > 100000) {
      return Bad("'" + where + "' has out-of-range sizes: " + params->dump());
    }
    if (num_class > 1 && num_target > 1) return Bad("multi-target multiclass models are not supported");
    evaluator->features_ = static_cast<size_t>(num_feature);
    evaluator->groups_ = static_cast<size_t>(std::max<int64_t>({num_class, num_target, 1}));
    if ((evaluator->objective_ == Objective::kSoftprob || evaluator->objective_ == Objective::kSoftmax) &&
        num_class < 1) {
      return Bad("objective '" + evaluator->objective_name_ + "' without num_class");
    }
    switch (spec->margin) {
      case Margin::kSame: evaluator->base_margin_ = base_score; break;
      case Margin::kLogit:
        if (!(base_score > 0.0f && base_score < 1.0f)) return Bad("base_score must be in (0, 1) for a logistic objective");
        evaluator->base_margin_ = -logf(1.0f / base_score - 1.0f);
        break;
      case Margin::kLog: evaluator->base_margin_ = logf(base_score); break;
    }
    return Status::Ok();
  }

  // `weights` (dart) scales each tree's output; empty = gbtree.
  static Status ReadTrees(const Json& model, const std::vector<float>& weights, TreeEvaluator* evaluator) {
    const std::string where = "learner.gradient_booster.model";
    REFINERY_ASSIGN_OR_RETURN(const Json* trees, Member(model, "trees", where));
    REFINERY_ASSIGN_OR_RETURN(std::vector<int64_t> groups, Integers(model, "tree_info", where));
    if (!trees->is_array() || trees->size() != groups.size()) {
      return Bad("'" + where + "': trees and tree_info differ in length");
    }
    if (!weights.empty() && weights.size() != trees->size()) {
      return Bad("'learner.gradient_booster.weight_drop' does not have one weight per tree");
    }
    evaluator->kind_ = TreeEvaluator::Kind::kTrees;
    if (evaluator->features_ == 0) return Bad("'learner.learner_model_param.num_feature' is 0");  // leaves read column 0
    for (size_t t = 0; t < trees->size(); ++t) {
      if (groups[t] < 0 || static_cast<size_t>(groups[t]) >= evaluator->groups_) {
        return Bad("'" + where + ".tree_info[" + std::to_string(t) + "]' is not an output group");
      }
      evaluator->tree_groups_.push_back(static_cast<uint32_t>(groups[t]));
      evaluator->roots_.push_back(static_cast<uint32_t>(evaluator->nodes_.size()));
      const float weight = weights.empty() ? 1.0f : weights[t];
      REFINERY_RETURN_IF_ERROR(ReadTree((*trees)[t], where + ".trees[" + std::to_string(t) + "]",
                                        weights.empty() ? nullptr : &weight, evaluator));
    }
    if (evaluator->nodes_.size() >= TreeEvaluator::kOffsetMask) return Bad("the model has too many nodes");
    return Status::Ok();
  }

  struct TreeArrays {
    std::vector<int64_t> left, right, feature, default_left, split_type;
    std::vector<float> condition;
    // categorical split node -> its categories
    std::vector<std::vector<int64_t>> categories;
  };

  static Result<TreeArrays> ReadArrays(const Json& tree, const std::string& where) {
    TreeArrays a;
    REFINERY_ASSIGN_OR_RETURN(a.left, Integers(tree, "left_children", where));
    REFINERY_ASSIGN_OR_RETURN(a.right, Integers(tree, "right_children", where));
    REFINERY_ASSIGN_OR_RETURN(a.feature, Integers(tree, "split_indices", where));
    REFINERY_ASSIGN_OR_RETURN(a.default_left, Integers(tree, "default_left", where));
    REFINERY_ASSIGN_OR_RETURN(a.condition, Floats(tree, "split_conditions", where));
    const size_t n = a.left.size();
    if (tree.contains("split_type")) {
      REFINERY_ASSIGN_OR_RETURN(a.split_type, Integers(tree, "split_type", where));
    } else {
      a.split_type.assign(n, 0);
    }
    if (n == 0 || a.right.size() != n || a.feature.size() != n || a.default_left.size() != n ||
        a.condition.size() != n || a.split_type.size() != n) {
      return Bad("'" + where + "': the node arrays are empty or differ in length");
    }
    a.categories.resize(n);
    if (!tree.contains("categories_nodes")) return a;
    REFINERY_ASSIGN_OR_RETURN(std::vector<int64_t> nodes, Integers(tree, "categories_nodes", where));
    REFINERY_ASSIGN_OR_RETURN(std::vector<int64_t> segments, Integers(tree, "categories_segments", where));
    REFINERY_ASSIGN_OR_RETURN(std::vector<int64_t> sizes, Integers(tree, "categories_sizes", where));
    REFINERY_ASSIGN_OR_RETURN(std::vector<int64_t> values, Integers(tree, "categories", where));
    if (segments.size() != nodes.size() || sizes.size() != nodes.size()) {
      return Bad("'" + where + "': the categories_* arrays differ in length");
    }
    for (size_t k = 0; k < nodes.size(); ++k) {
      const int64_t node = nodes[k], begin = segments[k], size = sizes[k];
      if (node < 0 || static_cast<size_t>(node) >= n || begin < 0 || size < 0 ||
          static_cast<size_t>(begin + size) > values.size()) {
        return Bad("'" + where + ".categories_nodes[" + std::to_string(k) + "]' is out of range");
      }
      a.categories[node].assign(values.begin() + begin, values.begin() + begin + size);
    }
    return a;
  }

  // The category set as words: bit c % 32 of word c / 32 for category c.
  static Result<uint32_t> AddCategorySet(const std::vector<int64_t>& categories, const std::string& where,
                                         TreeEvaluator* evaluator) {
    int64_t largest = -1;
    for (int64_t c : categories) {
      if (c < 0 || c >= (1 << 24)) return Bad("'" + where + "' has category " + std::to_string(c) + " out of range");
      largest = std::max(largest, c);
    }
    const size_t words = static_cast<size_t>((largest + 1 + 31) / 32);
    const size_t offset = evaluator->category_words_.size();
    if (offset + words + 1 >= TreeEvaluator::kOffsetMask) return Bad("the model has too many category sets");
    evaluator->category_words_.push_back(static_cast<uint32_t>(words));
    evaluator->category_words_.resize(offset + 1 + words, 0);
    for (int64_t c : categories) evaluator->category_words_[offset + 1 + c / 32] |= 1u << (c % 32);
    return static_cast<uint32_t>(offset);
  }

  // Lays the tree out breadth-first from its root, siblings adjacent.
  static Status ReadTree(const Json& tree, const std::string& where, const float* weight, TreeEvaluator* evaluator) {
    REFINERY_ASSIGN_OR_RETURN(TreeArrays a, ReadArrays(tree, where));
    const size_t n = a.left.size();
    const uint32_t base = static_cast<uint32_t>(evaluator->nodes_.size());
    std::vector<int64_t> order = {0};  // old ids in new order
    std::vector<bool> seen(n, false);
    seen[0] = true;
    for (size_t i = 0; i < order.size(); ++i) {
      const int64_t id = order[i];
      if (a.left[id] == -1) continue;
      for (int64_t child : {a.left[id], a.right[id]}) {
        if (child <= 0 || static_cast<size_t>(child) >= n || seen[child]) {
          return Bad("'" + where + "': node " + std::to_string(id) + " has an invalid child " + std::to_string(child));
        }
        seen[child] = true;
        order.push_back(child);
      }
    }
    evaluator->nodes_.resize(base + order.size());
    std::vector<uint32_t> depth(n, 0);
    uint32_t deepest = 0;
    for (int64_t id : order) {
      deepest = std::max(deepest, depth[id]);
      if (a.left[id] != -1) depth[a.left[id]] = depth[a.right[id]] = depth[id] + 1;
    }
    evaluator->tree_depths_.push_back(deepest);
    uint32_t next_child = base + 1;
    for (size_t i = 0; i < order.size(); ++i) {
      const int64_t id = order[i];
      TreeEvaluator::Node& node = evaluator->nodes_[base + i];
      if (a.left[id] == -1) {
        node.flags = TreeEvaluator::kLeaf;
        node.left = base + static_cast<uint32_t>(i);  // a leaf steps to itself (see TreeMargins)
        // Dart: XGBoost predicts the tree alone into zeros, then scales.
        node.value = weight == nullptr ? a.condition[id] : (0.0f + a.condition[id]) * *weight;
        continue;
      }
      if (a.feature[id] < 0 || static_cast<size_t>(a.feature[id]) >= evaluator->features_) {
        return Bad("'" + where + "': node " + std::to_string(id) + " splits on column " +
                   std::to_string(a.feature[id]) + " beyond num_feature");
      }
      node.feature = static_cast<uint32_t>(a.feature[id]);
      node.value = a.condition[id];
      node.left = next_child;
      next_child += 2;
      if (a.default_left[id] != 0) node.flags |= TreeEvaluator::kDefaultLeft;
      if (a.split_type[id] == 1) {
        REFINERY_ASSIGN_OR_RETURN(uint32_t offset, AddCategorySet(a.categories[id], where, evaluator));
        node.flags |= TreeEvaluator::kCategorical | offset;
      } else if (a.split_type[id] != 0) {
        return Bad("'" + where + "': node " + std::to_string(id) + " has unknown split_type " +
                   std::to_string(a.split_type[id]));
      }
    }
    return Status::Ok();
  }

  static Status ReadLinear(const Json& model, TreeEvaluator* evaluator) {
    const std::string where = "learner.gradient_booster.model";
    REFINERY_ASSIGN_OR_RETURN(evaluator->weights_, Floats(model, "weights", where));
    if (evaluator->weights_.size() != (evaluator->features_ + 1) * evaluator->groups_) {
      return Bad("'" + where + ".weights' does not hold (num_feature + 1) x groups values");
    }
    evaluator->kind_ = TreeEvaluator::Kind::kLinear;
    return Status::Ok();
  }
};

Result<TreeEvaluator> TreeEvaluator::Compile(const std::string& booster_json) {
  return TreeEvaluatorCompiler::Compile(booster_json);
}

// ---- evaluation ----

// 1 when `value` sends the walk to the right child.
inline uint32_t TreeEvaluator::GoesRight(const Node& node, float value) const {
  if ((node.flags & kCategorical) != 0) [[unlikely]] {
    return CategoryGoesRight(node, value);
  }
  // The comparison becomes a flag, not a branch: a tree walk's directions are
  // unpredictable. NaN compares false, so missing is fixed up after.
  const uint32_t right = !(value < node.value);
  if (std::isnan(value)) [[unlikely]] {
    return (node.flags & kDefaultLeft) != 0 ? 0 : 1;
  }
  return right;
}

uint32_t TreeEvaluator::CategoryGoesRight(const Node& node, float value) const {
  if (std::isnan(value)) return (node.flags & kDefaultLeft) != 0 ? 0 : 1;
  // XGBoost: an invalid category (negative, or beyond what a float holds
  // exactly) or one past the set's words is not in the set, so goes left.
  if (value < 0.0f || value >= 16777216.0f) return 0;
  const uint32_t category = static_cast<uint32_t>(static_cast<int32_t>(value));
  const uint32_t* set = category_words_.data() + (node.flags & kOffsetMask);
  const uint32_t word = category / 32;
  if (word >= set[0]) return 0;
  return (set[1 + word] >> (category % 32)) & 1u;
}

inline uint32_t TreeEvaluator::Step(uint32_t index, const float* row) const {
  const Node& node = nodes_[index];
  // A leaf's `left` is itself and its step is masked to 0, so it stays put.
  return node.left + (GoesRight(node, row[node.feature]) & ((node.flags >> 31) ^ 1u));
}

inline float TreeEvaluator::LeafValue(uint32_t index, const float* row) const {
  while ((nodes_[index].flags & kLeaf) == 0) index = Step(index, row);
  return nodes_[index].value;
}

// Four trees walk side by side for as many steps as the deepest needs (a
// leaf stays put), so their memory loads overlap instead of queueing; then
// their leaves are added in model order, as XGBoost adds them.
void TreeEvaluator::TreeMargins(const float* row, float* out) const {
  std::fill(out, out + groups_, base_margin_);
  const size_t trees = roots_.size();
  size_t t = 0;
  for (; t + 4 <= trees; t += 4) {
    uint32_t a = roots_[t], b = roots_[t + 1], c = roots_[t + 2], d = roots_[t + 3];
    const uint32_t steps = std::max(std::max(tree_depths_[t], tree_depths_[t + 1]),
                                    std::max(tree_depths_[t + 2], tree_depths_[t + 3]));
    for (uint32_t s = 0; s < steps; ++s) {
      a = Step(a, row);
      b = Step(b, row);
      c = Step(c, row);
      d = Step(d, row);
    }
    out[tree_groups_[t]] += nodes_[a].value;
    out[tree_groups_[t + 1]] += nodes_[b].value;
    out[tree_groups_[t + 2]] += nodes_[c].value;
    out[tree_groups_[t + 3]] += nodes_[d].value;
  }
  for (; t < trees; ++t) out[tree_groups_[t]] += LeafValue(roots_[t], row);
}

void TreeEvaluator::LinearMargins(const float* row, float* out) const {
  const float* bias = weights_.data() + features_ * groups_;
  for (size_t g = 0; g < groups_; ++g) {
    float sum = bias[g] + base_margin_;
    for (size_t f = 0; f < features_; ++f) {
      if (std::isnan(row[f])) continue;
      sum += row[f] * weights_[f * groups_ + g];
    }
    out[g] = sum;
  }
}

void TreeEvaluator::Margins(const float* row, float* out) const {
  if (kind_ == Kind::kLinear) {
    LinearMargins(row, out);
  } else {
    TreeMargins(row, out);
  }
}

void TreeEvaluator::Transform(float* margins, float* out) const {
  switch (objective_) {
    case Objective::kIdentity:
      if (out != margins) std::copy(margins, margins + groups_, out);
      return;
    case Objective::kLogistic:
      for (size_t g = 0; g < groups_; ++g) out[g] = 1.0f / (1.0f + expf(-margins[g]));
      return;
    case Objective::kExp:
      for (size_t g = 0; g < groups_; ++g) out[g] = expf(margins[g]);
      return;
    case Objective::kSoftprob: {
      float largest = margins[0];
      for (size_t g = 1; g < groups_; ++g) largest = fmaxf(margins[g], largest);
      double sum = 0;
      for (size_t g = 0; g < groups_; ++g) {
        out[g] = expf(margins[g] - largest);
        sum += out[g];
      }
      for (size_t g = 0; g < groups_; ++g) out[g] /= static_cast<float>(sum);
      return;
    }
    case Objective::kSoftmax: {
      size_t best = 0;
      for (size_t g = 1; g < groups_; ++g) {
        if (margins[g] > margins[best]) best = g;
      }
      out[0] = static_cast<float>(best);
      return;
    }
  }
}

void TreeEvaluator::Predict(const float* row, float* out) const {
  if (objective_ == Objective::kSoftmax) {
    std::vector<float> margins(groups_);
    Margins(row, margins.data());
    Transform(margins.data(), out);
    return;
  }
  Margins(row, out);
  Transform(out, out);
}

void TreeEvaluator::PredictRows(const float* rows, size_t count, size_t stride, float* out) const {
  std::vector<float> margins(groups_);
  for (size_t r = 0; r < count; ++r) {
    Margins(rows + r * stride, margins.data());
    Transform(margins.data(), out + r * outputs());
  }
}

}  // namespace refinery::ml
