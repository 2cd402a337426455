// SLA monitoring of the jobs this process runs (the rules are in sla.h).
// Misses found when a job or action changes go into the same batch as the
// change; misses of something that has not happened by its deadline are found
// by a check the worker pool's timer runs at that deadline, so nothing polls
// the store. Each miss is recorded once per (job or action, event) by the
// store, which drops a repeat and its alerts, so re-evaluation after a
// restart never alerts twice.
#include <algorithm>

#include "engine/engine_impl.h"

namespace refinery::engine {
namespace {

using internal::SlaJobWatch;
using internal::SlaProgress;
using internal::SlaWatch;

bool HasSla(const workflow::WorkflowApp& app) {
  if (app.sla) return true;
  return std::any_of(app.nodes.begin(), app.nodes.end(), [](const Node& node) { return node.sla.has_value(); });
}

SlaProgress ProgressOf(const JobRuntime& job, const std::string& node) {
  SlaProgress progress;
  if (node.empty()) {
    progress.start_ms = job.record.start_ms;
    progress.ended = internal::IsTerminalJobStatus(job.record.status);
    progress.end_ms = progress.ended ? job.record.end_ms : 0;
    progress.succeeded = job.record.status == "SUCCEEDED";
    return progress;
  }
  auto it = job.actions.find(node);
  if (it == job.actions.end() || it->second.run != job.record.run) return progress;
  const WorkflowActionRecord& record = it->second;
  progress.start_ms = record.start_ms;
  progress.ended = internal::IsDone(record) || record.status == "KILLED" || record.status == "FAILED";
  progress.end_ms = progress.ended ? record.end_ms : 0;
  progress.succeeded = record.status == "OK";
  return progress;
}

}  // namespace

void Engine::Impl::QueueSlaEvents(Effects& effects) {
  const int64_t now = NowMs();
  for (const std::string& id : effects.touched_jobs) {
    auto it = jobs.find(id);
    if (it == jobs.end()) continue;
    JobRuntime& job = *it->second;
    if (job.record.status == "PREP") continue;
    const bool terminal = internal::IsTerminalJobStatus(job.record.status);
    auto found = sla_watches.find(id);
    if (found == sla_watches.end() || found->second.run != job.record.run) {
      // Built once per run; a job without <sla:info> keeps an empty watch.
      SlaJobWatch watch;
      watch.run = job.record.run;
      const el::Context context = HasSla(job.submission.app) ? ElContext(job, false) : el::Context{};
      auto add = [&](const workflow::SlaInfo& info, const std::string& node) {
        auto terms = internal::EvaluateSla(info, context);
        if (!terms.ok()) {
          JobLog(job, node, terms.status().message() + "; this SLA is not monitored", effects);
          return;
        }
        watch.watches.push_back(SlaWatch{node, std::move(*terms), {}});
      };
      if (job.submission.app.sla) add(*job.submission.app.sla, "");
      for (const Node& node : job.submission.app.nodes) {
        if (node.sla) add(*node.sla, node.name);
      }
      found = sla_watches.insert_or_assign(id, std::move(watch)).first;
    }
    SlaJobWatch& job_watch = found->second;
    std::optional<int64_t> next;
    for (SlaWatch& watch : job_watch.watches) {
      const SlaProgress progress = ProgressOf(job, watch.node);
      // An action the ended job never started has no SLA to miss.
      if (!watch.node.empty() && terminal && progress.start_ms == 0) continue;
      for (const internal::SlaMiss& miss : internal::FindSlaMisses(watch.terms, progress, now)) {
        if (!watch.recorded.insert(miss.event).second) continue;
        internal::SlaSubject subject;
        subject.job_id = job.record.id;
        subject.user = job.record.user;
        subject.job_url = options.base_url + "?job=" + job.record.id;
        if (watch.node.empty()) {
          subject.id = job.record.id;
          subject.app_type = "WORKFLOW_JOB";
          subject.app_name = job.record.app_name;
          subject.parent_id = job.record.parent_id;
          subject.status = job.record.status;
        } else {
          subject.id = ActionId(job.record.id, watch.node);
          subject.app_type = "WORKFLOW_ACTION";
          subject.app_name = watch.node;
          subject.parent_id = job.record.id;
          auto action = job.actions.find(watch.node);
          subject.status = action == job.actions.end() ? "PREP" : action->second.status;
        }
        store::SlaEventRecord event =
            internal::MakeSlaEvent(subject, watch.terms, progress, miss, now, options.webhook_urls);
        event.detail = FormatIsoMillis(FromEpochMillis(now)) + " WARN  " +
                       (watch.node.empty() ? "" : "[" + watch.node + "] ") + event.detail;
        effects.batch.sla_events.push_back(std::move(event));
      }
      if (terminal) continue;
      if (auto deadline = internal::NextSlaDeadline(watch.terms, progress, now)) {
        if (!next || *deadline < *next) next = deadline;
      }
    }
    if (terminal) {
      sla_watches.erase(found);
      continue;
    }
    if (!next || !job_watch.timers.insert(*next).second) continue;
    // The check runs just after the deadline: a miss is "later than", not "at".
    // A far deadline is approached a day at a time (each check sets the next
    // timer), which keeps the timer's arithmetic in range.
    constexpr int64_t kMaxDelayMs = 24 * 3600 * 1000;
    const auto delay = std::chrono::milliseconds(std::clamp<int64_t>(*next - now + 1, 1, kMaxDelayMs));
    pool->PostAfter(delay, [this, id, deadline = *next] {
      std::lock_guard<std::mutex> lock(mu);
      auto watch = sla_watches.find(id);
      if (watch != sla_watches.end()) watch->second.timers.erase(deadline);
      CheckSlaOf(id);
    });
  }
}

void Engine::Impl::CheckSlaOf(const std::string& job_id) {
  if (jobs.find(job_id) == jobs.end()) return;
  Effects effects;
  effects.touched_jobs.insert(job_id);
  Commit(effects);
}

void Engine::CheckSla() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  Effects effects;
  for (const auto& [id, job] : impl_->jobs) effects.touched_jobs.insert(id);
  impl_->Commit(effects);
}

}  // namespace refinery::engine
