// The <hive> and <hive2> actions end to end: a sqoop import writes the raw
// zone, then the seed's kind of summary script (external table over the raw
// zone, a data-quality report) runs as a hive action.
#include <sqlite3.h>

#include "../import/import_test_util.h"
#include "actions/action.h"
#include "data/dataset.h"

namespace refinery::actions::testing {
namespace {

// The seed's hive step: map the imported raw zone, write a summary report of
// data quality, and keep a per-channel table for later steps.
constexpr char kSummaryScript[] = R"(-- hiveCreateTable.sql: summary report of the raw zone
SET hive.exec.compress.output=false;
ADD JAR /opt/hive/lib/hive-contrib.jar;

DROP TABLE IF EXISTS funnel;
CREATE EXTERNAL TABLE IF NOT EXISTS funnel (
  user_id INT,
  channel STRING,   -- where the lead came from
  age INT,
  income DOUBLE,
  converted BOOLEAN,
  event_date DATE
)
ROW FORMAT DELIMITED FIELDS TERMINATED BY ','
STORED AS TEXTFILE
LOCATION '${rawzone}';

/* One line per check: metric, value. */
INSERT OVERWRITE DIRECTORY '${report}'
ROW FORMAT DELIMITED FIELDS TERMINATED BY ','
SELECT 'rows' AS metric, CAST(count(*) AS STRING) AS value FROM funnel
UNION ALL
SELECT 'null_income', CAST(sum(if(income IS NULL, 1, 0)) AS STRING) FROM funnel
UNION ALL
SELECT 'mean_age', CAST(round(avg(age), 2) AS STRING) FROM funnel
UNION ALL
SELECT 'conversion_rate', CAST(round(sum(if(converted, 1, 0)) / count(*), 3) AS STRING) FROM funnel
UNION ALL
SELECT 'days', CAST(datediff(max(event_date), min(event_date)) AS STRING) FROM funnel;

DROP TABLE IF EXISTS channel_summary;
CREATE TABLE channel_summary AS
SELECT lower(trim(channel)) AS channel, count(*) AS leads, percentile_approx(income, 0.5) AS median_income,
       sum(CASE WHEN converted THEN 1 ELSE 0 END) AS conversions
FROM funnel
GROUP BY lower(trim(channel));

SELECT channel, leads, conversions FROM channel_summary ORDER BY leads DESC, channel;
)";

class HiveActionTest : public ActionTest {
 protected:
  void SetUp() override {
    ActionTest::SetUp();
    const std::string db_path = (root_ / "db" / "funnel.db").string();
    stdfs::create_directories(root_ / "db");
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(db_path.c_str(), &db), SQLITE_OK);
    const char* sql =
        "CREATE TABLE mysql_funnel (user_id INTEGER, channel TEXT, age INTEGER, income REAL, converted BOOLEAN, "
        "event_date DATE);"
        "INSERT INTO mysql_funnel VALUES (1, 'Web', 30, 52000.5, 1, '2021-01-01'),"
        " (2, ' web', 41, NULL, 0, '2021-01-03'), (3, 'Store', 25, 31000, 0, '2021-01-02'),"
        " (4, 'web', 38, 47000, 1, '2021-01-10'), (5, 'Partner', NULL, 60000, 0, '2021-01-05');";
    ASSERT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }

  ActionResult Run(const std::string& type, const std::string& xml) {
    ActionRegistry registry;
    RegisterBuiltinActions(&registry);
    ActionContext context = Context(xml);
    context.app_path = "hdfs://localhost:8020/user/joe/apps/funnel";
    return registry.Find(type)->Run(context);
  }

  ActionResult Import() {
    return Run("sqoop", SqoopArgsXml({"import", "--connect", "jdbc:sqlite:/db/funnel.db", "--table", "mysql_funnel",
                                      "--target-dir", "/user/rawzone/funnel-sqoop-toHDFS", "-m", "1"}));
  }

  std::string HiveXml(const std::string& body) {
    return "<hive xmlns=\"uri:oozie:hive-action:0.5\"><job-tracker>jt</job-tracker><name-node>hdfs://localhost:8020"
           "</name-node>" + body + "</hive>";
  }
};

