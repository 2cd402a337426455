// store: durable state of workflow jobs and their actions behind one
// interface, so the engine never sees SQL. The default implementation is
// SQLite in WAL mode under the data home; PostgreSQL (a plugin, see
// OpenStore) fills the same interface for several processes or hosts sharing
// one state. The schema is documented in doc/formats/state-store.md.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace refinery::store {

// Times are epoch milliseconds, 0 = unset.
struct WorkflowJobRecord {
  std::string id;
  std::string app_name;
  std::string app_path;
  std::string user;
  std::string group;
  std::string status;         // PREP RUNNING SUSPENDED SUCCEEDED KILLED FAILED
  int run = 0;
  std::string conf;           // job configuration, Hadoop XML
  std::string definition;     // workflow.xml text as submitted
  std::string parent_id;      // parent workflow or coordinator action, "" if none
  std::string external_id;
  std::string error_code;
  std::string error_message;
  int64_t created_ms = 0;
  int64_t start_ms = 0;
  int64_t end_ms = 0;
  int64_t last_modified_ms = 0;
};

struct WorkflowActionRecord {
  std::string id;             // <job>@<node>
  std::string job_id;
  std::string name;
  std::string type;           // ":START:", "switch", "shell", ...
  std::string status;         // PREP RUNNING OK ERROR USER_RETRY START_MANUAL ... KILLED FAILED
  std::string transition;     // node taken when done
  std::string conf;           // action XML after EL evaluation
  std::string data;           // captured output (Java Properties text)
  std::string error_code;
  std::string error_message;
  std::string external_id;
  std::string external_status;
  std::string tracker_uri;
  std::string console_url;
  int retries = 0;
  int user_retry_count = 0;
  int user_retry_max = 0;
  int user_retry_interval = 10;  // minutes
  int64_t start_ms = 0;
  int64_t end_ms = 0;
  int64_t last_modified_ms = 0;
  // Engine bookkeeping (not Oozie fields): when a USER_RETRY may start, and
  // which run of the job wrote this row.
  int64_t retry_at_ms = 0;
  int run = 0;
  // The fork path this node ran on ("" outside forks, "/f:0" in a fork f's
  // first branch); restart recovery replays joins from it.
  std::string execution_path;
};

struct JobFilter {
  // Each list: any of (OR). Different fields: all of (AND). Empty = no filter.
  std::vector<std::string> statuses;
  std::vector<std::string> names;
  std::vector<std::string> users;
  std::vector<std::string> groups;     // added by store: Oozie's `group` filter key
  std::vector<std::string> ids;
  std::string text;            // partial match on name or user, or a full id
  std::string parent_id;       // exact, when set
  int64_t created_after_ms = 0;   // inclusive, 0 = no bound
  int64_t created_before_ms = 0;  // inclusive, 0 = no bound
};

struct JobPage {
  std::vector<WorkflowJobRecord> jobs;  // newest first (created desc)
  int total = 0;                        // matching jobs before paging
};

// A coordinator job (SPEC §7.3). The definition and configuration are kept
// as submitted; the scheduler parses them again after a restart.
struct CoordinatorJobRecord {
  std::string id;
  std::string app_name;
  std::string app_path;
  std::string user;
  std::string status;        // PREP RUNNING SUSPENDED SUCCEEDED DONEWITHERROR KILLED FAILED ...
  std::string conf;          // job configuration, Hadoop XML
  std::string definition;    // coordinator.xml as submitted
  std::string frequency;     // as Oozie shows it: "60", or the cron text
  std::string time_unit;     // MINUTE, DAY, MONTH, CRON, ...
  std::string timezone;
  std::string execution;     // FIFO LIFO LAST_ONLY NONE
  int concurrency = 1;
  int throttle = 12;
  int timeout_minutes = 120;
  int64_t last_action_number = 0;
  std::string error_message;
  int64_t start_ms = 0;
  int64_t end_ms = 0;
  int64_t next_materialized_ms = 0;  // 0 = nothing materialized yet
  int64_t pause_ms = 0;
  int64_t created_ms = 0;
  int64_t last_modified_ms = 0;
  std::string bundle_id;     // the bundle that submitted it, "" if none (schema v5)
};

