// The coordinator commands that edit a stored job rather than run it:
// Oozie's -change (CoordChangeXCommand), -ignore (CoordActionsIgnoreXCommand)
// and the coordinator dry run. Each holds run_mu_ so it never interleaves with
// a scheduler pass, and wakes the scheduler so the next pass sees the change.
#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>

#include "coordinator/status.h"
#include "core/log.h"
#include "core/time_format.h"
#include "scheduler/coordinator_scheduler.h"
#include "scheduler/internal.h"

namespace refinery::scheduler {
namespace {

using store::CoordinatorActionRecord;
using store::CoordinatorJobRecord;

int64_t Ms(TimePoint t) { return ToEpochMillis(t); }

std::string TimeText(int64_t ms) { return FormatOozieTime(FromEpochMillis(ms)); }

bool IsUnstarted(const std::string& status) { return status == "WAITING" || status == "READY"; }

bool IsClean(const std::string& status) {
  return status == "SUCCEEDED" || status == "SKIPPED" || status == "IGNORED";
}

bool IsActionTerminal(const std::string& status) {
  auto parsed = coordinator::ParseActionStatus(status);
  return parsed && coordinator::IsTerminal(*parsed);
}

Status BadChange(const std::string& value, const std::string& why) {
  return Status::InvalidArgument("Invalid coordinator job change value [" + value + "], " + why, "E1015");
}

Result<TimePoint> ChangeTime(const std::string& key, const std::string& value) {
  auto time = ParseOozieTime(value);
  if (!time.ok()) return BadChange(value, key + " must be a valid date such as 2026-12-31T00:00Z");
  return *time;
}

// CoordChangeXCommand.checkStatusChange: RUNNING revives a FAILED, KILLED
// or IGNORED job; IGNORED sets a FAILED or KILLED one aside.
Status CheckStatusChange(const CoordinatorJobRecord& job, const std::string& target) {
  if (target == "RUNNING" && job.status != "FAILED" && job.status != "KILLED" && job.status != "IGNORED") {
    return BadChange(target, "Only FAILED, KILLED, IGNORED job can be changed to RUNNING. Current job status is " +
                                 job.status);
  }
  if (target == "IGNORED" && job.status != "FAILED" && job.status != "KILLED") {
    return BadChange(target, "Only FAILED or KILLED non-pending job can be changed to IGNORED. Current job status is " +
                                 job.status);
  }
  return Status::Ok();
}

}  // namespace

namespace internal {

// "endtime=2026-12-31T00:00Z;concurrency=2;pausetime=;status=RUNNING" (JobUtils.parseChangeValue).
Result<ChangeRequest> ParseChangeValue(const std::string& text) {
  const std::string usage =
      "use endtime=<yyyy-MM-ddTHH:mmZ>;concurrency=<n>;pausetime=<yyyy-MM-ddTHH:mmZ or empty>;status=RUNNING";
  if (text.empty()) return BadChange(text, "the value is empty; " + usage);
  std::map<std::string, std::string> entries;
  size_t begin = 0;
  while (begin <= text.size()) {
    size_t end = text.find(';', begin);
    if (end == std::string::npos) end = text.size();
    const std::string entry = text.substr(begin, end - begin);
    begin = end + 1;
    if (entry.empty()) continue;
    const size_t equals = entry.find('=');
    if (equals == std::string::npos) return BadChange(text, "[" + entry + "] is not key=value; " + usage);
    const std::string key = entry.substr(0, equals);
    if (key != "endtime" && key != "concurrency" && key != "pausetime" && key != "status") {
      return BadChange(text, "must change endtime|concurrency|pausetime|status, not [" + key + "]");
    }
    if (!entries.emplace(key, entry.substr(equals + 1)).second) {
      return BadChange(text, "[" + key + "] is given twice; give each key once");
    }
  }
  if (entries.empty()) return BadChange(text, "nothing to change; " + usage);
  ChangeRequest request;
  for (const auto& [key, value] : entries) {
    if (key != "pausetime" && value.empty()) return BadChange(text, "value on " + key + " can not be empty");
    if (key == "endtime") {
      REFINERY_ASSIGN_OR_RETURN(request.end, ChangeTime(key, value));
    } else if (key == "concurrency") {
      char* stop = nullptr;
      const long number = std::strtol(value.c_str(), &stop, 10);
      if (*stop != '\0' || number < -1000000 || number > 1000000) {
        return BadChange(value, "concurrency must be a valid integer (-1: unbounded)");
      }
      request.concurrency = static_cast<int>(number);
    } else if (key == "status") {
      // CoordChangeXCommand.checkStatusChange: only these two are targets.
      if (value != "RUNNING" && value != "IGNORED") return BadChange(value, "must be RUNNING or IGNORED");
      request.status = value;
    } else if (value.empty()) {
      request.clear_pause = true;
    } else {
      REFINERY_ASSIGN_OR_RETURN(request.pause, ChangeTime(key, value));
    }
  }
  return request;
}

// Action numbers of "1,3-4" (CoordUtils.getCoordActions for type=action);
// also used by -rerun (coordinator_rerun.cc).
Result<std::set<int64_t>> ParseActionScope(const std::string& scope) {
  auto bad = [&scope](const std::string& why) {
    return Status::InvalidArgument("Invalid parameter value, [scope] = [" + scope + "]; " + why +
                                       "; give action numbers and ranges such as 1,3-4",
                                   "E0303");
  };
  auto number = [](const std::string& text) -> std::optional<int64_t> {
    if (text.empty() || text.size() > 12 || text.find_first_not_of("0123456789") != std::string::npos) {
      return std::nullopt;
    }
    return std::stoll(text);
  };
  std::set<int64_t> numbers;
  size_t begin = 0;
  while (begin <= scope.size()) {
    size_t end = scope.find(',', begin);
    if (end == std::string::npos) end = scope.size();
    const std::string part = scope.substr(begin, end - begin);
    begin = end + 1;
    const size_t dash = part.find('-');
    const auto first = number(part.substr(0, dash));
    const auto last = dash == std::string::npos ? first : number(part.substr(dash + 1));
    if (!first || !last || *first < 1) return bad("[" + part + "] is not a number or a range n-m");
    if (*last < *first) return bad("the range [" + part + "] ends before it starts");
    if (*last - *first > 100000) return bad("the range [" + part + "] is too long");
    for (int64_t n = *first; n <= *last; ++n) numbers.insert(n);
  }
  return numbers;
}

}  // namespace internal

Status CoordinatorScheduler::Change(const std::string& id, const std::string& value) {
  REFINERY_ASSIGN_OR_RETURN(internal::ChangeRequest request, internal::ParseChangeValue(value));
  {
    std::lock_guard<std::mutex> lock(run_mu_);
    REFINERY_ASSIGN_OR_RETURN(CoordinatorJobRecord job, store_->GetCoordinatorJob(id));
    const bool other_changes = request.end || request.concurrency || request.pause || request.clear_pause;
    if ((job.status == "KILLED" || job.status == "IGNORED") && (!request.status || other_changes)) {
      return Status::FailedPrecondition("Cannot change a killed coordinator job [" + id + "] (it is " + job.status +
                                            "); only -value status=RUNNING applies to it",
                                        "E1016");
    }
    if (request.status) REFINERY_RETURN_IF_ERROR(CheckStatusChange(job, *request.status));
    REFINERY_ASSIGN_OR_RETURN(std::vector<CoordinatorActionRecord> actions, store_->ListCoordinatorActions(id));
    const TimePoint now = clock_->Now();
    if (request.end) {
      if (Ms(*request.end) < job.start_ms) {
        return BadChange(FormatOozieTime(*request.end),
                         "endtime cannot be before the job's start time [" + TimeText(job.start_ms) + "]");
      }
      // Actions that started keep their place: the end must lie past them.
      for (auto it = actions.rbegin(); it != actions.rend(); ++it) {
        if (IsUnstarted(it->status)) continue;
        if (Ms(*request.end) <= it->nominal_ms) {
          return BadChange(FormatOozieTime(*request.end),
                           "endtime must be after the nominal time [" + TimeText(it->nominal_ms) + "] of action " +
                               it->id + ", which is " + it->status + "; give a later endtime");
        }
        break;
      }
    }
    if (request.pause && *request.pause < now) {
      return BadChange(FormatOozieTime(*request.pause),
                       "pausetime must be a non-past time (now is " + FormatOozieTime(now) + ")");
    }

    store::WriteBatch batch;
    // Materialized actions at or past the new end or pause time that have not
    // started are deleted from the last one back, so the job re-materializes
    // from the first one deleted if the limit moves again.
    std::optional<int64_t> cutoff;
    if (request.end) cutoff = Ms(*request.end);
    if (request.pause) cutoff = std::min(cutoff.value_or(Ms(*request.pause)), Ms(*request.pause));
    if (cutoff) {
      for (auto it = actions.rbegin(); it != actions.rend(); ++it) {
        if (it->nominal_ms < *cutoff || !IsUnstarted(it->status)) break;
        batch.deleted_coordinator_actions.push_back(it->id);
        job.last_action_number = it->action_number - 1;
        job.next_materialized_ms = it->nominal_ms;
      }
    }
    if (request.end) {
      job.end_ms = Ms(*request.end);
      // Oozie: a job that ended runs again to reach its new end.
      if (job.status == "SUCCEEDED" || job.status == "DONEWITHERROR" || job.status == "FAILED") {
        job.status = "RUNNING";
        job.error_message.clear();
      }
    }
    if (request.concurrency) job.concurrency = *request.concurrency;
    if (request.pause) job.pause_ms = Ms(*request.pause);
    if (request.clear_pause) job.pause_ms = 0;
    if (request.status) {
      // RUNNING: the next pass materializes what is left before the end and
      // runs it; actions that ended keep their status.
      job.status = *request.status;
      loaded_.erase(id);
    }
    // A moved or cleared pause time shows at once (PAUSED -> RUNNING, ...).
    if (auto to = internal::PauseTransition(job.status, internal::PauseTimeHasCome(job.pause_ms, now))) {
      job.status = *to;
    }
    job.last_modified_ms = Ms(now);
    batch.coordinator_jobs.push_back(job);
    // The loaded definition stays: each pass takes the end and concurrency
    // from the record.
    REFINERY_RETURN_IF_ERROR(store_->Apply(batch));
    Log(LogLevel::kInfo, "coordinator " + id + " changed: " + value +
                             (batch.deleted_coordinator_actions.empty()
                                  ? ""
                                  : " (" + std::to_string(batch.deleted_coordinator_actions.size()) +
                                        " waiting actions deleted)"));
  }
  Wake();
  return Status::Ok();
}

Result<std::vector<CoordinatorActionRecord>> CoordinatorScheduler::Ignore(const std::string& id,
                                                                          const std::string& scope) {
  std::vector<CoordinatorActionRecord> ignored;
  // The job itself: Oozie's servlet turns it into -change status=IGNORED.
  if (scope.empty()) {
    REFINERY_RETURN_IF_ERROR(Change(id, "status=IGNORED"));
    return ignored;
  }
  {
    std::lock_guard<std::mutex> lock(run_mu_);
    REFINERY_ASSIGN_OR_RETURN(CoordinatorJobRecord job, store_->GetCoordinatorJob(id));
    const int64_t now = Ms(clock_->Now());
    REFINERY_ASSIGN_OR_RETURN(std::set<int64_t> numbers, internal::ParseActionScope(scope));
    if (job.status == "PREP" || job.status == "PREPSUSPENDED" || job.status == "PREPPAUSED") {
      return Status::FailedPrecondition(
          "Cannot ignore actions of coord job [" + id + "]: No actions are materialized to ignore", "E1024");
    }
    REFINERY_ASSIGN_OR_RETURN(std::vector<CoordinatorActionRecord> actions, store_->ListCoordinatorActions(id));
    std::string ineligible;
    for (auto& action : actions) {
      if (numbers.erase(action.action_number) == 0) continue;
      if (action.status != "FAILED" && action.status != "KILLED" && action.status != "TIMEDOUT") {
        ineligible += (ineligible.empty() ? "" : ",") + std::to_string(action.action_number) + " (" +
                      action.status + ")";
        continue;
      }
      action.status = "IGNORED";
      action.last_modified_ms = now;
      ignored.push_back(action);
    }
    if (!numbers.empty()) {
      return Status::NotFound("Action does not exist [" + id + "@" + std::to_string(*numbers.begin()) +
                                  "]; job -info " + id + " lists its actions",
                              "E0605");
    }
    if (!ineligible.empty()) {
      return Status::FailedPrecondition(
          "Cannot ignore actions of coord job [" + id +
              "]: part or all actions are not eligible to ignore, check state of action number(s) [" + ineligible +
              "]; only FAILED, KILLED or TIMEDOUT actions can be ignored",
          "E1024");
    }
    store::WriteBatch batch;
    batch.coordinator_actions = ignored;
    // An ended job is judged again: ignored failures no longer count.
    if (job.status == "DONEWITHERROR") {
      const bool clean = std::all_of(actions.begin(), actions.end(),
                                     [](const auto& a) { return IsClean(a.status); });
      const bool ended = std::all_of(actions.begin(), actions.end(),
                                     [](const auto& a) { return IsActionTerminal(a.status); });
      if (clean && ended) {
        job.status = "SUCCEEDED";
        job.last_modified_ms = now;
        batch.coordinator_jobs.push_back(job);
      }
    }
    REFINERY_RETURN_IF_ERROR(store_->Apply(batch));
    Log(LogLevel::kInfo, "coordinator " + id + ": " + std::to_string(ignored.size()) + " action(s) ignored");
  }
  Wake();
  return ignored;
}

Result<CoordinatorScheduler::DryRunResult> CoordinatorScheduler::DryRun(const Properties& conf, int max_actions) {
  REFINERY_ASSIGN_OR_RETURN(Parsed parsed, ParseSubmission(conf));
  DryRunResult result;
  result.app = parsed.app;
  if (max_actions <= 0 || result.app.end <= result.app.start) return result;
  // Materialize from the start as if it were now, with one window reaching
  // the end, so the first `max_actions` nominal times come out in one pass.
  coordinator::CoordinatorApp app = result.app;
  app.controls.throttle = max_actions;
  FakeClock at_start(app.start);
  coordinator::MaterializeOptions options = options_.materialize;
  options.window = std::chrono::duration_cast<std::chrono::seconds>(app.end - app.start) + std::chrono::seconds(1);
  coordinator::JobState state;
  state.job_id = "dryrun-C";
  state.user = parsed.user;
  state.conf = parsed.conf;
  coordinator::Materializer materializer(&app, &at_start, options);
  REFINERY_ASSIGN_OR_RETURN(coordinator::MaterializeResult materialized, materializer.Materialize(state));
  result.actions = std::move(materialized.actions);
  return result;
}

}  // namespace refinery::scheduler
