// The <publish> action (uri:refinery:publish-action:1.0): registers a model
// bundle in the registry and promotes it to production only when its gate
// passes: every <require> threshold on its holdout metrics, and, when a
// production version exists, champion/challenger — both versions scored on
// the new bundle's holdout rows, the new one no worse than production by more
// than <champion-margin>. Otherwise the version stays a candidate and the
// action ends ok or error as <on-reject> says, with the reason in its data.
// Built into the `ml` plugin: the champion is scored with XGBoost.
#include <pugixml.hpp>

#include <cmath>
#include <regex>

#include "actions/action.h"
#include "actions/ml_plugin_support.h"
#include "ml/bundle.h"
#include "ml/holdout_evaluation.h"
#include "ml/model_scorer.h"
#include "ml/predictor.h"
#include "ml/value.h"
#include "registry/registry.h"

namespace refinery::actions::internal {
namespace {

constexpr char kPublishCode[] = "REG001";

struct Requirement {
  std::string metric, op;
  double value = 0;
  std::string text;
};

struct PublishSpec {
  std::string model, bundle_uri, model_dir;
  std::vector<Requirement> requirements;
  std::string champion_metric;  // "" = by task
  double champion_margin = 0;
  bool error_on_reject = false;
};

Status SpecError(const std::string& what) { return Status::InvalidArgument("publish: " + what, kPublishCode); }

Result<Requirement> ParseRequirement(const std::string& text) {
  static const std::regex pattern(R"(^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(>=|<=|>|<|==)\s*(\S+)\s*$)");
  std::smatch match;
  Requirement requirement;
  if (!std::regex_match(text, match, pattern) || !ml::ParseNumber(match[3].str(), &requirement.value)) {
    return SpecError("<require> [" + text + "] is not `<metric> <op> <number>`, e.g. auc >= 0.75 or rmse < 3.2");
  }
  requirement.metric = match[1].str();
  requirement.op = match[2].str();
  requirement.text = text;
  return requirement;
}

Result<PublishSpec> ParsePublish(const pugi::xml_node& element) {
  PublishSpec spec;
  spec.model = ChildText(element, "model");
  spec.bundle_uri = ChildText(element, "bundle");
  spec.model_dir = ChildText(element, "model-dir");
  if (spec.model.empty()) return SpecError("<model> is required: the registry name of the model");
  REFINERY_RETURN_IF_ERROR(registry::ValidateModelName(spec.model));
  if (spec.bundle_uri.empty() == spec.model_dir.empty()) {
    return SpecError("give exactly one of <bundle> (a version directory, e.g. ${wf:actionData('train')['bundle']}) "
                     "or <model-dir> (its latest version)");
  }
  for (const pugi::xml_node& node : Children(element, "require")) {
    REFINERY_ASSIGN_OR_RETURN(Requirement requirement, ParseRequirement(NodeText(node)));
    spec.requirements.push_back(requirement);
  }
  spec.champion_metric = ChildText(element, "champion-metric");
  const std::string margin = ChildText(element, "champion-margin");
  if (!margin.empty() && (!ml::ParseNumber(margin, &spec.champion_margin) || spec.champion_margin < 0)) {
    return SpecError("<champion-margin> [" + margin + "] must be a number >= 0");
  }
  const std::string on_reject = ChildText(element, "on-reject");
  if (!on_reject.empty() && on_reject != "ok" && on_reject != "error") {
    return SpecError("<on-reject> [" + on_reject + "] must be ok or error");
  }
  spec.error_on_reject = on_reject == "error";
  return spec;
}

bool Holds(double actual, const std::string& op, double wanted) {
  if (op == ">=") return actual >= wanted;
  if (op == "<=") return actual <= wanted;
  if (op == ">") return actual > wanted;
  if (op == "<") return actual < wanted;
  return actual == wanted;
}

// "" when every threshold holds, else why not.
Result<std::string> CheckRequirements(const PublishSpec& spec, const nlohmann::json& metrics) {
  for (const Requirement& requirement : spec.requirements) {
    const auto found = metrics.find(requirement.metric);
    if (found == metrics.end() || !found->is_number()) {
      std::string known;
      for (const auto& [key, value] : metrics.items()) {
        if (value.is_number()) known += (known.empty() ? "" : ", ") + key;
      }
      return SpecError("<require> [" + requirement.text + "] names metric [" + requirement.metric +
                       "], which this bundle does not have; it has: " + known);
    }
    const double actual = found->get<double>();
    if (!Holds(actual, requirement.op, requirement.value)) {
      return requirement.metric + " " + ml::FormatNumber(actual) + " fails `" + requirement.text + "`";
    }
  }
  return std::string();
}

struct Comparison {
  std::string metric;
  double challenger = 0, champion = 0;
  bool passed = true;
  std::string reason;
};

Result<Comparison> CompareWithChampion(const ActionContext& context, const PublishSpec& spec,
                                       const std::filesystem::path& challenger_dir,
                                       const std::filesystem::path& champion_dir, int champion_version) {
  REFINERY_ASSIGN_OR_RETURN(ml::Bundle challenger_bundle, ml::ReadBundle(challenger_dir));
  REFINERY_ASSIGN_OR_RETURN(std::vector<nlohmann::json> rows, ml::ParseHoldoutRows(challenger_bundle.holdout_jsonl));
  Comparison comparison;
  if (rows.empty()) {
    comparison.reason = "the new bundle has no holdout rows (holdout.jsonl); champion/challenger skipped";
    return comparison;
  }
  REFINERY_ASSIGN_OR_RETURN(ml::Predictor challenger, ml::Predictor::FromBundle(challenger_bundle));
  REFINERY_ASSIGN_OR_RETURN(ml::Predictor champion, ml::Predictor::Load(champion_dir));
  const ml::TargetInfo& target = challenger.target();
  comparison.metric = spec.champion_metric.empty() ? ml::PrimaryMetric(target.task) : spec.champion_metric;
  Report(context, "scoring the new version and production version " + std::to_string(champion_version) + " on " +
                      std::to_string(rows.size()) + " holdout rows");
  REFINERY_ASSIGN_OR_RETURN(nlohmann::json new_metrics, ml::EvaluateOnRows(challenger, target, rows));
  REFINERY_ASSIGN_OR_RETURN(nlohmann::json old_metrics, ml::EvaluateOnRows(champion, target, rows));
  if (!new_metrics.contains(comparison.metric) || !new_metrics[comparison.metric].is_number()) {
    return SpecError("<champion-metric> [" + comparison.metric + "] is not a metric of a " +
                     ml::TaskName(target.task) + " model");
  }
  comparison.challenger = new_metrics[comparison.metric].get<double>();
  comparison.champion = old_metrics[comparison.metric].get<double>();
  const bool higher = ml::HigherIsBetter(comparison.metric);
  const double worse_by = higher ? comparison.champion - comparison.challenger : comparison.challenger - comparison.champion;
  comparison.passed = worse_by <= spec.champion_margin + 1e-12;
  comparison.reason = comparison.metric + " on the new holdout: new " + ml::FormatNumber(comparison.challenger) +
                      ", production v" + std::to_string(champion_version) + " " +
                      ml::FormatNumber(comparison.champion) + " (margin " + ml::FormatNumber(spec.champion_margin) + ")";
  return comparison;
}

Result<std::string> BundleToRegister(const ActionContext& context, const PublishSpec& spec) {
  if (!spec.bundle_uri.empty()) return spec.bundle_uri;
  REFINERY_ASSIGN_OR_RETURN(std::vector<int> versions, ml::ListVersions(*context.files, spec.model_dir));
  if (versions.empty()) return SpecError("<model-dir> [" + spec.model_dir + "] has no published version");
  return ml::VersionUri(spec.model_dir, versions.back());
}

ActionResult RunPublish(ActionContext& context) {
  pugi::xml_document doc;
  auto element = ParseMlActionElement(context, "publish", &doc);
  if (!element.ok()) return FromStatus(element.status(), kPublishCode);
  auto spec = ParsePublish(*element);
  if (!spec.ok()) return FromStatus(spec.status(), kPublishCode);
  if (context.models == nullptr) {
    return ActionResult::Failed(kPublishCode, "publish: this engine has no model registry (run it from `refinery`)");
  }
  registry::Registry& models = *context.models;
  auto bundle_uri = BundleToRegister(context, *spec);
  if (!bundle_uri.ok()) return FromStatus(bundle_uri.status(), kPublishCode);
  const std::string actor = context.action_id;
  // The champion is read before registering, so it is the version production
  // was when this gate started.
  std::optional<store::ModelVersionRecord> champion;
  auto production = models.Production(spec->model);
  if (production.ok()) {
    champion = *production;
  } else if (production.status().code() != StatusCode::kNotFound) {  // NotFound: the model's first version
    return FromStatus(production.status(), kPublishCode);
  }
  auto registered = models.Register(spec->model, *bundle_uri, actor, "published by " + context.action_name);
  if (!registered.ok()) return FromStatus(registered.status(), kPublishCode);
  Report(context, "registered " + spec->model + " version " + std::to_string(registered->version) + " from " +
                      *bundle_uri);
  const nlohmann::json metrics = nlohmann::json::parse(registered->metrics, nullptr, false);
  auto failed_requirement = CheckRequirements(*spec, metrics);
  if (!failed_requirement.ok()) return FromStatus(failed_requirement.status(), kPublishCode);
  std::string reason = *failed_requirement;
  Comparison comparison;
  if (reason.empty() && champion) {
    auto challenger_dir = models.BundlePath(*registered);
    auto champion_dir = models.BundlePath(*champion);
    if (!challenger_dir.ok()) return FromStatus(challenger_dir.status(), kPublishCode);
    if (!champion_dir.ok()) return FromStatus(champion_dir.status(), kPublishCode);
    auto compared = CompareWithChampion(context, *spec, *challenger_dir, *champion_dir, champion->version);
    if (!compared.ok()) return FromStatus(compared.status(), kPublishCode);
    comparison = *compared;
    if (!comparison.passed) reason = comparison.reason;
  }
  const bool promote = reason.empty();
  if (promote) {
    std::string why = spec->requirements.empty() ? "gate passed" : "gate passed: thresholds met";
    if (!comparison.reason.empty()) why += "; " + comparison.reason;
    auto promoted = models.Promote(spec->model, registered->version, actor, why);
    if (!promoted.ok()) return FromStatus(promoted.status(), kPublishCode);
    reason = why;
  } else {
    const Status logged = models.Reject(spec->model, registered->version, actor, reason);
    if (!logged.ok()) return FromStatus(logged, kPublishCode);
  }
  Report(context, (promote ? "promoted to production: " : "kept as candidate: ") + reason);
  Properties data;
  data.Set("model", spec->model);
  data.Set("version", std::to_string(registered->version));
  data.Set("bundle", *bundle_uri);
  data.Set("promoted", promote ? "true" : "false");
  data.Set("stage", promote ? registry::kProduction : registry::kCandidate);
  data.Set("reason", reason);
  if (champion) data.Set("champion_version", std::to_string(champion->version));
  if (!comparison.metric.empty()) {
    data.Set("champion_metric", comparison.metric);
    data.Set("challenger_score", ml::FormatNumber(comparison.challenger));
    data.Set("champion_score", ml::FormatNumber(comparison.champion));
  }
  ActionResult result;
  result.data = FormatJavaProperties(data);
  if (!promote && spec->error_on_reject) {
    result.outcome = Outcome::kError;
    result.error_code = "REG003";
    result.error_message = "model " + spec->model + " version " + std::to_string(registered->version) +
                           " was kept as a candidate: " + reason;
  }
  return result;
}

}  // namespace

}  // namespace refinery::actions::internal

// The plugin's entry point (see train_action_loader.cc).
extern "C" void refinery_run_publish_action(refinery::actions::ActionContext* context,
                                            refinery::actions::ActionResult* result) {
  *result = refinery::actions::internal::RunPublish(*context);
}

// The server's way to load a bundle for serving (ml/model_scorer.h).
extern "C" void refinery_load_model_scorer(const std::filesystem::path* bundle_dir,
                                           refinery::Result<std::unique_ptr<refinery::ml::ModelScorer>>* result) {
  *result = refinery::ml::LoadModelScorer(*bundle_dir);
}
