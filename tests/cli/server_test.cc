// `refinery server` as a user runs it, and the CLI's remote mode against it:
// -run returns the id at once, -info/-log/-kill/jobs/admin go over HTTP,
// the token file guards changes, SIGTERM stops cleanly.
#include <chrono>
#include <ctime>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli/cli_test_support.h"

namespace refinery::cli::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class ServerFixture : public CliFixture {
 protected:
  void SetUp() override {
    CliFixture::SetUp();
    server_pid_ = Spawn({"server", "--port", "0"}, dir_ / "server.log");
    // The server writes its URL once it listens; wait for that, not a time.
    for (int i = 0; i < 600 && url_.empty(); ++i) {
      std::ifstream in(home_ / "server.url");
      std::getline(in, url_);
      if (url_.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ASSERT_FALSE(url_.empty()) << ReadFile(dir_ / "server.log");
  }

  void TearDown() override {
    if (server_pid_ > 0) {
      ::kill(server_pid_, SIGKILL);
      Wait(server_pid_);
    }
    CliFixture::TearDown();
  }

  std::string ReadFile(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
  }

  // Polls -info until the job reaches `status` (the job runs in the server).
  std::string WaitForStatus(const std::string& id, const std::string& status) {
    std::string out;
    for (int i = 0; i < 600; ++i) {
      out = Run({"job", "-oozie", url_, "-info", id}).out;
      if (out.find("Status        : " + status) != std::string::npos) return out;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "job " << id << " never reached " << status << ":\n" << out;
    return out;
  }

  std::filesystem::path App(const std::string& name, const std::string& command) {
    WriteFile(name + "/workflow.xml", R"(<workflow-app xmlns="uri:oozie:workflow:0.5" name=")" + name + R"(">
  <start to="sh"/>
  <action name="sh"><shell xmlns="uri:oozie:shell-action:0.3"><job-tracker>${jobTracker}</job-tracker><name-node>${nameNode}</name-node><exec>/bin/sh</exec><argument>-c</argument>
    <argument>)" + command + R"(</argument></shell><ok to="end"/><error to="fail"/></action>
  <kill name="fail"><message>failed: ${wf:errorMessage(wf:lastErrorNode())}</message></kill>
  <end name="end"/>
</workflow-app>)");
    return WriteFile(name + "/job.properties", "oozie.wf.application.path=.\nnameNode=hdfs://localhost:8020\njobTracker=localhost:8032\ndb.password=hunter2\n");
  }

  pid_t server_pid_ = -1;
  std::string url_;
};

TEST_F(ServerFixture, RemoteRunReturnsTheIdAndTheJobSucceedsInTheServer) {
  const auto props = App("hello", "echo hello");
  const auto run = Run({"job", "-oozie", url_, "-config", props.string(), "-run"});
  ASSERT_EQ(run.exit_code, 0) << run.out;
  const std::string id = ExtractJobId(run.out);
  ASSERT_THAT(id, HasSubstr("-W"));
  const std::string info = WaitForStatus(id, "SUCCEEDED");
  EXPECT_THAT(info, HasSubstr(id + "@sh"));
  EXPECT_THAT(Run({"jobs", "-oozie", url_}).out, HasSubstr(id));
  EXPECT_THAT(Run({"jobs", "-oozie", url_, "-filter", "status=KILLED"}).out, Not(HasSubstr(id)));
  EXPECT_THAT(Run({"job", "-oozie", url_, "-log", id}).out, HasSubstr("SUCCEEDED"));
  EXPECT_THAT(Run({"job", "-oozie", url_, "-definition", id}).out, HasSubstr("<workflow-app"));
  const auto conf = Run({"job", "-oozie", url_, "-configcontent", id}).out;
  EXPECT_THAT(conf, HasSubstr("db.password"));
  EXPECT_THAT(conf, Not(HasSubstr("hunter2")));
  EXPECT_THAT(Run({"admin", "-oozie", url_, "-status"}).out, HasSubstr("System mode: NORMAL"));
}

TEST_F(ServerFixture, RemoteKillStopsARunningJob) {
  const auto props = App("slow", "sleep 60");
  const std::string id = ExtractJobId(Run({"job", "-oozie", url_, "-config", props.string(), "-run"}).out);
  WaitForStatus(id, "RUNNING");
  const auto kill = Run({"job", "-oozie", url_, "-kill", id});
  EXPECT_EQ(kill.exit_code, 0) << kill.out;
  WaitForStatus(id, "KILLED");
}

TEST_F(ServerFixture, ErrorsFromTheServerReachTheUser) {
  const auto missing = Run({"job", "-oozie", url_, "-info", "0000000-000000000000000-nobody-W"});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_THAT(missing.out, HasSubstr("E0604"));
  setenv("REFINERY_TOKEN", "not-the-token-at-all", 1);
  const auto denied = Run({"job", "-oozie", url_, "-kill", "0000000-000000000000000-nobody-W"});
  unsetenv("REFINERY_TOKEN");
  EXPECT_NE(denied.exit_code, 0);
  EXPECT_THAT(denied.out, HasSubstr("token"));
  const auto unreachable = Run({"jobs", "-oozie", "http://127.0.0.1:1/oozie"});
  EXPECT_NE(unreachable.exit_code, 0);
  EXPECT_THAT(unreachable.out, HasSubstr("refinery server"));
}

// The first token in `out` that ends with `suffix`.
std::string ExtractJobIdAfter(const std::string& out, const std::string& suffix) {
  std::istringstream in(out);
  std::string token;
  while (in >> token) {
    if (token.size() > suffix.size() && token.compare(token.size() - suffix.size(), suffix.size(), suffix) == 0) {
      return token;
    }
  }
  return "";
}

TEST_F(ServerFixture, ACoordinatorCatchesUpItsPastActionsAndSucceeds) {
  App("hello", "echo hello");
  const auto now = std::chrono::system_clock::now();
  WriteFile("coord/coordinator.xml",
            "<coordinator-app xmlns=\"uri:oozie:coordinator:0.4\" name=\"every-minute\" frequency=\"${coord:minutes(1)}\" "
            "start=\"" + OozieMinute(now - std::chrono::minutes(2)) + "\" end=\"" + OozieMinute(now) +
                "\" timezone=\"UTC\"><action><workflow><app-path>file://" + (dir_ / "hello").string() +
                "</app-path><configuration><property><name>nameNode</name><value>hdfs://localhost:8020</value>"
                "</property><property><name>jobTracker</name><value>localhost:8032</value></property>"
                "</configuration></workflow></action></coordinator-app>");
  const auto props = WriteFile("coord/job.properties", "oozie.coord.application.path=.\n");
  const auto run = Run({"job", "-oozie", url_, "-config", props.string(), "-run"});
  ASSERT_EQ(run.exit_code, 0) << run.out;
  const std::string id = ExtractJobId(run.out);
  ASSERT_THAT(id, HasSubstr("-C"));
  std::string info;
  for (int i = 0; i < 600; ++i) {
    info = Run({"job", "-oozie", url_, "-info", id}).out;
    if (info.find("Status      : SUCCEEDED") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_THAT(info, HasSubstr("Status      : SUCCEEDED"));
  EXPECT_THAT(info, HasSubstr(id + "@1"));
  EXPECT_THAT(info, HasSubstr(id + "@2"));
  EXPECT_THAT(info, Not(HasSubstr(id + "@3")));  // the end is exclusive
  EXPECT_THAT(Run({"jobs", "-oozie", url_, "-jobtype", "coordinator"}).out, HasSubstr(id));
  const std::string workflow = ExtractJobIdAfter(Run({"jobs", "-oozie", url_}).out, "-W");
  EXPECT_THAT(Run({"job", "-oozie", url_, "-info", workflow}).out, HasSubstr("CoordAction ID: " + id + "@"));
}

TEST_F(ServerFixture, CoordinatorDryRunChangeAndIgnoreFromTheCli) {
  App("later", "echo later");
  WriteFile("coord/coordinator.xml",
            "<coordinator-app xmlns=\"uri:oozie:coordinator:0.4\" name=\"later\" frequency=\"60\" "
            "start=\"2099-01-01T00:00Z\" end=\"2099-01-01T03:00Z\" timezone=\"UTC\"><action><workflow><app-path>file://" +
                (dir_ / "later").string() + "</app-path></workflow></action></coordinator-app>");
  const auto props = WriteFile("coord/job.properties", "oozie.coord.application.path=.\n");
  const auto dry = Run({"job", "-oozie", url_, "-config", props.string(), "-dryrun"});
  ASSERT_EQ(dry.exit_code, 0) << dry.out;
  EXPECT_THAT(dry.out, HasSubstr("***total coord actions is 3 ***"));
  EXPECT_THAT(dry.out, HasSubstr("nominal-time=\"2099-01-01T02:00Z\""));
  EXPECT_THAT(Run({"jobs", "-oozie", url_, "-jobtype", "coordinator"}).out, Not(HasSubstr("-C")));

  const auto run = Run({"job", "-oozie", url_, "-config", props.string(), "-run"});
  ASSERT_EQ(run.exit_code, 0) << run.out;
  const std::string id = ExtractJobId(run.out);
  const auto change = Run({"job", "-oozie", url_, "-change", id, "-value", "endtime=2099-01-01T02:00Z;concurrency=2"});
  EXPECT_EQ(change.exit_code, 0) << change.out;
  EXPECT_THAT(Run({"job", "-oozie", url_, "-info", id}).out, HasSubstr("End Time    : Thu, 01 Jan 2099 02:00:00 GMT"));
  const auto bad = Run({"job", "-oozie", url_, "-change", id, "-value", "endtime=never"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.out, HasSubstr("E1015"));
  const auto ignore = Run({"job", "-oozie", url_, "-ignore", id, "-action", "1"});
  EXPECT_EQ(ignore.exit_code, 2);
  EXPECT_THAT(ignore.out, HasSubstr("E0605"));  // nothing is materialized before 2099
}

TEST_F(ServerFixture, SigtermStopsCleanlyAndTheTokenStaysOutOfTheLog) {
  ::kill(server_pid_, SIGTERM);
  EXPECT_EQ(Wait(server_pid_), 0);
  server_pid_ = -1;
  EXPECT_FALSE(std::filesystem::exists(home_ / "server.url"));
  const std::string token = ReadFile(home_ / "server.token").substr(0, 64);
  ASSERT_EQ(token.size(), 64u);
  // stderr is a file here, as under a service manager's journal: the token
  // is printed only to a terminal, so this output names the file instead.
  EXPECT_THAT(ReadFile(dir_ / "server.log"), HasSubstr("A new server token was written to"));
  EXPECT_THAT(ReadFile(dir_ / "server.log"), Not(HasSubstr(token)));
  const std::string log_file = ReadFile(home_ / "logs" / "server.log");
  EXPECT_THAT(log_file, HasSubstr("stopped"));
  EXPECT_THAT(log_file, Not(HasSubstr(token)));
}

}  // namespace
}  // namespace refinery::cli::testing
