// Internal to workflow/: the structural checks Oozie's XSDs make on a
// workflow definition (uri:oozie:workflow:0.1 .. 1.0 and sla:0.2), reported
// with Xerces' wording so E0701 messages read as Oozie's do. Content models
// are declared as data, one table per schema version.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <pugixml.hpp>

#include "core/status.h"
#include "workflow/xml_support.h"

namespace refinery::workflow::internal {

// Schema versions in order; features are gated by comparing versions.
enum class WorkflowVersion { k0_1, k0_2, k0_2_5, k0_3, k0_4, k0_4_5, k0_5, k1_0 };

// Workflow namespaces in version order ("uri:oozie:workflow:0.1", ...).
const std::vector<std::string>& WorkflowNamespaces();
// False when `xmlns` is not a workflow namespace.
bool WorkflowVersionOf(std::string_view xmlns, WorkflowVersion* version);

// Checks `root` (a <workflow-app> in a workflow namespace) against the XSD of
// `version`. Extension action elements (##other) are not descended into.
// Returns E0701 "XML schema error, cvc-..." with `source:line` of the first
// violation in document order.
Status CheckWorkflowSchema(const pugi::xml_node& root, WorkflowVersion version, const LineIndex& lines,
                           const std::string& source_name);

}  // namespace refinery::workflow::internal
