// Leases of the jobs an engine runs, so several processes can share one
// store (doc/operations.md, "Several servers"): claiming, renewing, losing
// and taking over, and the fences every batch carries.
#include <unistd.h>

#include <algorithm>
#include <set>

#include "core/log.h"
#include "engine/engine_impl.h"

namespace refinery::engine {
namespace {

int64_t TtlMs(const EngineOptions& options) { return std::max<int64_t>(1, options.lease_ttl.count()); }

// Every job id a batch writes rows for.
std::set<std::string> JobsOf(const store::WriteBatch& batch) {
  std::set<std::string> ids;
  for (const auto& job : batch.jobs) ids.insert(job.id);
  for (const auto& action : batch.actions) ids.insert(action.job_id);
  for (const auto& [job_id, line] : batch.log_lines) ids.insert(job_id);
  for (const auto& event : batch.sla_events) ids.insert(event.job_id);
  return ids;
}

// The subject of a notification is a job id or <job id>@<action>.
std::string JobOfSubject(const std::string& subject) { return subject.substr(0, subject.find('@')); }

}  // namespace

Status Engine::Impl::Claim(const std::string& job_id) {
  {
    std::lock_guard<std::mutex> lock(lease_mu);
    auto old = lost.find(job_id);
    if (old != lost.end()) {
      if (!old->second.expired()) {
        return Status::FailedPrecondition("job [" + job_id +
                                              "]: an action of its lost run is still stopping here; "
                                              "try again in a moment",
                                          store::kStoreLeaseHeldCode);
      }
      lost.erase(old);
    }
  }
  const std::string resource = LeaseOf(job_id);
  auto lease = env.store->AcquireLease(resource, process_id, TtlMs(options));
  if (!lease.ok() && lease.status().error_code() == store::kStoreLeaseHeldCode) {
    auto holders = env.store->ListLeases(resource);
    if (holders.ok()) {
      for (const store::LeaseRecord& holder : *holders) {
        if (holder.resource == resource && internal::ProcessIdProvedDead(holder.owner)) {
          lease = env.store->AcquireLease(resource, process_id, TtlMs(options), holder.owner);
        }
      }
    }
  }
  if (!lease.ok()) return lease.status();
  std::lock_guard<std::mutex> lock(lease_mu);
  fences[job_id] = lease->fence;
  return Status::Ok();
}

bool Engine::Impl::OwnedByAnotherLiveProcess(const std::string& job_id) {
  const std::string resource = LeaseOf(job_id);
  auto leases = env.store->ListLeases(resource);
  if (!leases.ok()) return false;
  for (const store::LeaseRecord& lease : *leases) {
    if (lease.resource != resource || lease.owner == process_id) continue;
    if (lease.expires_ms <= lease.now_ms || internal::ProcessIdProvedDead(lease.owner)) continue;
    return true;
  }
  return false;
}

void Engine::Impl::DropJobLocked(const std::string& job_id, const std::string& why) {
  std::shared_ptr<JobRuntime> runtime;
  auto it = jobs.find(job_id);
  if (it != jobs.end()) {
    runtime = it->second;
    for (auto& [node, cancel] : runtime->running) cancel->Cancel();
    jobs.erase(it);
  }
  {
    std::lock_guard<std::mutex> lock(lease_mu);
    fences.erase(job_id);
    lost[job_id] = runtime;
  }
  Log(LogLevel::kWarn, "job " + job_id + ": lost its lease (" + why +
                           "); another process runs it now, so this one stopped running it and writes nothing "
                           "more for it");
  job_cv.notify_all();
}

void Engine::Impl::Fence(Effects& effects) {
  std::lock_guard<std::mutex> lock(lease_mu);
  if (!lost.empty()) {
    auto is_lost = [this](const std::string& id) { return lost.count(id) > 0; };
    store::WriteBatch& batch = effects.batch;
    std::erase_if(batch.jobs, [&](const auto& job) { return is_lost(job.id); });
    std::erase_if(batch.actions, [&](const auto& action) { return is_lost(action.job_id); });
    std::erase_if(batch.log_lines, [&](const auto& line) { return is_lost(line.first); });
    std::erase_if(batch.sla_events, [&](const auto& event) { return is_lost(event.job_id); });
    std::erase_if(batch.notifications, [&](const auto& note) { return is_lost(JobOfSubject(note.subject_id)); });
    std::erase_if(effects.runs, [&](const auto& run) { return is_lost(run.job_id); });
    std::erase_if(effects.events, [&](const auto& event) { return is_lost(event.job_id); });
  }
  for (const std::string& id : JobsOf(effects.batch)) {
    auto fence = fences.find(id);
    if (fence != fences.end()) effects.batch.fences.push_back({LeaseOf(id), process_id, fence->second});
  }
}

void Engine::Impl::DropFencedLocked(const Effects& effects) {
  for (const store::LeaseFence& fence : effects.batch.fences) {
    auto leases = env.store->ListLeases(fence.resource);
    bool held = false;
    if (leases.ok()) {
      for (const auto& lease : *leases) {
        held = held || (lease.resource == fence.resource && lease.owner == process_id && lease.fence == fence.fence);
      }
    }
    if (!held) DropJobLocked(fence.resource.substr(sizeof("workflow:") - 1), "a write was fenced");
  }
}

void Engine::Impl::ReleaseLocked(const std::string& job_id) {
  {
    std::lock_guard<std::mutex> lock(lease_mu);
    if (fences.erase(job_id) == 0) return;
  }
  (void)env.store->ReleaseLease(LeaseOf(job_id), process_id);  // an expired lease frees itself anyway
}

Result<std::vector<std::string>> Engine::Impl::TakeOverOrphans() {
  REFINERY_ASSIGN_OR_RETURN(auto ids, env.store->ListUnfinishedJobIds());
  REFINERY_ASSIGN_OR_RETURN(auto leases, env.store->ListLeases("workflow:"));
  std::map<std::string, store::LeaseRecord> holders;
  for (auto& lease : leases) holders[lease.resource] = std::move(lease);
  std::vector<std::string> recovered;
  for (const std::string& id : ids) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (stopping || jobs.count(id) > 0) continue;
    }
    auto holder = holders.find(LeaseOf(id));
    const bool held_elsewhere = holder != holders.end() && holder->second.owner != process_id;
    if (held_elsewhere && holder->second.expires_ms > holder->second.now_ms &&
        !internal::ProcessIdProvedDead(holder->second.owner)) {
      continue;
    }
    auto before = env.store->GetJob(id);
    if (!before.ok() || before->status != "RUNNING") continue;
    if (!Claim(id).ok()) continue;  // another process was quicker
    // Read again under the lease: the last owner may have written meanwhile.
    auto record = env.store->GetJob(id);
    auto job = record.ok() ? LoadRuntime(*record) : Result<std::shared_ptr<JobRuntime>>(record.status());
    std::lock_guard<std::mutex> lock(mu);
    if (!job.ok() || (*job)->record.status != "RUNNING" || jobs.count(id) > 0) {
      if (!job.ok()) Log(LogLevel::kError, "could not recover job " + id + ": " + job.status().ToString());
      if (jobs.count(id) == 0) ReleaseLocked(id);
      continue;
    }
    jobs[id] = *job;
    Effects effects;
    if (held_elsewhere) {
      ++takeovers;
      JobLog(**job, "", "Taken over from process [" + holder->second.owner + "] by [" + process_id + "]", effects);
      Log(LogLevel::kInfo, "job " + id + ": taken over from process " + holder->second.owner);
    } else {
      JobLog(**job, "", "Recovering job after a restart", effects);
    }
    Replay(**job, /*recovering=*/true, effects);
    Commit(effects);
    recovered.push_back(id);
  }
  return recovered;
}

