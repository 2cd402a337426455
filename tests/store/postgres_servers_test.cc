// Several `refinery server` processes on one PostgreSQL store and one data
// home (doc/operations.md, "Several servers"): killed at random moments and
// restarted while workflows and a coordinator run, they still run every
// action at most once, materialize every nominal time exactly once, leave
// nothing RUNNING, and each serves every job. A server stopped (SIGSTOP)
// past its lease finds its job taken over when it wakes and writes nothing
// more for it.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "cli/cli_test_support.h"
#include "cli/server_http.h"
#include "store/store.h"
#include "store_backend.h"
#include "support/free_port.h"

namespace refinery::cli::testing {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;

std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class SeveralServersTest : public CliFixture {
 protected:
  struct Server {
    pid_t pid = -1;
    std::string url;         // http://127.0.0.1:<port>/oozie
    std::string process_id;  // as the store knows it
    std::filesystem::path log;
  };

  void SetUp() override {
    CliFixture::SetUp();
    location_ = store::testing::NewStoreLocation("postgresql");
    ASSERT_FALSE(location_.empty());
    auto store = store::OpenStore(location_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    ledger_ = dir_ / "ledger.txt";
  }

  void TearDown() override {
    for (Server& server : servers_) Stop(server, SIGKILL);
    store_.reset();
    CliFixture::TearDown();
  }

  // Starts a server on a free loopback port and waits until it has
  // registered its URL in the store.
  Server StartServer() {
    Server server;
    const int port = ::refinery::testing::FreeLoopbackPort();
    server.url = "http://127.0.0.1:" + std::to_string(port) + "/oozie";
    server.log = dir_ / ("server-" + std::to_string(started_++) + ".log");
    server.pid =
        Spawn({"server", "--port", std::to_string(port), "--store", location_, "--lease-ttl", "2"}, server.log);
    const auto deadline = Clock::now() + std::chrono::seconds(30);
    while (Clock::now() < deadline && server.process_id.empty()) {
      auto processes = store_->ListProcesses();
      if (processes.ok()) {
        for (const auto& process : *processes) {
          if (process.pid == server.pid && process.url == server.url) server.process_id = process.id;
        }
      }
      if (server.process_id.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_FALSE(server.process_id.empty()) << "the server did not start:\n" << ReadAll(server.log);
    return server;
  }

  static void Stop(Server& server, int signal) {
    if (server.pid <= 0) return;
    ::kill(server.pid, SIGCONT);
    ::kill(server.pid, signal);
    Wait(server.pid);
    server.pid = -1;
  }

  // A chain of `steps` shell actions; each appends "<job>@<node> <pid>" to
  // the ledger, so an action run twice shows twice.
  std::filesystem::path ChainApp(const std::string& name, int steps, const std::string& sleep_before,
                                 const std::string& sleep_after) {
    std::string xml = "<workflow-app xmlns=\"uri:oozie:workflow:0.5\" name=\"" + name + "\">\n<start to=\"a1\"/>\n";
    for (int i = 1; i <= steps; ++i) {
      const std::string node = "a" + std::to_string(i);
      const std::string next = i == steps ? "end" : "a" + std::to_string(i + 1);
      xml += "<action name=\"" + node +
             "\"><shell xmlns=\"uri:oozie:shell-action:0.3\"><job-tracker>jt</job-tracker><name-node>nn</name-node>"
             "<exec>/bin/sh</exec><argument>-c</argument><argument>sleep " +
             sleep_before + "; echo \"${wf:id()}@" + node + " $PPID\" &gt;&gt; " + ledger_.string() + "; sleep " +
             sleep_after + "</argument></shell><ok to=\"" + next + "\"/><error to=\"fail\"/></action>\n";
    }
    xml += "<kill name=\"fail\"><message>failed</message></kill>\n<end name=\"end\"/>\n</workflow-app>\n";
    WriteFile(name + "/workflow.xml", xml);
    return WriteFile(name + "/job.properties", "oozie.wf.application.path=.\n");
  }

  std::string Submit(const Server& server, const std::filesystem::path& properties) {
    const auto run = Run({"job", "-oozie", server.url, "-config", properties.string(), "-run"});
    EXPECT_EQ(run.exit_code, 0) << run.out;
    return ExtractJobId(run.out);
  }

  std::string LeaseOwner(const std::string& job_id) {
    auto leases = store_->ListLeases("workflow:" + job_id);
    if (!leases.ok() || leases->empty()) return "";
    return (*leases)[0].owner;
  }

  std::map<std::string, int> LedgerCounts() {
    std::map<std::string, int> counts;
    std::ifstream in(ledger_);
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) ++counts[line.substr(0, line.find(' '))];
    }
    return counts;
  }

  // Every workflow job in the store, with its actions checked against the
  // ledger: nothing left RUNNING, each OK action in the ledger exactly once,
  // a SUSPENDED job only for an action a kill interrupted.
  void CheckWorkflows(const std::map<std::string, int>& ledger) {
    auto page = store_->ListJobs({}, 0, 1000);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    for (const auto& job : page->jobs) {
      EXPECT_TRUE(job.status == "SUCCEEDED" || job.status == "SUSPENDED") << job.id << " is " << job.status;
      auto actions = store_->ListActions(job.id);
      ASSERT_TRUE(actions.ok());
      bool interrupted = false;
      for (const auto& action : *actions) {
        if (action.type != "shell") continue;
        const auto seen = ledger.find(action.id);
        if (action.status == "OK") {
          EXPECT_TRUE(seen != ledger.end() && seen->second == 1)
              << action.id << " is OK but ran " << (seen == ledger.end() ? 0 : seen->second);
        }
        interrupted = interrupted || action.status == "START_MANUAL" || action.status == "END_MANUAL";
        EXPECT_NE(action.status, "RUNNING") << action.id;
      }
      if (job.status == "SUSPENDED") {
        EXPECT_TRUE(interrupted) << job.id << " is SUSPENDED with no interrupted action";
      }
    }
  }

  std::string location_;
  std::unique_ptr<store::Store> store_;
  std::filesystem::path ledger_;
  std::vector<Server> servers_;
  int started_ = 0;
};

bool Settled(const std::string& status) { return status != "RUNNING" && status != "PREP"; }

TEST_F(SeveralServersTest, KilledServersLoseNothingAndRunNothingTwice) {
  constexpr int kServers = 3;
  constexpr int kWorkflows = 6;
  constexpr int kNominalTimes = 20;
  constexpr int kKills = 8;
  const auto chain = ChainApp("chain", 4, "0.3", "0.3");
  ChainApp("tick", 1, "0.2", "0.3");
  const auto now = std::chrono::system_clock::now();
  WriteFile("coord/coordinator.xml",
            "<coordinator-app xmlns=\"uri:oozie:coordinator:0.4\" name=\"ticks\" frequency=\"1\" start=\"" +
                OozieMinute(now - std::chrono::minutes(kNominalTimes)) + "\" end=\"" + OozieMinute(now) +
                "\" timezone=\"UTC\"><controls><concurrency>" + std::to_string(kNominalTimes) +
                "</concurrency><throttle>" + std::to_string(kNominalTimes) +
                "</throttle></controls><action><workflow><app-path>file://" + (dir_ / "tick").string() +
                "</app-path></workflow></action></coordinator-app>");
  const auto coord_props = WriteFile("coord/job.properties", "oozie.coord.application.path=.\n");

  for (int i = 0; i < kServers; ++i) servers_.push_back(StartServer());
  ASSERT_FALSE(HasFailure());
  std::vector<std::string> workflows;
  for (int i = 0; i < kWorkflows; ++i) workflows.push_back(Submit(servers_[i % kServers], chain));
  const std::string coordinator = Submit(servers_[1], coord_props);
  ASSERT_FALSE(coordinator.empty());

  // Jobs a killed server held while they were still running: each must be
  // taken over by another process.
  std::map<std::string, std::string> orphaned;  // job id -> the killed process
  std::mt19937 random(20261202);
  std::uniform_int_distribution<int> pause_ms(200, 1200);
  std::uniform_int_distribution<int> victim(0, kServers - 1);
  for (int kill = 0; kill < kKills; ++kill) {
    // A new workflow each round, so kills find jobs at every stage.
    workflows.push_back(Submit(servers_[victim(random)], chain));
    std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms(random)));
    Server& server = servers_[victim(random)];
    auto leases = store_->ListLeases("workflow:");
    Stop(server, SIGKILL);
    if (leases.ok()) {
      for (const auto& lease : *leases) {
        if (lease.owner != server.process_id) continue;
        const std::string id = lease.resource.substr(9);
        auto job = store_->GetJob(id);
        if (job.ok() && job->status == "RUNNING") orphaned[id] = server.process_id;
      }
    }
    server = StartServer();
    ASSERT_FALSE(HasFailure());
  }

