// PUT ?action=coord-rerun and GET /v2/sla over real HTTP on loopback, against
// a real engine, store and scheduler (on a fake clock the test moves).
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/properties.h"
#include "core/time_format.h"
#include "engine/engine_test_support.h"
#include "serve/http_client.h"
#include "serve/server.h"

namespace refinery::serve {
namespace {

using engine::testing::TestAction;
using engine::testing::Workflow;
using nlohmann::json;
using ::testing::HasSubstr;

constexpr const char* kToken = "0123456789abcdef0123456789abcdef";

TimePoint T(const std::string& text) { return ParseOozieTime(text).value(); }

class CoordRerunSlaApiTest : public engine::testing::EngineFixture {
 protected:
  void SetUp() override {
    EngineFixture::SetUp();
    ServerOptions options;
    options.http.port = 0;
    options.access.token = kToken;
    scheduler_ = std::make_unique<scheduler::CoordinatorScheduler>(store_.get(), engine_.get(), files_.get(), &clock_);
    auto server = Server::Start(engine_.get(), scheduler_.get(), store_.get(), options);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
    url_.host = "127.0.0.1";
    url_.port = std::to_string(server_->port());
  }

  void TearDown() override {
    server_.reset();
    scheduler_.reset();
    EngineFixture::TearDown();
  }

  HttpReply Call(const std::string& method, const std::string& target) {
    HttpCall call;
    call.method = method;
    call.target = target;
    call.headers.emplace_back("Authorization", std::string("Bearer ") + kToken);
    auto reply = SendHttp(url_, call);
    EXPECT_TRUE(reply.ok()) << reply.status().ToString();
    return reply.ok() ? *reply : HttpReply{};
  }

  json CallJson(const std::string& method, const std::string& target) {
    const HttpReply reply = Call(method, target);
    EXPECT_EQ(reply.status, 200) << reply.body;
    auto parsed = json::parse(reply.body, nullptr, false);
    EXPECT_FALSE(parsed.is_discarded()) << reply.body;
    return parsed;
  }

  // A coordinator over `workflow`; `body` goes before <action>, `sla` inside it.
  std::string Submit(const std::string& head, const std::string& body, const Properties& workflow,
                     const std::string& sla = "") {
    const auto dir = dir_ / "apps" / "coord";
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "coordinator.xml")
        << "<coordinator-app xmlns=\"uri:oozie:coordinator:0.4\" xmlns:sla=\"uri:oozie:sla:0.2\" name=\"c\" " << head
        << ">" << body << "<action><workflow><app-path>" << *workflow.Get("oozie.wf.application.path")
        << "</app-path></workflow>" << sla << "</action></coordinator-app>";
    Properties conf;
    conf.Set("oozie.coord.application.path", "file://" + dir.string());
    conf.Set("user.name", "tester");
    auto id = scheduler_->Submit(conf);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : "";
  }

  void RunAndSettle() {
    scheduler_->RunDue();
    const store::JobPage page = store_->ListJobs({}, 0, 1000).value();
    for (const auto& job : page.jobs) (void)engine_->WaitForJob(job.id);
    scheduler_->RunDue();
  }