// One materialized coordinator action (SPEC §7.4): id <job>@<number>.
struct CoordinatorActionRecord {
  std::string id;
  std::string job_id;
  int64_t action_number = 0;
  std::string status;             // WAITING READY SUBMITTED RUNNING SUCCEEDED KILLED FAILED TIMEDOUT SKIPPED ...
  std::string external_id;        // the workflow job it started
  std::string external_status;
  std::string run_conf;           // the workflow configuration it was started with
  std::string missing_dependencies;  // URIs still missing, '#'-separated as Oozie does
  std::string data_instances;     // JSON: the input/output dataset instances and URIs
  std::string error_code;
  std::string error_message;
  int64_t nominal_ms = 0;
  int64_t created_ms = 0;
  int64_t last_modified_ms = 0;
};

struct CoordinatorJobPage {
  std::vector<CoordinatorJobRecord> jobs;  // newest first
  int total = 0;
};

// A bundle job (SPEC §6.6, §7.5): bundle.xml as submitted and the
// configuration its coordinators are layered on. Its coordinators name it in
// CoordinatorJobRecord::bundle_id; they are written in the same batch that
// sets start_ms, so a bundle submits them exactly once.
struct BundleJobRecord {
  std::string id;            // ...-B
  std::string app_name;
  std::string app_path;
  std::string user;
  std::string status;        // PREP RUNNING PREPSUSPENDED SUSPENDED SUCCEEDED DONEWITHERROR KILLED FAILED
  std::string conf;          // job configuration (with <parameters> defaults), Hadoop XML
  std::string definition;    // bundle.xml as submitted
  std::string error_message;
  int64_t kickoff_ms = 0;    // when its coordinators are due to be submitted
  int64_t created_ms = 0;
  int64_t start_ms = 0;      // when its coordinators were submitted; 0 = not yet
  int64_t end_ms = 0;        // when it reached a terminal status; 0 = not yet
  int64_t last_modified_ms = 0;
};

struct BundleJobPage {
  std::vector<BundleJobRecord> jobs;  // newest first
  int total = 0;
};

// A notification in the durable outbox: an HTTP GET of `url` (or a POST of a
// JSON body to a webhook), written in the
// same batch as the state change it announces, so a crash delays it but never
// loses it. Delivered notifications leave the outbox; ones that ran out of
// attempts stay as FAILED for operators to see.
struct NotificationRecord {
  int64_t id = 0;             // assigned by the store on insert
  std::string url;
  std::string method = "GET";  // GET (Oozie's notifications) or POST (webhooks, with a JSON body)
  std::string body;
  std::string subject_id;     // the job or action the event is about
  std::string status = "PENDING";  // PENDING, FAILED
  int attempts = 0;
  int64_t next_attempt_ms = 0;
  int64_t created_ms = 0;
  std::string last_error;
};

// One SLA miss of a workflow job or action (Oozie's event statuses
// START_MISS, END_MISS, DURATION_MISS). Stored at most once per (subject,
// event): a batch that repeats a recorded one writes neither it nor its
// alerts nor its log line, so re-evaluating after a restart never alerts twice.
struct SlaEventRecord {
  std::string subject_id;   // the job id, or <job>@<action>
  std::string event;        // START_MISS END_MISS DURATION_MISS
  std::string job_id;
  std::string app_type;     // WORKFLOW_JOB, WORKFLOW_ACTION
  std::string app_name;     // the job's name, or the action's node name
  int64_t nominal_ms = 0;
  int64_t expected_ms = 0;  // should-start/should-end time; DURATION_MISS: max duration in ms
  int64_t actual_ms = 0;    // start/end time or duration; 0 = had not happened when detected
  int64_t created_ms = 0;
  std::string detail;       // one line for people; also appended to the job's log
  std::vector<NotificationRecord> alerts;  // queued with a new event; not read back
};

