#include "serve/sla_api.h"

#include <algorithm>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "core/time_format.h"
#include "serve/http_server.h"

namespace refinery::serve {
namespace {

using nlohmann::json;

constexpr int kDefaultLen = 1000;
constexpr int kMaxJobsScanned = 1000;  // newest jobs of each kind looked at without id/parent_id

struct SlaFilter {
  std::set<std::string> ids, parent_ids, app_names, app_types, event_statuses;
  int64_t nominal_start_ms = 0;  // inclusive, 0 = no bound
  int64_t nominal_end_ms = 0;
};

HttpResponse BadFilter(const std::string& filter, const std::string& why) {
  return ErrorResponse(400, "E0303", "Invalid parameter value, [filter] = [" + filter + "]; " + why);
}

std::string Trim(std::string text) {
  while (!text.empty() && text.front() == ' ') text.erase(0, 1);
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

// "id=a;parent_id=b;nominal_start=2026-01-01T00:00Z" (values of one key may repeat or be comma lists).
std::optional<HttpResponse> ParseFilter(const std::string& text, SlaFilter* filter) {
  size_t begin = 0;
  while (begin <= text.size()) {
    size_t end = text.find(';', begin);
    if (end == std::string::npos) end = text.size();
    const std::string entry = Trim(text.substr(begin, end - begin));
    begin = end + 1;
    if (entry.empty()) continue;
    const size_t equals = entry.find('=');
    if (equals == std::string::npos) return BadFilter(text, "[" + entry + "] is not key=value");
    const std::string key = Trim(entry.substr(0, equals));
    const std::string value = Trim(entry.substr(equals + 1));
    if (key == "nominal_start" || key == "nominal_end") {
      auto time = ParseOozieTime(value);
      if (!time.ok()) return BadFilter(text, key + " must be a date such as 2026-01-01T00:00Z");
      (key == "nominal_start" ? filter->nominal_start_ms : filter->nominal_end_ms) = ToEpochMillis(*time);
      continue;
    }
    std::set<std::string>* target = key == "id"             ? &filter->ids
                                    : key == "parent_id"    ? &filter->parent_ids
                                    : key == "app_name"     ? &filter->app_names
                                    : key == "app_type"     ? &filter->app_types
                                    : key == "event_status" ? &filter->event_statuses
                                                            : nullptr;
    if (target == nullptr) {
      return BadFilter(text, "unknown key [" + key +
                                 "]; Refinery filters SLA on id, parent_id, app_name, app_type, event_status, "
                                 "nominal_start and nominal_end");
    }
    size_t at = 0;
    while (at <= value.size()) {
      size_t comma = value.find(',', at);
      if (comma == std::string::npos) comma = value.size();
      const std::string item = Trim(value.substr(at, comma - at));
      if (!item.empty()) target->insert(item);
      at = comma + 1;
    }
  }
  return std::nullopt;
}

std::string JobOf(const std::string& id) { return id.substr(0, id.find('@')); }

// The jobs whose SLA events may match: named by id or parent_id, else the
// newest coordinators and workflows.
Result<std::set<std::string>> CandidateJobs(const SlaFilter& filter, store::Store* store) {
  std::set<std::string> jobs;
  for (const std::string& id : filter.ids) jobs.insert(JobOf(id));
  for (const std::string& id : filter.parent_ids) jobs.insert(JobOf(id));
  if (!jobs.empty()) return jobs;
  REFINERY_ASSIGN_OR_RETURN(auto coordinators, store->ListCoordinatorJobs({}, 0, kMaxJobsScanned));
  for (const auto& job : coordinators.jobs) jobs.insert(job.id);
  REFINERY_ASSIGN_OR_RETURN(auto workflows, store->ListJobs(store::JobFilter{}, 0, kMaxJobsScanned));
  for (const auto& job : workflows.jobs) jobs.insert(job.id);
  return jobs;
}

// One summary per job or action, from its recorded misses.
struct Summary {
  const store::SlaEventRecord* first = nullptr;
  std::string parent_id;
  std::vector<const store::SlaEventRecord*> events;
};

json SummaryToJson(const Summary& summary) {
  const store::SlaEventRecord& head = *summary.first;
  json out = {{"id", head.subject_id},
              {"parentId", summary.parent_id},
              {"appName", head.app_name},
              {"appType", head.app_type},
              {"nominalTime", head.nominal_ms},
              {"slaStatus", "MISS"}};
  std::string statuses;
  int64_t last = 0;
  json events = json::array();
  for (const store::SlaEventRecord* event : summary.events) {
    statuses += (statuses.empty() ? "" : ",") + event->event;
    last = std::max(last, event->created_ms);
    if (event->event == "START_MISS") {
      out["expectedStart"] = event->expected_ms;
      out["actualStart"] = event->actual_ms > 0 ? json(event->actual_ms) : json(nullptr);
    } else if (event->event == "END_MISS") {
      out["expectedEnd"] = event->expected_ms;
      out["actualEnd"] = event->actual_ms > 0 ? json(event->actual_ms) : json(nullptr);
    } else if (event->event == "DURATION_MISS") {
      out["expectedDuration"] = event->expected_ms;
      out["actualDuration"] = event->actual_ms > 0 ? json(event->actual_ms) : json(nullptr);
    }
    events.push_back({{"eventStatus", event->event},
                      {"expected", event->expected_ms},
                      {"actual", event->actual_ms},
                      {"createdTime", event->created_ms},
                      {"detail", event->detail}});
  }
  out["eventStatus"] = statuses;
  out["lastModified"] = last;
  out["events"] = std::move(events);
  return out;
}

bool Matches(const SlaFilter& filter, const store::SlaEventRecord& event, const std::string& parent_id) {
  if (!filter.ids.empty() && filter.ids.count(event.subject_id) == 0) return false;
  if (!filter.parent_ids.empty() && filter.parent_ids.count(parent_id) == 0) return false;
  if (!filter.app_names.empty() && filter.app_names.count(event.app_name) == 0) return false;
  if (!filter.app_types.empty() && filter.app_types.count(event.app_type) == 0) return false;
  if (!filter.event_statuses.empty() && filter.event_statuses.count(event.event) == 0) return false;
  if (filter.nominal_start_ms > 0 && event.nominal_ms < filter.nominal_start_ms) return false;
  if (filter.nominal_end_ms > 0 && event.nominal_ms > filter.nominal_end_ms) return false;
  return true;
}

}  // namespace

HttpResponse ListSlaSummaries(const HttpRequest& request, store::Store* store) {
  const std::string filter_text = request.Query("filter");
  SlaFilter filter;
  if (auto bad = ParseFilter(filter_text, &filter)) return *bad;
  int len = kDefaultLen;
  if (request.HasQuery("len")) {
    const std::string text = request.Query("len");
    if (text.empty() || text.size() > 7 || text.find_first_not_of("0123456789") != std::string::npos) {
      return ErrorResponse(400, "E0303", "Invalid parameter value, [len] = [" + text + "]; expected a number");
    }
    len = std::stoi(text);
  }
  auto jobs = CandidateJobs(filter, store);
  if (!jobs.ok()) return ErrorResponse(500, "E0603", jobs.status().message());
  std::vector<store::SlaEventRecord> events;
  for (const std::string& job : *jobs) {
    auto listed = store->ListSlaEvents(job);
    if (!listed.ok()) continue;  // an id that names no job has no SLA
    for (auto& event : *listed) events.push_back(std::move(event));
  }
  // A workflow job's parent is on its record; an action's is its job.
  std::map<std::string, std::string> job_parents;
  auto parent_of = [&](const store::SlaEventRecord& event) -> std::string {
    if (event.app_type != "WORKFLOW_JOB") return event.job_id;
    auto known = job_parents.find(event.job_id);
    if (known != job_parents.end()) return known->second;
    auto job = store->GetJob(event.job_id);
    return job_parents[event.job_id] = job.ok() ? job->parent_id : "";
  };
  std::map<std::string, Summary> by_subject;
  std::vector<std::string> order;
  for (const auto& event : events) {
    const std::string parent = parent_of(event);
    if (!Matches(filter, event, parent)) continue;
    Summary& summary = by_subject[event.subject_id];
    if (summary.first == nullptr) {
      summary.first = &event;
      summary.parent_id = parent;
      order.push_back(event.subject_id);
    }
    summary.events.push_back(&event);
  }
  std::stable_sort(order.begin(), order.end(), [&](const std::string& a, const std::string& b) {
    return by_subject[a].first->nominal_ms < by_subject[b].first->nominal_ms;
  });
  json list = json::array();
  for (const std::string& subject : order) {
    if (static_cast<int>(list.size()) >= len) break;
    list.push_back(SummaryToJson(by_subject[subject]));
  }
  HttpResponse response;
  response.body = json{{"slaSummaryList", std::move(list)}}.dump();
  return response;
}

}  // namespace refinery::serve
