// Oozie's HTTP notifications (SPEC.md §11), queued in the same batch as the
// state change they announce. Delivery is the notifier's job (serve/).
#include <string>

#include <nlohmann/json.hpp>

#include "engine/engine_impl.h"

namespace refinery::engine {
namespace {

constexpr const char* kJobUrlKey = "oozie.wf.workflow.notification.url";
constexpr const char* kActionUrlKey = "oozie.wf.action.notification.url";

// Oozie replaces the tokens literally; values go into a URL, so they are
// percent-encoded where they could break it.
std::string Encoded(const std::string& value) {
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == ':' || c == '@') {
      out.push_back(static_cast<char>(c));
    } else {
      static const char* kHex = "0123456789ABCDEF";
      out += {'%', kHex[c >> 4], kHex[c & 15]};
    }
  }
  return out;
}

void ReplaceAll(std::string* text, const std::string& token, const std::string& value) {
  for (size_t at = text->find(token); at != std::string::npos; at = text->find(token, at + value.size())) {
    text->replace(at, token.size(), value);
  }
}

// The JSON body of a server-wide webhook: the job's identity and state, with
// the keys of Oozie's JMS job events.
std::string WebhookBody(const store::WorkflowJobRecord& job, const std::string& status) {
  nlohmann::json body = {{"msgType", "JOB"},     {"appType", "WORKFLOW_JOB"}, {"id", job.id},
                         {"appName", job.app_name}, {"user", job.user},       {"status", status},
                         {"parentId", job.parent_id}, {"startTime", job.start_ms}, {"endTime", job.end_ms}};
  if (!job.error_code.empty()) body["errorCode"] = job.error_code;
  if (!job.error_message.empty()) body["errorMessage"] = job.error_message;
  return body.dump();
}

}  // namespace

void Engine::Impl::QueueNotifications(Effects& effects) {
  using Kind = EngineEvent::Kind;
  for (const EngineEvent& event : effects.events) {
    if (event.kind != Kind::kJobStatus && event.kind != Kind::kActionStart && event.kind != Kind::kActionEnd) continue;
    auto it = jobs.find(event.job_id);
    if (it == jobs.end()) continue;
    const JobRuntime& job = *it->second;
    const bool job_event = event.kind == Kind::kJobStatus;
    if (job_event) {
      for (const std::string& webhook : options.webhook_urls) {
        store::NotificationRecord record;
        record.url = webhook;
        record.method = "POST";
        record.body = WebhookBody(job.record, event.status);
        record.subject_id = job.record.id;
        record.created_ms = event.time_ms;
        record.next_attempt_ms = event.time_ms;
        effects.batch.notifications.push_back(std::move(record));
      }
    }
    auto url = job.submission.job_conf.Get(job_event ? kJobUrlKey : kActionUrlKey);
    if (!url || url->empty()) continue;
    std::string target = *url;
    ReplaceAll(&target, "$jobId", Encoded(job.record.id));
    if (job_event) {
      ReplaceAll(&target, "$status", Encoded(event.status));
      ReplaceAll(&target, "$parentId", Encoded(job.record.parent_id));
    } else {
      // S:<status> while the action runs, T:<transition> once it is done.
      std::string status = "S:" + event.status;
      if (event.kind == Kind::kActionEnd) {
        auto action = job.actions.find(event.action_name);
        const bool has_transition = action != job.actions.end() && !action->second.transition.empty();
        status = has_transition ? "T:" + action->second.transition : "S:" + event.status;
      }
      ReplaceAll(&target, "$nodeName", Encoded(event.action_name));
      ReplaceAll(&target, "$actionId", Encoded(ActionId(job.record.id, event.action_name)));
      ReplaceAll(&target, "$status", Encoded(status));
    }
    store::NotificationRecord record;
    record.url = std::move(target);
    record.subject_id = job_event ? job.record.id : ActionId(job.record.id, event.action_name);
    record.created_ms = event.time_ms;
    record.next_attempt_ms = event.time_ms;
    effects.batch.notifications.push_back(std::move(record));
  }
}

}  // namespace refinery::engine
