#include "engine/process_token.h"

#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace refinery::engine::internal {
namespace {

// Field 22 of /proc/<pid>/stat: start time in clock ticks since boot.
std::string ProcessStartTime(long pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // The command name (field 2) may contain spaces; fields after it follow ") ".
  const auto close = content.rfind(')');
  if (close == std::string::npos) return "";
  std::istringstream fields(content.substr(close + 2));
  std::string field;
  for (int index = 3; fields >> field; ++index) {
    if (index == 22) return field;
  }
  return "";
}

}  // namespace

std::string CurrentProcessToken() {
  const long pid = static_cast<long>(getpid());
  return std::to_string(pid) + ":" + ProcessStartTime(pid);
}

std::string CurrentHostName() {
  // Read once: takeover scans ask for it per lease.
  static const std::string host = [] {
    char name[256] = {};
    if (gethostname(name, sizeof(name) - 1) != 0 || name[0] == '\0') return std::string("localhost");
    return std::string(name);
  }();
  return host;
}

std::string CurrentProcessId() { return CurrentHostName() + ":" + CurrentProcessToken(); }

bool ProcessIdProvedDead(const std::string& process_id) {
  const std::string host = CurrentHostName() + ":";
  if (process_id.rfind(host, 0) != 0) return false;
  return !ProcessTokenAlive(process_id.substr(host.size()));
}

bool ProcessTokenAlive(const std::string& token) {
  const auto colon = token.find(':');
  if (colon == std::string::npos) return false;
  const long pid = std::atol(token.substr(0, colon).c_str());
  if (pid <= 0 || kill(static_cast<pid_t>(pid), 0) != 0) return false;
  return ProcessStartTime(pid) == token.substr(colon + 1);
}

}  // namespace refinery::engine::internal
