#include "serve/notifier.h"

#include <nlohmann/json.hpp>

#include "core/log.h"
#include "core/time_format.h"
#include "serve/http_client.h"

namespace refinery::serve {
namespace {

constexpr int kBatch = 100;

}  // namespace

void Notifier::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void Notifier::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Notifier::OnEvent(const engine::EngineEvent& event) {
  using Kind = engine::EngineEvent::Kind;
  if (event.kind != Kind::kJobStatus && event.kind != Kind::kActionStart && event.kind != Kind::kActionEnd) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    poked_ = true;
  }
  wake_.notify_all();
}

void Notifier::Loop() {
  while (true) {
    while (DeliverDue() == kBatch) {
    }
    auto next = store_->NextNotificationTime();
    std::unique_lock<std::mutex> lock(mu_);
    if (stopping_) return;
    if (poked_) {
      poked_ = false;
      continue;
    }
    if (next.ok() && next->has_value()) {
      const int64_t delay_ms = **next - ToEpochMillis(clock_->Now());
      wake_.wait_for(lock, std::chrono::milliseconds(std::max<int64_t>(delay_ms, 1)),
                     [this] { return stopping_ || poked_; });
    } else {
      wake_.wait(lock, [this] { return stopping_ || poked_; });
    }
    poked_ = false;
    if (stopping_) return;
  }
}

int Notifier::DeliverDue() {
  auto due = store_->ListDueNotifications(ToEpochMillis(clock_->Now()), kBatch);
  if (!due.ok()) {
    Log(LogLevel::kError, "notification outbox: " + due.status().ToString());
    return 0;
  }
  int delivered = 0;
  for (store::NotificationRecord& record : *due) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) break;
    }
    if (Deliver(std::move(record))) ++delivered;
  }
  return delivered;
}

std::string Notifier::SendMail(const store::NotificationRecord& record) {
  if (options_.mailer == nullptr) {
    return "no mailer configured; set oozie.email.smtp.host (and .port, oozie.email.from.address) in "
           "<home>/refinery.properties";
  }
  actions::EmailMessage message;
  std::string to = record.url.rfind("mailto:", 0) == 0 ? record.url.substr(7) : record.url;
  for (size_t at = 0; at <= to.size();) {
    size_t comma = to.find(',', at);
    if (comma == std::string::npos) comma = to.size();
    if (comma > at) message.to.push_back(to.substr(at, comma - at));
    at = comma + 1;
  }
  const nlohmann::json mail = nlohmann::json::parse(record.body, nullptr, /*allow_exceptions=*/false);
  if (!mail.is_object()) return "the mail row's body is not a JSON object {\"subject\", \"body\"}";
  message.subject = mail.value("subject", "");
  message.body = mail.value("body", "");
  const Status sent = options_.mailer->Send(message);
  return sent.ok() ? "" : sent.message();
}

bool Notifier::Deliver(store::NotificationRecord record) {
  std::string error;
  auto url = ParseHttpUrl(record.url);
  if (record.method == "MAIL") {
    error = SendMail(record);
    if (error.empty()) {
      const Status removed = store_->DeleteNotification(record.id);
      if (!removed.ok()) Log(LogLevel::kError, "notification outbox: " + removed.ToString());
      return true;
    }
  } else if (url.ok()) {
    HttpCall call;
    call.method = record.method.empty() ? "GET" : record.method;
    call.body = record.body;
    call.timeout_seconds = options_.timeout_seconds;
    call.headers = {{"X-Refinery-Notification-Id", std::to_string(record.id)}};
    if (!record.body.empty()) call.headers.emplace_back("Content-Type", "application/json");
    auto reply = SendHttp(*url, call);
    // Oozie's notifications succeed on 200 only; webhooks on any 2xx.
    const bool delivered = reply.ok() && (reply->status == 200 || (call.method == "POST" && reply->status / 100 == 2));
    if (delivered) {
      const Status removed = store_->DeleteNotification(record.id);
      if (!removed.ok()) Log(LogLevel::kError, "notification outbox: " + removed.ToString());
      return true;
    }
    error = reply.ok() ? "HTTP " + std::to_string(reply->status) : reply.status().message();
  } else {
    error = url.status().message();
  }
  record.attempts += 1;
  record.last_error = error;
  const bool give_up = record.attempts >= options_.max_attempts || (!url.ok() && record.method != "MAIL");
  record.status = give_up ? "FAILED" : "PENDING";
  record.next_attempt_ms = ToEpochMillis(clock_->Now()) + options_.retry_interval.count();
  Log(give_up ? LogLevel::kError : LogLevel::kWarn,
      "notification for [" + record.subject_id + "] attempt " + std::to_string(record.attempts) + " failed: " +
          error + (give_up ? "; giving up (kept in the outbox as FAILED)" : "; will retry"));
  const Status updated = store_->UpdateNotification(record);
  if (!updated.ok()) Log(LogLevel::kError, "notification outbox: " + updated.ToString());
  return false;
}

}  // namespace refinery::serve