// A version of a model in the registry (registry/). Stage: candidate,
// production or archived; at most one version of a model is production.
struct ModelVersionRecord {
  std::string model;
  int version = 0;          // 1, 2, ... per model, never reused
  std::string bundle_uri;   // the bundle directory, e.g. /user/refinedzone/model/v3
  std::string stage;
  std::string metrics;      // JSON object: the bundle's holdout metrics (curves left out)
  std::string lineage;      // JSON object: the bundle's lineage
  std::string registered_by;  // the job action or "cli"
  int64_t created_ms = 0;
  int64_t stage_changed_ms = 0;
};

// One line of a model's deployment log, which is append-only: what was
// registered, promoted, rejected or rolled back, when, by whom and why.
struct ModelEventRecord {
  int64_t id = 0;  // assigned by the store, increasing across all models
  std::string model;
  int version = 0;
  int previous_version = 0;  // the production version it replaced, 0 = none
  std::string kind;          // registered promoted rejected rolled-back auto-rolled-back
  std::string actor;
  std::string reason;
  int64_t created_ms = 0;
};

// A process sharing the store (several `refinery server`s on one PostgreSQL
// store): id "<host>:<pid>:<start ticks>", registered at start, its
// heartbeat renewed with its leases (RenewLeases).
struct ProcessRecord {
  std::string id;
  std::string host;
  int64_t pid = 0;
  std::string url;           // its HTTP API, "" when it serves none
  int64_t started_ms = 0;
  int64_t heartbeat_ms = 0;  // store clock
};

// A lease on a resource ("workflow:<job id>", "scheduler"): held by `owner`
// until expires_ms on the store's clock. `fence` increases whenever the
// owner changes, so a write carrying an older fence is refused
// (WriteBatch::fences).
struct LeaseRecord {
  std::string resource;
  std::string owner;
  int64_t fence = 0;
  int64_t expires_ms = 0;   // store clock
  int64_t acquired_ms = 0;  // when the current owner got it
  int64_t now_ms = 0;       // the store's clock when this was read (not stored)
};

// A lease a batch depends on: the batch applies only if `owner` still holds
// `resource` with `fence`.
struct LeaseFence {
  std::string resource;
  std::string owner;
  int64_t fence = 0;
};

// A set of writes applied atomically: all or none survive a crash.
struct WriteBatch {
  std::vector<WorkflowJobRecord> jobs;        // insert or replace by id
  std::vector<WorkflowActionRecord> actions;  // insert or replace by id
  std::vector<std::pair<std::string, std::string>> log_lines;  // (job id, line)
  std::vector<NotificationRecord> notifications;  // appended to the outbox
  std::vector<CoordinatorJobRecord> coordinator_jobs;        // insert or replace by id
  std::vector<CoordinatorActionRecord> coordinator_actions;  // insert or replace by id
  std::vector<std::string> deleted_coordinator_actions;      // ids; deleted after the upserts
  std::vector<ModelVersionRecord> model_versions;            // insert or replace by (model, version)
  std::vector<ModelEventRecord> model_events;                // appended; id assigned
  std::vector<SlaEventRecord> sla_events;                    // once per (subject, event); see SlaEventRecord
  std::vector<BundleJobRecord> bundle_jobs;                  // insert or replace by id
  // Optimistic concurrency for registry changes: when set, the batch applies
  // only if the newest event of `model` still has id `last_model_event_id`
  // (0 = the model has none); otherwise nothing is written and the result is
  // FailedPrecondition with code STORE_CONFLICT, so the caller reads again.
  std::string guarded_model;
  int64_t last_model_event_id = 0;
  // For copying one store into another (store_migration.h): notifications
  // and model events keep the ids they carry instead of new ones, and SLA
  // events are written without their alerts and log line (the copy brings
  // the outbox and the log as they are).
  bool keep_ids = false;
  // Fencing: checked in the batch's transaction before anything is written;
  // if any lease is no longer held by its owner with that fence (expired
  // leases that nobody took yet still count as held), nothing is written and
  // the result is FailedPrecondition with code STORE_FENCED. On PostgreSQL
  // the lease rows are locked FOR SHARE, so a takeover waits for the commit.
  std::vector<LeaseFence> fences;
  // Materialization belt: when set, the batch applies only if coordinator
  // job `guarded_coordinator` still has last_action_number
  // `expected_last_action_number` (a missing job counts as 0); otherwise
  // nothing is written and the result is FailedPrecondition, STORE_CONFLICT.
  // Two schedulers racing to materialize one nominal time: one wins.
  std::string guarded_coordinator;
  int64_t expected_last_action_number = 0;
};

