// The seed's pipeline shape through the `refinery` binary: a workflow imports
// a table into the raw zone (sqoop), then a hive action maps it and writes a
// summary report; hive's ok and error both continue, as in the seed. A second
// workflow, run later, reads the table the first one created (metastore).
#include <sqlite3.h>

#include <gmock/gmock.h>

#include "cli/cli_test_support.h"

namespace refinery::cli::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kWorkflow[] = R"(<workflow-app xmlns="uri:oozie:workflow:0.5" name="funnel-hive">
  <start to="sqoop-import"/>
  <action name="sqoop-import">
    <sqoop xmlns="uri:oozie:sqoop-action:0.2">
      <job-tracker>${jobTracker}</job-tracker>
      <name-node>${nameNode}</name-node>
      <prepare><delete path="${nameNode}/user/rawzone/funnel-sqoop-toHDFS"/></prepare>
      <command>import --connect jdbc:sqlite:funnel.db --table mysql_funnel --target-dir /user/rawzone/funnel-sqoop-toHDFS -m 1</command>
    </sqoop>
    <ok to="hive-summary"/>
    <error to="kill"/>
  </action>
  <action name="hive-summary">
    <hive xmlns="uri:oozie:hive-action:0.5">
      <job-tracker>${jobTracker}</job-tracker>
      <name-node>${nameNode}</name-node>
      <script>hiveCreateTable.sql</script>
      <param>rawzone=/user/rawzone/funnel-sqoop-toHDFS</param>
    </hive>
    <ok to="end"/>
    <error to="end"/>
  </action>
  <kill name="kill"><message>${wf:errorMessage(wf:lastErrorNode())}</message></kill>
  <end name="end"/>
</workflow-app>)";

constexpr char kScript[] = R"(-- summary report of the raw zone
CREATE EXTERNAL TABLE IF NOT EXISTS funnel (user_id INT, channel STRING, income DOUBLE, converted BOOLEAN)
ROW FORMAT DELIMITED FIELDS TERMINATED BY ','
LOCATION '${rawzone}';
INSERT OVERWRITE DIRECTORY '/user/refinedzone/summary' ROW FORMAT DELIMITED FIELDS TERMINATED BY ','
SELECT channel, count(*), sum(if(converted, 1, 0)), round(avg(income), 1) FROM funnel GROUP BY channel ORDER BY channel;
CREATE TABLE IF NOT EXISTS channels AS SELECT DISTINCT channel FROM funnel;
)";

constexpr char kLaterWorkflow[] = R"(<workflow-app xmlns="uri:oozie:workflow:1.0" name="later">
  <start to="read"/>
  <action name="read">
    <hive2 xmlns="uri:oozie:hive2-action:1.0">
      <resource-manager>localhost:8032</resource-manager>
      <name-node>hdfs://localhost:8020</name-node>
      <jdbc-url>jdbc:hive2://localhost:10000/default</jdbc-url>
      <query>INSERT OVERWRITE DIRECTORY '/user/refinedzone/channels' SELECT count(*) FROM channels</query>
    </hive2>
    <ok to="end"/>
    <error to="fail"/>
  </action>
  <kill name="fail"><message>${wf:errorMessage(wf:lastErrorNode())}</message></kill>
  <end name="end"/>
</workflow-app>)";

class HiveWorkflowTest : public CliFixture {
 protected:
  void MakeDatabase() {
    const auto path = dir_ / "app" / "funnel.db";
    std::filesystem::create_directories(path.parent_path());
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    const char* sql =
        "CREATE TABLE mysql_funnel (user_id INTEGER, channel TEXT, income REAL, converted BOOLEAN);"
        "INSERT INTO mysql_funnel VALUES (1, 'web', 100, 1), (2, 'web', 200, 0), (3, 'store', NULL, 1);";
    ASSERT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
};

TEST_F(HiveWorkflowTest, SummaryStepRunsAfterTheImportAndItsTablesOutliveTheRun) {
  MakeDatabase();
  WriteFile("app/workflow.xml", kWorkflow);
  WriteFile("app/hiveCreateTable.sql", kScript);
  const auto props = WriteFile("app/job.properties",
                               "nameNode=hdfs://localhost:8020\njobTracker=localhost:8032\noozie.wf.application.path=.\n");
  const auto result = Run({"job", "-config", props.string(), "-run"});
  ASSERT_EQ(result.exit_code, 0) << result.out;
  EXPECT_THAT(result.out, HasSubstr("status: SUCCEEDED"));
  const std::string id = ExtractJobId(result.out);
  EXPECT_THAT(Run({"job", "-info", id}).out, HasSubstr(id + "@hive-summary"));
  const auto summary = Run({"fs", "-cat", "/user/refinedzone/summary/000000_0"});
  EXPECT_EQ(summary.out, "store,1,1,\\N\nweb,2,1,150.0\n");  // \N: Hive's NULL
  EXPECT_THAT(Run({"job", "-log", id}).out, HasSubstr("loaded table funnel: 3 rows"));

  WriteFile("later/workflow.xml", kLaterWorkflow);
  const auto later_props = WriteFile("later/job.properties", "oozie.wf.application.path=.\n");
  const auto later = Run({"job", "-config", later_props.string(), "-run"});
  ASSERT_EQ(later.exit_code, 0) << later.out;
  EXPECT_EQ(Run({"fs", "-cat", "/user/refinedzone/channels/000000_0"}).out, "2\n");
}

}  // namespace
}  // namespace refinery::cli::testing
