// The <train> action end to end through the registry: the binary's loader
// finds the `ml` plugin in the build tree.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>

#include "../actions/action_test_util.h"
#include "actions/action.h"
#include "core/properties.h"
#include "sql/sql.h"

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

// Customers with three records each (the seed's collapse step): id, region,
// a date, two measures and the target; region "test" rows are to be dropped.
std::string CustomerRecords() {
  std::string csv = "id,region,day,visits,spend,churned\n";
  for (int id = 0; id < 300; ++id) {
    const char* region = id % 5 == 0 ? "test" : (id % 2 == 0 ? "north" : "south");
    const bool churned = (id * 7919) % 100 < 30 + (id % 3) * 10;
    for (int record = 0; record < 3; ++record) {
      const int visits = (id * 31 + record * 17) % 20 + (churned ? 0 : 5);
      const int month = 1 + (id + record) % 12;
      csv += std::to_string(id) + "," + region + ",2020-" + (month < 10 ? "0" : "") + std::to_string(month) + "-1" +
             std::to_string(record) + "," + std::to_string(visits) + "," + std::to_string((id * 13 + record) % 97) +
             "." + std::to_string(record) + "," + (churned ? "yes" : "no") + "\n";
    }
  }
  return csv;
}

nlohmann::json Bundled(const std::filesystem::path& dir, const char* file) {
  return nlohmann::json::parse(ReadLocal(dir / file));
}

TEST_F(TrainActionTest, SqlPreparationFiltersAndCollapsesRecordsWithGroupBy) {
  WriteLocal(root_ / "user/rawzone/customers.csv", CustomerRecords());
  const ActionResult result = RunTrain(
      "<input>/user/rawzone/customers.csv</input>"
      "<sql>SELECT id, region, AVG(visits) AS visits, MAX(spend) AS spend, COUNT(*) AS records, MAX(churned) AS churned "
      "FROM input WHERE region &lt;&gt; 'test' GROUP BY id, region</sql>"
      "<target>churned</target><exclude>id</exclude><param name='rounds'>5</param><param name='nthread'>1</param>"
      "<model-dir>/user/refinedzone/churn</model-dir>");
  ASSERT_EQ(result.outcome, Outcome::kOk) << result.error_code << " " << result.error_message;
  const auto dir = root_ / "user/refinedzone/churn/v1";
  const nlohmann::json metrics = Bundled(dir, "metrics.json");
  // 300 customers, 60 in region "test": 240 rows after the collapse.
  EXPECT_EQ(metrics["rows"]["train"].get<int>() + metrics["rows"]["holdout"].get<int>(), 240) << metrics.dump();
  const nlohmann::json lineage = Bundled(dir, "lineage.json");
  EXPECT_EQ(lineage["inputs"][0]["uri"], "<sql>");
  EXPECT_EQ(lineage["inputs"][0]["rows"], 240);
  EXPECT_EQ(lineage["preparation"]["inputs"][0], "/user/rawzone/customers.csv");
  EXPECT_NE(lineage["preparation"]["sql"].get<std::string>().find("GROUP BY id, region"), std::string::npos);
  // Computed columns carry no SQL type; their numbers make them numeric features.
  const std::string pipeline = ReadLocal(dir / "pipeline.json");
  const nlohmann::json parsed = nlohmann::json::parse(pipeline);
  bool visits_numeric = false, records_seen = false;
  for (const auto& input : parsed["inputs"]) {
    if (input["name"] == "visits") visits_numeric = input["type"] == "numeric";
    if (input["name"] == "records") records_seen = true;
  }
  EXPECT_TRUE(visits_numeric) << pipeline.substr(0, 2000);
  EXPECT_TRUE(records_seen);
}

TEST_F(TrainActionTest, ABadPreparationStatementNamesTheSqlError) {
  WriteLocal(root_ / "user/rawzone/customers.csv", CustomerRecords());
  const ActionResult result = RunTrain(
      "<input>/user/rawzone/customers.csv</input><sql>SELECT nosuch FROM input</sql><target>churned</target>"
      "<model-dir>/user/refinedzone/churn</model-dir>");
  EXPECT_EQ(result.outcome, Outcome::kError);
  EXPECT_NE(result.error_message.find("reading <sql> failed"), std::string::npos) << result.error_message;
  EXPECT_NE(result.error_message.find("nosuch"), std::string::npos) << result.error_message;
  EXPECT_FALSE(std::filesystem::exists(root_ / "user/refinedzone/churn/v1"));
}

