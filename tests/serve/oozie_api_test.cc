// The Oozie Web Services API over real HTTP on loopback, against a real
// engine and store: the recorded Oozie JSON shapes, job verbs, errors in
// Oozie's shape, the token, redaction and metrics.
#include <fstream>
#include <set>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/properties.h"
#include "engine/engine_test_support.h"
#include "serve/http_client.h"
#include "serve/server.h"

namespace refinery::serve {
namespace {

using engine::testing::TestAction;
using engine::testing::Workflow;
using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kToken = "0123456789abcdef0123456789abcdef";

std::set<std::string> KeysOf(const json& object) {
  std::set<std::string> keys;
  for (const auto& item : object.items()) keys.insert(item.key());
  return keys;
}

json RecordedOozieJob(const std::string& name = "workflow-job.json") {
  std::ifstream in(std::string(REFINERY_SOURCE_DIR) + "/tests/data/oozie-json/" + name);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return json::parse(buffer.str());
}

class OozieApiTest : public engine::testing::EngineFixture {
 protected:
  void SetUp() override {
    EngineFixture::SetUp();
    ServerOptions options;
    options.http.port = 0;
    options.access.token = kToken;
    scheduler_ = std::make_unique<scheduler::CoordinatorScheduler>(store_.get(), engine_.get(), files_.get(),
                                                                   SystemClock());
    auto server = Server::Start(engine_.get(), scheduler_.get(), store_.get(), options);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
    engine_->AddObserver(server_->metrics());
    url_.host = "127.0.0.1";
    url_.port = std::to_string(server_->port());
  }

  void TearDown() override {
    server_.reset();
    scheduler_.reset();
    EngineFixture::TearDown();
  }

  HttpReply Call(const std::string& method, const std::string& target, const std::string& body = "",
                 bool with_token = true, const std::string& content_type = "application/xml;charset=UTF-8") {
    HttpCall call;
    call.method = method;
    call.target = target;
    call.body = body;
    if (!content_type.empty() && method != "GET") call.headers.emplace_back("Content-Type", content_type);
    if (with_token) call.headers.emplace_back("Authorization", std::string("Bearer ") + kToken);
    auto reply = SendHttp(url_, call);
    EXPECT_TRUE(reply.ok()) << reply.status().ToString();
    return reply.ok() ? *reply : HttpReply{};
  }

  json CallJson(const std::string& method, const std::string& target, const std::string& body = "") {
    const HttpReply reply = Call(method, target, body);
    auto parsed = json::parse(reply.body, nullptr, false);
    EXPECT_FALSE(parsed.is_discarded()) << reply.body;
    return parsed;
  }

  // Submits over HTTP and waits for the end through the engine.
  std::string SubmitAndWait(const Properties& conf) {
    const json answer = CallJson("POST", "/oozie/v2/jobs?action=start", FormatHadoopConfigurationXml(conf));
    const std::string id = answer.value("id", "");
    EXPECT_FALSE(id.empty()) << answer.dump();
    auto done = engine_->WaitForJob(id);
    EXPECT_TRUE(done.ok());
    return id;
  }