  // Until everything has settled: every workflow and every nominal time.
  bool settled = false;
  const auto deadline = Clock::now() + std::chrono::seconds(60);
  while (!settled && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    auto running = store_->ListJobs({.statuses = {"RUNNING", "PREP"}}, 0, 0);
    auto actions = store_->ListCoordinatorActions(coordinator);
    if (!running.ok() || !actions.ok() || running->total > 0) continue;
    settled = actions->size() == static_cast<size_t>(kNominalTimes);
    for (const auto& action : *actions) {
      settled = settled && !action.external_id.empty() && Settled(store_->GetJob(action.external_id)->status);
    }
  }
  ASSERT_TRUE(settled) << "jobs still running after 60 s";

  // Every nominal time materialized once, with at most one workflow each.
  const auto actions = store_->ListCoordinatorActions(coordinator).value();
  std::set<int64_t> numbers;
  for (const auto& action : actions) {
    EXPECT_TRUE(numbers.insert(action.action_number).second) << action.id;
    auto children = store_->ListJobs({.parent_id = action.id}, 0, 10).value();
    EXPECT_LE(children.total, 1) << action.id << " started " << children.total << " workflows";
  }
  EXPECT_EQ(numbers.size(), static_cast<size_t>(kNominalTimes));
  EXPECT_EQ(*numbers.begin(), 1);
  EXPECT_EQ(*numbers.rbegin(), kNominalTimes);

