// ParseWorkflowXml: XML -> schema checks -> <parameters> -> nodes, in the
// order Oozie's LiteWorkflowAppParser runs them, so the first error reported
// is the one Oozie would report.
#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <unordered_set>

#include <pugixml.hpp>

#include "workflow/variables.h"
#include "workflow/workflow_app.h"
#include "workflow/workflow_schema.h"
#include "workflow/xml_support.h"

namespace refinery::workflow {

const char* NodeKindName(NodeKind kind) {
  switch (kind) {
    case NodeKind::kStart: return ":START:";
    case NodeKind::kEnd: return ":END:";
    case NodeKind::kKill: return ":KILL:";
    case NodeKind::kDecision: return "switch";
    case NodeKind::kFork: return ":FORK:";
    case NodeKind::kJoin: return ":JOIN:";
    case NodeKind::kAction: return "action";
  }
  return "unknown";
}

std::vector<std::string> Node::Transitions() const {
  switch (kind) {
    case NodeKind::kStart:
    case NodeKind::kJoin:
      return {to};
    case NodeKind::kDecision: {
      std::vector<std::string> transitions;
      for (const DecisionCase& c : cases) transitions.push_back(c.to);
      transitions.push_back(default_to);
      return transitions;
    }
    case NodeKind::kFork:
      return fork_paths;
    case NodeKind::kAction:
      if (!action) return {};
      return {action->ok_to, action->error_to};
    case NodeKind::kEnd:
    case NodeKind::kKill:
      return {};
  }
  return {};
}

const Node* WorkflowApp::FindNode(const std::string& name) const {
  for (const Node& node : nodes) {
    if (node.name == name) return &node;
  }
  return nullptr;
}

namespace {

using internal::ChildByLocalName;
using internal::ElementText;
using internal::LocalName;
using internal::Trim;
using internal::WorkflowVersion;

constexpr const char* kStartName = ":start:";

// Action types whose Oozie executor requires a name-node and a job-tracker
// (JavaActionExecutor and its subclasses).
bool RequiresNameNodeAndJobTracker(std::string_view type) {
  static const std::array<std::string_view, 10> kTypes = {"java",  "map-reduce", "pig",   "hive",   "hive2",
                                                          "shell", "sqoop",      "spark", "distcp", "git"};
  return std::find(kTypes.begin(), kTypes.end(), type) != kTypes.end();
}

std::string AttributeOf(const pugi::xml_node& element, const char* name) {
  return element.attribute(name).value();
}

std::vector<pugi::xml_node> ChildElements(const pugi::xml_node& parent) {
  std::vector<pugi::xml_node> children;
  for (const pugi::xml_node& child : parent.children()) {
    if (child.type() == pugi::node_element) children.push_back(child);
  }
  return children;
}

std::string JoinNames(const std::vector<std::string>& names, std::string_view separator) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i) out += separator;
    out += names[i];
  }
  return out;
}

class WorkflowParser {
 public:
  WorkflowParser(std::string_view xml, const ParseOptions& options)
      : xml_(xml), options_(options), lines_(xml) {}

  Result<WorkflowApp> Parse() {
    if (xml_.size() > options_.max_definition_length) {
      return Status::InvalidArgument("Workflow definition length [" + std::to_string(xml_.size()) +
                                         "] exceeded maximum allowed length [" +
                                         std::to_string(options_.max_definition_length) + "]",
                                     "E0736")
          .WithContext(options_.source_name);
    }
    REFINERY_RETURN_IF_ERROR(LoadDocument());
    const pugi::xml_node root = document_.document_element();
    REFINERY_RETURN_IF_ERROR(CheckRoot(root));
    if (options_.validate_schema) {
      REFINERY_RETURN_IF_ERROR(internal::CheckWorkflowSchema(root, version_, lines_, options_.source_name));
    }
    app_.name = AttributeOf(root, "name");
    app_.xmlns = xmlns_;
    app_.source_name = options_.source_name;
    app_.definition = std::string(xml_);
    if (options_.job_conf) effective_conf_ = *options_.job_conf;
    if (version_ >= WorkflowVersion::k0_4) {
      if (const pugi::xml_node parameters = ChildByLocalName(root, "parameters")) {
        REFINERY_RETURN_IF_ERROR(ParseParameters(parameters));
      }
    }
    REFINERY_RETURN_IF_ERROR(ParseChildren(root));
    return std::move(app_);
  }

