// The workflow and coordinator pages: the dashboard, the paged job list, one
// workflow run (graph, Gantt timeline, actions with their data, the log) and
// the coordinator pages.
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>

#include "core/properties.h"
#include "serve/redact.h"
#include "serve/web_ui_internal.h"
#include "serve/workflow_graph.h"
#include "workflow/workflow_app.h"

namespace refinery::serve::internal {
namespace {

constexpr int kJobsPerPage = 50;
constexpr int kDashboardRows = 15;
constexpr size_t kMaxLogBytes = 256 * 1024;  // the tail of a long log; the full one is at /oozie
constexpr const char* kWorkflowStatuses[] = {"PREP", "RUNNING", "SUSPENDED", "SUCCEEDED", "KILLED", "FAILED"};

std::string Code(std::string_view text) { return "<code>" + Escape(text) + "</code>"; }

std::string JobRows(const std::vector<store::WorkflowJobRecord>& jobs, int64_t now_ms) {
  std::string html;
  for (const auto& job : jobs) {
    html += "<tr><td>" + Link(JobHref(job.id), job.app_name.empty() ? job.id : job.app_name) +
            "<br><span class=\"muted mono\">" + Escape(job.id) + "</span></td><td>" + StatusBadge(job.status) +
            "</td><td>" + Escape(job.user) + "</td><td>" + TimeHtml(job.start_ms) + "</td><td>" + TimeHtml(job.end_ms) +
            "</td><td class=\"num\">" + Escape(DurationText(job.start_ms, job.end_ms, now_ms)) + "</td><td>" +
            IdLink(job.parent_id) + "</td></tr>\n";
  }
  return html;
}

std::string JobTable(const std::vector<store::WorkflowJobRecord>& jobs, const std::string& caption, int64_t now_ms) {
  if (jobs.empty())
    return "<p class=\"muted\">No workflow runs" + Escape(caption.empty() ? "" : " " + caption) + ".</p>";
  return "<div class=\"table-wrap\"><table><caption>" + Escape(caption) +
         "</caption><thead><tr><th scope=\"col\">Workflow</th><th scope=\"col\">Status</th><th "
         "scope=\"col\">User</th><th scope=\"col\">Started</th><th scope=\"col\">Ended</th><th scope=\"col\" "
         "class=\"num\">Duration</th><th scope=\"col\">Parent</th></tr></thead><tbody>\n" +
         JobRows(jobs, now_ms) + "</tbody></table></div>";
}

std::string FrequencyText(const store::CoordinatorJobRecord& job) {
  if (job.time_unit == "CRON") return "cron " + job.frequency;
  if (job.time_unit.empty()) return job.frequency;
  std::string unit = job.time_unit;
  std::transform(unit.begin(), unit.end(), unit.begin(), [](unsigned char c) { return std::tolower(c); });
  const bool at_end = unit.rfind("end_of_", 0) == 0;  // END_OF_DAY: every N days, at the day's end
  if (at_end) unit = unit.substr(7);
  return "every " + job.frequency + " " + unit + (job.frequency == "1" ? "" : "s") +
         (at_end ? ", at the " + unit + "'s end" : "");
}

std::string CoordinatorTable(const std::vector<store::CoordinatorJobRecord>& jobs) {
  if (jobs.empty()) return "<p class=\"muted\">No coordinators.</p>";
  std::string html =
      "<div class=\"table-wrap\"><table><caption>Coordinators, newest first</caption><thead><tr><th "
      "scope=\"col\">Coordinator</th><th scope=\"col\">Status</th><th scope=\"col\">Frequency</th><th "
      "scope=\"col\">Time zone</th><th scope=\"col\">Next materialization</th><th scope=\"col\">Ends</th><th "
      "scope=\"col\" class=\"num\">Actions</th></tr></thead><tbody>\n";
  for (const auto& job : jobs) {
    html += "<tr><td>" + Link(CoordinatorHref(job.id), job.app_name.empty() ? job.id : job.app_name) +
            "<br><span class=\"muted mono\">" + Escape(job.id) + "</span></td><td>" + StatusBadge(job.status) +
            "</td><td>" + Escape(FrequencyText(job)) + "</td><td>" + Escape(job.timezone) + "</td><td>" +
            TimeHtml(job.next_materialized_ms) + "</td><td>" + TimeHtml(job.end_ms) + "</td><td class=\"num\">" +
            std::to_string(job.last_action_number) + "</td></tr>\n";
  }
  return html + "</tbody></table></div>";
}

std::string StatusCards(store::Store* store) {
  std::string html = "<ul class=\"cards\" aria-label=\"Workflow runs by status\">";
  for (const char* status : {"RUNNING", "SUCCEEDED", "FAILED", "KILLED", "SUSPENDED"}) {
    store::JobFilter filter;
    filter.statuses = {status};
    auto page = store->ListJobs(filter, 0, 0);
    const int count = page.ok() ? page->total : 0;
    html += "<li><a href=\"/ui/jobs?status=" + std::string(status) + "\"><span class=\"count\">" +
            std::to_string(count) + "</span>" + StatusBadge(status) + "</a></li>";
  }
  return html + "</ul>";
}

int PageNumber(const HttpRequest& request) {
  const std::string text = request.Query("page", "1");
  char* end = nullptr;
  const long value = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || value < 1 || value > 100000) return 1;
  return static_cast<int>(value);
}

std::string JobsQuery(const std::string& status, const std::string& text, int page) {
  std::string query = "/ui/jobs?page=" + std::to_string(page);
  if (!status.empty()) query += "&status=" + PercentEncode(status);
  if (!text.empty()) query += "&q=" + PercentEncode(text);
  return query;
}

std::string FilterForm(const std::string& status, const std::string& text) {
  std::string html =
      "<form class=\"filters\" method=\"get\" action=\"/ui/jobs\" role=\"search\">"
      "<label for=\"status\">Status<select id=\"status\" name=\"status\"><option value=\"\">Any status</option>";
  for (const char* option : kWorkflowStatuses) {
    html += std::string("<option") + (status == option ? " selected" : "") + ">" + option + "</option>";
  }
  return html +
         "</select></label><label for=\"q\">Name, user or id<input type=\"search\" id=\"q\" name=\"q\" value=\"" +
         Escape(text) + "\"></label><button type=\"submit\">Show</button></form>";
}

std::string Pager(const std::string& status, const std::string& text, int page, int total) {
  const int first = (page - 1) * kJobsPerPage + 1;
  const int last = std::min(total, page * kJobsPerPage);
  std::string html = "<nav class=\"pager\" aria-label=\"Pages\"><span>";
  html += total == 0 ? std::string("No runs") : fmt::format("Runs {}–{} of {}", first, last, total);
  html += "</span>";
  if (page > 1) html += Link(JobsQuery(status, text, page - 1), "← Newer");
  if (last < total) html += Link(JobsQuery(status, text, page + 1), "Older →");
  return html + "</nav>";
}

// The run's definition drawn with its action statuses; a note when it no longer parses.
std::string GraphSvg(const store::WorkflowJobRecord& job, const std::vector<store::WorkflowActionRecord>& actions) {
  auto app = ParseStoredWorkflow(job);
  if (!app.ok())
    return "<p class=\"error-text\">The graph cannot be drawn: " + Escape(app.status().ToString()) + "</p>";
  GraphOptions graph;
  graph.show_kill = job.status == "KILLED" || job.status == "FAILED";
  for (const auto& action : actions) graph.status_by_node[action.name] = action.status;
  return "<figure class=\"chart\" aria-label=\"Workflow graph; the actions table below has the same statuses\">" +
         RenderWorkflowSvg(*app, graph) + "</figure>";
}

std::string ActionSummaryTable(const std::vector<store::WorkflowActionRecord>& actions, int64_t now_ms) {
  std::string html =
      "<div class=\"table-wrap\"><table><caption>Nodes in the order they ran</caption><thead><tr><th "
      "scope=\"col\">Node</th><th scope=\"col\">Type</th><th scope=\"col\">Status</th><th scope=\"col\">Started</th>"
      "<th scope=\"col\">Ended</th><th scope=\"col\" class=\"num\">Duration</th><th scope=\"col\">Error</th></tr>"
      "</thead><tbody>\n";
  for (const auto& action : actions) {
    const std::string name = IsControlNode(action.type) ? Escape(action.name)
                                                        : "<a href=\"#action-" + Escape(PercentEncode(action.name)) +
                                                              "\">" + Escape(action.name) + "</a>";
    html += "<tr><td>" + name + "</td><td>" + Escape(action.type) + "</td><td>" + StatusBadge(action.status) +
            "</td><td>" + TimeHtml(action.start_ms) + "</td><td>" + TimeHtml(action.end_ms) +
            "</td><td class=\"num\">" + Escape(DurationText(action.start_ms, action.end_ms, now_ms)) + "</td><td>" +
            (action.error_code.empty() ? "" : Code(action.error_code) + " ") + Escape(action.error_message) +
            "</td></tr>\n";
  }
  return html + "</tbody></table></div>";
}

// wf:actionData as a table, secret values redacted.
std::string ActionData(const store::WorkflowActionRecord& action) {
  if (action.data.empty()) return "<p class=\"muted\">No output data.</p>";
  auto data = ParseJavaProperties(action.data, action.id);
  if (!data.ok()) return "<pre>" + Escape(action.data) + "</pre>";
  std::string html =
      "<table><caption>Output data (<code>wf:actionData('" + Escape(action.name) +
      "')</code>)</caption><thead><tr><th scope=\"col\">Key</th><th scope=\"col\">Value</th></tr></thead><tbody>";
  for (const auto& [key, value] : data->entries()) {
    html += "<tr><td>" + Code(key) + "</td><td>" + Escape(IsSecretKey(key) ? kRedacted : value) + "</td></tr>";
  }
  return html + "</tbody></table>";
}

std::string ActionSection(const store::WorkflowActionRecord& action, int64_t now_ms) {
  std::string html = "<section class=\"action\" id=\"action-" + Escape(PercentEncode(action.name)) +
                     "\" aria-labelledby=\"h-action-" + Escape(PercentEncode(action.name)) + "\"><h3 id=\"h-action-" +
                     Escape(PercentEncode(action.name)) + "\">" + Escape(action.name) + " <span class=\"muted\">(" +
                     Escape(action.type) + ")</span></h3>";
  std::vector<std::pair<std::string, std::string>> facts = {
      {"Status", StatusBadge(action.status)},
      {"Id", Code(action.id)},
      {"Started", TimeHtml(action.start_ms)},
      {"Ended", TimeHtml(action.end_ms)},
      {"Duration", Escape(DurationText(action.start_ms, action.end_ms, now_ms))},
      {"Next node", Escape(action.transition)},
      {"Error code", action.error_code.empty() ? "" : Code(action.error_code)},
      {"Error message",
       action.error_message.empty() ? "" : "<span class=\"error-text\">" + Escape(action.error_message) + "</span>"},
      {"External id", Escape(action.external_id)},
      {"External status", Escape(action.external_status)},
      {"Retries",
       action.user_retry_max > 0 ? fmt::format("{} of {}", action.user_retry_count, action.user_retry_max) : ""},
  };
  html += Facts(facts) + ActionData(action);
  if (action.type == "profile" && !action.data.empty()) {
    html += "<p>" + Link(QualityHref(action.id), "Open the data-quality report") + "</p>";
  }
  if (!action.conf.empty()) {
    html += "<details><summary>Action definition</summary><pre>" + Escape(RedactDefinitionXml(action.conf)) +
            "</pre></details>";
  }
  return html + "</section>\n";
}

std::string LogSection(const WebUiOptions& options, const std::string& id) {
  auto log = options.store->ReadLog(id);
  if (!log.ok()) return "<p class=\"error-text\">" + Escape(log.status().ToString()) + "</p>";
  if (log->empty()) return "<p class=\"muted\">The log is empty.</p>";
  std::string note;
  std::string_view text = *log;
  if (text.size() > kMaxLogBytes) {
    text = text.substr(text.size() - kMaxLogBytes);
    note = "<p class=\"muted\">The last " + std::to_string(kMaxLogBytes / 1024) + " KiB; the whole log is at " +
           Link("/oozie/v2/job/" + PercentEncode(id) + "?show=log", "the Oozie API") + ".</p>";
  }
  return note + "<pre tabindex=\"0\" aria-label=\"Job log\">" + Escape(text) + "</pre>";
}

std::string ErrorText(const std::string& message) {
  return message.empty() ? "" : "<span class=\"error-text\">" + Escape(message) + "</span>";
}

std::string JobFacts(const store::WorkflowJobRecord& job, int64_t now_ms) {
  return Facts({
      {"Status", StatusBadge(job.status)},
      {"Id", Code(job.id)},
      {"Application", Code(job.app_path)},
      {"User", Escape(job.user)},
      {"Run", std::to_string(job.run)},
      {"Created", TimeHtml(job.created_ms)},
      {"Started", TimeHtml(job.start_ms)},
      {"Ended", TimeHtml(job.end_ms)},
      {"Duration", Escape(DurationText(job.start_ms, job.end_ms, now_ms))},
      {"Parent", IdLink(job.parent_id)},
      {"Error code", job.error_code.empty() ? "" : Code(job.error_code)},
      {"Error message", ErrorText(job.error_message)},
      {"Oozie API", Link("/oozie/v2/job/" + PercentEncode(job.id) + "?show=info", "JSON")},
  });
}

std::string SubworkflowSection(const WebUiOptions& options, const std::string& id, int64_t now_ms) {
  store::JobFilter children;
  children.parent_id = id;
  auto subworkflows = options.store->ListJobs(children, 0, kJobsPerPage);
  if (!subworkflows.ok() || subworkflows->jobs.empty()) return "";
  return "<h2>Sub-workflows</h2>" + JobTable(subworkflows->jobs, "started by this run", now_ms);
}

std::string CoordinatorFacts(const store::CoordinatorJobRecord& job) {
  return Facts({
      {"Status", StatusBadge(job.status)},
      {"Id", Code(job.id)},
      {"Application", Code(job.app_path)},
      {"User", Escape(job.user)},
      {"Frequency", Escape(FrequencyText(job))},
      {"Time zone", Escape(job.timezone)},
      {"Starts", TimeHtml(job.start_ms)},
      {"Ends", TimeHtml(job.end_ms)},
      {"Next materialization", TimeHtml(job.next_materialized_ms)},
      {"Paused from", job.pause_ms > 0 ? TimeHtml(job.pause_ms) : ""},
      {"Execution", Escape(job.execution)},
      {"Concurrency", std::to_string(job.concurrency)},
      {"Throttle", std::to_string(job.throttle)},
      {"Timeout", fmt::format("{} min", job.timeout_minutes)},
      {"Error", ErrorText(job.error_message)},
      {"Oozie API", Link("/oozie/v2/job/" + PercentEncode(job.id) + "?show=info&len=1000", "JSON")},
  });
}

// Oozie keeps missing dependencies '#'-separated; one per line here.
std::string MissingList(const std::string& missing) {
  std::string html;
  size_t begin = 0;
  while (begin < missing.size()) {
    const size_t end = std::min(missing.find('#', begin), missing.size());
    html += (html.empty() ? "" : "<br>") + Escape(missing.substr(begin, end - begin));
    begin = end + 1;
  }
  return html;
}

std::string CoordinatorActionTable(const std::vector<store::CoordinatorActionRecord>& actions) {
  if (actions.empty()) return "<p class=\"muted\">No action has been materialized yet.</p>";
  std::string html =
      "<div class=\"table-wrap\"><table><caption>Materialized actions, by number</caption><thead><tr><th "
      "scope=\"col\" class=\"num\">#</th><th scope=\"col\">Nominal time</th><th scope=\"col\">Status</th><th "
      "scope=\"col\">Workflow run</th><th scope=\"col\">Created</th><th scope=\"col\">Missing data</th><th "
      "scope=\"col\">Error</th></tr></thead><tbody>\n";
  for (const auto& action : actions) {
    html += "<tr id=\"action-" + std::to_string(action.action_number) + "\"><td class=\"num\">" +
            std::to_string(action.action_number) + "</td><td>" + TimeHtml(action.nominal_ms) + "</td><td>" +
            StatusBadge(action.status) + "</td><td>" +
            (action.external_id.empty() ? "<span class=\"muted\">not started</span>"
                                        : Link(JobHref(action.external_id), action.external_id)) +
            "</td><td>" + TimeHtml(action.created_ms) + "</td><td class=\"mono\">" +
            MissingList(action.missing_dependencies) + "</td><td>" +
            (action.error_code.empty() ? "" : Code(action.error_code) + " ") + Escape(action.error_message) +
            "</td></tr>\n";
  }
  return html + "</tbody></table></div>";
}

std::string ConfigurationSection(const std::string& definition_label, const std::string& definition,
                                 const std::string& conf) {
  std::string html = "<h2>Configuration</h2>";
  if (!definition_label.empty()) {
    html += "<details><summary>" + Escape(definition_label) + "</summary><pre>" +
            Escape(RedactDefinitionXml(definition)) + "</pre></details>";
  }
  return html + "<details><summary>Job configuration (secrets shown as " + std::string(kRedacted) + ")</summary><pre>" +
         Escape(RedactConfigurationXml(conf)) + "</pre></details>";
}

}  // namespace

