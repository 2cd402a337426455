// Text layouts that match Oozie's CLI closely enough that its users recognise
// them: `job -info`, `jobs`, and the time format "2021-01-14 07:05 GMT".
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/store.h"

namespace refinery::cli {

std::string FormatCliTime(int64_t epoch_ms);  // "-" when 0
std::string FormatJobInfo(const store::WorkflowJobRecord& job,
                          const std::vector<store::WorkflowActionRecord>& actions, bool verbose);
std::string FormatJobList(const store::JobPage& page);

// A bundle as the Oozie API shows it (serve::BundleJobToJson): `job -info`
// with its coordinators, and the `jobs -jobtype bundle` table.
std::string FormatBundleInfo(const nlohmann::json& bundle);
std::string FormatBundleList(const nlohmann::json& bundlejobs);
// A bundle dry run's answer (serve::DryRunBundle): Oozie's CLI layout (the
// resolved bundle.xml under "***coordJob after parsing: ***"), then each
// coordinator validated, and OK.
std::string FormatBundleDryRun(const nlohmann::json& answer);

}  // namespace refinery::cli