TEST_F(HiveActionTest, SummaryScriptOverAnImportedRawZone) {
  const ActionResult imported = Import();
  ASSERT_EQ(imported.outcome, Outcome::kOk) << imported.error_message;
  WriteLocal(root_ / "user/joe/apps/funnel/hiveCreateTable.sql", kSummaryScript);
  const ActionResult result = Run("hive", HiveXml(
      "<prepare><delete path=\"/user/refinedzone/report\"/></prepare>"
      "<script>hiveCreateTable.sql</script>"
      "<param>rawzone=/user/rawzone/funnel-sqoop-toHDFS</param>"
      "<param>report=/user/refinedzone/report</param>"));
  ASSERT_EQ(result.outcome, Outcome::kOk) << result.error_code << " " << result.error_message;
  EXPECT_EQ(ReadLocal(root_ / "user/refinedzone/report/000000_0"),
            "rows,5\nnull_income,1\nmean_age,33.5\nconversion_rate,0.4\ndays,9\n");
  EXPECT_TRUE(stdfs::exists(root_ / "user/refinedzone/report/_SUCCESS"));
  EXPECT_TRUE(reporter_.Contains("web\t3\t2"));
  EXPECT_TRUE(reporter_.Contains("partner\t1\t0"));
  EXPECT_TRUE(reporter_.Contains("ADD JAR /opt/hive/lib/hive-contrib.jar: accepted and ignored"));
  EXPECT_NE(result.data.find("rows_written="), std::string::npos);

  // The table it created is there for a later action (a later run of the workflow).
  auto summary = data::DatasetReader::Open((root_ / "user/hive/warehouse/channel_summary").string());
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->schema().columns[1].name, "leads");
  const ActionResult later = Run("hive2", "<hive2 xmlns=\"uri:oozie:hive2-action:1.0\"><jdbc-url>jdbc:hive2://h:10000/"
                                          "default</jdbc-url><password>secret</password><query>SELECT sum(leads) FROM "
                                          "channel_summary</query></hive2>");
  ASSERT_EQ(later.outcome, Outcome::kOk) << later.error_message;
  EXPECT_TRUE(reporter_.Contains("jdbc-url jdbc:hive2://h:10000/default: ignored"));
  EXPECT_TRUE(reporter_.Contains("Fetched: 1 row(s)"));
  for (const std::string& line : reporter_.lines()) EXPECT_EQ(line.find("secret"), std::string::npos) << line;
}

TEST_F(HiveActionTest, ErrorNamesTheScriptLineAndTheSupportedSpelling) {
  WriteLocal(root_ / "user/joe/apps/funnel/bad.q", "SET a=1;\nSELECT 1\nFROM (SELECT 1) x\nDISTRIBUTE BY 1;\n");
  const ActionResult result = Run("hive", HiveXml("<script>bad.q</script>"));
  EXPECT_EQ(result.outcome, Outcome::kError);
  EXPECT_EQ(result.error_code, "HIVE001");
  EXPECT_EQ(result.error_message.rfind("bad.q:4: DISTRIBUTE BY is not supported", 0), 0u) << result.error_message;
  EXPECT_NE(result.error_message.find("use ORDER BY"), std::string::npos);
}

TEST_F(HiveActionTest, RefusesARawZoneThatIsNotComplete) {
  ASSERT_EQ(Import().outcome, Outcome::kOk);
  stdfs::remove(root_ / "user/rawzone/funnel-sqoop-toHDFS/_SUCCESS");
  const ActionResult result = Run("hive", HiveXml(
      "<query>CREATE EXTERNAL TABLE f LOCATION '/user/rawzone/funnel-sqoop-toHDFS'; SELECT count(*) FROM f;</query>"));
  EXPECT_EQ(result.outcome, Outcome::kError);
  EXPECT_EQ(result.error_code, "HIVE003");
  EXPECT_NE(result.error_message.find("<query>:1: "), std::string::npos) << result.error_message;
  EXPECT_NE(result.error_message.find("no _SUCCESS marker"), std::string::npos) << result.error_message;
}

TEST_F(HiveActionTest, ArgumentsDefineVariables) {
  const ActionResult result = Run("hive", HiveXml("<query>SELECT '${a}', '${b}'</query>"
                                                  "<argument>--hivevar</argument><argument>a=x</argument>"
                                                  "<argument>-d</argument><argument>b=y</argument>"
                                                  "<argument>--verbose</argument>"));
  ASSERT_EQ(result.outcome, Outcome::kOk) << result.error_message;
  EXPECT_TRUE(reporter_.Contains("x\ty"));
  EXPECT_TRUE(reporter_.Contains("argument --verbose: accepted and ignored"));
}

TEST_F(HiveActionTest, MissingScriptAndUnknownNamespaceAreReported) {
  const ActionResult missing = Run("hive", HiveXml("<script>nowhere.q</script>"));
  EXPECT_EQ(missing.outcome, Outcome::kError);
  EXPECT_NE(missing.error_message.find("cannot read the <script> nowhere.q"), std::string::npos);
  const ActionResult bad_ns = Run("hive", "<hive xmlns=\"uri:oozie:hive-action:9.9\"><query>SELECT 1</query></hive>");
  EXPECT_EQ(bad_ns.outcome, Outcome::kFailed);
  const ActionResult undefined = Run("hive", HiveXml("<query>SELECT ${nope}</query>"));
  EXPECT_EQ(undefined.error_code, "HIVE004");
}

}  // namespace
}  // namespace refinery::actions::testing
