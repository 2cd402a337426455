// SqliteStore: the Store interface over one SQLite connection in WAL mode.
// Layout and durability contract: doc/formats/state-store.md.

#include <algorithm>
#include <atomic>
#include <cctype>
#include <exception>
#include <limits>

#include <fmt/format.h>

#include "store/checkpointer.h"
#include "store/job_query.h"
#include "store/records.h"
#include "store/schema.h"
#include "store/sqlite_db.h"
#include "store/sqlite_leases.h"
#include "store/store.h"
#include "store/thread_annotations.h"

namespace refinery::store {
namespace {

using sqlite::Database;
using sqlite::ScopedReset;
using sqlite::Statement;

// WAL files beyond this are truncated after a checkpoint, so one burst of
// writes does not leave a large -wal file behind forever.
constexpr int64_t kJournalSizeLimitBytes = 64 << 20;
// WAL size (pages) at which the background checkpointer is asked to run;
// SQLite's own default for automatic checkpoints.
constexpr int kCheckpointPages = 1000;
// A writer that never pauses starves a background checkpoint: frames arrive
// while it copies, so the WAL never restarts and grows without bound. Past
// this size the committing thread runs a RESTART checkpoint itself (waiting
// for the background one), which bounds the WAL at about 16 MiB.
constexpr int kRestartCheckpointPages = 4000;

// Runs `fn`, turning any exception (bad_alloc, a bug) into a Status so none
// crosses the Store interface.
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

Result<std::string> SynchronousPragma(const std::string& value) {
  std::string lower = value;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  // OFF is not offered: it can lose acknowledged batches on a crash.
  if (lower == "normal" || lower == "full" || lower == "extra") return lower;
  return Status::InvalidArgument("state store option synchronous [" + value +
                                 "] is not valid; use one of: normal, full, extra");
}

// Rolls back a transaction still open when the scope ends — after an error
// return or an exception — so the connection is never left inside one. A
// committed transaction makes it a no-op.
class RollbackGuard {
 public:
  RollbackGuard(Database* db, Statement* rollback) : db_(db), rollback_(rollback) {}
  ~RollbackGuard() {
    // SQLite may already have rolled back (e.g. after SQLITE_FULL); a second
    // ROLLBACK would only add a "no transaction is active" error. The error
    // that caused the rollback is the one the caller reports.
    if (!db_->InTransaction()) return;
    ScopedReset reset(rollback_);
    (void)rollback_->Run("roll back");
  }
  RollbackGuard(const RollbackGuard&) = delete;
  RollbackGuard& operator=(const RollbackGuard&) = delete;

