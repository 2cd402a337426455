#include "engine/sla.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

#include <nlohmann/json.hpp>

#include "core/time_format.h"

namespace refinery::engine::internal {
namespace {

constexpr int64_t kMinuteMs = 60 * 1000;

std::string Trim(std::string_view text) {
  size_t begin = 0;
  size_t end = text.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(text[begin]))) ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
  return std::string(text.substr(begin, end - begin));
}

std::vector<std::string> CommaList(const std::string& text) {
  std::vector<std::string> items;
  size_t at = 0;
  while (at <= text.size()) {
    size_t comma = text.find(',', at);
    if (comma == std::string::npos) comma = text.size();
    std::string item = Trim(std::string_view(text).substr(at, comma - at));
    if (!item.empty()) items.push_back(std::move(item));
    at = comma + 1;
  }
  return items;
}

// The EL context of an <sla:info>: the caller's, plus Oozie's SLA constants.
el::Context SlaContext(const el::Context& base) {
  el::Context context = base;
  context.variables = [base](std::string_view name) -> std::optional<el::Value> {
    if (base.variables) {
      if (auto value = base.variables(name)) return value;
    }
    if (name == "MINUTES") return el::Value::Int(1);
    if (name == "HOURS") return el::Value::Int(60);
    if (name == "DAYS") return el::Value::Int(24 * 60);
    return std::nullopt;
  };
  return context;
}

Result<std::string> Field(const workflow::SlaInfo& info, const std::string& name, const el::Context& context) {
  for (const auto& [field, text] : info.fields) {
    if (field != name) continue;
    auto value = el::Evaluate(text, context);
    if (!value.ok()) {
      return Status::InvalidArgument("SLA: <sla:" + name + "> [" + text + "]: " + value.status().message());
    }
    return Trim(*value);
  }
  return std::string();
}

// Whole minutes (a fraction is rounded down to the millisecond).
Result<std::optional<int64_t>> MinutesField(const workflow::SlaInfo& info, const std::string& name,
                                            const el::Context& context) {
  REFINERY_ASSIGN_OR_RETURN(std::string text, Field(info, name, context));
  if (text.empty()) return std::optional<int64_t>();
  double minutes = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), minutes);
  // A bound far beyond any real SLA (about 1900 years) keeps the conversion defined.
  constexpr double kMaxMinutes = 1e9;
  if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(minutes) ||
      std::fabs(minutes) > kMaxMinutes) {
    return Status::InvalidArgument("SLA: <sla:" + name + "> is [" + text +
                                   "], not a number of minutes; write e.g. ${10 * MINUTES} or ${2 * HOURS}");
  }
  return std::optional<int64_t>(static_cast<int64_t>(std::floor(minutes * kMinuteMs)));
}

Result<std::set<SlaEvent>> AlertEvents(const std::string& text) {
  if (text.empty()) return std::set<SlaEvent>{SlaEvent::kEndMiss};
  std::set<SlaEvent> events;
  for (std::string item : CommaList(text)) {
    std::transform(item.begin(), item.end(), item.begin(), [](unsigned char c) { return std::toupper(c); });
    if (item == "START_MISS") {
      events.insert(SlaEvent::kStartMiss);
    } else if (item == "END_MISS") {
      events.insert(SlaEvent::kEndMiss);
    } else if (item == "DURATION_MISS") {
      events.insert(SlaEvent::kDurationMiss);
    } else {
      return Status::InvalidArgument("SLA: <sla:alert-events> names [" + item +
                                     "]; use a comma list of start_miss, end_miss, duration_miss");
    }
  }
  return events;
}

std::string TimeText(int64_t ms) { return ms > 0 ? FormatOozieTime(FromEpochMillis(ms)) : "-"; }
std::string MinutesText(std::optional<int64_t> ms) { return ms ? std::to_string(*ms / kMinuteMs) : "-"; }

std::string SlaStatus(const SlaProgress& progress) {
  if (progress.ended) return "MISS";
  return progress.start_ms > 0 ? "IN_PROCESS" : "NOT_STARTED";
}

// Oozie's JMS SLA message keys; times epoch ms and durations ms, -1 = unset.
std::string WebhookBody(const SlaSubject& subject, const SlaTerms& terms, const SlaProgress& progress,
                        SlaEvent event) {
  auto or_unset = [](std::optional<int64_t> value) { return value ? *value : int64_t{-1}; };
  const int64_t actual_duration =
      progress.start_ms > 0 && progress.end_ms > 0 ? progress.end_ms - progress.start_ms : int64_t{-1};
  nlohmann::json body = {{"msgType", "SLA"},
                         {"appType", subject.app_type},
                         {"id", subject.id},
                         {"parentId", subject.parent_id},
                         {"appName", subject.app_name},
                         {"user", subject.user},
                         {"slaStatus", SlaStatus(progress)},
                         {"eventStatus", SlaEventName(event)},
                         {"nominalTime", terms.nominal_ms},
                         {"expectedStartTime", or_unset(terms.should_start_ms)},
                         {"actualStartTime", progress.start_ms > 0 ? progress.start_ms : -1},
                         {"expectedEndTime", or_unset(terms.should_end_ms)},
                         {"actualEndTime", progress.end_ms > 0 ? progress.end_ms : -1},
                         {"expectedDuration", or_unset(terms.max_duration_ms)},
                         {"actualDuration", actual_duration},
                         {"notificationMessage", terms.notification_msg},
                         {"upstreamApps", terms.upstream_apps}};
  return body.dump();
}