// Removes the rows of processes on this host that exited, and of any whose
// heartbeat is `stale_ms` older than ours (their leases have all expired).
void Engine::Impl::ForgetStaleProcesses(int64_t stale_ms) {
  auto processes = env.store->ListProcesses();
  if (!processes.ok()) return;
  int64_t own_heartbeat = 0;  // the store's clock, just renewed
  for (const auto& process : *processes) {
    if (process.id == process_id) own_heartbeat = process.heartbeat_ms;
  }
  if (own_heartbeat == 0) {
    // Another process found this one stale (it was stopped or cut off for
    // long) and removed its row: show up again.
    std::string announced;
    {
      std::lock_guard<std::mutex> lock(lease_mu);
      announced = url;
    }
    (void)owner->AnnounceUrl(announced);
  }
  for (const auto& process : *processes) {
    if (process.id == process_id) continue;
    const bool stale = own_heartbeat > 0 && own_heartbeat - process.heartbeat_ms > stale_ms;
    if (stale || internal::ProcessIdProvedDead(process.id)) (void)env.store->UnregisterProcess(process.id);
  }
}

void Engine::Impl::KeepLeases() {
  const auto period = std::chrono::milliseconds(std::max<int64_t>(1, TtlMs(options) / 3));
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu);
      stop_cv.wait_for(lock, period, [this] { return stopping; });
      if (stopping) return;
    }
    std::map<std::string, int64_t> mine;
    {
      std::lock_guard<std::mutex> lock(lease_mu);
      mine = fences;
    }
    auto held = env.store->RenewLeases(process_id, TtlMs(options));
    if (held.ok()) {
      const std::set<std::string> still(held->begin(), held->end());
      std::lock_guard<std::mutex> lock(mu);
      for (const auto& [id, fence] : mine) {
        if (still.count(LeaseOf(id)) > 0) continue;
        bool unchanged = false;
        {
          std::lock_guard<std::mutex> leases_lock(lease_mu);
          auto now = fences.find(id);
          unchanged = now != fences.end() && now->second == fence;
        }
        if (unchanged) DropJobLocked(id, "it expired and another process took it");
      }
    } else {
      Log(LogLevel::kWarn, "could not renew leases: " + held.status().ToString());
    }
    if (options.take_over_orphans) {
      auto taken = TakeOverOrphans();
      if (!taken.ok()) Log(LogLevel::kWarn, "could not look for jobs to take over: " + taken.status().ToString());
    }
    if (held.ok()) ForgetStaleProcesses(5 * TtlMs(options));
  }
}

