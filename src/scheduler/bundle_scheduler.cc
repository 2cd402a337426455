// Bundles on the coordinator scheduler (SPEC §6.6, §7.5): submit, kick-off
// (the coordinators and the bundle's start in one store batch, so a crash
// never submits twice), kill/suspend/resume/change/rerun cascading to the
// coordinators, and the status roll-up. Everything that writes holds run_mu_, as the
// coordinator commands do; the cascades call the coordinator verbs after
// releasing it.
#include <algorithm>

#include "coordinator/bundle.h"
#include "core/log.h"
#include "core/time_format.h"
#include "scheduler/coordinator_scheduler.h"
#include "scheduler/internal.h"

namespace refinery::scheduler {
namespace {

using store::BundleJobRecord;
using store::CoordinatorJobRecord;

constexpr const char* kBundleAppPath = "oozie.bundle.application.path";
constexpr const char* kCoordAppPath = "oozie.coord.application.path";
constexpr const char* kWorkflowAppPath = "oozie.wf.application.path";
// A bundle's pause time (`job -change B -value pausetime=T`), kept in its
// configuration as yyyy-MM-dd'T'HH:mm'Z' because the bundle record has no
// column for it; coordinators submitted at kick-off take it as their own.
constexpr const char* kBundlePauseTime = "refinery.bundle.pausetime";

int64_t Ms(TimePoint t) { return ToEpochMillis(t); }

// "a, b;;c" -> {"a", "b", "c"} for separator ',' or ';'.
std::vector<std::string> Split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  size_t begin = 0;
  while (begin <= text.size()) {
    size_t end = text.find(separator, begin);
    if (end == std::string::npos) end = text.size();
    std::string part = text.substr(begin, end - begin);
    part.erase(0, part.find_first_not_of(" \t"));
    part.erase(part.find_last_not_of(" \t") + 1);
    if (!part.empty()) parts.push_back(std::move(part));
    begin = end + 1;
  }
  return parts;
}

bool IsXmlFile(const std::string& path) {
  return path.size() > 4 && path.compare(path.size() - 4, 4, ".xml") == 0;
}

// The app path names bundle.xml itself, or the directory that holds it.
std::string DefinitionUri(const std::string& app_path) {
  if (IsXmlFile(app_path)) return app_path;
  std::string directory = app_path;
  while (!directory.empty() && directory.back() == '/') directory.pop_back();
  return directory + "/bundle.xml";
}

// A relative coordinator <app-path> ("." or "coord/") names a directory
// beside bundle.xml, as the scheduler anchors a coordinator's workflow path;
// full URIs and absolute paths are left alone.
std::string AnchorToBundleDirectory(const std::string& coordinator_path, const std::string& bundle_path) {
  const bool absolute = coordinator_path.empty() || coordinator_path[0] == '/' ||
                        coordinator_path.find("://") != std::string::npos;
  if (absolute) return coordinator_path;
  std::string directory = bundle_path;
  if (IsXmlFile(directory)) directory.erase(directory.rfind('/') == std::string::npos ? 0 : directory.rfind('/'));
  while (!directory.empty() && directory.back() == '/') directory.pop_back();
  std::string relative = coordinator_path;
  while (relative.rfind("./", 0) == 0) relative.erase(0, 2);
  if (relative == "." || relative.empty()) return directory;
  return directory + "/" + relative;
}

struct BundleSubmission {
  std::string user;
  std::string app_path;
  std::string definition;
  coordinator::BundleApp app;
};

Result<BundleSubmission> ReadBundle(const Properties& submitted, const fs::FileSystem* files) {
  Properties conf = submitted;
  if (!conf.Get("user.name")) conf.Set("user.name", CurrentUserName());
  BundleSubmission out;
  out.user = *conf.Get("user.name");
  auto app_path = conf.Get(kBundleAppPath);
  if (!app_path || app_path->empty()) {
    return Status::InvalidArgument(std::string("Invalid parameter [") + kBundleAppPath +
                                       " is required for a bundle job]",
                                   "E0302");
  }
  if (conf.Get(kCoordAppPath) || conf.Get(kWorkflowAppPath)) {
    return Status::InvalidArgument("Invalid parameter [Multiple app paths specified, only one is allowed]; keep " +
                                       std::string(kBundleAppPath) + " and remove " +
                                       (conf.Get(kCoordAppPath) ? kCoordAppPath : kWorkflowAppPath),
                                   "E0302");
  }
  out.app_path = *app_path;
  const std::string uri = DefinitionUri(out.app_path);
  auto definition = engine::MakeAppFileReader(files).read(uri);
  if (!definition.ok()) {
    return Status::NotFound("E0505: App definition [" + uri + "] does not exist: " + definition.status().message(),
                            "E0505");
  }
  out.definition = *definition;
  coordinator::BundleParseOptions options;
  options.job_conf = &conf;
  options.source_name = uri;
  REFINERY_ASSIGN_OR_RETURN(out.app, coordinator::ParseBundleXml(out.definition, options));
  return out;
}

// The bundle's pause time in epoch ms, 0 when it has none.
int64_t BundlePauseMs(const BundleJobRecord& bundle) {
  if (bundle.conf.find(kBundlePauseTime) == std::string::npos) return 0;
  auto conf = ParseHadoopConfigurationXml(bundle.conf, bundle.id + " configuration");
  if (!conf.ok()) return 0;
  auto text = conf->Get(kBundlePauseTime);
  if (!text || text->empty()) return 0;
  auto time = ParseOozieTime(*text);
  return time.ok() ? Ms(*time) : 0;
}

Status SetBundlePauseMs(BundleJobRecord* bundle, int64_t pause_ms) {
  REFINERY_ASSIGN_OR_RETURN(Properties conf, ParseHadoopConfigurationXml(bundle->conf, bundle->id + " configuration"));
  if (pause_ms > 0) {
    conf.Set(kBundlePauseTime, FormatOozieTime(FromEpochMillis(pause_ms)));
  } else {
    conf.Erase(kBundlePauseTime);
  }
  bundle->conf = FormatHadoopConfigurationXml(conf);
  return Status::Ok();
}

// PREP <-> PREPPAUSED, RUNNING <-> PAUSED, ... as the pause time says
// (Oozie's BundlePauseXCommand / BundleUnpauseXCommand). Returns whether the
// status changed.
bool FollowBundlePauseTime(BundleJobRecord& bundle, TimePoint now) {
  const auto to = internal::PauseTransition(bundle.status, internal::PauseTimeHasCome(BundlePauseMs(bundle), now));
  if (!to) return false;
  bundle.status = *to;
  bundle.last_modified_ms = Ms(now);
  return true;
}

// The configuration a coordinator of the bundle is submitted with: the
// bundle's configuration under the coordinator's own <configuration>, its
// app path anchored beside bundle.xml.
Properties CoordinatorConfiguration(const coordinator::BundleApp& app, const coordinator::BundleCoordinator& entry,
                                    const std::string& bundle_id, const std::string& user,
                                    const std::string& bundle_app_path) {
  Properties conf = app.conf;
  conf.Erase(kBundleAppPath);
  conf.Erase(kBundlePauseTime);
  conf.MergeFrom(entry.configuration);
  conf.Set(kCoordAppPath, AnchorToBundleDirectory(entry.app_path, bundle_app_path));
  conf.Set("oozie.bundle.id", bundle_id);
  conf.Set("user.name", user);
  return conf;
}

std::vector<std::string> StatusesOf(const std::vector<CoordinatorJobRecord>& jobs) {
  std::vector<std::string> out;
  for (const auto& job : jobs) out.push_back(job.status);
  return out;
}

}  // namespace