  std::unique_ptr<scheduler::CoordinatorScheduler> scheduler_;
  std::unique_ptr<Server> server_;
  HttpUrl url_;
};

TEST_F(OozieApiTest, VersionsAndAdminAnswerAsOozie) {
  EXPECT_EQ(CallJson("GET", "/oozie/versions"), json::parse("[0,1,2]"));
  EXPECT_EQ(CallJson("GET", "/oozie/v1/admin/status"), json::parse(R"({"systemMode":"NORMAL"})"));
  EXPECT_EQ(CallJson("GET", "/oozie/v2/admin/build-version")["buildVersion"], "0.1.0");
}

TEST_F(OozieApiTest, JobInfoHasExactlyTheKeysOozieWrites) {
  const std::string id = SubmitAndWait(App("shape", Workflow(TestAction("a", "<data>k=v</data>"))));
  const json ours = CallJson("GET", "/oozie/v2/job/" + id + "?show=info");
  const json oozie = RecordedOozieJob();
  EXPECT_EQ(KeysOf(ours), KeysOf(oozie));
  ASSERT_FALSE(ours["actions"].empty());
  EXPECT_EQ(KeysOf(ours["actions"][0]), KeysOf(oozie["actions"][0]));
  EXPECT_EQ(ours["status"], "SUCCEEDED");
  EXPECT_EQ(ours["id"], id);
  EXPECT_EQ(ours["group"], nullptr);
  // RFC 822 in GMT, as Oozie writes it.
  EXPECT_THAT(ours["startTime"].get<std::string>(), ::testing::MatchesRegex("[A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} "
                                                                             "[0-9]{4} [0-9:]{8} GMT"));
  EXPECT_THAT(ours["consoleUrl"].get<std::string>(), HasSubstr("/oozie?job=" + id));
  const json& start = ours["actions"][0];
  EXPECT_EQ(start["name"], ":start:");
  EXPECT_EQ(start["externalId"], "-");
}

TEST_F(OozieApiTest, CoordinatorsHaveOozieKeysAndTheirVerbs) {
  const Properties wf = App("tick", Workflow(TestAction("a", "")));
  const auto dir = dir_ / "apps" / "coord";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "coordinator.xml")
      << "<coordinator-app xmlns=\"uri:oozie:coordinator:0.4\" name=\"ticks\" frequency=\"60\" "
         "start=\"2026-01-01T00:00Z\" end=\"2026-01-01T02:00Z\" timezone=\"UTC\"><action><workflow><app-path>"
      << *wf.Get("oozie.wf.application.path") << "</app-path></workflow></action></coordinator-app>";
  Properties conf;
  conf.Set("oozie.coord.application.path", "file://" + dir.string());
  conf.Set("user.name", "tester");
  const HttpReply created = Call("POST", "/oozie/v2/jobs?action=start", FormatHadoopConfigurationXml(conf));
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = json::parse(created.body)["id"];
  EXPECT_THAT(id, HasSubstr("-C"));
  scheduler_->RunDue();  // both past nominal times materialize and start

  const json ours = CallJson("GET", "/oozie/v2/job/" + id + "?show=info&len=10");
  const json oozie = RecordedOozieJob("coordinator-job.json");
  EXPECT_EQ(KeysOf(ours), KeysOf(oozie));
  ASSERT_EQ(ours["actions"].size(), 2u);
  EXPECT_EQ(KeysOf(ours["actions"][0]), KeysOf(oozie["actions"][0]));
  EXPECT_EQ(ours["total"], 2);
  EXPECT_EQ(ours["frequency"], "60");
  EXPECT_EQ(ours["timeUnit"], "MINUTE");
  EXPECT_EQ(ours["actions"][0]["nominalTime"], "Thu, 01 Jan 2026 00:00:00 GMT");
  EXPECT_EQ(CallJson("GET", "/oozie/v2/job/" + id + "?show=info")["actions"].size(), 0u);  // v2: none by default
  EXPECT_EQ(CallJson("GET", "/oozie/v1/job/" + id + "?show=info")["actions"].size(), 2u);
  EXPECT_EQ(CallJson("GET", "/oozie/v2/job/" + id + "@1?show=status")["status"].is_string(), true);
  const json listed = CallJson("GET", "/oozie/v2/jobs?jobtype=coordinator");
  ASSERT_EQ(listed["coordinatorjobs"].size(), 1u);
  EXPECT_EQ(listed["coordinatorjobs"][0]["coordJobId"], id);
  EXPECT_EQ(Call("PUT", "/oozie/v2/job/" + id + "?action=suspend").status, 200);
  EXPECT_EQ(CallJson("GET", "/oozie/v2/job/" + id + "?show=status")["status"], "SUSPENDED");
  EXPECT_EQ(Call("PUT", "/oozie/v2/job/" + id + "?action=resume").status, 200);
  EXPECT_EQ(Call("PUT", "/oozie/v2/job/" + id + "?action=kill").status, 200);
  EXPECT_EQ(CallJson("GET", "/oozie/v2/job/" + id + "?show=status")["status"], "KILLED");
  EXPECT_EQ(Call("PUT", "/oozie/v2/job/" + id + "?action=change").status, 400);
}

TEST_F(OozieApiTest, CoordinatorChangeIgnoreAndDryRunAnswerAsOozie) {
  const Properties wf = App("tock", Workflow(TestAction("a", "")));
  const auto dir = dir_ / "apps" / "coord";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "coordinator.xml")
      << "<coordinator-app xmlns=\"uri:oozie:coordinator:0.4\" name=\"tocks\" frequency=\"60\" "
         "start=\"2026-01-01T00:00Z\" end=\"2026-01-01T02:00Z\" timezone=\"UTC\"><action><workflow><app-path>"
      << *wf.Get("oozie.wf.application.path") << "</app-path></workflow></action></coordinator-app>";
  Properties conf;
  conf.Set("oozie.coord.application.path", "file://" + dir.string());
  conf.Set("user.name", "tester");