  const auto ledger = LedgerCounts();
  for (const auto& [action, count] : ledger) EXPECT_EQ(count, 1) << action << " ran " << count << " times";
  CheckWorkflows(ledger);
  EXPECT_FALSE(orphaned.empty()) << "no kill hit a running job; the test proved nothing about takeovers";
  for (const auto& [id, process] : orphaned) {
    // Taken from the dead owner's lease, or (when another process had
    // already cleared the dead one's rows) found without one.
    const std::string log = store_->ReadLog(id).value();
    EXPECT_TRUE(log.find("Taken over from process [" + process + "]") != std::string::npos ||
                log.find("Recovering job after a restart") != std::string::npos)
        << id << " was never taken over:\n"
        << log;
  }
  const auto suspended = store_->ListJobs({.statuses = {"SUSPENDED"}}, 0, 0).value().total;
  std::printf(
      "[ figure   ] %d kills; %zu running jobs taken over; %d suspended on an interrupted shell action; "
      "%zu ledger lines\n",
      kKills, orphaned.size(), suspended, ledger.size());

  // Any process's API serves any job.
  for (const Server& server : servers_) {
    for (const std::string& id : {workflows.front(), workflows.back(), coordinator}) {
      const auto info = Run({"job", "-oozie", server.url, "-info", id});
      EXPECT_EQ(info.exit_code, 0) << server.url << " " << id << ": " << info.out;
      EXPECT_THAT(info.out, HasSubstr(id));
    }
  }
  for (Server& server : servers_) Stop(server, SIGTERM);
}

