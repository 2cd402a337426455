#include "serve/model_pages.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <sstream>

#include "core/time_format.h"
#include "serve/model_api.h"
#include "serve/web_ui_internal.h"

namespace refinery::serve {
namespace {

using internal::Escape;
using internal::Link;

std::string ModelHref(const std::string& name) { return "/ui/models/" + PercentEncode(name); }

std::string Number(const nlohmann::json& value, int digits = 4) {
  return value.is_number() ? fmt::format("{:.{}f}", value.get<double>(), digits) : "—";
}

std::string StageBadge(const std::string& stage) {
  const char* family = stage == registry::kProduction ? "ok" : stage == registry::kCandidate ? "run" : "off";
  return fmt::format("<span class=\"badge {}\">{}</span>", family, Escape(stage));
}

// A square line chart of `points` ([x, y, ...] pairs in [0,1]²), with axes.
std::string CurveSvg(const std::string& title, const std::string& x_label, const std::string& y_label,
                     const nlohmann::json& points, bool diagonal) {
  constexpr double kSize = 240, kPad = 40;
  auto px = [&](double x) { return kPad + x * kSize; };
  auto py = [&](double y) { return kPad / 2 + (1 - y) * kSize; };
  std::string path;
  for (const nlohmann::json& point : points) {
    if (!point.is_array() || point.size() < 2 || !point[0].is_number() || !point[1].is_number()) continue;
    path += fmt::format("{}{:.1f},{:.1f} ", path.empty() ? "M" : "L", px(point[0].get<double>()), py(point[1].get<double>()));
  }
  std::string svg = fmt::format(
      "<figure class=\"chart\"><svg role=\"img\" aria-label=\"{0}\" viewBox=\"0 0 {1} {2}\" width=\"{1}\" height=\"{2}\">"
      "<rect x=\"{3}\" y=\"{4}\" width=\"{5}\" height=\"{5}\" fill=\"#f6f8fa\" stroke=\"#d0d7de\"/>",
      Escape(title), kSize + kPad + 10, kSize + kPad + 10, kPad, kPad / 2, kSize);
  for (int tick = 0; tick <= 4; ++tick) {
    const double v = tick / 4.0;
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"10\" text-anchor=\"middle\">{:.2f}</text>", px(v),
                       kSize + kPad / 2 + 14, v);
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"10\" text-anchor=\"end\">{:.2f}</text>", kPad - 4,
                       py(v) + 3, v);
  }
  if (diagonal) {
    svg += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#8c959f\" stroke-dasharray=\"4 3\"/>", px(0),
                       py(0), px(1), py(1));
  }
  svg += "<path d=\"" + path + "\" fill=\"none\" stroke=\"#0b5cad\" stroke-width=\"2\"/>";
  svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"11\" text-anchor=\"middle\">{}</text>", px(0.5),
                     kSize + kPad / 2 + 28, Escape(x_label));
  svg += fmt::format("<text x=\"12\" y=\"{:.1f}\" font-size=\"11\" text-anchor=\"middle\" transform=\"rotate(-90 12 {:.1f})\">{}</text>",
                     py(0.5), py(0.5), Escape(y_label));
  return svg + "</svg><figcaption>" + Escape(title) + "</figcaption></figure>";
}

// Horizontal bars for (label, value) pairs; negative values go left of the
// axis. `signed_colors`: red raises, green lowers; otherwise one blue.
std::string BarsSvg(const std::string& title, const std::vector<std::pair<std::string, double>>& bars,
                    bool signed_colors) {
  if (bars.empty()) return "";
  double largest = 0;
  bool negative = false;
  for (const auto& [label, value] : bars) {
    largest = std::max(largest, std::fabs(value));
    negative = negative || value < 0;
  }
  if (largest == 0) largest = 1;
  constexpr double kLabel = 150, kWidth = 320, kRow = 22;
  const double zero = negative ? kLabel + kWidth / 2 : kLabel;
  const double scale = negative ? kWidth / 2 / largest : kWidth / largest;
  std::string svg = fmt::format("<figure class=\"chart\"><svg role=\"img\" aria-label=\"{0}\" viewBox=\"0 0 {1} {2}\" "
                                "width=\"{1}\" height=\"{2}\">",
                                Escape(title), kLabel + kWidth + 70, bars.size() * kRow + 10);
  for (size_t i = 0; i < bars.size(); ++i) {
    const auto& [label, value] = bars[i];
    const double y = 5 + i * kRow;
    const double length = std::fabs(value) * scale;
    const double x = value < 0 ? zero - length : zero;
    svg += fmt::format("<text x=\"{}\" y=\"{:.1f}\" font-size=\"12\" text-anchor=\"end\">{}</text>", kLabel - 6, y + 14,
                       Escape(label));
    svg += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{}\" fill=\"{}\"><title>{}: {:.4g}</title></rect>",
                       x, y + 3, std::max(length, 1.0), kRow - 6,
                       !signed_colors ? "#0b5cad" : value < 0 ? "#2da44e" : "#cf222e", Escape(label), value);
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"11\">{:+.3f}</text>",
                       (value < 0 ? zero : x + length) + 4, y + 14, value);
  }
  return svg + "</svg><figcaption>" + Escape(title) + "</figcaption></figure>";
}

