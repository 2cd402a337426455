// The HTML helpers every UI page is written with: escaping, links, times,
// durations, status badges.
#include <fmt/format.h>

#include "core/time_format.h"
#include "serve/web_ui_internal.h"

namespace refinery::serve {

std::string EscapeHtml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

namespace internal {

std::string Escape(std::string_view text) { return EscapeHtml(text); }

std::string Link(const std::string& href, std::string_view text) {
  return "<a href=\"" + Escape(href) + "\">" + Escape(text) + "</a>";
}

std::string JobHref(const std::string& workflow_id) { return "/ui/jobs/" + PercentEncode(workflow_id); }
std::string CoordinatorHref(const std::string& coordinator_id) {
  return "/ui/coordinators/" + PercentEncode(coordinator_id);
}
std::string QualityHref(const std::string& action_id) { return "/ui/quality/" + PercentEncode(action_id); }

std::string IdLink(const std::string& id) {
  if (id.empty()) return "";
  const std::string job = id.substr(0, id.find('@'));
  if (job.size() > 2 && job.compare(job.size() - 2, 2, "-C") == 0) return Link(CoordinatorHref(job), id);
  if (job.size() > 2 && job.compare(job.size() - 2, 2, "-W") == 0) return Link(JobHref(job), id);
  return Escape(id);
}

std::string TimeHtml(int64_t epoch_ms) {
  if (epoch_ms <= 0) return "<span class=\"muted\">—</span>";
  const std::string iso = FormatIsoMillis(FromEpochMillis(epoch_ms));  // 2026-01-14T07:08:01.123Z
  return "<time datetime=\"" + Escape(iso) + "\">" + Escape(iso.substr(0, 10) + " " + iso.substr(11, 8)) +
         " UTC</time>";
}

std::string DurationText(int64_t start_ms, int64_t end_ms, int64_t now_ms) {
  if (start_ms <= 0) return "—";
  const bool running = end_ms <= 0;
  const int64_t millis = std::max<int64_t>(0, (running ? now_ms : end_ms) - start_ms);
  std::string text;
  if (millis < 1000) {
    text = fmt::format("{} ms", millis);
  } else if (millis < 10'000) {
    text = fmt::format("{:.1f} s", static_cast<double>(millis) / 1000.0);
  } else if (millis < 3'600'000) {
    const int64_t seconds = millis / 1000;
    text = seconds < 60 ? fmt::format("{} s", seconds) : fmt::format("{} min {} s", seconds / 60, seconds % 60);
  } else {
    const int64_t minutes = millis / 60'000;
    text = minutes < 48 * 60 ? fmt::format("{} h {} min", minutes / 60, minutes % 60)
                             : fmt::format("{} d {} h", minutes / 1440, (minutes % 1440) / 60);
  }
  return running ? text + " so far" : text;
}

std::string StatusFamily(const std::string& status) {
  if (status == "SUCCEEDED" || status == "OK" || status == "DONE") return "ok";
  if (status == "RUNNING" || status == "PREP" || status == "SUBMITTED" || status == "READY" ||
      status == "START_RETRY" || status == "END_RETRY") {
    return "run";
  }
  if (status == "FAILED" || status == "ERROR" || status == "DONEWITHERROR" || status == "TIMEDOUT" ||
      status == "START_MANUAL" || status == "END_MANUAL" || status == "SUSPENDEDWITHERROR" ||
      status == "RUNNINGWITHERROR" || status == "PAUSEDWITHERROR") {
    return "err";
  }
  if (status == "USER_RETRY" || status == "SUSPENDED" || status == "WAITING" || status == "PAUSED") return "warn";
  return "off";  // KILLED, SKIPPED, unknown
}

std::string StatusBadge(const std::string& status) {
  if (status.empty()) return "<span class=\"muted\">—</span>";
  return "<span class=\"badge " + StatusFamily(status) + "\">" + Escape(status) + "</span>";
}

std::string Facts(const std::vector<std::pair<std::string, std::string>>& rows) {
  std::string html = "<dl class=\"facts\">";
  for (const auto& [label, value] : rows) {
    if (value.empty()) continue;
    html += "<dt>" + Escape(label) + "</dt><dd>" + value + "</dd>";
  }
  return html + "</dl>";
}

WebPage NotFoundPage(const std::string& what) {
  WebPage page;
  page.status = 404;
  page.title = "Not found";
  page.body_html = "<p>" + Escape(what) + "</p><p>" + Link("/ui/jobs", "All workflow runs") + " · " +
                   Link("/", "Dashboard") + "</p>";
  return page;
}

WebPage ErrorPage(const std::string& what, const Status& status) {
  WebPage page;
  page.status = 500;
  page.title = "Something went wrong";
  page.body_html = "<p>" + Escape(what) + "</p><pre>" + Escape(status.ToString()) + "</pre>";
  return page;
}

int64_t NowMs(const WebUiOptions& options) {
  return ToEpochMillis(options.clock != nullptr ? options.clock->Now() : SystemClock()->Now());
}

bool IsControlNode(const std::string& type) {
  return type == ":START:" || type == ":END:" || type == ":KILL:" || type == ":FORK:" || type == ":JOIN:" ||
         type == "switch";
}

}  // namespace internal
}  // namespace refinery::serve
