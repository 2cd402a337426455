// Job ids in Oozie's shape: <7-digit counter>-<yyMMddHHmmssSSS>-<system id>-<W|C|B>,
// e.g. 0000001-210114070000000-refinery-joe-W. Action ids are <job>@<node>.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "core/clock.h"

namespace refinery {

enum class JobKind { kWorkflow, kCoordinator, kBundle };

class JobIdGenerator {
 public:
  // `system_id` is e.g. "refinery-joe"; `start` is the process start time,
  // which makes ids unique across restarts as Oozie's are.
  JobIdGenerator(std::string system_id, TimePoint start);
  std::string Next(JobKind kind);  // thread-safe

 private:
  std::string system_id_;
  std::string start_segment_;
  std::atomic<uint64_t> counter_{0};
};

std::string ActionId(const std::string& job_id, const std::string& node_name);

// The OS user running this process ("unknown" if it cannot be found).
std::string CurrentUserName();

}  // namespace refinery
