// `refinery admin -migrate-store` moves a data home's SQLite state into
// PostgreSQL; `refinery job -info` with REFINERY_STORE then shows the job
// from the database. A second run into the same database is refused.

#include <stdlib.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli/cli_test_support.h"
#include "store_backend.h"

namespace refinery::cli::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class MigrateCliTest : public CliFixture {
 protected:
  void TearDown() override {
    unsetenv("REFINERY_STORE");
    CliFixture::TearDown();
  }
};

TEST_F(MigrateCliTest, MovesASqliteHomeIntoPostgresAndJobInfoReadsIt) {
  WriteFile("hello/workflow.xml", R"(<workflow-app xmlns="uri:oozie:workflow:0.5" name="migrated-hello">
  <start to="sh"/>
  <action name="sh"><shell xmlns="uri:oozie:shell-action:0.3"><job-tracker>${jobTracker}</job-tracker><name-node>${nameNode}</name-node><exec>/bin/sh</exec><argument>-c</argument>
    <argument>echo greeting=hello</argument><capture-output/></shell><ok to="end"/><error to="fail"/></action>
  <kill name="fail"><message>failed</message></kill>
  <end name="end"/>
</workflow-app>)");
  const auto properties = WriteFile(
      "hello/job.properties", "oozie.wf.application.path=.\nnameNode=hdfs://localhost:8020\njobTracker=localhost:8032\n");
  unsetenv("REFINERY_STORE");
  const auto run = Run({"job", "-config", properties.string(), "-run"});
  ASSERT_EQ(run.exit_code, 0) << run.out;
  const std::string id = ExtractJobId(run.out);
  ASSERT_FALSE(id.empty()) << run.out;

  const std::string url = store::testing::NewStoreLocation("postgresql");
  ASSERT_FALSE(url.empty());
  const std::string state = (home_ / "state.db").string();
  const auto migrate = Run({"admin", "-migrate-store", state, url});
  ASSERT_EQ(migrate.exit_code, 0) << migrate.out;
  EXPECT_THAT(migrate.out, HasSubstr("verified"));
  EXPECT_THAT(migrate.out, HasSubstr("workflow jobs         1"));
  EXPECT_THAT(migrate.out, HasSubstr("migrate: copied"));
  EXPECT_THAT(migrate.out, Not(HasSubstr("s3cret")));

  setenv("REFINERY_STORE", url.c_str(), 1);
  const auto info = Run({"job", "-info", id});
  ASSERT_EQ(info.exit_code, 0) << info.out;
  EXPECT_THAT(info.out, HasSubstr(id + "@sh"));
  EXPECT_THAT(info.out, HasSubstr("SUCCEEDED"));
  EXPECT_THAT(info.out, HasSubstr("migrated-hello"));

  unsetenv("REFINERY_STORE");
  const auto again = Run({"admin", "-migrate-store", state, url});
  EXPECT_NE(again.exit_code, 0);
  EXPECT_THAT(again.out, HasSubstr("is not empty"));
  EXPECT_THAT(again.out, Not(HasSubstr("s3cret")));
  const auto same = Run({"admin", "-migrate-store", state, state});
  EXPECT_NE(same.exit_code, 0);
  EXPECT_THAT(same.out, HasSubstr("the same store"));
}

}  // namespace
}  // namespace refinery::cli::testing
