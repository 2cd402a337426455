#include "store/sqlite_leases.h"

#include <functional>

namespace refinery::store::sqlite {

Statement& LeaseTable::Get(LeaseSql which) {
  auto it = statements_.find(which);
  if (it == statements_.end()) {
    it = statements_.emplace(which, db_->PrepareLazily(LeaseStatement(which, SqlDialect::kSqlite))).first;
  }
  return it->second;
}

// IMMEDIATE: the write lock first, so two processes never both read and
// then both write.
Status LeaseTable::InTransaction(const char* what, const std::function<Status()>& body) {
  REFINERY_RETURN_IF_ERROR(db_->Exec("BEGIN IMMEDIATE", std::string("begin ") + what));
  Status status = body();
  if (status.ok()) status = db_->Exec("COMMIT", std::string("commit ") + what);
  if (!status.ok() && db_->InTransaction()) (void)db_->Exec("ROLLBACK", "roll back");  // the first error counts
  return status;
}

Result<LeaseRecord> LeaseTable::Acquire(const std::string& resource, const std::string& owner, int64_t ttl_ms,
                                        const std::string& steal_from) {
  {
    Statement& acquire = Get(LeaseSql::kAcquire);
    ScopedReset reset(&acquire);
    acquire.BindText(1, resource);
    acquire.BindText(2, owner);
    acquire.BindInt64(3, ttl_ms);
    acquire.BindText(4, steal_from);
    REFINERY_ASSIGN_OR_RETURN(bool row, acquire.Step("acquire lease [" + resource + "]"));
    if (row) {
      LeaseRecord lease = ReadLease(acquire);
      REFINERY_RETURN_IF_ERROR(acquire.Run("acquire lease [" + resource + "]"));
      return lease;
    }
  }
  Statement& holder = Get(LeaseSql::kHolder);
  ScopedReset reset(&holder);
  holder.BindText(1, resource);
  REFINERY_ASSIGN_OR_RETURN(bool row, holder.Step("read lease [" + resource + "]"));
  return LeaseHeldError(resource, row ? ReadLease(holder) : LeaseRecord{});
}

Status LeaseTable::Release(const std::string& resource, const std::string& owner) {
  Statement& release = Get(LeaseSql::kRelease);
  ScopedReset reset(&release);
  release.BindText(1, resource);
  release.BindText(2, owner);
  return release.Run("release lease [" + resource + "]");
}

Result<std::vector<std::string>> LeaseTable::Renew(const std::string& owner, int64_t ttl_ms) {
  std::vector<std::string> held;
  REFINERY_RETURN_IF_ERROR(InTransaction("lease renewal", [&]() -> Status {
    {
      Statement& renew = Get(LeaseSql::kRenew);
      ScopedReset reset(&renew);
      renew.BindText(1, owner);
      renew.BindInt64(2, ttl_ms);
      for (;;) {
        REFINERY_ASSIGN_OR_RETURN(bool row, renew.Step("renew leases of [" + owner + "]"));
        if (!row) break;
        held.push_back(renew.ColumnText(0));
      }
    }
    Statement& heartbeat = Get(LeaseSql::kHeartbeat);
    ScopedReset reset(&heartbeat);
    heartbeat.BindText(1, owner);
    return heartbeat.Run("record the heartbeat of [" + owner + "]");
  }));
  return held;
}

Status LeaseTable::Register(const ProcessRecord& process) {
  Statement& insert = Get(LeaseSql::kRegister);
  ScopedReset reset(&insert);
  insert.BindText(1, process.id);
  insert.BindText(2, process.host);
  insert.BindInt64(3, process.pid);
  insert.BindText(4, process.url);
  return insert.Run("register process [" + process.id + "]");
}

Status LeaseTable::Unregister(const std::string& id) {
  return InTransaction("unregister process", [&]() -> Status {
    {
      Statement& release = Get(LeaseSql::kReleaseAll);
      ScopedReset reset(&release);
      release.BindText(1, id);
      REFINERY_RETURN_IF_ERROR(release.Run("release the leases of [" + id + "]"));
    }
    Statement& remove = Get(LeaseSql::kUnregister);
    ScopedReset reset(&remove);
    remove.BindText(1, id);
    return remove.Run("unregister process [" + id + "]");
  });
}

Result<std::vector<ProcessRecord>> LeaseTable::ListProcesses() {
  Statement& list = Get(LeaseSql::kListProcesses);
  ScopedReset reset(&list);
  std::vector<ProcessRecord> processes;
  for (;;) {
    REFINERY_ASSIGN_OR_RETURN(bool row, list.Step("list processes"));
    if (!row) return processes;
    processes.push_back(ReadProcess(list));
  }
}

Result<std::vector<LeaseRecord>> LeaseTable::ListLeases(const std::string& prefix) {
  Statement& list = Get(LeaseSql::kListLeases);
  ScopedReset reset(&list);
  list.BindText(1, prefix);
  std::vector<LeaseRecord> leases;
  for (;;) {
    REFINERY_ASSIGN_OR_RETURN(bool row, list.Step("list leases"));
    if (!row) return leases;
    leases.push_back(ReadLease(list));
  }
}

Status LeaseTable::CheckFences(const std::vector<LeaseFence>& fences) {
  for (const LeaseFence& fence : fences) {
    Statement& read = Get(LeaseSql::kFence);
    ScopedReset reset(&read);
    read.BindText(1, fence.resource);
    REFINERY_ASSIGN_OR_RETURN(bool row, read.Step("check lease [" + fence.resource + "]"));
    const std::string holder = row ? read.ColumnText(0) : "";
    const int64_t holder_fence = row ? read.ColumnInt64(1) : 0;
    if (holder != fence.owner || holder_fence != fence.fence) return FencedError(fence, holder, holder_fence);
  }
  return Status::Ok();
}

Status LeaseTable::CheckCoordinatorGuard(const WriteBatch& batch) {
  if (batch.guarded_coordinator.empty()) return Status::Ok();
  Statement& read = Get(LeaseSql::kCoordinatorPosition);
  ScopedReset reset(&read);
  read.BindText(1, batch.guarded_coordinator);
  REFINERY_ASSIGN_OR_RETURN(bool row, read.Step("read coordinator [" + batch.guarded_coordinator + "]"));
  const int64_t stored = row ? read.ColumnInt64(0) : 0;
  if (stored == batch.expected_last_action_number) return Status::Ok();
  return CoordinatorMovedError(batch, stored);
}

}  // namespace refinery::store::sqlite
