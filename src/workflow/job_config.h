// Building a workflow job's configuration the way Oozie's submit does
// (SPEC.md §4): job.properties and -D, then Hadoop ${var} resolution, reserved
// names, config-default.xml injected for absent keys, <parameters> defaults,
// and the per-action configuration (config-default, global, action's own).
#pragma once

#include <functional>
#include <string>

#include "core/properties.h"
#include "core/status.h"
#include "workflow/workflow_app.h"

namespace refinery::workflow {

// Reads files named by URIs in the job configuration (app path, config-default).
// Implemented by the caller over the file-system layer.
struct AppFileReader {
  std::function<Result<std::string>(const std::string& uri)> read;  // NotFound if absent
  std::function<bool(const std::string& uri)> is_directory;
};

// Trims values and resolves ${name} references against the same properties,
// leaving unresolvable references as written; depth above `max_depth` is an
// error "Variable substitution depth too large: 20 ...".
Result<Properties> ResolveVariables(const Properties& raw, int max_depth = 20);

// E0808 for DAYS HOURS MINUTES KB MB GB TB PB RECORDS MAP_IN MAP_OUT
// REDUCE_IN REDUCE_OUT GROUPS (and user.name in config-default).
Status CheckReservedNames(const Properties& conf, bool is_config_default);

// Exactly one of oozie.wf/coord/bundle.application.path (E0302 otherwise).
Result<std::string> WorkflowAppPath(const Properties& conf);

struct WorkflowSubmission {
  Properties job_conf;        // final job configuration (what ${x} and wf:conf see)
  Properties config_default;  // config-default.xml (+ oozie.default.configuration.path), self-resolved
  WorkflowApp app;            // parsed (not yet graph-validated)
  std::string app_path;       // directory of the application
  std::string app_name;       // workflow-app name with ${} resolved
};

// Loads the definition (app path may be a directory or a file), applies
// defaults and parameters (E0738/E0739), resolves the app name.
Result<WorkflowSubmission> PrepareSubmission(const Properties& submitted_conf,
                                             const AppFileReader& reader,
                                             const ParseOptions& parse_options);

// The effective <configuration> of an action: config-default, then global,
// then the action's own inline configuration (later wins). Sub-workflow
// actions get none of the defaults unless they propagate configuration.
Properties EffectiveActionConfiguration(const WorkflowSubmission& submission, const Node& node);

}  // namespace refinery::workflow
