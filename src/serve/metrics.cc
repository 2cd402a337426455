#include "serve/metrics.h"

#include <fmt/format.h>

#include "store/job_query.h"

namespace refinery::serve {
namespace {

const std::vector<double> kHttpBounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5};
const std::vector<double> kActionBounds = {0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600};
constexpr const char* kJobStatuses[] = {"PREP", "RUNNING", "SUSPENDED", "SUCCEEDED", "KILLED", "FAILED"};

std::string Label(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

std::string Number(double value) { return fmt::format("{}", value); }

bool IsFinalJobStatus(const std::string& status) {
  return status == "SUCCEEDED" || status == "KILLED" || status == "FAILED";
}

}  // namespace

void Histogram::Observe(double value) {
  size_t bucket = 0;
  while (bucket < bounds_.size() && value > bounds_[bucket]) ++bucket;
  ++counts_[bucket];
  sum_ += value;
  ++count_;
}

void Histogram::Render(const std::string& name, const std::string& labels, std::string* out) const {
  const std::string prefix = labels.empty() ? "" : labels + ",";
  uint64_t cumulative = 0;
  for (size_t i = 0; i < bounds_.size(); ++i) {
    cumulative += counts_[i];
    *out += fmt::format("{}_bucket{{{}le=\"{}\"}} {}\n", name, prefix, Number(bounds_[i]), cumulative);
  }
  *out += fmt::format("{}_bucket{{{}le=\"+Inf\"}} {}\n", name, prefix, count_);
  const std::string braces = labels.empty() ? "" : "{" + labels + "}";
  *out += fmt::format("{}_sum{} {}\n{}_count{} {}\n", name, braces, Number(sum_), name, braces, count_);
}

void Metrics::RecordHttp(const std::string& method, const std::string& route, int status, double seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  ++http_requests_[{method, route, status}];
  http_latency_.try_emplace(route, kHttpBounds).first->second.Observe(seconds);
}

void Metrics::RecordSchedulerLag(double seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  scheduler_lag_.Observe(seconds);
}

void Metrics::SetGauge(const std::string& name, const std::string& help, double value) {
  std::lock_guard<std::mutex> lock(mu_);
  gauges_[name] = {help, value};
}

void Metrics::OnEvent(const engine::EngineEvent& event) {
  using Kind = engine::EngineEvent::Kind;
  if (event.kind != Kind::kActionStart && event.kind != Kind::kActionEnd && event.kind != Kind::kJobStatus) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (event.kind == Kind::kJobStatus) {
    if (IsFinalJobStatus(event.status)) ++jobs_finished_[event.status];
    return;
  }
  const std::string key = event.job_id + "@" + event.action_name;
  if (event.kind == Kind::kActionStart) {
    action_started_ms_[key] = event.time_ms;
    return;
  }
  auto started = action_started_ms_.find(key);
  if (started == action_started_ms_.end()) return;
  const double seconds = std::max<int64_t>(0, event.time_ms - started->second) / 1000.0;
  action_started_ms_.erase(started);
  action_duration_.try_emplace(event.action_type, kActionBounds).first->second.Observe(seconds);
}

void Metrics::AddCounter(const std::string& name, const std::string& help, const std::string& labels, double delta) {
  std::lock_guard<std::mutex> lock(mu_);
  family_help_.emplace(name, help);
  counters_[{name, labels}] += delta;
}

void Metrics::ObserveSeconds(const std::string& name, const std::string& help, const std::string& labels,
                             double seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  family_help_.emplace(name, help);
  auto found = histograms_.find({name, labels});
  if (found == histograms_.end()) {
    found = histograms_
                .emplace(std::make_pair(name, labels),
                         Histogram({0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1}))
                .first;
  }
  found->second.Observe(seconds);
}

// The processes sharing the store and the leases they hold (several
// servers on one store; doc/operations.md), as every process sees them.
void Metrics::RenderProcessesAndLeases(store::Store& store, std::string* out) {
  auto processes = store.ListProcesses();
  auto leases = store.ListLeases("");
  if (!processes.ok() || !leases.ok()) return;
  *out += "# HELP refinery_processes Processes registered in the state store (servers and running commands).\n";
  *out += "# TYPE refinery_processes gauge\n";
  *out += fmt::format("refinery_processes {}\n", processes->size());
  std::map<std::string, int> by_owner;
  for (const auto& process : *processes) by_owner[process.id] = 0;
  for (const auto& lease : *leases) {
    if (lease.expires_ms > lease.now_ms) ++by_owner[lease.owner];
  }
  *out += "# HELP refinery_leases Unexpired leases (jobs and the scheduler) by owning process.\n";
  *out += "# TYPE refinery_leases gauge\n";
  for (const auto& [owner, count] : by_owner) {
    *out += fmt::format("refinery_leases{{owner=\"{}\"}} {}\n", Label(owner), count);
  }
}

std::string Metrics::Render(store::Store* store) const {
  std::string out;
  if (store != nullptr) {
    out += "# HELP refinery_workflow_jobs Workflow jobs in the store by status.\n";
    out += "# TYPE refinery_workflow_jobs gauge\n";
    for (const char* status : kJobStatuses) {
      store::JobFilter filter;
      filter.statuses = {status};
      auto page = store->ListJobs(filter, 0, 0);
      if (page.ok()) out += fmt::format("refinery_workflow_jobs{{status=\"{}\"}} {}\n", status, page->total);
    }
  }
  if (store != nullptr) {
    out += "# HELP refinery_notification_outbox Notifications in the durable outbox, by status.\n";
    out += "# TYPE refinery_notification_outbox gauge\n";
    for (const char* status : {"PENDING", "FAILED"}) {
      auto count = store->CountNotifications(status);
      if (count.ok()) out += fmt::format("refinery_notification_outbox{{status=\"{}\"}} {}\n", status, *count);
    }
  }
  if (store != nullptr) RenderProcessesAndLeases(*store, &out);
  std::lock_guard<std::mutex> lock(mu_);
  out += "# HELP refinery_workflow_jobs_finished_total Workflow jobs this process saw finish, by status.\n";
  out += "# TYPE refinery_workflow_jobs_finished_total counter\n";
  for (const auto& [status, count] : jobs_finished_) {
    out += fmt::format("refinery_workflow_jobs_finished_total{{status=\"{}\"}} {}\n", status, count);
  }
  out += "# HELP refinery_action_duration_seconds Wall time of workflow actions, by action type.\n";
  out += "# TYPE refinery_action_duration_seconds histogram\n";
  for (const auto& [type, histogram] : action_duration_) {
    histogram.Render("refinery_action_duration_seconds", "type=\"" + Label(type) + "\"", &out);
  }
  out += "# HELP refinery_http_requests_total HTTP requests by method, route and status code.\n";
  out += "# TYPE refinery_http_requests_total counter\n";
  for (const auto& [key, count] : http_requests_) {
    const auto& [method, route, status] = key;
    out += fmt::format("refinery_http_requests_total{{method=\"{}\",route=\"{}\",code=\"{}\"}} {}\n", Label(method),
                       Label(route), status, count);
  }
  out += "# HELP refinery_http_request_duration_seconds Time to answer HTTP requests, by route.\n";
  out += "# TYPE refinery_http_request_duration_seconds histogram\n";
  for (const auto& [route, histogram] : http_latency_) {
    histogram.Render("refinery_http_request_duration_seconds", "route=\"" + Label(route) + "\"", &out);
  }
  out += "# HELP refinery_scheduler_lag_seconds Actual start minus nominal time of coordinator actions.\n";
  out += "# TYPE refinery_scheduler_lag_seconds histogram\n";
  scheduler_lag_.Render("refinery_scheduler_lag_seconds", "", &out);
  for (const auto& [name, entry] : gauges_) {
    out += fmt::format("# HELP {} {}\n# TYPE {} gauge\n{} {}\n", name, entry.first, name, name, Number(entry.second));
  }
  std::string family;
  for (const auto& [key, value] : counters_) {
    if (key.first != family) {
      family = key.first;
      out += fmt::format("# HELP {} {}\n# TYPE {} counter\n", family, family_help_.at(family), family);
    }
    out += fmt::format("{}{{{}}} {}\n", key.first, key.second, Number(value));
  }
  family.clear();
  for (const auto& [key, histogram] : histograms_) {
    if (key.first != family) {
      family = key.first;
      out += fmt::format("# HELP {} {}\n# TYPE {} histogram\n", family, family_help_.at(family), family);
    }
    histogram.Render(key.first, key.second, &out);
  }
  return out;
}

}  // namespace refinery::serve
