// Logging for the process (stderr and an optional file). Job and action logs
// are not written here: they go through the engine's observers to the store.
#pragma once

#include <string>

namespace refinery {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

void SetLogLevel(LogLevel level);
void Log(LogLevel level, const std::string& message);  // thread-safe

}  // namespace refinery