Result<std::string> CoordinatorScheduler::SubmitBundle(const Properties& submitted, bool start) {
  REFINERY_ASSIGN_OR_RETURN(BundleSubmission submission, ReadBundle(submitted, files_));
  const TimePoint now = clock_->Now();
  BundleJobRecord bundle;
  bundle.id = ids_.Next(JobKind::kBundle);
  bundle.app_name = submission.app.name;
  bundle.app_path = submission.app_path;
  bundle.user = submission.user;
  bundle.status = start ? "RUNNING" : "PREP";
  bundle.conf = FormatHadoopConfigurationXml(submission.app.conf);
  bundle.definition = submission.definition;
  bundle.kickoff_ms = Ms(submission.app.kickoff.value_or(now));
  bundle.created_ms = Ms(now);
  bundle.last_modified_ms = bundle.created_ms;
  store::WriteBatch batch;
  batch.bundle_jobs.push_back(bundle);
  REFINERY_RETURN_IF_ERROR(store_->Apply(batch));
  Log(LogLevel::kInfo, "bundle " + bundle.id + " [" + bundle.app_name + "] submitted " + bundle.status + ": " +
                           std::to_string(submission.app.coordinators.size()) + " coordinator(s), kick-off " +
                           FormatOozieTime(FromEpochMillis(bundle.kickoff_ms)));
  Wake();
  return bundle.id;
}

