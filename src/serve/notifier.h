// Delivers the notification outbox (store.h NotificationRecord): an HTTP GET
// per row, success on HTTP 200 only, retried as Oozie does (3 more times, 60 s
// apart, by default), then kept as FAILED. It sleeps until the earliest
// retry or until the engine reports an event that may have queued one — no
// polling. A crash between the GET and the row's removal repeats that one
// GET after restart; each request carries X-Refinery-Notification-Id so a
// receiver can drop the repeat. Rows with method MAIL (SLA alerts,
// engine/sla.h) are emails sent through `mailer`, with the same retries.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "actions/action.h"
#include "core/clock.h"
#include "engine/engine.h"
#include "store/store.h"

namespace refinery::serve {

struct NotifierOptions {
  int max_attempts = 4;  // the first try and Oozie's 3 retries
  std::chrono::milliseconds retry_interval = std::chrono::seconds(60);
  int timeout_seconds = 10;  // oozie.notification.url.connection.timeout
  actions::Mailer* mailer = nullptr;  // for MAIL rows; null: they fail and stay FAILED
};

class Notifier : public engine::EngineObserver {
 public:
  Notifier(store::Store* store, const Clock* clock, NotifierOptions options = {})
      : store_(store), clock_(clock), options_(options) {}
  ~Notifier() override { Stop(); }

  void Start();  // the delivery thread
  void Stop();   // idempotent; undelivered rows stay in the outbox

  // One pass over the due rows; returns how many were delivered.
  int DeliverDue();

  // engine::EngineObserver: a job event may have queued notifications.
  void OnEvent(const engine::EngineEvent& event) override;

 private:
  void Loop();
  bool Deliver(store::NotificationRecord record);
  // Sends a MAIL row; "" on success, else why not.
  std::string SendMail(const store::NotificationRecord& record);

  store::Store* store_;
  const Clock* clock_;
  NotifierOptions options_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool poked_ = false;    // guarded by mu_
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace refinery::serve