  // Dry run: the actions it would create, nothing stored.
  const HttpReply dry = Call("POST", "/oozie/v2/jobs?action=dryrun", FormatHadoopConfigurationXml(conf));
  ASSERT_EQ(dry.status, 201) << dry.body;
  const json planned = json::parse(dry.body);
  ASSERT_EQ(planned["actions"].size(), 2u);
  EXPECT_EQ(planned["actions"][1]["nominalTime"], "2026-01-01T01:00Z");
  EXPECT_THAT(planned["id"].get<std::string>(), HasSubstr("action for new instance"));
  EXPECT_EQ(CallJson("GET", "/oozie/v2/jobs?jobtype=coordinator")["total"], 0);

  const HttpReply created = Call("POST", "/oozie/v2/jobs?action=start", FormatHadoopConfigurationXml(conf));
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = json::parse(created.body)["id"];
  scheduler_->RunDue();

  // change: stored and shown; bad values are E1015; workflows are E1017.
  EXPECT_EQ(Call("PUT", "/oozie/v2/job/" + id + "?action=change&value=concurrency%3D3%3Bpausetime%3D2099-01-01T00%3A00Z")
                .status,
            200);
  const json info = CallJson("GET", "/oozie/v2/job/" + id + "?show=info");
  EXPECT_EQ(info["concurrency"], 3);
  EXPECT_EQ(info["pauseTime"], "Thu, 01 Jan 2099 00:00:00 GMT");
  const HttpReply bad = Call("PUT", "/oozie/v2/job/" + id + "?action=change&value=endtime%3Dsoon");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.Header("oozie-error-code"), "E1015");
  const std::string workflow = SubmitAndWait(App("plain", Workflow(TestAction("a", ""))));
  EXPECT_EQ(Call("PUT", "/oozie/v2/job/" + workflow + "?action=change&value=concurrency%3D2").Header("oozie-error-code"),
            "E1017");

  // ignore: only FAILED, KILLED or TIMEDOUT actions; a running or succeeded one is E1024.
  const HttpReply not_failed = Call("PUT", "/oozie/v2/job/" + id + "?action=ignore&type=action&scope=1");
  EXPECT_EQ(not_failed.status, 400);
  EXPECT_EQ(not_failed.Header("oozie-error-code"), "E1024");
  EXPECT_EQ(Call("PUT", "/oozie/v2/job/" + id + "?action=ignore&type=action&scope=1-x").Header("oozie-error-code"),
            "E0303");
}