WebPage DashboardPage(const WebUiOptions& options) {
  WebPage page;
  page.title = "Dashboard";
  const int64_t now_ms = NowMs(options);
  auto coordinators = options.store->ListCoordinatorJobs({}, 0, kDashboardRows);
  if (!coordinators.ok()) return ErrorPage("The coordinators could not be read.", coordinators.status());
  auto jobs = options.store->ListJobs({}, 0, kDashboardRows);
  if (!jobs.ok()) return ErrorPage("The workflow runs could not be read.", jobs.status());
  page.body_html = StatusCards(options.store);
  page.body_html += "<h2>Coordinators</h2>" + CoordinatorTable(coordinators->jobs);
  if (coordinators->total > kDashboardRows) {
    page.body_html +=
        "<p>" + Link("/ui/coordinators", fmt::format("All {} coordinators", coordinators->total)) + "</p>";
  }
  page.body_html += "<h2>Recent workflow runs</h2>" + JobTable(jobs->jobs, "newest first", now_ms) + "<p>" +
                    Link("/ui/jobs", fmt::format("All {} workflow runs", jobs->total)) + "</p>";
  page.body_html += "<h2>For tools</h2><ul><li>" + Link("/oozie/v2/jobs", "Workflow jobs (Oozie API, JSON)") +
                    "</li><li>" + Link("/oozie/v2/jobs?jobtype=coordinator", "Coordinator jobs (Oozie API, JSON)") +
                    "</li><li>" + Link("/oozie/v2/admin/status", "Status") + "</li><li>" +
                    Link("/metrics", "Metrics (Prometheus)") +
                    "</li></ul><p>Oozie clients: " + Code("OOZIE_URL=" + options.base_url + "/oozie") + "</p>";
  return page;
}

