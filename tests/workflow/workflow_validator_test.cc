// Graph validation on apps built in code, so each test shows the graph it
// checks. GOLDEN.md section 9 runs from XML in tests/data/workflow/.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "workflow/workflow_app.h"

namespace refinery::workflow {
namespace {

// Builds a WorkflowApp node by node; each node's line is its position.
class GraphBuilder {
 public:
  explicit GraphBuilder(const std::string& start_to) {
    Node start;
    start.name = ":start:";
    start.kind = NodeKind::kStart;
    start.to = start_to;
    Add(std::move(start));
  }
  GraphBuilder& Action(const std::string& name, const std::string& ok, const std::string& error,
                       const std::string& type = "fs") {
    Node node;
    node.name = name;
    node.kind = NodeKind::kAction;
    node.action = ActionSpec{};
    node.action->type = type;
    node.action->ok_to = ok;
    node.action->error_to = error;
    return Add(std::move(node));
  }
  GraphBuilder& Fork(const std::string& name, std::vector<std::string> paths) {
    Node node;
    node.name = name;
    node.kind = NodeKind::kFork;
    node.fork_paths = std::move(paths);
    return Add(std::move(node));
  }
  GraphBuilder& Join(const std::string& name, const std::string& to) {
    Node node;
    node.name = name;
    node.kind = NodeKind::kJoin;
    node.to = to;
    return Add(std::move(node));
  }
  GraphBuilder& Decision(const std::string& name, const std::vector<std::string>& cases,
                         const std::string& default_to) {
    Node node;
    node.name = name;
    node.kind = NodeKind::kDecision;
    for (const std::string& to : cases) node.cases.push_back(DecisionCase{to, "${true}"});
    node.default_to = default_to;
    return Add(std::move(node));
  }
  GraphBuilder& Kill(const std::string& name) {
    Node node;
    node.name = name;
    node.kind = NodeKind::kKill;
    return Add(std::move(node));
  }
  GraphBuilder& End(const std::string& name = "end") {
    Node node;
    node.name = name;
    node.kind = NodeKind::kEnd;
    return Add(std::move(node));
  }
  WorkflowApp Build() const { return app_; }