  FakeClock clock_{T("2026-01-01T01:00Z")};
  std::unique_ptr<scheduler::CoordinatorScheduler> scheduler_;
  std::unique_ptr<Server> server_;
  HttpUrl url_;
};

TEST_F(CoordRerunSlaApiTest, CoordRerunAnswersTheActionsItReruns) {
  const Properties failing = App("failing", Workflow(TestAction("a", "<outcome>failed</outcome>")));
  const std::string id =
      Submit("frequency=\"15\" start=\"2026-01-01T00:00Z\" end=\"2026-01-01T00:30Z\" timezone=\"UTC\"", "", failing);
  for (int i = 0; i < 3; ++i) RunAndSettle();
  ASSERT_EQ(store_->GetCoordinatorJob(id).value().status, "DONEWITHERROR");

  const json answer =
      CallJson("PUT", "/oozie/v2/job/" + id + "?action=coord-rerun&type=action&scope=1-2&refresh=false&nocleanup=true");
  ASSERT_EQ(answer["actions"].size(), 2u) << answer.dump();
  EXPECT_EQ(answer["actions"][0]["id"], id + "@1");
  EXPECT_EQ(answer["actions"][0]["actionNumber"], 1);
  EXPECT_EQ(answer["actions"][1]["status"], "WAITING");
  EXPECT_EQ(CallJson("GET", "/oozie/v2/job/" + id + "?show=status")["status"], "RUNNING");

  // Waiting actions cannot be rerun (E1018 names them); workflows take action=rerun.
  const HttpReply again =
      Call("PUT", "/oozie/v2/job/" + id + "?action=coord-rerun&type=date&scope=2026-01-01T00:00Z::2026-01-01T00:15Z");
  EXPECT_EQ(again.status, 400);
  EXPECT_EQ(again.Header("oozie-error-code"), "E1018");
  EXPECT_THAT(again.body, HasSubstr("1 (WAITING),2 (WAITING)"));
  EXPECT_EQ(Call("PUT", "/oozie/v2/job/" + id + "?action=coord-rerun&type=action&scope=1-").Header("oozie-error-code"),
            "E0303");

  App("failing", Workflow(TestAction("a", "")));
  for (int i = 0; i < 2; ++i) RunAndSettle();
  EXPECT_EQ(CallJson("GET", "/oozie/v2/job/" + id + "?show=status")["status"], "SUCCEEDED");
}

TEST_F(CoordRerunSlaApiTest, SlaListsTheMissesOfCoordinatorActionsByFilter) {
  const std::string data =
      "<datasets><dataset name=\"raw\" frequency=\"60\" initial-instance=\"2025-01-01T00:00Z\" timezone=\"UTC\">"
      "<uri-template>hdfs://nn/raw/${HOUR}</uri-template></dataset></datasets>"
      "<input-events><data-in name=\"in\" dataset=\"raw\"><instance>${coord:current(0)}</instance></data-in>"
      "</input-events>";
  const std::string sla =
      "<sla:info><sla:nominal-time>${coord:nominalTime()}</sla:nominal-time>"
      "<sla:should-start>${5 * MINUTES}</sla:should-start><sla:max-duration>${1 * HOURS}</sla:max-duration>"
      "</sla:info>";
  clock_.Set(T("2026-01-01T00:00Z"));
  const std::string id = Submit("frequency=\"60\" start=\"2026-01-01T00:00Z\" end=\"2026-01-01T01:00Z\" timezone=\"UTC\"",
                                data, App("ok", Workflow(TestAction("a", ""))), sla);
  scheduler_->RunDue();
  clock_.Set(T("2026-01-01T00:06Z"));
  scheduler_->RunDue();

  const json listed = CallJson("GET", "/oozie/v2/sla?filter=parent_id%3D" + id);
  ASSERT_EQ(listed["slaSummaryList"].size(), 1u) << listed.dump();
  const json& summary = listed["slaSummaryList"][0];
  EXPECT_EQ(summary["id"], id + "@1");
  EXPECT_EQ(summary["parentId"], id);
  EXPECT_EQ(summary["appType"], "COORDINATOR_ACTION");
  EXPECT_EQ(summary["appName"], "c");
  EXPECT_EQ(summary["eventStatus"], "START_MISS");
  EXPECT_EQ(summary["slaStatus"], "MISS");
  EXPECT_EQ(summary["nominalTime"], ToEpochMillis(T("2026-01-01T00:00Z")));
  EXPECT_EQ(summary["expectedStart"], ToEpochMillis(T("2026-01-01T00:05Z")));

  auto count = [&](const std::string& filter) {
    return CallJson("GET", "/oozie/v2/sla?filter=" + PercentEncode(filter))["slaSummaryList"].size();
  };
  EXPECT_EQ(count("id=" + id + "@1"), 1u);
  EXPECT_EQ(count("app_name=c;nominal_start=2026-01-01T00:00Z;nominal_end=2026-01-01T00:00Z"), 1u);
  EXPECT_EQ(count("app_name=c;nominal_start=2026-01-01T00:01Z"), 0u);
  EXPECT_EQ(count("app_name=other"), 0u);
  EXPECT_EQ(count("event_status=END_MISS"), 0u);
  EXPECT_EQ(count(""), 1u);

  const HttpReply bad = Call("GET", "/oozie/v2/sla?filter=colour%3Dred");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.Header("oozie-error-code"), "E0303");
  EXPECT_THAT(bad.body, HasSubstr("unknown key [colour]"));
  EXPECT_EQ(Call("POST", "/oozie/v2/sla").status, 405);
}

}  // namespace
}  // namespace refinery::serve