bool CoordinatorScheduler::SaveBundle(const BundleJobRecord& bundle) {
  store::WriteBatch batch;
  batch.bundle_jobs.push_back(bundle);
  const Status applied = ApplyFenced(batch);
  if (applied.ok()) return true;
  Log(LogLevel::kError, "scheduler: bundle " + bundle.id + ": " + applied.ToString());
  return false;
}

std::optional<TimePoint> CoordinatorScheduler::FollowBundlePauseTimes(TimePoint now) {
  auto page = store_->ListBundleJobs(
      {"PREP", "PREPPAUSED", "RUNNING", "RUNNINGWITHERROR", "PAUSED", "PAUSEDWITHERROR"}, 0, 100000);
  if (!page.ok()) {
    Log(LogLevel::kError, "scheduler: bundles: " + page.status().ToString());
    return now + std::chrono::seconds(5);
  }
  std::optional<TimePoint> next;
  for (BundleJobRecord bundle : page->jobs) {
    const int64_t pause_ms = BundlePauseMs(bundle);
    if (pause_ms > Ms(now) && (!next || FromEpochMillis(pause_ms) < *next)) next = FromEpochMillis(pause_ms);
    if (!FollowBundlePauseTime(bundle, now)) continue;
    if (!SaveBundle(bundle)) continue;
    Log(LogLevel::kInfo, "bundle " + bundle.id + " is " + bundle.status + " (pause time " +
                             FormatOozieTime(FromEpochMillis(pause_ms)) + ")");
  }
  return next;
}

