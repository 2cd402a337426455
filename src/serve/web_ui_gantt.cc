// The Gantt timeline of a workflow run as SVG, drawn by the server: one row
// per action, a bar from its start to its end coloured by status, and a
// relative time axis. The actions table on the same page carries the same
// facts as text, for screen readers.
#include <fmt/format.h>

#include <algorithm>

#include "core/time_format.h"
#include "serve/web_ui_internal.h"

namespace refinery::serve::internal {
namespace {

constexpr int kWidth = 960, kLabelWidth = 190, kRightMargin = 120, kAxisHeight = 34, kRowHeight = 28, kBarHeight = 16,
              kTicks = 4;

std::string BarColour(const std::string& status) {
  const std::string family = StatusFamily(status);
  if (family == "ok") return "#2e7d32";
  if (family == "run") return "#1565c0";
  if (family == "err") return "#c62828";
  if (family == "warn") return "#f9a825";
  return "#757575";
}

std::string ClockTime(int64_t epoch_ms) {
  const std::string iso = FormatIsoMillis(FromEpochMillis(epoch_ms));
  return iso.substr(11, 8);
}

std::string Offset(int64_t millis) {
  if (millis == 0) return "0 s";
  return "+" + DurationText(1, 1 + millis, 0);
}

}  // namespace

std::string RenderGanttSvg(const std::vector<store::WorkflowActionRecord>& actions, int64_t now_ms) {
  std::vector<const store::WorkflowActionRecord*> rows;
  for (const auto& action : actions) {
    if (!IsControlNode(action.type) && action.start_ms > 0) rows.push_back(&action);
  }
  if (rows.empty()) return "";
  std::stable_sort(rows.begin(), rows.end(), [](auto* a, auto* b) { return a->start_ms < b->start_ms; });
  const int64_t begin = rows.front()->start_ms;
  int64_t finish = begin;
  for (const auto* action : rows) finish = std::max(finish, action->end_ms > 0 ? action->end_ms : now_ms);
  const int64_t span = std::max<int64_t>(finish - begin, 10);  // fast runs are drawn in milliseconds
  const int chart_width = kWidth - kLabelWidth - kRightMargin;
  const int height = kAxisHeight + static_cast<int>(rows.size()) * kRowHeight + 8;
  auto x_of = [&](int64_t ms) {
    return kLabelWidth + static_cast<double>(ms - begin) * chart_width / static_cast<double>(span);
  };

  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"gantt\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\" "
      "font-family=\"sans-serif\" font-size=\"12\" role=\"img\" aria-label=\"Timeline of {} action(s) from {} UTC, "
      "{} in all\">\n",
      kWidth, height, kWidth, height, rows.size(), ClockTime(begin), Escape(DurationText(begin, finish, now_ms)));
  for (int tick = 0; tick <= kTicks; ++tick) {
    const int64_t at = begin + span * tick / kTicks;
    const double x = x_of(at);
    svg += fmt::format(
        "<line x1=\"{:.1f}\" y1=\"{}\" x2=\"{:.1f}\" y2=\"{}\" stroke=\"#d0d7de\"/>"
        "<text x=\"{:.1f}\" y=\"14\" text-anchor=\"middle\" fill=\"#57606a\">{}</text>"
        "<text x=\"{:.1f}\" y=\"27\" text-anchor=\"middle\" fill=\"#57606a\" font-size=\"10\">{}</text>\n",
        x, kAxisHeight - 4, x, height - 4, x, Escape(Offset(at - begin)), x, ClockTime(at));
  }
  int row = 0;
  for (const auto* action : rows) {
    const bool running = action->end_ms <= 0;
    const int64_t end = running ? now_ms : action->end_ms;
    const double x1 = x_of(action->start_ms);
    const double bar_width = std::max(2.0, x_of(std::max(end, action->start_ms)) - x1);
    const int y = kAxisHeight + row++ * kRowHeight;
    const std::string duration = DurationText(action->start_ms, action->end_ms, now_ms);
    svg += fmt::format(
        "<g class=\"bar\" data-action=\"{}\" data-status=\"{}\"><title>{} ({}): {}, {} → {} UTC ({})</title>"
        "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>"
        "<rect x=\"{:.1f}\" y=\"{}\" width=\"{:.1f}\" height=\"{}\" rx=\"3\" fill=\"{}\"{}/>"
        "<text x=\"{:.1f}\" y=\"{}\" fill=\"#24292f\">{} · {}</text></g>\n",
        Escape(action->name), Escape(action->status), Escape(action->name), Escape(action->type),
        Escape(action->status), ClockTime(action->start_ms), running ? "now" : ClockTime(end), Escape(duration),
        kLabelWidth - 8, y + kBarHeight - 3, Escape(action->name.substr(0, 28)), x1, y + 2, bar_width, kBarHeight,
        BarColour(action->status), running ? " stroke=\"#0a4b8c\" stroke-dasharray=\"4,2\"" : "", x1 + bar_width + 6,
        y + kBarHeight - 3, Escape(action->status), Escape(duration));
  }
  return svg + "</svg>\n";
}

}  // namespace refinery::serve::internal
