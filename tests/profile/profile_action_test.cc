#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "actions/action.h"
#include "actions/action_test_util.h"
#include "core/properties.h"
#include "data/dataset.h"
#include "sql/sql.h"

namespace refinery::actions {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using nlohmann::json;
using testing::ReadLocal;
using testing::WriteLocal;
namespace stdfs = std::filesystem;

const std::string kSourceDir = REFINERY_SOURCE_DIR;
const std::string kBank = "file://" + kSourceDir + "/examples/data/bank_marketing.csv";

std::string Element(const std::string& input, const std::string& output, const std::string& extra) {
  return "<profile xmlns=\"uri:refinery:profile-action:1.0\"><input>" + input + "</input><output>" + output +
         "</output>" + extra + "</profile>";
}

class ProfileActionTest : public testing::ActionTest {
 protected:
  void SetUp() override {
    ActionTest::SetUp();
    RegisterBuiltinActions(&registry_);
    action_ = registry_.Find("profile");
    ASSERT_NE(action_, nullptr);
  }
  ActionResult Run(const std::string& xml) {
    ActionContext context = Context(xml);
    return action_->Run(context);
  }
  Properties Data(const ActionResult& result) {
    auto properties = ParseJavaProperties(result.data, "data");
    EXPECT_TRUE(properties.ok());
    return properties.ok() ? *properties : Properties();
  }
  // A raw-zone directory: one part file, the sidecar and _SUCCESS.
  void WriteDataset(const std::string& dir, const std::string& rows) {
    data::DatasetSchema schema;
    schema.columns = {{"age", "int", data::ValueType::kInteger}, {"job", "varchar", data::ValueType::kText}};
    WriteLocal(root_ / dir / "part-m-00000", rows);
    WriteLocal(root_ / dir / "_schema.properties", data::FormatDatasetSchema(schema, "sqlite", "people", "", 1));
    WriteLocal(root_ / dir / "_SUCCESS", "");
  }