std::optional<TimePoint> CoordinatorScheduler::KickOffBundles(TimePoint now) {
  auto page = store_->ListBundleJobs({"RUNNING", "PAUSED"}, 0, 100000);
  if (!page.ok()) {
    Log(LogLevel::kError, "scheduler: bundles: " + page.status().ToString());
    return now + std::chrono::seconds(5);
  }
  std::optional<TimePoint> next;
  auto at = [&next](TimePoint t) {
    if (!next || t < *next) next = t;
  };
  for (BundleJobRecord bundle : page->jobs) {
    if (bundle.start_ms > 0) continue;
    if (bundle.kickoff_ms > Ms(now)) {
      at(FromEpochMillis(bundle.kickoff_ms));
      continue;
    }
    // The coordinators and the bundle's start are one batch: after a crash
    // either both are stored or neither. Coordinators already naming the
    // bundle are never submitted again.
    auto existing = store_->ListBundleCoordinatorJobs(bundle.id);
    if (!existing.ok()) {
      Log(LogLevel::kError, "scheduler: bundle " + bundle.id + ": " + existing.status().ToString());
      at(now + std::chrono::seconds(5));
      continue;
    }
    store::WriteBatch batch;
    bundle.start_ms = Ms(now);
    bundle.last_modified_ms = Ms(now);
    auto conf = ParseHadoopConfigurationXml(bundle.conf, bundle.id + " configuration");
    coordinator::BundleParseOptions options;
    options.job_conf = conf.ok() ? &*conf : nullptr;
    options.source_name = DefinitionUri(bundle.app_path);
    auto app = conf.ok() ? coordinator::ParseBundleXml(bundle.definition, options)
                         : Result<coordinator::BundleApp>(conf.status());
    if (!app.ok()) {
      bundle.status = "FAILED";
      bundle.end_ms = Ms(now);
      bundle.error_message = app.status().ToString();
    } else if (existing->empty()) {
      for (const coordinator::BundleCoordinator& entry : app->coordinators) {
        if (!entry.enabled) continue;
        const Properties coordinator_conf =
            CoordinatorConfiguration(*app, entry, bundle.id, bundle.user, bundle.app_path);
        CoordinatorJobRecord record;
        auto parsed = ParseSubmission(coordinator_conf);
        if (parsed.ok()) {
          record = NewCoordinatorRecord(*parsed, /*start=*/true);
          // The bundle's pause time becomes the coordinator's.
          record.pause_ms = BundlePauseMs(bundle);
          if (auto to = internal::PauseTransition(record.status, internal::PauseTimeHasCome(record.pause_ms, now))) {
            record.status = *to;
          }
        } else {
          // A coordinator that does not validate fails alone; the bundle
          // reports it through its status (DONEWITHERROR or FAILED).
          record.id = ids_.Next(JobKind::kCoordinator);
          record.app_path = *coordinator_conf.Get(kCoordAppPath);
          record.user = bundle.user;
          record.status = "FAILED";
          record.conf = FormatHadoopConfigurationXml(coordinator_conf);
          record.error_message = parsed.status().ToString();
          record.created_ms = Ms(now);
          record.last_modified_ms = Ms(now);
          Log(LogLevel::kWarn, "bundle " + bundle.id + ": coordinator [" + entry.name + "] failed to submit: " +
                                   record.error_message);
        }
        record.app_name = entry.name;
        record.bundle_id = bundle.id;
        batch.coordinator_jobs.push_back(std::move(record));
      }
    }
    batch.bundle_jobs.push_back(bundle);
    const Status applied = ApplyFenced(batch);
    if (!applied.ok()) {
      Log(LogLevel::kError, "scheduler: bundle " + bundle.id + ": " + applied.ToString());
      at(now + std::chrono::seconds(5));
      continue;
    }
    Log(LogLevel::kInfo, "bundle " + bundle.id + " kicked off: " +
                             (existing->empty() ? std::to_string(batch.coordinator_jobs.size()) +
                                                      " coordinator(s) submitted"
                                                : std::to_string(existing->size()) +
                                                      " coordinator(s) were already submitted") +
                             (bundle.status == "FAILED" ? "; bundle FAILED: " + bundle.error_message : ""));
  }
  return next;
}

void CoordinatorScheduler::RollUpBundles(TimePoint now) {
  auto page = store_->ListBundleJobs({"RUNNING", "RUNNINGWITHERROR", "PAUSED", "PAUSEDWITHERROR"}, 0, 100000);
  if (!page.ok()) return;  // KickOffBundles logged it
  for (BundleJobRecord bundle : page->jobs) {
    if (bundle.start_ms == 0) continue;
    auto coordinators = store_->ListBundleCoordinatorJobs(bundle.id);
    if (!coordinators.ok()) continue;
    const std::optional<std::string> status = coordinator::RollUpBundleStatus(StatusesOf(*coordinators));
    if (!status) continue;
    bundle.status = *status;
    bundle.end_ms = Ms(now);
    bundle.last_modified_ms = Ms(now);
    if (!SaveBundle(bundle)) continue;
    Log(LogLevel::kInfo, "bundle " + bundle.id + " ended " + bundle.status);
  }
}