inline constexpr char kStoreConflictCode[] = "STORE_CONFLICT";
inline constexpr char kStoreLeaseHeldCode[] = "STORE_LEASE_HELD";
inline constexpr char kStoreFencedCode[] = "STORE_FENCED";

// Thread-safe: every method may be called from any thread.
class Store {
 public:
  virtual ~Store() = default;

  virtual Status Apply(const WriteBatch& batch) = 0;
  virtual Result<WorkflowJobRecord> GetJob(const std::string& id) = 0;  // NotFound: E0604
  // offset 0-based; offset or len < 0 is InvalidArgument; len 0 gives only the total.
  virtual Result<JobPage> ListJobs(const JobFilter& filter, int offset, int len) = 0;
  virtual Result<std::vector<WorkflowActionRecord>> ListActions(const std::string& job_id) = 0;
  virtual Result<WorkflowActionRecord> GetAction(const std::string& id) = 0;  // NotFound: E0605
  // Jobs whose status is PREP, RUNNING or SUSPENDED (for restart recovery),
  // oldest first.
  virtual Result<std::vector<std::string>> ListUnfinishedJobIds() = 0;
  // The job's log lines in order, joined with '\n'; NotFound (E0604) when
  // the job does not exist.
  virtual Result<std::string> ReadLog(const std::string& job_id) = 0;
  // A small key/value area for engine metadata (schema version, counters).
  virtual Result<std::optional<std::string>> GetMeta(const std::string& key) = 0;
  virtual Status PutMeta(const std::string& key, const std::string& value) = 0;
  // Every meta entry, by key (for copying a store).
  virtual Result<std::vector<std::pair<std::string, std::string>>> ListMeta() = 0;

  // The outbox. Due: PENDING with next_attempt_ms <= now_ms, oldest first.
  virtual Result<std::vector<NotificationRecord>> ListDueNotifications(int64_t now_ms, int limit) = 0;
  // Removes a delivered notification.
  virtual Status DeleteNotification(int64_t id) = 0;
  // Writes status, attempts, next_attempt_ms and last_error of `record.id`.
  virtual Status UpdateNotification(const NotificationRecord& record) = 0;
  // Earliest next_attempt_ms of a PENDING notification; nullopt when none.
  virtual Result<std::optional<int64_t>> NextNotificationTime() = 0;
  virtual Result<int64_t> CountNotifications(const std::string& status) = 0;
  // Every notification (PENDING and FAILED) with id > after_id, by id, at
  // most `limit` (for copying a store).
  virtual Result<std::vector<NotificationRecord>> ListNotifications(int64_t after_id, int limit) = 0;

  // Coordinators. NotFound (E0604) for an unknown id.
  virtual Result<CoordinatorJobRecord> GetCoordinatorJob(const std::string& id) = 0;
  // `statuses` empty = all; newest first.
  virtual Result<CoordinatorJobPage> ListCoordinatorJobs(const std::vector<std::string>& statuses, int offset,
                                                         int len) = 0;
  // In action-number order.
  virtual Result<std::vector<CoordinatorActionRecord>> ListCoordinatorActions(const std::string& job_id) = 0;
  virtual Result<CoordinatorActionRecord> GetCoordinatorAction(const std::string& id) = 0;  // NotFound: E0605

