// The <sub-workflow> action (SubWorkflowActionExecutor): builds the child's
// configuration and runs it through the context's SubWorkflowRunner.
#include <charconv>

#include "actions/action_util.h"

namespace refinery::actions::internal {
namespace {

constexpr char kMaxDepth[] = "oozie.action.subworkflow.max.depth";
constexpr char kDepth[] = "oozie.action.subworkflow.depth";
constexpr char kAppPath[] = "oozie.wf.application.path";
constexpr char kParentId[] = "oozie.wf.parent.id";
constexpr char kSuperParentId[] = "oozie.wf.superparent.id";
// PropertiesUtils' DISALLOWED_DEFAULT_PROPERTIES that a user could plausibly set.
constexpr const char* kDisallowed[] = {"user.name", "hadoop.user.name", "hadoop.job.ugi", "mapreduce.job.user.name"};

const std::vector<SettingSpec>& SubWorkflowSettings() {
  static const std::vector<SettingSpec> kSettings = {
      {"app-path", "", "", "the child application; relative paths are relative to this application's directory"},
      {"propagate-configuration", "", "", "the child starts from this job's configuration"},
      {"configuration", "", "", "properties set for the child (override propagated ones)"},
      {kMaxDepth, "50", "1..1000", "deepest nesting of sub-workflows (SUBWF001 beyond)"},
  };
  return kSettings;
}

// Relative app paths are taken against the parent's application directory.
std::string ResolveAppPath(const std::string& parent_app_path, const std::string& app_path) {
  if (app_path.empty() || app_path[0] == '/' || HasScheme(app_path) || parent_app_path.empty()) return app_path;
  std::string base = parent_app_path;
  while (!base.empty() && base.back() == '/') base.pop_back();
  if (base.size() > 4 && base.compare(base.size() - 4, 4, ".xml") == 0) base = base.substr(0, base.find_last_of('/'));
  return base + "/" + app_path;
}

int DepthOf(const ActionContext& context) {
  int depth = context.sub_workflow_depth;
  if (context.job_conf != nullptr) {
    const std::string text = context.job_conf->GetOr(kDepth, "");
    int from_conf = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), from_conf);
    if (ec == std::errc() && end == text.data() + text.size() && from_conf > depth) depth = from_conf;
  }
  return depth;
}

std::string ParentValue(const ActionContext& context, const char* key) {
  return context.job_conf == nullptr ? "" : context.job_conf->GetOr(key, "");
}

class SubWorkflowAction : public Action {
 public:
  std::string type() const override { return "sub-workflow"; }
  // The engine recovers a crashed one by looking at the child job instead.
  bool idempotent() const override { return false; }
  std::vector<SettingSpec> settings() const override { return SubWorkflowSettings(); }
  ActionResult Run(ActionContext& context) override;
};

ActionResult SubWorkflowAction::Run(ActionContext& context) {
  ActionResult error;
  if (MissingService(context.sub_workflows, "sub-workflow runner", &error)) return error;
  pugi::xml_document doc;
  const pugi::xml_node element = ParseActionElement(context.action_xml, "sub-workflow", &doc, &error);
  if (!element) return error;
  const std::string app_path = ResolveAppPath(context.app_path, ChildText(element, "app-path"));
  if (app_path.empty()) return ActionResult::Failed("E0701", "XML schema error, <sub-workflow> needs an <app-path>");
  auto max_depth = IntSetting(context, SubWorkflowSettings(), kMaxDepth);
  if (!max_depth.ok()) return FromStatus(max_depth.status(), "E0303", Outcome::kFailed);
  const int depth = DepthOf(context);
  if (depth >= *max_depth) {
    return ActionResult::Error("SUBWF001", "Depth [" + std::to_string(depth + 1) +
                                               "] cannot exceed maximum subworkflow depth [" +
                                               std::to_string(*max_depth) + "]: sub-workflow [" + app_path +
                                               "] was not started; raise " + kMaxDepth + " or end the recursion");
  }
  const Properties inline_conf = InlineConfiguration(element);
  for (const char* key : kDisallowed) {
    if (inline_conf.Contains(key)) return ActionResult::Error("E0808", "Disallowed user property [" + std::string(key) + "]");
  }

  // SubWorkflowActionExecutor.start, step by step.
  Properties conf;
  if (Child(element, "propagate-configuration") && context.job_conf != nullptr) conf.MergeFrom(*context.job_conf);
  const std::string user = context.user.empty() ? ParentValue(context, "user.name") : context.user;
  if (!user.empty()) conf.Set("user.name", user);
  conf.Set(kAppPath, app_path);
  const std::string group = ParentValue(context, "oozie.job.acl").empty() ? ParentValue(context, "group.name")
                                                                          : ParentValue(context, "oozie.job.acl");
  if (!group.empty()) conf.Set("group.name", group);
  conf.MergeFrom(inline_conf);
  conf.Set(kParentId, context.job_id);
  std::string super_parent = ParentValue(context, kSuperParentId);
  if (super_parent.empty()) super_parent = ParentValue(context, kParentId);
  if (super_parent.empty()) super_parent = context.job_id;
  conf.Set(kSuperParentId, super_parent);
  conf.Set(kDepth, std::to_string(depth + 1));

  Report(context, "Starting sub-workflow [" + app_path + "] at depth [" + std::to_string(depth + 1) + "]");
  const Cancellation& cancel = CancellationOf(context);
  auto outcome = context.sub_workflows->Run(conf, cancel);
  if (!outcome.ok()) {
    if (outcome.status().code() == StatusCode::kCancelled || cancel.cancelled()) {
      ActionResult killed;
      killed.outcome = Outcome::kKilled;
      killed.external_status = "KILLED";
      killed.error_message = outcome.status().message();
      return killed;
    }
    return FromStatus(outcome.status().WithContext("could not start sub-workflow [" + app_path + "]"), "SUBWF003");
  }
  ActionResult result;
  result.external_id = outcome->child_job_id;
  result.external_status = outcome->child_status;
  if (outcome->child_status == "SUCCEEDED") return result;
  if (cancel.cancelled()) {
    result.outcome = Outcome::kKilled;
    return result;
  }
  result.outcome = Outcome::kError;
  result.error_code = "SUBWF002";
  result.error_message = "sub-workflow [" + outcome->child_job_id + "] (" + app_path + ") ended with status [" +
                         outcome->child_status + "]";
  return result;
}

}  // namespace

std::unique_ptr<Action> MakeSubWorkflowAction() { return std::make_unique<SubWorkflowAction>(); }

}  // namespace refinery::actions::internal
