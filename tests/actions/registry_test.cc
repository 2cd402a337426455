#include "actions/action.h"

#include <gtest/gtest.h>

namespace refinery::actions {
namespace {

TEST(ActionRegistry, BuiltinsAreRegisteredAndKnownTypesAreSorted) {
  ActionRegistry registry;
  RegisterBuiltinActions(&registry);
  for (const char* type : {"fs", "shell", "email", "sub-workflow"}) {
    ASSERT_NE(registry.Find(type), nullptr) << type;
    EXPECT_EQ(registry.Find(type)->type(), type);
  }
  const std::vector<std::string> known = registry.KnownTypes();
  EXPECT_TRUE(std::is_sorted(known.begin(), known.end()));
  for (const char* type : {"distcp", "email", "fs", "git", "hcatalog", "hive", "hive2", "java", "map-reduce", "pig",
                           "shell", "spark", "sqoop", "ssh", "sub-workflow"}) {
    EXPECT_NE(std::find(known.begin(), known.end(), type), known.end()) << type;
  }
  EXPECT_EQ(registry.Find("no-such-type"), nullptr);
}

TEST(ActionRegistry, KnownTypesListsHadoopOnlyTypesEvenWhenNothingIsRegistered) {
  ActionRegistry registry;
  const std::vector<std::string> known = registry.KnownTypes();
  EXPECT_NE(std::find(known.begin(), known.end(), "pig"), known.end());
  EXPECT_EQ(std::find(known.begin(), known.end(), "fs"), known.end());
}

TEST(ActionRegistry, RegisteringATypeAgainReplacesIt) {
  class Native : public Action {
   public:
    std::string type() const override { return "sqoop"; }
    bool idempotent() const override { return true; }
    ActionResult Run(ActionContext&) override { return ActionResult::Ok(); }
  };
  ActionRegistry registry;
  RegisterBuiltinActions(&registry);
  registry.Register(std::make_unique<Native>());
  ActionContext context;
  EXPECT_EQ(registry.Find("sqoop")->Run(context).outcome, Outcome::kOk);
  registry.Register(nullptr);  // ignored
}

TEST(ActionRegistry, IdempotenceFlagsMatchTheActionsSideEffects) {
  ActionRegistry registry;
  RegisterBuiltinActions(&registry);
  EXPECT_TRUE(registry.Find("fs")->idempotent());
  EXPECT_FALSE(registry.Find("shell")->idempotent());
  EXPECT_FALSE(registry.Find("email")->idempotent());
  EXPECT_FALSE(registry.Find("sub-workflow")->idempotent());
  EXPECT_TRUE(registry.Find("pig")->idempotent());
}

TEST(ActionRegistry, EveryBuiltinDeclaresItsSettings) {
  ActionRegistry registry;
  RegisterBuiltinActions(&registry);
  for (const char* type : {"fs", "shell", "email", "sub-workflow"}) {
    const auto settings = registry.Find(type)->settings();
    EXPECT_FALSE(settings.empty()) << type;
    for (const SettingSpec& spec : settings) EXPECT_FALSE(spec.help.empty()) << type << " " << spec.name;
  }
  const auto shell = registry.Find("shell")->settings();
  auto max = std::find_if(shell.begin(), shell.end(),
                          [](const SettingSpec& s) { return s.name == "oozie.action.max.output.data"; });
  ASSERT_NE(max, shell.end());
  EXPECT_EQ(max->default_value, "2048");
}

struct RefusalCase {
  std::string type;
  std::string hint;
};

TEST(HadoopOnlyActions, RefuseWithATailoredAlternative) {
  const std::vector<RefusalCase> cases = {
      {"pig", "use a <shell> action or a native action (profile, train, sql)"},
      {"map-reduce", "use a <shell> action"},
      {"distcp", "use a <shell> action"},
      {"hcatalog", "use a <shell> action"},
      {"git", "use a <shell> action"},
      {"java", "<shell> action that runs java"},
      {"ssh", "<shell> action"},
  };
  ActionRegistry registry;
  RegisterBuiltinActions(&registry);
  for (const RefusalCase& c : cases) {
    ActionContext context;
    context.action_xml = "<" + c.type + "/>";
    const ActionResult result = registry.Find(c.type)->Run(context);
    EXPECT_EQ(result.outcome, Outcome::kError) << c.type;
    EXPECT_EQ(result.error_code, "REFINERY001") << c.type;
    EXPECT_NE(result.error_message.find(c.hint), std::string::npos) << c.type << ": " << result.error_message;
    EXPECT_NE(result.error_message.find("action type [" + c.type + "] is not supported by Refinery"), std::string::npos);
  }
  ActionContext context;
  EXPECT_EQ(registry.Find("pig")->Run(context).error_message,
            "action type [pig] is not supported by Refinery: it needs a Hadoop cluster; use a <shell> action or a "
            "native action (profile, train, sql)");
}

TEST(ActionResult, ErrorAndFailedCarryCodeMessageAndOutcome) {
  const ActionResult error = ActionResult::Error("FS005", "no");
  EXPECT_EQ(error.outcome, Outcome::kError);
  EXPECT_EQ(error.error_code, "FS005");
  EXPECT_EQ(error.error_message, "no");
  EXPECT_EQ(ActionResult::Failed("JA010", "x").outcome, Outcome::kFailed);
  EXPECT_EQ(ActionResult::Ok().outcome, Outcome::kOk);
}

TEST(Actions, MalformedXmlFailsTheWorkflowInsteadOfCrashing) {
  ActionRegistry registry;
  RegisterBuiltinActions(&registry);
  fs::FileSystem files("/nonexistent-refinery-root");
  for (const char* type : {"fs", "shell", "email", "sub-workflow"}) {
    for (const std::string& xml : std::vector<std::string>{"", "<", "<x/>", "<fs><delete path=", std::string("<a>\0</a>", 8)}) {
      ActionContext context;
      context.action_xml = xml;
      context.files = &files;
      const ActionResult result = registry.Find(type)->Run(context);
      EXPECT_NE(result.outcome, Outcome::kOk) << type << " " << xml;
    }
  }
}

}  // namespace
}  // namespace refinery::actions
