// The data-quality pages: every profile action found in the store (recent
// runs), with its dataset and rule outcome, and one report page that frames
// the action's profile.html, read through the data home's file system.
#include <algorithm>
#include <filesystem>
#include <optional>
#include <pugixml.hpp>

#include "core/properties.h"
#include "serve/web_ui_internal.h"

namespace refinery::serve::internal {
namespace {

constexpr int kJobsScanned = 300;  // the newest runs searched for profile actions

// The report frame may show the profile's inline CSS and data: images, and
// nothing else: no script, no network, its own sandboxed origin.
constexpr const char* kReportPolicy =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; sandbox";

struct QualityRun {
  store::WorkflowJobRecord job;
  store::WorkflowActionRecord action;
  Properties data;
};

bool IsProfileAction(const store::WorkflowActionRecord& action) { return action.type == "profile"; }

// <input> or <table> of the evaluated action XML.
std::string DatasetOf(const store::WorkflowActionRecord& action) {
  pugi::xml_document doc;
  if (!doc.load_string(action.conf.c_str())) return "";
  for (const pugi::xml_node& child : doc.document_element().children()) {
    std::string name = child.name();
    name = name.substr(name.find(':') == std::string::npos ? 0 : name.find(':') + 1);
    if (name == "input") return child.text().get();
    if (name == "table") return std::string("table ") + child.text().get();
  }
  return "";
}

std::string RuleOutcome(const Properties& data) {
  const std::string rules = data.GetOr("rules", "0");
  const std::string failed = data.GetOr("failed_rules", "0");
  if (rules == "0") return "<span class=\"muted\">no rules</span>";
  if (failed == "0") return "<span class=\"badge ok\">" + Escape(rules + " of " + rules + " passed") + "</span>";
  return "<span class=\"badge err\">" + Escape(failed + " of " + rules + " failed") + "</span>";
}

Result<std::vector<QualityRun>> FindQualityRuns(store::Store* store) {
  REFINERY_ASSIGN_OR_RETURN(store::JobPage jobs, store->ListJobs({}, 0, kJobsScanned));
  std::vector<QualityRun> runs;
  for (const auto& job : jobs.jobs) {
    REFINERY_ASSIGN_OR_RETURN(std::vector<store::WorkflowActionRecord> actions, store->ListActions(job.id));
    for (auto& action : actions) {
      if (!IsProfileAction(action) || action.data.empty()) continue;
      auto data = ParseJavaProperties(action.data, action.id);
      if (!data.ok() || !data->Get("output")) continue;
      runs.push_back({job, std::move(action), std::move(*data)});
    }
  }
  std::stable_sort(runs.begin(), runs.end(),
                   [](const QualityRun& a, const QualityRun& b) { return a.action.end_ms > b.action.end_ms; });
  return runs;
}

struct ReportLookup {
  std::optional<QualityRun> run;
  std::optional<WebPage> problem;  // a 404/500 page when there is no run
};

ReportLookup LookUp(const WebUiOptions& options, const std::string& action_id) {
  auto action = options.store->GetAction(action_id);
  if (!action.ok()) {
    if (action.status().code() == StatusCode::kNotFound) {
      return {std::nullopt, NotFoundPage("There is no action " + action_id + ".")};
    }
    return {std::nullopt, ErrorPage("The action could not be read.", action.status())};
  }
  if (!IsProfileAction(*action)) {
    return {std::nullopt, NotFoundPage("Action " + action_id + " is a " + action->type +
                                       " action, not a profile action; it has no quality report.")};
  }
  auto data = ParseJavaProperties(action->data, action_id);
  if (!data.ok() || !data->Get("output")) {
    return {std::nullopt,
            NotFoundPage("Profile action " + action_id + " has not written a report (status " + action->status + ").")};
  }
  auto job = options.store->GetJob(action->job_id);
  QualityRun run{job.ok() ? *job : store::WorkflowJobRecord{}, std::move(*action), std::move(*data)};
  return {std::move(run), std::nullopt};
}

// The report's local path, only inside the data home's file-system root.
Result<std::filesystem::path> ReportPath(const WebUiOptions& options, const QualityRun& run) {
  if (options.files == nullptr) {
    return Status::FailedPrecondition("this server was started without the data home's file system");
  }
  const std::string uri = run.data.GetOr("output", "") + "/profile.html";
  REFINERY_ASSIGN_OR_RETURN(std::filesystem::path local, options.files->Resolve(uri, /*for_write=*/true));
  std::error_code error;
  if (!std::filesystem::is_regular_file(local, error)) {
    return Status::NotFound(uri + " is gone: the output directory was deleted or replaced by something else");
  }
  return local;
}

}  // namespace

WebPage QualityPage(const WebUiOptions& options) {
  WebPage page;
  page.title = "Data quality";
  auto runs = FindQualityRuns(options.store);
  if (!runs.ok()) return ErrorPage("The profile actions could not be read.", runs.status());
  page.body_html = "<p>Profiles written by <code>&lt;profile&gt;</code> actions in the newest " +
                   std::to_string(kJobsScanned) + " workflow runs, newest first.</p>";
  if (runs->empty()) {
    page.body_html += "<p class=\"muted\">No profile action has run yet.</p>";
    return page;
  }
  page.body_html +=
      "<div class=\"table-wrap\"><table><caption>Profile reports</caption><thead><tr><th scope=\"col\">Dataset</th>"
      "<th scope=\"col\">Workflow run</th><th scope=\"col\">Action</th><th scope=\"col\">Profiled</th><th "
      "scope=\"col\" class=\"num\">Rows</th><th scope=\"col\">Rules</th><th scope=\"col\">Report</th></tr></thead>"
      "<tbody>\n";
  for (const QualityRun& run : *runs) {
    const std::string dataset = DatasetOf(run.action);
    page.body_html +=
        "<tr><td><code>" + Escape(dataset.empty() ? run.data.GetOr("output", "") : dataset) + "</code></td><td>" +
        Link(JobHref(run.job.id), run.job.app_name.empty() ? run.job.id : run.job.app_name) +
        "<br><span class=\"muted mono\">" + Escape(run.job.id) + "</span></td><td>" + Escape(run.action.name) + " " +
        StatusBadge(run.action.status) + "</td><td>" + TimeHtml(run.action.end_ms) + "</td><td class=\"num\">" +
        Escape(run.data.GetOr("rows", "")) + "</td><td>" + RuleOutcome(run.data) + "</td><td>" + "<a href=\"" +
        Escape(QualityHref(run.action.id)) + "\" aria-label=\"Report of " + Escape(dataset) + " from " +
        Escape(run.action.id) + "\">Open report</a></td></tr>\n";
  }
  page.body_html += "</tbody></table></div>";
  return page;
}

WebPage QualityReportPage(const WebUiOptions& options, const std::string& action_id) {
  ReportLookup lookup = LookUp(options, action_id);
  if (!lookup.run) return *lookup.problem;
  const QualityRun& run = *lookup.run;
  const std::string dataset = DatasetOf(run.action);
  WebPage page;
  page.title = "Quality of " + (dataset.empty() ? run.data.GetOr("output", "") : dataset);
  page.body_html = Facts({
      {"Rules", RuleOutcome(run.data)},
      {"Failed rules", run.data.GetOr("failed", "").empty()
                           ? ""
                           : "<span class=\"error-text\">" + Escape(run.data.GetOr("failed", "")) + "</span>"},
      {"Rows", Escape(run.data.GetOr("rows", ""))},
      {"Columns", Escape(run.data.GetOr("columns", ""))},
      {"Duplicate rows", Escape(run.data.GetOr("duplicate_rows", ""))},
      {"Drift compared", run.data.GetOr("drift", "false") == "true" ? "yes, with the previous profile" : "no"},
      {"Workflow run",
       Link(JobHref(run.action.job_id),
            run.job.app_name.empty() ? run.action.job_id : run.job.app_name + " (" + run.action.job_id + ")")},
      {"Action", Link(JobHref(run.action.job_id) + "#action-" + PercentEncode(run.action.name), run.action.name) + " " +
                     StatusBadge(run.action.status)},
      {"Profiled", TimeHtml(run.action.end_ms)},
      {"Output", "<code>" + Escape(run.data.GetOr("output", "")) + "</code>"},
  });
  auto path = ReportPath(options, run);
  if (!path.ok()) {
    page.body_html += "<p class=\"error-text\">The report cannot be shown: " + Escape(path.status().message()) + "</p>";
    return page;
  }
  const std::string href = QualityHref(run.action.id) + "/profile.html";
  page.body_html +=
      "<h2>Report</h2><p class=\"muted\">The latest profile in the output directory; a later run of "
      "the same action replaces it. " +
      Link(href, "Open the report on its own") + ".</p><iframe class=\"report\" src=\"" + Escape(href) +
      "\" title=\"Profile report of " + Escape(dataset) + "\" sandbox></iframe>";
  return page;
}

HttpResponse QualityReportFile(const WebUiOptions& options, const std::string& action_id) {
  ReportLookup lookup = LookUp(options, action_id);
  std::string why;
  if (lookup.run) {
    auto path = ReportPath(options, *lookup.run);
    if (path.ok()) {
      auto text = options.files->ReadFile(lookup.run->data.GetOr("output", "") + "/profile.html");
      if (text.ok()) {
        HttpResponse response;
        response.content_type = "text/html;charset=UTF-8";
        response.body = std::move(*text);
        response.headers.emplace_back("Content-Security-Policy", kReportPolicy);
        response.headers.emplace_back("X-Content-Type-Options", "nosniff");
        response.headers.emplace_back("Cache-Control", "no-store");
        return response;
      }
      why = text.status().message();
    } else {
      why = path.status().message();
    }
  } else {
    why = "action " + action_id + " has no profile report";
  }
  HttpResponse response;
  response.status = 404;
  response.content_type = "text/plain;charset=UTF-8";
  response.body = "No report: " + why + "\n";
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  return response;
}

}  // namespace refinery::serve::internal
