// Kills `refinery server` with SIGKILL at many random points while
// coordinators catch up on their past nominal times, restarts it each time,
// and checks the scheduler's promise: in the end every coordinator has
// exactly one action per nominal time — no gaps, no duplicates — and exactly
// one workflow per action.
#include <chrono>
#include <ctime>
#include <random>
#include <set>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli/cli_test_support.h"
#include "core/time_format.h"
#include "store/store.h"

namespace refinery::cli::testing {
namespace {

constexpr int kCoordinators = 3;
constexpr int kActions = 30;  // past nominal times per coordinator, one minute apart

class ServerCrashTest : public CliFixture {
 protected:
  // Starts a server and waits until it listens; returns its pid.
  pid_t StartServer(std::string* url) {
    std::filesystem::remove(home_ / "server.url");  // a killed server leaves its URL behind
    const pid_t pid = Spawn({"server", "--port", "0"}, dir_ / ("server-" + std::to_string(starts_++) + ".log"));
    url->clear();
    for (int i = 0; i < 600 && url->empty(); ++i) {
      std::ifstream in(home_ / "server.url");
      std::getline(in, *url);
      if (url->empty()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_FALSE(url->empty()) << "server did not start";
    return pid;
  }

  int starts_ = 0;
};

TEST_F(ServerCrashTest, KillNineAtRandomPointsLeavesExactlyOneActionAndWorkflowPerNominalTime) {
  WriteFile("wf/workflow.xml", R"(<workflow-app xmlns="uri:oozie:workflow:0.5" name="tick">
  <global><name-node>hdfs://n</name-node></global>
  <start to="t"/>
  <action name="t"><fs><mkdir path="/ticks/${wf:id()}"/></fs><ok to="end"/><error to="k"/></action>
  <kill name="k"><message>x</message></kill>
  <end name="end"/>
</workflow-app>)");
  const auto now = std::chrono::system_clock::now();
  WriteFile("coord/coordinator.xml",
            "<coordinator-app xmlns=\"uri:oozie:coordinator:0.4\" name=\"tick\" frequency=\"1\" start=\"" +
                OozieMinute(now - std::chrono::minutes(kActions)) + "\" end=\"" + OozieMinute(now) +
                "\" timezone=\"UTC\"><controls><concurrency>2</concurrency><throttle>5</throttle></controls>"
                "<action><workflow><app-path>file://" + (dir_ / "wf").string() +
                "</app-path></workflow></action></coordinator-app>");
  const auto props = WriteFile("coord/job.properties", "oozie.coord.application.path=.\n");

  std::string url;
  pid_t server = StartServer(&url);
  std::vector<std::string> ids;
  for (int i = 0; i < kCoordinators; ++i) {
    const auto run = Run({"job", "-oozie", url, "-config", props.string(), "-run"});
    ASSERT_EQ(run.exit_code, 0) << run.out;
    ids.push_back(ExtractJobId(run.out));
  }
  std::mt19937 random(20261201);
  std::uniform_int_distribution<int> pause_ms(20, 250);
  for (int crash = 0; crash < 12; ++crash) {
    std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms(random)));
    ::kill(server, SIGKILL);
    Wait(server);
    server = StartServer(&url);
  }
  // The last server runs until every coordinator is done.
  for (int i = 0; i < 1200; ++i) {
    int done = 0;
    for (const auto& id : ids) {
      if (Run({"job", "-oozie", url, "-info", id}).out.find("Status      : SUCCEEDED") != std::string::npos) ++done;
    }
    if (done == kCoordinators) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ::kill(server, SIGTERM);
  EXPECT_EQ(Wait(server), 0);

  auto store = store::OpenSqliteStore((home_ / "state.db").string());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  for (const auto& id : ids) {
    EXPECT_EQ((*store)->GetCoordinatorJob(id).value().status, "SUCCEEDED") << id;
    const auto actions = (*store)->ListCoordinatorActions(id).value();
    ASSERT_EQ(actions.size(), static_cast<size_t>(kActions)) << id;
    std::set<int64_t> nominal_times;
    for (size_t n = 0; n < actions.size(); ++n) {
      const auto& action = actions[n];
      EXPECT_EQ(action.action_number, static_cast<int64_t>(n + 1));
      nominal_times.insert(action.nominal_ms);
      EXPECT_EQ(action.status, "SUCCEEDED") << action.id;
      store::JobFilter filter;
      filter.parent_id = action.id;
      EXPECT_EQ((*store)->ListJobs(filter, 0, 10).value().total, 1) << "workflows of " << action.id;
    }
    EXPECT_EQ(nominal_times.size(), static_cast<size_t>(kActions));  // no two actions share a nominal time
    EXPECT_EQ(*nominal_times.rbegin() - *nominal_times.begin(), int64_t{kActions - 1} * 60000);  // and no gaps
  }
}

}  // namespace
}  // namespace refinery::cli::testing
