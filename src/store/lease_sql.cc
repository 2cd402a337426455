#include "store/lease_sql.h"

#include <array>

namespace refinery::store {
namespace {

constexpr char kNowSqlite[] = "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)";
constexpr char kNowPostgres[] = "(extract(epoch FROM clock_timestamp()) * 1000)::bigint";
constexpr char kLeaseColumns[] = "resource, owner, fence, expires_ms, acquired_ms";

// The owner changes only when the lease expired or `steal_from` holds it;
// the fence moves with every change of owner, never on a renewal.
constexpr char kAcquire[] =
    "INSERT INTO leases (resource, owner, fence, expires_ms, acquired_ms) "
    "VALUES ($1, $2, 1, {now} + CAST($3 AS BIGINT), {now}) "
    "ON CONFLICT (resource) DO UPDATE SET "
    "fence = CASE WHEN leases.owner = excluded.owner THEN leases.fence ELSE leases.fence + 1 END, "
    "acquired_ms = CASE WHEN leases.owner = excluded.owner THEN leases.acquired_ms ELSE excluded.acquired_ms END, "
    "owner = excluded.owner, expires_ms = excluded.expires_ms "
    "WHERE leases.expires_ms <= {now} OR leases.owner = excluded.owner "
    "OR (CAST($4 AS TEXT) <> '' AND leases.owner = CAST($4 AS TEXT)) "
    "RETURNING resource, owner, fence, expires_ms, acquired_ms, {now}";

std::string Render(std::string sql, SqlDialect dialect) {
  const std::string now = dialect == SqlDialect::kPostgres ? kNowPostgres : kNowSqlite;
  for (size_t at = sql.find("{now}"); at != std::string::npos; at = sql.find("{now}", at + now.size())) {
    sql.replace(at, 5, now);
  }
  if (dialect == SqlDialect::kSqlite) {
    for (char& c : sql) {
      if (c == '$') c = '?';
    }
  }
  return sql;
}

std::string Source(LeaseSql which, SqlDialect dialect) {
  const std::string columns = kLeaseColumns;
  switch (which) {
    case LeaseSql::kAcquire:
      return kAcquire;
    case LeaseSql::kHolder:
      return "SELECT " + columns + ", {now} FROM leases WHERE resource = $1";
    case LeaseSql::kRelease:
      return "DELETE FROM leases WHERE resource = $1 AND owner = $2";
    case LeaseSql::kRenew:
      return "UPDATE leases SET expires_ms = {now} + CAST($2 AS BIGINT) WHERE owner = $1 RETURNING resource";
    case LeaseSql::kHeartbeat:
      return "UPDATE processes SET heartbeat_ms = {now} WHERE id = $1";
    case LeaseSql::kRegister:
      return "INSERT INTO processes (id, host, pid, url, started_ms, heartbeat_ms) "
             "VALUES ($1, $2, CAST($3 AS BIGINT), $4, {now}, {now}) "
             "ON CONFLICT (id) DO UPDATE SET host = excluded.host, pid = excluded.pid, url = excluded.url, "
             "heartbeat_ms = excluded.heartbeat_ms";
    case LeaseSql::kUnregister:
      return "DELETE FROM processes WHERE id = $1";
    case LeaseSql::kReleaseAll:
      return "DELETE FROM leases WHERE owner = $1";
    case LeaseSql::kListProcesses:
      return "SELECT id, host, pid, url, started_ms, heartbeat_ms FROM processes ORDER BY id";
    case LeaseSql::kListLeases:
      return "SELECT " + columns +
             ", {now} FROM leases WHERE substr(resource, 1, length(CAST($1 AS TEXT))) = CAST($1 AS TEXT) "
             "ORDER BY resource";
    case LeaseSql::kFence:
      return dialect == SqlDialect::kPostgres ? "SELECT owner, fence FROM leases WHERE resource = $1 FOR SHARE"
                                              : "SELECT owner, fence FROM leases WHERE resource = $1";
    case LeaseSql::kCoordinatorPosition:
      return dialect == SqlDialect::kPostgres
                 ? "SELECT last_action_number FROM coordinator_jobs WHERE id = $1 FOR UPDATE"
                 : "SELECT last_action_number FROM coordinator_jobs WHERE id = $1";
  }
  return "";
}

constexpr int kStatements = static_cast<int>(LeaseSql::kCoordinatorPosition) + 1;

}  // namespace

const std::string& LeaseStatement(LeaseSql which, SqlDialect dialect) {
  static const auto* rendered = [] {
    auto* all = new std::array<std::array<std::string, kStatements>, 2>();
    for (int i = 0; i < kStatements; ++i) {
      (*all)[0][i] = Render(Source(static_cast<LeaseSql>(i), SqlDialect::kSqlite), SqlDialect::kSqlite);
      (*all)[1][i] = Render(Source(static_cast<LeaseSql>(i), SqlDialect::kPostgres), SqlDialect::kPostgres);
    }
    return all;
  }();
  return (*rendered)[dialect == SqlDialect::kPostgres ? 1 : 0][static_cast<int>(which)];
}

LeaseRecord ReadLease(const RowReader& row) {
  LeaseRecord lease;
  lease.resource = row.ColumnText(0);
  lease.owner = row.ColumnText(1);
  lease.fence = row.ColumnInt64(2);
  lease.expires_ms = row.ColumnInt64(3);
  lease.acquired_ms = row.ColumnInt64(4);
  lease.now_ms = row.ColumnInt64(5);
  return lease;
}

ProcessRecord ReadProcess(const RowReader& row) {
  ProcessRecord process;
  process.id = row.ColumnText(0);
  process.host = row.ColumnText(1);
  process.pid = row.ColumnInt64(2);
  process.url = row.ColumnText(3);
  process.started_ms = row.ColumnInt64(4);
  process.heartbeat_ms = row.ColumnInt64(5);
  return process;
}

Status LeaseHeldError(const std::string& resource, const LeaseRecord& holder) {
  return Status::FailedPrecondition("lease [" + resource + "] is held by [" + holder.owner + "] for another " +
                                        std::to_string(holder.expires_ms - holder.now_ms) +
                                        " ms; it is taken over only after it expires",
                                    kStoreLeaseHeldCode);
}

Status FencedError(const LeaseFence& fence, const std::string& holder, int64_t holder_fence) {
  const std::string now_held = holder.empty()
                                   ? "nobody holds it now"
                                   : "it is now held by [" + holder + "] with fence " + std::to_string(holder_fence);
  return Status::FailedPrecondition("write fenced: [" + fence.owner + "] no longer holds lease [" + fence.resource +
                                        "] with fence " + std::to_string(fence.fence) + " (" + now_held +
                                        "); the batch was not written",
                                    kStoreFencedCode);
}

Status CoordinatorMovedError(const WriteBatch& batch, int64_t stored) {
  return Status::FailedPrecondition("coordinator [" + batch.guarded_coordinator + "] materialized up to action " +
                                        std::to_string(stored) + " while this pass expected " +
                                        std::to_string(batch.expected_last_action_number) +
                                        " (another scheduler was quicker); nothing was written",
                                    kStoreConflictCode);
}

}  // namespace refinery::store