// Moves a bundle from one of `from` to `to` (`prep_to` when it is in a PREP
// state) and returns its coordinators as they were then.
Status CoordinatorScheduler::SetBundleStatus(const std::string& id, const std::vector<std::string>& from,
                                             const std::string& prep_to, const std::string& to,
                                             std::vector<CoordinatorJobRecord>* coordinators) {
  std::lock_guard<std::mutex> lock(run_mu_);
  REFINERY_ASSIGN_OR_RETURN(BundleJobRecord bundle, store_->GetBundleJob(id));
  if (std::find(from.begin(), from.end(), bundle.status) == from.end()) {
    std::string allowed;
    for (const std::string& status : from) allowed += (allowed.empty() ? "" : ", ") + status;
    return Status::FailedPrecondition("Command precondition does not hold before execution, [bundle job [" + id +
                                          "] is " + bundle.status + "; this needs it " + allowed + "]",
                                      "E1100");
  }
  const TimePoint now = clock_->Now();
  bundle.status = bundle.status.rfind("PREP", 0) == 0 ? prep_to : to;
  bundle.last_modified_ms = Ms(now);
  FollowBundlePauseTime(bundle, now);  // a start or resume past the pause time lands (PREP)PAUSED
  if (coordinator::IsTerminalJobStatus(bundle.status)) bundle.end_ms = Ms(now);
  store::WriteBatch batch;
  batch.bundle_jobs.push_back(bundle);
  REFINERY_RETURN_IF_ERROR(store_->Apply(batch));
  REFINERY_ASSIGN_OR_RETURN(*coordinators, store_->ListBundleCoordinatorJobs(id));
  Log(LogLevel::kInfo, "bundle " + id + " " + bundle.status);
  return Status::Ok();
}

Status CoordinatorScheduler::StartBundle(const std::string& id) {
  std::vector<CoordinatorJobRecord> coordinators;
  REFINERY_RETURN_IF_ERROR(SetBundleStatus(id, {"PREP", "PREPPAUSED"}, "RUNNING", "RUNNING", &coordinators));
  Wake();  // the next pass kicks it off when its time has come
  return Status::Ok();
}

Status CoordinatorScheduler::KillBundle(const std::string& id) {
  REFINERY_ASSIGN_OR_RETURN(BundleJobRecord bundle, store_->GetBundleJob(id));
  if (coordinator::IsTerminalJobStatus(bundle.status)) return Status::Ok();  // as Oozie: nothing changes
  std::vector<CoordinatorJobRecord> coordinators;
  REFINERY_RETURN_IF_ERROR(SetBundleStatus(id, {"PREP", "RUNNING", "RUNNINGWITHERROR", "PREPSUSPENDED", "SUSPENDED",
                                                "SUSPENDEDWITHERROR", "PREPPAUSED", "PAUSED", "PAUSEDWITHERROR"},
                                           "KILLED", "KILLED", &coordinators));
  Status first_error;
  for (const CoordinatorJobRecord& coordinator : coordinators) {
    const Status killed = Kill(coordinator.id);
    if (!killed.ok() && first_error.ok()) first_error = killed;
  }
  Wake();
  return first_error;
}

Status CoordinatorScheduler::SuspendBundle(const std::string& id) {
  std::vector<CoordinatorJobRecord> coordinators;
  REFINERY_RETURN_IF_ERROR(
      SetBundleStatus(id, {"PREP", "PREPPAUSED", "RUNNING", "RUNNINGWITHERROR", "PAUSED", "PAUSEDWITHERROR"},
                      "PREPSUSPENDED", "SUSPENDED", &coordinators));
  Status first_error;
  for (const CoordinatorJobRecord& coordinator : coordinators) {
    if (coordinator.status != "RUNNING" && coordinator.status != "RUNNINGWITHERROR" && coordinator.status != "PAUSED" &&
        coordinator.status != "PAUSEDWITHERROR" && coordinator.status != "PREP" && coordinator.status != "PREPPAUSED") {
      continue;
    }
    const Status suspended = Suspend(coordinator.id);
    if (!suspended.ok() && first_error.ok()) first_error = suspended;
  }
  Wake();
  return first_error;
}