  ActionRegistry registry_;
  Action* action_ = nullptr;
};

TEST_F(ProfileActionTest, PassingGatePublishesTheProfileAndTheSummary) {
  const auto result = Run(Element(kBank, "/user/reports/bank",
                                  "<expect>rows &gt;= 1000</expect><expect>distinct(y) == 2</expect>"
                                  "<expect>null_fraction(age) &lt;= 0.1</expect><expect>psi(age) &lt;= 0.2</expect>"));
  ASSERT_EQ(result.outcome, Outcome::kOk) << result.error_code << " " << result.error_message;
  const Properties data = Data(result);
  EXPECT_EQ(data.GetOr("rows", ""), "4521");
  EXPECT_EQ(data.GetOr("failed_rules", ""), "0");
  EXPECT_EQ(data.GetOr("rules", ""), "4");
  EXPECT_EQ(data.GetOr("output", ""), "/user/reports/bank");
  const json profile = json::parse(ReadLocal(root_ / "user/reports/bank/profile.json"));
  EXPECT_EQ(profile["rows"], 4521);
  EXPECT_EQ(profile["columns"].size(), 17u);
  EXPECT_EQ(profile["rules"].size(), 4u);
  EXPECT_TRUE(stdfs::exists(root_ / "user/reports/bank/_SUCCESS"));
  EXPECT_THAT(ReadLocal(root_ / "user/reports/bank/profile.html"), HasSubstr("<svg"));
}

TEST_F(ProfileActionTest, FailingGateEndsWithDq001ListingEveryFailedRule) {
  const auto result = Run(Element(kBank, "/user/reports/bank",
                                  "<expect>rows &gt;= 10000</expect><expect>distinct(y) == 2</expect>"
                                  "<expect>disguised_missing(job) == 0</expect><expect>mean(age) &lt; 30</expect>"));
  ASSERT_EQ(result.outcome, Outcome::kError);
  EXPECT_EQ(result.error_code, "DQ001");
  EXPECT_THAT(result.error_message, HasSubstr("3 of 4 quality rules failed"));
  EXPECT_THAT(result.error_message, HasSubstr("rows >= 10000 (observed 4521)"));
  EXPECT_THAT(result.error_message, HasSubstr("disguised_missing(job) == 0 (observed 38)"));
  EXPECT_THAT(result.error_message, HasSubstr("mean(age) < 30 (observed 41.17"));
  EXPECT_THAT(result.error_message, Not(HasSubstr("distinct(y)")));
  EXPECT_EQ(Data(result).GetOr("failed_rules", ""), "3");
  // The report is published all the same, for a person to look at.
  EXPECT_TRUE(stdfs::exists(root_ / "user/reports/bank/profile.html"));
}

TEST_F(ProfileActionTest, BadRuleNamesTheRuleAndTheValidColumns) {
  auto result = Run(Element(kBank, "/user/reports/bank", "<expect>null_fraction(incme) &lt;= 0.1</expect>"));
  EXPECT_EQ(result.outcome, Outcome::kError);
  EXPECT_EQ(result.error_code, "DQ002");
  EXPECT_THAT(result.error_message, HasSubstr("no column \"incme\" in the dataset; columns: age, job, marital"));
  result = Run(Element(kBank, "/user/reports/bank", "<expect>nul(age) &lt;= 0.1</expect><expect>rows</expect>"));
  EXPECT_EQ(result.error_code, "DQ002");
  EXPECT_THAT(result.error_message, HasSubstr("unknown function \"nul\""));
  EXPECT_THAT(result.error_message, HasSubstr("rule \"rows\": no comparison"));
  EXPECT_FALSE(stdfs::exists(root_ / "user/reports/bank"));
}

TEST_F(ProfileActionTest, SecondRunComparesWithThePreviousProfile) {
  std::string first, second;
  for (int i = 0; i < 400; ++i) {
    first += std::to_string(20 + i % 40) + "," + (i % 2 ? "admin" : "services") + "\n";
    second += std::to_string(45 + i % 40) + "," + (i % 4 == 0 ? "pilot" : i % 2 ? "admin" : "services") + "\n";
  }
  WriteDataset("user/rawzone/people", first);
  const std::string rules =
      "<expect>psi(age) &lt;= 0.2</expect><expect>new_categories(job) == 0</expect><expect>rows_change &gt;= -0.5</expect>";
  auto result = Run(Element("/user/rawzone/people", "/user/reports/people", rules));
  ASSERT_EQ(result.outcome, Outcome::kOk) << result.error_message;
  EXPECT_EQ(Data(result).GetOr("drift", ""), "false");
  WriteDataset("user/rawzone/people", second);
  result = Run(Element("/user/rawzone/people", "/user/reports/people", rules));
  ASSERT_EQ(result.outcome, Outcome::kError);
  EXPECT_EQ(result.error_code, "DQ001");
  EXPECT_THAT(result.error_message, HasSubstr("psi(age) <= 0.2 (observed"));
  EXPECT_THAT(result.error_message, HasSubstr("new_categories(job) == 0 (observed 1)"));
  EXPECT_THAT(result.error_message, Not(HasSubstr("rows_change")));
  EXPECT_EQ(Data(result).GetOr("drift", ""), "true");
  EXPECT_THAT(ReadLocal(root_ / "user/reports/people/profile.html"), HasSubstr("pilot"));
}

TEST_F(ProfileActionTest, BadRowIsAnErrorWithFileLineAndColumn) {
  WriteDataset("user/rawzone/people", "30,admin\n31\n");
  const auto result = Run(Element("/user/rawzone/people", "/user/reports/people", ""));
  EXPECT_EQ(result.outcome, Outcome::kError);
  EXPECT_EQ(result.error_code, "DATA003");
  EXPECT_THAT(result.error_message, HasSubstr("part-m-00000:2"));
  EXPECT_FALSE(stdfs::exists(root_ / "user/reports/people"));
}

TEST_F(ProfileActionTest, InvalidValueRuleFailureNamesFileLineAndColumn) {
  WriteDataset("user/rawzone/people", "30,admin\n31,admin\n");
  WriteLocal(root_ / "user/rawzone/people/part-m-00001", "32,admin\n33,services\nabc,admin\n");
  const auto result = Run(Element("/user/rawzone/people", "/user/reports/people", "<expect>invalid(age) == 0</expect>"));
  ASSERT_EQ(result.outcome, Outcome::kError);
  EXPECT_EQ(result.error_code, "DQ001");
  EXPECT_THAT(result.error_message,
              HasSubstr("invalid(age) == 0 (observed 1; the first at part-m-00001:3, column 1 (\"age\"): \"abc\")"));
  const json profile = json::parse(ReadLocal(root_ / "user/reports/people/profile.json"));
  EXPECT_EQ(profile["rules"][0]["where"], "part-m-00001:3, column 1 (\"age\"): \"abc\"");
}

TEST_F(ProfileActionTest, MetastoreTableIsProfiledFromItsFiles) {
  WriteDataset("user/rawzone/people", "30,admin\n31,admin\n32,pilot\n");
  // An external table over headerless delimited files, as a hive step maps them.
  WriteLocal(root_ / "user/landing/jobs/part-00000", "1|pilot\n2|\\N\nx|admin\n");
  WriteLocal(root_ / "user/landing/jobs/_SUCCESS", "");
  sql::SessionOptions options;
  options.files = files_.get();
  auto session = sql::Session::Open(options);
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  ASSERT_TRUE((*session)->Execute("CREATE EXTERNAL TABLE jobs (id INT, job STRING) ROW FORMAT DELIMITED "
                                  "FIELDS TERMINATED BY '|' LOCATION '/user/landing/jobs'").ok());
  ASSERT_TRUE((*session)->Execute("CREATE EXTERNAL TABLE people LOCATION '/user/rawzone/people'").ok());

  auto result = Run("<profile xmlns=\"uri:refinery:profile-action:1.0\"><table>jobs</table>"
                    "<output>/user/reports/jobs</output><expect>invalid(id) == 0</expect></profile>");
  EXPECT_EQ(result.error_code, "DQ001") << result.error_message;
  EXPECT_THAT(result.error_message, HasSubstr("profile of table jobs"));
  EXPECT_THAT(result.error_message, HasSubstr("part-00000:3, column 1 (\"id\"): \"x\""));
  json profile = json::parse(ReadLocal(root_ / "user/reports/jobs/profile.json"));
  EXPECT_EQ(profile["rows"], 3);
  EXPECT_EQ(profile["columns"][1]["nulls"], 1);

  result = Run("<profile xmlns=\"uri:refinery:profile-action:1.0\"><table>people</table>"
               "<output>/user/reports/people</output></profile>");
  ASSERT_EQ(result.outcome, Outcome::kOk) << result.error_message;
  profile = json::parse(ReadLocal(root_ / "user/reports/people/profile.json"));
  EXPECT_EQ(profile["rows"], 3);
  EXPECT_EQ(profile["input"], "table people");

  result = Run("<profile xmlns=\"uri:refinery:profile-action:1.0\"><table>nobody</table>"
               "<output>/user/reports/x</output></profile>");
  EXPECT_EQ(result.error_code, "HIVE002");
  EXPECT_THAT(result.error_message, HasSubstr("table nobody not found (known tables: jobs, people)"));
}

TEST_F(ProfileActionTest, MissingDatasetNamesThePath) {
  const auto result = Run(Element("/user/rawzone/nothing", "/user/reports/x", ""));
  EXPECT_EQ(result.outcome, Outcome::kError);
  EXPECT_EQ(result.error_code, "DATA001");
}

}  // namespace
}  // namespace refinery::actions
