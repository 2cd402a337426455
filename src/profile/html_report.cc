#include "profile/html_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/xml_text.h"

namespace refinery::profile {
namespace {

using nlohmann::json;

constexpr char kStyle[] = R"(
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d232b;background:#f6f7f9}
main{max-width:1100px;margin:0 auto;padding:1rem 1.5rem 3rem}
a{color:#0b5cad}a:focus,summary:focus,details:focus-within>summary{outline:3px solid #f5a623;outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem;z-index:9}
h1{font-size:1.6rem;margin:.5rem 0}h2{font-size:1.25rem;margin-top:2rem;border-bottom:2px solid #dde1e6}
table{border-collapse:collapse;background:#fff;margin:.5rem 0}th,td{padding:.25rem .6rem;border:1px solid #dde1e6;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}.fail{color:#b3261e;font-weight:600}.pass{color:#1b7f3b}
.note{color:#5c6670}.cards{display:flex;flex-wrap:wrap;gap:.75rem}.card{background:#fff;border:1px solid #dde1e6;padding:.6rem 1rem;border-radius:6px}
.card b{display:block;font-size:1.3rem}details{background:#fff;border:1px solid #dde1e6;border-radius:6px;margin:.6rem 0;padding:.3rem .8rem}
summary{cursor:pointer;font-weight:600;padding:.3rem 0}.cols{display:flex;flex-wrap:wrap;gap:1.5rem;align-items:flex-start}
.flag{background:#fff4d6;border:1px solid #f0c36d;border-radius:4px;padding:.2rem .5rem;display:inline-block;margin:.2rem 0}
svg text{font:11px system-ui,sans-serif;fill:#1d232b}nav ul{columns:3;padding-left:1.2rem}
)";

std::string Num(const json& value) {
  if (value.is_number_integer()) return std::to_string(value.get<int64_t>());
  if (value.is_number()) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.6g", value.get<double>());
    return buffer;
  }
  if (value.is_string()) return HtmlEscape(value.get<std::string>());
  if (value.is_boolean()) return value.get<bool>() ? "yes" : "no";
  return "&ndash;";
}

std::string Percent(double fraction) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2f %%", fraction * 100);
  return buffer;
}

std::string Anchor(size_t index) { return "col-" + std::to_string(index); }

std::string NullBar(double fraction) {
  const int width = 240;
  const int filled = static_cast<int>(std::lround(std::clamp(fraction, 0.0, 1.0) * width));
  return "<svg width=\"" + std::to_string(width + 80) + "\" height=\"18\" role=\"img\" aria-label=\"nulls " +
         Percent(fraction) + "\"><title>nulls " + Percent(fraction) + "</title><rect width=\"" + std::to_string(width) +
         "\" height=\"14\" fill=\"#e3e7ec\"/><rect width=\"" + std::to_string(filled) +
         "\" height=\"14\" fill=\"#d9534f\"/><text x=\"" + std::to_string(width + 6) + "\" y=\"12\">" +
         Percent(fraction) + "</text></svg>";
}

// Vertical bars over numeric bins.
std::string Histogram(const json& histogram, const std::string& name) {
  const auto counts = histogram.value("counts", std::vector<int64_t>{});
  const auto edges = histogram.value("edges", std::vector<double>{});
  if (counts.empty() || edges.size() != counts.size() + 1) return "";
  const int64_t top = std::max<int64_t>(1, *std::max_element(counts.begin(), counts.end()));
  const int width = 420, height = 140, base = 120;
  const double bar = static_cast<double>(width) / static_cast<double>(counts.size());
  std::string svg = "<svg width=\"" + std::to_string(width) + "\" height=\"" + std::to_string(height) +
                    "\" role=\"img\" aria-label=\"histogram of " + HtmlEscape(name) + "\"><title>histogram of " +
                    HtmlEscape(name) + "</title>";
  for (size_t i = 0; i < counts.size(); ++i) {
    const double h = static_cast<double>(counts[i]) / static_cast<double>(top) * (base - 5);
    char rect[256];
    std::snprintf(rect, sizeof rect, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#3b7dd8\">",
                  i * bar + 1, base - h, std::max(bar - 2, 1.0), h);
    svg += rect;
    svg += "<title>" + Num(edges[i]) + " to " + Num(edges[i + 1]) + ": " + std::to_string(counts[i]) + "</title></rect>";
  }
  svg += "<line x1=\"0\" y1=\"" + std::to_string(base) + "\" x2=\"" + std::to_string(width) + "\" y2=\"" +
         std::to_string(base) + "\" stroke=\"#5c6670\"/>";
  svg += "<text x=\"0\" y=\"134\">" + Num(edges.front()) + "</text><text x=\"" + std::to_string(width) +
         "\" y=\"134\" text-anchor=\"end\">" + Num(edges.back()) + "</text></svg>";
  return svg;
}

// Horizontal bars of the top values.
std::string BarChart(const json& top_values, int64_t count, const std::string& name) {
  if (!top_values.is_array() || top_values.empty()) return "";
  const size_t shown = std::min<size_t>(top_values.size(), 12);
  const int label = 150, width = 260, row = 18;
  const int64_t top = std::max<int64_t>(1, top_values[0].value("count", int64_t{1}));
  std::string svg = "<svg width=\"" + std::to_string(label + width + 90) + "\" height=\"" +
                    std::to_string(static_cast<int>(shown) * row + 4) + "\" role=\"img\" aria-label=\"top values of " +
                    HtmlEscape(name) + "\"><title>top values of " + HtmlEscape(name) + "</title>";
  for (size_t i = 0; i < shown; ++i) {
    const json& item = top_values[i];
    std::string value = item.value("value", std::string());
    if (value.size() > 22) value = value.substr(0, 21) + "…";
    const int64_t n = item.value("count", int64_t{0});
    const int w = static_cast<int>(static_cast<double>(n) / static_cast<double>(top) * width);
    const std::string y = std::to_string(static_cast<int>(i) * row);
    svg += "<text x=\"" + std::to_string(label - 6) + "\" y=\"" + std::to_string(static_cast<int>(i) * row + 13) +
           "\" text-anchor=\"end\">" + HtmlEscape(value.empty() ? "(empty)" : value) + "</text>";
    svg += "<rect x=\"" + std::to_string(label) + "\" y=\"" + y + "\" width=\"" + std::to_string(std::max(w, 1)) +
           "\" height=\"14\" fill=\"#2e9e6a\"/>";
    svg += "<text x=\"" + std::to_string(label + w + 6) + "\" y=\"" + std::to_string(static_cast<int>(i) * row + 13) +
           "\">" + std::to_string(n) +
           (count > 0 ? " (" + Percent(static_cast<double>(n) / static_cast<double>(count)) + ")" : "") + "</text>";
  }
  return svg + "</svg>";
}

std::string StatRow(const std::string& label, const std::string& value) {
  return "<tr><th scope=\"row\">" + label + "</th><td class=\"n\">" + value + "</td></tr>";
}

std::string ColumnStats(const json& column) {
  std::string out = "<table><tbody>";
  out += StatRow("count (non-null)", Num(column.value("count", json())));
  out += StatRow("nulls", Num(column.value("nulls", json())));
  std::string distinct = Num(column.value("distinct", json()));
  if (!column.value("distinct_exact", true)) distinct += " (estimate)";
  out += StatRow("distinct", distinct);
  for (const char* key : {"min", "max", "mean", "stddev", "zeros", "negatives", "invalid", "duplicate_ids"}) {
    if (column.contains(key)) out += StatRow(key, Num(column[key]));
  }
  const json first = column.value("first_invalid", json());
  if (first.is_object()) {
    out += StatRow("first invalid", HtmlEscape(first.value("where", std::string())) + ": <code>" +
                                        HtmlEscape(first.value("value", std::string())) + "</code>");
  }
  if (column.contains("quantiles") && column["quantiles"].is_object()) {
    for (const auto& [key, value] : column["quantiles"].items()) out += StatRow(key, Num(value));
  }
  return out + "</tbody></table>";
}

std::string DisguisedFlags(const json& column) {
  const json list = column.value("disguised_missing", json::array());
  if (!list.is_array() || list.empty()) return "";
  std::string out = "<p class=\"flag\">Possible disguised missing values, for a person to judge: ";
  bool first = true;
  for (const json& item : list) {
    const json value = item.value("value", json());
    std::string shown = value.is_string() ? "“" + HtmlEscape(value.get<std::string>()) + "”" : Num(value);
    out += (first ? "" : ", ") + shown + " × " + Num(item.value("count", json()));
    first = false;
  }
  return out + "</p>";
}

std::string ColumnSection(const json& column, size_t index) {
  const std::string name = column.value("name", std::string());
  const std::string kind = column.value("kind", std::string());
  std::string out = "<details open id=\"" + Anchor(index) + "\"><summary>" + HtmlEscape(name) + " <span class=\"note\">" +
                    HtmlEscape(column.value("type", std::string())) + ", " + HtmlEscape(kind) + "</span></summary>";
  out += "<p>Nulls: " + NullBar(column.value("null_fraction", 0.0)) + "</p>";
  out += DisguisedFlags(column);
  out += "<div class=\"cols\">" + ColumnStats(column) + "<div>";
  if (kind == "numeric" && column.contains("histogram")) {
    out += Histogram(column["histogram"], name);
    if (!column["histogram"].value("exact", true)) out += "<p class=\"note\">Bars estimated from a uniform sample.</p>";
  } else if (kind == "categorical") {
    out += BarChart(column.value("top_values", json::array()), column.value("count", int64_t{0}), name);
    if (!column.value("top_values_exact", true)) out += "<p class=\"note\">Counts are estimates (too many values to count exactly).</p>";
  }
  return out + "</div></div></details>";
}

std::string Overview(const json& profile) {
  auto card = [](const std::string& label, const std::string& value) {
    return "<div class=\"card\">" + label + "<b>" + value + "</b></div>";
  };
  std::string out = "<section aria-labelledby=\"overview\"><h2 id=\"overview\">Overview</h2><div class=\"cards\">";
  out += card("rows", Num(profile.value("rows", json())));
  out += card("columns", std::to_string(profile.value("columns", json::array()).size()));
  std::string duplicates = Num(profile.value("duplicate_rows", json()));
  if (!profile.value("duplicate_rows_exact", true)) duplicates += " (est.)";
  out += card("duplicate rows", duplicates);
  out += card("files", Num(profile.value("files", json())));
  out += card("bytes", Num(profile.value("bytes", json())));
  return out + "</div></section>";
}

std::string RulesTable(const json& profile) {
  const json rules = profile.value("rules", json::array());
  if (!rules.is_array() || rules.empty()) return "";
  std::string out = "<section aria-labelledby=\"rules\"><h2 id=\"rules\">Quality rules</h2><table><thead><tr>"
                    "<th scope=\"col\">rule</th><th scope=\"col\">observed</th><th scope=\"col\">result</th></tr></thead><tbody>";
  for (const json& rule : rules) {
    const bool passed = rule.value("passed", true);
    std::string result = passed ? "<span class=\"pass\">passed</span>" : "<span class=\"fail\">FAILED</span>";
    const std::string note = rule.value("note", std::string());
    if (!note.empty()) result += " <span class=\"note\">(" + HtmlEscape(note) + ")</span>";
    const std::string where = rule.value("where", std::string());
    if (!where.empty()) result += " <span class=\"note\">first at " + HtmlEscape(where) + "</span>";
    out += "<tr><td><code>" + HtmlEscape(rule.value("rule", std::string())) + "</code></td><td class=\"n\">" +
           Num(rule.value("observed", json())) + "</td><td>" + result + "</td></tr>";
  }
  return out + "</tbody></table></section>";
}

std::string CategoryList(const json& list) {
  if (!list.is_array()) return "<span class=\"note\">n/a</span>";
  std::string out;
  for (const json& value : list) out += (out.empty() ? "" : ", ") + HtmlEscape(value.get<std::string>());
  return out.empty() ? "none" : out;
}

std::string DriftTable(const json& profile) {
  std::string out = "<section aria-labelledby=\"drift\"><h2 id=\"drift\">Drift since the previous profile</h2>";
  const json drift = profile.value("drift", json());
  if (!drift.is_object()) return out + "<p class=\"note\">No previous profile of this dataset yet.</p></section>";
  out += "<p>Rows: " + Num(drift.value("previous_rows", json())) + " → " + Num(profile.value("rows", json())) +
         " (change " + Num(drift.value("rows_change", json())) + ")";
  const std::string at = drift.value("previous_profiled_at", std::string());
  if (!at.empty()) out += ", previous profile of " + HtmlEscape(at);
  out += ".</p><table><thead><tr><th scope=\"col\">column</th><th scope=\"col\">PSI</th><th scope=\"col\">null rate</th>"
         "<th scope=\"col\">change</th><th scope=\"col\">new categories</th><th scope=\"col\">gone categories</th></tr></thead><tbody>";
  for (const json& column : drift.value("columns", json::array())) {
    const json psi = column.value("psi", json());
    const bool high = psi.is_number() && psi.get<double>() > 0.2;
    out += "<tr><td>" + HtmlEscape(column.value("name", std::string())) + "</td><td class=\"n" +
           std::string(high ? " fail" : "") + "\">" + Num(psi) + "</td><td class=\"n\">" +
           Percent(column.value("null_fraction", 0.0)) + "</td><td class=\"n\">" +
           Num(column.value("null_fraction_change", json())) + "</td><td>" +
           CategoryList(column.value("new_categories", json())) + "</td><td>" +
           CategoryList(column.value("missing_categories", json())) + "</td></tr>";
  }
  out += "</tbody></table>";
  for (const char* key : {"columns_added", "columns_removed"}) {
    const json list = drift.value(key, json::array());
    if (list.is_array() && !list.empty()) out += "<p>" + std::string(key) + ": " + CategoryList(list) + "</p>";
  }
  return out + "<p class=\"note\">PSI above 0.2 is usually read as a shift worth a look; above 0.1 as a small one.</p></section>";
}

}  // namespace

std::string HtmlEscape(const std::string& text) { return EscapeXml(text); }

std::string RenderHtmlReport(const json& profile) {
  const std::string input = profile.value("input", std::string("dataset"));
  std::string html = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
                     "content=\"width=device-width,initial-scale=1\"><title>Profile of " + HtmlEscape(input) +
                     "</title><style>" + kStyle + "</style></head><body><a class=\"skip\" href=\"#main\">Skip to the profile</a>"
                     "<main id=\"main\"><h1>Profile of <code>" + HtmlEscape(input) + "</code></h1>";
  const std::string at = profile.value("profiled_at", std::string());
  if (!at.empty()) html += "<p class=\"note\">Profiled at " + HtmlEscape(at) + " by Refinery.</p>";
  html += Overview(profile) + RulesTable(profile) + DriftTable(profile);
  const json columns = profile.value("columns", json::array());
  html += "<nav aria-labelledby=\"toc\"><h2 id=\"toc\">Columns</h2><ul>";
  for (size_t i = 0; i < columns.size(); ++i) {
    html += "<li><a href=\"#" + Anchor(i) + "\">" + HtmlEscape(columns[i].value("name", std::string())) + "</a></li>";
  }
  html += "</ul></nav><section aria-label=\"columns\">";
  for (size_t i = 0; i < columns.size(); ++i) html += ColumnSection(columns[i], i);
  return html + "</section></main></body></html>\n";
}

}  // namespace refinery::profile
