// SLA of coordinator actions: the <sla:info> (uri:oozie:sla:0.2) inside a
// coordinator's <action>, evaluated for each materialized action at the
// action-start phase (coord:nominalTime() and the other coord:* functions
// resolve for that action; MINUTES, HOURS and DAYS are constants). Misses are
// found with the workflow SLA rules (engine/sla.h) against the action's
// workflow start and the action's end, and recorded as SlaEventRecord with
// app_type COORDINATOR_ACTION: the store keeps each (action, event) once and
// queues its alerts (email to alert-contact, the webhooks) only then, so a
// re-evaluation after a restart never alerts twice. Called from each pass of
// the job (RunJob), which wakes again at the next deadline.
#include <pugixml.hpp>

#include "coordinator/coord_el.h"
#include "coordinator/status.h"
#include "core/log.h"
#include "core/time_format.h"
#include "engine/sla.h"
#include "scheduler/coordinator_scheduler.h"
#include "scheduler/internal.h"

namespace refinery::scheduler {
namespace {

using store::CoordinatorActionRecord;
namespace sla = engine::internal;

std::string_view LocalName(std::string_view name) {
  const size_t colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

// The <sla:info> element as written, as the fields EvaluateSla reads.
Result<workflow::SlaInfo> ParseSlaXml(const std::string& xml) {
  pugi::xml_document doc;
  if (!doc.load_string(xml.c_str())) {
    return Status::InvalidArgument("SLA: the coordinator's <sla:info> is not well-formed XML");
  }
  workflow::SlaInfo info;
  const pugi::xml_node root = doc.document_element();
  for (pugi::xml_node child = root.first_child(); child; child = child.next_sibling()) {
    if (child.type() != pugi::node_element) continue;
    info.fields.emplace_back(std::string(LocalName(child.name())), child.text().get());
  }
  return info;
}

bool IsEnded(const std::string& status) {
  auto parsed = coordinator::ParseActionStatus(status);
  return parsed && coordinator::IsTerminal(*parsed);
}

}  // namespace

std::optional<TimePoint> CoordinatorScheduler::CheckActionSlas(const coordinator::CoordinatorApp& app,
                                                               const Properties& conf, SlaMemory& memory,
                                                               const store::CoordinatorJobRecord& job,
                                                               const std::vector<CoordinatorActionRecord>& actions,
                                                               TimePoint now) {
  auto info = ParseSlaXml(app.sla_xml);
  if (!info.ok()) {
    Log(LogLevel::kWarn, "coordinator " + job.id + ": " + info.status().message() + "; its SLA is not monitored");
    return std::nullopt;
  }
  if (!memory.seeded) {
    auto recorded = store_->ListSlaEvents(job.id);
    if (!recorded.ok()) {
      Log(LogLevel::kWarn, "coordinator " + job.id + ": " + recorded.status().ToString());
      return now + std::chrono::seconds(5);
    }
    for (const auto& event : *recorded) memory.recorded.insert(event.subject_id + " " + event.event);
    memory.seeded = true;
  }
  const int64_t now_ms = ToEpochMillis(now);
  std::optional<int64_t> next;
  store::WriteBatch batch;
  std::vector<std::string> recorded_now;
  for (const CoordinatorActionRecord& action : actions) {
    const bool ended = IsEnded(action.status);
    if (ended && memory.settled.count(action.id) > 0) continue;
    // The action-start phase of EL: this action's nominal time and data.
    const internal::ActionStartEl start(app, conf, job, action, now);
    el::FunctionTable table;
    FakeClock clock(now);
    coordinator::RegisterCoordFunctions(&table, &start.context(), &clock);
    el::Context el_context;
    el_context.functions = &table;
    el_context.variables = [&conf](std::string_view name) -> std::optional<el::Value> {
      auto value = conf.Get(name);
      if (!value) return std::nullopt;
      return el::Value::String(*value);
    };
    auto terms = sla::EvaluateSla(*info, el_context);
    if (!terms.ok()) {
      // The same definition fails the same way for every action: say it once.
      if (memory.settled.insert(job.id).second) {
        Log(LogLevel::kWarn, "coordinator " + job.id + ": " + terms.status().message() + "; its SLA is not monitored");
      }
      return std::nullopt;
    }
    sla::SlaProgress progress;
    progress.ended = ended;
    progress.succeeded = action.status == "SUCCEEDED";
    if (!action.external_id.empty()) {
      if (auto workflow = store_->GetJob(action.external_id); workflow.ok()) {
        progress.start_ms = workflow->start_ms;
        if (ended) progress.end_ms = workflow->end_ms;
      }
    }
    if (ended && progress.end_ms == 0) progress.end_ms = action.last_modified_ms;
    for (const sla::SlaMiss& miss : sla::FindSlaMisses(*terms, progress, now_ms)) {
      const std::string key = action.id + " " + sla::SlaEventName(miss.event);
      if (memory.recorded.count(key) > 0) continue;
      sla::SlaSubject subject;
      subject.id = action.id;
      subject.job_id = job.id;
      subject.app_type = "COORDINATOR_ACTION";
      subject.app_name = app.name;
      subject.user = job.user;
      subject.parent_id = job.id;
      subject.status = action.status;
      subject.job_url = options_.base_url + "?job=" + action.id;
      store::SlaEventRecord event =
          sla::MakeSlaEvent(subject, *terms, progress, miss, now_ms, options_.sla_webhook_urls);
      // The store appends a detail to a workflow job's log; a coordinator has
      // none, so the line goes to the server log instead.
      Log(LogLevel::kWarn, "coordinator action " + action.id + ": " + event.detail);
      event.detail.clear();
      batch.sla_events.push_back(std::move(event));
      recorded_now.push_back(key);
    }
    if (ended) {
      memory.settled.insert(action.id);
      continue;
    }
    if (auto deadline = sla::NextSlaDeadline(*terms, progress, now_ms)) {
      if (!next || *deadline < *next) next = deadline;
    }
  }
  if (!batch.sla_events.empty()) {
    const Status applied = ApplyFenced(batch);
    if (!applied.ok()) {
      Log(LogLevel::kWarn, "coordinator " + job.id + ": cannot record SLA misses: " + applied.ToString());
      return now + std::chrono::seconds(5);
    }
    memory.recorded.insert(recorded_now.begin(), recorded_now.end());
  }
  // A miss is "later than" the deadline: look just after it.
  if (!next) return std::nullopt;
  return FromEpochMillis(*next) + std::chrono::milliseconds(1);
}

}  // namespace refinery::scheduler
