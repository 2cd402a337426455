// Store migration: the copy runs kind by kind in an order that satisfies the
// foreign keys (bundles before their coordinators, jobs before their actions
// and log lines); verification matches records by key, so it does not depend
// on how each backend orders ties.
#include "store/store_migration.h"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "store/postgres_store.h"

namespace refinery::store {

namespace {

constexpr int kPageSize = 200;
constexpr char kSchemaVersionMetaKey[] = "store.schema_version";  // PostgreSQL's; SQLite keeps it in the file

using Fields = std::vector<std::pair<const char*, std::string>>;

std::string Int(int64_t value) { return std::to_string(value); }

// ---- the fields of each record, for verification ----

Fields FieldsOf(const WorkflowJobRecord& r) {
  return {{"app_name", r.app_name}, {"app_path", r.app_path}, {"user", r.user}, {"group", r.group},
          {"status", r.status}, {"run", Int(r.run)}, {"conf", r.conf}, {"definition", r.definition},
          {"parent_id", r.parent_id}, {"external_id", r.external_id}, {"error_code", r.error_code},
          {"error_message", r.error_message}, {"created_ms", Int(r.created_ms)}, {"start_ms", Int(r.start_ms)},
          {"end_ms", Int(r.end_ms)}, {"last_modified_ms", Int(r.last_modified_ms)}};
}

Fields FieldsOf(const WorkflowActionRecord& r) {
  return {{"job_id", r.job_id}, {"name", r.name}, {"type", r.type}, {"status", r.status},
          {"transition", r.transition}, {"conf", r.conf}, {"data", r.data}, {"error_code", r.error_code},
          {"error_message", r.error_message}, {"external_id", r.external_id},
          {"external_status", r.external_status}, {"tracker_uri", r.tracker_uri}, {"console_url", r.console_url},
          {"retries", Int(r.retries)}, {"user_retry_count", Int(r.user_retry_count)},
          {"user_retry_max", Int(r.user_retry_max)}, {"user_retry_interval", Int(r.user_retry_interval)},
          {"start_ms", Int(r.start_ms)}, {"end_ms", Int(r.end_ms)}, {"last_modified_ms", Int(r.last_modified_ms)},
          {"retry_at_ms", Int(r.retry_at_ms)}, {"run", Int(r.run)}, {"execution_path", r.execution_path}};
}

Fields FieldsOf(const CoordinatorJobRecord& r) {
  return {{"app_name", r.app_name}, {"app_path", r.app_path}, {"user", r.user}, {"status", r.status},
          {"conf", r.conf}, {"definition", r.definition}, {"frequency", r.frequency}, {"time_unit", r.time_unit},
          {"timezone", r.timezone}, {"execution", r.execution}, {"concurrency", Int(r.concurrency)},
          {"throttle", Int(r.throttle)}, {"timeout_minutes", Int(r.timeout_minutes)},
          {"last_action_number", Int(r.last_action_number)}, {"error_message", r.error_message},
          {"start_ms", Int(r.start_ms)}, {"end_ms", Int(r.end_ms)},
          {"next_materialized_ms", Int(r.next_materialized_ms)}, {"pause_ms", Int(r.pause_ms)},
          {"created_ms", Int(r.created_ms)}, {"last_modified_ms", Int(r.last_modified_ms)},
          {"bundle_id", r.bundle_id}};
}

Fields FieldsOf(const CoordinatorActionRecord& r) {
  return {{"job_id", r.job_id}, {"action_number", Int(r.action_number)}, {"status", r.status},
          {"external_id", r.external_id}, {"external_status", r.external_status}, {"run_conf", r.run_conf},
          {"missing_dependencies", r.missing_dependencies}, {"data_instances", r.data_instances},
          {"error_code", r.error_code}, {"error_message", r.error_message}, {"nominal_ms", Int(r.nominal_ms)},
          {"created_ms", Int(r.created_ms)}, {"last_modified_ms", Int(r.last_modified_ms)}};
}

Fields FieldsOf(const BundleJobRecord& r) {
  return {{"app_name", r.app_name}, {"app_path", r.app_path}, {"user", r.user}, {"status", r.status},
          {"conf", r.conf}, {"definition", r.definition}, {"error_message", r.error_message},
          {"kickoff_ms", Int(r.kickoff_ms)}, {"created_ms", Int(r.created_ms)}, {"start_ms", Int(r.start_ms)},
          {"end_ms", Int(r.end_ms)}, {"last_modified_ms", Int(r.last_modified_ms)}};
}

Fields FieldsOf(const NotificationRecord& r) {
  return {{"url", r.url}, {"method", r.method}, {"body", r.body}, {"subject_id", r.subject_id},
          {"status", r.status}, {"attempts", Int(r.attempts)}, {"next_attempt_ms", Int(r.next_attempt_ms)},
          {"created_ms", Int(r.created_ms)}, {"last_error", r.last_error}};
}

Fields FieldsOf(const SlaEventRecord& r) {
  return {{"job_id", r.job_id}, {"app_type", r.app_type}, {"app_name", r.app_name},
          {"nominal_ms", Int(r.nominal_ms)}, {"expected_ms", Int(r.expected_ms)}, {"actual_ms", Int(r.actual_ms)},
          {"created_ms", Int(r.created_ms)}, {"detail", r.detail}};
}

Fields FieldsOf(const ModelVersionRecord& r) {
  return {{"bundle_uri", r.bundle_uri}, {"stage", r.stage}, {"metrics", r.metrics}, {"lineage", r.lineage},
          {"registered_by", r.registered_by}, {"created_ms", Int(r.created_ms)},
          {"stage_changed_ms", Int(r.stage_changed_ms)}};
}

Fields FieldsOf(const ModelEventRecord& r) {
  return {{"model", r.model}, {"version", Int(r.version)}, {"previous_version", Int(r.previous_version)},
          {"kind", r.kind}, {"actor", r.actor}, {"reason", r.reason}, {"created_ms", Int(r.created_ms)}};
}

// ---- how records are named in messages and matched ----

std::string KeyOf(const WorkflowJobRecord& r) { return "workflow job [" + r.id + "]"; }
std::string KeyOf(const WorkflowActionRecord& r) { return "workflow action [" + r.id + "]"; }
std::string KeyOf(const CoordinatorJobRecord& r) { return "coordinator job [" + r.id + "]"; }
std::string KeyOf(const CoordinatorActionRecord& r) { return "coordinator action [" + r.id + "]"; }
std::string KeyOf(const BundleJobRecord& r) { return "bundle job [" + r.id + "]"; }
std::string KeyOf(const NotificationRecord& r) { return "notification [" + Int(r.id) + "]"; }
std::string KeyOf(const SlaEventRecord& r) { return "SLA event [" + r.subject_id + " " + r.event + "]"; }
std::string KeyOf(const ModelVersionRecord& r) { return "model version [" + r.model + " v" + Int(r.version) + "]"; }
std::string KeyOf(const ModelEventRecord& r) { return "model event [" + Int(r.id) + "]"; }

Status Mismatch(const std::string& what) {
  return Status::FailedPrecondition("verify migration: " + what +
                                 "; the destination is not a faithful copy: empty it and migrate again");
}

// Every record of `source` must be in `copy` (matched by KeyOf) with the
// same fields, and the two lists must be the same size.
template <typename Record>
Status CompareRecords(const std::vector<Record>& source, const std::vector<Record>& copy, const std::string& scope,
                      int64_t* count) {
  std::map<std::string, const Record*> copied;
  for (const Record& record : copy) copied[KeyOf(record)] = &record;
  for (const Record& record : source) {
    const std::string key = KeyOf(record);
    auto found = copied.find(key);
    if (found == copied.end()) return Mismatch(key + " is missing in the destination");
    const Fields want = FieldsOf(record);
    const Fields got = FieldsOf(*found->second);
    for (size_t i = 0; i < want.size(); ++i) {
      if (want[i].second == got[i].second) continue;
      return Mismatch(key + " field \"" + want[i].first + "\": source \"" + want[i].second +
                      "\", destination \"" + got[i].second + "\"");
    }
  }
  if (source.size() != copy.size()) {
    return Mismatch(scope + ": source has " + Int(static_cast<int64_t>(source.size())) + ", destination " +
                    Int(static_cast<int64_t>(copy.size())));
  }
  *count += static_cast<int64_t>(source.size());
  return Status::Ok();
}

// ---- reading a whole store ----

// Workflow jobs are the bulk of a store (each with its definition and
// configuration), so they are handled a page at a time, oldest page first.
// Both backends order pages the same way (created_ms, then id bytewise).
Status ForEachWorkflowJobPage(Store& store, const std::function<Status(std::vector<WorkflowJobRecord>&)>& fn) {
  REFINERY_ASSIGN_OR_RETURN(JobPage head, store.ListJobs(JobFilter{}, 0, 0));
  for (int end = head.total; end > 0; end -= kPageSize) {
    const int offset = std::max(0, end - kPageSize);
    REFINERY_ASSIGN_OR_RETURN(JobPage page, store.ListJobs(JobFilter{}, offset, end - offset));
    std::reverse(page.jobs.begin(), page.jobs.end());
    REFINERY_RETURN_IF_ERROR(fn(page.jobs));
  }
  return Status::Ok();
}

Result<std::vector<CoordinatorJobRecord>> AllCoordinatorJobs(Store& store) {
  std::vector<CoordinatorJobRecord> all;
  for (int offset = 0;; offset += kPageSize) {
    REFINERY_ASSIGN_OR_RETURN(CoordinatorJobPage page, store.ListCoordinatorJobs({}, offset, kPageSize));
    for (CoordinatorJobRecord& job : page.jobs) all.push_back(std::move(job));
    if (offset + kPageSize >= page.total) break;
  }
  return all;
}

Result<std::vector<BundleJobRecord>> AllBundleJobs(Store& store) {
  std::vector<BundleJobRecord> all;
  for (int offset = 0;; offset += kPageSize) {
    REFINERY_ASSIGN_OR_RETURN(BundleJobPage page, store.ListBundleJobs({}, offset, kPageSize));
    for (BundleJobRecord& job : page.jobs) all.push_back(std::move(job));
    if (offset + kPageSize >= page.total) break;
  }
  return all;
}

Result<std::vector<NotificationRecord>> AllNotifications(Store& store) {
  std::vector<NotificationRecord> all;
  int64_t after = 0;
  while (true) {
    REFINERY_ASSIGN_OR_RETURN(std::vector<NotificationRecord> page, store.ListNotifications(after, kPageSize));
    if (page.empty()) break;
    after = page.back().id;
    for (NotificationRecord& record : page) all.push_back(std::move(record));
  }
  return all;
}

Result<std::vector<ModelEventRecord>> AllModelEvents(Store& store) {
  REFINERY_ASSIGN_OR_RETURN(std::vector<ModelEventRecord> events,
                            store.ListModelEvents("", std::numeric_limits<int>::max()));
  std::reverse(events.begin(), events.end());  // oldest first, so copies get increasing ids in order
  return events;
}

Result<std::vector<std::pair<std::string, std::string>>> CopiedMeta(Store& store) {
  REFINERY_ASSIGN_OR_RETURN(auto entries, store.ListMeta());
  std::erase_if(entries, [](const auto& entry) { return entry.first == kSchemaVersionMetaKey; });
  return entries;
}

// The log as stored lines: ReadLog joins them with '\n'.
std::vector<std::string> SplitLog(const std::string& log) {
  std::vector<std::string> lines;
  if (log.empty()) return lines;
  size_t start = 0;
  while (true) {
    const size_t end = log.find('\n', start);
    lines.push_back(log.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return lines;
}

// ---- the copy ----

WriteBatch CopyBatch() {
  WriteBatch batch;
  batch.keep_ids = true;
  return batch;
}

class Copier {
 public:
  Copier(Store& from, Store& to, const MigrationProgress& progress) : from_(from), to_(to), progress_(progress) {}

  // A failed source read is reported like a failed write: the destination
  // holds a partial copy either way.
  Status Run() {
    const Status status = CopyAll();
    if (status.ok() || status.message().rfind("migrate store:", 0) == 0) return status;
    return Checked(status, "(reading the source)");
  }

  const MigrationCounts& counts() const { return counts_; }

 private:
  Status CopyAll() {
    REFINERY_RETURN_IF_ERROR(CopyBundleJobs());
    REFINERY_RETURN_IF_ERROR(CopyCoordinatorJobs());
    REFINERY_RETURN_IF_ERROR(CopyWorkflowJobs());
    REFINERY_RETURN_IF_ERROR(CopyModels());
    REFINERY_RETURN_IF_ERROR(CopyNotifications());
    return CopyMeta();
  }

  // Writes one batch; a failure names `what` and the partial destination.
  Status Write(const WriteBatch& batch, const std::string& what) { return Checked(to_.Apply(batch), what); }

  Status Checked(const Status& status, const std::string& what) const {
    if (status.ok()) return status;
    return Status::IoError("migrate store: copy " + what + ": " + status.message() +
                           "; the destination now holds a partial copy (" + Int(counts_.Total()) +
                           " records): empty it (drop and recreate the database, or delete the file) and "
                           "migrate again");
  }

  void Report() {
    if (progress_) progress_(counts_);
  }

  Status CopyBundleJobs() {
    REFINERY_ASSIGN_OR_RETURN(std::vector<BundleJobRecord> jobs, AllBundleJobs(from_));
    for (size_t first = 0; first < jobs.size(); first += kPageSize) {
      WriteBatch batch = CopyBatch();
      const size_t last = std::min(jobs.size(), first + kPageSize);
      batch.bundle_jobs.assign(jobs.begin() + first, jobs.begin() + last);
      REFINERY_RETURN_IF_ERROR(Write(batch, "bundle jobs from " + KeyOf(jobs[first])));
      counts_.bundle_jobs += static_cast<int64_t>(last - first);
      Report();
    }
    return Status::Ok();
  }

  Status CopyCoordinatorJobs() {
    REFINERY_ASSIGN_OR_RETURN(std::vector<CoordinatorJobRecord> jobs, AllCoordinatorJobs(from_));
    for (const CoordinatorJobRecord& job : jobs) {
      WriteBatch batch = CopyBatch();
      batch.coordinator_jobs.push_back(job);
      REFINERY_ASSIGN_OR_RETURN(batch.coordinator_actions, from_.ListCoordinatorActions(job.id));
      REFINERY_RETURN_IF_ERROR(Write(batch, KeyOf(job) + " with its actions"));
      counts_.coordinator_jobs += 1;
      counts_.coordinator_actions += static_cast<int64_t>(batch.coordinator_actions.size());
      Report();
    }
    return Status::Ok();
  }

  // Oldest first, as they were created; one batch per job with its actions,
  // log lines and SLA events.
  Status CopyWorkflowJobs() {
    return ForEachWorkflowJobPage(from_,
                                  [&](std::vector<WorkflowJobRecord>& jobs) { return CopyWorkflowJobPage(jobs); });
  }

  Status CopyWorkflowJobPage(const std::vector<WorkflowJobRecord>& jobs) {
    for (auto job = jobs.begin(); job != jobs.end(); ++job) {
      WriteBatch batch = CopyBatch();
      batch.jobs.push_back(*job);
      REFINERY_ASSIGN_OR_RETURN(batch.actions, from_.ListActions(job->id));
      REFINERY_ASSIGN_OR_RETURN(std::string log, from_.ReadLog(job->id));
      for (std::string& line : SplitLog(log)) batch.log_lines.emplace_back(job->id, std::move(line));
      REFINERY_ASSIGN_OR_RETURN(batch.sla_events, from_.ListSlaEvents(job->id));
      REFINERY_RETURN_IF_ERROR(Write(batch, KeyOf(*job) + " with its actions, log and SLA events"));
      counts_.workflow_jobs += 1;
      counts_.workflow_actions += static_cast<int64_t>(batch.actions.size());
      counts_.log_lines += static_cast<int64_t>(batch.log_lines.size());
      counts_.sla_events += static_cast<int64_t>(batch.sla_events.size());
      Report();
    }
    return Status::Ok();
  }

  Status CopyModels() {
    REFINERY_ASSIGN_OR_RETURN(std::vector<ModelVersionRecord> versions, from_.ListModelVersions(""));
    for (size_t first = 0; first < versions.size(); first += kPageSize) {
      WriteBatch batch = CopyBatch();
      const size_t last = std::min(versions.size(), first + kPageSize);
      batch.model_versions.assign(versions.begin() + first, versions.begin() + last);
      REFINERY_RETURN_IF_ERROR(Write(batch, "model versions from " + KeyOf(versions[first])));
      counts_.model_versions += static_cast<int64_t>(last - first);
      Report();
    }
    REFINERY_ASSIGN_OR_RETURN(std::vector<ModelEventRecord> events, AllModelEvents(from_));
    for (size_t first = 0; first < events.size(); first += kPageSize) {
      WriteBatch batch = CopyBatch();
      const size_t last = std::min(events.size(), first + kPageSize);
      batch.model_events.assign(events.begin() + first, events.begin() + last);
      REFINERY_RETURN_IF_ERROR(Write(batch, "model events from " + KeyOf(events[first])));
      counts_.model_events += static_cast<int64_t>(last - first);
      Report();
    }
    return Status::Ok();
  }

  Status CopyNotifications() {
    int64_t after = 0;
    while (true) {
      WriteBatch batch = CopyBatch();
      REFINERY_ASSIGN_OR_RETURN(batch.notifications, from_.ListNotifications(after, kPageSize));
      if (batch.notifications.empty()) return Status::Ok();
      after = batch.notifications.back().id;
      REFINERY_RETURN_IF_ERROR(Write(batch, "notifications from " + KeyOf(batch.notifications.front())));
      counts_.notifications += static_cast<int64_t>(batch.notifications.size());
      Report();
    }
  }

  Status CopyMeta() {
    REFINERY_ASSIGN_OR_RETURN(auto entries, CopiedMeta(from_));
    for (const auto& [key, value] : entries) {
      REFINERY_RETURN_IF_ERROR(Checked(to_.PutMeta(key, value), "meta [" + key + "]"));
      counts_.meta_entries += 1;
    }
    Report();
    return Status::Ok();
  }

  Store& from_;
  Store& to_;
  const MigrationProgress& progress_;
  MigrationCounts counts_;
};

// ---- verification ----

Status VerifyWorkflowJobDetails(Store& from, Store& to, const std::vector<WorkflowJobRecord>& source,
                                MigrationCounts* counts);

// Page by page: the same offsets of both stores hold the same jobs when the
// copy is faithful.
Status VerifyWorkflowJobs(Store& from, Store& to, MigrationCounts* counts) {
  REFINERY_ASSIGN_OR_RETURN(JobPage source_head, from.ListJobs(JobFilter{}, 0, 0));
  REFINERY_ASSIGN_OR_RETURN(JobPage copy_head, to.ListJobs(JobFilter{}, 0, 0));
  if (source_head.total != copy_head.total) {
    return Mismatch("workflow jobs: source has " + Int(source_head.total) + ", destination " + Int(copy_head.total));
  }
  for (int offset = 0; offset < source_head.total; offset += kPageSize) {
    REFINERY_ASSIGN_OR_RETURN(JobPage source, from.ListJobs(JobFilter{}, offset, kPageSize));
    REFINERY_ASSIGN_OR_RETURN(JobPage copy, to.ListJobs(JobFilter{}, offset, kPageSize));
    REFINERY_RETURN_IF_ERROR(CompareRecords(source.jobs, copy.jobs, "workflow jobs", &counts->workflow_jobs));
    REFINERY_RETURN_IF_ERROR(VerifyWorkflowJobDetails(from, to, source.jobs, counts));
  }
  return Status::Ok();
}

Status VerifyWorkflowJobDetails(Store& from, Store& to, const std::vector<WorkflowJobRecord>& source,
                                MigrationCounts* counts) {
  for (const WorkflowJobRecord& job : source) {
    REFINERY_ASSIGN_OR_RETURN(auto actions, from.ListActions(job.id));
    REFINERY_ASSIGN_OR_RETURN(auto copied_actions, to.ListActions(job.id));
    REFINERY_RETURN_IF_ERROR(
        CompareRecords(actions, copied_actions, "actions of " + KeyOf(job), &counts->workflow_actions));
    REFINERY_ASSIGN_OR_RETURN(std::string log, from.ReadLog(job.id));
    REFINERY_ASSIGN_OR_RETURN(std::string copied_log, to.ReadLog(job.id));
    if (log != copied_log) return Mismatch("the log of " + KeyOf(job) + " differs");
    counts->log_lines += static_cast<int64_t>(SplitLog(log).size());
    REFINERY_ASSIGN_OR_RETURN(auto events, from.ListSlaEvents(job.id));
    REFINERY_ASSIGN_OR_RETURN(auto copied_events, to.ListSlaEvents(job.id));
    REFINERY_RETURN_IF_ERROR(
        CompareRecords(events, copied_events, "SLA events of " + KeyOf(job), &counts->sla_events));
  }
  return Status::Ok();
}

Status VerifyCoordinators(Store& from, Store& to, MigrationCounts* counts) {
  REFINERY_ASSIGN_OR_RETURN(std::vector<BundleJobRecord> bundles, AllBundleJobs(from));
  REFINERY_ASSIGN_OR_RETURN(std::vector<BundleJobRecord> copied_bundles, AllBundleJobs(to));
  REFINERY_RETURN_IF_ERROR(CompareRecords(bundles, copied_bundles, "bundle jobs", &counts->bundle_jobs));
  REFINERY_ASSIGN_OR_RETURN(std::vector<CoordinatorJobRecord> jobs, AllCoordinatorJobs(from));
  REFINERY_ASSIGN_OR_RETURN(std::vector<CoordinatorJobRecord> copied_jobs, AllCoordinatorJobs(to));
  REFINERY_RETURN_IF_ERROR(CompareRecords(jobs, copied_jobs, "coordinator jobs", &counts->coordinator_jobs));
  for (const CoordinatorJobRecord& job : jobs) {
    REFINERY_ASSIGN_OR_RETURN(auto actions, from.ListCoordinatorActions(job.id));
    REFINERY_ASSIGN_OR_RETURN(auto copied_actions, to.ListCoordinatorActions(job.id));
    REFINERY_RETURN_IF_ERROR(
        CompareRecords(actions, copied_actions, "actions of " + KeyOf(job), &counts->coordinator_actions));
  }
  return Status::Ok();
}

Status VerifyRest(Store& from, Store& to, MigrationCounts* counts) {
  REFINERY_ASSIGN_OR_RETURN(auto notifications, AllNotifications(from));
  REFINERY_ASSIGN_OR_RETURN(auto copied_notifications, AllNotifications(to));
  REFINERY_RETURN_IF_ERROR(
      CompareRecords(notifications, copied_notifications, "notifications", &counts->notifications));
  REFINERY_ASSIGN_OR_RETURN(auto versions, from.ListModelVersions(""));
  REFINERY_ASSIGN_OR_RETURN(auto copied_versions, to.ListModelVersions(""));
  REFINERY_RETURN_IF_ERROR(CompareRecords(versions, copied_versions, "model versions", &counts->model_versions));
  REFINERY_ASSIGN_OR_RETURN(auto events, AllModelEvents(from));
  REFINERY_ASSIGN_OR_RETURN(auto copied_events, AllModelEvents(to));
  REFINERY_RETURN_IF_ERROR(CompareRecords(events, copied_events, "model events", &counts->model_events));
  REFINERY_ASSIGN_OR_RETURN(auto meta, CopiedMeta(from));
  for (const auto& [key, value] : meta) {
    REFINERY_ASSIGN_OR_RETURN(std::optional<std::string> copied, to.GetMeta(key));
    if (!copied.has_value()) return Mismatch("meta [" + key + "] is missing in the destination");
    if (*copied != value) {
      return Mismatch("meta [" + key + "]: source \"" + value + "\", destination \"" + *copied + "\"");
    }
    counts->meta_entries += 1;
  }
  return Status::Ok();
}

// Two locations name the same store: the same URL, or paths to one file.
bool SameLocation(const std::string& a, const std::string& b) {
  if (a == b) return true;
  if (IsPostgresLocation(a) || IsPostgresLocation(b)) return false;
  std::error_code error;
  const auto canonical_a = std::filesystem::weakly_canonical(a, error);
  if (error) return false;
  const auto canonical_b = std::filesystem::weakly_canonical(b, error);
  return !error && canonical_a == canonical_b;
}

}  // namespace

int64_t MigrationCounts::Total() const {
  return workflow_jobs + workflow_actions + log_lines + coordinator_jobs + coordinator_actions + bundle_jobs +
         notifications + sla_events + model_versions + model_events + meta_entries;
}

std::string MigrationCounts::Summary() const {
  const std::pair<const char*, int64_t> rows[] = {
      {"workflow jobs", workflow_jobs},       {"workflow actions", workflow_actions},
      {"log lines", log_lines},               {"coordinator jobs", coordinator_jobs},
      {"coordinator actions", coordinator_actions}, {"bundle jobs", bundle_jobs},
      {"notifications", notifications},       {"SLA events", sla_events},
      {"model versions", model_versions},     {"model events", model_events},
      {"meta entries", meta_entries}};
  std::string out;
  for (const auto& [name, count] : rows) {
    std::string label = name;
    label.resize(22, ' ');
    out += "  " + label + Int(count) + "\n";
  }
  return out;
}

Status CheckEmptyDestination(Store& to, const std::string& shown_location) {
  REFINERY_ASSIGN_OR_RETURN(JobPage jobs, to.ListJobs(JobFilter{}, 0, 0));
  REFINERY_ASSIGN_OR_RETURN(CoordinatorJobPage coordinators, to.ListCoordinatorJobs({}, 0, 0));
  REFINERY_ASSIGN_OR_RETURN(BundleJobPage bundles, to.ListBundleJobs({}, 0, 0));
  REFINERY_ASSIGN_OR_RETURN(std::vector<ModelVersionRecord> models, to.ListModelVersions(""));
  if (jobs.total == 0 && coordinators.total == 0 && bundles.total == 0 && models.empty()) return Status::Ok();
  return Status::FailedPrecondition(
      "migrate store: the destination \"" + shown_location + "\" is not empty (" + Int(jobs.total) +
      " workflow jobs, " + Int(coordinators.total) + " coordinator jobs, " + Int(bundles.total) + " bundle jobs, " +
      Int(static_cast<int64_t>(models.size())) +
      " model versions); migrate into an empty database (PostgreSQL: createdb a new one) or a new SQLite file");
}

Result<MigrationCounts> MigrateStore(Store& from, Store& to, const MigrationProgress& progress) {
  REFINERY_RETURN_IF_ERROR(CheckEmptyDestination(to, "destination"));
  Copier copier(from, to, progress);
  REFINERY_RETURN_IF_ERROR(copier.Run());
  REFINERY_ASSIGN_OR_RETURN(MigrationCounts verified, VerifyMigration(from, to));
  if (verified.Total() != copier.counts().Total()) {
    return Mismatch("copied " + Int(copier.counts().Total()) + " records but verified " + Int(verified.Total()) +
                    " (did a process write the source during the copy?)");
  }
  return verified;
}

Result<MigrationCounts> VerifyMigration(Store& from, Store& to) {
  MigrationCounts counts;
  REFINERY_RETURN_IF_ERROR(VerifyCoordinators(from, to, &counts));
  REFINERY_RETURN_IF_ERROR(VerifyWorkflowJobs(from, to, &counts));
  REFINERY_RETURN_IF_ERROR(VerifyRest(from, to, &counts));
  return counts;
}

Result<MigrationCounts> MigrateStoreLocations(const std::string& from, const std::string& to,
                                              const MigrationProgress& progress) {
  const std::string shown_from = MaskPassword(from);
  const std::string shown_to = MaskPassword(to);
  if (SameLocation(from, to)) {
    return Status::InvalidArgument("migrate store: source and destination are the same store \"" + shown_from +
                                   "\"; give a different destination");
  }
  if (!IsPostgresLocation(from) && !std::filesystem::is_regular_file(from)) {
    return Status::NotFound("migrate store: source \"" + from +
                            "\" is not a file; give the path of a state.db (e.g. ~/.refinery/state.db) or a "
                            "postgresql:// URL");
  }
  Result<std::unique_ptr<Store>> source = OpenStore(from);
  if (!source.ok()) return source.status().WithContext("migrate store: source \"" + shown_from + "\"");
  Result<std::unique_ptr<Store>> destination = OpenStore(to);
  if (!destination.ok()) return destination.status().WithContext("migrate store: destination \"" + shown_to + "\"");
  REFINERY_RETURN_IF_ERROR(CheckEmptyDestination(**destination, shown_to));
  return MigrateStore(**source, **destination, progress);
}

}  // namespace refinery::store
