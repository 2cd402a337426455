#include "serve/workflow_graph.h"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "core/xml_text.h"
#include "workflow/job_config.h"

namespace refinery::serve {
namespace {

struct Edge {
  std::string from;
  std::string to;
  bool error = false;
};

struct Layout {
  std::vector<const workflow::Node*> nodes;     // drawn nodes, definition order
  std::map<std::string, int> layer;             // node -> layer
  std::map<std::string, int> slot;              // node -> position in its layer
  std::vector<Edge> edges;
  int layers = 0;
  int widest = 0;
};

bool Drawn(const workflow::Node& node, const GraphOptions& options) {
  return options.show_kill || node.kind != workflow::NodeKind::kKill;
}

std::vector<Edge> EdgesOf(const workflow::Node& node) {
  std::vector<Edge> edges;
  if (node.action) {
    edges.push_back({node.name, node.action->ok_to, false});
    edges.push_back({node.name, node.action->error_to, true});
    return edges;
  }
  for (const std::string& to : node.Transitions()) edges.push_back({node.name, to, false});
  return edges;
}

// Longest path from start; the graph is acyclic once validated, and the
// bound on rounds keeps an unvalidated cycle from looping forever.
Layout MakeLayout(const workflow::WorkflowApp& app, const GraphOptions& options) {
  Layout layout;
  for (const auto& node : app.nodes) {
    if (!Drawn(node, options)) continue;
    layout.nodes.push_back(&node);
    layout.layer[node.name] = 0;
    for (Edge& edge : EdgesOf(node)) {
      const workflow::Node* target = app.FindNode(edge.to);
      if (target != nullptr && Drawn(*target, options)) layout.edges.push_back(std::move(edge));
    }
  }
  for (size_t round = 0; round < layout.nodes.size(); ++round) {
    bool changed = false;
    for (const Edge& edge : layout.edges) {
      if (layout.layer[edge.to] < layout.layer[edge.from] + 1) {
        layout.layer[edge.to] = layout.layer[edge.from] + 1;
        changed = true;
      }
    }
    if (!changed) break;
  }
  std::map<int, int> used;
  for (const auto* node : layout.nodes) {
    const int layer = layout.layer[node->name];
    layout.slot[node->name] = used[layer]++;
    layout.layers = std::max(layout.layers, layer + 1);
    layout.widest = std::max(layout.widest, used[layer]);
  }
  return layout;
}

std::string FillFor(const std::string& status) {
  if (status == "OK" || status == "DONE") return "#c8e6c9";
  if (status == "RUNNING" || status == "PREP" || status == "START_RETRY" || status == "END_RETRY") return "#bbdefb";
  if (status == "ERROR" || status == "FAILED" || status == "START_MANUAL" || status == "END_MANUAL") return "#ffcdd2";
  if (status == "KILLED") return "#e0e0e0";
  if (status == "USER_RETRY") return "#fff9c4";
  return "#ffffff";
}

std::string KindLabel(const workflow::Node& node) {
  switch (node.kind) {
    case workflow::NodeKind::kStart: return "start";
    case workflow::NodeKind::kEnd: return "end";
    case workflow::NodeKind::kKill: return "kill";
    case workflow::NodeKind::kDecision: return "decision";
    case workflow::NodeKind::kFork: return "fork";
    case workflow::NodeKind::kJoin: return "join";
    case workflow::NodeKind::kAction: return node.action ? node.action->type : "action";
  }
  return "";
}

}  // namespace

std::string RenderWorkflowSvg(const workflow::WorkflowApp& app, const GraphOptions& options) {
  const Layout layout = MakeLayout(app, options);
  constexpr int kBoxWidth = 170, kBoxHeight = 44, kColumnGap = 30, kRowGap = 46, kMargin = 20;
  const int width = kMargin * 2 + std::max(1, layout.widest) * (kBoxWidth + kColumnGap) - kColumnGap;
  const int height = kMargin * 2 + std::max(1, layout.layers) * (kBoxHeight + kRowGap) - kRowGap;
  auto x_of = [&](const std::string& name) { return kMargin + layout.slot.at(name) * (kBoxWidth + kColumnGap); };
  auto y_of = [&](const std::string& name) { return kMargin + layout.layer.at(name) * (kBoxHeight + kRowGap); };

  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\" "
      "font-family=\"sans-serif\" font-size=\"12\" role=\"img\" aria-label=\"workflow {}\">\n"
      "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" "
      "markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#555\"/></marker></defs>\n",
      width, height, width, height, EscapeXml(app.name));
  for (const Edge& edge : layout.edges) {
    // Error edges leave and enter off-centre so they do not hide an ok edge on the same path.
    const int shift = edge.error ? kBoxWidth / 4 : 0;
    const int x1 = x_of(edge.from) + kBoxWidth / 2 + shift, y1 = y_of(edge.from) + kBoxHeight;
    const int x2 = x_of(edge.to) + kBoxWidth / 2 + shift, y2 = y_of(edge.to);
    svg += fmt::format(
        "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"1.5\"{} "
        "marker-end=\"url(#arrow)\"/>\n",
        x1, y1, x2, y2, edge.error ? "#c62828" : "#555", edge.error ? " stroke-dasharray=\"5,3\"" : "");
  }
  for (const auto* node : layout.nodes) {
    auto status = options.status_by_node.find(node->name);
    const std::string status_text = status == options.status_by_node.end() ? "" : status->second;
    const int x = x_of(node->name), y = y_of(node->name);
    svg += fmt::format(
        "<g class=\"node\" data-node=\"{}\" data-status=\"{}\"><title>{} ({}){}</title>"
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"6\" fill=\"{}\" stroke=\"#333\"/>"
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-weight=\"bold\">{}</text>"
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#444\">{}</text></g>\n",
        EscapeXml(node->name), EscapeXml(status_text), EscapeXml(node->name), KindLabel(*node),
        status_text.empty() ? "" : ": " + EscapeXml(status_text), x, y, kBoxWidth, kBoxHeight,
        FillFor(status_text), x + kBoxWidth / 2, y + 18, EscapeXml(node->name.substr(0, 24)),
        x + kBoxWidth / 2, y + 35, EscapeXml(KindLabel(*node) + (status_text.empty() ? "" : " · " + status_text)));
  }
  svg += "</svg>\n";
  return svg;
}

