// Oozie's workflow and action notification URLs, end to end: the engine
// queues them in the store with the state change, the notifier GETs them from
// a real HTTP receiver on loopback, retries failures and keeps what it could
// not deliver.
#include <mutex>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "engine/engine_test_support.h"
#include "serve/http_server.h"
#include "serve/notifier.h"

namespace refinery::serve {
namespace {

using engine::testing::TestAction;
using engine::testing::Workflow;
using ::testing::Contains;
using ::testing::HasSubstr;

// Records every request target; answers with `status`.
class Receiver {
 public:
  explicit Receiver(int status) : status_(status) {
    HttpServerOptions options;
    options.port = 0;
    server_ = HttpServer::Start(options, [this](const HttpRequest& request) {
                std::lock_guard<std::mutex> lock(mu_);
                targets_.push_back(request.target);
                methods_.push_back(request.method);
                bodies_.push_back(request.body);
                ids_.push_back(request.Header("x-refinery-notification-id"));
                HttpResponse response;
                response.status = status_;
                return response;
              }).value();
  }
  std::string Url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(server_->port()) + path; }
  std::vector<std::string> targets() {
    std::lock_guard<std::mutex> lock(mu_);
    return targets_;
  }
  std::vector<std::string> ids() {
    std::lock_guard<std::mutex> lock(mu_);
    return ids_;
  }
  std::vector<std::string> methods() {
    std::lock_guard<std::mutex> lock(mu_);
    return methods_;
  }
  std::vector<std::string> bodies() {
    std::lock_guard<std::mutex> lock(mu_);
    return bodies_;
  }

 private:
  int status_;
  std::mutex mu_;
  std::vector<std::string> targets_;
  std::vector<std::string> ids_;
  std::vector<std::string> methods_;
  std::vector<std::string> bodies_;
  std::unique_ptr<HttpServer> server_;
};

class NotifierTest : public engine::testing::EngineFixture {};

TEST_F(NotifierTest, JobAndActionEventsReachTheReceiverOnce) {
  Receiver receiver(200);
  Properties conf = App("notify", Workflow(TestAction("a", "")));
  conf.Set("oozie.wf.workflow.notification.url", receiver.Url("/job?id=$jobId&status=$status&parent=$parentId"));
  conf.Set("oozie.wf.action.notification.url", receiver.Url("/action?id=$jobId&node=$nodeName&status=$status"));
  const auto job = RunToEnd(conf);
  ASSERT_EQ(job.status, "SUCCEEDED");
  EXPECT_EQ(store_->CountNotifications("PENDING").value(), 4);  // queued with the job, not yet sent

  Notifier notifier(store_.get(), SystemClock());
  EXPECT_EQ(notifier.DeliverDue(), 4);
  const auto targets = receiver.targets();
  EXPECT_THAT(targets, Contains("/job?id=" + job.id + "&status=RUNNING&parent="));
  EXPECT_THAT(targets, Contains("/job?id=" + job.id + "&status=SUCCEEDED&parent="));
  EXPECT_THAT(targets, Contains("/action?id=" + job.id + "&node=a&status=S:RUNNING"));
  EXPECT_THAT(targets, Contains("/action?id=" + job.id + "&node=a&status=T:end"));
  EXPECT_EQ(store_->CountNotifications("PENDING").value(), 0);
  EXPECT_EQ(notifier.DeliverDue(), 0);  // delivered rows left the outbox
  EXPECT_EQ(receiver.ids().size(), 4u);
  EXPECT_FALSE(receiver.ids()[0].empty());
}

TEST_F(NotifierTest, FailuresAreRetriedThenKeptAsFailed) {
  Receiver receiver(500);
  Properties conf = App("retry", Workflow(TestAction("a", "")));
  conf.Set("oozie.wf.workflow.notification.url", receiver.Url("/job/$status"));
  RunToEnd(conf);
  FakeClock clock(SystemClock()->Now());
  NotifierOptions options;
  options.max_attempts = 3;
  options.retry_interval = std::chrono::seconds(60);
  Notifier notifier(store_.get(), &clock, options);
  EXPECT_EQ(notifier.DeliverDue(), 0);
  EXPECT_EQ(receiver.targets().size(), 2u);  // RUNNING and SUCCEEDED, once each
  EXPECT_EQ(notifier.DeliverDue(), 0);
  EXPECT_EQ(receiver.targets().size(), 2u);  // not due again before the interval
  clock.Advance(std::chrono::seconds(61));
  notifier.DeliverDue();
  clock.Advance(std::chrono::seconds(61));
  notifier.DeliverDue();
  EXPECT_EQ(receiver.targets().size(), 6u);
  EXPECT_EQ(store_->CountNotifications("FAILED").value(), 2);
  EXPECT_EQ(store_->CountNotifications("PENDING").value(), 0);
}

TEST_F(NotifierTest, QueuedNotificationsSurviveARestartOfTheStore) {
  Receiver receiver(200);
  Properties conf = App("durable", Workflow(TestAction("a", "")));
  conf.Set("oozie.wf.workflow.notification.url", receiver.Url("/job/$jobId/$status"));
  RunToEnd(conf);
  OpenEngine();  // a new process: new store connection, same file
  Notifier notifier(store_.get(), SystemClock());
  EXPECT_EQ(notifier.DeliverDue(), 2);
}

TEST_F(NotifierTest, ServerWideWebhooksGetEveryJobStatusAsJson) {
  Receiver receiver(204);
  engine::EngineOptions options;
  options.webhook_urls = {receiver.Url("/hook")};
  OpenEngine(options);
  const auto job = RunToEnd(App("hooked", Workflow(TestAction("a", ""))));
  Notifier notifier(store_.get(), SystemClock());
  EXPECT_EQ(notifier.DeliverDue(), 2);  // RUNNING, SUCCEEDED; 204 counts as delivered for a webhook
  ASSERT_EQ(receiver.methods().size(), 2u);
  EXPECT_EQ(receiver.methods()[0], "POST");
  const auto last = nlohmann::json::parse(receiver.bodies()[1]);
  EXPECT_EQ(last["id"], job.id);
  EXPECT_EQ(last["status"], "SUCCEEDED");
  EXPECT_EQ(last["appName"], "test-wf");
  EXPECT_EQ(store_->CountNotifications("PENDING").value(), 0);
}

TEST_F(NotifierTest, TheThreadDeliversWhenTheEngineReportsEvents) {
  Receiver receiver(200);
  Notifier notifier(store_.get(), SystemClock());
  engine_->AddObserver(&notifier);
  notifier.Start();
  Properties conf = App("live", Workflow(TestAction("a", "")));
  conf.Set("oozie.wf.workflow.notification.url", receiver.Url("/job/$status"));
  RunToEnd(conf);
  for (int i = 0; i < 500 && receiver.targets().size() < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  notifier.Stop();
  EXPECT_THAT(receiver.targets(), Contains("/job/SUCCEEDED"));
}

}  // namespace
}  // namespace refinery::serve
