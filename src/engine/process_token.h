// Identifies a live process across pid reuse: "<pid>:<start time>". Engines
// stamp the jobs they run with it so a second process sharing the data home
// recovers only jobs whose owner is gone. Internal to the engine.
#pragma once

#include <string>

namespace refinery::engine::internal {

std::string CurrentProcessToken();
// "<host>:<pid>:<start time>": this process in the store's processes and
// leases tables, unique across the hosts sharing a store.
std::string CurrentProcessId();
std::string CurrentHostName();
// True when `process_id` (a CurrentProcessId) names a process on this host
// that has exited, so its leases may be taken at once rather than after
// they expire. False for other hosts (only the lease says) and live ones.
bool ProcessIdProvedDead(const std::string& process_id);
// False when the process named by `token` has exited (or the token is
// malformed); true when it is still running.
bool ProcessTokenAlive(const std::string& token);

}  // namespace refinery::engine::internal