 private:
  Status At(const pugi::xml_node& node, Status status) const {
    return status.WithContext(options_.source_name + ":" + std::to_string(lines_.LineOf(node)));
  }
  Status XmlError(const pugi::xml_node& node, const std::string& message) const {
    return At(node, Status::InvalidArgument("XML error, " + message, "E0700"));
  }
  // Malformed XML: Oozie's schema validator reports it as E0701, its bare
  // parser (no schema) as E0700.
  Status MalformedXml(ptrdiff_t offset, const std::string& message) const {
    Status status = options_.validate_schema ? Status::InvalidArgument("XML schema error, " + message, "E0701")
                                             : Status::InvalidArgument("XML error, " + message, "E0700");
    return status.WithContext(options_.source_name + ":" + std::to_string(lines_.LineOf(offset)));
  }

  Status LoadDocument() {
    // parse_fragment keeps text and extra elements outside the root as nodes,
    // so they can be rejected below instead of silently dropped.
    const pugi::xml_parse_result result = document_.load_buffer(
        xml_.data(), xml_.size(), internal::kParseFlags | pugi::parse_fragment, pugi::encoding_utf8);
    if (!result) return MalformedXml(result.offset, result.description());
    int elements = 0;
    for (const pugi::xml_node& child : document_.children()) {
      const bool text = child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata;
      if (text && !internal::IsBlank(child.value())) {
        return MalformedXml(child.offset_debug(), elements == 0 ? "Content is not allowed in prolog."
                                                                : "Content is not allowed in trailing section.");
      }
      if (child.type() == pugi::node_element && ++elements > 1) {
        return MalformedXml(child.offset_debug(),
                            "The markup in the document following the root element must be well-formed.");
      }
    }
    if (elements == 0) return MalformedXml(static_cast<ptrdiff_t>(xml_.size()), "Premature end of file.");
    return Status::Ok();
  }

  Status CheckRoot(const pugi::xml_node& root) {
    xmlns_ = internal::NamespaceOf(root);
    if (LocalName(root.name()) == "workflow-app" && internal::WorkflowVersionOf(xmlns_, &version_)) {
      return Status::Ok();
    }
    return At(root, Status::InvalidArgument("XML schema error, cvc-elt.1.a: Cannot find the declaration of element '" +
                                                std::string(root.name()) + "'. Namespace [" + xmlns_ +
                                                "] is not one of the accepted workflow namespaces: " +
                                                JoinNames(internal::WorkflowNamespaces(), ", "),
                                            "E0701"));
  }

  // ParameterVerifier: E0739 for an empty name; with a job configuration,
  // absent names take their default (for ${} in retry-*) or are E0738.
  Status ParseParameters(const pugi::xml_node& parameters) {
    std::vector<std::string> missing;
    for (const pugi::xml_node& property : ChildElements(parameters)) {
      if (LocalName(property.name()) != "property") continue;
      const pugi::xml_node name_element = ChildByLocalName(property, "name");
      if (!name_element) continue;
      Parameter parameter;
      parameter.name = Trim(ElementText(name_element));
      if (parameter.name.empty()) {
        return At(property, Status::InvalidArgument("Parameter name cannot be empty", "E0739"));
      }
      if (const pugi::xml_node value = ChildByLocalName(property, "value")) {
        parameter.default_value = Trim(ElementText(value));
      }
      if (const pugi::xml_node description = ChildByLocalName(property, "description")) {
        parameter.description = Trim(ElementText(description));
      }
      if (options_.job_conf && !effective_conf_.Contains(parameter.name)) {
        if (parameter.default_value) {
          effective_conf_.Set(parameter.name, *parameter.default_value);
        } else {
          missing.push_back(parameter.name);
        }
      }
      app_.parameters.push_back(std::move(parameter));
    }
    if (missing.empty()) return Status::Ok();
    return At(parameters, Status::InvalidArgument("The following " + std::to_string(missing.size()) +
                                                      " parameters are required but were not defined and no default "
                                                      "values are available: " +
                                                      JoinNames(missing, ", "),
                                                  "E0738"));
  }

