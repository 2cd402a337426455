#include "scheduler/coordinator_scheduler.h"

#include <algorithm>
#include <map>

#include <nlohmann/json.hpp>

#include "coordinator/bundle.h"
#include "coordinator/coord_el.h"
#include "coordinator/input_logic.h"
#include "coordinator/status.h"
#include "core/log.h"
#include "core/time_format.h"
#include "scheduler/internal.h"

namespace refinery::scheduler {
namespace {

using coordinator::ActionStatus;
using coordinator::ActionStatusName;
using nlohmann::json;
using store::CoordinatorActionRecord;
using store::CoordinatorJobRecord;

constexpr const char* kCoordAppPath = "oozie.coord.application.path";

int64_t Ms(TimePoint t) { return ToEpochMillis(t); }

store::WriteBatch JobBatch(const CoordinatorJobRecord& job) {
  store::WriteBatch batch;
  batch.coordinator_jobs.push_back(job);
  return batch;
}

store::WriteBatch ActionBatch(const CoordinatorActionRecord& action) {
  store::WriteBatch batch;
  batch.coordinator_actions.push_back(action);
  return batch;
}

bool IsTerminal(const std::string& status) {
  auto parsed = coordinator::ParseActionStatus(status);
  return parsed && coordinator::IsTerminal(*parsed);
}

// An ended action that does not make its job DONEWITHERROR.
bool IsClean(const std::string& status) {
  return status == "SUCCEEDED" || status == "SKIPPED" || status == "IGNORED";
}

bool IsWorkflowDone(const std::string& status) {
  return status == "SUCCEEDED" || status == "KILLED" || status == "FAILED";
}

json InstancesToJson(const std::vector<coordinator::DataInstances>& list) {
  json out = json::array();
  for (const auto& item : list) {
    out.push_back({{"name", item.name},
                   {"dataset", item.dataset},
                   {"instances", item.instances},
                   {"uris", item.uris},
                   {"unresolved", item.unresolved}});
  }
  return out;
}

std::vector<coordinator::DataInstances> InstancesFromJson(const json& list) {
  std::vector<coordinator::DataInstances> out;
  if (!list.is_array()) return out;
  for (const json& item : list) {
    coordinator::DataInstances instances;
    instances.name = item.value("name", "");
    instances.dataset = item.value("dataset", "");
    instances.instances = item.value("instances", std::vector<std::string>{});
    instances.uris = item.value("uris", std::vector<std::string>{});
    instances.unresolved = item.value("unresolved", "");
    out.push_back(std::move(instances));
  }
  return out;
}

}  // namespace

// Shared with coordinator_rerun.cc and coordinator_sla.cc (scheduler/internal.h).
namespace internal {

std::string SaveInstances(const coordinator::MaterializedAction& action) {
  return json{{"inputs", InstancesToJson(action.inputs)}, {"outputs", InstancesToJson(action.outputs)}}.dump();
}

coordinator::MaterializedAction RestoreAction(const CoordinatorActionRecord& record) {
  coordinator::MaterializedAction action;
  action.id = record.id;
  action.number = record.action_number;
  action.nominal_time = FromEpochMillis(record.nominal_ms);
  action.created_time = FromEpochMillis(record.created_ms);
  action.status = record.status;
  const json saved = json::parse(record.data_instances, nullptr, false);
  if (saved.is_object()) {
    action.inputs = InstancesFromJson(saved.value("inputs", json::array()));
    action.outputs = InstancesFromJson(saved.value("outputs", json::array()));
  }
  return action;
}

ActionStartEl::ActionStartEl(const coordinator::CoordinatorApp& app, const Properties& job_conf,
                             const CoordinatorJobRecord& job, const CoordinatorActionRecord& record, TimePoint now)
    : action_(RestoreAction(record)) {
  context_.job_timezone = app.timezone;
  context_.nominal_time = action_.nominal_time;
  context_.actual_time = now;
  context_.action_id = record.id;
  context_.name = app.name;
  context_.user = job.user;
  context_.conf = &job_conf;
  context_.action = &action_;
}

std::optional<std::string> PauseTransition(const std::string& status, bool paused) {
  static const std::map<std::string, std::string> kPause = {
      {"RUNNING", "PAUSED"}, {"RUNNINGWITHERROR", "PAUSEDWITHERROR"}, {"PREP", "PREPPAUSED"}};
  static const std::map<std::string, std::string> kUnpause = {
      {"PAUSED", "RUNNING"}, {"PAUSEDWITHERROR", "RUNNINGWITHERROR"}, {"PREPPAUSED", "PREP"}};
  const auto& transitions = paused ? kPause : kUnpause;
  const auto to = transitions.find(status);
  if (to == transitions.end()) return std::nullopt;
  return to->second;
}

bool PauseTimeHasCome(int64_t pause_ms, TimePoint now) { return pause_ms > 0 && Ms(now) >= pause_ms; }

}  // namespace internal

namespace {

using internal::RestoreAction;
using internal::SaveInstances;

// Keeps the earliest of the times something is due.
class NextDue {
 public:
  void At(TimePoint t) {
    if (!next_ || t < *next_) next_ = t;
  }
  std::optional<TimePoint> get() const { return next_; }