// The primary metric of each version, in version order, as a small line chart.
std::string MetricHistorySvg(const std::vector<store::ModelVersionRecord>& versions) {
  std::vector<std::pair<int, double>> points;
  std::string metric;
  for (const auto& record : versions) {
    const nlohmann::json metrics = nlohmann::json::parse(record.metrics, nullptr, false);
    if (!metrics.is_object()) continue;
    for (const char* key : {"auc", "accuracy", "rmse"}) {
      if (metrics.contains(key) && metrics[key].is_number() && (metric.empty() || metric == key)) {
        metric = key;
        points.emplace_back(record.version, metrics[key].get<double>());
        break;
      }
    }
  }
  if (points.size() < 2) return "";
  double low = points[0].second, high = points[0].second;
  for (const auto& point : points) low = std::min(low, point.second), high = std::max(high, point.second);
  if (high - low < 1e-9) high = low + 1e-3;
  constexpr double kWidth = 420, kHeight = 140, kPad = 36;
  std::string path, dots;
  for (size_t i = 0; i < points.size(); ++i) {
    const double x = kPad + (kWidth - 2 * kPad) * i / (points.size() - 1);
    const double y = 10 + (kHeight - 30) * (1 - (points[i].second - low) / (high - low));
    path += fmt::format("{}{:.1f},{:.1f} ", i == 0 ? "M" : "L", x, y);
    dots += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"4\" fill=\"#0b5cad\"><title>v{}: {:.4f}</title></circle>"
                        "<text x=\"{:.1f}\" y=\"{}\" font-size=\"10\" text-anchor=\"middle\">v{}</text>",
                        x, y, points[i].first, points[i].second, x, kHeight - 4, points[i].first);
  }
  return fmt::format("<figure class=\"chart\"><svg role=\"img\" aria-label=\"{0} by version\" viewBox=\"0 0 {1} {2}\" "
                     "width=\"{1}\" height=\"{2}\"><text x=\"2\" y=\"14\" font-size=\"10\">{3:.4f}</text>"
                     "<text x=\"2\" y=\"{4}\" font-size=\"10\">{5:.4f}</text><path d=\"{6}\" fill=\"none\" "
                     "stroke=\"#0b5cad\" stroke-width=\"2\"/>{7}</svg><figcaption>{0} on each version's holdout"
                     "</figcaption></figure>",
                     metric, kWidth, kHeight, high, kHeight - 22, low, path, dots);
}

// The Models pages' own stylesheet, beside the layout's.
constexpr char kModelsStyle[] = "<link rel=\"stylesheet\" href=\"/ui/assets/models.css\">";

WebPage ModelsList(registry::Registry* models) {
  WebPage page{.title = "Models", .section = "models", .body_html = ""};
  auto listed = models->ListModels();
  if (!listed.ok()) return internal::ErrorPage("the model registry", listed.status());
  if (listed->empty()) {
    page.body_html = "<p>No model is registered yet. A workflow's <code>&lt;publish&gt;</code> action registers one; "
                     "so does <code>refinery models register NAME BUNDLE</code>.</p>";
    return page;
  }
  std::string rows;
  for (const auto& summary : *listed) {
    rows += "<tr><td>" + Link(ModelHref(summary.name), summary.name) + "</td><td>" +
            (summary.production_version ? "v" + std::to_string(summary.production_version) : "—") + "</td><td>v" +
            std::to_string(summary.latest_version) + "</td><td>" + std::to_string(summary.versions) + "</td><td>" +
            internal::TimeHtml(summary.updated_ms) + "</td><td>" +
            (summary.production_version ? Link(ModelHref(summary.name) + "/predict", "Predict") : "") + "</td></tr>";
  }
  page.body_html = std::string(kModelsStyle) + "<table><caption>Registered models</caption><thead><tr><th scope=\"col\">Model</th>"
                   "<th scope=\"col\">Production</th><th scope=\"col\">Latest</th><th scope=\"col\">Versions</th>"
                   "<th scope=\"col\">Updated</th><th scope=\"col\"></th></tr></thead><tbody>" +
                   rows + "</tbody></table>";
  return page;
}