// Engines of one process share its id, so the process row (and with it the
// scheduler lease) goes only with the last engine on that store; each
// engine releases just its own jobs' leases.
namespace {
std::mutex registrations_mu;
std::map<store::Store*, int>& Registrations() {
  static auto* registrations = new std::map<store::Store*, int>();
  return *registrations;
}
}  // namespace

void Engine::Impl::Register() {
  std::lock_guard<std::mutex> lock(registrations_mu);
  ++Registrations()[env.store];
}

void Engine::Impl::ReleaseAll() {
  std::map<std::string, int64_t> mine;
  {
    std::lock_guard<std::mutex> lock(lease_mu);
    mine.swap(fences);
  }
  for (const auto& [id, fence] : mine) (void)env.store->ReleaseLease(LeaseOf(id), process_id);
  std::lock_guard<std::mutex> lock(registrations_mu);
  if (--Registrations()[env.store] > 0) return;
  Registrations().erase(env.store);
  (void)env.store->UnregisterProcess(process_id);
}

// ---------------------------------------------------------------------------
// Public API

std::string Engine::ProcessId() const { return impl_->process_id; }

int64_t Engine::LeaseTakeovers() const { return impl_->takeovers.load(); }

std::chrono::milliseconds Engine::LeaseTtl() const { return impl_->options.lease_ttl; }

Status Engine::AnnounceUrl(const std::string& url) {
  std::call_once(impl_->registered, [this] { impl_->Register(); });
  {
    std::lock_guard<std::mutex> lock(impl_->lease_mu);
    impl_->url = url;
  }
  store::ProcessRecord process;
  process.id = impl_->process_id;
  process.host = internal::CurrentHostName();
  process.pid = static_cast<int64_t>(::getpid());
  process.url = url;
  return impl_->env.store->RegisterProcess(process);
}

}  // namespace refinery::engine
