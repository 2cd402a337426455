// Draws a workflow run: nodes in layers by their longest distance from start,
// coloured by the status of the action that ran there (the Oozie console's
// graph), as SVG for browsers and DOT for Graphviz users. Kill nodes are
// hidden unless asked for, as Oozie does.
#pragma once

#include <map>
#include <string>

#include "core/status.h"
#include "store/store.h"
#include "workflow/workflow_app.h"

namespace refinery::serve {

struct GraphOptions {
  bool show_kill = false;
  std::map<std::string, std::string> status_by_node;  // node name -> action status
};

std::string RenderWorkflowSvg(const workflow::WorkflowApp& app, const GraphOptions& options);
std::string RenderWorkflowDot(const workflow::WorkflowApp& app, const GraphOptions& options);

// The workflow a stored job ran, parsed again from its definition and
// configuration (without schema validation: it was validated at submission).
Result<workflow::WorkflowApp> ParseStoredWorkflow(const store::WorkflowJobRecord& job);

}  // namespace refinery::serve