std::string VersionsTable(const std::vector<store::ModelVersionRecord>& versions) {
  std::string rows;
  for (auto it = versions.rbegin(); it != versions.rend(); ++it) {
    const nlohmann::json metrics = nlohmann::json::parse(it->metrics, nullptr, false);
    auto metric = [&](const char* key) { return metrics.is_object() ? Number(metrics.value(key, nlohmann::json())) : "—"; };
    rows += fmt::format("<tr><td>v{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
                        it->version, StageBadge(it->stage), internal::TimeHtml(it->created_ms), metric("auc"),
                        metric("pr_auc"), metric("accuracy"), metric("f1"), Escape(it->bundle_uri));
  }
  return "<table><caption>Versions, newest first</caption><thead><tr><th scope=\"col\">Version</th>"
         "<th scope=\"col\">Stage</th><th scope=\"col\">Registered</th><th scope=\"col\">AUC</th>"
         "<th scope=\"col\">PR-AUC</th><th scope=\"col\">Accuracy</th><th scope=\"col\">F1</th>"
         "<th scope=\"col\">Bundle</th></tr></thead><tbody>" +
         rows + "</tbody></table>";
}

std::string LogTable(const std::vector<store::ModelEventRecord>& events) {
  std::string rows;
  for (const auto& event : events) {
    rows += fmt::format("<tr><td>{}</td><td>{}</td><td>v{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                        internal::TimeHtml(event.created_ms), Escape(event.kind), event.version,
                        event.previous_version ? "v" + std::to_string(event.previous_version) : "—",
                        internal::IdLink(event.actor), Escape(event.reason));
  }
  return "<table><caption>Deployment log, newest first</caption><thead><tr><th scope=\"col\">When</th>"
         "<th scope=\"col\">What</th><th scope=\"col\">Version</th><th scope=\"col\">Replaced</th>"
         "<th scope=\"col\">By</th><th scope=\"col\">Why</th></tr></thead><tbody>" +
         rows + "</tbody></table>";
}

// Promote and rollback go through the token-guarded API from the browser.
std::string StageForm(const std::string& name, const std::vector<store::ModelVersionRecord>& versions) {
  std::string options;
  for (auto it = versions.rbegin(); it != versions.rend(); ++it) {
    options += fmt::format("<option value=\"{0}\">v{0} ({1})</option>", it->version, Escape(it->stage));
  }
  return "<h2 id=\"change\">Promote or roll back</h2><form id=\"stage-form\" class=\"stage-form\" data-model=\"" +
         Escape(name) +
         "\"><p>Needs the server token (in <code>&lt;data home&gt;/server.token</code>).</p>"
         "<label>Token <input type=\"password\" name=\"token\" autocomplete=\"off\" required></label> "
         "<label>Version <select name=\"version\">" + options + "</select></label> "
         "<label>Reason <input type=\"text\" name=\"reason\" placeholder=\"why, for the log\"></label> "
         "<button type=\"submit\" name=\"action\" value=\"promote\">Promote</button> "
         "<button type=\"submit\" name=\"action\" value=\"rollback\">Roll back</button>"
         "<p role=\"status\" id=\"stage-result\"></p></form>"
         "<script src=\"/ui/assets/models.js\" defer></script>";
}

