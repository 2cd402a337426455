// The <train> action end to end through the registry: the binary's loader
// finds the `ml` plugin in the build tree.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>

#include "../actions/action_test_util.h"
#include "actions/action.h"
#include "core/properties.h"

namespace refinery::actions {
namespace {

using testing::ReadLocal;
using testing::WriteLocal;

class TrainActionTest : public testing::ActionTest {
 protected:
  void SetUp() override {
    ActionTest::SetUp();
    RegisterBuiltinActions(&registry_);
    WriteLocal(root_ / "user/rawzone/bank.csv", ReadLocal(std::string(REFINERY_SOURCE_DIR) + "/examples/data/bank_marketing.csv"));
  }
  ActionResult RunTrain(const std::string& body) {
    ActionContext context = Context("<train xmlns=\"uri:refinery:train-action:1.0\">" + body + "</train>");
    return registry_.Find("train")->Run(context);
  }
  static constexpr char kBody[] =
      "<input>/user/rawzone/bank.csv</input><target>y</target><exclude>duration</exclude>"
      "<column name='pdays' missing='native'/><column name='job' type='categorical' max-categories='8' unseen='rare'/>"
      "<derive name='never_contacted'>CASE WHEN pdays &lt; 0 THEN 1 ELSE 0 END</derive>"
      "<param name='rounds'>20</param><param name='nthread'>1</param>"
      "<model-dir>/user/refinedzone/model</model-dir>";
  ActionRegistry registry_;
};

TEST_F(TrainActionTest, PublishesAVersionedBundleAndReportsMetrics) {
  const ActionResult first = RunTrain(kBody);
  ASSERT_EQ(first.outcome, Outcome::kOk) << first.error_code << " " << first.error_message;
  auto data = ParseJavaProperties(first.data, "data");
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(data->GetOr("version", ""), "1");
  EXPECT_EQ(data->GetOr("bundle", ""), "/user/refinedzone/model/v1");
  EXPECT_GT(std::stod(data->GetOr("auc", "0")), 0.6);
  EXPECT_EQ(data->GetOr("task", ""), "binary");
  const auto dir = root_ / "user/refinedzone/model/v1";
  EXPECT_TRUE(std::filesystem::exists(dir / "_SUCCESS"));
  const auto lineage = nlohmann::json::parse(ReadLocal(dir / "lineage.json"));
  EXPECT_EQ(lineage["job_id"], "0000001-240101000000000-refinery-W");
  EXPECT_EQ(lineage["inputs"][0]["rows"], 4521);
  EXPECT_EQ(lineage["libraries"]["xgboost"], "1.7.4");
  EXPECT_TRUE(reporter_.Contains("published model bundle /user/refinedzone/model/v1"));
  EXPECT_TRUE(reporter_.Contains("holdout-auc"));

  const ActionResult second = RunTrain(kBody);
  ASSERT_EQ(second.outcome, Outcome::kOk) << second.error_message;
  EXPECT_TRUE(std::filesystem::exists(root_ / "user/refinedzone/model/v2/_SUCCESS"));
  // Same data, spec and seed: the same booster.
  EXPECT_EQ(ReadLocal(dir / "model.json"), ReadLocal(root_ / "user/refinedzone/model/v2/model.json"));
}

TEST_F(TrainActionTest, SqlPreparationIsNotYetSupported) {
  const ActionResult result = RunTrain(std::string(kBody) + "<sql>SELECT * FROM input</sql>");
  EXPECT_EQ(result.outcome, Outcome::kError);
  EXPECT_EQ(result.error_code, "ML001");
  EXPECT_NE(result.error_message.find("not yet supported"), std::string::npos);
}

TEST_F(TrainActionTest, BadSpecsAreErrorsNamingTheFix) {
  struct Case {
    std::string body;
    std::string message;
  } cases[] = {
      {"<target>y</target><model-dir>/m</model-dir>", "<input> is required"},
      {"<input>/user/rawzone/bank.csv</input><model-dir>/m</model-dir>", "<target> is required"},
      {"<input>/user/rawzone/bank.csv</input><target>y</target>", "<model-dir> is required"},
      {"<input>/user/rawzone/bank.csv</input><target>y</target><model-dir>/m</model-dir><param name='trees'>3</param>",
       "unknown parameter 'trees'"},
      {"<input>/user/rawzone/bank.csv</input><target>y</target><model-dir>/m</model-dir><column name='job' "
       "missing='avg'/>",
       "unknown missing-value strategy [avg]"},
      {"<input>/user/rawzone/missing.csv</input><target>y</target><model-dir>/m</model-dir>", "missing.csv"},
  };
  for (const Case& c : cases) {
    const ActionResult result = RunTrain(c.body);
    EXPECT_EQ(result.outcome, Outcome::kError) << c.body;
    EXPECT_NE(result.error_message.find(c.message), std::string::npos) << result.error_message;
  }
  EXPECT_FALSE(std::filesystem::exists(root_ / "m"));
}

TEST_F(TrainActionTest, KillStopsTraining) {
  cancel_.Cancel();
  const ActionResult result = RunTrain(kBody);
  EXPECT_EQ(result.outcome, Outcome::kKilled);
  EXPECT_FALSE(std::filesystem::exists(root_ / "user/refinedzone/model/v1"));
}

TEST_F(TrainActionTest, ScoreWritesIdsAndPredictionsAsADataset) {
  ASSERT_EQ(RunTrain(kBody).outcome, Outcome::kOk);
  ActionContext context = Context(
      "<score xmlns=\"uri:refinery:score-action:1.0\"><input>/user/rawzone/bank.csv</input>"
      "<model-dir>/user/refinedzone/model</model-dir><output>/user/refinedzone/scores</output>"
      "<id-column>age</id-column><id-column>job</id-column><contributions>2</contributions></score>");
  const ActionResult result = registry_.Find("score")->Run(context);
  ASSERT_EQ(result.outcome, Outcome::kOk) << result.error_code << " " << result.error_message;
  auto data = ParseJavaProperties(result.data, "data");
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(data->GetOr("rows", ""), "4521");
  EXPECT_EQ(data->GetOr("bundle", ""), "/user/refinedzone/model/v1");
  const auto dir = root_ / "user/refinedzone/scores";
  EXPECT_TRUE(std::filesystem::exists(dir / "_SUCCESS"));
  const std::string sidecar = ReadLocal(dir / "_schema.properties");
  EXPECT_NE(sidecar.find("column.3.name=probability"), std::string::npos) << sidecar;
  EXPECT_NE(sidecar.find("column.5.name=top_features"), std::string::npos);
  const std::string part = ReadLocal(dir / "part-m-00000");
  // First bank row: age 30, job unemployed.
  EXPECT_EQ(part.substr(0, part.find(',', part.find(',') + 1)), "30,unemployed");
  EXPECT_EQ(std::count(part.begin(), part.end(), '\n'), 4521);

  ActionContext missing = Context(
      "<score xmlns=\"uri:refinery:score-action:1.0\"><input>/user/rawzone/bank.csv</input>"
      "<model-dir>/user/refinedzone/model</model-dir><version>7</version><output>/o</output></score>");
  const ActionResult bad = registry_.Find("score")->Run(missing);
  EXPECT_EQ(bad.outcome, Outcome::kError);
  EXPECT_NE(bad.error_message.find("version 7 is not published under /user/refinedzone/model; published versions: 1"),
            std::string::npos)
      << bad.error_message;
}

TEST_F(TrainActionTest, DeclaresItsSettings) {
  bool has_rounds = false;
  for (const SettingSpec& s : registry_.Find("train")->settings()) has_rounds |= s.name == "param:rounds";
  EXPECT_TRUE(has_rounds);
}

}  // namespace
}  // namespace refinery::actions