std::string RenderWorkflowDot(const workflow::WorkflowApp& app, const GraphOptions& options) {
  const Layout layout = MakeLayout(app, options);
  auto quote = [](const std::string& text) {
    std::string out = "\"";
    for (char c : text) {
      if (c == '\n') {
        out += "\\n";  // a line break inside a DOT label
        continue;
      }
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    return out + "\"";
  };
  std::string dot = "digraph " + quote(app.name) + " {\n  node [shape=box, style=\"rounded,filled\"];\n";
  for (const auto* node : layout.nodes) {
    auto status = options.status_by_node.find(node->name);
    const std::string status_text = status == options.status_by_node.end() ? "" : status->second;
    dot += "  " + quote(node->name) + " [label=" +
           quote(node->name + "\n" + KindLabel(*node) + (status_text.empty() ? "" : " " + status_text)) +
           ", fillcolor=" + quote(FillFor(status_text)) + "];\n";
  }
  for (const Edge& edge : layout.edges) {
    dot += "  " + quote(edge.from) + " -> " + quote(edge.to) + (edge.error ? " [style=dashed, color=red]" : "") +
           ";\n";
  }
  return dot + "}\n";
}

Result<workflow::WorkflowApp> ParseStoredWorkflow(const store::WorkflowJobRecord& job) {
  auto conf = ParseHadoopConfigurationXml(job.conf, "job configuration");
  workflow::ParseOptions parse_options;
  parse_options.source_name = job.id;
  parse_options.validate_schema = false;
  if (conf.ok()) parse_options.job_conf = &*conf;
  return workflow::ParseWorkflowXml(job.definition, parse_options);
}

}  // namespace refinery::serve
