// Logging for the process (stderr and an optional file). Job and action logs
// are not written here: they go through the engine's observers to the store.
#pragma once

#include <string>

namespace refinery {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

void SetLogLevel(LogLevel level);
// Also appends every line to `path` (created 0600); "" stops. False when the
// file cannot be opened.
bool SetLogFile(const std::string& path);
void Log(LogLevel level, const std::string& message);  // thread-safe

}  // namespace refinery