std::string EmailBody(const SlaSubject& subject, const SlaTerms& terms, const SlaProgress& progress,
                      SlaEvent event) {
  std::optional<int64_t> actual_duration;
  if (progress.start_ms > 0 && progress.end_ms > 0) actual_duration = progress.end_ms - progress.start_ms;
  std::string body;
  body += "Status:\n";
  body += "  SLA Status - " + std::string(SlaEventName(event)) + "\n";
  body += "  Job Status - " + subject.status + "\n";
  body += "  Notification Message - " + terms.notification_msg + "\n";
  body += "Job Details:\n";
  body += "  App Name - " + subject.app_name + "\n";
  body += "  App Type - " + subject.app_type + "\n";
  body += "  User - " + subject.user + "\n";
  body += "  Job ID - " + subject.id + "\n";
  body += "  Job URL - " + subject.job_url + "\n";
  body += "  Parent Job ID - " + (subject.parent_id.empty() ? "N/A" : subject.parent_id) + "\n";
  body += "  Upstream Apps - " + terms.upstream_apps + "\n";
  body += "SLA Details:\n";
  body += "  Nominal Time - " + TimeText(terms.nominal_ms) + "\n";
  body += "  Expected Start Time - " + TimeText(terms.should_start_ms.value_or(0)) + "\n";
  body += "  Actual Start Time - " + TimeText(progress.start_ms) + "\n";
  body += "  Expected End Time - " + TimeText(terms.should_end_ms.value_or(0)) + "\n";
  body += "  Actual End Time - " + TimeText(progress.end_ms) + "\n";
  body += "  Expected Duration (in mins) - " + MinutesText(terms.max_duration_ms) + "\n";
  body += "  Actual Duration (in mins) - " + MinutesText(actual_duration) + "\n";
  return body;
}

std::string Detail(const SlaSubject& subject, const SlaMiss& miss) {
  std::string what;
  switch (miss.event) {
    case SlaEvent::kStartMiss:
      what = miss.actual_ms > 0 ? "started at " + TimeText(miss.actual_ms) : "had not started";
      what += ", should have started by " + TimeText(miss.expected_ms);
      break;
    case SlaEvent::kEndMiss:
      what = miss.actual_ms > 0 ? "ended at " + TimeText(miss.actual_ms) : "had not ended";
      what += ", should have ended successfully by " + TimeText(miss.expected_ms);
      break;
    case SlaEvent::kDurationMiss:
      what = "ran " + (miss.actual_ms > 0 ? std::to_string(miss.actual_ms / kMinuteMs) + " min" : "longer") +
             ", max-duration is " + std::to_string(miss.expected_ms / kMinuteMs) + " min";
      break;
  }
  const std::string who = subject.app_type == "WORKFLOW_ACTION" ? "action [" + subject.app_name + "]" : "job";
  return "SLA " + std::string(SlaEventName(miss.event)) + ": " + who + " " + what;
}

}  // namespace

const char* SlaEventName(SlaEvent event) {
  switch (event) {
    case SlaEvent::kStartMiss:
      return "START_MISS";
    case SlaEvent::kEndMiss:
      return "END_MISS";
    case SlaEvent::kDurationMiss:
      return "DURATION_MISS";
  }
  return "END_MISS";
}

