// The `refinery` binary with its state in PostgreSQL: REFINERY_STORE for the
// in-process verbs, `refinery server --store URL` for the server. The job's
// records land in the database, and the data home gets no state.db.

#include <stdlib.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <thread>

#include "cli/cli_test_support.h"
#include "store/store.h"
#include "store_backend.h"

namespace refinery::cli::testing {
namespace {

using ::testing::HasSubstr;

class PostgresCliTest : public CliFixture {
 protected:
  void SetUp() override {
    CliFixture::SetUp();
    location_ = store::testing::NewStoreLocation("postgresql");
    ASSERT_FALSE(location_.empty());
  }

  void TearDown() override {
    if (server_pid_ > 0) {
      ::kill(server_pid_, SIGKILL);
      Wait(server_pid_);
    }
    unsetenv("REFINERY_STORE");
    CliFixture::TearDown();
  }

  std::filesystem::path App() {
    WriteFile("hello/workflow.xml", R"(<workflow-app xmlns="uri:oozie:workflow:0.5" name="pg-hello">
  <start to="sh"/>
  <action name="sh"><shell xmlns="uri:oozie:shell-action:0.3"><job-tracker>${jobTracker}</job-tracker><name-node>${nameNode}</name-node><exec>/bin/sh</exec><argument>-c</argument>
    <argument>echo greeting=hello</argument><capture-output/></shell><ok to="end"/><error to="fail"/></action>
  <kill name="fail"><message>failed: ${wf:errorMessage(wf:lastErrorNode())}</message></kill>
  <end name="end"/>
</workflow-app>)");
    return WriteFile("hello/job.properties",
                     "oozie.wf.application.path=.\nnameNode=hdfs://localhost:8020\njobTracker=localhost:8032\n");
  }

  // The job as the database has it.
  void ExpectStoredInPostgres(const std::string& id) {
    auto store = store::OpenStore(location_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    auto job = (*store)->GetJob(id);
    ASSERT_TRUE(job.ok()) << job.status().ToString();
    EXPECT_EQ(job->status, "SUCCEEDED");
    EXPECT_EQ(job->app_name, "pg-hello");
    auto action = (*store)->GetAction(id + "@sh");
    ASSERT_TRUE(action.ok()) << action.status().ToString();
    EXPECT_THAT(action->data, HasSubstr("greeting=hello"));
    EXPECT_THAT(*(*store)->ReadLog(id), HasSubstr("Job ended with status [SUCCEEDED]"));
    EXPECT_FALSE(std::filesystem::exists(home_ / "state.db"));
  }

  std::string location_;
  pid_t server_pid_ = -1;
};

TEST_F(PostgresCliTest, RefineryStoreVariablePutsAnInProcessRunInPostgres) {
  setenv("REFINERY_STORE", location_.c_str(), 1);
  const auto run = Run({"job", "-config", App().string(), "-run"});
  ASSERT_EQ(run.exit_code, 0) << run.out;
  EXPECT_THAT(run.out, HasSubstr("status: SUCCEEDED"));
  const std::string id = ExtractJobId(run.out);
  ASSERT_FALSE(id.empty()) << run.out;
  ExpectStoredInPostgres(id);
  EXPECT_THAT(Run({"jobs", "-filter", "status=SUCCEEDED"}).out, HasSubstr(id));
  EXPECT_THAT(Run({"job", "-info", id}).out, HasSubstr(id + "@sh"));
}

TEST_F(PostgresCliTest, ServerStoreOptionRunsAWorkflowWithItsStateInPostgres) {
  server_pid_ = Spawn({"server", "--port", "0", "--store", location_}, dir_ / "server.log");
  std::string url;
  // The server writes its URL once it listens; wait for that, not a time.
  for (int i = 0; i < 600 && url.empty(); ++i) {
    std::ifstream in(home_ / "server.url");
    std::getline(in, url);
    if (url.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (url.empty()) {
    std::ifstream log(dir_ / "server.log");
    FAIL() << "the server did not start:\n" << std::string(std::istreambuf_iterator<char>(log), {});
  }
  const auto run = Run({"job", "-oozie", url, "-config", App().string(), "-run"});
  ASSERT_EQ(run.exit_code, 0) << run.out;
  const std::string id = ExtractJobId(run.out);
  ASSERT_FALSE(id.empty()) << run.out;
  std::string info;
  for (int i = 0; i < 600; ++i) {
    info = Run({"job", "-oozie", url, "-info", id}).out;
    if (info.find("SUCCEEDED") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_THAT(info, HasSubstr("SUCCEEDED"));
  ExpectStoredInPostgres(id);
}

}  // namespace
}  // namespace refinery::cli::testing