  Status ParseChildren(const pugi::xml_node& root) {
    std::optional<Node> start;
    for (const pugi::xml_node& element : ChildElements(root)) {
      const std::string_view name = LocalName(element.name());
      if (name == "start") {
        if (start) return At(element, Status::InvalidArgument("Nnode already defined, node [:start:]", "E0705"));
        start = ParseStart(element);
      } else if (name == "end" || name == "kill" || name == "decision" || name == "fork" || name == "join" ||
                 name == "action") {
        REFINERY_ASSIGN_OR_RETURN(Node node, ParseNode(element, name));
        REFINERY_RETURN_IF_ERROR(AddNode(std::move(node), element));
      } else if (name == "info") {
        app_.sla = ParseSla(element);
      } else if (name == "global") {
        app_.global = ParseGlobal(element);
      } else if (name == "credentials") {
        app_.credentials = ParseCredentials(element);
      } else if (name == "parameters") {
        continue;  // read before the nodes
      } else {
        return At(element, Status::InvalidArgument("Invalid workflow element [" + std::string(name) + "]", "E0703"));
      }
    }
    if (!start) return At(root, Status::InvalidArgument("XML error, no start node", "E0700"));
    app_.nodes.insert(app_.nodes.begin(), std::move(*start));
    return Status::Ok();
  }

  // LiteWorkflowApp.addNode: E0704 after <end>, E0705 duplicate, E0706 self-transition.
  Status AddNode(Node node, const pugi::xml_node& element) {
    if (complete_) {
      return At(element, Status::InvalidArgument("Definition already complete, application [" + app_.name + "]",
                                                 "E0704"));
    }
    if (!names_.insert(node.name).second) {
      return At(element, Status::InvalidArgument("Nnode already defined, node [" + node.name + "]", "E0705"));
    }
    const std::vector<std::string> transitions = node.Transitions();
    if (std::find(transitions.begin(), transitions.end(), node.name) != transitions.end()) {
      return At(element,
                Status::InvalidArgument("Node cannot transition to itself node [" + node.name + "]", "E0706"));
    }
    if (node.kind == NodeKind::kEnd) complete_ = true;
    app_.nodes.push_back(std::move(node));
    return Status::Ok();
  }

  Node NewNode(const pugi::xml_node& element, NodeKind kind) const {
    Node node;
    node.kind = kind;
    node.name = AttributeOf(element, "name");
    node.line = lines_.LineOf(element);
    return node;
  }

  Node ParseStart(const pugi::xml_node& element) const {
    Node node = NewNode(element, NodeKind::kStart);
    node.name = kStartName;
    node.to = AttributeOf(element, "to");
    return node;
  }

  Result<Node> ParseNode(const pugi::xml_node& element, std::string_view name) {
    if (name == "end") return NewNode(element, NodeKind::kEnd);
    if (name == "kill") {
      Node node = NewNode(element, NodeKind::kKill);
      node.kill_message = ElementText(ChildByLocalName(element, "message"));
      return node;
    }
    if (name == "decision") return ParseDecision(element);
    if (name == "fork") return ParseFork(element);
    if (name == "join") {
      Node node = NewNode(element, NodeKind::kJoin);
      node.to = AttributeOf(element, "to");
      return node;
    }
    return ParseAction(element);
  }

