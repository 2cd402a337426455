// PostgresStore: the Store interface over one libpq connection, built as the
// pgstore plugin. Layout and contract: doc/formats/state-store.md.
//
// Concurrency: one connection behind one mutex, as SqliteStore does. A store
// serves one process whose engine writes small batches one after another;
// a pool would only let that process's batches race each other for the same
// rows while adding connections the server has to carry per process. Many
// processes sharing the database is what PostgreSQL is for, and what the
// transactions below are written for: every Apply is one transaction (all or
// nothing), upserts are INSERT ... ON CONFLICT, and a guarded registry change
// takes a transaction-scoped advisory lock on its model before it reads the
// model's newest event, so two processes cannot both pass the guard.
//
// Reconnect: a connection the server closed (restart, failover, idle
// timeout) is made again with PQreset at the next call, and a call that
// failed because it broke is run once more when that is safe: any read, and
// a batch whose COMMIT was never sent (the server rolled it back). A batch
// whose COMMIT was sent and not answered may or may not be stored; it fails
// with IoError rather than risk applying twice.

#include <algorithm>
#include <cstdio>
#include <exception>
#include <limits>

#include "store/job_query.h"
#include "store/lease_sql.h"
#include "store/postgres_connection.h"
#include "store/postgres_schema.h"
#include "store/postgres_store.h"
#include "store/records.h"
#include "store/store.h"
#include "store/thread_annotations.h"

namespace refinery::store {
namespace {

using pg::Connection;
using pg::Params;
using pg::Rows;
using pg::RowView;

template <typename Fn>
auto NoThrow(const char* what, Fn&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const std::exception& e) {
    return Status::Internal(std::string("state store: ") + what + ": " + e.what());
  } catch (...) {
    return Status::Internal(std::string("state store: ") + what + ": unknown exception");
  }
}

// Advisory lock keys ("RFNY" + n). Two-key locks (class, hashtext(model))
// and one-key locks are separate spaces in PostgreSQL.
constexpr char kLockModelSql[] = "SELECT pg_advisory_xact_lock(1380339291, hashtext($1))";
// Model event ids come from an identity column, which hands out ids in
// insert order, not commit order; serialising the batches that append
// events makes the two agree, so a server following the log by id never
// skips an event committed late.
constexpr char kLockModelEventsSql[] = "SELECT pg_advisory_xact_lock(1380339292)";

// "LIMIT <n>" where a negative n means no limit, as in SQLite.
constexpr char kLimitOrAll[] = " LIMIT CASE WHEN $%d::bigint < 0 THEN NULL ELSE $%d::bigint END";

std::string LimitOrAll(int param) {
  char buffer[sizeof(kLimitOrAll) + 16];
  std::snprintf(buffer, sizeof(buffer), kLimitOrAll, param, param);
  return buffer;
}

// " WHERE status IN ($1, ...)" for a non-empty list, else "".
std::string StatusesWhere(const std::vector<std::string>& statuses, Params* params) {
  std::string where;
  for (const std::string& status : statuses) {
    params->Add(status);
    where += (where.empty() ? " WHERE status IN ($" : ", $") + std::to_string(params->size());
  }
  return where.empty() ? where : where + ")";
}

template <typename Record, typename Reader>
std::vector<Record> AllRows(const Rows& rows, Reader read) {
  std::vector<Record> out;
  out.reserve(static_cast<size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) out.push_back(read(RowView(rows, i)));
  return out;
}

bool EmptyBatch(const WriteBatch& batch) {
  return batch.jobs.empty() && batch.actions.empty() && batch.log_lines.empty() && batch.notifications.empty() &&
         batch.coordinator_jobs.empty() && batch.coordinator_actions.empty() &&
         batch.deleted_coordinator_actions.empty() && batch.model_versions.empty() && batch.model_events.empty() &&
         batch.sla_events.empty() && batch.bundle_jobs.empty();
}

// Rolls back a transaction still open when the scope ends (an error return
// or an exception); a committed one makes it a no-op.
class RollbackGuard {
 public:
  explicit RollbackGuard(Connection* db) : db_(db) {}
  ~RollbackGuard() {
    if (db_->InTransaction()) (void)db_->ExecSimple("ROLLBACK", "roll back");  // the first error is reported
  }
  RollbackGuard(const RollbackGuard&) = delete;
  RollbackGuard& operator=(const RollbackGuard&) = delete;

 private:
  Connection* db_;
};

class PostgresStore final : public Store {
 public:
  explicit PostgresStore(std::unique_ptr<Connection> db) : db_(std::move(db)) {}

  Status Apply(const WriteBatch& batch) override EXCLUDES(mu_);
  Result<WorkflowJobRecord> GetJob(const std::string& id) override EXCLUDES(mu_);
  Result<JobPage> ListJobs(const JobFilter& filter, int offset, int len) override EXCLUDES(mu_);
  Result<std::vector<WorkflowActionRecord>> ListActions(const std::string& job_id) override EXCLUDES(mu_);
  Result<WorkflowActionRecord> GetAction(const std::string& id) override EXCLUDES(mu_);
  Result<std::vector<std::string>> ListUnfinishedJobIds() override EXCLUDES(mu_);
  Result<std::string> ReadLog(const std::string& job_id) override EXCLUDES(mu_);
  Result<std::optional<std::string>> GetMeta(const std::string& key) override EXCLUDES(mu_);
  Status PutMeta(const std::string& key, const std::string& value) override EXCLUDES(mu_);
  Result<std::vector<NotificationRecord>> ListDueNotifications(int64_t now_ms, int limit) override EXCLUDES(mu_);
  Status DeleteNotification(int64_t id) override EXCLUDES(mu_);
  Status UpdateNotification(const NotificationRecord& record) override EXCLUDES(mu_);
  Result<std::optional<int64_t>> NextNotificationTime() override EXCLUDES(mu_);
  Result<int64_t> CountNotifications(const std::string& status) override EXCLUDES(mu_);
  Result<std::vector<NotificationRecord>> ListNotifications(int64_t after_id, int limit) override EXCLUDES(mu_);
  Result<std::vector<std::pair<std::string, std::string>>> ListMeta() override EXCLUDES(mu_);
  Result<CoordinatorJobRecord> GetCoordinatorJob(const std::string& id) override EXCLUDES(mu_);
  Result<CoordinatorJobPage> ListCoordinatorJobs(const std::vector<std::string>& statuses, int offset,
                                                 int len) override EXCLUDES(mu_);
  Result<std::vector<CoordinatorActionRecord>> ListCoordinatorActions(const std::string& job_id) override
      EXCLUDES(mu_);
  Result<CoordinatorActionRecord> GetCoordinatorAction(const std::string& id) override EXCLUDES(mu_);
  Result<BundleJobRecord> GetBundleJob(const std::string& id) override EXCLUDES(mu_);
  Result<BundleJobPage> ListBundleJobs(const std::vector<std::string>& statuses, int offset, int len) override
      EXCLUDES(mu_);
  Result<std::vector<CoordinatorJobRecord>> ListBundleCoordinatorJobs(const std::string& bundle_id) override
      EXCLUDES(mu_);
  Result<std::vector<ModelVersionRecord>> ListModelVersions(const std::string& model) override EXCLUDES(mu_);
  Result<std::vector<ModelEventRecord>> ListModelEvents(const std::string& model, int limit) override EXCLUDES(mu_);
  Result<int64_t> LastModelEventId() override EXCLUDES(mu_);
  Result<std::vector<SlaEventRecord>> ListSlaEvents(const std::string& job_id) override EXCLUDES(mu_);