 private:
  GraphBuilder& Add(Node node) {
    node.line = static_cast<int>(app_.nodes.size()) + 1;
    app_.nodes.push_back(std::move(node));
    app_.source_name = "workflow.xml";
    return *this;
  }
  WorkflowApp app_;
};

Status Validate(const WorkflowApp& app, std::vector<std::string> known = {"fs"}) {
  ValidateOptions options;
  options.known_action_types = std::move(known);
  return ValidateWorkflow(app, options);
}

TEST(WorkflowValidator, AcceptsASimpleChain) {
  const WorkflowApp app = GraphBuilder("a").Action("a", "end", "k").Kill("k").End().Build();
  EXPECT_TRUE(Validate(app).ok()) << Validate(app).ToString();
}

TEST(WorkflowValidator, ReportsAnUndefinedTransitionWithFileAndLine) {
  const WorkflowApp app = GraphBuilder("a").Action("a", "c", "k").Kill("k").Action("c", "f", "k").End().Build();
  EXPECT_EQ(Validate(app).ToString(), "E0708: workflow.xml:4: Invalid transition, node [c] transition [f]");
}

TEST(WorkflowValidator, ChecksTransitionsInDeclarationOrder) {
  const WorkflowApp app = GraphBuilder("d").Decision("d", {"x", "y"}, "z").End().Build();
  EXPECT_EQ(Validate(app).message(), "workflow.xml:2: Invalid transition, node [d] transition [x]");
}

TEST(WorkflowValidator, ReportsALoopWithItsPath) {
  const WorkflowApp app = GraphBuilder("a").Action("a", "b", "k").Action("b", "c", "k").Action("c", "a", "k")
                              .Kill("k").End().Build();
  EXPECT_EQ(Validate(app).ToString(),
            "E0707: workflow.xml:2: Loop detected at parsing, node [a], path [:start:->a->b->c->a]");
}

TEST(WorkflowValidator, ReportsAnUnsupportedActionTypeListingTheKnownOnes) {
  const WorkflowApp app = GraphBuilder("a").Action("a", "end", "end", "test").End().Build();
  const Status status = Validate(app, {"shell", "fs"});
  EXPECT_EQ(status.ToString(),
            "E0723: workflow.xml:2: Unsupported action type, node [a] type [test]; known types: fs, shell");
}

TEST(WorkflowValidator, AcceptsAnyActionTypeWhenNoneAreListed) {
  const WorkflowApp app = GraphBuilder("a").Action("a", "end", "end", "whatever").End().Build();
  EXPECT_TRUE(Validate(app, {}).ok());
}

TEST(WorkflowValidator, ChecksTheActionTypeBeforeTransitions) {
  const WorkflowApp app = GraphBuilder("a").Action("a", "nowhere", "end", "test").End().Build();
  EXPECT_EQ(Validate(app).error_code(), "E0723");
}

struct NameCase {
  std::string name;
  std::string message;
};

class InvalidNodeName : public ::testing::TestWithParam<NameCase> {};

TEST_P(InvalidNodeName, IsE0724WithParamCheckersMessage) {
  const WorkflowApp app = GraphBuilder(GetParam().name).End(GetParam().name).Build();
  const Status status = Validate(app);
  EXPECT_EQ(status.error_code(), "E0724");
  EXPECT_EQ(status.message(), "workflow.xml:2: Invalid node name, " + GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    WorkflowValidator, InvalidNodeName,
    ::testing::Values(NameCase{"", "action name cannot be empty"},
                      NameCase{"1actionName", "name [1actionName], must start with [A-Za-z_]"},
                      NameCase{"-actionName", "name [-actionName], must start with [A-Za-z_]"},
                      NameCase{"a@b", "name [a@b] must be [A-Za-z_][0-9A-Za-z_]*"},
                      NameCase{std::string(129, 'x'), "name [" + std::string(129, 'x') + "] must be 128 chars or less"}));

TEST(WorkflowValidator, AcceptsNamesAtTheLimits) {
  for (const std::string& name : {std::string("_"), std::string("a-b_c9"), std::string(128, 'x')}) {
    const WorkflowApp app = GraphBuilder(name).End(name).Build();
    EXPECT_TRUE(Validate(app).ok()) << name;
  }
}

TEST(WorkflowValidator, IgnoresNodesStartCannotReach) {
  const WorkflowApp app = GraphBuilder("end").Action("1bad", "nowhere", "nowhere", "unknown").End().Build();
  EXPECT_TRUE(Validate(app).ok());
}

TEST(WorkflowValidator, RejectsForkWithoutJoin) {
  const WorkflowApp app = GraphBuilder("f").Fork("f", {"a", "b"}).Action("a", "end", "k").Action("b", "end", "k")
                              .Kill("k").End().Build();
  EXPECT_EQ(Validate(app).ToString(), "E0730: workflow.xml:2: Fork/Join not in pair");
}

TEST(WorkflowValidator, RejectsForkWithOnePath) {
  const WorkflowApp app = GraphBuilder("f").Fork("f", {"end"}).End().Build();
  EXPECT_EQ(Validate(app).error_code(), "E0731");
}

TEST(WorkflowValidator, AcceptsNestedForks) {
  const WorkflowApp app = GraphBuilder("f")
                              .Fork("f", {"a", "f2"})
                              .Action("a", "j", "k")
                              .Fork("f2", {"b", "c"})
                              .Action("b", "j2", "k")
                              .Action("c", "j2", "k")
                              .Join("j2", "j")
                              .Join("j", "end")
                              .Kill("k")
                              .End()
                              .Build();
  EXPECT_TRUE(Validate(app).ok()) << Validate(app).ToString();
}

TEST(WorkflowValidator, SkipsForkJoinRulesWhenDisabled) {
  const WorkflowApp app = GraphBuilder("f").Fork("f", {"a", "b"}).Action("a", "end", "k").Action("b", "end", "k")
                              .Kill("k").End().Build();
  ValidateOptions options;
  options.validate_fork_join = false;
  EXPECT_TRUE(ValidateWorkflow(app, options).ok());
}

TEST(WorkflowValidator, RejectsOkPathsMeetingOutsideADecision) {
  // f[a, b]; a -> c; b -> c: two "ok" paths reach c.
  const WorkflowApp app = GraphBuilder("f")
                              .Fork("f", {"a", "b"})
                              .Action("a", "c", "k")
                              .Action("b", "c", "k")
                              .Action("c", "j", "k")
                              .Join("j", "end")
                              .Kill("k")
                              .End()
                              .Build();
  EXPECT_EQ(Validate(app).ToString(),
            "E0743: workflow.xml:5: Multiple \"ok to\" transitions to the same node, [c], are not allowed");
}

TEST(WorkflowValidator, AcceptsADecisionInsideAForkWhoseBranchesConverge) {
  const WorkflowApp app = GraphBuilder("f")
                              .Fork("f", {"d", "b"})
                              .Decision("d", {"x"}, "y")
                              .Action("x", "z", "k")
                              .Action("y", "z", "k")
                              .Action("z", "j", "k")
                              .Action("b", "j", "k")
                              .Join("j", "end")
                              .Kill("k")
                              .End()
                              .Build();
  EXPECT_TRUE(Validate(app).ok()) << Validate(app).ToString();
}

TEST(WorkflowValidator, ValidateAllCollectsDistinctErrorsEachWithItsLine) {
  const WorkflowApp app = GraphBuilder("a")
                              .Action("a", "b", "missing", "test")
                              .Action("b", "missing", "missing")
                              .End("9end")
                              .Build();
  ValidateOptions options;
  options.known_action_types = {"fs"};
  const std::vector<Status> errors = ValidateWorkflowAll(app, options);
  std::vector<std::string> rendered;
  for (const Status& s : errors) rendered.push_back(s.ToString());
  EXPECT_EQ(rendered, (std::vector<std::string>{
                          "E0723: workflow.xml:2: Unsupported action type, node [a] type [test]; known types: fs",
                          "E0708: workflow.xml:3: Invalid transition, node [b] transition [missing]",
                          "E0708: workflow.xml:2: Invalid transition, node [a] transition [missing]",
                      }));
  EXPECT_EQ(ValidateWorkflow(app, options).ToString(), rendered.front());
}

TEST(WorkflowValidator, ValidateAllIsEmptyForAValidWorkflow) {
  const WorkflowApp app = GraphBuilder("a").Action("a", "end", "end").End().Build();
  EXPECT_TRUE(ValidateWorkflowAll(app, ValidateOptions{}).empty());
}

TEST(WorkflowValidator, HandlesLongChainsWithoutDeepRecursion) {
  constexpr int kLength = 50000;
  GraphBuilder builder("n0");
  for (int i = 0; i < kLength; ++i) {
    builder.Action("n" + std::to_string(i), i + 1 < kLength ? "n" + std::to_string(i + 1) : "end", "k");
  }
  const WorkflowApp app = builder.Kill("k").End().Build();
  EXPECT_TRUE(Validate(app).ok());
}

TEST(WorkflowValidator, HandlesWideDiamondsInPolynomialTime) {
  // d0 -> {a_i} -> d1 -> {b_i} -> ...: memoization keeps this fast.
  GraphBuilder builder("d0");
  constexpr int kLayers = 200;
  constexpr int kWidth = 20;
  for (int layer = 0; layer < kLayers; ++layer) {
    std::vector<std::string> cases;
    for (int i = 0; i < kWidth; ++i) cases.push_back("a" + std::to_string(layer) + "_" + std::to_string(i));
    const std::string next = layer + 1 < kLayers ? "d" + std::to_string(layer + 1) : "end";
    builder.Decision("d" + std::to_string(layer), cases, next);
    for (const std::string& c : cases) builder.Action(c, next, "k");
  }
  const WorkflowApp app = builder.Kill("k").End().Build();
  EXPECT_TRUE(Validate(app).ok()) << Validate(app).ToString();
}

TEST(WorkflowValidator, RejectsAnAppWithoutStart) {
  WorkflowApp app;
  app.source_name = "workflow.xml";
  EXPECT_EQ(Validate(app).error_code(), "E0700");
}

}  // namespace
}  // namespace refinery::workflow
