// The files an action run elsewhere travels in: the spec the engine writes
// (everything ActionContext holds that is data) and the result the remote
// `refinery run-action` writes back. Both are JSON (doc/executors.md); the
// result is published atomically (temporary file + rename) so the engine
// never reads half of it.
#pragma once

#include <string>

#include "actions/action.h"
#include "core/properties.h"
#include "core/status.h"

namespace refinery::executor {

inline constexpr int kSpecVersion = 1;

struct ActionSpec {
  std::string job_id;
  std::string action_id;
  std::string action_name;
  std::string action_type;
  std::string action_xml;
  std::string app_path;
  std::string user;
  std::string name_node;
  int sub_workflow_depth = 0;
  Properties action_conf;
  Properties job_conf;
  std::string home;         // the data home the node opens ("" = $REFINERY_HOME)
  std::string result_file;  // where run-action writes the ActionResult
};

// Builds the spec of `context`'s action.
ActionSpec SpecFromContext(const actions::ActionContext& context, const std::string& action_type);

std::string SpecToJson(const ActionSpec& spec);
// InvalidArgument naming `where` and the field when the text is not a spec.
Result<ActionSpec> SpecFromJson(const std::string& text, const std::string& where);

std::string ResultToJson(const actions::ActionResult& result);
Result<actions::ActionResult> ResultFromJson(const std::string& text, const std::string& where);

// Writes `text` to `path` through a temporary file and a rename.
Status WriteFileAtomically(const std::string& path, const std::string& text);
Result<std::string> ReadWholeFile(const std::string& path);

// Runs the action a spec describes in this process, as the engine would:
// log lines go to `reporter`, SIGTERM-style stops come through `cancel`.
// The state the action keeps (ActionContext::state) goes to `state`.
struct LocalWorld {
  actions::ActionRegistry* actions = nullptr;
  fs::FileSystem* files = nullptr;
  const Clock* clock = nullptr;
  actions::ProcessRunner* processes = nullptr;
  actions::Mailer* mailer = nullptr;
  registry::Registry* models = nullptr;
  actions::ActionState* state = nullptr;
  actions::ActionReporter* reporter = nullptr;
  const actions::Cancellation* cancel = nullptr;
  std::string scratch_dir;
};
actions::ActionResult RunSpec(const ActionSpec& spec, const LocalWorld& world);

}  // namespace refinery::executor