TEST_F(OozieApiTest, ShowsStatusDefinitionLogAndGraph) {
  const std::string id = SubmitAndWait(App("shows", Workflow(TestAction("a", "<outcome>ok</outcome>"))));
  EXPECT_EQ(CallJson("GET", "/oozie/v2/job/" + id + "?show=status")["status"], "SUCCEEDED");
  EXPECT_EQ(CallJson("GET", "/oozie/v2/job/" + id + "@a?show=info")["status"], "OK");
  const HttpReply definition = Call("GET", "/oozie/v2/job/" + id + "?show=definition");
  EXPECT_THAT(definition.Header("content-type"), HasSubstr("application/xml"));
  EXPECT_THAT(definition.body, HasSubstr("<workflow-app"));
  const HttpReply log = Call("GET", "/oozie/v2/job/" + id + "?show=log");
  EXPECT_THAT(log.Header("content-type"), HasSubstr("text/plain"));
  EXPECT_THAT(log.body, HasSubstr("SUCCEEDED"));
  const HttpReply svg = Call("GET", "/oozie/v2/job/" + id + "?show=graph&format=svg");
  EXPECT_EQ(svg.Header("content-type"), "image/svg+xml");
  EXPECT_THAT(svg.body, HasSubstr("data-node=\"a\" data-status=\"OK\""));
  EXPECT_THAT(svg.body, Not(HasSubstr("data-node=\"fail\"")));  // kill nodes only with show-kill
  EXPECT_THAT(Call("GET", "/oozie/v2/job/" + id + "?show=graph&format=svg&show-kill=true").body, HasSubstr("data-node=\"fail\""));
  EXPECT_THAT(Call("GET", "/oozie/v2/job/" + id + "?show=graph&format=dot").body, HasSubstr("\"a\" -> \"end\""));
  const HttpReply png = Call("GET", "/oozie/v2/job/" + id + "?show=graph");  // Oozie's default format
  EXPECT_EQ(png.Header("content-type"), "image/png");
  EXPECT_EQ(png.body.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_EQ(Call("GET", "/oozie/v2/job/" + id + "?show=graph&format=gif").status, 400);
}

TEST_F(OozieApiTest, ListsJobsWithFilterAndPaging) {
  const std::string ok = SubmitAndWait(App("ok", Workflow(TestAction("a", "<outcome>ok</outcome>"))));
  const std::string bad = SubmitAndWait(App("bad", Workflow(TestAction("a", "<outcome>error</outcome>"))));
  const json all = CallJson("GET", "/oozie/v2/jobs");
  EXPECT_EQ(all["total"], 2);
  EXPECT_EQ(all["offset"], 1);
  EXPECT_EQ(all["len"], 50);
  EXPECT_EQ(all["workflows"].size(), 2u);
  const json killed = CallJson("GET", "/oozie/v2/jobs?filter=status%3DKILLED");
  ASSERT_EQ(killed["workflows"].size(), 1u);
  EXPECT_EQ(killed["workflows"][0]["id"], bad);
  const json paged = CallJson("GET", "/oozie/v2/jobs?offset=2&len=1");
  ASSERT_EQ(paged["workflows"].size(), 1u);
  EXPECT_EQ(paged["workflows"][0]["id"], ok);  // newest first
  const HttpReply wrong = Call("GET", "/oozie/v2/jobs?filter=status%3DSLEEPING");
  EXPECT_EQ(wrong.status, 400);
  EXPECT_EQ(wrong.Header("oozie-error-code"), "E0420");
  EXPECT_EQ(CallJson("GET", "/oozie/v2/jobs?jobtype=coord")["coordinatorjobs"], json::array());
  EXPECT_EQ(CallJson("GET", "/oozie/v2/jobs?jobtype=bundle")["bundlejobs"], json::array());
}

TEST_F(OozieApiTest, SubmitWithoutStartThenStartSuspendResumeKill) {
  const Properties conf = App("verbs", Workflow(TestAction("a", "<sleep-ms>20000</sleep-ms>")));
  const HttpReply created = Call("POST", "/oozie/v2/jobs", FormatHadoopConfigurationXml(conf));
  EXPECT_EQ(created.status, 201);
  const std::string id = json::parse(created.body)["id"];
  EXPECT_EQ(CallJson("GET", "/oozie/v2/job/" + id + "?show=status")["status"], "PREP");
  EXPECT_EQ(Call("PUT", "/oozie/v2/job/" + id + "?action=start").status, 200);
  EXPECT_EQ(Call("PUT", "/oozie/v2/job/" + id + "?action=suspend").status, 200);
  EXPECT_EQ(CallJson("GET", "/oozie/v2/job/" + id + "?show=status")["status"], "SUSPENDED");
  EXPECT_EQ(Call("PUT", "/oozie/v2/job/" + id + "?action=resume").status, 200);
  EXPECT_EQ(Call("PUT", "/oozie/v2/job/" + id + "?action=kill").status, 200);
  auto done = engine_->WaitForJob(id);
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->status, "KILLED");
  const HttpReply twice = Call("PUT", "/oozie/v2/job/" + id + "?action=start");
  EXPECT_EQ(twice.status, 400);
}