WebPage JobsPage(const WebUiOptions& options, const HttpRequest& request) {
  WebPage page;
  page.title = "Workflow runs";
  std::string status = request.Query("status");
  const std::string text = request.Query("q");
  const int number = PageNumber(request);
  const bool known = status.empty() || std::any_of(std::begin(kWorkflowStatuses), std::end(kWorkflowStatuses),
                                                   [&status](const char* s) { return status == s; });
  std::string note;
  if (!known) {
    note = "<p class=\"error-text\" role=\"status\">Unknown status \"" + Escape(status) +
           "\"; showing every status. Use one of PREP, RUNNING, SUSPENDED, SUCCEEDED, KILLED, FAILED.</p>";
    status.clear();
  }
  store::JobFilter filter;
  if (!status.empty()) filter.statuses = {status};
  filter.text = text;
  auto jobs = options.store->ListJobs(filter, (number - 1) * kJobsPerPage, kJobsPerPage);
  if (!jobs.ok()) return ErrorPage("The workflow runs could not be read.", jobs.status());
  const std::string caption = (status.empty() ? "all statuses" : "status " + status) +
                              (text.empty() ? "" : ", matching \"" + text + "\"") + ", newest first";
  page.body_html = FilterForm(status, text) + note + Pager(status, text, number, jobs->total) +
                   JobTable(jobs->jobs, caption, NowMs(options)) + "<p>" + Link("/ui/coordinators", "Coordinators") +
                   "</p>";
  return page;
}