Status CoordinatorScheduler::ResumeBundle(const std::string& id) {
  std::vector<CoordinatorJobRecord> coordinators;
  REFINERY_RETURN_IF_ERROR(SetBundleStatus(id, {"PREPSUSPENDED", "SUSPENDED"}, "PREP", "RUNNING", &coordinators));
  Status first_error;
  for (const CoordinatorJobRecord& coordinator : coordinators) {
    if (coordinator.status != "SUSPENDED" && coordinator.status != "PREPSUSPENDED") continue;
    const Status resumed = Resume(coordinator.id);
    if (!resumed.ok() && first_error.ok()) first_error = resumed;
  }
  Wake();
  return first_error;
}

Status CoordinatorScheduler::ChangeBundle(const std::string& id, const std::string& value) {
  REFINERY_ASSIGN_OR_RETURN(BundleJobRecord bundle, store_->GetBundleJob(id));
  if (bundle.status == "KILLED") {
    return Status::FailedPrecondition("Cannot change a killed bundle job [" + id + "]", "E1016");
  }
  for (const std::string& pair : Split(value, ';')) {
    const std::string key = pair.substr(0, pair.find('='));
    if (key != "endtime" && key != "pausetime") {
      return Status::InvalidArgument("Invalid bundle job change value [" + value + "], a bundle changes endtime and "
                                     "pausetime, not [" + key + "] (change a coordinator's concurrency on its own id)",
                                     "E1015");
    }
  }
  REFINERY_ASSIGN_OR_RETURN(internal::ChangeRequest request, internal::ParseChangeValue(value));
  if (request.pause || request.clear_pause) {
    // The bundle keeps the pause time itself: it pauses the bundle (and the
    // coordinators it submits later) as well as the ones it has.
    std::lock_guard<std::mutex> lock(run_mu_);
    const TimePoint now = clock_->Now();
    if (request.pause && *request.pause < now) {
      return Status::InvalidArgument("Invalid bundle job change value [" + FormatOozieTime(*request.pause) +
                                         "], pausetime must be a non-past time (now is " + FormatOozieTime(now) + ")",
                                     "E1015");
    }
    REFINERY_ASSIGN_OR_RETURN(bundle, store_->GetBundleJob(id));
    REFINERY_RETURN_IF_ERROR(SetBundlePauseMs(&bundle, request.pause ? Ms(*request.pause) : 0));
    bundle.last_modified_ms = Ms(now);
    FollowBundlePauseTime(bundle, now);
    store::WriteBatch batch;
    batch.bundle_jobs.push_back(bundle);
    REFINERY_RETURN_IF_ERROR(store_->Apply(batch));
  }
  REFINERY_ASSIGN_OR_RETURN(std::vector<CoordinatorJobRecord> coordinators, store_->ListBundleCoordinatorJobs(id));
  for (const CoordinatorJobRecord& coordinator : coordinators) {
    if (coordinator::IsTerminalJobStatus(coordinator.status)) continue;
    REFINERY_RETURN_IF_ERROR(Change(coordinator.id, value));
  }
  Log(LogLevel::kInfo, "bundle " + id + " changed: " + value);
  Wake();  // the next pass pauses it on time
  return Status::Ok();
}

