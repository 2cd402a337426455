// <input-logic> (coordinator 0.5): parsing with file:line errors, and the
// evaluation of or / and / combine / min / wait over which instances exist.
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "coordinator/coordinator.h"
#include "coordinator/input_logic.h"
#include "core/time_format.h"

namespace refinery::coordinator {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TimePoint T(const std::string& text) { return ParseOozieTime(text).value(); }

Properties ExampleConf() {
  Properties conf;
  conf.Set("nameNode", "hdfs://localhost:9000");
  conf.Set("queueName", "default");
  conf.Set("examplesRoot", "examples");
  conf.Set("start", "2010-01-01T01:00Z");
  conf.Set("end", "2010-01-01T03:00Z");
  conf.Set("user.name", "joe");
  return conf;
}

Result<CoordinatorApp> Parse(const std::string& xml, const Properties& conf) {
  ParseOptions options;
  options.job_conf = &conf;
  options.user = "joe";
  return ParseCoordinatorXml(xml, options);
}

// A 0.5 coordinator with inputs a, b, c (each one instance: current(0)) and `logic`.
std::string WithLogic(const std::string& logic, const std::string& xmlns = "uri:oozie:coordinator:0.5") {
  std::string xml = "<coordinator-app name=\"c\" frequency=\"60\" start=\"2026-01-01T00:00Z\" "
                    "end=\"2026-01-02T00:00Z\" timezone=\"UTC\" xmlns=\"" + xmlns + "\">\n<datasets>\n";
  for (const char* name : {"a", "b", "c"}) {
    xml += std::string("<dataset name=\"") + name +
           "\" frequency=\"60\" initial-instance=\"2025-01-01T00:00Z\" timezone=\"UTC\"><uri-template>/d/" + name +
           "/${HOUR}</uri-template></dataset>\n";
  }
  xml += "</datasets>\n<input-events>\n";
  for (const char* name : {"a", "b", "c"}) {
    xml += std::string("<data-in name=\"") + name + "\" dataset=\"" + name +
           "\"><instance>${coord:current(0)}</instance></data-in>\n";
  }
  xml += "</input-events>\n" + logic + "\n<action><workflow><app-path>/wf</app-path></workflow></action>\n"
         "</coordinator-app>\n";
  return xml;
}

TEST(InputLogicParse, TheOozieExampleValidates) {
  std::ifstream in(std::filesystem::path(REFINERY_SOURCE_DIR) / "tests/data/coordinator/input-logic/coordinator.xml");
  std::stringstream text;
  text << in.rdbuf();
  const auto app = Parse(text.str(), ExampleConf());
  ASSERT_TRUE(app.ok()) << app.status().ToString();
  ASSERT_TRUE(app->input_logic.has_value());
  EXPECT_EQ(app->input_logic->kind, InputLogicNode::Kind::kOr);
  EXPECT_EQ(app->input_logic->name, "input");
  ASSERT_EQ(app->input_logic->children.size(), 2u);
  EXPECT_EQ(app->input_logic->children[0].data_in, "input-1");
  EXPECT_EQ(app->input_logic->children[1].data_in, "input-2");
}

TEST(InputLogicParse, MinAndWaitAreInheritedByDataInsBeneath) {
  const auto app = Parse(WithLogic("<input-logic><and min=\"1\" wait=\"10\"><data-in dataset=\"a\"/>"
                                   "<data-in dataset=\"b\" min=\"0\"/></and></input-logic>"),
                         Properties());
  ASSERT_TRUE(app.ok()) << app.status().ToString();
  const auto& root = *app->input_logic;
  EXPECT_EQ(root.children[0].min, 1);
  EXPECT_EQ(root.children[0].wait_minutes, 10);
  EXPECT_EQ(root.children[1].min, 0);
  EXPECT_EQ(root.children[1].wait_minutes, 10);
}

TEST(InputLogicParse, SeveralTopLevelElementsMustAllHold) {
  const auto app = Parse(WithLogic("<input-logic><data-in dataset=\"a\"/><or><data-in dataset=\"b\"/>"
                                   "<data-in dataset=\"c\"/></or></input-logic>"),
                         Properties());
  ASSERT_TRUE(app.ok()) << app.status().ToString();
  EXPECT_EQ(app->input_logic->kind, InputLogicNode::Kind::kAnd);
  EXPECT_EQ(app->input_logic->children.size(), 2u);
}

TEST(InputLogicParse, MistakesAreSchemaErrorsWithFileAndLine) {
  struct Case {
    std::string logic;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"<input-logic>\n<xor><data-in dataset=\"a\"/></xor></input-logic>", "does not allow <xor>"},
      {"<input-logic>\n<or colour=\"red\"><data-in dataset=\"a\"/></or></input-logic>",
       "attribute [colour] is not allowed on <or>"},
      {"<input-logic>\n<data-in dataset=\"nope\"/></input-logic>", "names no data-in of <input-events>; known: a, b, c"},
      {"<input-logic>\n<data-in/></input-logic>", "needs dataset="},
      {"<input-logic>\n<data-in dataset=\"a\" min=\"-1\"/></input-logic>", "must be a whole number >= 0"},
      {"<input-logic>\n<data-in dataset=\"a\" wait=\"soon\"/></input-logic>", "must be a whole number >= 0 of minutes"},
      {"<input-logic>\n<or name=\"x\"><data-in name=\"x\" dataset=\"a\"/></or></input-logic>", "used twice"},
      {"<input-logic>\n<and/></input-logic>", "needs at least one"},
      {"<input-logic>\n<combine><or><data-in dataset=\"a\"/></or></combine></input-logic>", "<data-in> elements only"},
  };
  for (const Case& c : cases) {
    const auto app = Parse(WithLogic(c.logic), Properties());
    ASSERT_FALSE(app.ok()) << c.logic;
    EXPECT_EQ(app.status().error_code(), "E0701") << c.logic;
    EXPECT_THAT(app.status().ToString(), HasSubstr(c.message)) << c.logic;
    // <input-logic> is on line 12 of WithLogic's text, its child on line 13.
    EXPECT_THAT(app.status().ToString(), HasSubstr("coordinator.xml:13")) << c.logic;
  }
  const auto old = Parse(WithLogic("<input-logic><data-in dataset=\"a\"/></input-logic>", "uri:oozie:coordinator:0.4"),
                         Properties());
  ASSERT_FALSE(old.ok());
  EXPECT_THAT(old.status().ToString(), HasSubstr("needs xmlns=\"uri:oozie:coordinator:0.5\""));
}

