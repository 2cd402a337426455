// SLA alerts (<sla:info>) on an injected clock: which misses are recorded,
// which alerts go to the outbox, and that none is queued twice, also across a
// restart. The deadlines are checked by calling Engine::CheckSla() after
// moving the fake clock, except in the one test that proves the timer.
#include <chrono>
#include <limits>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/time_format.h"
#include "engine/engine_test_support.h"
#include "engine/sla.h"

namespace refinery::engine::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

constexpr auto kMinute = std::chrono::minutes(1);
constexpr char kNominal[] = "2026-01-14T07:00Z";
constexpr char kWebhook[] = "http://127.0.0.1:9/hooks/refinery";

TimePoint Nominal() { return *ParseOozieTime(kNominal); }

std::string SlaInfo(const std::string& fields) {
  return "<sla:info><sla:nominal-time>${nominal_time}</sla:nominal-time>" + fields + "</sla:info>";
}

// a -> b -> end; `job_sla` closes the app, `b_sla` closes action b.
std::string SlaWorkflow(const std::string& job_sla, const std::string& b_sla = "", const std::string& b_body = "") {
  return "<workflow-app xmlns=\"uri:oozie:workflow:0.5\" xmlns:sla=\"uri:oozie:sla:0.2\" name=\"sla-wf\">\n"
         "<start to=\"a\"/>\n"
         "<action name=\"a\"><test xmlns=\"uri:refinery:test\"/><ok to=\"b\"/><error to=\"fail\"/></action>\n"
         "<action name=\"b\"><test xmlns=\"uri:refinery:test\">" +
         b_body + "</test><ok to=\"end\"/><error to=\"fail\"/>" + b_sla +
         "</action>\n"
         "<kill name=\"fail\"><message>failed</message></kill>\n"
         "<end name=\"end\"/>\n" +
         job_sla + "\n</workflow-app>\n";
}

const std::string kContacts = "<sla:alert-contact>ops@example.com, oncall@example.com</sla:alert-contact>";

class SlaFixture : public EngineFixture {
 public:
  void SetUp() override {
    EngineFixture::SetUp();
    OpenEngineOnClock();
  }

  // The fixture's engine again, on the fake clock and with a webhook.
  void OpenEngineOnClock() {
    engine_.reset();
    EngineEnvironment env;
    env.store = store_.get();
    env.files = files_.get();
    env.actions = registry_.get();
    env.processes = processes_.get();
    env.clock = &clock_;
    env.scratch_root = (dir_ / "scratch").string();
    EngineOptions options;
    options.webhook_urls = {kWebhook};
    auto engine = Engine::Create(env, options);
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    engine_ = std::move(engine).value();
  }

  Properties SlaApp(const std::string& name, const std::string& xml) {
    Properties conf = App(name, xml);
    conf.Set("nominal_time", kNominal);
    return conf;
  }

  std::vector<std::string> Events(const std::string& job_id) {
    std::vector<std::string> events;
    auto records = store_->ListSlaEvents(job_id);
    EXPECT_TRUE(records.ok()) << records.status().ToString();
    if (!records.ok()) return events;
    for (const auto& record : *records) {
      events.push_back(record.subject_id == job_id ? record.event : record.subject_id + " " + record.event);
    }
    return events;
  }

  // The outbox rows about SLAs: webhook POSTs with msgType SLA and emails.
  std::vector<store::NotificationRecord> SlaAlerts() {
    std::vector<store::NotificationRecord> alerts;
    auto due = store_->ListDueNotifications(std::numeric_limits<int64_t>::max(), 1000);
    EXPECT_TRUE(due.ok());
    if (!due.ok()) return alerts;
    for (auto& row : *due) {
      if (row.method == internal::kMailMethod || row.body.find("\"msgType\":\"SLA\"") != std::string::npos) {
        alerts.push_back(row);
      }
    }
    return alerts;
  }

