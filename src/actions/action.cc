#include "actions/action.h"

#include <algorithm>

#include "actions/action_util.h"
#include "actions/sqoop_tools.h"

namespace refinery::actions {

void ActionRegistry::Register(std::unique_ptr<Action> action) {
  if (action == nullptr) return;
  const std::string type = action->type();
  actions_[type] = std::move(action);
}

Action* ActionRegistry::Find(const std::string& type) const {
  auto it = actions_.find(type);
  return it == actions_.end() ? nullptr : it->second.get();
}

std::vector<std::string> ActionRegistry::KnownTypes() const {
  std::vector<std::string> types = internal::HadoopOnlyTypes();
  for (const auto& [type, action] : actions_) types.push_back(type);
  std::sort(types.begin(), types.end());
  types.erase(std::unique(types.begin(), types.end()), types.end());
  return types;
}

// ---- Refusals ----

namespace internal {
namespace {

// What to use instead, per type.
std::string Alternative(const std::string& type) {
  if (type == "java") return "use a <shell> action that runs java -cp <jar> <main-class>";
  if (type == "ssh") return "use a <shell> action that runs ssh";
  return "use a <shell> action or a native action (profile, train, sql)";
}

std::string Reason(const std::string& type) {
  if (type == "ssh") return "it is not implemented yet";
  return "it needs a Hadoop cluster";
}

class RefusalAction : public Action {
 public:
  explicit RefusalAction(std::string type) : type_(std::move(type)) {}
  std::string type() const override { return type_; }
  bool idempotent() const override { return true; }  // it does nothing
  ActionResult Run(ActionContext& context) override {
    return ActionResult::Error(kUnsupportedActionCode, "action type [" + type_ + "] is not supported by Refinery: " +
                                                           Reason(type_) + "; " + Alternative(type_));
  }

 private:
  std::string type_;
};

}  // namespace

std::unique_ptr<Action> MakeRefusalAction(const std::string& type) { return std::make_unique<RefusalAction>(type); }

const std::vector<std::string>& HadoopOnlyTypes() {
  static const std::vector<std::string> kTypes = {"distcp",     "git", "hcatalog", "java",
                                                  "map-reduce", "pig", "ssh"};
  return kTypes;
}

}  // namespace internal

void RegisterBuiltinActions(ActionRegistry* registry) {
  if (registry == nullptr) return;
  for (const std::string& type : internal::HadoopOnlyTypes()) registry->Register(internal::MakeRefusalAction(type));
  registry->Register(internal::MakeFsAction());
  registry->Register(internal::MakeShellAction());
  registry->Register(internal::MakeEmailAction());
  registry->Register(internal::MakeSubWorkflowAction());
  registry->Register(internal::MakeSqoopAction());
  registry->Register(internal::MakeHiveAction("hive"));
  registry->Register(internal::MakeHiveAction("hive2"));
  registry->Register(internal::MakeProfileAction());
  registry->Register(internal::MakeTrainAction());
  registry->Register(internal::MakeScoreAction());
  registry->Register(internal::MakePublishAction());
  registry->Register(internal::MakeSparkAction());
}

}  // namespace refinery::actions
