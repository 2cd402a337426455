// The <train> action (uri:refinery:train-action:1.0): reads datasets, fits
// the feature pipeline and an XGBoost model through ml/, and publishes a
// versioned model bundle under <model-dir>. The declarative replacement for
// the seed's hand-written PySpark training job. Format of the element:
// doc/actions/train.md. Built into the `ml` plugin with XGBoost; the binary
// holds only train_action_loader.cc.
#include <algorithm>
#include <cstdio>

#include "actions/ml_plugin_support.h"
#include "core/time_format.h"
#include "ml/bundle.h"
#include "ml/trainer.h"
#include "ml/xgboost_booster.h"

namespace refinery::actions::internal {
namespace {

constexpr char kTrainSpecCode[] = "ML001";

std::string Hash(std::string_view text) {
  uint64_t hash = 14695981039346656037ULL;
  for (char c : text) hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  char hex[32];
  std::snprintf(hex, sizeof(hex), "fnv1a64:%016llx", static_cast<unsigned long long>(hash));
  return hex;
}

Status SpecError(const std::string& what) { return Status::InvalidArgument("train: " + what, kTrainSpecCode); }

Result<ml::ColumnSpec> ParseColumn(const pugi::xml_node& node) {
  ml::ColumnSpec column;
  column.name = node.attribute("name").value();
  if (column.name.empty()) return SpecError("<column> needs a name attribute");
  if (const auto type = node.attribute("type")) {
    REFINERY_ASSIGN_OR_RETURN(column.type, ml::ParseFeatureType(type.value()));
  }
  if (const auto missing = node.attribute("missing")) {
    REFINERY_ASSIGN_OR_RETURN(column.missing, ml::ParseMissingStrategy(missing.value()));
  }
  column.constant = node.attribute("fill").value();
  if (column.missing == ml::MissingStrategy::kConstant && !node.attribute("fill")) {
    return SpecError("<column name=\"" + column.name + "\"> has missing=\"constant\" but no fill=\"...\" value");
  }
  if (const auto max = node.attribute("max-categories")) {
    column.max_categories = max.as_int(-1);
    if (column.max_categories < 2 || column.max_categories > 65536) {
      return SpecError("<column name=\"" + column.name + "\">: max-categories [" + max.value() +
                       "] is out of range; expected an integer in 2..65536");
    }
  }
  if (const auto unseen = node.attribute("unseen")) {
    REFINERY_ASSIGN_OR_RETURN(column.unseen, ml::ParseUnseenPolicy(unseen.value()));
  }
  return column;
}

struct ParsedElement {
  ml::TrainSpec spec;
  std::vector<std::string> input_uris;
  std::string model_dir;
};

Result<ParsedElement> ParseElement(const ActionContext& context, const pugi::xml_node& element) {
  ParsedElement parsed;
  ml::TrainSpec& spec = parsed.spec;
  if (Child(element, "sql") || Child(element, "prepare-sql")) {
    return Status::Unsupported("train: the SQL preparation step (<sql>) is not yet supported; prepare the data with a "
                               "<hive> action into a dataset and train on that",
                               kTrainSpecCode);
  }
  for (const pugi::xml_node& input : Children(element, "input")) parsed.input_uris.push_back(NodeText(input));
  if (parsed.input_uris.empty()) return SpecError("<input> is required: a dataset directory or a CSV file");
  spec.target = ChildText(element, "target");
  if (spec.target.empty()) return SpecError("<target> is required: the column to predict");
  REFINERY_ASSIGN_OR_RETURN(spec.task, ml::ParseTask(ChildText(element, "task")));
  spec.positive_label = ChildText(element, "positive-label");
  for (const pugi::xml_node& exclude : Children(element, "exclude")) {
    for (const std::string& name : SplitList(NodeText(exclude))) spec.exclude.push_back(name);
  }
  for (const pugi::xml_node& node : Children(element, "column")) {
    REFINERY_ASSIGN_OR_RETURN(ml::ColumnSpec column, ParseColumn(node));
    spec.columns.push_back(std::move(column));
  }
  for (const pugi::xml_node& node : Children(element, "derive")) {
    const std::string name = node.attribute("name").value();
    if (name.empty()) return SpecError("<derive> needs a name attribute");
    spec.derived.push_back({name, NodeText(node)});
  }
  for (const pugi::xml_node& node : Children(element, "param")) {
    const std::string name = node.attribute("name").value();
    if (name.empty()) return SpecError("<param> needs a name attribute");
    spec.params[name] = NodeText(node);
  }
  parsed.model_dir = ChildText(element, "model-dir");
  if (parsed.model_dir.empty()) return SpecError("<model-dir> is required, e.g. /user/refinedzone/model");
  for (const std::string& uri : parsed.input_uris) {
    REFINERY_ASSIGN_OR_RETURN(auto local, context.files->Resolve(uri));
    spec.inputs.push_back(local.string());
  }
  return parsed;
}

// Rounds go to the engine's observers as progress; evaluated ones also to the log.
class ReportingObserver : public ml::TrainObserver {
 public:
  explicit ReportingObserver(const ActionContext& context) : context_(context) {}
  void OnLog(const std::string& line) override { Report(context_, line); }
  void OnRound(int round, int rounds, const std::string& evaluation) override {
    // "[9]\tholdout-auc:0.70" -> "holdout-auc:0.70".
    std::string metrics = evaluation.substr(std::min(evaluation.size(), evaluation.find(']') + 1));
    for (char& c : metrics) c = c == '\t' ? ' ' : c;
    while (!metrics.empty() && metrics.front() == ' ') metrics.erase(0, 1);
    const std::string detail = "round " + std::to_string(round) + "/" + std::to_string(rounds) +
                               (metrics.empty() ? "" : " " + metrics);
    // Every evaluated round, and about every 5 % of the others.
    const bool evaluated = !metrics.empty();
    if (context_.reporter != nullptr && (evaluated || round % std::max(1, rounds / 20) == 0)) {
      context_.reporter->Progress(static_cast<double>(round) / rounds, detail);
    }
    if (evaluated) Report(context_, detail);
  }
  bool Cancelled() override { return context_.cancel != nullptr && context_.cancel->cancelled(); }