  std::vector<std::string> Mails() {
    std::vector<std::string> subjects;
    for (const auto& row : SlaAlerts()) {
      if (row.method != internal::kMailMethod) continue;
      subjects.push_back(row.url + " " + nlohmann::json::parse(row.body).value("subject", ""));
    }
    return subjects;
  }

  std::vector<std::string> WebhookEvents() {
    std::vector<std::string> events;
    for (const auto& row : SlaAlerts()) {
      if (row.method != "POST") continue;
      EXPECT_EQ(row.url, kWebhook);
      const auto body = nlohmann::json::parse(row.body);
      events.push_back(body.value("id", "") + " " + body.value("eventStatus", ""));
    }
    return events;
  }

  FakeClock clock_{Nominal() + kMinute};
};

TEST_F(SlaFixture, JobThatMeetsItsSlaRaisesNoAlert) {
  const auto job = RunToEnd(SlaApp(
      "met", SlaWorkflow(SlaInfo("<sla:should-start>${5 * MINUTES}</sla:should-start>"
                                 "<sla:should-end>${10 * MINUTES}</sla:should-end>"
                                 "<sla:max-duration>${3 * MINUTES}</sla:max-duration>"
                                 "<sla:alert-events>start_miss,end_miss,duration_miss</sla:alert-events>" +
                                 kContacts))));
  EXPECT_EQ(job.status, "SUCCEEDED");
  clock_.Advance(std::chrono::hours(2));
  engine_->CheckSla();
  EXPECT_TRUE(Events(job.id).empty());
  EXPECT_TRUE(SlaAlerts().empty());
}

TEST_F(SlaFixture, LateStartIsOneStartMissEmailedAndPostedToWebhooks) {
  clock_.Set(Nominal() + 7 * kMinute);
  const auto job = RunToEnd(SlaApp(
      "late", SlaWorkflow(SlaInfo("<sla:should-start>${5 * MINUTES}</sla:should-start>"
                                  "<sla:should-end>${HOURS}</sla:should-end>"
                                  "<sla:alert-events>start_miss,end_miss</sla:alert-events>" +
                                  kContacts + "<sla:notification-msg>nightly load</sla:notification-msg>"))));
  EXPECT_EQ(job.status, "SUCCEEDED");
  EXPECT_THAT(Events(job.id), UnorderedElementsAre("START_MISS"));
  EXPECT_THAT(Mails(), UnorderedElementsAre("mailto:ops@example.com,oncall@example.com OOZIE - SLA START_MISS "
                                            "(AppName=sla-wf, JobID=" + job.id + ")"));
  EXPECT_THAT(WebhookEvents(), UnorderedElementsAre(job.id + " START_MISS"));
  for (const auto& row : SlaAlerts()) {
    if (row.method == "POST") {
      const auto body = nlohmann::json::parse(row.body);
      EXPECT_EQ(body.value("msgType", ""), "SLA");
      EXPECT_EQ(body.value("appType", ""), "WORKFLOW_JOB");
      EXPECT_EQ(body.value("appName", ""), "sla-wf");
      EXPECT_EQ(body.value("user", ""), "tester");
      EXPECT_EQ(body.value("slaStatus", ""), "IN_PROCESS");
      EXPECT_EQ(body.value("nominalTime", int64_t{0}), ToEpochMillis(Nominal()));
      EXPECT_EQ(body.value("expectedStartTime", int64_t{0}), ToEpochMillis(Nominal() + 5 * kMinute));
      EXPECT_EQ(body.value("actualStartTime", int64_t{0}), ToEpochMillis(Nominal() + 7 * kMinute));
      EXPECT_EQ(body.value("notificationMessage", ""), "nightly load");
    } else {
      const std::string text = nlohmann::json::parse(row.body).value("body", "");
      EXPECT_THAT(text, HasSubstr("SLA Status - START_MISS"));
      EXPECT_THAT(text, HasSubstr("Expected Start Time - 2026-01-14T07:05Z"));
      EXPECT_THAT(text, HasSubstr("Actual Start Time - 2026-01-14T07:07Z"));
      EXPECT_THAT(text, HasSubstr("Notification Message - nightly load"));
    }
  }
  EXPECT_THAT(*store_->ReadLog(job.id), HasSubstr("SLA START_MISS: job started at 2026-01-14T07:07Z"));
}

