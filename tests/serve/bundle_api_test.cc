// Bundles on the Oozie Web Services API over real HTTP on loopback: submit
// (with and without action=start), jobtype=bundle listing, show=info with
// the BundleJobBean keys and bundleCoordJobs, show=status|definition, and the
// start/suspend/resume/kill verbs cascading to the coordinators.
#include <fstream>
#include <set>

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

constexpr const char* kToken = "0123456789abcdef0123456789abcdef";

std::set<std::string> KeysOf(const json& object) {
  std::set<std::string> keys;
  for (const auto& item : object.items()) keys.insert(item.key());
  return keys;
}

class BundleApiTest : public engine::testing::EngineFixture {
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
    url_.host = "127.0.0.1";
    url_.port = std::to_string(server_->port());

    // A coordinator far in the future (nothing runs), and a bundle of two.
    const Properties wf = App("wf", Workflow(TestAction("a", "<data>k=v</data>")));
    const auto coord = dir_ / "apps" / "coord";
    std::filesystem::create_directories(coord);
    std::ofstream(coord / "coordinator.xml")
        << "<coordinator-app xmlns=\"uri:oozie:coordinator:0.4\" name=\"ticks\" frequency=\"60\" "
           "start=\"2099-01-01T00:00Z\" end=\"2099-01-02T00:00Z\" timezone=\"UTC\"><action><workflow><app-path>"
        << *wf.Get("oozie.wf.application.path") << "</app-path></workflow></action></coordinator-app>";
    const auto bundle = dir_ / "apps" / "bundle";
    std::filesystem::create_directories(bundle);
    std::ofstream(bundle / "bundle.xml")
        << "<bundle-app xmlns=\"uri:oozie:bundle:0.2\" name=\"${bundleName}\">\n"
           "<coordinator name=\"first\"><app-path>../coord</app-path></coordinator>\n"
           "<coordinator name=\"second\"><app-path>../coord</app-path>"
           "<configuration><property><name>secret.password</name><value>hunter2</value></property>"
           "</configuration></coordinator>\n</bundle-app>\n";
    conf_.Set("oozie.bundle.application.path", "file://" + bundle.string());
    conf_.Set("user.name", "tester");
    conf_.Set("bundleName", "nightly");
  }

  void TearDown() override {
    server_.reset();
    scheduler_.reset();
    EngineFixture::TearDown();
  }

  HttpReply Call(const std::string& method, const std::string& target, const std::string& body = "") {
    HttpCall call;
    call.method = method;
    call.target = target;
    call.body = body;
    if (method != "GET") call.headers.emplace_back("Content-Type", "application/xml;charset=UTF-8");
    call.headers.emplace_back("Authorization", std::string("Bearer ") + kToken);
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

  std::string Submit(const std::string& query) {
    const HttpReply reply = Call("POST", "/oozie/v2/jobs" + query, FormatHadoopConfigurationXml(conf_));
    EXPECT_EQ(reply.status, 201) << reply.body;
    return json::parse(reply.body, nullptr, false).value("id", "");
  }

  Properties conf_;
  std::unique_ptr<scheduler::CoordinatorScheduler> scheduler_;
  std::unique_ptr<Server> server_;
  HttpUrl url_;
};