Result<std::vector<store::CoordinatorActionRecord>> CoordinatorScheduler::RerunBundle(
    const std::string& id, const BundleRerunRequest& request) {
  REFINERY_ASSIGN_OR_RETURN(BundleJobRecord bundle, store_->GetBundleJob(id));
  if (bundle.status == "PREP" || bundle.status == "PREPSUSPENDED" || bundle.status == "PREPPAUSED" ||
      bundle.status == "KILLED" || bundle.start_ms == 0) {
    return Status::FailedPrecondition("bundle job [" + id + "] is " + bundle.status +
                                          (bundle.start_ms == 0 ? " and has not kicked off" : "") +
                                          "; only a bundle whose coordinators were submitted can rerun",
                                      "E1018");
  }
  REFINERY_ASSIGN_OR_RETURN(std::vector<CoordinatorJobRecord> coordinators, store_->ListBundleCoordinatorJobs(id));
  std::vector<const CoordinatorJobRecord*> chosen;
  for (const std::string& name : Split(request.coordinators, ',')) {
    const auto found = std::find_if(coordinators.begin(), coordinators.end(),
                                    [&](const CoordinatorJobRecord& c) { return c.app_name == name; });
    if (found == coordinators.end()) {
      std::string known;
      for (const CoordinatorJobRecord& c : coordinators) known += (known.empty() ? "" : ", ") + c.app_name;
      return Status::InvalidArgument("Invalid parameter value, [coord-scope] = [" + name +
                                         "]; the coordinators of bundle [" + id + "] are: " + known,
                                     "E0303");
    }
    chosen.push_back(&*found);
  }
  if (chosen.empty()) {
    for (const CoordinatorJobRecord& c : coordinators) chosen.push_back(&c);
  }
  std::vector<store::CoordinatorActionRecord> rerun;
  for (const CoordinatorJobRecord* coordinator : chosen) {
    RerunRequest each;
    each.refresh = request.refresh;
    each.nocleanup = request.nocleanup;
    if (!request.dates.empty()) {
      each.type = "date";
      each.scope = request.dates;
    } else {
      if (coordinator->last_action_number == 0) continue;  // nothing materialized yet
      each.scope = "1-" + std::to_string(coordinator->last_action_number);
    }
    REFINERY_ASSIGN_OR_RETURN(std::vector<store::CoordinatorActionRecord> actions, Rerun(coordinator->id, each));
    rerun.insert(rerun.end(), actions.begin(), actions.end());
  }
  if (coordinator::IsTerminalJobStatus(bundle.status)) {
    std::lock_guard<std::mutex> lock(run_mu_);
    bundle.status = "RUNNING";
    bundle.end_ms = 0;
    bundle.last_modified_ms = Ms(clock_->Now());
    store::WriteBatch batch;
    batch.bundle_jobs.push_back(bundle);
    REFINERY_RETURN_IF_ERROR(store_->Apply(batch));
  }
  Log(LogLevel::kInfo, "bundle " + id + ": " + std::to_string(rerun.size()) + " coordinator action(s) rerun");
  Wake();
  return rerun;
}

Result<CoordinatorScheduler::BundleDryRunResult> CoordinatorScheduler::DryRunBundle(const Properties& conf) {
  REFINERY_ASSIGN_OR_RETURN(BundleSubmission submission, ReadBundle(conf, files_));
  BundleDryRunResult result;
  result.app = submission.app;
  // Each enabled coordinator is read and validated as the kick-off would
  // submit it; the first that does not validate fails the dry run.
  for (const coordinator::BundleCoordinator& entry : result.app.coordinators) {
    if (!entry.enabled) continue;
    const Properties coordinator_conf =
        CoordinatorConfiguration(result.app, entry, "dryrun-B", submission.user, submission.app_path);
    auto parsed = ParseSubmission(coordinator_conf);
    if (!parsed.ok()) {
      return parsed.status().WithContext("coordinator [" + entry.name + "] of " + DefinitionUri(submission.app_path) +
                                         ":" + std::to_string(entry.line));
    }
    result.coordinators.push_back({entry.name, std::move(parsed->app)});
  }
  return result;
}

}  // namespace refinery::scheduler