  Result<LeaseRecord> AcquireLease(const std::string& resource, const std::string& owner, int64_t ttl_ms,
                                   const std::string& steal_from) override EXCLUDES(mu_);
  Status ReleaseLease(const std::string& resource, const std::string& owner) override EXCLUDES(mu_);
  Result<std::vector<std::string>> RenewLeases(const std::string& owner, int64_t ttl_ms) override EXCLUDES(mu_);
  Status RegisterProcess(const ProcessRecord& process) override EXCLUDES(mu_);
  Status UnregisterProcess(const std::string& id) override EXCLUDES(mu_);
  Result<std::vector<ProcessRecord>> ListProcesses() override EXCLUDES(mu_);
  Result<std::vector<LeaseRecord>> ListLeases(const std::string& prefix) override EXCLUDES(mu_);

 private:
  static const std::string& Sql(LeaseSql which) { return LeaseStatement(which, SqlDialect::kPostgres); }
  Status CheckFencesLocked(const WriteBatch& batch) REQUIRES(mu_);
  Status CheckCoordinatorGuardLocked(const WriteBatch& batch) REQUIRES(mu_);
  // Runs `fn` under mu_ on a live connection, and once more after
  // reconnecting when the connection broke under it and that is safe (see
  // the file comment).
  template <typename Fn>
  auto Call(const char* what, Fn&& fn) -> decltype(fn()) EXCLUDES(mu_);

  // One statement's rows; `prepare` for the fixed SQL the store runs often.
  Result<Rows> QueryLocked(const std::string& sql, const Params& params, std::string_view what,
                           bool prepare = true) REQUIRES(mu_) {
    return db_->Query(sql, params, what, prepare);
  }
  Status ExecLocked(const std::string& sql, const Params& params, std::string_view what) REQUIRES(mu_) {
    return db_->Exec(sql, params, what);
  }

  Status ApplyLocked(const WriteBatch& batch) REQUIRES(mu_);
  Status LockModelsLocked(const WriteBatch& batch) REQUIRES(mu_);
  Status CheckModelGuardLocked(const WriteBatch& batch) REQUIRES(mu_);
  Status WriteBatchLocked(const WriteBatch& batch) REQUIRES(mu_);
  Status WriteModelsLocked(const WriteBatch& batch) REQUIRES(mu_);
  Status WriteSlaEventsLocked(const WriteBatch& batch) REQUIRES(mu_);
  Status QueueNotificationLocked(const NotificationRecord& notification) REQUIRES(mu_);
  Status CopyNotificationLocked(const NotificationRecord& notification) REQUIRES(mu_);
  Status AdvanceIdsLocked(const WriteBatch& batch) REQUIRES(mu_);
  Status AppendLogLocked(const std::string& job_id, const std::string& line) REQUIRES(mu_);
  Result<JobPage> ListJobsLocked(const WhereClause& where, int offset, int len) REQUIRES(mu_);