  Node ParseDecision(const pugi::xml_node& element) const {
    Node node = NewNode(element, NodeKind::kDecision);
    const pugi::xml_node switch_element = ChildByLocalName(element, "switch");
    for (const pugi::xml_node& child : ChildElements(switch_element)) {
      const std::string_view child_name = LocalName(child.name());
      if (child_name == "case") node.cases.push_back(DecisionCase{AttributeOf(child, "to"), ElementText(child)});
      if (child_name == "default") node.default_to = AttributeOf(child, "to");
    }
    return node;
  }

  Result<Node> ParseFork(const pugi::xml_node& element) const {
    Node node = NewNode(element, NodeKind::kFork);
    for (const pugi::xml_node& child : ChildElements(element)) {
      if (LocalName(child.name()) == "path") node.fork_paths.push_back(AttributeOf(child, "start"));
    }
    if (node.fork_paths.size() < 2) {
      return At(element, Status::InvalidArgument("Fork node [" + node.name + "] cannot have less than two paths",
                                                 "E0731"));
    }
    return node;
  }

  Result<Node> ParseAction(const pugi::xml_node& element) {
    Node node = NewNode(element, NodeKind::kAction);
    ActionSpec spec;
    pugi::xml_node type_element;
    for (const pugi::xml_node& child : ChildElements(element)) {
      const std::string_view child_name = LocalName(child.name());
      if (child_name == "ok") {
        spec.ok_to = AttributeOf(child, "to");
      } else if (child_name == "error") {
        spec.error_to = AttributeOf(child, "to");
      } else if (child_name == "info") {
        node.sla = ParseSla(child);
      } else if (child_name != "credentials") {
        type_element = child;
      }
    }
    if (!type_element) return XmlError(element, "action [" + node.name + "] has no action type element");
    spec.type = std::string(LocalName(type_element.name()));
    spec.xmlns = internal::NamespaceOf(type_element);
    if (spec.xmlns == xmlns_) spec.xmlns.clear();
    spec.xml = internal::SerializeStandalone(type_element);
    spec.cred = AttributeOf(element, "cred");
    REFINERY_RETURN_IF_ERROR(CheckNameNodeAndJobTracker(element, type_element, spec.type));
    REFINERY_ASSIGN_OR_RETURN(spec.retry_max, ResolveRetryNumber(element, "retry-max", node.name));
    REFINERY_ASSIGN_OR_RETURN(spec.retry_interval_minutes, ResolveRetryNumber(element, "retry-interval", node.name));
    REFINERY_ASSIGN_OR_RETURN(spec.retry_policy, ResolveRetryPolicy(element, node.name));
    node.action = std::move(spec);
    return node;
  }

  // LiteWorkflowAppParser.handleDefaultsAndGlobal: the action, then
  // <global>, then the server defaults must name a name-node and a job-tracker.
  Status CheckNameNodeAndJobTracker(const pugi::xml_node& action, const pugi::xml_node& type_element,
                                    std::string_view type) const {
    if (!RequiresNameNodeAndJobTracker(type)) return Status::Ok();
    const bool global_name_node = app_.global && !app_.global->name_node.empty();
    const bool global_job_tracker = app_.global && !app_.global->job_tracker.empty();
    if (!ChildByLocalName(type_element, "name-node") && !global_name_node && options_.default_name_node.empty()) {
      return At(action, Status::InvalidArgument("XML schema error, No name-node defined", "E0701"));
    }
    if (!ChildByLocalName(type_element, "job-tracker") && !ChildByLocalName(type_element, "resource-manager") &&
        !global_job_tracker && options_.default_job_tracker.empty()) {
      return At(action, Status::InvalidArgument("XML schema error, No job-tracker or resource-manager defined", "E0701"));
    }
    return Status::Ok();
  }

