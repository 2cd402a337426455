// Golden handlers for tests/data/workflow/ and tests/data/properties/.
//
// workflow: the input is a workflow.xml. Context lines:
//   @conf key=value        job configuration (also resolves retry-* ${})
//   @known a,b,c           known action types (default: Oozie's and Refinery's)
//   @forkjoin off          oozie.wf.validate.ForkJoin=false
//   @schema off            parse without the XSD checks
//   @max-length N          definition length limit (E0736)
//   @default-job-tracker X / @default-name-node X   oozie-site defaults
//   @all                   ValidateWorkflowAll: one error per line, or "valid"
// Output: the parsed, validated graph, one line per node in document order:
//   app <name> <xmlns>
//   param <name>[=<default>]
//   <node> <kind>[:<action type>] [-> <transitions>] [(retry-max=N ...)]
// where kind is start, end, kill, decision, fork, join or action.
//
// properties: the input is a job.properties text (or, with @format xml, a
// Hadoop configuration). Output: one `key => value` line per entry with
// control characters shown as \t \n \r \f \uXXXX.
#include <algorithm>
#include <cstdio>
#include <string>

#include "core/properties.h"
#include "golden/golden.h"
#include "workflow/workflow_app.h"

namespace refinery::golden {
namespace {

const std::vector<std::string> kKnownActionTypes = {
    "fs",    "shell",  "email", "sub-workflow", "sqoop", "hive", "hive2",   "spark",
    "ssh",   "distcp", "git",   "map-reduce",   "pig",   "java", "profile", "train",
    "publish", "score"};

std::vector<std::string> SplitComma(const std::string& text) {
  std::vector<std::string> items;
  size_t begin = 0;
  while (begin <= text.size()) {
    size_t comma = text.find(',', begin);
    if (comma == std::string::npos) comma = text.size();
    if (comma > begin) items.push_back(text.substr(begin, comma - begin));
    begin = comma + 1;
  }
  return items;
}

const char* KindLabel(workflow::NodeKind kind) {
  switch (kind) {
    case workflow::NodeKind::kStart: return "start";
    case workflow::NodeKind::kEnd: return "end";
    case workflow::NodeKind::kKill: return "kill";
    case workflow::NodeKind::kDecision: return "decision";
    case workflow::NodeKind::kFork: return "fork";
    case workflow::NodeKind::kJoin: return "join";
    case workflow::NodeKind::kAction: return "action";
  }
  return "?";
}

std::string DumpNode(const workflow::Node& node) {
  std::string line = node.name + " " + KindLabel(node.kind);
  if (node.action) line += ":" + node.action->type;
  const std::vector<std::string> transitions = node.Transitions();
  if (!transitions.empty()) {
    line += " ->";
    for (const std::string& t : transitions) line += " " + t;
  }
  if (!node.action) return line;
  std::string extras;
  const auto add = [&extras](const std::string& item) { extras += (extras.empty() ? "" : " ") + item; };
  if (node.action->retry_max) add("retry-max=" + std::to_string(*node.action->retry_max));
  if (node.action->retry_interval_minutes) add("retry-interval=" + std::to_string(*node.action->retry_interval_minutes));
  if (!node.action->retry_policy.empty()) add("retry-policy=" + node.action->retry_policy);
  if (!node.action->cred.empty()) add("cred=" + node.action->cred);
  if (!extras.empty()) line += " (" + extras + ")";
  return line;
}

std::string DumpWorkflow(const workflow::WorkflowApp& app) {
  std::string out = "app " + app.name + " " + app.xmlns + "\n";
  for (const workflow::Parameter& p : app.parameters) {
    out += "param " + p.name + (p.default_value ? "=" + *p.default_value : "") + "\n";
  }
  for (const workflow::Node& node : app.nodes) out += DumpNode(node) + "\n";
  return out;
}

Result<std::string> RunWorkflowCase(const GoldenCase& c) {
  Properties conf;
  for (const std::string& entry : ContextValues(c, "conf")) {
    const size_t eq = entry.find('=');
    conf.Set(entry.substr(0, eq), eq == std::string::npos ? "" : entry.substr(eq + 1));
  }
  workflow::ParseOptions parse_options;
  parse_options.job_conf = &conf;
  parse_options.validate_schema = ContextValue(c, "schema") != "off";
  parse_options.default_job_tracker = ContextValue(c, "default-job-tracker");
  parse_options.default_name_node = ContextValue(c, "default-name-node");
  if (const std::string max = ContextValue(c, "max-length"); !max.empty()) {
    parse_options.max_definition_length = std::stoul(max);
  }
  workflow::ValidateOptions validate_options;
  validate_options.known_action_types = kKnownActionTypes;
  if (const std::string known = ContextValue(c, "known"); !known.empty()) {
    validate_options.known_action_types = SplitComma(known);
  }
  validate_options.validate_fork_join = ContextValue(c, "forkjoin") != "off";

  REFINERY_ASSIGN_OR_RETURN(workflow::WorkflowApp app, workflow::ParseWorkflowXml(c.input, parse_options));
  const bool all = std::any_of(c.context.begin(), c.context.end(), [](const auto& kv) { return kv.first == "all"; });
  if (all) {
    std::string out;
    for (const Status& error : workflow::ValidateWorkflowAll(app, validate_options)) out += error.ToString() + "\n";
    return out.empty() ? std::string("valid") : out;
  }
  REFINERY_RETURN_IF_ERROR(workflow::ValidateWorkflow(app, validate_options));
  return DumpWorkflow(app);
}

std::string Visible(const std::string& text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\f': out += "\\f"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buffer[8];
          std::snprintf(buffer, sizeof(buffer), "\\u%04X", static_cast<unsigned>(c));
          out += buffer;
        } else {
          out.push_back(c);
        }
    }
  }
  return out;
}

Result<std::string> RunPropertiesCase(const GoldenCase& c) {
  // The runner joins lines with '\n' and drops the last newline; keep it.
  const std::string text = c.input + "\n";
  const bool xml = ContextValue(c, "format") == "xml";
  REFINERY_ASSIGN_OR_RETURN(Properties parsed,
                            xml ? ParseHadoopConfigurationXml(text, "input.xml")
                                : ParseJavaProperties(text, "job.properties"));
  std::string out;
  for (const auto& [key, value] : parsed.entries()) out += Visible(key) + " => " + Visible(value) + "\n";
  return out.empty() ? std::string("(empty)") : out;
}

const bool kWorkflowRegistered = RegisterGoldenHandler("workflow", RunWorkflowCase);
const bool kPropertiesRegistered = RegisterGoldenHandler("properties", RunPropertiesCase);

}  // namespace
}  // namespace refinery::golden