WebPage ModelPage(registry::Registry* models, ModelHost* host, const std::string& name) {
  auto versions = models->Versions(name);
  if (!versions.ok()) {
    if (versions.status().code() == StatusCode::kNotFound) return internal::NotFoundPage("model " + name);
    return internal::ErrorPage("model " + name, versions.status());
  }
  auto log = models->Log(name, 100);
  if (!log.ok()) return internal::ErrorPage("model " + name, log.status());
  WebPage page{.title = "Model " + name, .section = "models", .body_html = ""};
  const auto serving = host->Production(name);
  std::string html = kModelsStyle + internal::Facts(
      {{"Production version", serving ? "v" + std::to_string(serving->record.version) : "none"},
       {"Versions", std::to_string(versions->size())},
       {"Predict", serving ? Link(ModelHref(name) + "/predict", "prediction page") : ""},
       {"API", "<code>POST /api/v1/models/" + Escape(name) + "/predict</code>"}});
  html += MetricHistorySvg(*versions);
  html += VersionsTable(*versions);
  if (serving) {
    const nlohmann::json& metrics = serving->scorer->metrics();
    html += "<h2>Production version v" + std::to_string(serving->record.version) + "</h2><div class=\"charts\">";
    if (metrics.contains("roc")) {
      html += CurveSvg(fmt::format("ROC curve (AUC {})", Number(metrics.value("auc", nlohmann::json()))),
                       "false positive rate", "true positive rate", metrics["roc"], true);
    }
    if (metrics.contains("pr")) {
      html += CurveSvg(fmt::format("Precision-recall curve (PR-AUC {})", Number(metrics.value("pr_auc", nlohmann::json()))),
                       "recall", "precision", metrics["pr"], false);
    }
    std::vector<std::pair<std::string, double>> importance;
    for (const nlohmann::json& entry : metrics.value("importance", nlohmann::json::array())) {
      if (importance.size() == 15) break;
      importance.emplace_back(entry.value("feature", ""), entry.value("gain", 0.0));
    }
    html += BarsSvg("Feature importance (total gain)", importance, false) + "</div>";
  }
  html += "<h2>Deployment log</h2>" + LogTable(*log);
  html += StageForm(name, *versions);
  page.body_html = std::move(html);
  return page;
}

// The form's value for an input: what the request sent, else the first
// holdout row's (a real lead, so the form predicts as it stands).
std::string FieldValue(const HttpRequest& request, const std::string& name, const nlohmann::json& example) {
  if (request.HasQuery(name)) return request.Query(name);
  const nlohmann::json value = example.value(name, nlohmann::json());
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number()) return fmt::format("{}", value.get<double>());
  return "";
}

std::string FormFields(const nlohmann::json& schema, const HttpRequest& request, const nlohmann::json& example) {
  std::string fields;
  for (const auto& [name, property] : schema["properties"].items()) {
    const std::string id = "in-" + name;
    const std::string value = FieldValue(request, name, example);
    fields += "<div class=\"field\"><label for=\"" + Escape(id) + "\">" + Escape(name) + "</label>";
    if (property.contains("examples")) {
      fields += "<select id=\"" + Escape(id) + "\" name=\"" + Escape(name) + "\"><option value=\"\">(unknown)</option>";
      for (const nlohmann::json& category : property["examples"]) {
        const std::string text = category.is_string() ? category.get<std::string>() : category.dump();
        fields += "<option" + std::string(text == value ? " selected" : "") + ">" + Escape(text) + "</option>";
      }
      fields += "</select>";
    } else {
      const bool numeric = property["type"][0] == "number";
      fields += "<input id=\"" + Escape(id) + "\" name=\"" + Escape(name) + "\" value=\"" + Escape(value) + "\"" +
                (numeric ? " type=\"number\" step=\"any\"" : " type=\"text\"");
      if (property.contains("minimum")) {
        fields += " min=\"" + Number(property["minimum"], 6) + "\" max=\"" + Number(property["maximum"], 6) + "\"";
      }
      fields += ">";
      if (property.contains("minimum")) {
        fields += "<small>seen in training: " + Number(property["minimum"], 2) + " to " + Number(property["maximum"], 2) +
                  "</small>";
      }
    }
    fields += "</div>";
  }
  return fields;
}

