// The SQL of the processes and leases tables (store.h, "Processes and
// leases"), written once for both backends: $N placeholders become SQLite's
// ?N, and "now" is the store's clock — PostgreSQL's server time, SQLite's
// local clock — so every process judges expiry by the same clock.
#pragma once

#include <string>

#include "store/row_io.h"
#include "store/store.h"

namespace refinery::store {

enum class LeaseSql {
  kAcquire,              // $1 resource, $2 owner, $3 ttl_ms, $4 steal_from -> a lease row (0 rows: held)
  kHolder,               // $1 resource -> a lease row
  kRelease,              // $1 resource, $2 owner
  kRenew,                // $1 owner, $2 ttl_ms -> resource
  kHeartbeat,            // $1 owner
  kRegister,             // $1 id, $2 host, $3 pid, $4 url
  kUnregister,           // $1 id
  kReleaseAll,           // $1 owner
  kListProcesses,        // -> process rows
  kListLeases,           // $1 prefix -> lease rows
  kFence,                // $1 resource -> owner, fence (PostgreSQL: FOR SHARE)
  kCoordinatorPosition,  // $1 coordinator job id -> last_action_number (PostgreSQL: FOR UPDATE)
};

const std::string& LeaseStatement(LeaseSql which, SqlDialect dialect);

// Rows of kAcquire, kHolder and kListLeases: resource, owner, fence,
// expires_ms, acquired_ms, now_ms.
LeaseRecord ReadLease(const RowReader& row);
// Rows of kListProcesses: id, host, pid, url, started_ms, heartbeat_ms.
ProcessRecord ReadProcess(const RowReader& row);

// The STORE_LEASE_HELD error of an acquire that found `holder`.
Status LeaseHeldError(const std::string& resource, const LeaseRecord& holder);
// The STORE_FENCED error of a batch whose `fence` no longer holds.
Status FencedError(const LeaseFence& fence, const std::string& holder, int64_t holder_fence);
// The STORE_CONFLICT error of a batch whose coordinator moved on to `stored`.
Status CoordinatorMovedError(const WriteBatch& batch, int64_t stored);

}  // namespace refinery::store