  // Bundles. NotFound (E0604) for an unknown id; `statuses` empty = all; newest first.
  virtual Result<BundleJobRecord> GetBundleJob(const std::string& id) = 0;
  virtual Result<BundleJobPage> ListBundleJobs(const std::vector<std::string>& statuses, int offset, int len) = 0;
  // The coordinator jobs a bundle submitted, oldest first (as bundle.xml lists them).
  virtual Result<std::vector<CoordinatorJobRecord>> ListBundleCoordinatorJobs(const std::string& bundle_id) = 0;

  // The model registry's tables. `model` empty = every model; by model, then version.
  virtual Result<std::vector<ModelVersionRecord>> ListModelVersions(const std::string& model) = 0;
  // A model's deployment log, newest first, at most `limit` lines (model empty = all models).
  virtual Result<std::vector<ModelEventRecord>> ListModelEvents(const std::string& model, int limit) = 0;
  // The newest event's id over all models (0 = none): cheap, for servers
  // that follow the registry.
  virtual Result<int64_t> LastModelEventId() = 0;

  // The SLA misses recorded for a job and its actions, oldest first.
  virtual Result<std::vector<SlaEventRecord>> ListSlaEvents(const std::string& job_id) = 0;

  // ---- Processes and leases (doc/operations.md, "Several servers") ----
  // Times are the store's clock: PostgreSQL's server time (so hosts with
  // skewed clocks agree), SQLite's local clock.
  //
  // Takes `resource` for `owner` for ttl_ms when it is free, expired, held
  // by `owner` already (renewed, same fence) or held by `steal_from` (an
  // owner the caller proved dead; "" = none). The fence is one more than the
  // last one whenever the owner changes. Otherwise FailedPrecondition with
  // code STORE_LEASE_HELD naming the holder. Atomic across processes.
  virtual Result<LeaseRecord> AcquireLease(const std::string& resource, const std::string& owner, int64_t ttl_ms,
                                           const std::string& steal_from = "") = 0;
  // Drops the lease if `owner` holds it (otherwise nothing happens).
  virtual Status ReleaseLease(const std::string& resource, const std::string& owner) = 0;
  // In one transaction: extends every lease `owner` holds to now + ttl_ms,
  // even expired ones nobody took, sets the process's heartbeat, and returns
  // the resources it holds (a lease taken over is missing from the list).
  virtual Result<std::vector<std::string>> RenewLeases(const std::string& owner, int64_t ttl_ms) = 0;
  // Inserts or replaces the process row (started_ms and heartbeat_ms = now).
  virtual Status RegisterProcess(const ProcessRecord& process) = 0;
  // Removes the process row and releases every lease it holds.
  virtual Status UnregisterProcess(const std::string& id) = 0;
  virtual Result<std::vector<ProcessRecord>> ListProcesses() = 0;  // by id
  // Leases whose resource starts with `prefix` ("" = all), by resource;
  // LeaseRecord::now_ms tells which have expired.
  virtual Result<std::vector<LeaseRecord>> ListLeases(const std::string& prefix) = 0;
};

struct SqliteOptions {
  // "normal" survives a process crash (kill -9) with no loss; "full" also
  // survives power loss at the cost of an fsync per commit.
  std::string synchronous = "normal";
  // How long a call waits for another process's lock before failing with
  // IoError (e.g. the CLI reading while the server writes).
  int busy_timeout_ms = 5000;
};

// Opens (creating and migrating when needed) the SQLite store at `path`.
// A file that is not a Refinery store, or one from a newer version, is an
// error that says so.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, const SqliteOptions& options = {});

// Opens the store at `location`: a libpq connection URI (postgresql://... or
// postgres://...) opens the PostgreSQL store through the `pgstore` plugin
// (creating and migrating its schema when needed); anything else is a SQLite
// file path given to OpenSqliteStore with `sqlite_options`. Errors name the
// location with any password masked (postgresql://joe:***@host/db) and say
// what to do; a password never appears in a message.
Result<std::unique_ptr<Store>> OpenStore(const std::string& location, const SqliteOptions& sqlite_options = {});

// True when `location` names a PostgreSQL server rather than a SQLite file.
bool IsPostgresLocation(const std::string& location);

}  // namespace refinery::store
