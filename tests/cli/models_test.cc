// The model registry and the prediction service as users meet them: a
// workflow trains and publishes through the gate, `refinery models` promotes
// and rolls back, `refinery server` answers predictions over HTTP, swaps
// versions under load without a failed request, rolls back a version whose
// predictions drift, and `--serve-only` replicas follow the swaps.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/cli_test_support.h"
#include "cli/server_http.h"

namespace refinery::cli::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kRow[] =
    R"({"age":30,"job":"unemployed","marital":"married","education":"primary","default":"no","balance":1787,)"
    R"("housing":"no","loan":"no","contact":"cellular","day":19,"month":"oct","campaign":1,"pdays":-1,)"
    R"("previous":0,"poutcome":"unknown"})";

class ModelsFixture : public CliFixture {
 protected:
  void TearDown() override {
    for (pid_t pid : servers_) {
      ::kill(pid, SIGKILL);
      Wait(pid);
    }
    CliFixture::TearDown();
  }

  // Trains on the bank data and publishes as model `bank` with `gate` (extra
  // <publish> children); returns the run's output.
  CommandResult TrainAndPublish(const std::string& gate, int rounds = 5) {
    WriteFile("app/workflow.xml", R"(<workflow-app xmlns="uri:oozie:workflow:0.5" name="train-publish">
  <start to="train"/>
  <action name="train">
    <train xmlns="uri:refinery:train-action:1.0">
      <input>file://)" + std::string(REFINERY_SOURCE_DIR) + R"(/examples/data/bank_marketing.csv</input>
      <target>y</target>
      <exclude>duration</exclude>
      <param name="rounds">${rounds}</param>
      <model-dir>/user/refinedzone/model</model-dir>
    </train>
    <ok to="publish"/>
    <error to="fail"/>
  </action>
  <action name="publish">
    <publish xmlns="uri:refinery:publish-action:1.0">
      <model>bank</model>
      <bundle>${wf:actionData('train')['bundle']}</bundle>
      )" + gate + R"(
    </publish>
    <ok to="end"/>
    <error to="fail"/>
  </action>
  <kill name="fail"><message>${wf:errorMessage(wf:lastErrorNode())}</message></kill>
  <end name="end"/>
</workflow-app>)");
    const auto props = WriteFile("app/job.properties", "oozie.wf.application.path=.\nrounds=" + std::to_string(rounds) + "\n");
    return Run({"job", "-config", props.string(), "-run", "-verbose"});
  }

  // Starts a server (args after "server") and returns its pid.
  pid_t SpawnServer(const std::vector<std::string>& extra) {
    std::vector<std::string> args = {"server", "--port", "0"};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto log = dir_ / ("server-" + std::to_string(servers_.size()) + ".log");
    servers_.push_back(Spawn(args, log));
    return servers_.back();
  }

  std::string StartServer(const std::vector<std::string>& extra) {
    SpawnServer(extra);
    return WaitForUrl(home_ / "server.url");
  }