TEST_F(SlaFixture, StillRunningPastShouldEndIsEndMissAndDurationMissOnceEvenAfterARestart) {
  Properties conf = SlaApp("running", SlaWorkflow(SlaInfo("<sla:should-end>${10 * MINUTES}</sla:should-end>"
                                                          "<sla:max-duration>${3 * MINUTES}</sla:max-duration>"
                                                          "<sla:alert-events>end_miss,duration_miss</sla:alert-events>" +
                                                          kContacts)));
  conf.Set("oozie.suspend.on.nodes", "b");  // the job stops before b, not ended
  const auto job = RunToEnd(conf);
  ASSERT_EQ(job.status, "SUSPENDED");
  engine_->CheckSla();
  EXPECT_TRUE(Events(job.id).empty());

  clock_.Advance(3 * kMinute);  // exactly max-duration after the start: not above it
  engine_->CheckSla();
  EXPECT_TRUE(Events(job.id).empty());
  clock_.Advance(std::chrono::milliseconds(1));
  engine_->CheckSla();
  EXPECT_THAT(Events(job.id), UnorderedElementsAre("DURATION_MISS"));
  clock_.Advance(7 * kMinute);
  engine_->CheckSla();
  engine_->CheckSla();
  EXPECT_THAT(Events(job.id), UnorderedElementsAre("DURATION_MISS", "END_MISS"));
  EXPECT_EQ(Mails().size(), 2u);
  EXPECT_THAT(WebhookEvents(), UnorderedElementsAre(job.id + " DURATION_MISS", job.id + " END_MISS"));
  const auto events = *store_->ListSlaEvents(job.id);
  for (const auto& event : events) EXPECT_EQ(event.actual_ms, 0) << event.event;  // detected while running

  // A crash while b runs; a new process takes the job over and ends it late.
  auto record = *store_->GetJob(job.id);
  auto b = Actions(job.id).at("b");
  store::WriteBatch crash;
  record.status = "RUNNING";
  crash.jobs.push_back(record);
  b.status = "RUNNING";
  crash.actions.push_back(b);
  ASSERT_TRUE(store_->Apply(crash).ok());
  ASSERT_TRUE(store_->PutMeta("owner." + job.id, "999999999:0").ok());
  OpenEngineOnClock();
  ASSERT_TRUE(engine_->Recover().ok());
  EXPECT_EQ(engine_->WaitForJob(job.id)->status, "SUCCEEDED");
  engine_->CheckSla();
  EXPECT_THAT(Events(job.id), UnorderedElementsAre("DURATION_MISS", "END_MISS"));
  EXPECT_EQ(Mails().size(), 2u);
  EXPECT_EQ(WebhookEvents().size(), 2u);
}

TEST_F(SlaFixture, FailedJobIsEndMissBeforeItsDeadlineAndEndMissIsTheDefaultAlert) {
  const auto job = RunToEnd(SlaApp(
      "failed", SlaWorkflow(SlaInfo("<sla:should-start>${MINUTES}</sla:should-start>"
                                    "<sla:should-end>${DAYS}</sla:should-end>" + kContacts),
                            "", "<outcome>error</outcome>")));
  EXPECT_EQ(job.status, "KILLED");
  EXPECT_THAT(Events(job.id), UnorderedElementsAre("END_MISS"));
  EXPECT_EQ(Mails().size(), 1u);
  const auto events = *store_->ListSlaEvents(job.id);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].actual_ms, job.end_ms);
  EXPECT_EQ(events[0].expected_ms, ToEpochMillis(Nominal() + std::chrono::hours(24)));
}

