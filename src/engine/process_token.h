// Identifies a live process across pid reuse: "<pid>:<start time>". Engines
// stamp the jobs they run with it so a second process sharing the data home
// recovers only jobs whose owner is gone. Internal to the engine.
#pragma once

#include <string>

namespace refinery::engine::internal {

std::string CurrentProcessToken();
// False when the process named by `token` has exited (or the token is
// malformed); true when it is still running.
bool ProcessTokenAlive(const std::string& token);

}  // namespace refinery::engine::internal
