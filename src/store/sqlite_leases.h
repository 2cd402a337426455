// The processes and leases tables of the SQLite store (store.h, "Processes
// and leases"). Not thread-safe: SqliteStore calls it under its mutex, on
// its connection. The clock is the local one; on one host every process
// shares it.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/lease_sql.h"
#include "store/sqlite_db.h"
#include "store/store.h"

namespace refinery::store::sqlite {

class LeaseTable {
 public:
  explicit LeaseTable(Database* db) : db_(db) {}

  Result<LeaseRecord> Acquire(const std::string& resource, const std::string& owner, int64_t ttl_ms,
                              const std::string& steal_from);
  Status Release(const std::string& resource, const std::string& owner);
  Result<std::vector<std::string>> Renew(const std::string& owner, int64_t ttl_ms);
  Status Register(const ProcessRecord& process);
  Status Unregister(const std::string& id);
  Result<std::vector<ProcessRecord>> ListProcesses();
  Result<std::vector<LeaseRecord>> ListLeases(const std::string& prefix);
  // Inside the caller's write transaction: STORE_FENCED unless every fence holds.
  Status CheckFences(const std::vector<LeaseFence>& fences);
  // Likewise: STORE_CONFLICT unless WriteBatch::guarded_coordinator holds.
  Status CheckCoordinatorGuard(const WriteBatch& batch);

 private:
  Statement& Get(LeaseSql which);
  Status InTransaction(const char* what, const std::function<Status()>& body);

  Database* db_;
  std::map<LeaseSql, Statement> statements_;
};

}  // namespace refinery::store::sqlite
