#include "core/job_id.h"

#include <pwd.h>
#include <unistd.h>

#include <fmt/format.h>

#include "core/time_format.h"

namespace refinery {

JobIdGenerator::JobIdGenerator(std::string system_id, TimePoint start)
    : system_id_(std::move(system_id)), start_segment_(FormatCompactStartTime(start)) {}

std::string JobIdGenerator::Next(JobKind kind) {
  const uint64_t n = counter_.fetch_add(1);
  const char suffix = kind == JobKind::kWorkflow ? 'W' : kind == JobKind::kCoordinator ? 'C' : 'B';
  return fmt::format("{:07d}-{}-{}-{}", n, start_segment_, system_id_, suffix);
}

std::string ActionId(const std::string& job_id, const std::string& node_name) {
  return job_id + "@" + node_name;
}

std::string CurrentUserName() {
  if (const char* user = std::getenv("USER"); user != nullptr && *user != '\0') return user;
  if (const passwd* pw = getpwuid(geteuid()); pw != nullptr && pw->pw_name != nullptr) return pw->pw_name;
  return "unknown";
}

}  // namespace refinery
