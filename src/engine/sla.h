// Oozie's SLA (<sla:info>, uri:oozie:sla:0.1 and 0.2) for workflow jobs and
// their actions: the terms an <sla:info> states once its EL is evaluated,
// which misses (START_MISS, END_MISS, DURATION_MISS) a subject's progress
// shows at a given time, when the next one could happen with nothing else
// changing, and the store record with its alerts (an email to alert-contact,
// a JSON event to each server-wide webhook). Pure functions: the engine
// (sla_monitor.cc) decides when to call them. Internal to the engine.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/status.h"
#include "el/el.h"
#include "store/store.h"
#include "workflow/workflow_app.h"

namespace refinery::engine::internal {

enum class SlaEvent { kStartMiss, kEndMiss, kDurationMiss };
const char* SlaEventName(SlaEvent event);  // "START_MISS", "END_MISS", "DURATION_MISS"

// The outbox method of an SLA email: url "mailto:a@x,b@y", body a JSON object
// {"subject": ..., "body": ...}; the notifier sends it through the mailer.
inline constexpr char kMailMethod[] = "MAIL";

// An <sla:info> after EL evaluation. Times are epoch milliseconds.
struct SlaTerms {
  int64_t nominal_ms = 0;
  std::optional<int64_t> should_start_ms;  // nominal + should-start
  std::optional<int64_t> should_end_ms;    // nominal + should-end
  std::optional<int64_t> max_duration_ms;
  std::set<SlaEvent> alert_events;          // emailed; Oozie's default is END_MISS only
  std::vector<std::string> alert_contacts;  // alert-contact, comma-separated
  std::string notification_msg;
  std::string upstream_apps;
};

// Evaluates each field with `context` plus the SLA constants MINUTES (1),
// HOURS (60) and DAYS (1440): nominal-time must be yyyy-MM-dd'T'HH:mm'Z';
// should-start, should-end and max-duration are minutes (after the nominal
// time for the first two). Errors name the field and what to write instead.
Result<SlaTerms> EvaluateSla(const workflow::SlaInfo& info, const el::Context& context);

// What a job or action has done so far (epoch ms, 0 = not yet).
struct SlaProgress {
  int64_t start_ms = 0;
  int64_t end_ms = 0;
  bool ended = false;
  bool succeeded = false;  // SUCCEEDED job / OK action
};

struct SlaMiss {
  SlaEvent event = SlaEvent::kEndMiss;
  int64_t expected_ms = 0;  // deadline, or the max duration for DURATION_MISS
  int64_t actual_ms = 0;    // start/end time or duration; 0 = had not happened by the deadline
};

// The misses `progress` shows at `now_ms`: started after should-start (or not
// started by then), ended after should-end, not successfully, or not ended by
// then, ran longer than max-duration (or is still running past it).
std::vector<SlaMiss> FindSlaMisses(const SlaTerms& terms, const SlaProgress& progress, int64_t now_ms);

// The earliest time after `now_ms` at which FindSlaMisses could find a miss it
// does not find now without the subject changing; nullopt when none.
std::optional<int64_t> NextSlaDeadline(const SlaTerms& terms, const SlaProgress& progress, int64_t now_ms);

// Who a miss is about.
struct SlaSubject {
  std::string id;        // job id or <job>@<action>
  std::string job_id;
  std::string app_type;  // WORKFLOW_JOB or WORKFLOW_ACTION
  std::string app_name;
  std::string user;
  std::string parent_id;
  std::string status;    // the job's or action's status now
  std::string job_url;   // the job's page in the API, for the email
};

// The store record of a miss with its alerts: one JSON POST per webhook
// (Oozie's JMS SLA message keys) and, when the event is in alert-events and
// there are contacts, one email shaped as Oozie's SLA email.
store::SlaEventRecord MakeSlaEvent(const SlaSubject& subject, const SlaTerms& terms, const SlaProgress& progress,
                                   const SlaMiss& miss, int64_t now_ms, const std::vector<std::string>& webhook_urls);

// The engine's watch over one job's SLAs (guarded by the engine's mutex).
struct SlaWatch {
  std::string node;  // "" for the job's own <sla:info>
  SlaTerms terms;
  std::set<SlaEvent> recorded;  // sent to the store by this process (the store dedupes across restarts)
};
struct SlaJobWatch {
  int run = -1;                  // the job run the watches were built for
  std::vector<SlaWatch> watches;  // empty: the job has no (valid) <sla:info>
  std::set<int64_t> timers;      // deadlines with a check already scheduled
};

}  // namespace refinery::engine::internal