TEST_F(SlaFixture, AlertEventsChooseWhatIsEmailedWhileWebhooksGetEveryMiss) {
  clock_.Set(Nominal() + 7 * kMinute);
  const auto job = RunToEnd(SlaApp(
      "choose", SlaWorkflow(SlaInfo("<sla:should-start>${5 * MINUTES}</sla:should-start>"
                                    "<sla:should-end>${6 * MINUTES}</sla:should-end>"
                                    "<sla:alert-events>start_miss</sla:alert-events>" + kContacts))));
  EXPECT_THAT(Events(job.id), UnorderedElementsAre("START_MISS", "END_MISS"));
  ASSERT_EQ(Mails().size(), 1u);
  EXPECT_THAT(Mails()[0], HasSubstr("SLA START_MISS"));
  EXPECT_THAT(WebhookEvents(), UnorderedElementsAre(job.id + " START_MISS", job.id + " END_MISS"));
}

TEST_F(SlaFixture, ActionNotStartedByItsShouldStartIsAnActionStartMiss) {
  Properties conf = SlaApp(
      "action", SlaWorkflow("", SlaInfo("<sla:should-start>${2 * MINUTES}</sla:should-start>"
                                        "<sla:should-end>${HOURS}</sla:should-end>"
                                        "<sla:alert-events>start_miss</sla:alert-events>" + kContacts)));
  conf.Set("oozie.suspend.on.nodes", "b");
  const auto job = RunToEnd(conf);
  ASSERT_EQ(job.status, "SUSPENDED");
  clock_.Advance(2 * kMinute);
  engine_->CheckSla();
  const std::string b = job.id + "@b";
  EXPECT_THAT(Events(job.id), UnorderedElementsAre(b + " START_MISS"));
  EXPECT_THAT(Mails(), UnorderedElementsAre("mailto:ops@example.com,oncall@example.com OOZIE - SLA START_MISS "
                                            "(AppName=b, JobID=" + b + ")"));
  for (const auto& row : SlaAlerts()) {
    if (row.method == "POST") {
      EXPECT_EQ(nlohmann::json::parse(row.body).value("appType", ""), "WORKFLOW_ACTION");
    }
  }
}

TEST_F(SlaFixture, AnSlaThatCannotBeEvaluatedIsLoggedAndTheJobStillRuns) {
  Properties conf = App("bad", SlaWorkflow(SlaInfo("<sla:should-end>${10 * MINUTES}</sla:should-end>")));
  conf.Set("nominal_time", "tomorrow");
  const auto job = RunToEnd(conf);
  EXPECT_EQ(job.status, "SUCCEEDED");
  EXPECT_THAT(*store_->ReadLog(job.id), HasSubstr("SLA: <sla:nominal-time> is [tomorrow]; write it as"));
  EXPECT_TRUE(Events(job.id).empty());
}