TEST_F(OozieApiTest, RerunOfAFailedJobRunsItAgain) {
  const Properties conf = App("rerun", Workflow(TestAction("a", "<outcome>error</outcome>")));
  const std::string id = SubmitAndWait(conf);
  Properties rerun;
  rerun.Set("oozie.wf.rerun.failnodes", "true");
  EXPECT_EQ(Call("PUT", "/oozie/v2/job/" + id + "?action=rerun", FormatHadoopConfigurationXml(rerun)).status, 200);
  auto done = engine_->WaitForJob(id);
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->run, 1);
}

TEST_F(OozieApiTest, DryRunValidatesWithoutCreatingAJob) {
  const Properties conf = App("dry", Workflow(TestAction("a", "")));
  const HttpReply reply = Call("POST", "/oozie/v2/jobs?action=dryrun", FormatHadoopConfigurationXml(conf));
  EXPECT_EQ(reply.status, 201);
  EXPECT_EQ(json::parse(reply.body)["id"], "OK");
  EXPECT_EQ(CallJson("GET", "/oozie/v2/jobs")["total"], 0);
}

TEST_F(OozieApiTest, ErrorsHaveOozieCodesHeadersAndBody) {
  const HttpReply missing = Call("GET", "/oozie/v2/job/0000000-000000000000000-x-W?show=info");
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(missing.Header("oozie-error-code"), "E0604");
  const json body = json::parse(missing.body);
  EXPECT_EQ(body["httpStatusCode"], 400);
  EXPECT_THAT(body["errorMessage"].get<std::string>(), HasSubstr("E0604"));

  const HttpReply bad_show = Call("GET", "/oozie/v2/job/x?show=nonsense");
  EXPECT_EQ(bad_show.status, 400);
  const HttpReply content_type = Call("POST", "/oozie/v2/jobs", "<configuration/>", true, "text/plain");
  EXPECT_EQ(content_type.status, 400);
  EXPECT_EQ(content_type.Header("oozie-error-code"), "E0300");
  const HttpReply not_xml = Call("POST", "/oozie/v2/jobs", "<configuration><property>", true);
  EXPECT_EQ(not_xml.status, 400);
  const HttpReply no_app = Call("POST", "/oozie/v2/jobs", "<configuration/>", true);
  EXPECT_EQ(no_app.status, 400);
  EXPECT_EQ(Call("GET", "/oozie/v9/jobs").status, 404);
  EXPECT_EQ(Call("DELETE", "/oozie/v2/jobs").status, 405);
  EXPECT_EQ(Call("GET", "/nothing-here").status, 404);
}

TEST_F(OozieApiTest, ChangingStateNeedsTheTokenReadingDoesNot) {
  const Properties conf = App("token", Workflow(TestAction("a", "")));
  const HttpReply anonymous = Call("POST", "/oozie/v2/jobs", FormatHadoopConfigurationXml(conf), false);
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_EQ(anonymous.Header("www-authenticate"), "Bearer realm=\"refinery\"");
  HttpCall wrong;
  wrong.method = "PUT";
  wrong.target = "/oozie/v2/job/x?action=kill";
  wrong.headers = {{"Authorization", "Bearer wrong-token-of-some-length"}};
  EXPECT_EQ(SendHttp(url_, wrong).value().status, 401);
  EXPECT_EQ(Call("GET", "/oozie/v2/jobs", "", false).status, 200);
}

TEST_F(OozieApiTest, SecretsNeverShowInJobInfoOrDefinition) {
  Properties conf = App("secret", Workflow(TestAction("a", "<command>import --password hunter2</command><password>hunter2</password>")));
  conf.Set("db.password", "hunter2");
  const std::string id = SubmitAndWait(conf);
  const HttpReply info = Call("GET", "/oozie/v2/job/" + id + "?show=info");
  EXPECT_THAT(info.body, Not(HasSubstr("hunter2")));
  EXPECT_THAT(info.body, HasSubstr("db.password"));
  EXPECT_THAT(Call("GET", "/oozie/v2/job/" + id + "?show=definition").body, Not(HasSubstr("hunter2")));
}