// Evaluation over a hand-made action: inputs a (3 instances), b (3), c (1).
class InputLogicEval : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"a", "b"}) {
      DataInstances input;
      input.name = name;
      input.dataset = name;
      for (const char* hour : {"02", "01", "00"}) {
        input.instances.push_back(std::string("2026-01-01T") + hour + ":00Z");
        input.uris.push_back(std::string("/d/") + name + "/" + hour);
      }
      action_.inputs.push_back(input);
    }
    DataInstances c;
    c.name = "c";
    c.dataset = "c";
    c.instances = {"2026-01-01T02:00Z"};
    c.uris = {"/d/c/02"};
    action_.inputs.push_back(c);
  }

  InputLogicOutcome Eval(const std::string& logic, TimePoint now = T("2026-01-01T02:00Z")) {
    const auto app = Parse(WithLogic(logic), Properties());
    EXPECT_TRUE(app.ok()) << app.status().ToString();
    if (!app.ok()) return {};
    return EvaluateInputLogic(*app->input_logic, action_, T("2026-01-01T02:00Z"), now,
                              [this](const DataInstances&, const std::string& uri) { return present_.count(uri) > 0; });
  }

  const DataInstances* Resolved(const InputLogicOutcome& outcome, const std::string& name) {
    for (const auto& item : outcome.resolved) {
      if (item.name == name) return &item;
    }
    return nullptr;
  }

  MaterializedAction action_;
  std::set<std::string> present_;
};

