#include "store/schema.h"

#include <fmt/format.h>

namespace refinery::store {
namespace {

// Migration N turns a version N-1 store into version N. The text of a
// released migration never changes: a store written by any earlier build
// must replay to exactly the schema a fresh store gets. Column meanings are
// in doc/formats/state-store.md.
constexpr const char* kMigrationToV1 = R"sql(
CREATE TABLE meta (
  key   TEXT PRIMARY KEY NOT NULL,
  value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE workflow_jobs (
  id               TEXT PRIMARY KEY NOT NULL,
  app_name         TEXT    NOT NULL DEFAULT '',
  app_path         TEXT    NOT NULL DEFAULT '',
  user_name        TEXT    NOT NULL DEFAULT '',
  group_name       TEXT    NOT NULL DEFAULT '',
  status           TEXT    NOT NULL DEFAULT '',
  run              INTEGER NOT NULL DEFAULT 0,
  conf             TEXT    NOT NULL DEFAULT '',
  definition       TEXT    NOT NULL DEFAULT '',
  parent_id        TEXT    NOT NULL DEFAULT '',
  external_id      TEXT    NOT NULL DEFAULT '',
  error_code       TEXT    NOT NULL DEFAULT '',
  error_message    TEXT    NOT NULL DEFAULT '',
  created_ms       INTEGER NOT NULL DEFAULT 0,
  start_ms         INTEGER NOT NULL DEFAULT 0,
  end_ms           INTEGER NOT NULL DEFAULT 0,
  last_modified_ms INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX workflow_jobs_status ON workflow_jobs(status);
CREATE INDEX workflow_jobs_parent_id ON workflow_jobs(parent_id);
CREATE INDEX workflow_jobs_created ON workflow_jobs(created_ms, id);

CREATE TABLE workflow_actions (
  seq                 INTEGER PRIMARY KEY,
  id                  TEXT    NOT NULL UNIQUE,
  job_id              TEXT    NOT NULL
                      REFERENCES workflow_jobs(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  name                TEXT    NOT NULL DEFAULT '',
  type                TEXT    NOT NULL DEFAULT '',
  status              TEXT    NOT NULL DEFAULT '',
  transition          TEXT    NOT NULL DEFAULT '',
  conf                TEXT    NOT NULL DEFAULT '',
  data                TEXT    NOT NULL DEFAULT '',
  error_code          TEXT    NOT NULL DEFAULT '',
  error_message       TEXT    NOT NULL DEFAULT '',
  external_id         TEXT    NOT NULL DEFAULT '',
  external_status     TEXT    NOT NULL DEFAULT '',
  tracker_uri         TEXT    NOT NULL DEFAULT '',
  console_url         TEXT    NOT NULL DEFAULT '',
  retries             INTEGER NOT NULL DEFAULT 0,
  user_retry_count    INTEGER NOT NULL DEFAULT 0,
  user_retry_max      INTEGER NOT NULL DEFAULT 0,
  user_retry_interval INTEGER NOT NULL DEFAULT 10,
  start_ms            INTEGER NOT NULL DEFAULT 0,
  end_ms              INTEGER NOT NULL DEFAULT 0,
  last_modified_ms    INTEGER NOT NULL DEFAULT 0,
  retry_at_ms         INTEGER NOT NULL DEFAULT 0,
  run                 INTEGER NOT NULL DEFAULT 0,
  execution_path      TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX workflow_actions_job ON workflow_actions(job_id);

CREATE TABLE workflow_job_log (
  job_id TEXT    NOT NULL
         REFERENCES workflow_jobs(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  seq    INTEGER NOT NULL,
  line   TEXT    NOT NULL,
  PRIMARY KEY (job_id, seq)
) WITHOUT ROWID;
)sql";

// Version 2: the notification outbox and coordinator jobs with their actions.
constexpr const char* kMigrationToV2 = R"sql(
CREATE TABLE notification_outbox (
  id              INTEGER PRIMARY KEY,
  url             TEXT    NOT NULL,
  method          TEXT    NOT NULL DEFAULT 'GET',
  body            TEXT    NOT NULL DEFAULT '',
  subject_id      TEXT    NOT NULL DEFAULT '',
  status          TEXT    NOT NULL DEFAULT 'PENDING',
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_ms INTEGER NOT NULL DEFAULT 0,
  created_ms      INTEGER NOT NULL DEFAULT 0,
  last_error      TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX notification_outbox_due ON notification_outbox(status, next_attempt_ms);

CREATE TABLE coordinator_jobs (
  id                   TEXT PRIMARY KEY NOT NULL,
  app_name             TEXT    NOT NULL DEFAULT '',
  app_path             TEXT    NOT NULL DEFAULT '',
  user_name            TEXT    NOT NULL DEFAULT '',
  status               TEXT    NOT NULL DEFAULT '',
  conf                 TEXT    NOT NULL DEFAULT '',
  definition           TEXT    NOT NULL DEFAULT '',
  frequency            TEXT    NOT NULL DEFAULT '',
  time_unit            TEXT    NOT NULL DEFAULT '',
  timezone             TEXT    NOT NULL DEFAULT '',
  execution            TEXT    NOT NULL DEFAULT '',
  concurrency          INTEGER NOT NULL DEFAULT 1,
  throttle             INTEGER NOT NULL DEFAULT 12,
  timeout_minutes      INTEGER NOT NULL DEFAULT 120,
  last_action_number   INTEGER NOT NULL DEFAULT 0,
  error_message        TEXT    NOT NULL DEFAULT '',
  start_ms             INTEGER NOT NULL DEFAULT 0,
  end_ms               INTEGER NOT NULL DEFAULT 0,
  next_materialized_ms INTEGER NOT NULL DEFAULT 0,
  pause_ms             INTEGER NOT NULL DEFAULT 0,
  created_ms           INTEGER NOT NULL DEFAULT 0,
  last_modified_ms     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX coordinator_jobs_status ON coordinator_jobs(status);
CREATE INDEX coordinator_jobs_created ON coordinator_jobs(created_ms, id);

CREATE TABLE coordinator_actions (
  id                   TEXT PRIMARY KEY NOT NULL,
  job_id               TEXT    NOT NULL
                       REFERENCES coordinator_jobs(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  action_number        INTEGER NOT NULL,
  status               TEXT    NOT NULL DEFAULT '',
  external_id          TEXT    NOT NULL DEFAULT '',
  external_status      TEXT    NOT NULL DEFAULT '',
  run_conf             TEXT    NOT NULL DEFAULT '',
  missing_dependencies TEXT    NOT NULL DEFAULT '',
  data_instances       TEXT    NOT NULL DEFAULT '',
  error_code           TEXT    NOT NULL DEFAULT '',
  error_message        TEXT    NOT NULL DEFAULT '',
  nominal_ms           INTEGER NOT NULL DEFAULT 0,
  created_ms           INTEGER NOT NULL DEFAULT 0,
  last_modified_ms     INTEGER NOT NULL DEFAULT 0,
  UNIQUE (job_id, action_number)
);
)sql";

constexpr const char* kMigrationToV3 = R"sql(
CREATE TABLE model_versions (
  model            TEXT    NOT NULL,
  version          INTEGER NOT NULL,
  bundle_uri       TEXT    NOT NULL DEFAULT '',
  stage            TEXT    NOT NULL DEFAULT 'candidate',
  metrics          TEXT    NOT NULL DEFAULT '{}',
  lineage          TEXT    NOT NULL DEFAULT '{}',
  registered_by    TEXT    NOT NULL DEFAULT '',
  created_ms       INTEGER NOT NULL DEFAULT 0,
  stage_changed_ms INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (model, version)
) WITHOUT ROWID;

CREATE TABLE model_events (
  id               INTEGER PRIMARY KEY,
  model            TEXT    NOT NULL,
  version          INTEGER NOT NULL DEFAULT 0,
  previous_version INTEGER NOT NULL DEFAULT 0,
  kind             TEXT    NOT NULL DEFAULT '',
  actor            TEXT    NOT NULL DEFAULT '',
  reason           TEXT    NOT NULL DEFAULT '',
  created_ms       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX model_events_model ON model_events(model, id);
)sql";

// Version 4: SLA misses, one row per (job or action, event), so an alert is
// queued once even when the deadline is evaluated again after a restart.
constexpr const char* kMigrationToV4 = R"sql(
CREATE TABLE sla_events (
  subject_id  TEXT    NOT NULL,
  event       TEXT    NOT NULL,
  job_id      TEXT    NOT NULL DEFAULT '',
  app_type    TEXT    NOT NULL DEFAULT '',
  app_name    TEXT    NOT NULL DEFAULT '',
  nominal_ms  INTEGER NOT NULL DEFAULT 0,
  expected_ms INTEGER NOT NULL DEFAULT 0,
  actual_ms   INTEGER NOT NULL DEFAULT 0,
  created_ms  INTEGER NOT NULL DEFAULT 0,
  detail      TEXT    NOT NULL DEFAULT '',
  PRIMARY KEY (subject_id, event)
) WITHOUT ROWID;
CREATE INDEX sla_events_job ON sla_events(job_id, created_ms);
)sql";

// Version 5: bundle jobs, and the bundle that submitted each coordinator.
constexpr const char* kMigrationToV5 = R"sql(
CREATE TABLE bundle_jobs (
  id               TEXT PRIMARY KEY NOT NULL,
  app_name         TEXT    NOT NULL DEFAULT '',
  app_path         TEXT    NOT NULL DEFAULT '',
  user_name        TEXT    NOT NULL DEFAULT '',
  status           TEXT    NOT NULL DEFAULT '',
  conf             TEXT    NOT NULL DEFAULT '',
  definition       TEXT    NOT NULL DEFAULT '',
  error_message    TEXT    NOT NULL DEFAULT '',
  kickoff_ms       INTEGER NOT NULL DEFAULT 0,
  created_ms       INTEGER NOT NULL DEFAULT 0,
  start_ms         INTEGER NOT NULL DEFAULT 0,
  end_ms           INTEGER NOT NULL DEFAULT 0,
  last_modified_ms INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX bundle_jobs_status ON bundle_jobs(status);
CREATE INDEX bundle_jobs_created ON bundle_jobs(created_ms, id);
ALTER TABLE coordinator_jobs ADD COLUMN bundle_id TEXT NOT NULL DEFAULT '';
CREATE INDEX coordinator_jobs_bundle ON coordinator_jobs(bundle_id, created_ms);
)sql";

// Version 6: the processes sharing the store and the leases they hold
// (several servers on one store; doc/operations.md).
constexpr const char* kMigrationToV6 = R"sql(
CREATE TABLE processes (
  id           TEXT PRIMARY KEY NOT NULL,
  host         TEXT    NOT NULL DEFAULT '',
  pid          INTEGER NOT NULL DEFAULT 0,
  url          TEXT    NOT NULL DEFAULT '',
  started_ms   INTEGER NOT NULL DEFAULT 0,
  heartbeat_ms INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE TABLE leases (
  resource    TEXT PRIMARY KEY NOT NULL,
  owner       TEXT    NOT NULL,
  fence       INTEGER NOT NULL DEFAULT 1,
  expires_ms  INTEGER NOT NULL DEFAULT 0,
  acquired_ms INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX leases_owner ON leases(owner);
)sql";

// kMigrations[i] produces version i + 1.
constexpr const char* kMigrations[] = {kMigrationToV1, kMigrationToV2, kMigrationToV3, kMigrationToV4,
                                       kMigrationToV5, kMigrationToV6};
static_assert(sizeof(kMigrations) / sizeof(kMigrations[0]) == kSchemaVersion,
              "every schema version needs exactly one migration");

struct Identity {
  int64_t application_id = 0;
  int64_t user_version = 0;
  int64_t schema_objects = 0;  // tables, indexes, views, triggers
};

Result<Identity> ReadIdentity(sqlite::Database& db) {
  Identity id;
  // The first statement reads page 1, so a non-SQLite file fails right here.
  REFINERY_ASSIGN_OR_RETURN(id.schema_objects, db.QueryInt("SELECT count(*) FROM sqlite_master", "read schema"));
  REFINERY_ASSIGN_OR_RETURN(id.application_id, db.QueryInt("PRAGMA application_id", "read application_id"));
  REFINERY_ASSIGN_OR_RETURN(id.user_version, db.QueryInt("PRAGMA user_version", "read schema version"));
  return id;
}

std::string Where(const sqlite::Database& db) { return "state store \"" + db.path() + "\""; }

// Returns the file's schema version, 0 for an empty file that becomes a store.
Result<int> CheckedVersion(sqlite::Database& db) {
  REFINERY_ASSIGN_OR_RETURN(Identity id, ReadIdentity(db));
  const bool empty = id.schema_objects == 0 && id.application_id == 0 && id.user_version == 0;
  if (empty) return 0;
  if (id.application_id != kApplicationId || id.user_version < 1) {
    return Status::InvalidArgument(fmt::format(
        "{}: is a SQLite database but not a Refinery state store (application_id {:#x}, user_version {}, "
        "{} schema objects); point Refinery at another path or move the file aside",
        Where(db), id.application_id, id.user_version, id.schema_objects));
  }
  if (id.user_version > kSchemaVersion) {
    return Status::FailedPrecondition(fmt::format(
        "{}: was written by a newer Refinery (schema version {}, this build reads up to {}); run the newer "
        "refinery, or restore a backup taken before the upgrade",
        Where(db), id.user_version, kSchemaVersion));
  }
  return static_cast<int>(id.user_version);
}

Status ApplyMigrations(sqlite::Database& db) {
  REFINERY_ASSIGN_OR_RETURN(int version, CheckedVersion(db));
  for (int v = version; v < kSchemaVersion; ++v) {
    REFINERY_RETURN_IF_ERROR(db.Exec(kMigrations[v], fmt::format("migrate schema to version {}", v + 1)));
  }
  if (version == kSchemaVersion) return Status::Ok();
  // Both header fields change inside the transaction, so a crash leaves
  // either the old version with its old schema or the new one.
  return db.Exec(fmt::format("PRAGMA application_id = {}; PRAGMA user_version = {};", kApplicationId,
                             kSchemaVersion),
                 "record schema version");
}

}  // namespace

Status CheckStoreIdentity(sqlite::Database& db) { return CheckedVersion(db).status(); }

Status MigrateSchema(sqlite::Database& db) {
  REFINERY_ASSIGN_OR_RETURN(int version, CheckedVersion(db));
  if (version == kSchemaVersion) return Status::Ok();
  // IMMEDIATE takes the write lock now, so two processes opening a new file
  // at once serialise here instead of both creating tables.
  REFINERY_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE", "begin schema migration"));
  Status status = ApplyMigrations(db);
  if (status.ok()) status = db.Exec("COMMIT", "commit schema migration");
  if (!status.ok() && db.InTransaction()) {
    (void)db.Exec("ROLLBACK", "roll back schema migration");  // the first error is the one to report
  }
  return status;
}

}  // namespace refinery::store