TEST_F(BundleApiTest, SubmitInfoListAndKill) {
  const std::string id = Submit("?action=start");
  ASSERT_THAT(id, ::testing::EndsWith("-B"));
  scheduler_->RunDue();  // the kick-off (now): both coordinators are submitted

  const json info = CallJson("GET", "/oozie/v2/job/" + id + "?show=info");
  EXPECT_EQ(KeysOf(info),
            (std::set<std::string>{"bundleJobPath", "bundleJobName", "bundleJobId", "bundleExternalId", "conf",
                                   "status", "timeUnit", "timeOut", "kickoffTime", "startTime", "endTime",
                                   "pauseTime", "createdTime", "user", "group", "acl", "consoleUrl",
                                   "bundleCoordJobs", "toString"}));
  EXPECT_EQ(info["bundleJobId"], id);
  EXPECT_EQ(info["bundleJobName"], "nightly");
  EXPECT_EQ(info["status"], "RUNNING");
  EXPECT_EQ(info["user"], "tester");
  EXPECT_EQ(info["toString"], "Bundle id[" + id + "] status[RUNNING]");
  EXPECT_THAT(info["kickoffTime"].get<std::string>(), HasSubstr(" GMT"));
  ASSERT_EQ(info["bundleCoordJobs"].size(), 2u);
  EXPECT_EQ(info["bundleCoordJobs"][0]["coordJobName"], "first");
  EXPECT_EQ(info["bundleCoordJobs"][1]["coordJobName"], "second");
  EXPECT_EQ(info["bundleCoordJobs"][0]["bundleId"], id);
  EXPECT_EQ(info["bundleCoordJobs"][0]["status"], "RUNNING");
  EXPECT_THAT(info.dump(), ::testing::Not(HasSubstr("hunter2")));  // redacted as coordinator confs are

  // The coordinator itself names its bundle.
  const std::string coordinator_id = info["bundleCoordJobs"][0]["coordJobId"];
  EXPECT_EQ(CallJson("GET", "/oozie/v2/job/" + coordinator_id + "?show=info")["bundleId"], id);

  const json listed = CallJson("GET", "/oozie/v2/jobs?jobtype=bundle");
  EXPECT_EQ(listed["total"], 1);
  EXPECT_EQ(listed["offset"], 1);
  EXPECT_EQ(listed["len"], 50);
  ASSERT_EQ(listed["bundlejobs"].size(), 1u);
  EXPECT_EQ(listed["bundlejobs"][0]["bundleJobId"], id);
  EXPECT_EQ(CallJson("GET", "/oozie/v2/jobs?jobtype=bundle&filter=status%3DKILLED")["total"], 0);

  EXPECT_EQ(CallJson("GET", "/oozie/v2/job/" + id + "?show=status"), json({{"status", "RUNNING"}}));
  const HttpReply definition = Call("GET", "/oozie/v2/job/" + id + "?show=definition");
  EXPECT_EQ(definition.status, 200);
  EXPECT_THAT(definition.body, HasSubstr("<bundle-app"));

  // -change reaches the coordinators; a bundle rerun of one that has no
  // ended action is refused with the coordinator rerun's code.
  EXPECT_EQ(Call("PUT", "/oozie/v2/job/" + id + "?action=change&value=pausetime%3D2099-01-01T00%3A00Z").status, 200);
  EXPECT_NE(CallJson("GET", "/oozie/v2/job/" + coordinator_id + "?show=info")["pauseTime"], nullptr);
  const HttpReply concurrency = Call("PUT", "/oozie/v2/job/" + id + "?action=change&value=concurrency%3D3");
  EXPECT_EQ(concurrency.status, 400);
  EXPECT_THAT(concurrency.body, HasSubstr("E1015"));
  const HttpReply unknown_coordinator = Call("PUT", "/oozie/v2/job/" + id + "?action=bundle-rerun&coord-scope=third");
  EXPECT_EQ(unknown_coordinator.status, 400);
  EXPECT_THAT(unknown_coordinator.body, HasSubstr("first, second"));

  EXPECT_EQ(Call("PUT", "/oozie/v2/job/" + id + "?action=suspend").status, 200);
  EXPECT_EQ(CallJson("GET", "/oozie/v2/job/" + coordinator_id + "?show=status")["status"], "SUSPENDED");
  EXPECT_EQ(Call("PUT", "/oozie/v2/job/" + id + "?action=resume").status, 200);
  EXPECT_EQ(Call("PUT", "/oozie/v2/job/" + id + "?action=kill").status, 200);
  const json killed = CallJson("GET", "/oozie/v2/job/" + id + "?show=info");
  EXPECT_EQ(killed["status"], "KILLED");
  for (const json& coordinator : killed["bundleCoordJobs"]) EXPECT_EQ(coordinator["status"], "KILLED");
}

TEST_F(BundleApiTest, SubmitWithoutStartIsPrepUntilStarted) {
  const std::string id = Submit("");
  EXPECT_EQ(CallJson("GET", "/oozie/v2/job/" + id + "?show=status")["status"], "PREP");
  scheduler_->RunDue();
  EXPECT_TRUE(CallJson("GET", "/oozie/v2/job/" + id + "?show=info")["bundleCoordJobs"].empty());
  EXPECT_EQ(Call("PUT", "/oozie/v2/job/" + id + "?action=start").status, 200);
  scheduler_->RunDue();
  EXPECT_EQ(CallJson("GET", "/oozie/v2/job/" + id + "?show=info")["bundleCoordJobs"].size(), 2u);
  // Starting it again is refused in Oozie's shape.
  const HttpReply again = Call("PUT", "/oozie/v2/job/" + id + "?action=start");
  EXPECT_EQ(again.status, 400);
  EXPECT_THAT(again.body, HasSubstr("E1100"));
}

