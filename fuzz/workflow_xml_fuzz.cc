// libFuzzer: arbitrary bytes through ParseWorkflowXml, the validators and the
// per-action configuration. Nothing may crash, hang or throw. The last byte
// also picks options, so both parser modes and both validator modes are
// reached while seed files stay whole workflow definitions.
#include <cstddef>
#include <cstdint>
#include <string>

#include "workflow/job_config.h"
#include "workflow/workflow_app.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t flags = data[size - 1];
  const std::string xml(reinterpret_cast<const char*>(data), size);

  refinery::Properties conf;
  conf.Set("retryMax", "3");
  conf.Set("loop", "${loop}");
  conf.Set("nameNode", "hdfs://nn");
  refinery::workflow::ParseOptions parse_options;
  parse_options.validate_schema = (flags & 1) == 0;
  parse_options.job_conf = (flags & 2) ? &conf : nullptr;
  if (flags & 4) parse_options.default_job_tracker = "jt";
  if (flags & 8) parse_options.default_name_node = "nn";
  refinery::Result<refinery::workflow::WorkflowApp> app = refinery::workflow::ParseWorkflowXml(xml, parse_options);
  if (!app.ok()) return 0;

  refinery::workflow::ValidateOptions validate_options;
  validate_options.validate_fork_join = (flags & 16) == 0;
  if (flags & 32) validate_options.known_action_types = {"fs", "shell", "email", "sub-workflow"};
  (void)refinery::workflow::ValidateWorkflow(*app, validate_options);
  (void)refinery::workflow::ValidateWorkflowAll(*app, validate_options);

  refinery::workflow::WorkflowSubmission submission;
  submission.config_default.Set("default", "value");
  submission.app = *app;
  for (const refinery::workflow::Node& node : submission.app.nodes) {
    (void)node.Transitions();
    (void)refinery::workflow::EffectiveActionConfiguration(submission, node);
  }
  return 0;
}