  Result<std::string> ResolveAttribute(const pugi::xml_node& action, const char* attribute) const {
    Result<std::string> resolved = internal::SubstituteVariables(AttributeOf(action, attribute), effective_conf_);
    if (!resolved.ok()) return XmlError(action, resolved.status().message());
    return resolved;
  }

  Result<std::optional<int>> ResolveRetryNumber(const pugi::xml_node& action, const char* attribute,
                                                const std::string& node_name) const {
    if (!action.attribute(attribute)) return std::optional<int>();
    REFINERY_ASSIGN_OR_RETURN(const std::string value, ResolveAttribute(action, attribute));
    // Java's Integer.parseInt: optional sign, decimal digits, 32-bit range.
    size_t i = (!value.empty() && (value[0] == '-' || value[0] == '+')) ? 1 : 0;
    bool valid = i < value.size() && value.size() - i <= 10;
    int64_t number = 0;
    for (; valid && i < value.size(); ++i) {
      if (value[i] < '0' || value[i] > '9') valid = false;
      number = number * 10 + (value[i] - '0');
    }
    if (valid && !value.empty() && value[0] == '-') number = -number;
    if (!valid || number > INT32_MAX || number < INT32_MIN) {
      return XmlError(action, std::string(attribute) + " [" + value + "] of action [" + node_name +
                                  "] is not an integer");
    }
    return std::optional<int>(static_cast<int>(number));
  }

  Result<std::string> ResolveRetryPolicy(const pugi::xml_node& action, const std::string& node_name) const {
    if (!action.attribute("retry-policy")) return std::string();
    REFINERY_ASSIGN_OR_RETURN(std::string value, ResolveAttribute(action, "retry-policy"));
    std::transform(value.begin(), value.end(), value.begin(), [](unsigned char c) { return std::tolower(c); });
    if (value == "periodic" || value == "exponential") return value;
    return XmlError(action, "retry-policy [" + value + "] of action [" + node_name +
                                "] must be one of [periodic, exponential]");
  }

  static SlaInfo ParseSla(const pugi::xml_node& element) {
    SlaInfo sla;
    sla.xmlns = internal::NamespaceOf(element);
    for (const pugi::xml_node& child : ChildElements(element)) {
      sla.fields.emplace_back(std::string(LocalName(child.name())), ElementText(child));
    }
    return sla;
  }

  static GlobalSection ParseGlobal(const pugi::xml_node& element) {
    GlobalSection global;
    for (const pugi::xml_node& child : ChildElements(element)) {
      const std::string_view name = LocalName(child.name());
      if (name == "job-tracker" || name == "resource-manager") global.job_tracker = Trim(ElementText(child));
      if (name == "name-node") global.name_node = Trim(ElementText(child));
      if (name == "job-xml") global.job_xmls.push_back(Trim(ElementText(child)));
      if (name == "configuration") global.configuration = internal::ReadConfigurationElement(child);
      if (name == "launcher") global.launcher_xml = internal::SerializeStandalone(child);
    }
    return global;
  }

  static std::vector<Credential> ParseCredentials(const pugi::xml_node& element) {
    std::vector<Credential> credentials;
    for (const pugi::xml_node& child : ChildElements(element)) {
      if (LocalName(child.name()) != "credential") continue;
      credentials.push_back(Credential{AttributeOf(child, "name"), AttributeOf(child, "type"),
                                       internal::ReadConfigurationElement(child)});
    }
    return credentials;
  }

  std::string_view xml_;
  const ParseOptions& options_;
  internal::LineIndex lines_;
  pugi::xml_document document_;
  std::string xmlns_;
  WorkflowVersion version_ = WorkflowVersion::k0_1;
  WorkflowApp app_;
  Properties effective_conf_;  // job conf plus <parameters> defaults
  std::unordered_set<std::string> names_;
  bool complete_ = false;
};

}  // namespace

Result<WorkflowApp> ParseWorkflowXml(std::string_view xml, const ParseOptions& options) {
  return WorkflowParser(xml, options).Parse();
}

}  // namespace refinery::workflow