// Scores the form's values (a GET, so the answer is a page of its own).
std::string Answer(const LoadedModel& model, const nlohmann::json& schema, const HttpRequest& request) {
  nlohmann::json row = nlohmann::json::object();
  for (const auto& [name, property] : schema["properties"].items()) {
    const std::string text = request.Query(name);
    row[name] = text.empty() ? nlohmann::json() : nlohmann::json(text);
  }
  const ml::RowCheck check = model.scorer->Check(row, false);
  if (!check.errors.empty()) {
    std::string items;
    for (const auto& problem : check.errors) items += "<li><strong>" + Escape(problem.field) + "</strong>: " + Escape(problem.message) + "</li>";
    return "<section class=\"answer error\" role=\"alert\"><h2>Cannot predict</h2><ul>" + items + "</ul></section>";
  }
  auto predicted = model.scorer->Predict({row}, true);
  if (!predicted.ok()) {
    return "<section class=\"answer error\" role=\"alert\"><h2>Cannot predict</h2><p>" +
           Escape(predicted.status().ToString()) + "</p></section>";
  }
  const ml::PredictedRow& result = predicted->front();
  std::vector<std::pair<std::string, double>> factors;
  for (const auto& [feature, value] : result.contributions) {
    if (feature != "(bias)" && factors.size() < 10) factors.emplace_back(feature, value);
  }
  std::string warnings;
  for (const auto& problem : check.warnings) warnings += "<li>" + Escape(problem.field) + ": " + Escape(problem.message) + "</li>";
  const bool regression = model.scorer->pipeline()["target"].value("task", "binary") == "regression";
  const std::string headline =
      regression ? fmt::format("<p class=\"probability\" id=\"answer-value\">{:.4g}</p>", result.value)
                 : fmt::format("<p class=\"probability\"><span id=\"answer-value\">{:.1f}%</span> {}</p>"
                               "<svg class=\"meter\" aria-hidden=\"true\" viewBox=\"0 0 100 6\" preserveAspectRatio=\"none\">"
                               "<rect width=\"100\" height=\"6\" fill=\"#eaeef2\"/><rect width=\"{:.1f}\" height=\"6\" "
                               "fill=\"#0b5cad\"/></svg>"
                               "<p>Predicted: <strong id=\"answer-label\">{}</strong></p>",
                               result.value * 100, "chance of " + Escape(model.scorer->pipeline()["target"]["labels"].back().get<std::string>()),
                               result.value * 100, Escape(result.label));
  return "<section class=\"answer\" role=\"status\" aria-live=\"polite\"><h2>Answer from version v" +
         std::to_string(model.record.version) + "</h2>" + headline +
         (warnings.empty() ? "" : "<ul class=\"warnings\">" + warnings + "</ul>") +
         BarsSvg("What moved this prediction (contribution to the log-odds; red raises it, green lowers it)", factors, true) +
         "</section>";
}

WebPage PredictPage(ModelHost* host, const std::string& name, const HttpRequest& request) {
  const auto model = host->Production(name);
  if (!model) return internal::NotFoundPage("a production version of model " + name);
  WebPage page{.title = "Predict with " + name, .section = "models", .body_html = ""};
  const nlohmann::json schema = InputSchema(model->scorer->pipeline());
  const auto& holdout = model->scorer->holdout_rows();
  const nlohmann::json example = holdout.empty() ? nlohmann::json::object() : holdout.front();
  std::string html = kModelsStyle + std::string("<p>Version v") + std::to_string(model->record.version) + " of " + Link(ModelHref(name), name) +
                     ". Fields list the values seen in training.</p>";
  if (request.HasQuery("predict")) html += Answer(*model, schema, request);
  html += "<form class=\"predict-form\" method=\"get\" action=\"" + Escape(ModelHref(name)) + "/predict\">" +
          FormFields(schema, request, example) +
          "<div class=\"actions\"><button type=\"submit\" name=\"predict\" value=\"1\">Predict</button></div></form>";
  html += "<h2>Score a CSV file</h2><form id=\"csv-form\" data-model=\"" + Escape(name) +
          "\"><label for=\"csv-file\">Leads (CSV with a header line; extra columns such as ids are kept)</label> "
          "<input id=\"csv-file\" name=\"file\" type=\"file\" accept=\".csv,text/csv\" required> "
          "<button type=\"submit\">Score</button><p role=\"status\" id=\"csv-result\"></p></form>"
          "<script src=\"/ui/assets/models.js\" defer></script>";
  page.body_html = std::move(html);
  return page;
}

}  // namespace

WebPageHandler MakeModelPages(registry::Registry* models, ModelHost* host) {
  return [models, host](const HttpRequest& request) -> WebPage {
    std::vector<std::string> parts;
    std::stringstream stream(request.path);
    for (std::string part; std::getline(stream, part, '/');) {
      if (!part.empty()) parts.push_back(part);
    }
    // ui models [name [predict]]
    if (parts.size() == 2) return ModelsList(models);
    if (parts.size() == 3) return ModelPage(models, host, parts[2]);
    if (parts.size() == 4 && parts[3] == "predict") return PredictPage(host, parts[2], request);
    return internal::NotFoundPage(request.path);
  };
}

}  // namespace refinery::serve