Result<SlaTerms> EvaluateSla(const workflow::SlaInfo& info, const el::Context& base) {
  const el::Context context = SlaContext(base);
  SlaTerms terms;
  REFINERY_ASSIGN_OR_RETURN(std::string nominal, Field(info, "nominal-time", context));
  if (nominal.empty()) {
    return Status::InvalidArgument(
        "SLA: <sla:nominal-time> is missing or empty; set it, e.g. ${nominal_time} passed from the coordinator "
        "as ${coord:nominalTime()}");
  }
  auto nominal_time = ParseOozieTime(nominal);
  if (!nominal_time.ok()) {
    return Status::InvalidArgument("SLA: <sla:nominal-time> is [" + nominal +
                                   "]; write it as yyyy-MM-dd'T'HH:mm'Z', e.g. 2026-01-14T07:00Z");
  }
  terms.nominal_ms = ToEpochMillis(*nominal_time);
  REFINERY_ASSIGN_OR_RETURN(auto should_start, MinutesField(info, "should-start", context));
  REFINERY_ASSIGN_OR_RETURN(auto should_end, MinutesField(info, "should-end", context));
  REFINERY_ASSIGN_OR_RETURN(terms.max_duration_ms, MinutesField(info, "max-duration", context));
  if (should_start) terms.should_start_ms = terms.nominal_ms + *should_start;
  if (should_end) terms.should_end_ms = terms.nominal_ms + *should_end;
  REFINERY_ASSIGN_OR_RETURN(std::string events, Field(info, "alert-events", context));
  REFINERY_ASSIGN_OR_RETURN(terms.alert_events, AlertEvents(events));
  REFINERY_ASSIGN_OR_RETURN(std::string contacts, Field(info, "alert-contact", context));
  terms.alert_contacts = CommaList(contacts);
  REFINERY_ASSIGN_OR_RETURN(terms.notification_msg, Field(info, "notification-msg", context));
  REFINERY_ASSIGN_OR_RETURN(terms.upstream_apps, Field(info, "upstream-apps", context));
  return terms;
}

std::vector<SlaMiss> FindSlaMisses(const SlaTerms& terms, const SlaProgress& progress, int64_t now_ms) {
  std::vector<SlaMiss> misses;
  if (terms.should_start_ms) {
    const int64_t deadline = *terms.should_start_ms;
    if (progress.start_ms > 0 ? progress.start_ms > deadline : (!progress.ended && now_ms > deadline)) {
      misses.push_back({SlaEvent::kStartMiss, deadline, progress.start_ms});
    }
  }
  if (terms.should_end_ms) {
    const int64_t deadline = *terms.should_end_ms;
    const bool missed = progress.ended ? (progress.end_ms > deadline || !progress.succeeded) : now_ms > deadline;
    if (missed) misses.push_back({SlaEvent::kEndMiss, deadline, progress.ended ? progress.end_ms : 0});
  }
  if (terms.max_duration_ms && progress.start_ms > 0) {
    const int64_t until = progress.ended ? progress.end_ms : now_ms;
    if (until - progress.start_ms > *terms.max_duration_ms) {
      misses.push_back({SlaEvent::kDurationMiss, *terms.max_duration_ms,
                        progress.ended ? progress.end_ms - progress.start_ms : 0});
    }
  }
  return misses;
}

std::optional<int64_t> NextSlaDeadline(const SlaTerms& terms, const SlaProgress& progress, int64_t now_ms) {
  if (progress.ended) return std::nullopt;
  std::optional<int64_t> next;
  auto consider = [&](int64_t deadline) {
    if (deadline >= now_ms && (!next || deadline < *next)) next = deadline;
  };
  if (terms.should_start_ms && progress.start_ms == 0) consider(*terms.should_start_ms);
  if (terms.should_end_ms) consider(*terms.should_end_ms);
  if (terms.max_duration_ms && progress.start_ms > 0) consider(progress.start_ms + *terms.max_duration_ms);
  return next;
}

store::SlaEventRecord MakeSlaEvent(const SlaSubject& subject, const SlaTerms& terms, const SlaProgress& progress,
                                   const SlaMiss& miss, int64_t now_ms, const std::vector<std::string>& webhook_urls) {
  store::SlaEventRecord record;
  record.subject_id = subject.id;
  record.event = SlaEventName(miss.event);
  record.job_id = subject.job_id;
  record.app_type = subject.app_type;
  record.app_name = subject.app_name;
  record.nominal_ms = terms.nominal_ms;
  record.expected_ms = miss.expected_ms;
  record.actual_ms = miss.actual_ms;
  record.created_ms = now_ms;
  record.detail = Detail(subject, miss);
  auto alert = [&](std::string url, std::string method, std::string body) {
    store::NotificationRecord notification;
    notification.url = std::move(url);
    notification.method = std::move(method);
    notification.body = std::move(body);
    notification.subject_id = subject.id;
    notification.created_ms = now_ms;
    notification.next_attempt_ms = now_ms;
    record.alerts.push_back(std::move(notification));
  };
  for (const std::string& webhook : webhook_urls) {
    alert(webhook, "POST", WebhookBody(subject, terms, progress, miss.event));
  }
  if (terms.alert_events.count(miss.event) > 0 && !terms.alert_contacts.empty()) {
    std::string to = "mailto:";
    for (size_t i = 0; i < terms.alert_contacts.size(); ++i) to += (i ? "," : "") + terms.alert_contacts[i];
    const nlohmann::json mail = {
        {"subject", "OOZIE - SLA " + record.event + " (AppName=" + subject.app_name + ", JobID=" + subject.id + ")"},
        {"body", EmailBody(subject, terms, progress, miss.event)}};
    alert(std::move(to), kMailMethod, mail.dump());
  }
  return record;
}

}  // namespace refinery::engine::internal