TEST_F(InputLogicEval, OrIsReadyWithEitherAndNamesTheBranchThatWas) {
  const std::string logic = "<input-logic><or name=\"in\"><data-in dataset=\"a\"/><data-in dataset=\"b\"/></or>"
                            "</input-logic>";
  EXPECT_FALSE(Eval(logic).ready);
  present_ = {"/d/b/02", "/d/b/01", "/d/b/00", "/d/a/02"};
  auto outcome = Eval(logic);
  ASSERT_TRUE(outcome.ready);
  ASSERT_NE(Resolved(outcome, "in"), nullptr);
  EXPECT_THAT(Resolved(outcome, "in")->uris, ElementsAre("/d/b/02", "/d/b/01", "/d/b/00"));
  present_.insert({"/d/a/01", "/d/a/00"});
  outcome = Eval(logic);  // both there: the first branch wins
  EXPECT_THAT(Resolved(outcome, "in")->uris, ElementsAre("/d/a/02", "/d/a/01", "/d/a/00"));
}

TEST_F(InputLogicEval, AndNeedsEveryBranch) {
  const std::string logic = "<input-logic><and name=\"both\"><data-in dataset=\"a\"/><data-in dataset=\"c\"/></and>"
                            "</input-logic>";
  present_ = {"/d/a/02", "/d/a/01", "/d/a/00"};
  auto outcome = Eval(logic);
  EXPECT_FALSE(outcome.ready);
  EXPECT_THAT(outcome.missing, ElementsAre("/d/c/02"));
  present_.insert("/d/c/02");
  outcome = Eval(logic);
  ASSERT_TRUE(outcome.ready);
  EXPECT_EQ(Resolved(outcome, "both")->uris.size(), 4u);
}

TEST_F(InputLogicEval, MinSufficesOnlyAfterTheWait) {
  const std::string logic = "<input-logic><data-in name=\"some\" dataset=\"a\" min=\"2\" wait=\"10\"/></input-logic>";
  present_ = {"/d/a/02"};
  EXPECT_FALSE(Eval(logic, T("2026-01-01T03:00Z")).ready);  // one of three is below min, however long it waits
  present_.insert("/d/a/00");
  auto outcome = Eval(logic, T("2026-01-01T02:05Z"));
  EXPECT_FALSE(outcome.ready);  // min reached, but the 10 minutes of waiting for all are not over
  ASSERT_TRUE(outcome.wait_ends.has_value());
  EXPECT_EQ(*outcome.wait_ends, T("2026-01-01T02:10Z"));
  outcome = Eval(logic, T("2026-01-01T02:10Z"));
  ASSERT_TRUE(outcome.ready);
  EXPECT_THAT(Resolved(outcome, "some")->uris, ElementsAre("/d/a/02", "/d/a/00"));
  // Without wait, min suffices at once.
  EXPECT_TRUE(Eval("<input-logic><data-in dataset=\"a\" min=\"2\"/></input-logic>", T("2026-01-01T02:00Z")).ready);
}

TEST_F(InputLogicEval, CombineTakesEachInstanceFromWhicheverInputHasIt) {
  const std::string logic = "<input-logic><combine name=\"all\"><data-in dataset=\"a\"/><data-in dataset=\"b\"/>"
                            "</combine></input-logic>";
  present_ = {"/d/a/02", "/d/b/01"};
  EXPECT_FALSE(Eval(logic).ready);
  present_.insert("/d/b/00");
  const auto outcome = Eval(logic);
  ASSERT_TRUE(outcome.ready);
  EXPECT_THAT(Resolved(outcome, "all")->uris, ElementsAre("/d/a/02", "/d/b/01", "/d/b/00"));
}

TEST(InputLogicMerge, ResolvedElementsReplaceOrJoinTheInputs) {
  std::vector<DataInstances> inputs(1);
  inputs[0].name = "a";
  inputs[0].uris = {"/1", "/2"};
  DataInstances some;
  some.name = "a";
  some.uris = {"/2"};
  DataInstances named;
  named.name = "in";
  named.uris = {"/x"};
  MergeResolvedInputs({some, named}, &inputs);
  ASSERT_EQ(inputs.size(), 2u);
  EXPECT_THAT(inputs[0].uris, ElementsAre("/2"));
  EXPECT_EQ(inputs[1].name, "in");
}

}  // namespace
}  // namespace refinery::coordinator