 private:
  std::optional<TimePoint> next_;
};

// Oozie's pause time (SPEC §7.3): once the clock reaches it a running job
// shows PAUSED (PAUSEDWITHERROR) and materializes nothing more, while the
// actions it has go on; a job not started yet shows PREPPAUSED. Moving or
// clearing the pause time undoes it. Returns whether the status changed.
bool FollowPauseTime(CoordinatorJobRecord& job, TimePoint now) {
  const auto to = internal::PauseTransition(job.status, internal::PauseTimeHasCome(job.pause_ms, now));
  if (!to) return false;
  job.status = *to;
  job.last_modified_ms = Ms(now);
  return true;
}

}  // namespace

CoordinatorScheduler::CoordinatorScheduler(store::Store* store, engine::Engine* engine, fs::FileSystem* files,
                                           const Clock* clock, SchedulerOptions options)
    : store_(store),
      engine_(engine),
      files_(files),
      clock_(clock),
      options_(std::move(options)),
      ids_(options_.system_id.empty() ? "refinery-" + CurrentUserName() : options_.system_id, clock->Now()) {}

CoordinatorScheduler::~CoordinatorScheduler() { Stop(); }

void CoordinatorScheduler::SetLagObserver(std::function<void(double)> observer) {
  std::lock_guard<std::mutex> lock(run_mu_);
  lag_observer_ = std::move(observer);
}

Result<CoordinatorScheduler::Parsed> CoordinatorScheduler::ParseSubmission(const Properties& submitted) {
  Parsed parsed;
  Properties& conf = parsed.conf;
  conf = submitted;
  if (!conf.Get("user.name")) conf.Set("user.name", CurrentUserName());
  parsed.user = *conf.Get("user.name");
  auto app_path = conf.Get(kCoordAppPath);
  if (!app_path || app_path->empty()) {
    return Status::InvalidArgument(std::string("Invalid parameter [") + kCoordAppPath +
                                       " is required for a coordinator job]",
                                   "E0302");
  }
  parsed.app_path = *app_path;
  const workflow::AppFileReader reader = engine::MakeAppFileReader(files_);
  const bool is_file = app_path->size() > 4 && app_path->compare(app_path->size() - 4, 4, ".xml") == 0;
  std::string directory = *app_path;
  while (!directory.empty() && directory.back() == '/') directory.pop_back();
  const std::string definition_uri = is_file ? *app_path : directory + "/coordinator.xml";
  if (!is_file) {
    // coord-config-default.xml supplies defaults under the submitted values.
    auto defaults_text = reader.read(directory + "/coord-config-default.xml");
    if (defaults_text.ok()) {
      REFINERY_ASSIGN_OR_RETURN(Properties defaults,
                                ParseHadoopConfigurationXml(*defaults_text, "coord-config-default.xml"));
      defaults.MergeFrom(conf);
      conf = std::move(defaults);
    }
  }
  auto definition = reader.read(definition_uri);
  if (!definition.ok()) {
    return Status::NotFound("E0505: App definition [" + definition_uri + "] does not exist: " +
                                definition.status().message(),
                            "E0505");
  }
  parsed.definition = *definition;
  coordinator::ParseOptions parse_options;
  parse_options.job_conf = &conf;
  parse_options.user = parsed.user;
  parse_options.source_name = definition_uri;
  parse_options.check_maximum_frequency = options_.check_maximum_frequency;
  REFINERY_ASSIGN_OR_RETURN(parsed.app, coordinator::ParseCoordinatorXml(parsed.definition, parse_options));
  return parsed;
}

Result<std::string> CoordinatorScheduler::Submit(const Properties& submitted, bool start) {
  REFINERY_ASSIGN_OR_RETURN(Parsed parsed, ParseSubmission(submitted));
  const coordinator::CoordinatorApp& app = parsed.app;
  const CoordinatorJobRecord job = NewCoordinatorRecord(parsed, start);
  REFINERY_RETURN_IF_ERROR(store_->Apply(JobBatch(job)));
  Log(LogLevel::kInfo, "coordinator " + job.id + " [" + job.app_name + "] submitted: every " + job.frequency + " " +
                           job.time_unit + " from " + FormatOozieTime(app.start) + " to " + FormatOozieTime(app.end));
  Wake();
  return job.id;
}

CoordinatorJobRecord CoordinatorScheduler::NewCoordinatorRecord(const Parsed& parsed, bool start) {
  const coordinator::CoordinatorApp& app = parsed.app;
  CoordinatorJobRecord job;
  job.id = ids_.Next(JobKind::kCoordinator);
  job.app_name = app.name;
  job.app_path = parsed.app_path;
  job.user = parsed.user;
  job.status = start ? "RUNNING" : "PREP";
  job.conf = FormatHadoopConfigurationXml(parsed.conf);
  job.definition = parsed.definition;
  job.frequency = app.frequency.text;
  job.time_unit = coordinator::TimeUnitName(app.frequency.unit);
  job.timezone = app.timezone.id();
  job.execution = coordinator::ExecutionName(app.controls.execution);
  job.concurrency = static_cast<int>(app.controls.concurrency);
  job.throttle = static_cast<int>(app.controls.throttle);
  job.timeout_minutes = static_cast<int>(app.controls.timeout_minutes);
  job.start_ms = Ms(app.start);
  job.end_ms = Ms(app.end);
  job.created_ms = Ms(clock_->Now());
  job.last_modified_ms = job.created_ms;
  return job;
}

Result<CoordinatorScheduler::Loaded*> CoordinatorScheduler::Load(const CoordinatorJobRecord& job) {
  auto it = loaded_.find(job.id);
  if (it != loaded_.end()) return it->second.get();
  auto loaded = std::make_unique<Loaded>();
  REFINERY_ASSIGN_OR_RETURN(loaded->conf, ParseHadoopConfigurationXml(job.conf, job.id + " configuration"));
  coordinator::ParseOptions parse_options;
  parse_options.job_conf = &loaded->conf;
  parse_options.user = job.user;
  parse_options.source_name = job.app_path;
  REFINERY_ASSIGN_OR_RETURN(loaded->app, coordinator::ParseCoordinatorXml(job.definition, parse_options));
  Loaded* raw = loaded.get();
  loaded_[job.id] = std::move(loaded);
  return raw;
}

namespace {

// A relative <app-path> ("." or "wf/") names a directory beside
// coordinator.xml, so an app kept in a local directory runs where it was
// written (Oozie apps use full hdfs:// URIs, which are left alone).
std::string AnchorToCoordinatorDirectory(const std::string& workflow_path, const std::string& coordinator_path) {
  const bool absolute = workflow_path.empty() || workflow_path[0] == '/' ||
                        workflow_path.find("://") != std::string::npos;
  if (absolute) return workflow_path;
  std::string directory = coordinator_path;
  if (directory.size() > 4 && directory.compare(directory.size() - 4, 4, ".xml") == 0) {
    directory.erase(directory.rfind('/') == std::string::npos ? 0 : directory.rfind('/'));
  }
  while (!directory.empty() && directory.back() == '/') directory.pop_back();
  std::string relative = workflow_path;
  while (relative.rfind("./", 0) == 0) relative.erase(0, 2);
  if (relative == "." || relative.empty()) return directory;
  return directory + "/" + relative;
}

// Resolves the workflow configuration of an action at its start (Oozie's
// action-start phase): coord:* functions see the nominal and actual time and
// the action's dataset instances.
Result<Properties> WorkflowConfiguration(const coordinator::CoordinatorApp& app, const Properties& job_conf,
                                         const CoordinatorJobRecord& job, const CoordinatorActionRecord& record,
                                         const fs::FileSystem* files, TimePoint now) {
  internal::ActionStartEl el(app, job_conf, job, record, now);
  coordinator::CoordElContext& context = el.context();
  context.data_exists = [files](const std::string& uri) {
    auto exists = files->Exists(uri);
    return exists.ok() && *exists;
  };
  Properties conf = job_conf;
  conf.Erase(kCoordAppPath);
  for (const auto& [key, value] : app.action_configuration.entries()) {
    auto resolved = coordinator::EvaluateCoordText(value, context);
    if (!resolved.ok()) {
      return Status::InvalidArgument("configuration property [" + key + "] of action " + record.id + ": " +
                                         resolved.status().message(),
                                     "E1004");
    }
    conf.Set(key, *resolved);
  }
  REFINERY_ASSIGN_OR_RETURN(std::string app_path, coordinator::EvaluateCoordText(app.app_path, context));
  conf.Set("oozie.wf.application.path", AnchorToCoordinatorDirectory(app_path, job.app_path));
  conf.Set("oozie.wf.parent.id", record.id);
  conf.Set("user.name", job.user);
  return conf;
}

// URIs of the action's inputs whose done flag is not there yet.
std::vector<std::string> MissingInputs(const coordinator::CoordinatorApp& app,
                                       const coordinator::MaterializedAction& action, const fs::FileSystem* files) {
  std::vector<std::string> missing;
  for (const auto& input : action.inputs) {
    const coordinator::Dataset* dataset = app.FindDataset(input.dataset);
    const std::string flag = dataset == nullptr ? "_SUCCESS" : dataset->DoneFlagOrDefault();
    for (const std::string& uri : input.uris) {
      std::string probe = uri;
      if (!flag.empty()) probe += (probe.empty() || probe.back() == '/' ? "" : "/") + flag;
      auto exists = files->Exists(probe);
      if (!exists.ok() || !*exists) missing.push_back(uri);
    }
    if (!input.unresolved.empty()) missing.push_back(input.unresolved);
  }
  return missing;
}

// Missing inputs under the app's <input-logic> (input_logic.h): none when the
// logic holds, and then what satisfied each named element is saved with the
// action so coord:dataIn(name) resolves to it. A `wait` still running out
// is due at `wait_ends`.
std::vector<std::string> MissingUnderInputLogic(const coordinator::CoordinatorApp& app, CoordinatorActionRecord* record,
                                                const fs::FileSystem* files, TimePoint waiting_since, TimePoint now,
                                                std::optional<TimePoint>* wait_ends) {
  coordinator::MaterializedAction action = RestoreAction(*record);
  auto exists = [&app, files](const coordinator::DataInstances& input, const std::string& uri) {
    const coordinator::Dataset* dataset = app.FindDataset(input.dataset);
    const std::string flag = dataset == nullptr ? "_SUCCESS" : dataset->DoneFlagOrDefault();
    std::string probe = uri;
    if (!flag.empty()) probe += (probe.empty() || probe.back() == '/' ? "" : "/") + flag;
    auto found = files->Exists(probe);
    return found.ok() && *found;
  };
  const coordinator::InputLogicOutcome outcome =
      coordinator::EvaluateInputLogic(*app.input_logic, action, waiting_since, now, exists);
  *wait_ends = outcome.wait_ends;
  if (!outcome.ready) {
    if (outcome.missing.empty()) return {"<input-logic>"};
    return outcome.missing;
  }
  coordinator::MergeResolvedInputs(outcome.resolved, &action.inputs);
  record->data_instances = SaveInstances(action);
  return {};
}

// oozie.coord.action.notification.url ($actionId, $status), queued in the
// batch that records the new status (the outbox: store.h).
void QueueActionNotification(const Properties& conf, const CoordinatorActionRecord& action, store::WriteBatch* batch) {
  auto url = conf.Get("oozie.coord.action.notification.url");
  if (!url || url->empty()) return;
  std::string target = *url;
  for (const auto& [token, value] : {std::pair<std::string, std::string>{"$actionId", action.id},
                                     std::pair<std::string, std::string>{"$status", action.status}}) {
    for (size_t at = target.find(token); at != std::string::npos; at = target.find(token, at + value.size())) {
      target.replace(at, token.size(), value);
    }
  }
  store::NotificationRecord record;
  record.url = std::move(target);
  record.subject_id = action.id;
  record.created_ms = action.last_modified_ms;
  record.next_attempt_ms = action.last_modified_ms;
  batch->notifications.push_back(std::move(record));
}

std::string Join(const std::vector<std::string>& parts, const std::string& separator) {
  std::string out;
  for (const auto& part : parts) out += (out.empty() ? "" : separator) + part;
  return out;
}

}  // namespace

// `job` is as just listed under run_mu_, so nothing changed it since.
Result<std::optional<TimePoint>> CoordinatorScheduler::RunJob(CoordinatorJobRecord job) {
  const std::string id = job.id;
  const bool prep = job.status == "PREP" || job.status == "PREPPAUSED";
  if (job.status != "RUNNING" && job.status != "RUNNINGWITHERROR" && job.status != "PAUSED" &&
      job.status != "PAUSEDWITHERROR" && !prep) {
    return std::optional<TimePoint>();
  }
  if (FollowPauseTime(job, clock_->Now())) {
    REFINERY_RETURN_IF_ERROR(ApplyFenced(JobBatch(job)));
    Log(LogLevel::kInfo, "coordinator " + job.id + " is " + job.status + " (pause time " +
                             FormatIsoMillis(FromEpochMillis(job.pause_ms)) + ")");
  }
  // A job not started yet only follows its pause time (PREP <-> PREPPAUSED).
  if (prep) {
    if (job.pause_ms > Ms(clock_->Now())) return std::optional<TimePoint>(FromEpochMillis(job.pause_ms));
    return std::optional<TimePoint>();
  }
  auto loaded = Load(job);
  if (!loaded.ok()) {
    job.status = "FAILED";
    job.error_message = loaded.status().ToString();
    job.last_modified_ms = Ms(clock_->Now());
    REFINERY_RETURN_IF_ERROR(ApplyFenced(JobBatch(job)));
    return std::optional<TimePoint>();
  }
  // `job -change` edits the record, not the definition: the record wins.
  (*loaded)->app.end = FromEpochMillis(job.end_ms);
  (*loaded)->app.controls.concurrency = job.concurrency;
  const coordinator::CoordinatorApp& app = (*loaded)->app;
  const TimePoint now = clock_->Now();
  NextDue next;
  if (job.pause_ms > Ms(now)) next.At(FromEpochMillis(job.pause_ms));  // to show PAUSED on time
  REFINERY_ASSIGN_OR_RETURN(std::vector<CoordinatorActionRecord> actions, store_->ListCoordinatorActions(id));
  store::WriteBatch batch;
  auto changed = [&](CoordinatorActionRecord& action, const std::string& status) {
    const bool news = action.status != status;
    action.status = status;
    action.last_modified_ms = Ms(now);
    batch.coordinator_actions.push_back(action);
    if (news) QueueActionNotification((*loaded)->conf, action, &batch);
  };

  // 1. Follow the workflows already started.
  for (CoordinatorActionRecord& action : actions) {
    if (action.status != "SUBMITTED" && action.status != "RUNNING") continue;
    if (action.status == "SUBMITTED" && !action.external_id.empty() && action.external_status.empty()) {
      // `-rerun -failed` marked it SUBMITTED, then a crash came before its
      // ended workflow was rerun (that sets external_status): rerun it again.
      auto workflow = store_->GetJob(action.external_id);
      if (workflow.ok() && IsWorkflowDone(workflow->status)) {
        changed(action, "READY");
        continue;
      }
    }
    if (action.external_id.empty()) {
      // Started before a crash, or not at all: adopt the workflow that names
      // this action as its parent, or start it again below.
      store::JobFilter filter;
      filter.parent_id = action.id;
      REFINERY_ASSIGN_OR_RETURN(store::JobPage page, store_->ListJobs(filter, 0, 1));
      // A rerun action (coordinator_rerun.cc) must not adopt the workflow of
      // an earlier run: only one created since the action was (re)created.
      if (page.jobs.empty() || page.jobs.front().created_ms < action.created_ms) {
        changed(action, "READY");
        continue;
      }
      action.external_id = page.jobs.front().id;
      changed(action, "RUNNING");
    }
    auto workflow = store_->GetJob(action.external_id);
    if (!workflow.ok()) continue;
    if (action.external_status != workflow->status) {
      action.external_status = workflow->status;
      changed(action, IsWorkflowDone(workflow->status) ? workflow->status : "RUNNING");
    }
  }

  // 2. Materialize what is due.
  bool materialized_all = false;
  {
    // The store's belt against a second scheduler materializing the same
    // nominal times: the batch applies only from the position read here.
    batch.guarded_coordinator = job.id;
    batch.expected_last_action_number = job.last_action_number;
    coordinator::JobState state;
    state.job_id = job.id;
    if (job.next_materialized_ms > 0) state.next_materialized_time = FromEpochMillis(job.next_materialized_ms);
    state.last_action_number = job.last_action_number;
    state.waiting_actions = std::count_if(actions.begin(), actions.end(), [](const auto& a) {
      return a.status == "WAITING" || a.status == "READY";
    });
    if (job.pause_ms > 0) state.pause_time = FromEpochMillis(job.pause_ms);
    state.user = job.user;
    state.conf = (*loaded)->conf;
    coordinator::Materializer materializer(&app, clock_, options_.materialize);
    auto result = materializer.Materialize(state);
    if (!result.ok()) {
      job.status = "FAILED";
      job.error_message = result.status().ToString();
      job.last_modified_ms = Ms(now);
      REFINERY_RETURN_IF_ERROR(ApplyFenced(JobBatch(job)));
      return std::optional<TimePoint>();
    }
    for (const auto& created : result->actions) {
      CoordinatorActionRecord record;
      record.id = created.id;
      record.job_id = job.id;
      record.action_number = created.number;
      record.status = "WAITING";
      record.nominal_ms = Ms(created.nominal_time);
      record.created_ms = Ms(created.created_time);
      record.last_modified_ms = Ms(now);
      record.data_instances = SaveInstances(created);
      batch.coordinator_actions.push_back(record);
      actions.push_back(record);
    }
    const bool moved = result->last_action_number != job.last_action_number ||
                       (result->next_materialized_time &&
                        Ms(*result->next_materialized_time) != job.next_materialized_ms);
    if (result->next_materialized_time) job.next_materialized_ms = Ms(*result->next_materialized_time);
    job.last_action_number = result->last_action_number;
    materialized_all = result->done;
    if (moved) {
      job.last_modified_ms = Ms(now);
      batch.coordinator_jobs.push_back(job);
    }
    if (!result->done && job.next_materialized_ms > 0) {
      // The materializer creates actions `lookahead` before their time.
      const TimePoint due = FromEpochMillis(job.next_materialized_ms) - options_.materialize.lookahead;
      next.At(std::max(due, now + std::chrono::seconds(1)));
    }
  }
  // The actions and the job's new position are one batch: exactly one action
  // per nominal time whatever happens next.
  if (!batch.coordinator_actions.empty() || !batch.coordinator_jobs.empty()) {
    REFINERY_RETURN_IF_ERROR(ApplyFenced(batch));
    batch = store::WriteBatch{};
  }
  std::sort(actions.begin(), actions.end(),
            [](const auto& a, const auto& b) { return a.action_number < b.action_number; });

  // 3. Waiting actions: skip, time out, or check their data.
  bool data_missing = false;
  for (size_t i = 0; i < actions.size(); ++i) {
    CoordinatorActionRecord& action = actions[i];
    if (action.status != "WAITING" && action.status != "READY") continue;
    coordinator::WaitingAction waiting;
    waiting.status = action.status == "READY" ? ActionStatus::kReady : ActionStatus::kWaiting;
    waiting.nominal_time = FromEpochMillis(action.nominal_ms);
    waiting.created_time = FromEpochMillis(action.created_ms);
    if (i + 1 < actions.size()) {
      waiting.next_nominal_time = FromEpochMillis(actions[i + 1].nominal_ms);
    } else if (auto following = coordinator::NextNominalTime(app, action.action_number, waiting.nominal_time);
               following.ok()) {
      waiting.next_nominal_time = *following;
    }
    if (auto fate = coordinator::WaitingActionFate(app.controls, waiting, now)) {
      changed(action, ActionStatusName(*fate));
      continue;
    }
    if (waiting.next_nominal_time && app.controls.execution == coordinator::Execution::kLastOnly) {
      next.At(*waiting.next_nominal_time + std::chrono::milliseconds(1));
    }
    if (waiting.nominal_time > now) {
      next.At(waiting.nominal_time);
      continue;
    }
    if (action.status == "READY") continue;
    std::optional<TimePoint> wait_ends;
    const TimePoint waiting_since = std::max(waiting.nominal_time, waiting.created_time);
    const std::vector<std::string> missing =
        app.input_logic ? MissingUnderInputLogic(app, &action, files_, waiting_since, now, &wait_ends)
                        : MissingInputs(app, RestoreAction(action), files_);
    if (wait_ends) next.At(*wait_ends);
    if (missing.empty()) {
      action.missing_dependencies.clear();
      changed(action, "READY");
      continue;
    }
    data_missing = true;
    const std::string text = Join(missing, "#");
    if (text != action.missing_dependencies) {
      action.missing_dependencies = text;
      changed(action, "WAITING");
    }
    if (app.controls.timeout_minutes >= 0) {
      next.At(std::max(waiting.nominal_time, waiting.created_time) + std::chrono::minutes(app.controls.timeout_minutes) +
              std::chrono::milliseconds(1));
    }
  }
  // Missing data: look again after a back-off that grows while it stays missing.
  Loaded& state = **loaded;
  if (data_missing) {
    state.data_backoff = state.data_backoff.count() == 0
                             ? options_.data_recheck_min
                             : std::min(state.data_backoff * 2, options_.data_recheck_max);
    next.At(now + state.data_backoff);
  } else {
    state.data_backoff = std::chrono::milliseconds(0);
  }
  if (!batch.coordinator_actions.empty()) {
    REFINERY_RETURN_IF_ERROR(ApplyFenced(batch));
    batch = store::WriteBatch{};
  }

  // 4. Start ready actions, within the concurrency limit, in execution order.
  int64_t running = std::count_if(actions.begin(), actions.end(), [](const auto& a) {
    return a.status == "SUBMITTED" || a.status == "RUNNING";
  });
  std::vector<CoordinatorActionRecord*> ready;
  for (auto& action : actions) {
    if (action.status == "READY") ready.push_back(&action);
  }
  if (app.controls.execution == coordinator::Execution::kLifo) std::reverse(ready.begin(), ready.end());
  for (CoordinatorActionRecord* action : ready) {
    if (app.controls.concurrency >= 0 && running >= app.controls.concurrency) break;
    auto conf = WorkflowConfiguration(app, state.conf, job, *action, files_, now);
    if (!conf.ok()) {
      action->error_code = conf.status().error_code();
      action->error_message = conf.status().message();
      action->last_modified_ms = Ms(now);
      action->status = "FAILED";
      REFINERY_RETURN_IF_ERROR(ApplyFenced(ActionBatch(*action)));
      continue;
    }
    // SUBMITTED first: after a crash the action finds its workflow by parent id.
    action->run_conf = FormatHadoopConfigurationXml(*conf);
    action->status = "SUBMITTED";
    action->last_modified_ms = Ms(now);
    REFINERY_RETURN_IF_ERROR(ApplyFenced(ActionBatch(*action)));
    // `job -rerun -failed` kept the workflow: it reruns its failed nodes.
    auto workflow_id =
        action->external_id.empty() ? engine_->Submit(*conf, true) : RerunFailedNodes(action->external_id);
    if (!workflow_id.ok()) {
      action->status = "FAILED";
      action->error_code = workflow_id.status().error_code();
      action->error_message = workflow_id.status().message();
    } else {
      action->status = "RUNNING";
      action->external_id = *workflow_id;
      action->external_status = "RUNNING";
      ++running;
      const double lag = std::chrono::duration<double>(clock_->Now() - FromEpochMillis(action->nominal_ms)).count();
      if (lag_observer_) lag_observer_(lag);
      Log(LogLevel::kInfo, "coordinator action " + action->id + " (nominal " +
                               FormatOozieTime(FromEpochMillis(action->nominal_ms)) + ") started workflow " +
                               *workflow_id);
    }
    action->last_modified_ms = Ms(clock_->Now());
    store::WriteBatch started = ActionBatch(*action);
    QueueActionNotification(state.conf, *action, &started);
    REFINERY_RETURN_IF_ERROR(ApplyFenced(started));
  }

  // SLA misses of the actions (coordinator_sla.cc).
  if (!app.sla_xml.empty()) {
    if (auto deadline = CheckActionSlas(app, state.conf, state.sla, job, actions, now)) next.At(*deadline);
  }

  // 5. The job ends when everything is materialized and every action is done.
  const bool all_done = std::all_of(actions.begin(), actions.end(), [](const auto& a) { return IsTerminal(a.status); });
  if (materialized_all && all_done) {
    const bool clean = std::all_of(actions.begin(), actions.end(),
                                   [](const auto& a) { return IsClean(a.status); });
    job.status = clean ? "SUCCEEDED" : "DONEWITHERROR";
    job.last_modified_ms = Ms(now);
    REFINERY_RETURN_IF_ERROR(ApplyFenced(JobBatch(job)));
    loaded_.erase(job.id);
    Log(LogLevel::kInfo, "coordinator " + job.id + " ended " + job.status);
    return std::optional<TimePoint>();
  }
  return next.get();
}

bool CoordinatorScheduler::Lead(std::optional<TimePoint>* retry) {
  if (options_.lease_owner.empty()) return true;
  const int64_t ttl = LeaseTtlMs();
  auto lease = store_->AcquireLease("scheduler", options_.lease_owner, ttl);
  if (lease.ok()) {
    if (fence_.exchange(lease->fence) != lease->fence) {
      Log(LogLevel::kInfo, "scheduler: this process now runs the coordinators and bundles (lease fence " +
                               std::to_string(lease->fence) + ")");
    }
    return true;
  }
  if (fence_.exchange(0) != 0) {
    Log(LogLevel::kWarn, "scheduler: lost the scheduler lease (" + lease.status().ToString() +
                             "); another process schedules now");
  }
  loaded_.clear();  // the leader's view; read again when leading again
  *retry = clock_->Now() + std::chrono::milliseconds(std::max<int64_t>(1, ttl / 2));
  return false;
}

Status CoordinatorScheduler::ApplyFenced(store::WriteBatch batch) {
  if (options_.lease_owner.empty()) return store_->Apply(batch);
  const int64_t fence = fence_.load();
  if (fence == 0) {
    return Status::FailedPrecondition("scheduler: this process no longer holds the scheduler lease",
                                      store::kStoreFencedCode);
  }
  batch.fences.push_back({"scheduler", options_.lease_owner, fence});
  Status status = store_->Apply(batch);
  if (status.error_code() == store::kStoreFencedCode && fence_.exchange(0) != 0) {
    Log(LogLevel::kWarn, "scheduler: a write was fenced: " + status.ToString() + "; another process schedules now");
  }
  return status;
}

std::optional<TimePoint> CoordinatorScheduler::RunDue() {
  std::lock_guard<std::mutex> lock(run_mu_);
  std::optional<TimePoint> retry;
  if (!Lead(&retry)) return retry;
  // Bundles due submit their coordinators first, so they run in this pass.
  const std::optional<TimePoint> bundle_pause = FollowBundlePauseTimes(clock_->Now());
  const std::optional<TimePoint> kickoff = KickOffBundles(clock_->Now());
  auto page = store_->ListCoordinatorJobs(
      {"RUNNING", "RUNNINGWITHERROR", "PAUSED", "PAUSEDWITHERROR", "PREP", "PREPPAUSED"}, 0, 100000);
  if (!page.ok()) {
    Log(LogLevel::kError, "scheduler: " + page.status().ToString());
    return clock_->Now() + std::chrono::seconds(5);
  }
  NextDue next;
  for (const auto& job : page->jobs) {
    auto due = RunJob(job);
    if (!leading()) {  // a write was fenced: another process schedules now
      return clock_->Now() + std::chrono::milliseconds(std::max<int64_t>(1, LeaseTtlMs() / 2));
    }
    if (!due.ok()) {
      Log(LogLevel::kError, "scheduler: coordinator " + job.id + ": " + due.status().ToString());
      next.At(clock_->Now() + std::chrono::seconds(5));
      continue;
    }
    if (*due) next.At(**due);
  }
  if (kickoff) next.At(*kickoff);
  if (bundle_pause) next.At(*bundle_pause);
  if (!options_.lease_owner.empty()) {
    // Renew the lease, and see coordinators other processes stored.
    next.At(clock_->Now() + std::chrono::milliseconds(std::max<int64_t>(1, LeaseTtlMs() / 3)));
  }
  RollUpBundles(clock_->Now());  // after the pass: coordinators that just ended
  return next.get();
}

Status CoordinatorScheduler::SetJobStatus(const std::string& id, const std::string& status,
                                          const std::string& action_status, bool kill_workflows) {
  {
    std::lock_guard<std::mutex> lock(run_mu_);
    REFINERY_ASSIGN_OR_RETURN(CoordinatorJobRecord job, store_->GetCoordinatorJob(id));
    job.status = status;
    job.last_modified_ms = Ms(clock_->Now());
    FollowPauseTime(job, clock_->Now());  // a start or resume past the pause time lands PAUSED
    store::WriteBatch batch;
    batch.coordinator_jobs.push_back(job);
    std::vector<std::string> workflows;
    if (!action_status.empty()) {
      REFINERY_ASSIGN_OR_RETURN(auto actions, store_->ListCoordinatorActions(id));
      for (auto& action : actions) {
        if (IsTerminal(action.status)) continue;
        if (!action.external_id.empty()) workflows.push_back(action.external_id);
        action.status = action_status;
        action.last_modified_ms = job.last_modified_ms;
        batch.coordinator_actions.push_back(action);
      }
    }
    REFINERY_RETURN_IF_ERROR(store_->Apply(batch));
    loaded_.erase(id);
    for (const std::string& workflow : workflows) {
      if (kill_workflows) (void)engine_->Kill(workflow);
    }
  }
  Wake();
  return Status::Ok();
}

namespace {

Status Refuse(const std::string& id, const std::string& status, const std::string& verb) {
  return Status::FailedPrecondition("E1018: coord job [" + id + "] is " + status + "; cannot " + verb, "E1018");
}

}  // namespace

Status CoordinatorScheduler::Start(const std::string& id) {
  REFINERY_ASSIGN_OR_RETURN(CoordinatorJobRecord job, store_->GetCoordinatorJob(id));
  if (job.status != "PREP" && job.status != "PREPPAUSED") return Refuse(id, job.status, "start it");
  return SetJobStatus(id, "RUNNING", "", false);  // PAUSED when its pause time has come
}

Status CoordinatorScheduler::Kill(const std::string& id) {
  REFINERY_ASSIGN_OR_RETURN(CoordinatorJobRecord job, store_->GetCoordinatorJob(id));
  if (coordinator::IsTerminalJobStatus(job.status)) {
    return Status::Ok();  // as Oozie: killing a finished job changes nothing
  }
  return SetJobStatus(id, "KILLED", "KILLED", true);
}

Status CoordinatorScheduler::Suspend(const std::string& id) {
  REFINERY_ASSIGN_OR_RETURN(CoordinatorJobRecord job, store_->GetCoordinatorJob(id));
  const bool prep = job.status == "PREP" || job.status == "PREPPAUSED";
  if (job.status != "RUNNING" && job.status != "RUNNINGWITHERROR" && job.status != "PAUSED" &&
      job.status != "PAUSEDWITHERROR" && !prep) {
    return Refuse(id, job.status, "suspend it");
  }
  REFINERY_RETURN_IF_ERROR(SetJobStatus(id, prep ? "PREPSUSPENDED" : "SUSPENDED", "", false));
  return CascadeSuspend(id, true);
}

Status CoordinatorScheduler::Resume(const std::string& id) {
  REFINERY_ASSIGN_OR_RETURN(CoordinatorJobRecord job, store_->GetCoordinatorJob(id));
  if (job.status != "SUSPENDED" && job.status != "PREPSUSPENDED") return Refuse(id, job.status, "resume it");
  // Workflows first: the job's next pass then finds them running again.
  REFINERY_RETURN_IF_ERROR(CascadeSuspend(id, false));
  return SetJobStatus(id, job.status == "PREPSUSPENDED" ? "PREP" : "RUNNING", "", false);
}

Status CoordinatorScheduler::CascadeSuspend(const std::string& id, bool suspend) {
  std::lock_guard<std::mutex> lock(run_mu_);
  REFINERY_ASSIGN_OR_RETURN(auto actions, store_->ListCoordinatorActions(id));
  const std::string from = suspend ? "RUNNING" : "SUSPENDED";
  const std::string to = suspend ? "SUSPENDED" : "RUNNING";
  store::WriteBatch batch;
  Status first_error;
  for (auto& action : actions) {
    if (action.status != from || action.external_id.empty()) continue;
    const Status status = suspend ? engine_->Suspend(action.external_id) : engine_->Resume(action.external_id);
    if (!status.ok()) {
      Log(LogLevel::kWarn, "coordinator action " + action.id + ": cannot " + (suspend ? "suspend" : "resume") +
                                  " workflow " + action.external_id + ": " + status.ToString());
      if (first_error.ok()) first_error = status;
      continue;
    }
    action.status = to;
    action.last_modified_ms = Ms(clock_->Now());
    batch.coordinator_actions.push_back(action);
  }
  REFINERY_RETURN_IF_ERROR(store_->Apply(batch));
  return first_error;
}

void CoordinatorScheduler::Wake() {
  {
    std::lock_guard<std::mutex> lock(wake_mu_);
    woken_ = true;
  }
  wake_cv_.notify_all();
}

void CoordinatorScheduler::OnEvent(const engine::EngineEvent& event) {
  if (event.kind == engine::EngineEvent::Kind::kJobStatus && IsWorkflowDone(event.status)) Wake();
}

void CoordinatorScheduler::StartThread() {
  std::lock_guard<std::mutex> lock(wake_mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] {
    while (true) {
      const std::optional<TimePoint> due = RunDue();
      std::unique_lock<std::mutex> lock(wake_mu_);
      auto wake = [this] { return stopping_ || woken_; };
      if (due) {
        const auto delay = std::chrono::duration_cast<std::chrono::milliseconds>(*due - clock_->Now());
        wake_cv_.wait_for(lock, std::max(delay, std::chrono::milliseconds(1)), wake);
      } else {
        wake_cv_.wait(lock, wake);
      }
      woken_ = false;
      if (stopping_) return;
    }
  });
}

void CoordinatorScheduler::Stop() {
  {
    std::lock_guard<std::mutex> lock(wake_mu_);
    stopping_ = true;
  }
  wake_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace refinery::scheduler
