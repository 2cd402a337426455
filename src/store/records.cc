#include "store/records.h"

#include <cstdint>
#include <span>
#include <type_traits>
#include <variant>

namespace refinery::store {
namespace {

template <typename Record>
using Member = std::variant<std::string Record::*, int Record::*, int64_t Record::*>;

template <typename Record>
struct Column {
  const char* name;
  Member<Record> member;
};

using Job = WorkflowJobRecord;
using Action = WorkflowActionRecord;

// Column order = bind order = select order. The first column is the key.
// Names differ from fields only where SQL reserves the word (user, group).
const Column<Job> kJobColumns[] = {
    {"id", &Job::id},
    {"app_name", &Job::app_name},
    {"app_path", &Job::app_path},
    {"user_name", &Job::user},
    {"group_name", &Job::group},
    {"status", &Job::status},
    {"run", &Job::run},
    {"conf", &Job::conf},
    {"definition", &Job::definition},
    {"parent_id", &Job::parent_id},
    {"external_id", &Job::external_id},
    {"error_code", &Job::error_code},
    {"error_message", &Job::error_message},
    {"created_ms", &Job::created_ms},
    {"start_ms", &Job::start_ms},
    {"end_ms", &Job::end_ms},
    {"last_modified_ms", &Job::last_modified_ms},
};

const Column<Action> kActionColumns[] = {
    {"id", &Action::id},
    {"job_id", &Action::job_id},
    {"name", &Action::name},
    {"type", &Action::type},
    {"status", &Action::status},
    {"transition", &Action::transition},
    {"conf", &Action::conf},
    {"data", &Action::data},
    {"error_code", &Action::error_code},
    {"error_message", &Action::error_message},
    {"external_id", &Action::external_id},
    {"external_status", &Action::external_status},
    {"tracker_uri", &Action::tracker_uri},
    {"console_url", &Action::console_url},
    {"retries", &Action::retries},
    {"user_retry_count", &Action::user_retry_count},
    {"user_retry_max", &Action::user_retry_max},
    {"user_retry_interval", &Action::user_retry_interval},
    {"start_ms", &Action::start_ms},
    {"end_ms", &Action::end_ms},
    {"last_modified_ms", &Action::last_modified_ms},
    {"retry_at_ms", &Action::retry_at_ms},
    {"run", &Action::run},
    {"execution_path", &Action::execution_path},
};

using CoordJob = CoordinatorJobRecord;
using CoordAction = CoordinatorActionRecord;

const Column<CoordJob> kCoordinatorJobColumns[] = {
    {"id", &CoordJob::id},
    {"app_name", &CoordJob::app_name},
    {"app_path", &CoordJob::app_path},
    {"user_name", &CoordJob::user},
    {"status", &CoordJob::status},
    {"conf", &CoordJob::conf},
    {"definition", &CoordJob::definition},
    {"frequency", &CoordJob::frequency},
    {"time_unit", &CoordJob::time_unit},
    {"timezone", &CoordJob::timezone},
    {"execution", &CoordJob::execution},
    {"concurrency", &CoordJob::concurrency},
    {"throttle", &CoordJob::throttle},
    {"timeout_minutes", &CoordJob::timeout_minutes},
    {"last_action_number", &CoordJob::last_action_number},
    {"error_message", &CoordJob::error_message},
    {"start_ms", &CoordJob::start_ms},
    {"end_ms", &CoordJob::end_ms},
    {"next_materialized_ms", &CoordJob::next_materialized_ms},
    {"pause_ms", &CoordJob::pause_ms},
    {"created_ms", &CoordJob::created_ms},
    {"last_modified_ms", &CoordJob::last_modified_ms},
    {"bundle_id", &CoordJob::bundle_id},
};

using BundleJob = BundleJobRecord;

const Column<BundleJob> kBundleJobColumns[] = {
    {"id", &BundleJob::id},
    {"app_name", &BundleJob::app_name},
    {"app_path", &BundleJob::app_path},
    {"user_name", &BundleJob::user},
    {"status", &BundleJob::status},
    {"conf", &BundleJob::conf},
    {"definition", &BundleJob::definition},
    {"error_message", &BundleJob::error_message},
    {"kickoff_ms", &BundleJob::kickoff_ms},
    {"created_ms", &BundleJob::created_ms},
    {"start_ms", &BundleJob::start_ms},
    {"end_ms", &BundleJob::end_ms},
    {"last_modified_ms", &BundleJob::last_modified_ms},
};

const Column<CoordAction> kCoordinatorActionColumns[] = {
    {"id", &CoordAction::id},
    {"job_id", &CoordAction::job_id},
    {"action_number", &CoordAction::action_number},
    {"status", &CoordAction::status},
    {"external_id", &CoordAction::external_id},
    {"external_status", &CoordAction::external_status},
    {"run_conf", &CoordAction::run_conf},
    {"missing_dependencies", &CoordAction::missing_dependencies},
    {"data_instances", &CoordAction::data_instances},
    {"error_code", &CoordAction::error_code},
    {"error_message", &CoordAction::error_message},
    {"nominal_ms", &CoordAction::nominal_ms},
    {"created_ms", &CoordAction::created_ms},
    {"last_modified_ms", &CoordAction::last_modified_ms},
};

template <typename Record>
std::string ColumnList(std::span<const Column<Record>> columns) {
  std::string out;
  for (const auto& column : columns) {
    if (!out.empty()) out += ", ";
    out += column.name;
  }
  return out;
}

template <typename Record>
std::string UpsertSql(const char* table, std::span<const Column<Record>> columns, SqlDialect dialect) {
  const char* mark = dialect == SqlDialect::kPostgres ? "$" : "?";
  std::string placeholders;
  std::string updates;
  for (size_t i = 0; i < columns.size(); ++i) {
    placeholders += (i == 0 ? "" : ", ") + std::string(mark) + std::to_string(i + 1);
    if (i == 0) continue;  // the key is what conflicted
    if (!updates.empty()) updates += ", ";
    updates += std::string(columns[i].name) + " = excluded." + columns[i].name;
  }
  return std::string("INSERT INTO ") + table + " (" + ColumnList(columns) + ") VALUES (" + placeholders +
         ") ON CONFLICT(id) DO UPDATE SET " + updates;
}

template <typename Record>
void Bind(RowBinder& stmt, std::span<const Column<Record>> columns, const Record& record) {
  int index = 1;
  for (const auto& column : columns) {
    std::visit(
        [&](auto member) {
          using Field = std::remove_cvref_t<decltype(record.*member)>;
          if constexpr (std::is_same_v<Field, std::string>) {
            stmt.BindText(index, record.*member);
          } else {
            stmt.BindInt64(index, static_cast<int64_t>(record.*member));
          }
        },
        column.member);
    ++index;
  }
}

template <typename Record>
Record Read(const RowReader& stmt, std::span<const Column<Record>> columns) {
  Record record;
  int col = 0;
  for (const auto& column : columns) {
    std::visit(
        [&](auto member) {
          using Field = std::remove_cvref_t<decltype(record.*member)>;
          if constexpr (std::is_same_v<Field, std::string>) {
            record.*member = stmt.ColumnText(col);
          } else {
            record.*member = static_cast<Field>(stmt.ColumnInt64(col));
          }
        },
        column.member);
    ++col;
  }
  return record;
}

}  // namespace

const std::string& JobColumnList() {
  static const std::string kList = ColumnList<Job>(kJobColumns);
  return kList;
}

const std::string& ActionColumnList() {
  static const std::string kList = ColumnList<Action>(kActionColumns);
  return kList;
}

const std::string& JobUpsertSql(SqlDialect dialect) {
  static const std::string kSqlite = UpsertSql<Job>("workflow_jobs", kJobColumns, SqlDialect::kSqlite);
  static const std::string kPostgres = UpsertSql<Job>("workflow_jobs", kJobColumns, SqlDialect::kPostgres);
  return dialect == SqlDialect::kPostgres ? kPostgres : kSqlite;
}

const std::string& ActionUpsertSql(SqlDialect dialect) {
  static const std::string kSqlite = UpsertSql<Action>("workflow_actions", kActionColumns, SqlDialect::kSqlite);
  static const std::string kPostgres = UpsertSql<Action>("workflow_actions", kActionColumns, SqlDialect::kPostgres);
  return dialect == SqlDialect::kPostgres ? kPostgres : kSqlite;
}

void BindJob(RowBinder& stmt, const WorkflowJobRecord& job) { Bind<Job>(stmt, kJobColumns, job); }

void BindAction(RowBinder& stmt, const WorkflowActionRecord& action) {
  Bind<Action>(stmt, kActionColumns, action);
}

WorkflowJobRecord ReadJob(const RowReader& stmt) { return Read<Job>(stmt, kJobColumns); }

WorkflowActionRecord ReadAction(const RowReader& stmt) { return Read<Action>(stmt, kActionColumns); }

const std::string& CoordinatorJobColumnList() {
  static const std::string kList = ColumnList<CoordJob>(kCoordinatorJobColumns);
  return kList;
}

const std::string& CoordinatorActionColumnList() {
  static const std::string kList = ColumnList<CoordAction>(kCoordinatorActionColumns);
  return kList;
}

const std::string& CoordinatorJobUpsertSql(SqlDialect dialect) {
  static const std::string kSqlite = UpsertSql<CoordJob>("coordinator_jobs", kCoordinatorJobColumns, SqlDialect::kSqlite);
  static const std::string kPostgres = UpsertSql<CoordJob>("coordinator_jobs", kCoordinatorJobColumns, SqlDialect::kPostgres);
  return dialect == SqlDialect::kPostgres ? kPostgres : kSqlite;
}

const std::string& CoordinatorActionUpsertSql(SqlDialect dialect) {
  static const std::string kSqlite = UpsertSql<CoordAction>("coordinator_actions", kCoordinatorActionColumns, SqlDialect::kSqlite);
  static const std::string kPostgres = UpsertSql<CoordAction>("coordinator_actions", kCoordinatorActionColumns, SqlDialect::kPostgres);
  return dialect == SqlDialect::kPostgres ? kPostgres : kSqlite;
}

void BindCoordinatorJob(RowBinder& stmt, const CoordinatorJobRecord& job) {
  Bind<CoordJob>(stmt, kCoordinatorJobColumns, job);
}

void BindCoordinatorAction(RowBinder& stmt, const CoordinatorActionRecord& action) {
  Bind<CoordAction>(stmt, kCoordinatorActionColumns, action);
}

CoordinatorJobRecord ReadCoordinatorJob(const RowReader& stmt) {
  return Read<CoordJob>(stmt, kCoordinatorJobColumns);
}

CoordinatorActionRecord ReadCoordinatorAction(const RowReader& stmt) {
  return Read<CoordAction>(stmt, kCoordinatorActionColumns);
}

const std::string& BundleJobColumnList() {
  static const std::string kList = ColumnList<BundleJob>(kBundleJobColumns);
  return kList;
}

const std::string& BundleJobUpsertSql(SqlDialect dialect) {
  static const std::string kSqlite = UpsertSql<BundleJob>("bundle_jobs", kBundleJobColumns, SqlDialect::kSqlite);
  static const std::string kPostgres = UpsertSql<BundleJob>("bundle_jobs", kBundleJobColumns, SqlDialect::kPostgres);
  return dialect == SqlDialect::kPostgres ? kPostgres : kSqlite;
}

void BindBundleJob(RowBinder& stmt, const BundleJobRecord& job) { Bind<BundleJob>(stmt, kBundleJobColumns, job); }

BundleJobRecord ReadBundleJob(const RowReader& stmt) { return Read<BundleJob>(stmt, kBundleJobColumns); }

// The registry's rows, selected with kModelVersionColumns / kModelEventColumns.
ModelVersionRecord ReadModelVersion(const RowReader& row) {
  ModelVersionRecord record;
  record.model = row.ColumnText(0);
  record.version = static_cast<int>(row.ColumnInt64(1));
  record.bundle_uri = row.ColumnText(2);
  record.stage = row.ColumnText(3);
  record.metrics = row.ColumnText(4);
  record.lineage = row.ColumnText(5);
  record.registered_by = row.ColumnText(6);
  record.created_ms = row.ColumnInt64(7);
  record.stage_changed_ms = row.ColumnInt64(8);
  return record;
}

ModelEventRecord ReadModelEvent(const RowReader& row) {
  ModelEventRecord record;
  record.id = row.ColumnInt64(0);
  record.model = row.ColumnText(1);
  record.version = static_cast<int>(row.ColumnInt64(2));
  record.previous_version = static_cast<int>(row.ColumnInt64(3));
  record.kind = row.ColumnText(4);
  record.actor = row.ColumnText(5);
  record.reason = row.ColumnText(6);
  record.created_ms = row.ColumnInt64(7);
  return record;
}

// The outbox and SLA rows, selected with kOutboxColumns / kSlaColumns.
NotificationRecord ReadNotification(const RowReader& row) {
  NotificationRecord record;
  record.id = row.ColumnInt64(0);
  record.url = row.ColumnText(1);
  record.subject_id = row.ColumnText(2);
  record.status = row.ColumnText(3);
  record.attempts = static_cast<int>(row.ColumnInt64(4));
  record.next_attempt_ms = row.ColumnInt64(5);
  record.created_ms = row.ColumnInt64(6);
  record.last_error = row.ColumnText(7);
  record.method = row.ColumnText(8);
  record.body = row.ColumnText(9);
  return record;
}

SlaEventRecord ReadSlaEvent(const RowReader& row) {
  SlaEventRecord event;
  event.subject_id = row.ColumnText(0);
  event.event = row.ColumnText(1);
  event.job_id = row.ColumnText(2);
  event.app_type = row.ColumnText(3);
  event.app_name = row.ColumnText(4);
  event.nominal_ms = row.ColumnInt64(5);
  event.expected_ms = row.ColumnInt64(6);
  event.actual_ms = row.ColumnInt64(7);
  event.created_ms = row.ColumnInt64(8);
  event.detail = row.ColumnText(9);
  return event;
}

}  // namespace refinery::store