 private:
  const ActionContext& context_;
};

nlohmann::json Lineage(const ActionContext& context, const ParsedElement& parsed, const ml::TrainResult& result) {
  nlohmann::json inputs = nlohmann::json::array();
  for (size_t i = 0; i < result.inputs.size(); ++i) {
    inputs.push_back({{"uri", parsed.input_uris[i]}, {"rows", result.inputs[i].rows},
                      {"checksum", "fnv1a64:" + result.inputs[i].checksum}});
  }
  const Clock* clock = context.clock != nullptr ? context.clock : SystemClock();
  return {{"job_id", context.job_id},
          {"action_id", context.action_id},
          {"action_name", context.action_name},
          {"user", context.user},
          {"app_path", context.app_path},
          {"created", FormatIsoMillis(clock->Now())},
          {"inputs", inputs},
          {"spec_hash", Hash(context.action_xml)},
          {"params", result.params},
          {"libraries", {{"refinery", "0.1.0"}, {"xgboost", ml::XGBoostVersion()}}}};
}

ActionResult ErrorResult(const Status& status) { return FromStatus(status, kTrainSpecCode); }

ActionResult RunTrain(ActionContext& context) {
  pugi::xml_document doc;
  auto element = ParseMlActionElement(context, "train", &doc);
  if (!element.ok()) return ErrorResult(element.status());
  auto parsed = ParseElement(context, *element);
  if (!parsed.ok()) return ErrorResult(parsed.status());
  ReportingObserver observer(context);
  auto trained = ml::Train(parsed->spec, &observer);
  if (!trained.ok()) return ErrorResult(trained.status());
  ml::Bundle bundle;
  bundle.booster_json = std::move(trained->booster_json);
  bundle.pipeline = trained->pipeline.ToJson();
  bundle.pipeline["format_version"] = ml::kBundleFormatVersion;
  bundle.pipeline["target"] = trained->target.ToJson();
  bundle.metrics = trained->metrics;
  bundle.lineage = Lineage(context, *parsed, *trained);
  auto version = ml::PublishBundle(context.files, parsed->model_dir, bundle);
  if (!version.ok()) return ErrorResult(version.status());
  const std::string uri = ml::VersionUri(parsed->model_dir, *version);
  Report(context, "published model bundle " + uri);
  Properties data;
  data.Set("model_dir", parsed->model_dir);
  data.Set("version", std::to_string(*version));
  data.Set("bundle", uri);
  data.Set("task", trained->metrics.value("task", ""));
  data.Set("train_rows", std::to_string(trained->train_rows));
  data.Set("holdout_rows", std::to_string(trained->holdout_rows));
  for (const char* metric : {"auc", "pr_auc", "logloss", "accuracy", "f1", "macro_f1", "rmse", "mae", "r2"}) {
    const auto found = trained->metrics.find(metric);
    if (found != trained->metrics.end() && found->is_number()) data.Set(metric, ml::FormatNumber(found->get<double>()));
  }
  ActionResult result;
  result.data = FormatJavaProperties(data);
  return result;
}

}  // namespace

}  // namespace refinery::actions::internal

// The plugin's entry point (see train_action_loader.cc).
extern "C" void refinery_run_train_action(refinery::actions::ActionContext* context,
                                          refinery::actions::ActionResult* result) {
  *result = refinery::actions::internal::RunTrain(*context);
}