// The only test that waits: the engine's own timer must find a miss at the
// deadline with nothing else happening to the job.
TEST_F(SlaFixture, TheDeadlineTimerFindsAMissWithoutAnyEvent) {
  clock_.Set(Nominal() + 10 * kMinute - std::chrono::milliseconds(30));
  Properties conf = SlaApp("timer", SlaWorkflow(SlaInfo("<sla:should-end>${10 * MINUTES}</sla:should-end>")));
  conf.Set("oozie.suspend.on.nodes", "b");
  const auto job = RunToEnd(conf);
  ASSERT_EQ(job.status, "SUSPENDED");
  clock_.Advance(kMinute);  // the timer (about 30 ms of real time) now sees the deadline passed
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (Events(job.id).empty() && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_THAT(Events(job.id), UnorderedElementsAre("END_MISS"));
}

// ---- the rules alone ----

el::Context ConfContext(const Properties* conf) {
  el::Context context;
  context.variables = [conf](std::string_view name) -> std::optional<el::Value> {
    if (auto value = conf->Get(std::string(name))) return el::Value::String(*value);
    return std::nullopt;
  };
  return context;
}

workflow::SlaInfo Info(std::vector<std::pair<std::string, std::string>> fields) {
  workflow::SlaInfo info;
  info.xmlns = "uri:oozie:sla:0.2";
  info.fields = std::move(fields);
  return info;
}

TEST(SlaRules, EvaluatesMinutesHoursAndDaysAfterTheNominalTime) {
  Properties conf;
  conf.Set("nominal_time", kNominal);
  auto terms = internal::EvaluateSla(Info({{"nominal-time", "${nominal_time}"},
                                           {"should-start", "${10 * MINUTES}"},
                                           {"should-end", "${2 * HOURS}"},
                                           {"max-duration", "${DAYS}"},
                                           {"alert-contact", " a@x.org ,b@y.org,"}}),
                                     ConfContext(&conf));
  ASSERT_TRUE(terms.ok()) << terms.status().ToString();
  const int64_t nominal = ToEpochMillis(Nominal());
  EXPECT_EQ(terms->nominal_ms, nominal);
  EXPECT_EQ(*terms->should_start_ms, nominal + 10 * 60000);
  EXPECT_EQ(*terms->should_end_ms, nominal + 120 * 60000);
  EXPECT_EQ(*terms->max_duration_ms, 1440 * 60000);
  EXPECT_EQ(terms->alert_events, std::set<internal::SlaEvent>{internal::SlaEvent::kEndMiss});
  EXPECT_EQ(terms->alert_contacts, (std::vector<std::string>{"a@x.org", "b@y.org"}));
}

TEST(SlaRules, RefusesValuesItCannotUseNamingTheField) {
  Properties conf;
  auto bad_events = internal::EvaluateSla(
      Info({{"nominal-time", kNominal}, {"should-end", "10"}, {"alert-events", "end_miss,late"}}), ConfContext(&conf));
  EXPECT_THAT(bad_events.status().message(), HasSubstr("<sla:alert-events> names [LATE]"));
  auto bad_minutes =
      internal::EvaluateSla(Info({{"nominal-time", kNominal}, {"should-end", "soon"}}), ConfContext(&conf));
  EXPECT_THAT(bad_minutes.status().message(), HasSubstr("<sla:should-end> is [soon], not a number of minutes"));
  auto no_nominal = internal::EvaluateSla(Info({{"should-end", "10"}}), ConfContext(&conf));
  EXPECT_THAT(no_nominal.status().message(), HasSubstr("<sla:nominal-time> is missing"));
}

TEST(SlaRules, MissesAndNextDeadline) {
  internal::SlaTerms terms;
  terms.should_start_ms = 100;
  terms.should_end_ms = 200;
  terms.max_duration_ms = 50;
  auto names = [](const std::vector<internal::SlaMiss>& misses) {
    std::vector<std::string> out;
    for (const auto& miss : misses) out.push_back(internal::SlaEventName(miss.event));
    return out;
  };
  internal::SlaProgress waiting;
  EXPECT_TRUE(internal::FindSlaMisses(terms, waiting, 100).empty());  // at the deadline is not late
  EXPECT_THAT(names(internal::FindSlaMisses(terms, waiting, 101)), UnorderedElementsAre("START_MISS"));
  EXPECT_EQ(internal::NextSlaDeadline(terms, waiting, 50), 100);
  internal::SlaProgress running{.start_ms = 90};
  EXPECT_EQ(internal::NextSlaDeadline(terms, running, 95), 140);
  EXPECT_THAT(names(internal::FindSlaMisses(terms, running, 141)), UnorderedElementsAre("DURATION_MISS"));
  internal::SlaProgress done{.start_ms = 90, .end_ms = 130, .ended = true, .succeeded = true};
  EXPECT_TRUE(internal::FindSlaMisses(terms, done, 1000).empty());
  EXPECT_FALSE(internal::NextSlaDeadline(terms, done, 1000).has_value());
  done.succeeded = false;
  EXPECT_THAT(names(internal::FindSlaMisses(terms, done, 1000)), UnorderedElementsAre("END_MISS"));
}

}  // namespace
}  // namespace refinery::engine::testing
