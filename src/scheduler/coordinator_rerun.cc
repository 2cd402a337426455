// Oozie's coordinator rerun (CoordRerunXCommand, DG_CoordinatorRerun): ended
// actions chosen by number or nominal date go back to WAITING, their output
// directories are cleaned unless asked not to, and the scheduler's next pass
// checks their data and starts them again. Holds run_mu_ like the other
// commands so it never interleaves with a pass.
#include <algorithm>
#include <set>

#include "core/log.h"
#include "core/time_format.h"
#include "scheduler/coordinator_scheduler.h"
#include "scheduler/internal.h"

namespace refinery::scheduler {
namespace {

using store::CoordinatorActionRecord;
using store::CoordinatorJobRecord;

int64_t Ms(TimePoint t) { return ToEpochMillis(t); }

Status RerunError(const std::string& message) {
  return Status::FailedPrecondition("Coord Job Rerun Error: " + message, "E1018");
}

Status BadScope(const std::string& scope, const std::string& why) {
  return Status::InvalidArgument("Invalid parameter value, [scope] = [" + scope + "]; " + why, "E0303");
}

// The statuses Oozie reruns (CoordRerunXCommand.isTerminal... checks).
bool IsRerunnable(const std::string& status) {
  return status == "TIMEDOUT" || status == "SUCCEEDED" || status == "KILLED" || status == "FAILED" ||
         status == "IGNORED";
}

std::vector<std::string> SplitCommas(const std::string& text) {
  std::vector<std::string> parts;
  size_t begin = 0;
  while (begin <= text.size()) {
    size_t end = text.find(',', begin);
    if (end == std::string::npos) end = text.size();
    std::string part = text.substr(begin, end - begin);
    while (!part.empty() && part.front() == ' ') part.erase(0, 1);
    while (!part.empty() && part.back() == ' ') part.pop_back();
    parts.push_back(std::move(part));
    begin = end + 1;
  }
  return parts;
}

// Action numbers for type=date: "A::B" ranges (inclusive, as Oozie) and
// single dates (an action must have exactly that nominal time),
// comma-separated (CoordUtils.getCoordActionsFromDates).
Result<std::set<int64_t>> DateScopeNumbers(const std::string& scope,
                                           const std::vector<CoordinatorActionRecord>& actions,
                                           const std::string& job_id) {
  const std::string usage = "give dates as yyyy-MM-ddTHH:mmZ, ranges as A::B, comma-separated";
  if (scope.empty()) return BadScope(scope, "the scope is empty; " + usage);
  std::set<int64_t> numbers;
  for (const std::string& part : SplitCommas(scope)) {
    const size_t range = part.find("::");
    const std::string first_text = part.substr(0, range);
    const std::string last_text = range == std::string::npos ? first_text : part.substr(range + 2);
    auto first = ParseOozieTime(first_text);
    auto last = ParseOozieTime(last_text);
    if (!first.ok() || !last.ok()) return BadScope(scope, "[" + part + "] is not a date or a range; " + usage);
    if (*last < *first) return BadScope(scope, "the range [" + part + "] ends before it starts");
    bool found = false;
    for (const auto& action : actions) {
      if (action.nominal_ms < Ms(*first) || action.nominal_ms > Ms(*last)) continue;
      numbers.insert(action.action_number);
      found = true;
    }
    if (!found && range == std::string::npos) {
      return Status::NotFound("Action does not exist: no action of [" + job_id + "] has nominal time [" +
                                  part + "]; job -info " + job_id + " lists its actions",
                              "E0605");
    }
  }
  if (numbers.empty()) {
    return RerunError("no action of [" + job_id + "] has a nominal time in [" + scope + "]; job -info " + job_id +
                      " lists its actions");
  }
  return numbers;
}

// Deletes the directories of the action's output events, except those of a
// data-out with nocleanup="true" (CoordRerunXCommand.cleanupOutputEvents).
Status CleanupOutputs(const coordinator::CoordinatorApp& app, const CoordinatorActionRecord& record,
                      fs::FileSystem* files) {
  const coordinator::MaterializedAction action = internal::RestoreAction(record);
  for (const auto& output : action.outputs) {
    const auto event = std::find_if(app.output_events.begin(), app.output_events.end(),
                                    [&](const coordinator::DataEvent& e) { return e.name == output.name; });
    if (event != app.output_events.end() && event->nocleanup) continue;
    for (const std::string& uri : output.uris) {
      const Status deleted = files->Delete(uri, true);
      if (!deleted.ok()) {
        return Status::IoError("Coord Job Rerun Error: cannot delete output [" + uri + "] of action " +
                                   record.id + ": " + deleted.message() + "; fix it or rerun with -nocleanup",
                               "E1018");
      }
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::string> CoordinatorScheduler::RerunFailedNodes(const std::string& workflow_id) {
  Properties conf;
  conf.Set("oozie.wf.rerun.failnodes", "true");
  REFINERY_RETURN_IF_ERROR(engine_->Rerun(workflow_id, conf));
  return workflow_id;
}

Result<std::vector<CoordinatorActionRecord>> CoordinatorScheduler::Rerun(const std::string& id,
                                                                         const RerunRequest& request) {
  std::vector<CoordinatorActionRecord> rerun;
  {
    std::lock_guard<std::mutex> lock(run_mu_);
    REFINERY_ASSIGN_OR_RETURN(CoordinatorJobRecord job, store_->GetCoordinatorJob(id));
    const std::string& status = job.status;
    if (status == "PREP" || status == "PREPSUSPENDED" || status == "PREPPAUSED" || status == "KILLED" ||
        status == "FAILED" || status == "IGNORED") {
      return RerunError("coordinator job [" + id + "] is " + status +
                        "; only a job that has materialized actions and was not killed, failed or ignored can rerun "
                        "them");
    }
    REFINERY_ASSIGN_OR_RETURN(std::vector<CoordinatorActionRecord> actions, store_->ListCoordinatorActions(id));
    std::set<int64_t> numbers;
    if (request.type == "action") {
      REFINERY_ASSIGN_OR_RETURN(numbers, internal::ParseActionScope(request.scope));
    } else if (request.type == "date") {
      REFINERY_ASSIGN_OR_RETURN(numbers, DateScopeNumbers(request.scope, actions, id));
    } else {
      return Status::InvalidArgument("Invalid parameter value, [type] = [" + request.type +
                                         "]; a coordinator rerun takes type=action (-action 1,3-4) or type=date "
                                         "(-date A::B)",
                                     "E0303");
    }
    std::string ineligible;
    for (auto& action : actions) {
      if (numbers.erase(action.action_number) == 0) continue;
      if (!IsRerunnable(action.status)) {
        ineligible += (ineligible.empty() ? "" : ",") + std::to_string(action.action_number) + " (" +
                      action.status + ")";
        continue;
      }
      rerun.push_back(action);
    }
    if (!numbers.empty()) {
      return Status::NotFound("Action does not exist [" + id + "@" + std::to_string(*numbers.begin()) +
                                  "]; job -info " + id + " lists its actions",
                              "E0605");
    }
    if (!ineligible.empty()) {
      return RerunError("part or all actions are not eligible to rerun, check the status of action number(s) [" +
                        ineligible + "]; only TIMEDOUT, SUCCEEDED, KILLED, FAILED or IGNORED actions can be rerun");
    }
    REFINERY_ASSIGN_OR_RETURN(Loaded * loaded, Load(job));
    const coordinator::CoordinatorApp& app = loaded->app;
    const TimePoint now = clock_->Now();
    if (!request.nocleanup) {
      for (const auto& action : rerun) REFINERY_RETURN_IF_ERROR(CleanupOutputs(app, action, files_));
    }
    for (auto& action : rerun) {
      if (request.refresh) {
        coordinator::JobState state;
        state.job_id = id;
        state.user = job.user;
        state.conf = loaded->conf;
        REFINERY_ASSIGN_OR_RETURN(coordinator::MaterializedAction fresh,
                                  coordinator::MaterializeAction(app, state, action.action_number,
                                                                 FromEpochMillis(action.nominal_ms), now));
        action.data_instances = internal::SaveInstances(fresh);
      }
      // -failed reruns the failed nodes of the same workflow; otherwise a
      // new workflow starts (same action id, new workflow id, as Oozie).
      bool keep_workflow = false;
      if (request.failed && !action.external_id.empty()) {
        auto workflow = store_->GetJob(action.external_id);
        keep_workflow = workflow.ok() && (workflow->status == "FAILED" || workflow->status == "KILLED" ||
                                          workflow->status == "SUCCEEDED");
      }
      if (!keep_workflow) action.external_id.clear();
      action.status = "WAITING";
      action.external_status.clear();
      action.missing_dependencies.clear();
      action.error_code.clear();
      action.error_message.clear();
      // The timeout counts from the rerun, not from the first creation.
      action.created_ms = Ms(now);
      action.last_modified_ms = Ms(now);
    }
    // All status changes are one batch: every action reruns or none does.
    store::WriteBatch batch;
    batch.coordinator_actions = rerun;
    if (job.status == "SUCCEEDED" || job.status == "DONEWITHERROR") {
      job.status = "RUNNING";
      job.error_message.clear();
    }
    job.last_modified_ms = Ms(now);
    batch.coordinator_jobs.push_back(job);
    REFINERY_RETURN_IF_ERROR(store_->Apply(batch));
    // Loaded again on the next pass: its SLA memory starts afresh.
    loaded_.erase(id);
    Log(LogLevel::kInfo, "coordinator " + id + ": " + std::to_string(rerun.size()) + " action(s) rerun (" +
                             request.type + " " + request.scope + (request.refresh ? ", refresh" : "") +
                             (request.nocleanup ? ", nocleanup" : "") + (request.failed ? ", failed" : "") + ")");
  }
  Wake();
  return rerun;
}

}  // namespace refinery::scheduler