  Mutex mu_;
  std::unique_ptr<Connection> db_ GUARDED_BY(mu_);
  bool commit_sent_ GUARDED_BY(mu_) = false;  // the running call sent COMMIT
};

template <typename Fn>
auto PostgresStore::Call(const char* what, Fn&& fn) -> decltype(fn()) {
  return NoThrow(what, [&]() -> decltype(fn()) {
    MutexLock lock(&mu_);
    if (db_->Broken()) REFINERY_RETURN_IF_ERROR(db_->Reconnect());
    commit_sent_ = false;
    auto result = fn();
    if (result.ok() || !db_->Broken() || commit_sent_) return result;
    if (!db_->Reconnect().ok()) return result;
    commit_sent_ = false;
    return fn();
  });
}

// ---- writes ----

Status PostgresStore::Apply(const WriteBatch& batch) {
  if (EmptyBatch(batch)) return Status::Ok();
  return Call("apply batch", [&]() REQUIRES(mu_) { return ApplyLocked(batch); });
}

Status PostgresStore::ApplyLocked(const WriteBatch& batch) {
  REFINERY_RETURN_IF_ERROR(db_->ExecSimple("BEGIN", "begin batch"));
  RollbackGuard guard(db_.get());
  REFINERY_RETURN_IF_ERROR(CheckFencesLocked(batch));
  REFINERY_RETURN_IF_ERROR(CheckCoordinatorGuardLocked(batch));
  REFINERY_RETURN_IF_ERROR(LockModelsLocked(batch));
  REFINERY_RETURN_IF_ERROR(CheckModelGuardLocked(batch));
  REFINERY_RETURN_IF_ERROR(WriteBatchLocked(batch));
  REFINERY_RETURN_IF_ERROR(WriteModelsLocked(batch));
  REFINERY_RETURN_IF_ERROR(WriteSlaEventsLocked(batch));
  REFINERY_RETURN_IF_ERROR(AdvanceIdsLocked(batch));
  commit_sent_ = true;
  const Status status = db_->ExecSimple("COMMIT", "commit batch");
  // Foreign keys are checked at COMMIT (deferred), so rows in a batch may
  // come in any order; a failure here means a dangling job id.
  if (status.code() == StatusCode::kInvalidArgument) {
    return Status::InvalidArgument(status.message() +
                                   " (an action or log line names a job that is neither stored nor in the batch)");
  }
  return status;
}

// Lock order: the guarded model, then the event log. Every batch takes
// them in that order and at most one model, so two batches never wait on
// each other in a cycle.
Status PostgresStore::LockModelsLocked(const WriteBatch& batch) {
  if (!batch.guarded_model.empty()) {
    Params model;
    model.Add(batch.guarded_model);
    REFINERY_RETURN_IF_ERROR(ExecLocked(kLockModelSql, model, "lock model [" + batch.guarded_model + "]"));
  }
  if (batch.model_events.empty()) return Status::Ok();
  return ExecLocked(kLockModelEventsSql, {}, "lock the model event log");
}

Status PostgresStore::CheckModelGuardLocked(const WriteBatch& batch) {
  if (batch.guarded_model.empty()) return Status::Ok();
  Params model;
  model.Add(batch.guarded_model);
  REFINERY_ASSIGN_OR_RETURN(Rows rows, QueryLocked("SELECT coalesce(max(id), 0) FROM model_events WHERE model = $1",
                                                   model, "read the last event of model [" + batch.guarded_model + "]"));
  const int64_t last = rows.size() == 1 ? rows.Int64(0, 0) : 0;
  if (last == batch.last_model_event_id) return Status::Ok();
  return Status::FailedPrecondition("model [" + batch.guarded_model +
                                        "] changed while this change was prepared (another promote, rollback or "
                                        "registration); read it again and retry",
                                    kStoreConflictCode);
}

Status PostgresStore::AppendLogLocked(const std::string& job_id, const std::string& line) {
  Params params;
  params.Add(job_id);
  params.Add(line);
  return ExecLocked("INSERT INTO workflow_job_log (job_id, line) VALUES ($1, $2)", params,
                    "append log line of job [" + job_id + "]");
}

Status PostgresStore::WriteBatchLocked(const WriteBatch& batch) {
  for (const WorkflowJobRecord& job : batch.jobs) {
    Params params;
    BindJob(params, job);
    REFINERY_RETURN_IF_ERROR(ExecLocked(JobUpsertSql(SqlDialect::kPostgres), params, "write job [" + job.id + "]"));
  }
  for (const WorkflowActionRecord& action : batch.actions) {
    Params params;
    BindAction(params, action);
    REFINERY_RETURN_IF_ERROR(
        ExecLocked(ActionUpsertSql(SqlDialect::kPostgres), params, "write action [" + action.id + "]"));
  }
  for (const auto& [job_id, line] : batch.log_lines) REFINERY_RETURN_IF_ERROR(AppendLogLocked(job_id, line));
  for (const BundleJobRecord& job : batch.bundle_jobs) {
    Params params;
    BindBundleJob(params, job);
    REFINERY_RETURN_IF_ERROR(
        ExecLocked(BundleJobUpsertSql(SqlDialect::kPostgres), params, "write bundle job [" + job.id + "]"));
  }
  for (const CoordinatorJobRecord& job : batch.coordinator_jobs) {
    Params params;
    BindCoordinatorJob(params, job);
    REFINERY_RETURN_IF_ERROR(ExecLocked(CoordinatorJobUpsertSql(SqlDialect::kPostgres), params,
                                        "write coordinator job [" + job.id + "]"));
  }
  for (const CoordinatorActionRecord& action : batch.coordinator_actions) {
    Params params;
    BindCoordinatorAction(params, action);
    REFINERY_RETURN_IF_ERROR(ExecLocked(CoordinatorActionUpsertSql(SqlDialect::kPostgres), params,
                                        "write coordinator action [" + action.id + "]"));
  }
  for (const std::string& id : batch.deleted_coordinator_actions) {
    Params params;
    params.Add(id);
    REFINERY_RETURN_IF_ERROR(ExecLocked("DELETE FROM coordinator_actions WHERE id = $1", params,
                                        "delete coordinator action [" + id + "]"));
  }
  for (const NotificationRecord& notification : batch.notifications) {
    REFINERY_RETURN_IF_ERROR(batch.keep_ids ? CopyNotificationLocked(notification)
                                            : QueueNotificationLocked(notification));
  }
  return Status::Ok();
}

// A notification copied from another store, with its id (WriteBatch::keep_ids).
Status PostgresStore::CopyNotificationLocked(const NotificationRecord& notification) {
  Params params;
  params.AddInt64(notification.id);
  params.Add(notification.url);
  params.Add(notification.subject_id);
  params.Add(notification.status);
  params.AddInt64(notification.attempts);
  params.AddInt64(notification.next_attempt_ms);
  params.AddInt64(notification.created_ms);
  params.Add(notification.last_error);
  params.Add(notification.method);
  params.Add(notification.body);
  return ExecLocked(
      "INSERT INTO notification_outbox (id, url, subject_id, status, attempts, next_attempt_ms, created_ms, "
      "last_error, method, body) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
      params, "copy notification " + std::to_string(notification.id) + " of [" + notification.subject_id + "]");
}

// Rows inserted with explicit ids leave the identity sequences behind; move
// them past the largest id so later inserts never collide with a copied row.
Status PostgresStore::AdvanceIdsLocked(const WriteBatch& batch) {
  if (!batch.keep_ids) return Status::Ok();
  if (!batch.notifications.empty()) {
    REFINERY_RETURN_IF_ERROR(ExecLocked(
        "SELECT setval(pg_get_serial_sequence('notification_outbox', 'id'), max(id)) FROM notification_outbox", {},
        "advance the notification id sequence"));
  }
  if (batch.model_events.empty()) return Status::Ok();
  return ExecLocked("SELECT setval(pg_get_serial_sequence('model_events', 'id'), max(id)) FROM model_events", {},
                    "advance the model event id sequence");
}

Status PostgresStore::QueueNotificationLocked(const NotificationRecord& notification) {
  Params params;
  params.Add(notification.url);
  params.Add(notification.subject_id);
  params.Add(notification.status);
  params.AddInt64(notification.attempts);
  params.AddInt64(notification.next_attempt_ms);
  params.AddInt64(notification.created_ms);
  params.Add(notification.last_error);
  params.Add(notification.method);
  params.Add(notification.body);
  return ExecLocked(
      "INSERT INTO notification_outbox (url, subject_id, status, attempts, next_attempt_ms, created_ms, last_error, "
      "method, body) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
      params, "queue notification of [" + notification.subject_id + "]");
}

// An event already recorded (RETURNING gives no row) is a repeat: its alerts
// and log line were queued when it was first recorded.
Status PostgresStore::WriteSlaEventsLocked(const WriteBatch& batch) {
  for (const SlaEventRecord& event : batch.sla_events) {
    Params params;
    params.Add(event.subject_id);
    params.Add(event.event);
    params.Add(event.job_id);
    params.Add(event.app_type);
    params.Add(event.app_name);
    params.AddInt64(event.nominal_ms);
    params.AddInt64(event.expected_ms);
    params.AddInt64(event.actual_ms);
    params.AddInt64(event.created_ms);
    params.Add(event.detail);
    REFINERY_ASSIGN_OR_RETURN(
        Rows inserted,
        QueryLocked(std::string("INSERT INTO sla_events (") + kSlaColumns +
                        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
                        "ON CONFLICT (subject_id, event) DO NOTHING RETURNING 1",
                    params, "record SLA " + event.event + " of [" + event.subject_id + "]"));
    if (inserted.size() == 0 || batch.keep_ids) continue;
    for (const NotificationRecord& alert : event.alerts) REFINERY_RETURN_IF_ERROR(QueueNotificationLocked(alert));
    if (!event.detail.empty() && !event.job_id.empty()) {
      REFINERY_RETURN_IF_ERROR(AppendLogLocked(event.job_id, event.detail));
    }
  }
  return Status::Ok();
}

Status PostgresStore::WriteModelsLocked(const WriteBatch& batch) {
  for (const ModelVersionRecord& record : batch.model_versions) {
    Params params;
    params.Add(record.model);
    params.AddInt64(record.version);
    params.Add(record.bundle_uri);
    params.Add(record.stage);
    params.Add(record.metrics.empty() ? "{}" : record.metrics);
    params.Add(record.lineage.empty() ? "{}" : record.lineage);
    params.Add(record.registered_by);
    params.AddInt64(record.created_ms);
    params.AddInt64(record.stage_changed_ms);
    REFINERY_RETURN_IF_ERROR(ExecLocked(
        std::string("INSERT INTO model_versions (") + kModelVersionColumns +
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (model, version) DO UPDATE SET "
            "bundle_uri = EXCLUDED.bundle_uri, stage = EXCLUDED.stage, metrics = EXCLUDED.metrics, "
            "lineage = EXCLUDED.lineage, registered_by = EXCLUDED.registered_by, created_ms = EXCLUDED.created_ms, "
            "stage_changed_ms = EXCLUDED.stage_changed_ms",
        params, "write model version [" + record.model + " v" + std::to_string(record.version) + "]"));
  }
  for (const ModelEventRecord& event : batch.model_events) {
    Params params;
    params.Add(event.model);
    params.AddInt64(event.version);
    params.AddInt64(event.previous_version);
    params.Add(event.kind);
    params.Add(event.actor);
    params.Add(event.reason);
    params.AddInt64(event.created_ms);
    if (batch.keep_ids) {
      // A copy keeps the source's id (WriteBatch::keep_ids).
      params.AddInt64(event.id);
      REFINERY_RETURN_IF_ERROR(ExecLocked("INSERT INTO model_events (model, version, previous_version, kind, actor, "
                                          "reason, created_ms, id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                                          params, "copy event " + std::to_string(event.id) + " of model [" +
                                                      event.model + "]"));
      continue;
    }
    REFINERY_RETURN_IF_ERROR(ExecLocked("INSERT INTO model_events (model, version, previous_version, kind, actor, "
                                        "reason, created_ms) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                                        params, "append an event of model [" + event.model + "]"));
  }
  return Status::Ok();
}

// ---- the notification outbox and meta ----

Result<std::vector<NotificationRecord>> PostgresStore::ListDueNotifications(int64_t now_ms, int limit) {
  return Call("list due notifications", [&]() REQUIRES(mu_) -> Result<std::vector<NotificationRecord>> {
    Params params;
    params.AddInt64(now_ms);
    params.AddInt64(limit);
    REFINERY_ASSIGN_OR_RETURN(Rows rows, QueryLocked(std::string("SELECT ") + kOutboxColumns +
                                                         " FROM notification_outbox WHERE status = 'PENDING' AND "
                                                         "next_attempt_ms <= $1 ORDER BY next_attempt_ms, id" +
                                                         LimitOrAll(2),
                                                     params, "list due notifications"));
    return AllRows<NotificationRecord>(rows, ReadNotification);
  });
}

Result<std::vector<NotificationRecord>> PostgresStore::ListNotifications(int64_t after_id, int limit) {
  return Call("list notifications", [&]() REQUIRES(mu_) -> Result<std::vector<NotificationRecord>> {
    Params params;
    params.AddInt64(after_id);
    params.AddInt64(limit);
    REFINERY_ASSIGN_OR_RETURN(Rows rows, QueryLocked(std::string("SELECT ") + kOutboxColumns +
                                                         " FROM notification_outbox WHERE id > $1 ORDER BY id" +
                                                         LimitOrAll(2),
                                                     params, "list notifications"));
    return AllRows<NotificationRecord>(rows, ReadNotification);
  });
}

Result<std::vector<std::pair<std::string, std::string>>> PostgresStore::ListMeta() {
  return Call("list meta", [&]() REQUIRES(mu_) -> Result<std::vector<std::pair<std::string, std::string>>> {
    REFINERY_ASSIGN_OR_RETURN(Rows rows, QueryLocked("SELECT key, value FROM meta ORDER BY key", {}, "list meta"));
    std::vector<std::pair<std::string, std::string>> entries;
    for (int i = 0; i < rows.size(); ++i) entries.emplace_back(rows.Text(i, 0), rows.Text(i, 1));
    return entries;
  });
}

Status PostgresStore::DeleteNotification(int64_t id) {
  return Call("delete notification", [&]() REQUIRES(mu_) {
    Params params;
    params.AddInt64(id);
    return ExecLocked("DELETE FROM notification_outbox WHERE id = $1", params, "delete notification");
  });
}

Status PostgresStore::UpdateNotification(const NotificationRecord& record) {
  return Call("update notification", [&]() REQUIRES(mu_) {
    Params params;
    params.AddInt64(record.id);
    params.Add(record.status);
    params.AddInt64(record.attempts);
    params.AddInt64(record.next_attempt_ms);
    params.Add(record.last_error);
    return ExecLocked("UPDATE notification_outbox SET status = $2, attempts = $3, next_attempt_ms = $4, "
                      "last_error = $5 WHERE id = $1",
                      params, "update notification");
  });
}

Result<std::optional<int64_t>> PostgresStore::NextNotificationTime() {
  return Call("read next notification time", [&]() REQUIRES(mu_) -> Result<std::optional<int64_t>> {
    REFINERY_ASSIGN_OR_RETURN(
        Rows rows, QueryLocked("SELECT min(next_attempt_ms) FROM notification_outbox WHERE status = 'PENDING'", {},
                               "read next notification time"));
    if (rows.size() == 0 || rows.IsNull(0, 0)) return std::optional<int64_t>();
    return std::optional<int64_t>(rows.Int64(0, 0));
  });
}

Result<int64_t> PostgresStore::CountNotifications(const std::string& status) {
  return Call("count notifications", [&]() REQUIRES(mu_) -> Result<int64_t> {
    Params params;
    params.Add(status);
    REFINERY_ASSIGN_OR_RETURN(Rows rows, QueryLocked("SELECT count(*) FROM notification_outbox WHERE status = $1",
                                                     params, "count notifications"));
    return rows.size() == 1 ? rows.Int64(0, 0) : 0;
  });
}

Result<std::optional<std::string>> PostgresStore::GetMeta(const std::string& key) {
  return Call("read meta", [&]() REQUIRES(mu_) -> Result<std::optional<std::string>> {
    Params params;
    params.Add(key);
    REFINERY_ASSIGN_OR_RETURN(Rows rows,
                              QueryLocked("SELECT value FROM meta WHERE key = $1", params, "read meta [" + key + "]"));
    if (rows.size() == 0) return std::optional<std::string>();
    return std::optional<std::string>(rows.Text(0, 0));
  });
}

Status PostgresStore::PutMeta(const std::string& key, const std::string& value) {
  return Call("write meta", [&]() REQUIRES(mu_) {
    Params params;
    params.Add(key);
    params.Add(value);
    return ExecLocked("INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = "
                      "EXCLUDED.value",
                      params, "write meta [" + key + "]");
  });
}

// ---- workflow jobs and actions ----

Result<WorkflowJobRecord> PostgresStore::GetJob(const std::string& id) {
  return Call("read job", [&]() REQUIRES(mu_) -> Result<WorkflowJobRecord> {
    Params params;
    params.Add(id);
    REFINERY_ASSIGN_OR_RETURN(Rows rows, QueryLocked("SELECT " + JobColumnList() + " FROM workflow_jobs WHERE id = $1",
                                                     params, "read job [" + id + "]"));
    if (rows.size() == 0) return Status::NotFound("Job does not exist [" + id + "]", "E0604");
    return ReadJob(RowView(rows, 0));
  });
}

Result<WorkflowActionRecord> PostgresStore::GetAction(const std::string& id) {
  return Call("read action", [&]() REQUIRES(mu_) -> Result<WorkflowActionRecord> {
    Params params;
    params.Add(id);
    REFINERY_ASSIGN_OR_RETURN(Rows rows,
                              QueryLocked("SELECT " + ActionColumnList() + " FROM workflow_actions WHERE id = $1",
                                          params, "read action [" + id + "]"));
    if (rows.size() == 0) return Status::NotFound("Action does not exist [" + id + "]", "E0605");
    return ReadAction(RowView(rows, 0));
  });
}

Result<std::vector<WorkflowActionRecord>> PostgresStore::ListActions(const std::string& job_id) {
  return Call("list actions", [&]() REQUIRES(mu_) -> Result<std::vector<WorkflowActionRecord>> {
    Params params;
    params.Add(job_id);
    REFINERY_ASSIGN_OR_RETURN(
        Rows rows, QueryLocked("SELECT " + ActionColumnList() +
                                   " FROM workflow_actions WHERE job_id = $1 ORDER BY start_ms, seq",
                               params, "list actions of job [" + job_id + "]"));
    return AllRows<WorkflowActionRecord>(rows, [](const RowReader& row) { return ReadAction(row); });
  });
}

Result<std::vector<std::string>> PostgresStore::ListUnfinishedJobIds() {
  return Call("list unfinished jobs", [&]() REQUIRES(mu_) -> Result<std::vector<std::string>> {
    REFINERY_ASSIGN_OR_RETURN(Rows rows, QueryLocked("SELECT id FROM workflow_jobs WHERE status IN ('PREP', "
                                                     "'RUNNING', 'SUSPENDED') ORDER BY created_ms, id",
                                                     {}, "list unfinished jobs"));
    return AllRows<std::string>(rows, [](const RowReader& row) { return row.ColumnText(0); });
  });
}

Result<std::string> PostgresStore::ReadLog(const std::string& job_id) {
  return Call("read log", [&]() REQUIRES(mu_) -> Result<std::string> {
    Params params;
    params.Add(job_id);
    REFINERY_ASSIGN_OR_RETURN(Rows rows, QueryLocked("SELECT line FROM workflow_job_log WHERE job_id = $1 ORDER BY seq",
                                                     params, "read log of job [" + job_id + "]"));
    std::string text;
    for (int i = 0; i < rows.size(); ++i) {
      if (i != 0) text += '\n';
      text += rows.Text(i, 0);
    }
    if (rows.size() > 0) return text;
    // Lines exist only for stored jobs (foreign key), so only now ask.
    REFINERY_ASSIGN_OR_RETURN(Rows job, QueryLocked("SELECT 1 FROM workflow_jobs WHERE id = $1", params,
                                                    "look up job [" + job_id + "]"));
    if (job.size() == 0) return Status::NotFound("Job does not exist [" + job_id + "]", "E0604");
    return text;
  });
}

Result<JobPage> PostgresStore::ListJobs(const JobFilter& filter, int offset, int len) {
  if (offset < 0 || len < 0) {
    return Status::InvalidArgument("list jobs: offset [" + std::to_string(offset) + "] and len [" +
                                   std::to_string(len) + "] must not be negative");
  }
  const WhereClause where = BuildJobWhere(filter, SqlDialect::kPostgres);
  return Call("list jobs", [&]() REQUIRES(mu_) -> Result<JobPage> {
    // One snapshot, so the total and the page agree.
    REFINERY_RETURN_IF_ERROR(db_->ExecSimple("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "begin read"));
    RollbackGuard guard(db_.get());
    REFINERY_ASSIGN_OR_RETURN(JobPage page, ListJobsLocked(where, offset, len));
    REFINERY_RETURN_IF_ERROR(db_->ExecSimple("COMMIT", "end read"));
    return page;
  });
}

Result<JobPage> PostgresStore::ListJobsLocked(const WhereClause& where, int offset, int len) {
  Params params;
  BindWhere(params, where);
  // Filters vary in shape, so these are not kept prepared.
  REFINERY_ASSIGN_OR_RETURN(Rows count,
                            QueryLocked("SELECT count(*) FROM workflow_jobs" + where.sql, params, "count jobs", false));
  JobPage page;
  const int64_t total = count.size() == 1 ? count.Int64(0, 0) : 0;
  page.total = static_cast<int>(std::min<int64_t>(total, std::numeric_limits<int>::max()));
  if (len == 0 || offset >= page.total) return page;
  const int next = params.size() + 1;
  params.BindInt64(next, len);
  params.BindInt64(next + 1, offset);
  REFINERY_ASSIGN_OR_RETURN(Rows rows, QueryLocked("SELECT " + JobColumnList() + " FROM workflow_jobs" + where.sql +
                                                       " ORDER BY created_ms DESC, id DESC LIMIT $" +
                                                       std::to_string(next) + " OFFSET $" + std::to_string(next + 1),
                                                   params, "list jobs", false));
  page.jobs = AllRows<WorkflowJobRecord>(rows, [](const RowReader& row) { return ReadJob(row); });
  return page;
}

// ---- coordinators and bundles ----

Result<CoordinatorJobRecord> PostgresStore::GetCoordinatorJob(const std::string& id) {
  return Call("read coordinator job", [&]() REQUIRES(mu_) -> Result<CoordinatorJobRecord> {
    Params params;
    params.Add(id);
    REFINERY_ASSIGN_OR_RETURN(
        Rows rows, QueryLocked("SELECT " + CoordinatorJobColumnList() + " FROM coordinator_jobs WHERE id = $1",
                               params, "read coordinator job [" + id + "]"));
    if (rows.size() == 0) return Status::NotFound("Job does not exist [" + id + "]", "E0604");
    return ReadCoordinatorJob(RowView(rows, 0));
  });
}

Result<CoordinatorActionRecord> PostgresStore::GetCoordinatorAction(const std::string& id) {
  return Call("read coordinator action", [&]() REQUIRES(mu_) -> Result<CoordinatorActionRecord> {
    Params params;
    params.Add(id);
    REFINERY_ASSIGN_OR_RETURN(
        Rows rows, QueryLocked("SELECT " + CoordinatorActionColumnList() + " FROM coordinator_actions WHERE id = $1",
                               params, "read coordinator action [" + id + "]"));
    if (rows.size() == 0) return Status::NotFound("Action does not exist [" + id + "]", "E0605");
    return ReadCoordinatorAction(RowView(rows, 0));
  });
}

Result<std::vector<CoordinatorActionRecord>> PostgresStore::ListCoordinatorActions(const std::string& job_id) {
  return Call("list coordinator actions", [&]() REQUIRES(mu_) -> Result<std::vector<CoordinatorActionRecord>> {
    Params params;
    params.Add(job_id);
    REFINERY_ASSIGN_OR_RETURN(Rows rows, QueryLocked("SELECT " + CoordinatorActionColumnList() +
                                                         " FROM coordinator_actions WHERE job_id = $1 "
                                                         "ORDER BY action_number",
                                                     params, "list coordinator actions of [" + job_id + "]"));
    return AllRows<CoordinatorActionRecord>(rows, [](const RowReader& row) { return ReadCoordinatorAction(row); });
  });
}

Result<CoordinatorJobPage> PostgresStore::ListCoordinatorJobs(const std::vector<std::string>& statuses, int offset,
                                                              int len) {
  if (offset < 0 || len < 0) return Status::InvalidArgument("offset and len must not be negative", "E0303");
  return Call("list coordinator jobs", [&]() REQUIRES(mu_) -> Result<CoordinatorJobPage> {
    Params params;
    const std::string where = StatusesWhere(statuses, &params);
    CoordinatorJobPage page;
    REFINERY_ASSIGN_OR_RETURN(Rows count, QueryLocked("SELECT count(*) FROM coordinator_jobs" + where, params,
                                                      "count coordinator jobs", false));
    page.total = count.size() == 1 ? static_cast<int>(count.Int64(0, 0)) : 0;
    if (len == 0) return page;
    const int next = params.size() + 1;
    params.AddInt64(len);
    params.AddInt64(offset);
    REFINERY_ASSIGN_OR_RETURN(
        Rows rows, QueryLocked("SELECT " + CoordinatorJobColumnList() + " FROM coordinator_jobs" + where +
                                   " ORDER BY created_ms DESC, id DESC LIMIT $" + std::to_string(next) + " OFFSET $" +
                                   std::to_string(next + 1),
                               params, "list coordinator jobs", false));
    page.jobs = AllRows<CoordinatorJobRecord>(rows, [](const RowReader& row) { return ReadCoordinatorJob(row); });
    return page;
  });
}

Result<BundleJobRecord> PostgresStore::GetBundleJob(const std::string& id) {
  return Call("read bundle job", [&]() REQUIRES(mu_) -> Result<BundleJobRecord> {
    Params params;
    params.Add(id);
    REFINERY_ASSIGN_OR_RETURN(Rows rows,
                              QueryLocked("SELECT " + BundleJobColumnList() + " FROM bundle_jobs WHERE id = $1",
                                          params, "read bundle job [" + id + "]"));
    if (rows.size() == 0) return Status::NotFound("Job does not exist [" + id + "]", "E0604");
    return ReadBundleJob(RowView(rows, 0));
  });
}

Result<std::vector<CoordinatorJobRecord>> PostgresStore::ListBundleCoordinatorJobs(const std::string& bundle_id) {
  return Call("list the coordinators of a bundle", [&]() REQUIRES(mu_) -> Result<std::vector<CoordinatorJobRecord>> {
    Params params;
    params.Add(bundle_id);
    REFINERY_ASSIGN_OR_RETURN(Rows rows, QueryLocked("SELECT " + CoordinatorJobColumnList() +
                                                         " FROM coordinator_jobs WHERE bundle_id = $1 "
                                                         "ORDER BY created_ms, id",
                                                     params, "list the coordinators of bundle [" + bundle_id + "]"));
    return AllRows<CoordinatorJobRecord>(rows, [](const RowReader& row) { return ReadCoordinatorJob(row); });
  });
}

Result<BundleJobPage> PostgresStore::ListBundleJobs(const std::vector<std::string>& statuses, int offset, int len) {
  if (offset < 0 || len < 0) return Status::InvalidArgument("offset and len must not be negative", "E0303");
  return Call("list bundle jobs", [&]() REQUIRES(mu_) -> Result<BundleJobPage> {
    Params params;
    const std::string where = StatusesWhere(statuses, &params);
    BundleJobPage page;
    REFINERY_ASSIGN_OR_RETURN(Rows count, QueryLocked("SELECT count(*) FROM bundle_jobs" + where, params,
                                                      "count bundle jobs", false));
    page.total = count.size() == 1 ? static_cast<int>(count.Int64(0, 0)) : 0;
    if (len == 0) return page;
    const int next = params.size() + 1;
    params.AddInt64(len);
    params.AddInt64(offset);
    REFINERY_ASSIGN_OR_RETURN(Rows rows, QueryLocked("SELECT " + BundleJobColumnList() + " FROM bundle_jobs" + where +
                                                         " ORDER BY created_ms DESC, id DESC LIMIT $" +
                                                         std::to_string(next) + " OFFSET $" + std::to_string(next + 1),
                                                     params, "list bundle jobs", false));
    page.jobs = AllRows<BundleJobRecord>(rows, [](const RowReader& row) { return ReadBundleJob(row); });
    return page;
  });
}

// ---- the model registry and SLA events ----

Result<std::vector<ModelVersionRecord>> PostgresStore::ListModelVersions(const std::string& model) {
  return Call("list model versions", [&]() REQUIRES(mu_) -> Result<std::vector<ModelVersionRecord>> {
    Params params;
    params.Add(model);
    REFINERY_ASSIGN_OR_RETURN(Rows rows, QueryLocked(std::string("SELECT ") + kModelVersionColumns +
                                                         " FROM model_versions WHERE $1::text = '' OR model = $1::text "
                                                         "ORDER BY model, version",
                                                     params, "list model versions"));
    return AllRows<ModelVersionRecord>(rows, ReadModelVersion);
  });
}

Result<std::vector<ModelEventRecord>> PostgresStore::ListModelEvents(const std::string& model, int limit) {
  return Call("list model events", [&]() REQUIRES(mu_) -> Result<std::vector<ModelEventRecord>> {
    Params params;
    params.Add(model);
    params.AddInt64(limit);
    REFINERY_ASSIGN_OR_RETURN(Rows rows, QueryLocked(std::string("SELECT ") + kModelEventColumns +
                                                         " FROM model_events WHERE $1::text = '' OR model = $1::text "
                                                         "ORDER BY id DESC" +
                                                         LimitOrAll(2),
                                                     params, "list model events"));
    return AllRows<ModelEventRecord>(rows, ReadModelEvent);
  });
}

Result<int64_t> PostgresStore::LastModelEventId() {
  return Call("read the last model event", [&]() REQUIRES(mu_) -> Result<int64_t> {
    REFINERY_ASSIGN_OR_RETURN(Rows rows, QueryLocked("SELECT coalesce(max(id), 0) FROM model_events", {},
                                                     "read the last model event"));
    return rows.size() == 1 ? rows.Int64(0, 0) : 0;
  });
}

Result<std::vector<SlaEventRecord>> PostgresStore::ListSlaEvents(const std::string& job_id) {
  return Call("list SLA events", [&]() REQUIRES(mu_) -> Result<std::vector<SlaEventRecord>> {
    Params params;
    params.Add(job_id);
    REFINERY_ASSIGN_OR_RETURN(Rows rows, QueryLocked(std::string("SELECT ") + kSlaColumns +
                                                         " FROM sla_events WHERE job_id = $1 "
                                                         "ORDER BY created_ms, subject_id, event",
                                                     params, "list SLA events of job [" + job_id + "]"));
    return AllRows<SlaEventRecord>(rows, ReadSlaEvent);
  });
}

// ---- processes and leases ----

// FOR SHARE: a takeover of one of these leases (an UPDATE of its row) waits
// until this batch commits or rolls back, so a batch that passed the check
// is never applied after the lease moved on.
Status PostgresStore::CheckFencesLocked(const WriteBatch& batch) {
  for (const LeaseFence& fence : batch.fences) {
    Params params;
    params.Add(fence.resource);
    REFINERY_ASSIGN_OR_RETURN(Rows rows, QueryLocked(Sql(LeaseSql::kFence), params,
                                                     "check lease [" + fence.resource + "]"));
    const std::string holder = rows.size() == 1 ? rows.Text(0, 0) : "";
    const int64_t holder_fence = rows.size() == 1 ? rows.Int64(0, 1) : 0;
    if (holder != fence.owner || holder_fence != fence.fence) return FencedError(fence, holder, holder_fence);
  }
  return Status::Ok();
}

// FOR UPDATE: of two batches materializing the same coordinator, the second
// waits for the first's commit and then finds the position moved.
Status PostgresStore::CheckCoordinatorGuardLocked(const WriteBatch& batch) {
  if (batch.guarded_coordinator.empty()) return Status::Ok();
  Params params;
  params.Add(batch.guarded_coordinator);
  REFINERY_ASSIGN_OR_RETURN(Rows rows, QueryLocked(Sql(LeaseSql::kCoordinatorPosition), params,
                                                   "read coordinator [" + batch.guarded_coordinator + "]"));
  const int64_t stored = rows.size() == 1 ? rows.Int64(0, 0) : 0;
  if (stored == batch.expected_last_action_number) return Status::Ok();
  return CoordinatorMovedError(batch, stored);
}

// One statement: INSERT ... ON CONFLICT DO UPDATE ... WHERE takes the row
// lock, so of two processes racing for an expired lease exactly one gets a
// row back; the other waits for the first to commit and then finds the
// lease held.
Result<LeaseRecord> PostgresStore::AcquireLease(const std::string& resource, const std::string& owner,
                                                int64_t ttl_ms, const std::string& steal_from) {
  return Call("acquire lease", [&]() REQUIRES(mu_) -> Result<LeaseRecord> {
    Params params;
    params.Add(resource);
    params.Add(owner);
    params.AddInt64(ttl_ms);
    params.Add(steal_from);
    REFINERY_ASSIGN_OR_RETURN(Rows rows, QueryLocked(Sql(LeaseSql::kAcquire), params,
                                                     "acquire lease [" + resource + "]"));
    if (rows.size() == 1) return ReadLease(RowView(rows, 0));
    Params key;
    key.Add(resource);
    REFINERY_ASSIGN_OR_RETURN(Rows holder, QueryLocked(Sql(LeaseSql::kHolder), key, "read lease [" + resource + "]"));
    return LeaseHeldError(resource, holder.size() == 1 ? ReadLease(RowView(holder, 0)) : LeaseRecord{});
  });
}

Status PostgresStore::ReleaseLease(const std::string& resource, const std::string& owner) {
  return Call("release lease", [&]() REQUIRES(mu_) {
    Params params;
    params.Add(resource);
    params.Add(owner);
    return ExecLocked(Sql(LeaseSql::kRelease), params, "release lease [" + resource + "]");
  });
}

Result<std::vector<std::string>> PostgresStore::RenewLeases(const std::string& owner, int64_t ttl_ms) {
  return Call("renew leases", [&]() REQUIRES(mu_) -> Result<std::vector<std::string>> {
    REFINERY_RETURN_IF_ERROR(db_->ExecSimple("BEGIN", "begin lease renewal"));
    RollbackGuard guard(db_.get());
    Params params;
    params.Add(owner);
    params.AddInt64(ttl_ms);
    REFINERY_ASSIGN_OR_RETURN(Rows rows, QueryLocked(Sql(LeaseSql::kRenew), params,
                                                     "renew leases of [" + owner + "]"));
    Params id;
    id.Add(owner);
    REFINERY_RETURN_IF_ERROR(ExecLocked(Sql(LeaseSql::kHeartbeat), id, "record the heartbeat of [" + owner + "]"));
    REFINERY_RETURN_IF_ERROR(db_->ExecSimple("COMMIT", "commit lease renewal"));
    return AllRows<std::string>(rows, [](const RowReader& row) { return row.ColumnText(0); });
  });
}

Status PostgresStore::RegisterProcess(const ProcessRecord& process) {
  return Call("register process", [&]() REQUIRES(mu_) {
    Params params;
    params.Add(process.id);
    params.Add(process.host);
    params.AddInt64(process.pid);
    params.Add(process.url);
    return ExecLocked(Sql(LeaseSql::kRegister), params, "register process [" + process.id + "]");
  });
}

Status PostgresStore::UnregisterProcess(const std::string& id) {
  return Call("unregister process", [&]() REQUIRES(mu_) -> Status {
    REFINERY_RETURN_IF_ERROR(db_->ExecSimple("BEGIN", "begin unregistering a process"));
    RollbackGuard guard(db_.get());
    Params params;
    params.Add(id);
    REFINERY_RETURN_IF_ERROR(ExecLocked(Sql(LeaseSql::kReleaseAll), params, "release the leases of [" + id + "]"));
    REFINERY_RETURN_IF_ERROR(ExecLocked(Sql(LeaseSql::kUnregister), params, "unregister process [" + id + "]"));
    return db_->ExecSimple("COMMIT", "commit unregistering a process");
  });
}

Result<std::vector<ProcessRecord>> PostgresStore::ListProcesses() {
  return Call("list processes", [&]() REQUIRES(mu_) -> Result<std::vector<ProcessRecord>> {
    REFINERY_ASSIGN_OR_RETURN(Rows rows, QueryLocked(Sql(LeaseSql::kListProcesses), {}, "list processes"));
    return AllRows<ProcessRecord>(rows, ReadProcess);
  });
}

Result<std::vector<LeaseRecord>> PostgresStore::ListLeases(const std::string& prefix) {
  return Call("list leases", [&]() REQUIRES(mu_) -> Result<std::vector<LeaseRecord>> {
    Params params;
    params.Add(prefix);
    REFINERY_ASSIGN_OR_RETURN(Rows rows, QueryLocked(Sql(LeaseSql::kListLeases), params, "list leases"));
    return AllRows<LeaseRecord>(rows, ReadLease);
  });
}

Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& url) {
  return NoThrow("open", [&]() -> Result<std::unique_ptr<Store>> {
    REFINERY_ASSIGN_OR_RETURN(std::unique_ptr<Connection> db, Connection::Open(url));
    REFINERY_RETURN_IF_ERROR(pg::MigrateSchema(*db));
    return std::unique_ptr<Store>(std::make_unique<PostgresStore>(std::move(db)));
  });
}

}  // namespace
}  // namespace refinery::store

// The plugin's entry point (see store/postgres_store.h).
extern "C" void refinery_open_pgstore(const std::string* url,
                                      refinery::Result<std::unique_ptr<refinery::store::Store>>* out) {
  *out = refinery::store::OpenPostgresStore(*url);
}