TEST_F(TrainActionTest, TrainsOnATableOfTheMetastore) {
  WriteLocal(root_ / "user/rawzone/customers.csv", CustomerRecords());
  {
    sql::SessionOptions options;
    options.files = files_.get();
    auto session = sql::Session::Open(options);
    ASSERT_TRUE(session.ok()) << session.status().ToString();
    ASSERT_TRUE((*session)->RegisterDataset("raw", "/user/rawzone/customers.csv").ok());
    const Status created = (*session)->Execute("CREATE TABLE customers AS SELECT * FROM raw WHERE region <> 'test'");
    ASSERT_TRUE(created.ok()) << created.ToString();
  }
  const ActionResult result = RunTrain(
      "<table>customers</table><target>churned</target><exclude>id</exclude><param name='rounds'>5</param>"
      "<param name='nthread'>1</param><model-dir>/user/refinedzone/churn</model-dir>");
  ASSERT_EQ(result.outcome, Outcome::kOk) << result.error_code << " " << result.error_message;
  const nlohmann::json lineage = Bundled(root_ / "user/refinedzone/churn/v1", "lineage.json");
  EXPECT_EQ(lineage["inputs"][0]["uri"], "table customers");
  EXPECT_EQ(lineage["inputs"][0]["rows"], 720);
  EXPECT_EQ(lineage["preparation"]["table"], "customers");

  // A preparation statement reads metastore tables by name.
  const ActionResult collapsed = RunTrain(
      "<sql>SELECT id, AVG(visits) AS visits, MAX(churned) AS churned FROM customers GROUP BY id</sql>"
      "<target>churned</target><exclude>id</exclude><param name='rounds'>5</param><param name='nthread'>1</param>"
      "<model-dir>/user/refinedzone/churn</model-dir>");
  ASSERT_EQ(collapsed.outcome, Outcome::kOk) << collapsed.error_code << " " << collapsed.error_message;
  EXPECT_EQ(Bundled(root_ / "user/refinedzone/churn/v2", "lineage.json")["inputs"][0]["rows"], 240);

  const ActionResult unknown = RunTrain(
      "<table>nosuch</table><target>churned</target><model-dir>/user/refinedzone/churn</model-dir>");
  EXPECT_EQ(unknown.outcome, Outcome::kError);
  EXPECT_NE(unknown.error_message.find("nosuch"), std::string::npos) << unknown.error_message;
}

TEST_F(TrainActionTest, TimeSplitValidatesOnTheRowsAfterTheCutoff) {
  WriteLocal(root_ / "user/rawzone/customers.csv", CustomerRecords());
  const std::string common =
      "<input>/user/rawzone/customers.csv</input><target>churned</target><exclude>id,day</exclude>"
      "<param name='rounds'>5</param><param name='nthread'>1</param><model-dir>/user/refinedzone/churn</model-dir>";
  // Months 1..12, days 10..12: an explicit cut-off keeps Oct-Dec for validation.
  const ActionResult explicit_cutoff = RunTrain(common + "<validation time-column='day' cutoff='2020-09-30'/>");
  ASSERT_EQ(explicit_cutoff.outcome, Outcome::kOk) << explicit_cutoff.error_message;
  const nlohmann::json metrics = Bundled(root_ / "user/refinedzone/churn/v1", "metrics.json");
  EXPECT_EQ(metrics["validation"]["kind"], "time");
  EXPECT_EQ(metrics["validation"]["column"], "day");
  EXPECT_EQ(metrics["rows"]["holdout"], 225);  // 900 records, a quarter in Oct..Dec
  EXPECT_EQ(metrics["rows"]["train"], 675);

  // By fraction: the last 30 % of [2020-01-10, 2020-12-12] starts on 2020-09-01 21:36.
  const ActionResult by_fraction = RunTrain(common + "<validation time-column='day' fraction='0.3'/>");
  ASSERT_EQ(by_fraction.outcome, Outcome::kOk) << by_fraction.error_message;
  const nlohmann::json second = Bundled(root_ / "user/refinedzone/churn/v2", "metrics.json");
  EXPECT_EQ(second["rows"]["holdout"], 300);  // Sep..Dec
  EXPECT_TRUE(reporter_.Contains("time split on 'day'"));

  for (const std::string& bad : {std::string("<validation time-column='nosuch'/>"),
                                 std::string("<validation time-column='day' cutoff='soon'/>"),
                                 std::string("<validation time-column='region'/>"),
                                 std::string("<validation cutoff='2020-01-01'/>")}) {
    const ActionResult result = RunTrain(common + bad);
    EXPECT_EQ(result.outcome, Outcome::kError) << bad;
    EXPECT_FALSE(result.error_message.empty());
  }
}

TEST_F(TrainActionTest, LineageChecksumsAreSha256AndStable) {
  ASSERT_EQ(RunTrain(kBody).outcome, Outcome::kOk);
  ASSERT_EQ(RunTrain(kBody).outcome, Outcome::kOk);
  const nlohmann::json first = Bundled(root_ / "user/refinedzone/model/v1", "lineage.json");
  const nlohmann::json second = Bundled(root_ / "user/refinedzone/model/v2", "lineage.json");
  const std::string checksum = first["inputs"][0]["checksum"];
  EXPECT_EQ(checksum.rfind("sha256:", 0), 0u) << checksum;
  EXPECT_EQ(checksum.size(), 7u + 64u);
  EXPECT_EQ(checksum, second["inputs"][0]["checksum"]);
  const std::string spec_hash = first["spec_hash"];
  EXPECT_EQ(spec_hash.rfind("sha256:", 0), 0u);
  EXPECT_EQ(spec_hash.size(), 7u + 64u);
}

TEST_F(TrainActionTest, BadSpecsAreErrorsNamingTheFix) {
  struct Case {
    std::string body;
    std::string message;
  } cases[] = {
      {"<target>y</target><model-dir>/m</model-dir>", "<input> (a dataset directory or a CSV file) or <table>"},
      {"<input>/user/rawzone/bank.csv</input><table>t</table><target>y</target><model-dir>/m</model-dir>",
       "need a <sql> statement"},
      {"<table>t WHERE 1=0</table><target>y</target><model-dir>/m</model-dir>", "is not a table name"},
      {"<input>/user/rawzone/bank.csv</input><target>y</target><model-dir>/m</model-dir>"
       "<validation time-column='age' fraction='2'/>",
       "fraction [2] is out of range"},
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
