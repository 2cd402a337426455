// How WorkflowJobRecord and WorkflowActionRecord map to table columns. Each
// record's columns are declared once (records.cc); the upsert SQL, the select
// lists, binding and reading all derive from that one table, so a field
// cannot be written and then forgotten on read.
#pragma once

#include <string>

#include "store/row_io.h"
#include "store/store.h"

namespace refinery::store {

// "id, app_name, ..." in declaration order, for SELECT lists.
const std::string& JobColumnList();
const std::string& ActionColumnList();

// INSERT ... ON CONFLICT(id) DO UPDATE: an update in place, so an action
// keeps its insertion order (seq) and no delete cascades to children.
// Placeholders are ?1..?N (SQLite) or $1..$N (PostgreSQL).
const std::string& JobUpsertSql(SqlDialect dialect = SqlDialect::kSqlite);
const std::string& ActionUpsertSql(SqlDialect dialect = SqlDialect::kSqlite);

// Bind all columns as parameters 1..N. The record must outlive the next Step().
void BindJob(RowBinder& stmt, const WorkflowJobRecord& job);
void BindAction(RowBinder& stmt, const WorkflowActionRecord& action);

const std::string& CoordinatorJobColumnList();
const std::string& CoordinatorActionColumnList();
const std::string& CoordinatorJobUpsertSql(SqlDialect dialect = SqlDialect::kSqlite);
const std::string& CoordinatorActionUpsertSql(SqlDialect dialect = SqlDialect::kSqlite);
void BindCoordinatorJob(RowBinder& stmt, const CoordinatorJobRecord& job);
void BindCoordinatorAction(RowBinder& stmt, const CoordinatorActionRecord& action);
CoordinatorJobRecord ReadCoordinatorJob(const RowReader& stmt);
CoordinatorActionRecord ReadCoordinatorAction(const RowReader& stmt);

const std::string& BundleJobColumnList();
const std::string& BundleJobUpsertSql(SqlDialect dialect = SqlDialect::kSqlite);
void BindBundleJob(RowBinder& stmt, const BundleJobRecord& job);
BundleJobRecord ReadBundleJob(const RowReader& stmt);

inline constexpr char kModelVersionColumns[] =
    "model, version, bundle_uri, stage, metrics, lineage, registered_by, created_ms, stage_changed_ms";
inline constexpr char kModelEventColumns[] = "id, model, version, previous_version, kind, actor, reason, created_ms";
ModelVersionRecord ReadModelVersion(const RowReader& row);
ModelEventRecord ReadModelEvent(const RowReader& row);
inline constexpr char kOutboxColumns[] =
    "id, url, subject_id, status, attempts, next_attempt_ms, created_ms, last_error, method, body";
inline constexpr char kSlaColumns[] =
    "subject_id, event, job_id, app_type, app_name, nominal_ms, expected_ms, actual_ms, created_ms, detail";
NotificationRecord ReadNotification(const RowReader& row);
SlaEventRecord ReadSlaEvent(const RowReader& row);

// Read a row selected with the matching column list, starting at column 0.
WorkflowJobRecord ReadJob(const RowReader& stmt);
WorkflowActionRecord ReadAction(const RowReader& stmt);

}  // namespace refinery::store