TEST_F(OozieApiTest, MetricsCountRequestsJobsAndActions) {
  SubmitAndWait(App("metrics", Workflow(TestAction("a", ""))));
  const HttpReply metrics = Call("GET", "/metrics");
  EXPECT_THAT(metrics.Header("content-type"), HasSubstr("text/plain; version=0.0.4"));
  EXPECT_THAT(metrics.body, HasSubstr("refinery_workflow_jobs{status=\"SUCCEEDED\"} 1"));
  EXPECT_THAT(metrics.body,
              HasSubstr("refinery_http_requests_total{method=\"POST\",route=\"/oozie/v2/jobs\",code=\"201\"} 1"));
  EXPECT_THAT(metrics.body, HasSubstr("refinery_action_duration_seconds_count{type=\"test\"} 1"));
  EXPECT_THAT(metrics.body, HasSubstr("refinery_http_request_duration_seconds_bucket{route=\"/oozie/v2/jobs\""));
}

TEST_F(OozieApiTest, CoordinatorJobIgnoreAndStatusChangeAnswerAsOozie) {
  const Properties wf = App("tock", Workflow(TestAction("a", "")));
  const auto dir = dir_ / "apps" / "coord";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "coordinator.xml")
      << "<coordinator-app xmlns=\"uri:oozie:coordinator:0.4\" name=\"tocks\" frequency=\"60\" "
         "start=\"2099-01-01T00:00Z\" end=\"2099-01-01T02:00Z\" timezone=\"UTC\"><action><workflow><app-path>"
      << *wf.Get("oozie.wf.application.path") << "</app-path></workflow></action></coordinator-app>";
  Properties conf;
  conf.Set("oozie.coord.application.path", "file://" + dir.string());
  conf.Set("user.name", "tester");
  const std::string id = CallJson("POST", "/oozie/v2/jobs?action=start", FormatHadoopConfigurationXml(conf))["id"];
  ASSERT_FALSE(id.empty());
  const std::string job = "/oozie/v2/job/" + id;

  // Only a FAILED or KILLED job is ignored (CoordChangeXCommand via the servlet: E1015).
  const HttpReply running = Call("PUT", job + "?action=ignore");
  EXPECT_EQ(running.status, 400);
  EXPECT_EQ(running.Header("oozie-error-code"), "E1015");
  EXPECT_THAT(running.body, HasSubstr("Current job status is RUNNING"));
  EXPECT_EQ(Call("PUT", job + "?action=ignore&type=date&scope=2099-01-01T00:00Z").Header("oozie-error-code"), "E1024");

  ASSERT_EQ(Call("PUT", job + "?action=kill").status, 200);
  const HttpReply ignored = Call("PUT", job + "?action=ignore");
  EXPECT_EQ(ignored.status, 200) << ignored.body;
  EXPECT_EQ(ignored.body, "");  // Oozie answers the job's ignore with no JSON
  EXPECT_EQ(CallJson("GET", job + "?show=status")["status"], "IGNORED");

  // status=RUNNING revives a FAILED, KILLED or IGNORED job, and only that.
  EXPECT_EQ(Call("PUT", job + "?action=change&value=endtime%3D2099-01-02T00%3A00Z").Header("oozie-error-code"),
            "E1016");
  EXPECT_EQ(Call("PUT", job + "?action=change&value=status%3DRUNNING").status, 200);
  EXPECT_EQ(CallJson("GET", job + "?show=status")["status"], "RUNNING");
  const HttpReply again = Call("PUT", job + "?action=change&value=status%3DRUNNING");
  EXPECT_EQ(again.status, 400);
  EXPECT_EQ(again.Header("oozie-error-code"), "E1015");
  EXPECT_THAT(again.body, HasSubstr("Only FAILED, KILLED, IGNORED job can be changed to RUNNING"));

  // A workflow cannot be ignored (V2JobServlet.ignoreJob).
  const std::string workflow = SubmitAndWait(App("plain", Workflow(TestAction("a", ""))));
  const HttpReply workflow_ignore = Call("PUT", "/oozie/v2/job/" + workflow + "?action=ignore");
  EXPECT_EQ(workflow_ignore.Header("oozie-error-code"), "E0302");
  EXPECT_THAT(workflow_ignore.body, HasSubstr("Workflow Ignore Not supported"));
}

}  // namespace
}  // namespace refinery::serve