 private:
  Database* db_;
  Statement* rollback_;
};

// The prepared statements of one connection, made once at open: Apply runs
// several times per workflow action, and re-preparing would dominate it.
struct Statements {
  Statement begin_read;
  Statement begin_write;
  Statement commit;
  Statement rollback;
  Statement upsert_job;
  Statement upsert_action;
  Statement insert_log;
  Statement get_job;
  Statement job_exists;
  Statement get_action;
  Statement list_actions;
  Statement unfinished_ids;
  Statement read_log;
  Statement get_meta;
  Statement put_meta;
  Statement insert_notification;
  Statement due_notifications;
  Statement delete_notification;
  Statement update_notification;
  Statement next_notification;
  Statement count_notifications;
  Statement upsert_coordinator_job;
  Statement upsert_coordinator_action;
  Statement get_coordinator_job;
  Statement get_coordinator_action;
  Statement list_coordinator_actions;
  Statement upsert_bundle_job;
  Statement get_bundle_job;
  Statement list_bundle_coordinators;
  Statement insert_sla_event;
  Statement list_sla_events;
};

Result<Statements> PrepareStatements(Database& db) {
  Statements s;
  // Compiled on first use: a CLI run needs a handful of these ~45.
  auto prepare = [&db](Statement* out, const std::string& sql) -> Status {
    *out = db.PrepareLazily(sql);
    return Status::Ok();
  };
  const std::string jobs = "SELECT " + JobColumnList() + " FROM workflow_jobs";
  const std::string actions = "SELECT " + ActionColumnList() + " FROM workflow_actions";
  REFINERY_RETURN_IF_ERROR(prepare(&s.begin_read, "BEGIN DEFERRED"));
  // IMMEDIATE takes the write lock up front; a deferred transaction that
  // upgrades later can fail with BUSY without waiting for the busy timeout.
  REFINERY_RETURN_IF_ERROR(prepare(&s.begin_write, "BEGIN IMMEDIATE"));
  REFINERY_RETURN_IF_ERROR(prepare(&s.commit, "COMMIT"));
  REFINERY_RETURN_IF_ERROR(prepare(&s.rollback, "ROLLBACK"));
  REFINERY_RETURN_IF_ERROR(prepare(&s.upsert_job, JobUpsertSql()));
  REFINERY_RETURN_IF_ERROR(prepare(&s.upsert_action, ActionUpsertSql()));
  // seq numbers a job's lines 1, 2, ...; the lookup is a seek to the end of
  // the job's key range. One b-tree (no rowid plus index) keeps each batch to
  // fewer page writes.
  REFINERY_RETURN_IF_ERROR(prepare(&s.insert_log,
                                   "INSERT INTO workflow_job_log (job_id, seq, line) VALUES (?1, "
                                   "(SELECT ifnull(max(seq), 0) + 1 FROM workflow_job_log WHERE job_id = ?1), ?2)"));
  REFINERY_RETURN_IF_ERROR(prepare(&s.get_job, jobs + " WHERE id = ?1"));
  REFINERY_RETURN_IF_ERROR(prepare(&s.job_exists, "SELECT 1 FROM workflow_jobs WHERE id = ?1"));
  REFINERY_RETURN_IF_ERROR(prepare(&s.get_action, actions + " WHERE id = ?1"));
  REFINERY_RETURN_IF_ERROR(prepare(&s.list_actions, actions + " WHERE job_id = ?1 ORDER BY start_ms, seq"));
  REFINERY_RETURN_IF_ERROR(prepare(&s.unfinished_ids,
                                   "SELECT id FROM workflow_jobs WHERE status IN ('PREP', 'RUNNING', 'SUSPENDED') "
                                   "ORDER BY created_ms, id"));
  REFINERY_RETURN_IF_ERROR(
      prepare(&s.read_log, "SELECT line FROM workflow_job_log WHERE job_id = ?1 ORDER BY seq"));
  REFINERY_RETURN_IF_ERROR(prepare(&s.get_meta, "SELECT value FROM meta WHERE key = ?1"));
  REFINERY_RETURN_IF_ERROR(prepare(&s.put_meta,
                                   "INSERT INTO meta (key, value) VALUES (?1, ?2) "
                                   "ON CONFLICT(key) DO UPDATE SET value = excluded.value"));
  const std::string outbox = std::string("SELECT ") + kOutboxColumns + " FROM notification_outbox";
  REFINERY_RETURN_IF_ERROR(prepare(&s.insert_notification,
                                   "INSERT INTO notification_outbox (url, subject_id, status, attempts, "
                                   "next_attempt_ms, created_ms, last_error, method, body) "
                                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"));
  REFINERY_RETURN_IF_ERROR(prepare(&s.due_notifications, outbox + " WHERE status = 'PENDING' AND next_attempt_ms <= ?1 "
                                                                   "ORDER BY next_attempt_ms, id LIMIT ?2"));
  REFINERY_RETURN_IF_ERROR(prepare(&s.delete_notification, "DELETE FROM notification_outbox WHERE id = ?1"));
  REFINERY_RETURN_IF_ERROR(prepare(&s.update_notification,
                                   "UPDATE notification_outbox SET status = ?2, attempts = ?3, next_attempt_ms = ?4, "
                                   "last_error = ?5 WHERE id = ?1"));
  REFINERY_RETURN_IF_ERROR(prepare(&s.next_notification,
                                   "SELECT min(next_attempt_ms) FROM notification_outbox WHERE status = 'PENDING'"));
  REFINERY_RETURN_IF_ERROR(prepare(&s.count_notifications, "SELECT count(*) FROM notification_outbox WHERE status = ?1"));
  const std::string coordinator_actions =
      "SELECT " + CoordinatorActionColumnList() + " FROM coordinator_actions";
  REFINERY_RETURN_IF_ERROR(prepare(&s.upsert_coordinator_job, CoordinatorJobUpsertSql()));
  REFINERY_RETURN_IF_ERROR(prepare(&s.upsert_coordinator_action, CoordinatorActionUpsertSql()));
  REFINERY_RETURN_IF_ERROR(prepare(&s.get_coordinator_job,
                                   "SELECT " + CoordinatorJobColumnList() + " FROM coordinator_jobs WHERE id = ?1"));
  REFINERY_RETURN_IF_ERROR(prepare(&s.get_coordinator_action, coordinator_actions + " WHERE id = ?1"));
  REFINERY_RETURN_IF_ERROR(
      prepare(&s.list_coordinator_actions, coordinator_actions + " WHERE job_id = ?1 ORDER BY action_number"));
  REFINERY_RETURN_IF_ERROR(prepare(&s.upsert_bundle_job, BundleJobUpsertSql()));
  REFINERY_RETURN_IF_ERROR(
      prepare(&s.get_bundle_job, "SELECT " + BundleJobColumnList() + " FROM bundle_jobs WHERE id = ?1"));
  REFINERY_RETURN_IF_ERROR(prepare(&s.list_bundle_coordinators, "SELECT " + CoordinatorJobColumnList() +
                                                                    " FROM coordinator_jobs WHERE bundle_id = ?1 "
                                                                    "ORDER BY created_ms, id"));
  REFINERY_RETURN_IF_ERROR(prepare(&s.insert_sla_event,
                                   "INSERT OR IGNORE INTO sla_events (subject_id, event, job_id, app_type, app_name, "
                                   "nominal_ms, expected_ms, actual_ms, created_ms, detail) "
                                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) RETURNING 1"));
  REFINERY_RETURN_IF_ERROR(prepare(&s.list_sla_events,
                                   std::string("SELECT ") + kSlaColumns + " FROM sla_events WHERE job_id = ?1 "
                                   "ORDER BY created_ms, subject_id, event"));
  return s;
}

// Brings a freshly opened connection to the state every method assumes:
// identity checked, WAL, durability and foreign keys set, schema current.
Status ConfigureConnection(Database& db, const SqliteOptions& options) {
  REFINERY_ASSIGN_OR_RETURN(std::string synchronous, SynchronousPragma(options.synchronous));
  REFINERY_RETURN_IF_ERROR(db.SetBusyTimeout(std::max(0, options.busy_timeout_ms)));
  // Before anything writes: a foreign file must be left exactly as found.
  REFINERY_RETURN_IF_ERROR(CheckStoreIdentity(db));
  REFINERY_ASSIGN_OR_RETURN(std::string mode, db.QueryText("PRAGMA journal_mode = WAL", "switch to WAL"));
  if (mode != "wal") {
    return Status::IoError("state store \"" + db.path() + "\": switch to WAL: journal mode stayed [" + mode +
                           "]; put the data home on a local file system");
  }
  REFINERY_RETURN_IF_ERROR(db.Exec(fmt::format("PRAGMA synchronous = {}; PRAGMA foreign_keys = ON; "
                                               "PRAGMA journal_size_limit = {};",
                                               synchronous, kJournalSizeLimitBytes),
                                   "set pragmas"));
  return MigrateSchema(db);
}

Result<std::unique_ptr<Checkpointer>> StartCheckpointer(const std::string& path, const SqliteOptions& options) {
  REFINERY_ASSIGN_OR_RETURN(Database db, Database::Open(path));
  REFINERY_ASSIGN_OR_RETURN(std::string synchronous, SynchronousPragma(options.synchronous));
  // The checkpoint's fsyncs follow the same durability setting as commits.
  REFINERY_RETURN_IF_ERROR(db.Exec("PRAGMA synchronous = " + synchronous, "set checkpointer pragmas"));
  return std::make_unique<Checkpointer>(std::move(db));
}

class SqliteStore final : public Store {
 public:
  SqliteStore(Database db, Statements statements, std::unique_ptr<Checkpointer> checkpointer)
      : db_(std::move(db)), stmts_(std::move(statements)), checkpointer_(std::move(checkpointer)) {
    db_.SetWalHook([this](int wal_pages) { OnWalCommit(wal_pages); });
  }
  ~SqliteStore() override { db_.SetWalHook(nullptr); }

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
                                   const std::string& steal_from) override EXCLUDES(mu_) {
    return Locked("acquire lease",
                  [&]() REQUIRES(mu_) { return leases_.Acquire(resource, owner, ttl_ms, steal_from); });
  }
  Status ReleaseLease(const std::string& resource, const std::string& owner) override EXCLUDES(mu_) {
    return Locked("release lease", [&]() REQUIRES(mu_) { return leases_.Release(resource, owner); });
  }
  Result<std::vector<std::string>> RenewLeases(const std::string& owner, int64_t ttl_ms) override EXCLUDES(mu_) {
    return Locked("renew leases", [&]() REQUIRES(mu_) { return leases_.Renew(owner, ttl_ms); });
  }
  Status RegisterProcess(const ProcessRecord& process) override EXCLUDES(mu_) {
    return Locked("register process", [&]() REQUIRES(mu_) { return leases_.Register(process); });
  }
  Status UnregisterProcess(const std::string& id) override EXCLUDES(mu_) {
    return Locked("unregister process", [&]() REQUIRES(mu_) { return leases_.Unregister(id); });
  }
  Result<std::vector<ProcessRecord>> ListProcesses() override EXCLUDES(mu_) {
    return Locked("list processes", [&]() REQUIRES(mu_) { return leases_.ListProcesses(); });
  }
  Result<std::vector<LeaseRecord>> ListLeases(const std::string& prefix) override EXCLUDES(mu_) {
    return Locked("list leases", [&]() REQUIRES(mu_) { return leases_.ListLeases(prefix); });
  }

 private:
  template <typename Fn>
  auto Locked(const char* what, Fn&& fn) -> decltype(fn()) EXCLUDES(mu_) {
    return NoThrow(what, [&]() -> decltype(fn()) {
      MutexLock lock(&mu_);
      return fn();
    });
  }
  Status CheckModelGuardLocked(const WriteBatch& batch) REQUIRES(mu_);
  Status WriteModelsLocked(const WriteBatch& batch) REQUIRES(mu_);
  Status ApplyLocked(const WriteBatch& batch) REQUIRES(mu_);
  Status WriteBatchLocked(const WriteBatch& batch) REQUIRES(mu_);
  Status QueueNotificationLocked(const NotificationRecord& notification) REQUIRES(mu_);
  Status CopyNotificationLocked(const NotificationRecord& notification) REQUIRES(mu_);
  Status WriteSlaEventsLocked(const WriteBatch& batch) REQUIRES(mu_);
  Result<JobPage> ListJobsLocked(const WhereClause& where, int offset, int len) REQUIRES(mu_);
  Result<int> CountJobsLocked(const WhereClause& where) REQUIRES(mu_);
  Result<bool> JobExistsLocked(const std::string& id) REQUIRES(mu_);
  // Runs a cached statement that returns no rows (BEGIN, COMMIT, ...).
  Status RunLocked(Statement& stmt, std::string_view what) REQUIRES(mu_);
  // Runs inside every COMMIT on db_ (so under mu_), on the committing thread.
  void OnWalCommit(int wal_pages);

  // One connection serves every thread; mu_ serialises all use of it
  // (SQLite itself is opened NOMUTEX). Declared before stmts_ so statements
  // are finalised before the connection closes.
  Mutex mu_;
  Database db_ GUARDED_BY(mu_);
  Statements stmts_ GUARDED_BY(mu_);
  sqlite::LeaseTable leases_ GUARDED_BY(mu_){&db_};
  std::atomic<int> wal_pages_{0};  // WAL size after the last commit
  // Destroyed first: its connection closes before db_, so db_ is the last
  // connection and its close checkpoints and removes the -wal file.
  const std::unique_ptr<Checkpointer> checkpointer_;
};

// ---- writes ----

Status SqliteStore::Apply(const WriteBatch& batch) {
  return NoThrow("apply batch", [&]() -> Status {
    if (batch.jobs.empty() && batch.actions.empty() && batch.log_lines.empty() && batch.notifications.empty() &&
        batch.coordinator_jobs.empty() && batch.coordinator_actions.empty() &&
        batch.deleted_coordinator_actions.empty() && batch.model_versions.empty() &&
        batch.model_events.empty() && batch.sla_events.empty() && batch.bundle_jobs.empty()) {
      return Status::Ok();
    }
    MutexLock lock(&mu_);
    return ApplyLocked(batch);
  });
}

Status SqliteStore::ApplyLocked(const WriteBatch& batch) {
  REFINERY_RETURN_IF_ERROR(RunLocked(stmts_.begin_write, "begin batch"));
  {
    RollbackGuard guard(&db_, &stmts_.rollback);
    REFINERY_RETURN_IF_ERROR(leases_.CheckFences(batch.fences));
    REFINERY_RETURN_IF_ERROR(leases_.CheckCoordinatorGuard(batch));
    REFINERY_RETURN_IF_ERROR(CheckModelGuardLocked(batch));
    REFINERY_RETURN_IF_ERROR(WriteBatchLocked(batch));
    REFINERY_RETURN_IF_ERROR(WriteModelsLocked(batch));
    REFINERY_RETURN_IF_ERROR(WriteSlaEventsLocked(batch));
    const Status status = RunLocked(stmts_.commit, "commit batch");
    // Foreign keys are checked at COMMIT (deferred), so rows in a batch may
    // come in any order; a failure here means a dangling job id.
    if (status.code() == StatusCode::kInvalidArgument) {
      return Status::InvalidArgument(status.message() +
                                     " (an action or log line names a job that is neither stored nor in the batch)");
    }
    REFINERY_RETURN_IF_ERROR(status);
  }
  if (wal_pages_.load(std::memory_order_relaxed) >= kRestartCheckpointPages) {
    // Best effort: the batch is committed either way, and a reader that holds
    // an old snapshot only postpones the restart to a later batch.
    (void)checkpointer_->RestartOn(db_);
  }
  return Status::Ok();
}

void SqliteStore::OnWalCommit(int wal_pages) {
  wal_pages_.store(wal_pages, std::memory_order_relaxed);
  if (wal_pages >= kCheckpointPages) checkpointer_->Request();
}

Status SqliteStore::WriteBatchLocked(const WriteBatch& batch) {
  for (const WorkflowJobRecord& job : batch.jobs) {
    ScopedReset reset(&stmts_.upsert_job);
    BindJob(stmts_.upsert_job, job);
    REFINERY_RETURN_IF_ERROR(stmts_.upsert_job.Run("write job [" + job.id + "]"));
  }
  for (const WorkflowActionRecord& action : batch.actions) {
    ScopedReset reset(&stmts_.upsert_action);
    BindAction(stmts_.upsert_action, action);
    REFINERY_RETURN_IF_ERROR(stmts_.upsert_action.Run("write action [" + action.id + "]"));
  }
  for (const auto& [job_id, line] : batch.log_lines) {
    ScopedReset reset(&stmts_.insert_log);
    stmts_.insert_log.BindText(1, job_id);
    stmts_.insert_log.BindText(2, line);
    REFINERY_RETURN_IF_ERROR(stmts_.insert_log.Run("append log line of job [" + job_id + "]"));
  }
  for (const BundleJobRecord& job : batch.bundle_jobs) {
    ScopedReset reset(&stmts_.upsert_bundle_job);
    BindBundleJob(stmts_.upsert_bundle_job, job);
    REFINERY_RETURN_IF_ERROR(stmts_.upsert_bundle_job.Run("write bundle job [" + job.id + "]"));
  }
  for (const CoordinatorJobRecord& job : batch.coordinator_jobs) {
    ScopedReset reset(&stmts_.upsert_coordinator_job);
    BindCoordinatorJob(stmts_.upsert_coordinator_job, job);
    REFINERY_RETURN_IF_ERROR(stmts_.upsert_coordinator_job.Run("write coordinator job [" + job.id + "]"));
  }
  for (const CoordinatorActionRecord& action : batch.coordinator_actions) {
    ScopedReset reset(&stmts_.upsert_coordinator_action);
    BindCoordinatorAction(stmts_.upsert_coordinator_action, action);
    REFINERY_RETURN_IF_ERROR(stmts_.upsert_coordinator_action.Run("write coordinator action [" + action.id + "]"));
  }
  for (const std::string& id : batch.deleted_coordinator_actions) {
    REFINERY_ASSIGN_OR_RETURN(Statement erase, db_.Prepare("DELETE FROM coordinator_actions WHERE id = ?1",
                                                           "prepare coordinator action delete"));
    erase.BindText(1, id);
    REFINERY_RETURN_IF_ERROR(erase.Run("delete coordinator action [" + id + "]"));
  }
  for (const NotificationRecord& notification : batch.notifications) {
    REFINERY_RETURN_IF_ERROR(batch.keep_ids ? CopyNotificationLocked(notification)
                                            : QueueNotificationLocked(notification));
  }
  return Status::Ok();
}

// A notification copied from another store, with its id (WriteBatch::keep_ids).
Status SqliteStore::CopyNotificationLocked(const NotificationRecord& notification) {
  REFINERY_ASSIGN_OR_RETURN(Statement stmt,
                            db_.Prepare("INSERT INTO notification_outbox (id, url, subject_id, status, attempts, "
                                        "next_attempt_ms, created_ms, last_error, method, body) "
                                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                                        "prepare notification copy"));
  stmt.BindInt64(1, notification.id);
  stmt.BindText(2, notification.url);
  stmt.BindText(3, notification.subject_id);
  stmt.BindText(4, notification.status);
  stmt.BindInt64(5, notification.attempts);
  stmt.BindInt64(6, notification.next_attempt_ms);
  stmt.BindInt64(7, notification.created_ms);
  stmt.BindText(8, notification.last_error);
  stmt.BindText(9, notification.method);
  stmt.BindText(10, notification.body);
  return stmt.Run("copy notification " + std::to_string(notification.id) + " of [" + notification.subject_id + "]");
}

Status SqliteStore::QueueNotificationLocked(const NotificationRecord& notification) {
  Statement& stmt = stmts_.insert_notification;
  ScopedReset reset(&stmt);
  stmt.BindText(1, notification.url);
  stmt.BindText(2, notification.subject_id);
  stmt.BindText(3, notification.status);
  stmt.BindInt64(4, notification.attempts);
  stmt.BindInt64(5, notification.next_attempt_ms);
  stmt.BindInt64(6, notification.created_ms);
  stmt.BindText(7, notification.last_error);
  stmt.BindText(8, notification.method);
  stmt.BindText(9, notification.body);
  return stmt.Run("queue notification of [" + notification.subject_id + "]");
}

// An event already recorded (RETURNING gives no row) is a repeat: its alerts
// and log line were queued when it was first recorded.
Status SqliteStore::WriteSlaEventsLocked(const WriteBatch& batch) {
  for (const SlaEventRecord& event : batch.sla_events) {
    bool inserted = false;
    {
      Statement& stmt = stmts_.insert_sla_event;
      ScopedReset reset(&stmt);
      stmt.BindText(1, event.subject_id);
      stmt.BindText(2, event.event);
      stmt.BindText(3, event.job_id);
      stmt.BindText(4, event.app_type);
      stmt.BindText(5, event.app_name);
      stmt.BindInt64(6, event.nominal_ms);
      stmt.BindInt64(7, event.expected_ms);
      stmt.BindInt64(8, event.actual_ms);
      stmt.BindInt64(9, event.created_ms);
      stmt.BindText(10, event.detail);
      const std::string what = "record SLA " + event.event + " of [" + event.subject_id + "]";
      REFINERY_ASSIGN_OR_RETURN(inserted, stmt.Step(what));
      if (inserted) REFINERY_RETURN_IF_ERROR(stmt.Run(what));
    }
    if (!inserted || batch.keep_ids) continue;
    for (const NotificationRecord& alert : event.alerts) REFINERY_RETURN_IF_ERROR(QueueNotificationLocked(alert));
    if (!event.detail.empty() && !event.job_id.empty()) {
      ScopedReset reset(&stmts_.insert_log);
      stmts_.insert_log.BindText(1, event.job_id);
      stmts_.insert_log.BindText(2, event.detail);
      REFINERY_RETURN_IF_ERROR(stmts_.insert_log.Run("append log line of job [" + event.job_id + "]"));
    }
  }
  return Status::Ok();
}

Result<std::vector<SlaEventRecord>> SqliteStore::ListSlaEvents(const std::string& job_id) {
  return NoThrow("list SLA events", [&]() -> Result<std::vector<SlaEventRecord>> {
    MutexLock lock(&mu_);
    Statement& stmt = stmts_.list_sla_events;
    ScopedReset reset(&stmt);
    stmt.BindText(1, job_id);
    std::vector<SlaEventRecord> events;
    while (true) {
      REFINERY_ASSIGN_OR_RETURN(bool row, stmt.Step("list SLA events of job [" + job_id + "]"));
      if (!row) break;
      events.push_back(ReadSlaEvent(stmt));
    }
    return events;
  });
}

// ---- the model registry ----

Status SqliteStore::CheckModelGuardLocked(const WriteBatch& batch) {
  if (batch.guarded_model.empty()) return Status::Ok();
  REFINERY_ASSIGN_OR_RETURN(Statement stmt, db_.Prepare("SELECT ifnull(max(id), 0) FROM model_events WHERE model = ?1",
                                                        "read the model's last event"));
  stmt.BindText(1, batch.guarded_model);
  REFINERY_ASSIGN_OR_RETURN(bool row, stmt.Step("read the last event of model [" + batch.guarded_model + "]"));
  const int64_t last = row ? stmt.ColumnInt64(0) : 0;
  if (last == batch.last_model_event_id) return Status::Ok();
  return Status::FailedPrecondition("model [" + batch.guarded_model +
                                        "] changed while this change was prepared (another promote, rollback or "
                                        "registration); read it again and retry",
                                    kStoreConflictCode);
}

Status SqliteStore::WriteModelsLocked(const WriteBatch& batch) {
  if (batch.model_versions.empty() && batch.model_events.empty()) return Status::Ok();
  REFINERY_ASSIGN_OR_RETURN(
      Statement upsert,
      db_.Prepare(std::string("INSERT OR REPLACE INTO model_versions (") + kModelVersionColumns +
                      ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                  "prepare model version write"));
  for (const ModelVersionRecord& record : batch.model_versions) {
    // Bound without copying: the texts must outlive Run().
    const std::string metrics = record.metrics.empty() ? "{}" : record.metrics;
    const std::string lineage = record.lineage.empty() ? "{}" : record.lineage;
    ScopedReset reset(&upsert);
    upsert.BindText(1, record.model);
    upsert.BindInt64(2, record.version);
    upsert.BindText(3, record.bundle_uri);
    upsert.BindText(4, record.stage);
    upsert.BindText(5, metrics);
    upsert.BindText(6, lineage);
    upsert.BindText(7, record.registered_by);
    upsert.BindInt64(8, record.created_ms);
    upsert.BindInt64(9, record.stage_changed_ms);
    REFINERY_RETURN_IF_ERROR(
        upsert.Run("write model version [" + record.model + " v" + std::to_string(record.version) + "]"));
  }
  REFINERY_ASSIGN_OR_RETURN(Statement insert,
                            db_.Prepare("INSERT INTO model_events (model, version, previous_version, kind, actor, "
                                        "reason, created_ms, id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                                        "prepare model event write"));
  for (const ModelEventRecord& event : batch.model_events) {
    ScopedReset reset(&insert);
    // NULL lets SQLite assign the next id; a copy keeps the source's.
    if (batch.keep_ids) insert.BindInt64(8, event.id);
    insert.BindText(1, event.model);
    insert.BindInt64(2, event.version);
    insert.BindInt64(3, event.previous_version);
    insert.BindText(4, event.kind);
    insert.BindText(5, event.actor);
    insert.BindText(6, event.reason);
    insert.BindInt64(7, event.created_ms);
    REFINERY_RETURN_IF_ERROR(insert.Run("append an event of model [" + event.model + "]"));
  }
  return Status::Ok();
}

Result<std::vector<ModelVersionRecord>> SqliteStore::ListModelVersions(const std::string& model) {
  return NoThrow("list model versions", [&]() -> Result<std::vector<ModelVersionRecord>> {
    MutexLock lock(&mu_);
    REFINERY_ASSIGN_OR_RETURN(Statement stmt,
                              db_.Prepare(std::string("SELECT ") + kModelVersionColumns +
                                              " FROM model_versions WHERE ?1 = '' OR model = ?1 ORDER BY model, version",
                                          "list model versions"));
    stmt.BindText(1, model);
    std::vector<ModelVersionRecord> versions;
    while (true) {
      REFINERY_ASSIGN_OR_RETURN(bool row, stmt.Step("list model versions"));
      if (!row) break;
      versions.push_back(ReadModelVersion(stmt));
    }
    return versions;
  });
}

Result<std::vector<ModelEventRecord>> SqliteStore::ListModelEvents(const std::string& model, int limit) {
  return NoThrow("list model events", [&]() -> Result<std::vector<ModelEventRecord>> {
    MutexLock lock(&mu_);
    REFINERY_ASSIGN_OR_RETURN(Statement stmt,
                              db_.Prepare(std::string("SELECT ") + kModelEventColumns +
                                              " FROM model_events WHERE ?1 = '' OR model = ?1 ORDER BY id DESC LIMIT ?2",
                                          "list model events"));
    stmt.BindText(1, model);
    stmt.BindInt64(2, limit);
    std::vector<ModelEventRecord> events;
    while (true) {
      REFINERY_ASSIGN_OR_RETURN(bool row, stmt.Step("list model events"));
      if (!row) break;
      events.push_back(ReadModelEvent(stmt));
    }
    return events;
  });
}

Result<int64_t> SqliteStore::LastModelEventId() {
  return NoThrow("read the last model event", [&]() -> Result<int64_t> {
    MutexLock lock(&mu_);
    return db_.QueryInt("SELECT ifnull(max(id), 0) FROM model_events", "read the last model event");
  });
}

// ---- coordinators ----

Result<CoordinatorJobRecord> SqliteStore::GetCoordinatorJob(const std::string& id) {
  return NoThrow("read coordinator job", [&]() -> Result<CoordinatorJobRecord> {
    MutexLock lock(&mu_);
    Statement& stmt = stmts_.get_coordinator_job;
    ScopedReset reset(&stmt);
    stmt.BindText(1, id);
    REFINERY_ASSIGN_OR_RETURN(bool found, stmt.Step("read coordinator job [" + id + "]"));
    if (!found) return Status::NotFound("Job does not exist [" + id + "]", "E0604");
    return ReadCoordinatorJob(stmt);
  });
}

Result<CoordinatorActionRecord> SqliteStore::GetCoordinatorAction(const std::string& id) {
  return NoThrow("read coordinator action", [&]() -> Result<CoordinatorActionRecord> {
    MutexLock lock(&mu_);
    Statement& stmt = stmts_.get_coordinator_action;
    ScopedReset reset(&stmt);
    stmt.BindText(1, id);
    REFINERY_ASSIGN_OR_RETURN(bool found, stmt.Step("read coordinator action [" + id + "]"));
    if (!found) return Status::NotFound("Action does not exist [" + id + "]", "E0605");
    return ReadCoordinatorAction(stmt);
  });
}

Result<std::vector<CoordinatorActionRecord>> SqliteStore::ListCoordinatorActions(const std::string& job_id) {
  return NoThrow("list coordinator actions", [&]() -> Result<std::vector<CoordinatorActionRecord>> {
    MutexLock lock(&mu_);
    Statement& stmt = stmts_.list_coordinator_actions;
    ScopedReset reset(&stmt);
    stmt.BindText(1, job_id);
    std::vector<CoordinatorActionRecord> actions;
    while (true) {
      REFINERY_ASSIGN_OR_RETURN(bool row, stmt.Step("list coordinator actions of [" + job_id + "]"));
      if (!row) break;
      actions.push_back(ReadCoordinatorAction(stmt));
    }
    return actions;
  });
}

Result<CoordinatorJobPage> SqliteStore::ListCoordinatorJobs(const std::vector<std::string>& statuses, int offset,
                                                            int len) {
  return NoThrow("list coordinator jobs", [&]() -> Result<CoordinatorJobPage> {
    if (offset < 0 || len < 0) return Status::InvalidArgument("offset and len must not be negative", "E0303");
    std::string where;
    for (size_t i = 0; i < statuses.size(); ++i) where += (i == 0 ? " WHERE status IN (?" : ", ?") + std::to_string(i + 1);
    if (!statuses.empty()) where += ")";
    MutexLock lock(&mu_);
    CoordinatorJobPage page;
    REFINERY_ASSIGN_OR_RETURN(Statement count, db_.Prepare("SELECT count(*) FROM coordinator_jobs" + where,
                                                           "count coordinator jobs"));
    for (size_t i = 0; i < statuses.size(); ++i) count.BindText(static_cast<int>(i + 1), statuses[i]);
    REFINERY_ASSIGN_OR_RETURN(bool counted, count.Step("count coordinator jobs"));
    page.total = counted ? static_cast<int>(count.ColumnInt64(0)) : 0;
    if (len == 0) return page;
    const int first_limit = static_cast<int>(statuses.size()) + 1;
    REFINERY_ASSIGN_OR_RETURN(
        Statement stmt,
        db_.Prepare("SELECT " + CoordinatorJobColumnList() + " FROM coordinator_jobs" + where +
                        " ORDER BY created_ms DESC, id DESC LIMIT ?" + std::to_string(first_limit) + " OFFSET ?" +
                        std::to_string(first_limit + 1),
                    "list coordinator jobs"));
    for (size_t i = 0; i < statuses.size(); ++i) stmt.BindText(static_cast<int>(i + 1), statuses[i]);
    stmt.BindInt64(first_limit, len);
    stmt.BindInt64(first_limit + 1, offset);
    while (true) {
      REFINERY_ASSIGN_OR_RETURN(bool row, stmt.Step("list coordinator jobs"));
      if (!row) break;
      page.jobs.push_back(ReadCoordinatorJob(stmt));
    }
    return page;
  });
}

// ---- bundles ----

Result<BundleJobRecord> SqliteStore::GetBundleJob(const std::string& id) {
  return NoThrow("read bundle job", [&]() -> Result<BundleJobRecord> {
    MutexLock lock(&mu_);
    Statement& stmt = stmts_.get_bundle_job;
    ScopedReset reset(&stmt);
    stmt.BindText(1, id);
    REFINERY_ASSIGN_OR_RETURN(bool found, stmt.Step("read bundle job [" + id + "]"));
    if (!found) return Status::NotFound("Job does not exist [" + id + "]", "E0604");
    return ReadBundleJob(stmt);
  });
}

Result<std::vector<CoordinatorJobRecord>> SqliteStore::ListBundleCoordinatorJobs(const std::string& bundle_id) {
  return NoThrow("list the coordinators of a bundle", [&]() -> Result<std::vector<CoordinatorJobRecord>> {
    MutexLock lock(&mu_);
    Statement& stmt = stmts_.list_bundle_coordinators;
    ScopedReset reset(&stmt);
    stmt.BindText(1, bundle_id);
    std::vector<CoordinatorJobRecord> jobs;
    while (true) {
      REFINERY_ASSIGN_OR_RETURN(bool row, stmt.Step("list the coordinators of bundle [" + bundle_id + "]"));
      if (!row) break;
      jobs.push_back(ReadCoordinatorJob(stmt));
    }
    return jobs;
  });
}

Result<BundleJobPage> SqliteStore::ListBundleJobs(const std::vector<std::string>& statuses, int offset, int len) {
  return NoThrow("list bundle jobs", [&]() -> Result<BundleJobPage> {
    if (offset < 0 || len < 0) return Status::InvalidArgument("offset and len must not be negative", "E0303");
    std::string where;
    for (size_t i = 0; i < statuses.size(); ++i) where += (i == 0 ? " WHERE status IN (?" : ", ?") + std::to_string(i + 1);
    if (!statuses.empty()) where += ")";
    MutexLock lock(&mu_);
    BundleJobPage page;
    REFINERY_ASSIGN_OR_RETURN(Statement count,
                              db_.Prepare("SELECT count(*) FROM bundle_jobs" + where, "count bundle jobs"));
    for (size_t i = 0; i < statuses.size(); ++i) count.BindText(static_cast<int>(i + 1), statuses[i]);
    REFINERY_ASSIGN_OR_RETURN(bool counted, count.Step("count bundle jobs"));
    page.total = counted ? static_cast<int>(count.ColumnInt64(0)) : 0;
    if (len == 0) return page;
    const int first_limit = static_cast<int>(statuses.size()) + 1;
    REFINERY_ASSIGN_OR_RETURN(
        Statement stmt,
        db_.Prepare("SELECT " + BundleJobColumnList() + " FROM bundle_jobs" + where +
                        " ORDER BY created_ms DESC, id DESC LIMIT ?" + std::to_string(first_limit) + " OFFSET ?" +
                        std::to_string(first_limit + 1),
                    "list bundle jobs"));
    for (size_t i = 0; i < statuses.size(); ++i) stmt.BindText(static_cast<int>(i + 1), statuses[i]);
    stmt.BindInt64(first_limit, len);
    stmt.BindInt64(first_limit + 1, offset);
    while (true) {
      REFINERY_ASSIGN_OR_RETURN(bool row, stmt.Step("list bundle jobs"));
      if (!row) break;
      page.jobs.push_back(ReadBundleJob(stmt));
    }
    return page;
  });
}

// ---- the notification outbox ----

Result<std::vector<NotificationRecord>> SqliteStore::ListDueNotifications(int64_t now_ms, int limit) {
  return NoThrow("list due notifications", [&]() -> Result<std::vector<NotificationRecord>> {
    MutexLock lock(&mu_);
    Statement& stmt = stmts_.due_notifications;
    ScopedReset reset(&stmt);
    stmt.BindInt64(1, now_ms);
    stmt.BindInt64(2, limit);
    std::vector<NotificationRecord> due;
    while (true) {
      REFINERY_ASSIGN_OR_RETURN(bool row, stmt.Step("list due notifications"));
      if (!row) break;
      due.push_back(ReadNotification(stmt));
    }
    return due;
  });
}

Result<std::vector<NotificationRecord>> SqliteStore::ListNotifications(int64_t after_id, int limit) {
  return NoThrow("list notifications", [&]() -> Result<std::vector<NotificationRecord>> {
    MutexLock lock(&mu_);
    REFINERY_ASSIGN_OR_RETURN(
        Statement stmt,
        db_.Prepare(std::string("SELECT ") + kOutboxColumns +
                        " FROM notification_outbox WHERE id > ?1 ORDER BY id LIMIT ?2",
                    "list notifications"));
    stmt.BindInt64(1, after_id);
    stmt.BindInt64(2, limit);
    std::vector<NotificationRecord> out;
    while (true) {
      REFINERY_ASSIGN_OR_RETURN(bool row, stmt.Step("list notifications"));
      if (!row) break;
      out.push_back(ReadNotification(stmt));
    }
    return out;
  });
}

Status SqliteStore::DeleteNotification(int64_t id) {
  return NoThrow("delete notification", [&]() -> Status {
    MutexLock lock(&mu_);
    ScopedReset reset(&stmts_.delete_notification);
    stmts_.delete_notification.BindInt64(1, id);
    return stmts_.delete_notification.Run("delete notification");
  });
}

Status SqliteStore::UpdateNotification(const NotificationRecord& record) {
  return NoThrow("update notification", [&]() -> Status {
    MutexLock lock(&mu_);
    Statement& stmt = stmts_.update_notification;
    ScopedReset reset(&stmt);
    stmt.BindInt64(1, record.id);
    stmt.BindText(2, record.status);
    stmt.BindInt64(3, record.attempts);
    stmt.BindInt64(4, record.next_attempt_ms);
    stmt.BindText(5, record.last_error);
    return stmt.Run("update notification");
  });
}

Result<std::optional<int64_t>> SqliteStore::NextNotificationTime() {
  return NoThrow("read next notification time", [&]() -> Result<std::optional<int64_t>> {
    MutexLock lock(&mu_);
    Statement& stmt = stmts_.next_notification;
    ScopedReset reset(&stmt);
    REFINERY_ASSIGN_OR_RETURN(bool row, stmt.Step("read next notification time"));
    if (!row || stmt.ColumnText(0).empty()) return std::optional<int64_t>();
    return std::optional<int64_t>(stmt.ColumnInt64(0));
  });
}

Result<int64_t> SqliteStore::CountNotifications(const std::string& status) {
  return NoThrow("count notifications", [&]() -> Result<int64_t> {
    MutexLock lock(&mu_);
    Statement& stmt = stmts_.count_notifications;
    ScopedReset reset(&stmt);
    stmt.BindText(1, status);
    REFINERY_ASSIGN_OR_RETURN(bool row, stmt.Step("count notifications"));
    return row ? stmt.ColumnInt64(0) : 0;
  });
}

Status SqliteStore::PutMeta(const std::string& key, const std::string& value) {
  return NoThrow("write meta", [&]() -> Status {
    MutexLock lock(&mu_);
    ScopedReset reset(&stmts_.put_meta);
    stmts_.put_meta.BindText(1, key);
    stmts_.put_meta.BindText(2, value);
    return stmts_.put_meta.Run("write meta [" + key + "]");
  });
}

Status SqliteStore::RunLocked(Statement& stmt, std::string_view what) {
  ScopedReset reset(&stmt);
  return stmt.Run(what);
}

// ---- reads ----

Result<WorkflowJobRecord> SqliteStore::GetJob(const std::string& id) {
  return NoThrow("read job", [&]() -> Result<WorkflowJobRecord> {
    MutexLock lock(&mu_);
    Statement& stmt = stmts_.get_job;
    ScopedReset reset(&stmt);
    stmt.BindText(1, id);
    REFINERY_ASSIGN_OR_RETURN(bool found, stmt.Step("read job [" + id + "]"));
    if (!found) return Status::NotFound("Job does not exist [" + id + "]", "E0604");
    return ReadJob(stmt);
  });
}

Result<WorkflowActionRecord> SqliteStore::GetAction(const std::string& id) {
  return NoThrow("read action", [&]() -> Result<WorkflowActionRecord> {
    MutexLock lock(&mu_);
    Statement& stmt = stmts_.get_action;
    ScopedReset reset(&stmt);
    stmt.BindText(1, id);
    REFINERY_ASSIGN_OR_RETURN(bool found, stmt.Step("read action [" + id + "]"));
    if (!found) return Status::NotFound("Action does not exist [" + id + "]", "E0605");
    return ReadAction(stmt);
  });
}

Result<std::vector<WorkflowActionRecord>> SqliteStore::ListActions(const std::string& job_id) {
  return NoThrow("list actions", [&]() -> Result<std::vector<WorkflowActionRecord>> {
    MutexLock lock(&mu_);
    Statement& stmt = stmts_.list_actions;
    ScopedReset reset(&stmt);
    stmt.BindText(1, job_id);
    std::vector<WorkflowActionRecord> actions;
    const std::string what = "list actions of job [" + job_id + "]";
    while (true) {
      REFINERY_ASSIGN_OR_RETURN(bool has_row, stmt.Step(what));
      if (!has_row) return actions;
      actions.push_back(ReadAction(stmt));
    }
  });
}

Result<std::vector<std::string>> SqliteStore::ListUnfinishedJobIds() {
  return NoThrow("list unfinished jobs", [&]() -> Result<std::vector<std::string>> {
    MutexLock lock(&mu_);
    Statement& stmt = stmts_.unfinished_ids;
    ScopedReset reset(&stmt);
    std::vector<std::string> ids;
    while (true) {
      REFINERY_ASSIGN_OR_RETURN(bool has_row, stmt.Step("list unfinished jobs"));
      if (!has_row) return ids;
      ids.push_back(stmt.ColumnText(0));
    }
  });
}

Result<std::string> SqliteStore::ReadLog(const std::string& job_id) {
  return NoThrow("read log", [&]() -> Result<std::string> {
    MutexLock lock(&mu_);
    std::string text;
    bool any = false;
    {
      Statement& stmt = stmts_.read_log;
      ScopedReset reset(&stmt);
      stmt.BindText(1, job_id);
      const std::string what = "read log of job [" + job_id + "]";
      while (true) {
        REFINERY_ASSIGN_OR_RETURN(bool has_row, stmt.Step(what));
        if (!has_row) break;
        if (any) text += '\n';
        text += stmt.ColumnText(0);
        any = true;
      }
    }
    if (any) return text;
    // Lines exist only for stored jobs (foreign key), so only now ask.
    REFINERY_ASSIGN_OR_RETURN(bool exists, JobExistsLocked(job_id));
    if (!exists) return Status::NotFound("Job does not exist [" + job_id + "]", "E0604");
    return text;
  });
}

Result<bool> SqliteStore::JobExistsLocked(const std::string& id) {
  Statement& stmt = stmts_.job_exists;
  ScopedReset reset(&stmt);
  stmt.BindText(1, id);
  return stmt.Step("look up job [" + id + "]");
}

Result<std::optional<std::string>> SqliteStore::GetMeta(const std::string& key) {
  return NoThrow("read meta", [&]() -> Result<std::optional<std::string>> {
    MutexLock lock(&mu_);
    Statement& stmt = stmts_.get_meta;
    ScopedReset reset(&stmt);
    stmt.BindText(1, key);
    REFINERY_ASSIGN_OR_RETURN(bool found, stmt.Step("read meta [" + key + "]"));
    if (!found) return std::optional<std::string>();
    return std::optional<std::string>(stmt.ColumnText(0));
  });
}

Result<std::vector<std::pair<std::string, std::string>>> SqliteStore::ListMeta() {
  return NoThrow("list meta", [&]() -> Result<std::vector<std::pair<std::string, std::string>>> {
    MutexLock lock(&mu_);
    REFINERY_ASSIGN_OR_RETURN(Statement stmt, db_.Prepare("SELECT key, value FROM meta ORDER BY key", "list meta"));
    std::vector<std::pair<std::string, std::string>> entries;
    while (true) {
      REFINERY_ASSIGN_OR_RETURN(bool row, stmt.Step("list meta"));
      if (!row) break;
      entries.emplace_back(stmt.ColumnText(0), stmt.ColumnText(1));
    }
    return entries;
  });
}

// ---- ListJobs ----

Result<JobPage> SqliteStore::ListJobs(const JobFilter& filter, int offset, int len) {
  return NoThrow("list jobs", [&]() -> Result<JobPage> {
    if (offset < 0 || len < 0) {
      return Status::InvalidArgument(fmt::format("list jobs: offset [{}] and len [{}] must not be negative",
                                                 offset, len));
    }
    const WhereClause where = BuildJobWhere(filter);
    MutexLock lock(&mu_);
    // One read transaction, so the total and the page see the same snapshot.
    REFINERY_RETURN_IF_ERROR(RunLocked(stmts_.begin_read, "begin read"));
    RollbackGuard guard(&db_, &stmts_.rollback);
    REFINERY_ASSIGN_OR_RETURN(JobPage page, ListJobsLocked(where, offset, len));
    REFINERY_RETURN_IF_ERROR(RunLocked(stmts_.commit, "end read"));
    return page;
  });
}

Result<JobPage> SqliteStore::ListJobsLocked(const WhereClause& where, int offset, int len) {
  JobPage page;
  REFINERY_ASSIGN_OR_RETURN(page.total, CountJobsLocked(where));
  if (len == 0 || offset >= page.total) return page;
  // Filters vary in shape, so this statement is prepared per call; listing
  // is an interactive operation, not the engine's hot path.
  const std::string sql = "SELECT " + JobColumnList() + " FROM workflow_jobs" + where.sql +
                          " ORDER BY created_ms DESC, id DESC LIMIT ? OFFSET ?";
  REFINERY_ASSIGN_OR_RETURN(Statement stmt, db_.Prepare(sql, "list jobs"));
  BindWhere(stmt, where);
  const int next = static_cast<int>(where.args.size()) + 1;
  stmt.BindInt64(next, len);
  stmt.BindInt64(next + 1, offset);
  while (true) {
    REFINERY_ASSIGN_OR_RETURN(bool has_row, stmt.Step("list jobs"));
    if (!has_row) return page;
    page.jobs.push_back(ReadJob(stmt));
  }
}

Result<int> SqliteStore::CountJobsLocked(const WhereClause& where) {
  REFINERY_ASSIGN_OR_RETURN(Statement stmt, db_.Prepare("SELECT count(*) FROM workflow_jobs" + where.sql,
                                                        "count jobs"));
  BindWhere(stmt, where);
  REFINERY_ASSIGN_OR_RETURN(bool has_row, stmt.Step("count jobs"));
  if (!has_row) return 0;
  const int64_t count = stmt.ColumnInt64(0);
  return static_cast<int>(std::min<int64_t>(count, std::numeric_limits<int>::max()));
}

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, const SqliteOptions& options) {
  return NoThrow("open", [&]() -> Result<std::unique_ptr<Store>> {
    REFINERY_ASSIGN_OR_RETURN(Database db, Database::Open(path));
    REFINERY_RETURN_IF_ERROR(ConfigureConnection(db, options));
    REFINERY_ASSIGN_OR_RETURN(Statements statements, PrepareStatements(db));
    REFINERY_ASSIGN_OR_RETURN(std::unique_ptr<Checkpointer> checkpointer, StartCheckpointer(path, options));
    return std::unique_ptr<Store>(
        std::make_unique<SqliteStore>(std::move(db), std::move(statements), std::move(checkpointer)));
  });
}

}  // namespace refinery::store