  // The server writes its URL once it listens; wait for that, not a time.
  static std::string WaitForUrl(const std::filesystem::path& url_file) {
    std::string url;
    for (int i = 0; i < 600 && url.empty(); ++i) {
      std::ifstream in(url_file);
      std::getline(in, url);
      if (url.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_FALSE(url.empty()) << "the server never wrote " << url_file;
    return url.substr(0, url.rfind("/oozie"));
  }

  static serve::HttpReply Call(const std::string& base, const std::string& method, const std::string& target,
                               const std::string& body = "", const std::string& token = "") {
    return CallServer(base, method, target, body, token);
  }


  std::string Token() {
    std::ifstream in(home_ / "server.token");
    std::string token;
    std::getline(in, token);
    return token;
  }

  // Polls until a prediction is answered by `version`.
  bool WaitForServedVersion(const std::string& base, int version) {
    for (int i = 0; i < 400; ++i) {
      const auto reply = Call(base, "POST", "/api/v1/models/bank/predict", kRow);
      if (reply.status == 200 && reply.Header("x-refinery-model-version") == std::to_string(version)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    return false;
  }

  std::vector<pid_t> servers_;
};

TEST_F(ModelsFixture, PublishPromotesThroughTheGateOrKeepsACandidate) {
  const auto first = TrainAndPublish("<require>auc &gt;= 0.6</require>");
  ASSERT_EQ(first.exit_code, 0) << first.out;
  EXPECT_THAT(first.out, HasSubstr("promoted to production"));
  // A threshold the model cannot meet keeps it a candidate; on-reject ok lets the job succeed.
  const auto second = TrainAndPublish("<require>auc &gt;= 0.99</require>");
  ASSERT_EQ(second.exit_code, 0) << second.out;
  EXPECT_THAT(second.out, HasSubstr("kept as candidate: auc"));
  // Champion/challenger: both versions scored on the new holdout.
  const auto third = TrainAndPublish("<champion-margin>0.5</champion-margin>");
  ASSERT_EQ(third.exit_code, 0) << third.out;
  EXPECT_THAT(third.out, HasSubstr("on the new holdout: new"));
  EXPECT_THAT(third.out, HasSubstr("production v1"));
  const auto rejected = TrainAndPublish("<require>auc &gt;= 0.99</require><on-reject>error</on-reject>");
  EXPECT_NE(rejected.exit_code, 0);
  EXPECT_THAT(rejected.out, HasSubstr("status: KILLED"));
  EXPECT_THAT(rejected.out, HasSubstr("was kept as a candidate: auc"));

  const auto show = Run({"models", "show", "bank", "--json"});
  ASSERT_EQ(show.exit_code, 0) << show.out;
  const auto json = nlohmann::json::parse(show.out);
  ASSERT_EQ(json["versions"].size(), 4u);
  EXPECT_EQ(json["versions"][0]["stage"], "archived");
  EXPECT_EQ(json["versions"][1]["stage"], "candidate");
  EXPECT_EQ(json["versions"][2]["stage"], "production");
  EXPECT_EQ(json["versions"][3]["stage"], "candidate");
  EXPECT_GT(json["versions"][2]["metrics"]["auc"].get<double>(), 0.6);
  EXPECT_EQ(json["log"][0]["kind"], "rejected");
  const auto diff = Run({"models", "diff", "bank", "1", "3"});
  EXPECT_THAT(diff.out, HasSubstr("auc"));
}

TEST_F(ModelsFixture, CliPromoteAndRollbackWriteTheDeploymentLog) {
  ASSERT_EQ(TrainAndPublish("").exit_code, 0);
  ASSERT_EQ(TrainAndPublish("<require>auc &gt;= 0.99</require>").exit_code, 0);
  const auto nothing_before = Run({"models", "rollback", "bank"});
  EXPECT_NE(nothing_before.exit_code, 0);
  EXPECT_THAT(nothing_before.out, HasSubstr("replaced no earlier version"));
  const auto promote = Run({"models", "promote", "bank", "2", "--reason", "reviewed by ML team"});
  ASSERT_EQ(promote.exit_code, 0) << promote.out;
  const auto rollback = Run({"models", "rollback", "bank", "--reason", "bad leads"});
  ASSERT_EQ(rollback.exit_code, 0) << rollback.out;
  EXPECT_THAT(rollback.out, HasSubstr("version 1 is production"));
  const auto show = Run({"models", "show", "bank"});
  EXPECT_THAT(show.out, HasSubstr("rolled-back"));
  EXPECT_THAT(show.out, HasSubstr("bad leads"));
  EXPECT_THAT(show.out, HasSubstr("reviewed by ML team"));
  const auto row = WriteFile("lead.json", kRow);
  const auto predicted = Run({"predict", "bank", row.string()});
  ASSERT_EQ(predicted.exit_code, 0) << predicted.out;
  EXPECT_THAT(predicted.out, HasSubstr("\"version\":1"));
  const auto pinned = Run({"predict", "bank", row.string(), "--version", "2", "--explain"});
  EXPECT_THAT(pinned.out, HasSubstr("\"version\":2"));
  EXPECT_THAT(pinned.out, HasSubstr("factors"));
  const auto refused = Run({"predict", "bank", WriteFile("bad.json", R"({"age":"x"})").string()});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_THAT(refused.out, HasSubstr("wrong_type"));
  const auto unknown = Run({"models", "promote", "bank", "9"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_THAT(unknown.out, HasSubstr("has no version 9"));
  EXPECT_THAT(Run({"models", "list"}).out, HasSubstr("bank"));
}

TEST_F(ModelsFixture, PredictionApiValidatesScoresAndNamesTheVersion) {
  ASSERT_EQ(TrainAndPublish("").exit_code, 0);
  const std::string base = StartServer({});
  auto reply = Call(base, "POST", "/api/v1/models/bank/predict", kRow);
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.Header("x-refinery-model-version"), "1");
  auto json = nlohmann::json::parse(reply.body);
  EXPECT_EQ(json["model"], "bank");
  EXPECT_EQ(json["version"], 1);
  const double probability = json["prediction"]["probability"].get<double>();
  EXPECT_GT(probability, 0.0);
  EXPECT_LT(probability, 1.0);

  reply = Call(base, "POST", "/api/v1/models/bank/predict?explain=true", std::string("[") + kRow + "," + kRow + "]");
  ASSERT_EQ(reply.status, 200) << reply.body;
  json = nlohmann::json::parse(reply.body);
  ASSERT_EQ(json["predictions"].size(), 2u);
  EXPECT_DOUBLE_EQ(json["predictions"][0]["probability"].get<double>(), probability);
  EXPECT_FALSE(json["predictions"][0]["explanation"]["factors"].empty());

  nlohmann::json bad = nlohmann::json::parse(kRow);
  bad["age"] = "thirty";
  bad["shoe_size"] = 42;
  bad.erase("poutcome");
  bad["balance"] = 1e12;
  reply = Call(base, "POST", "/api/v1/models/bank/predict", bad.dump());
  ASSERT_EQ(reply.status, 400) << reply.body;
  json = nlohmann::json::parse(reply.body);
  std::vector<std::string> problems;
  for (const auto& error : json["errors"]) problems.push_back(error["field"].get<std::string>() + ":" + error["problem"].get<std::string>());
  EXPECT_THAT(problems, ::testing::UnorderedElementsAre("age:wrong_type", "shoe_size:unknown_field",
                                                        "poutcome:missing_field", "balance:out_of_range"));

  nlohmann::json unseen = nlohmann::json::parse(kRow);
  unseen["job"] = "astronaut";
  unseen["age"] = "";  // read as the pipeline reads it: empty text is a missing value, not a wrong type
  reply = Call(base, "POST", "/api/v1/models/bank/predict", unseen.dump());
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_THAT(reply.body, HasSubstr("unseen_category"));

  reply = Call(base, "POST", "/api/v1/models/bank/predict.csv",
               "id,age,job,marital,education,default,balance,housing,loan,contact,day,month,campaign,pdays,previous,poutcome\n"
               "lead-1,30,unemployed,married,primary,no,1787,no,no,cellular,19,oct,1,-1,0,unknown\n"
               "\"lead,2\",33,services,married,secondary,no,4789,yes,yes,cellular,11,may,1,339,4,failure\n");
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_THAT(reply.Header("content-type"), HasSubstr("text/csv"));
  EXPECT_THAT(reply.body, HasSubstr("predicted_label,probability,model_version\nlead-1,"));
  EXPECT_THAT(reply.body, HasSubstr("\"lead,2\",33"));

  reply = Call(base, "GET", "/api/v1/openapi.json");
  ASSERT_EQ(reply.status, 200);
  json = nlohmann::json::parse(reply.body);
  EXPECT_EQ(json["openapi"], "3.0.3");
  EXPECT_TRUE(json["components"]["schemas"]["bankInput"]["properties"].contains("job"));
  EXPECT_TRUE(json["paths"].contains("/api/v1/models/bank/predict"));

  EXPECT_EQ(Call(base, "POST", "/api/v1/models/nope/predict", kRow).status, 404);
  EXPECT_EQ(Call(base, "POST", "/api/v1/models/bank/predict", "{not json").status, 400);
  EXPECT_EQ(Call(base, "POST", "/api/v1/models/bank/promote", R"({"version":1})").status, 401);
  EXPECT_THAT(Call(base, "GET", "/metrics").body, HasSubstr("refinery_predictions_total{model=\"bank\",version=\"1\""));
}

TEST_F(ModelsFixture, HotSwapUnderLoadFailsNoRequest) {
  ASSERT_EQ(TrainAndPublish("").exit_code, 0);
  ASSERT_EQ(TrainAndPublish("<require>auc &gt;= 0.99</require>", 8).exit_code, 0);
  // Identical rows would look like drift to the health check; this test is about swaps.
  WriteFile("home/refinery.properties", "refinery.serve.rollback.enabled=false\n");
  const std::string base = StartServer({});
  const std::string token = Token();
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0}, answered{0};
  std::vector<std::thread> clients;
  std::mutex latency_mu;
  std::vector<double> steady, swapping;  // latencies before and during the swaps
  std::atomic<bool> swaps_started{false};
  for (int c = 0; c < 4; ++c) {
    clients.emplace_back([&] {
      while (!stop.load()) {
        const auto began = std::chrono::steady_clock::now();
        const auto reply = Call(base, "POST", "/api/v1/models/bank/predict", kRow);
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - began).count();
        const std::string version = reply.Header("x-refinery-model-version");
        if (reply.status != 200 || (version != "1" && version != "2")) failures.fetch_add(1);
        answered.fetch_add(1);
        std::lock_guard<std::mutex> lock(latency_mu);
        (swaps_started.load() ? swapping : steady).push_back(ms);
      }
    });
  }
  // 20 swaps: promote 2, roll back to 1, and again.
  auto swap = [&]() -> std::string {
    for (int round = 0; round < 10; ++round) {
      auto promoted = Call(base, "POST", "/api/v1/models/bank/promote", R"({"version":2,"reason":"load test"})", token);
      if (promoted.status != 200) return "promote: " + promoted.body;
      if (!WaitForServedVersion(base, 2)) return "version 2 never served";
      auto rolled = Call(base, "POST", "/api/v1/models/bank/rollback", R"({"reason":"load test"})", token);
      if (rolled.status != 200) return "rollback: " + rolled.body;
      if (!WaitForServedVersion(base, 1)) return "version 1 never served again";
    }
    return "";
  };
  while (answered.load() < 400) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  swaps_started.store(true);
  const std::string swap_error = swap();
  stop.store(true);
  for (auto& client : clients) client.join();
  ASSERT_EQ(swap_error, "");
  EXPECT_EQ(failures.load(), 0) << "of " << answered.load() << " requests";
  EXPECT_GT(answered.load(), 100);
  // Reported, not asserted: tests never judge wall-clock time.
  auto p99 = [](std::vector<double> values) {
    std::sort(values.begin(), values.end());
    return values.empty() ? 0.0 : values[values.size() * 99 / 100];
  };
  std::printf("[ info ] %zu requests steady, p99 %.2f ms; %zu during 20 swaps, p99 %.2f ms\n", steady.size(),
              p99(steady), swapping.size(), p99(swapping));
  const auto log = Call(base, "GET", "/api/v1/models/bank/log");
  EXPECT_EQ(nlohmann::json::parse(log.body)["log"].size(), 4u + 20u);
}

TEST_F(ModelsFixture, DriftingPredictionsRollTheNewVersionBack) {
  ASSERT_EQ(TrainAndPublish("").exit_code, 0);
  ASSERT_EQ(TrainAndPublish("<require>auc &gt;= 0.99</require>", 8).exit_code, 0);
  WriteFile("home/refinery.properties",
            "refinery.serve.rollback.min-requests=30\nrefinery.serve.rollback.window=100\n"
            "refinery.serve.rollback.max-psi=0.5\n");
  const std::string base = StartServer({});
  ASSERT_EQ(Run({"models", "promote", "bank", "2"}).exit_code, 0);
  ASSERT_TRUE(WaitForServedVersion(base, 2));
  // One lead asked about again and again: every prediction lands in one
  // decile of the holdout's, far from its distribution.
  for (int i = 0; i < 40; ++i) Call(base, "POST", "/api/v1/models/bank/predict", kRow);
  ASSERT_TRUE(WaitForServedVersion(base, 1));
  // The restored version is not put on probation again: no swinging back.
  for (int i = 0; i < 40; ++i) Call(base, "POST", "/api/v1/models/bank/predict", kRow);
  const auto show = Run({"models", "show", "bank", "--json"});
  const auto json = nlohmann::json::parse(show.out);
  EXPECT_EQ(json["log"][0]["kind"], "auto-rolled-back");
  EXPECT_EQ(json["log"][0]["actor"], "serving-health");
  EXPECT_THAT(json["log"][0]["reason"].get<std::string>(), HasSubstr("PSI"));
  EXPECT_EQ(json["versions"][0]["stage"], "production");
  EXPECT_THAT(Call(base, "GET", "/metrics").body, HasSubstr("refinery_model_rollbacks_total{model=\"bank\"} 1"));
}

TEST_F(ModelsFixture, ServeOnlyReplicasAgreeAfterASwap) {
  ASSERT_EQ(TrainAndPublish("").exit_code, 0);
  ASSERT_EQ(TrainAndPublish("<require>auc &gt;= 0.99</require>", 8).exit_code, 0);
  std::vector<std::string> replicas;
  for (int r = 0; r < 2; ++r) {
    const pid_t pid = SpawnServer({"--serve-only"});
    const std::string url = WaitForUrl(home_ / "replicas" / (std::to_string(pid) + ".url"));
    ASSERT_FALSE(url.empty());
    replicas.push_back(url);
  }
  for (const auto& replica : replicas) ASSERT_TRUE(WaitForServedVersion(replica, 1));
  ASSERT_EQ(Run({"models", "promote", "bank", "2"}).exit_code, 0);
  for (const auto& replica : replicas) EXPECT_TRUE(WaitForServedVersion(replica, 2));
  const auto a = Call(replicas[0], "POST", "/api/v1/models/bank/predict", kRow);
  const auto b = Call(replicas[1], "POST", "/api/v1/models/bank/predict", kRow);
  EXPECT_EQ(a.body, b.body);
  EXPECT_EQ(Call(replicas[0], "GET", "/oozie/v2/jobs").status, 503);
}

}  // namespace
}  // namespace refinery::cli::testing