TEST_F(SeveralServersTest, StalledServerFindsItsJobTakenOverAndWritesNothingMore) {
  servers_.push_back(StartServer());
  servers_.push_back(StartServer());
  ASSERT_FALSE(HasFailure());
  // The first action outlives the stall: its line comes at most once.
  const auto app = ChainApp("slow", 2, "3", "0");
  const std::string id = Submit(servers_[0], app);
  ASSERT_FALSE(id.empty());
  const auto deadline = Clock::now() + std::chrono::seconds(20);
  while (Clock::now() < deadline) {
    auto action = store_->GetAction(id + "@a1");
    if (LeaseOwner(id) == servers_[0].process_id && action.ok() && action->status == "RUNNING") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(LeaseOwner(id), servers_[0].process_id);

  ::kill(servers_[0].pid, SIGSTOP);
  while (Clock::now() < deadline && LeaseOwner(id) != servers_[1].process_id) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(LeaseOwner(id), servers_[1].process_id) << "the stalled server's job was not taken over";
  ::kill(servers_[0].pid, SIGCONT);

  // The woken server notices and drops the job; the new owner decides its fate.
  std::string log;
  while (Clock::now() < deadline && log.find("job " + id + ": lost its lease") == std::string::npos) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    log = ReadAll(servers_[0].log);
  }
  EXPECT_THAT(log, HasSubstr("job " + id + ": lost its lease"));
  std::string status;
  while (Clock::now() < deadline) {
    status = store_->GetJob(id)->status;
    if (Settled(status)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  // a1 was running when the job changed hands: a shell action is not
  // idempotent, so the new owner leaves it to a person (Oozie's semantics).
  EXPECT_EQ(status, "SUSPENDED");
  const std::string a1 = store_->GetAction(id + "@a1")->status;
  EXPECT_TRUE(a1 == "START_MANUAL" || a1 == "END_MANUAL") << a1;
  EXPECT_THAT(store_->ReadLog(id).value(), HasSubstr("Taken over from process [" + servers_[0].process_id + "]"));
  std::this_thread::sleep_for(std::chrono::seconds(1));  // a1's shell, if it outlived the drop, has ended
  EXPECT_LE(LedgerCounts()[id + "@a1"], 1);
  EXPECT_EQ(store_->GetAction(id + "@a1")->status, a1) << "the stalled server wrote after losing the job";
  for (Server& server : servers_) Stop(server, SIGTERM);
}

// A kill sent to a server that does not run the job reaches the one that
// does, through the store; before it, /metrics and `admin -status` show who
// runs the job.
TEST_F(SeveralServersTest, KillThroughAnotherServerStopsTheJobWhereItRuns) {
  servers_.push_back(StartServer());
  servers_.push_back(StartServer());
  ASSERT_FALSE(HasFailure());
  const std::string id = Submit(servers_[0], ChainApp("long", 2, "5", "0"));
  ASSERT_FALSE(id.empty());
  const auto deadline = Clock::now() + std::chrono::seconds(20);
  while (Clock::now() < deadline && LeaseOwner(id) != servers_[0].process_id) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(LeaseOwner(id), servers_[0].process_id);

  // Who runs what, as any server's /metrics and `admin -status` show it.
  const std::string base = servers_[1].url.substr(0, servers_[1].url.rfind("/oozie"));
  const std::string metrics = CallServer(base, "GET", "/metrics").body;
  EXPECT_THAT(metrics, ContainsRegex("\nrefinery_processes [0-9]+\n"));
  EXPECT_THAT(metrics, HasSubstr("refinery_leases{owner=\"" + servers_[0].process_id + "\"} "));
  EXPECT_THAT(metrics, HasSubstr("refinery_lease_takeovers_total{process=\"" + servers_[1].process_id + "\"} 0"));
  ::setenv("REFINERY_STORE", location_.c_str(), 1);
  const auto admin = Run({"admin", "-status"});
  ::unsetenv("REFINERY_STORE");
  EXPECT_EQ(admin.exit_code, 0) << admin.out;
  EXPECT_THAT(admin.out, HasSubstr(servers_[0].process_id + "  " + servers_[0].url));
  EXPECT_THAT(admin.out, HasSubstr("workflow:" + id + "  owner " + servers_[0].process_id));

  const auto kill = Run({"job", "-oozie", servers_[1].url, "-kill", id});
  EXPECT_EQ(kill.exit_code, 0) << kill.out;
  std::string status;
  while (Clock::now() < deadline && status != "KILLED") {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    status = store_->GetJob(id)->status;
  }
  EXPECT_EQ(status, "KILLED");
  EXPECT_EQ(LedgerCounts().count(id + "@a1"), 0u) << "the killed action ran to its end";
  for (Server& server : servers_) Stop(server, SIGTERM);
}

}  // namespace
}  // namespace refinery::cli::testing
