// SLA alerts leave the outbox through the notifier: emails (MAIL rows) go
// through the mailer with Oozie's subject, webhooks get the JSON event; a row
// that cannot be mailed is retried then kept as FAILED. The last test runs
// the whole path against a real SMTP server (python3-aiosmtpd).
#include <mutex>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "actions/smtp_sink.h"
#include "core/time_format.h"
#include "engine/engine_test_support.h"
#include "serve/http_server.h"
#include "serve/notifier.h"
#include "serve/oozie_api.h"

namespace refinery::serve {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class FakeMailer : public actions::Mailer {
 public:
  Status Send(const actions::EmailMessage& message) override {
    std::lock_guard<std::mutex> lock(mu_);
    sent_.push_back(message);
    return Status::Ok();
  }
  std::vector<actions::EmailMessage> sent() {
    std::lock_guard<std::mutex> lock(mu_);
    return sent_;
  }

 private:
  std::mutex mu_;
  std::vector<actions::EmailMessage> sent_;
};

class SlaAlertTest : public engine::testing::EngineFixture {
 public:
  void QueueMail(const std::string& subject) {
    store::NotificationRecord mail;
    mail.url = "mailto:ops@example.com,oncall@example.com";
    mail.method = "MAIL";
    mail.body = nlohmann::json{{"subject", subject}, {"body", "SLA Status - END_MISS\n"}}.dump();
    mail.subject_id = "job-1";
    store::WriteBatch batch;
    batch.notifications.push_back(mail);
    ASSERT_TRUE(store_->Apply(batch).ok());
  }
};

TEST_F(SlaAlertTest, MailRowsAreSentThroughTheMailerAndLeaveTheOutbox) {
  QueueMail("OOZIE - SLA END_MISS (AppName=wf, JobID=job-1)");
  FakeMailer mailer;
  NotifierOptions options;
  options.mailer = &mailer;
  Notifier notifier(store_.get(), SystemClock(), options);
  EXPECT_EQ(notifier.DeliverDue(), 1);
  ASSERT_EQ(mailer.sent().size(), 1u);
  EXPECT_THAT(mailer.sent()[0].to, ElementsAre("ops@example.com", "oncall@example.com"));
  EXPECT_EQ(mailer.sent()[0].subject, "OOZIE - SLA END_MISS (AppName=wf, JobID=job-1)");
  EXPECT_EQ(mailer.sent()[0].body, "SLA Status - END_MISS\n");
  EXPECT_EQ(store_->CountNotifications("PENDING").value(), 0);
}

TEST_F(SlaAlertTest, MailRowWithoutAMailerIsRetriedThenKeptAsFailed) {
  QueueMail("OOZIE - SLA END_MISS (AppName=wf, JobID=job-1)");
  FakeClock clock(SystemClock()->Now());
  NotifierOptions options;
  options.max_attempts = 2;
  Notifier notifier(store_.get(), &clock, options);
  EXPECT_EQ(notifier.DeliverDue(), 0);
  EXPECT_EQ(store_->CountNotifications("PENDING").value(), 1);
  clock.Advance(options.retry_interval);
  EXPECT_EQ(notifier.DeliverDue(), 0);
  EXPECT_EQ(store_->CountNotifications("FAILED").value(), 1);
}

TEST_F(SlaAlertTest, StoreRecordsAnSlaEventAndItsAlertsOnce) {
  store::SlaEventRecord event;
  event.subject_id = "job-1";
  event.job_id = "job-1";
  event.event = "END_MISS";
  event.detail = "SLA END_MISS: job had not ended";
  store::NotificationRecord alert;
  alert.url = "http://127.0.0.1:9/hook";
  alert.method = "POST";
  alert.body = "{}";
  event.alerts = {alert, alert};
  store::WriteBatch batch;
  store::WorkflowJobRecord job;  // the event's log line belongs to a stored job
  job.id = "job-1";
  job.status = "RUNNING";
  batch.jobs.push_back(job);
  batch.sla_events.push_back(event);
  const Status first = store_->Apply(batch);
  ASSERT_TRUE(first.ok()) << first.ToString();
  const Status again = store_->Apply(batch);  // a re-evaluation, e.g. after a restart
  ASSERT_TRUE(again.ok()) << again.ToString();
  EXPECT_EQ(store_->ListSlaEvents("job-1")->size(), 1u);
  EXPECT_EQ(store_->CountNotifications("PENDING").value(), 2);
  EXPECT_EQ(*store_->ReadLog("job-1"), "SLA END_MISS: job had not ended");
}

// Records the bodies of webhook POSTs.
class Receiver {
 public:
  Receiver() {
    HttpServerOptions options;
    options.port = 0;
    server_ = HttpServer::Start(options, [this](const HttpRequest& request) {
                std::lock_guard<std::mutex> lock(mu_);
                bodies_.push_back(request.body);
                return HttpResponse{};
              }).value();
  }
  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + path;
  }
  std::vector<std::string> bodies() {
    std::lock_guard<std::mutex> lock(mu_);
    return bodies_;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> bodies_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(SlaAlertTest, LateJobAlertReachesARealSmtpServerAndTheWebhook) {
  ::refinery::testing::SmtpSink sink;
  ASSERT_TRUE(sink.Start(dir_));
  Receiver receiver;
  engine::EngineOptions engine_options;
  engine_options.webhook_urls = {receiver.Url("/hook")};
  OpenEngine(engine_options);
  // Nominal an hour ago, should start 5 minutes after it: the start is late.
  const int64_t now_minute = ToEpochMillis(SystemClock()->Now()) / 60000 * 60000;
  Properties conf = App("late", "<workflow-app xmlns=\"uri:oozie:workflow:0.5\" xmlns:sla=\"uri:oozie:sla:0.2\" "
                                "name=\"late-wf\"><start to=\"end\"/><end name=\"end\"/>"
                                "<sla:info><sla:nominal-time>${nominal_time}</sla:nominal-time>"
                                "<sla:should-start>${5 * MINUTES}</sla:should-start>"
                                "<sla:should-end>${2 * HOURS}</sla:should-end>"
                                "<sla:alert-events>start_miss</sla:alert-events>"
                                "<sla:alert-contact>ops@example.com</sla:alert-contact></sla:info></workflow-app>");
  conf.Set("nominal_time", FormatOozieTime(FromEpochMillis(now_minute - 3600 * 1000)));
  const auto job = RunToEnd(conf);
  ASSERT_EQ(job.status, "SUCCEEDED");

  actions::SmtpSettings smtp;
  smtp.host = "127.0.0.1";
  smtp.port = sink.port();
  smtp.from = "refinery@example.org";
  smtp.timeout_ms = 3000;
  auto mailer = actions::MakeSmtpMailer(smtp);
  NotifierOptions options;
  options.mailer = mailer.get();
  Notifier notifier(store_.get(), SystemClock(), options);
  notifier.DeliverDue();
  EXPECT_EQ(store_->CountNotifications("PENDING").value(), 0);
  EXPECT_EQ(store_->CountNotifications("FAILED").value(), 0);

  const auto messages = sink.Messages(1);
  ASSERT_EQ(messages.size(), 1u);
  const std::string mail = ::refinery::testing::ReadWhole(messages[0].string());
  EXPECT_THAT(mail, HasSubstr("OOZIE - SLA START_MISS (AppName=late-wf, JobID=" + job.id + ")"));
  EXPECT_THAT(mail, HasSubstr("ops@example.com"));
  int sla_posts = 0;
  for (const std::string& body : receiver.bodies()) {
    const auto json = nlohmann::json::parse(body, nullptr, false);
    if (json.is_object() && json.value("msgType", "") == "SLA") {
      ++sla_posts;
      EXPECT_EQ(json.value("eventStatus", ""), "START_MISS");
      EXPECT_EQ(json.value("id", ""), job.id);
    }
  }
  EXPECT_EQ(sla_posts, 1);

  OozieApi api(engine_.get(), nullptr, store_.get(), OozieApiOptions{});
  HttpRequest request;
  request.method = "GET";
  request.path = "/oozie/v2/job/" + job.id;
  request.query = {{"show", "sla"}};
  const HttpResponse response = api.Handle(request);
  ASSERT_EQ(response.status, 200) << response.body;
  const auto shown = nlohmann::json::parse(response.body);
  ASSERT_EQ(shown["slaEvents"].size(), 1u);
  EXPECT_EQ(shown["slaEvents"][0].value("eventStatus", ""), "START_MISS");
  EXPECT_EQ(shown["slaEvents"][0].value("id", ""), job.id);
}

}  // namespace
}  // namespace refinery::serve