WebPage JobPage(const WebUiOptions& options, const std::string& id) {
  auto job = options.store->GetJob(id);
  if (!job.ok()) {
    if (job.status().code() == StatusCode::kNotFound) return NotFoundPage("There is no workflow run " + id + ".");
    return ErrorPage("The workflow run could not be read.", job.status());
  }
  auto actions = options.store->ListActions(id);
  if (!actions.ok()) return ErrorPage("The actions of " + id + " could not be read.", actions.status());
  std::sort(actions->begin(), actions->end(), [](const auto& a, const auto& b) {
    const int64_t left = a.start_ms > 0 ? a.start_ms : INT64_MAX, right = b.start_ms > 0 ? b.start_ms : INT64_MAX;
    return left != right ? left < right : a.id < b.id;
  });
  const int64_t now_ms = NowMs(options);
  const std::string gantt = RenderGanttSvg(*actions, now_ms);
  WebPage page;
  page.title = "Workflow " + (job->app_name.empty() ? id : job->app_name);
  page.body_html = JobFacts(*job, now_ms) + "<h2>Graph</h2>" + GraphSvg(*job, *actions) + "<h2>Timeline</h2>" +
                   (gantt.empty() ? "<p class=\"muted\">No action has started yet.</p>"
                                  : "<figure class=\"chart\">" + gantt + "</figure>") +
                   "<h2>Actions</h2>" + ActionSummaryTable(*actions, now_ms);
  for (const auto& action : *actions) {
    if (!IsControlNode(action.type)) page.body_html += ActionSection(action, now_ms);
  }
  page.body_html += SubworkflowSection(options, id, now_ms) + "<h2>Log</h2>" + LogSection(options, id) +
                    ConfigurationSection("", "", job->conf);
  return page;
}

