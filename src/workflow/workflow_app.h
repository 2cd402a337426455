// workflow: reads Oozie's workflow.xml into an immutable, validated graph of
// nodes, and builds a job's configuration from job.properties,
// config-default.xml, -D options and <parameters> exactly as Oozie layers
// them. It runs nothing: the engine executes the graph.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/properties.h"
#include "core/status.h"

namespace refinery::workflow {

enum class NodeKind { kStart, kEnd, kKill, kDecision, kFork, kJoin, kAction };
const char* NodeKindName(NodeKind kind);  // ":START:", ":END:", ":KILL:", "switch", ":FORK:", ":JOIN:", "action"

struct DecisionCase {
  std::string to;
  std::string predicate;  // raw EL text of the <case>, evaluated at run time
};

// <sla:info> kept as parsed fields for the coordinator/SLA work.
struct SlaInfo {
  std::string xmlns;
  std::vector<std::pair<std::string, std::string>> fields;  // element name -> raw text
};

struct ActionSpec {
  std::string type;   // local name of the action element: "shell", "fs", "sub-workflow", ...
  std::string xmlns;  // its namespace, "" when it is in the workflow namespace
  // The action element serialized as XML text, EL not yet evaluated (Oozie
  // evaluates the whole action XML at start, then re-parses it).
  std::string xml;
  std::string cred;                  // comma list from the cred attribute
  // retry-* attributes after ${} resolution against the job conf; absent = default.
  std::optional<int> retry_max;
  std::optional<int> retry_interval_minutes;
  std::string retry_policy;          // "", "periodic" or "exponential"
  std::string ok_to;
  std::string error_to;
};

struct Node {
  std::string name;  // ":start:" for the start node
  NodeKind kind = NodeKind::kAction;
  int line = 0;      // 1-based line of the element in the definition
  std::string to;                        // start and join: the next node
  std::vector<std::string> fork_paths;   // fork: path starts in order
  std::vector<DecisionCase> cases;       // decision
  std::string default_to;                // decision
  std::string kill_message;              // kill: raw EL text
  std::optional<ActionSpec> action;      // action
  std::optional<SlaInfo> sla;

  // Every outgoing transition in declaration order (cases then default; fork
  // paths; ok then error; start/join `to`).
  std::vector<std::string> Transitions() const;
};

struct Parameter {
  std::string name;
  std::optional<std::string> default_value;
  std::string description;
};

struct GlobalSection {
  std::string job_tracker;  // job-tracker or resource-manager
  std::string name_node;
  std::vector<std::string> job_xmls;
  Properties configuration;
  std::string launcher_xml;  // raw <launcher> element, if any
};

struct Credential {
  std::string name;
  std::string type;
  Properties properties;
};

// A parsed workflow definition. Immutable after parsing; safe to share
// between threads.
struct WorkflowApp {
  std::string name;           // as written (may hold EL; resolved at submit)
  std::string xmlns;          // "uri:oozie:workflow:0.5"
  std::string source_name;    // file the definition came from, for messages
  std::string definition;     // the XML text as submitted
  std::vector<Parameter> parameters;
  std::optional<GlobalSection> global;
  std::vector<Credential> credentials;
  std::vector<Node> nodes;    // nodes[0] is the start node (":start:")
  std::optional<SlaInfo> sla;

  const Node* FindNode(const std::string& name) const;  // null if absent
  const Node& start() const { return nodes.front(); }
};

struct ParseOptions {
  std::string source_name = "workflow.xml";
  size_t max_definition_length = 100000;  // E0736 above this
  // Job configuration used to resolve ${} in retry-* attributes and, when
  // set, to check <parameters> (E0738: required but undefined).
  const Properties* job_conf = nullptr;
  // The XSD checks (E0701). Off is Oozie's parser without a schema: unknown
  // top-level elements are then E0703 and nodes after <end> E0704.
  bool validate_schema = true;
  // oozie-site oozie.actions.default.name-node / .job-tracker: used when
  // neither a Hadoop-style action (java, map-reduce, pig, hive, hive2, shell,
  // sqoop, spark, distcp, git) nor <global> names one; empty = none, and such
  // an action is then E0701 "No name-node defined" / "No job-tracker or
  // resource-manager defined".
  std::string default_name_node;
  std::string default_job_tracker;
};

// Parses and schema-checks a definition. Errors carry Oozie's codes (E0701
// schema, E0703, E0704, E0705, E0736, E0700 for bad retry values) and the
// `source:line` of the offending element.
Result<WorkflowApp> ParseWorkflowXml(std::string_view xml, const ParseOptions& options);

struct ValidateOptions {
  bool validate_fork_join = true;  // oozie.wf.validate.ForkJoin
  // Action element names the engine knows (fs, shell, email, sub-workflow,
  // and the Hadoop-only ones it accepts then refuses at run time). An action
  // of any other type is E0723, listing these. Empty: every type is accepted.
  std::vector<std::string> known_action_types;
};

// Graph validation as Oozie's LiteWorkflowValidator: E0724, E0723, E0706,
// E0707, E0708, E0730, E0731, E0733, E0737, E0742, E0743, E0744, E0757,
// E0758. Returns the first error Oozie would report.
Status ValidateWorkflow(const WorkflowApp& app, const ValidateOptions& options);

// Every error found (for `refinery validate`), each with `source:line`.
std::vector<Status> ValidateWorkflowAll(const WorkflowApp& app, const ValidateOptions& options);

}  // namespace refinery::workflow
