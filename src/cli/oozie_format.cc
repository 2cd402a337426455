#include "cli/oozie_format.h"

#include <algorithm>
#include <sstream>

#include <fmt/format.h>

#include "core/time_format.h"

namespace refinery::cli {
namespace {

const std::string kRule(132, '-');

std::string OrDash(const std::string& value) { return value.empty() ? "-" : value; }

std::string Truncate(const std::string& value, size_t width) {
  if (value.size() < width) return value;
  return value.substr(0, width - 2) + "~";
}

}  // namespace

std::string FormatCliTime(int64_t epoch_ms) {
  if (epoch_ms == 0) return "-";
  const std::string iso = FormatOozieTime(FromEpochMillis(epoch_ms));  // yyyy-MM-ddTHH:mmZ
  return iso.substr(0, 10) + " " + iso.substr(11, 5) + " GMT";
}

std::string FormatJobInfo(const store::WorkflowJobRecord& job,
                          const std::vector<store::WorkflowActionRecord>& actions, bool verbose) {
  std::ostringstream out;
  out << "Job ID : " << job.id << "\n" << kRule << "\n";
  out << "Workflow Name : " << job.app_name << "\n";
  out << "App Path      : " << job.app_path << "\n";
  out << "Status        : " << job.status << "\n";
  out << "Run           : " << job.run << "\n";
  out << "User          : " << OrDash(job.user) << "\n";
  out << "Group         : " << OrDash(job.group) << "\n";
  out << "Created       : " << FormatCliTime(job.created_ms) << "\n";
  out << "Started       : " << FormatCliTime(job.start_ms) << "\n";
  out << "Last Modified : " << FormatCliTime(job.last_modified_ms) << "\n";
  out << "Ended         : " << FormatCliTime(job.end_ms) << "\n";
  out << "CoordAction ID: " << OrDash(job.parent_id.find("-C@") != std::string::npos ? job.parent_id : "") << "\n";
  if (!job.error_message.empty() && job.status != "SUCCEEDED") {
    out << "Error         : " << (job.error_code.empty() ? "" : job.error_code + ": ") << job.error_message << "\n";
  }
  out << "\nActions\n" << kRule << "\n";
  out << fmt::format("{:<80}{:<10}{:<23}{:<11}{:<10}", "ID", "Status", "Ext ID", "Ext Status", "Err Code")
      << "\n" << kRule << "\n";
  for (const auto& action : actions) {
    if (action.run != job.run) continue;
    out << fmt::format("{:<80}{:<10}{:<23}{:<11}{:<10}", action.id, action.status,
                       Truncate(OrDash(action.external_id), 23), OrDash(action.external_status),
                       OrDash(action.error_code))
        << "\n";
    if (verbose && !action.error_message.empty()) out << "    error: " << action.error_message << "\n";
  }
  out << kRule << "\n";
  return out.str();
}

std::string FormatJobList(const store::JobPage& page) {
  std::ostringstream out;
  out << fmt::format("{:<41}{:<13}{:<10}{:<10}{:<10}{:<24}{:<24}", "Job ID", "App Name", "Status", "User",
                     "Group", "Started", "Ended")
      << "\n" << kRule << "\n";
  for (const auto& job : page.jobs) {
    out << fmt::format("{:<41}{:<13}{:<10}{:<10}{:<10}{:<24}{:<24}", job.id, Truncate(job.app_name, 13),
                       job.status, Truncate(OrDash(job.user), 10), Truncate(OrDash(job.group), 10),
                       FormatCliTime(job.start_ms), FormatCliTime(job.end_ms))
        << "\n";
  }
  out << kRule << "\n";
  return out.str();
}

namespace {

std::string JsonText(const nlohmann::json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return "-";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

}  // namespace

std::string FormatBundleInfo(const nlohmann::json& bundle) {
  std::ostringstream out;
  out << "Job ID : " << JsonText(bundle, "bundleJobId") << "\n" << kRule << "\n";
  out << "Job Name : " << JsonText(bundle, "bundleJobName") << "\n";
  out << "App Path : " << JsonText(bundle, "bundleJobPath") << "\n";
  out << "Status   : " << JsonText(bundle, "status") << "\n";
  out << "Kickoff time   : " << JsonText(bundle, "kickoffTime") << "\n" << kRule << "\n";
  const std::string format = "{:<44}{:<22}{:<16}{:<8}{:<10}{:<32}{}\n";
  out << fmt::format(fmt::runtime(format), "Job ID", "Name", "Status", "Freq", "Unit", "Started", "Next Materialized")
      << kRule << "\n";
  for (const nlohmann::json& job : bundle.value("bundleCoordJobs", nlohmann::json::array())) {
    out << fmt::format(fmt::runtime(format), JsonText(job, "coordJobId"), Truncate(JsonText(job, "coordJobName"), 22),
                       JsonText(job, "status"), JsonText(job, "frequency"), JsonText(job, "timeUnit"),
                       JsonText(job, "startTime"), JsonText(job, "nextMaterializedTime"));
    out << kRule << "\n";
  }
  return out.str();
}

std::string FormatBundleList(const nlohmann::json& bundlejobs) {
  std::ostringstream out;
  const std::string format = "{:<44}{:<22}{:<16}{:<32}{}\n";
  out << fmt::format(fmt::runtime(format), "Job ID", "Bundle Name", "Status", "Kickoff", "Created") << kRule << "\n";
  for (const nlohmann::json& bundle : bundlejobs) {
    out << fmt::format(fmt::runtime(format), JsonText(bundle, "bundleJobId"),
                       Truncate(JsonText(bundle, "bundleJobName"), 22), JsonText(bundle, "status"),
                       JsonText(bundle, "kickoffTime"), JsonText(bundle, "createdTime"));
  }
  out << kRule << "\n";
  return out.str();
}

std::string FormatBundleDryRun(const nlohmann::json& answer) {
  std::ostringstream out;
  out << "***coordJob after parsing: ***\n" << JsonText(answer, "id") << "***total coord actions is 0 ***\n";
  const nlohmann::json coordinators = answer.value("coordinators", nlohmann::json::array());
  out << coordinators.size() << " coordinator(s) valid:\n";
  for (const nlohmann::json& c : coordinators) {
    out << "  " << JsonText(c, "coordJobName") << ": every " << JsonText(c, "frequency") << " "
        << JsonText(c, "timeUnit") << " from " << JsonText(c, "startTime") << " to " << JsonText(c, "endTime") << " ("
        << JsonText(c, "timeZone") << ")\n";
  }
  out << "OK\n";
  return out.str();
}

}  // namespace refinery::cli