WebPage CoordinatorsPage(const WebUiOptions& options) {
  constexpr int kShown = 500;
  WebPage page;
  page.title = "Coordinators";
  auto jobs = options.store->ListCoordinatorJobs({}, 0, kShown);
  if (!jobs.ok()) return ErrorPage("The coordinators could not be read.", jobs.status());
  page.body_html = CoordinatorTable(jobs->jobs);
  if (jobs->total > kShown) {
    page.body_html += fmt::format("<p class=\"muted\">The newest {} of {}.</p>", kShown, jobs->total);
  }
  return page;
}

WebPage CoordinatorPage(const WebUiOptions& options, const std::string& id) {
  auto job = options.store->GetCoordinatorJob(id);
  if (!job.ok()) {
    if (job.status().code() == StatusCode::kNotFound) return NotFoundPage("There is no coordinator " + id + ".");
    return ErrorPage("The coordinator could not be read.", job.status());
  }
  auto actions = options.store->ListCoordinatorActions(id);
  if (!actions.ok()) return ErrorPage("The actions of " + id + " could not be read.", actions.status());
  WebPage page;
  page.title = "Coordinator " + (job->app_name.empty() ? id : job->app_name);
  page.body_html = CoordinatorFacts(*job) + "<h2>Actions</h2>" + CoordinatorActionTable(*actions) +
                   ConfigurationSection("Coordinator definition", job->definition, job->conf);
  return page;
}

}  // namespace refinery::serve::internal
