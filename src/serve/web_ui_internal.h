// Pieces of the web UI shared by its page files: the page functions the
// router calls and the HTML helpers they are written with. Not a public API.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "serve/web_ui.h"

namespace refinery::serve::internal {

// Page functions (web_pages_jobs.cc, web_pages_quality.cc). Store failures
// become an error page; unknown ids a 404 page.
WebPage DashboardPage(const WebUiOptions& options);
WebPage JobsPage(const WebUiOptions& options, const HttpRequest& request);
WebPage JobPage(const WebUiOptions& options, const std::string& id);
WebPage CoordinatorsPage(const WebUiOptions& options);
WebPage CoordinatorPage(const WebUiOptions& options, const std::string& id);
WebPage QualityPage(const WebUiOptions& options);
WebPage QualityReportPage(const WebUiOptions& options, const std::string& action_id);
// The profile.html itself, for the report page's frame; a 404 page when the
// action is not a profile action or its report is gone.
HttpResponse QualityReportFile(const WebUiOptions& options, const std::string& action_id);

// The timeline of a run: one bar per action from start to end (running ones
// to `now_ms`), coloured by status, with a time axis. Control nodes are left
// out. Empty string when no action has started.
std::string RenderGanttSvg(const std::vector<store::WorkflowActionRecord>& actions, int64_t now_ms);

// HTML helpers (web_ui_html.cc).
std::string Escape(std::string_view text);                         // = EscapeHtml
std::string Link(const std::string& href, std::string_view text);  // href is escaped too
std::string JobHref(const std::string& workflow_id);
std::string CoordinatorHref(const std::string& coordinator_id);
std::string QualityHref(const std::string& action_id);
// A link to the job or coordinator page for a parent/external id, plain text when none fits.
std::string IdLink(const std::string& id);
// <time datetime="ISO">2026-01-14 07:08:01 UTC</time>; "—" for 0.
std::string TimeHtml(int64_t epoch_ms);
// "1.2 s", "3 min 4 s", "2 h 5 min"; end 0 with a start: running, measured to now.
std::string DurationText(int64_t start_ms, int64_t end_ms, int64_t now_ms);
// <span class="badge ok">SUCCEEDED</span>
std::string StatusBadge(const std::string& status);
// "ok", "run", "err", "warn" or "off": the colour family of a status.
std::string StatusFamily(const std::string& status);
// A <dl class="facts"> from (label, already-escaped HTML) pairs; empty values are skipped.
std::string Facts(const std::vector<std::pair<std::string, std::string>>& rows);
WebPage NotFoundPage(const std::string& what);
WebPage ErrorPage(const std::string& what, const Status& status);
int64_t NowMs(const WebUiOptions& options);
// Control nodes (start, end, kill, fork, join, decision) are not actions a user ran.
bool IsControlNode(const std::string& type);

}  // namespace refinery::serve::internal