TEST_F(BundleApiTest, ErrorsHaveOozieCodes) {
  const HttpReply unknown = Call("GET", "/oozie/v2/job/0000009-210114070000000-refinery-x-B?show=info");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_THAT(unknown.body, HasSubstr("E0604"));
  const HttpReply bad_verb = Call("PUT", "/oozie/v2/job/0000009-210114070000000-refinery-x-B?action=wobble");
  EXPECT_THAT(bad_verb.body, HasSubstr("E0303"));
  // Oozie's V2JobServlet.ignoreJob: a bundle cannot be ignored.
  const HttpReply ignore = Call("PUT", "/oozie/v2/job/0000009-210114070000000-refinery-x-B?action=ignore");
  EXPECT_EQ(ignore.status, 400);
  EXPECT_EQ(ignore.Header("oozie-error-code"), "E0302");
  EXPECT_THAT(ignore.body, HasSubstr("Bundle Ignore Not supported"));
  std::ofstream(dir_ / "apps" / "bundle" / "bundle.xml")
      << "<bundle-app xmlns=\"uri:oozie:bundle:0.1\" name=\"b\">\n"
         "<coordinator name=\"c\"><app-path>../coord</app-path></coordinator>\n"
         "<coordinator name=\"c\"><app-path>../coord</app-path></coordinator>\n</bundle-app>\n";
  const HttpReply duplicate = Call("POST", "/oozie/v2/jobs", FormatHadoopConfigurationXml(conf_));
  EXPECT_EQ(duplicate.status, 400);
  EXPECT_THAT(duplicate.body, HasSubstr("Duplicate bundle application coordinator name [c]"));
  EXPECT_THAT(duplicate.body, HasSubstr("bundle.xml:3"));
}

TEST_F(BundleApiTest, DryRunAnswersTheResolvedBundleXmlAndStoresNothing) {
  const HttpReply reply = Call("POST", "/oozie/v2/jobs?action=dryrun", FormatHadoopConfigurationXml(conf_));
  ASSERT_EQ(reply.status, 201) << reply.body;
  const json answer = json::parse(reply.body);
  // As Oozie's BundleSubmitXCommand with dryrun: the job XML, ${} resolved.
  const std::string xml = answer["id"];
  EXPECT_THAT(xml, HasSubstr("<bundle-app xmlns=\"uri:oozie:bundle:0.2\" name=\"nightly\">"));
  EXPECT_THAT(xml, HasSubstr("<coordinator name=\"second\">"));
  EXPECT_THAT(xml, HasSubstr("<name>secret.password</name>"));
  EXPECT_THAT(xml, ::testing::Not(HasSubstr("hunter2")));  // secrets stay out
  EXPECT_EQ(xml.back(), '\n');
  ASSERT_EQ(answer["coordinators"].size(), 2u);
  EXPECT_EQ(answer["coordinators"][0]["coordJobName"], "first");
  EXPECT_EQ(answer["coordinators"][0]["appName"], "ticks");
  EXPECT_EQ(answer["coordinators"][0]["startTime"], "2099-01-01T00:00Z");
  EXPECT_EQ(CallJson("GET", "/oozie/v2/jobs?jobtype=bundle")["total"], 0);
  EXPECT_EQ(CallJson("GET", "/oozie/v2/jobs?jobtype=coordinator")["total"], 0);

  // A coordinator that does not validate is the dry run's error, named.
  std::ofstream(dir_ / "apps" / "bundle" / "bundle.xml")
      << "<bundle-app xmlns=\"uri:oozie:bundle:0.2\" name=\"b\">\n"
         "<coordinator name=\"lost\"><app-path>../nowhere</app-path></coordinator>\n</bundle-app>\n";
  const HttpReply bad = Call("POST", "/oozie/v2/jobs?action=dryrun", FormatHadoopConfigurationXml(conf_));
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.Header("oozie-error-code"), "E0505");
  EXPECT_THAT(bad.body, HasSubstr("coordinator [lost]"));
}

}  // namespace
}  // namespace refinery::serve
