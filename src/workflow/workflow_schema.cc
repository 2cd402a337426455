#include "workflow/workflow_schema.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>

namespace refinery::workflow::internal {
namespace {

constexpr std::string_view kSla01 = "uri:oozie:sla:0.1";
constexpr std::string_view kSla02 = "uri:oozie:sla:0.2";
constexpr std::string_view kXsi = "http://www.w3.org/2001/XMLSchema-instance";
constexpr std::string_view kIdentifierPattern = "([a-zA-Z_]([\\-_a-zA-Z0-9])*){1,39}";

// ---------------------------------------------------------------------------
// Declarations: types as the XSDs write them.

enum class SimpleType { kString, kIdentifier, kBoolean, kShort, kUnsignedInt };

enum class Content {
  kEmpty,          // no children, no text (START, FLAG, ...)
  kElements,       // element-only content following `model`
  kSimpleContent,  // text plus attributes (CASE, HTTP-POST)
};

struct AttributeSpec {
  std::string name;
  SimpleType type = SimpleType::kString;
  bool required = false;
};

struct TypeDef {
  Content content = Content::kElements;
  // Content model: particles `name:TYPE` (complex type), `name` (xs:string),
  // `name:#unsignedInt` (typed simple element), `##other`, `##sla`; grouped
  // with ( | ) and quantified with ? * +; juxtaposition is sequence.
  std::string model;
  std::vector<AttributeSpec> attributes;
  std::string xmlns;  // namespace of the model's element particles
};

AttributeSpec Required(std::string name, SimpleType type = SimpleType::kString) {
  return AttributeSpec{std::move(name), type, true};
}
AttributeSpec Optional(std::string name, SimpleType type = SimpleType::kString) {
  return AttributeSpec{std::move(name), type, false};
}

using TypeTable = std::map<std::string, TypeDef, std::less<>>;

// The workflow XSD of one version (see xsd/oozie-workflow-*.xsd). Differences
// between versions are spelled out where they occur. Long because it is a
// table: one line per complex type, mirroring the XSD files.
TypeTable DeclareWorkflowTypes(WorkflowVersion v, const std::string& ns) {
  const auto at_least = [v](WorkflowVersion min) { return v >= min; };
  const bool v01 = v == WorkflowVersion::k0_1;
  const std::string jt = at_least(WorkflowVersion::k1_0)   ? "(job-tracker|resource-manager)? "
                         : at_least(WorkflowVersion::k0_4) ? "job-tracker? "
                                                           : "job-tracker ";
  const std::string nn = at_least(WorkflowVersion::k0_4) ? "name-node? " : "name-node ";
  const std::string launcher = at_least(WorkflowVersion::k1_0) ? "launcher:LAUNCHER? " : "";
  const std::string job_xml = at_least(WorkflowVersion::k0_4) ? "job-xml* " : "job-xml? ";
  const std::string sla = at_least(WorkflowVersion::k0_2) ? " ##sla?" : "";
  const auto id = [](const char* name) { return Required(name, SimpleType::kIdentifier); };

  TypeTable t;
  const auto def = [&](const std::string& name, Content content, std::string model,
                       std::vector<AttributeSpec> attributes = {}) {
    t[name] = TypeDef{content, std::move(model), std::move(attributes), ns};
  };
  const auto empty = [&](const std::string& name, std::vector<AttributeSpec> attributes) {
    def(name, Content::kEmpty, "", std::move(attributes));
  };

  std::string app_model;
  if (at_least(WorkflowVersion::k0_4)) app_model += "parameters:PARAMETERS? global:GLOBAL? ";
  if (at_least(WorkflowVersion::k0_2_5)) app_model += "credentials:CREDENTIALS? ";
  app_model += "start:START (decision:DECISION|fork:FORK|join:JOIN|kill:KILL|action:ACTION)* end:END" + sla;
  def("WORKFLOW-APP", Content::kElements, app_model, {Required("name")});
  def("PARAMETERS", Content::kElements, "property:PARAMETER+");
  def("PARAMETER", Content::kElements, "name value? description?");
  def("GLOBAL", Content::kElements,
      at_least(WorkflowVersion::k1_0)
          ? "(job-tracker|resource-manager)? name-node? launcher:LAUNCHER? job-xml* configuration:CONFIGURATION?"
          : "job-tracker? name-node? job-xml* configuration:CONFIGURATION?");
  def("CREDENTIALS", Content::kElements, "credential:CREDENTIAL*");
  def("CREDENTIAL", Content::kElements, "property:PROPERTY*", {Required("name"), Required("type")});

  empty("START", {id("to")});
  empty("END", {id("name")});
  def("DECISION", Content::kElements, "switch:SWITCH", {id("name")});
  def("SWITCH", Content::kElements, "case:CASE+ default:DEFAULT");
  def("CASE", Content::kSimpleContent, "", {id("to")});
  empty("DEFAULT", {id("to")});
  // The XSD says path{2,}; fewer paths are reported as E0731 by the parser.
  def("FORK", Content::kElements, "path:FORK_TRANSITION*", {id("name")});
  empty("FORK_TRANSITION", {id("start")});
  empty("JOIN", {id("name"), id("to")});
  def("KILL", Content::kElements, "message", {id("name")});
  empty("ACTION_TRANSITION", {id("to")});

  std::string action_types = "map-reduce:MAP-REDUCE|pig:PIG|";
  if (v01) action_types += "ssh:SSH|";
  action_types += "sub-workflow:SUB-WORKFLOW|fs:FS|";
  if (v01) action_types += "http:HTTP|email:EMAIL|";
  action_types += "java:JAVA|##other";
  std::vector<AttributeSpec> action_attributes = {id("name")};
  if (at_least(WorkflowVersion::k0_2_5)) action_attributes.push_back(Optional("cred"));
  if (at_least(WorkflowVersion::k0_3)) {
    action_attributes.push_back(Optional("retry-max"));
    action_attributes.push_back(Optional("retry-interval"));
  }
  if (at_least(WorkflowVersion::k0_5)) action_attributes.push_back(Optional("retry-policy"));
  def("ACTION", Content::kElements,
      "(" + action_types + ") ok:ACTION_TRANSITION error:ACTION_TRANSITION" + sla, action_attributes);

  def("MAP-REDUCE", Content::kElements,
      jt + nn + "prepare:PREPARE? (streaming:STREAMING|pipes:PIPES)? " + launcher + job_xml +
          "configuration:CONFIGURATION? " + (at_least(WorkflowVersion::k0_5) ? "config-class? " : "") +
          "file* archive*");
  def("PIG", Content::kElements,
      jt + nn + "prepare:PREPARE? " + launcher + job_xml + "configuration:CONFIGURATION? script param* " +
          (at_least(WorkflowVersion::k0_2) ? "argument* " : "") + "file* archive*");
  def("JAVA", Content::kElements,
      jt + nn + "prepare:PREPARE? " + launcher + job_xml + "configuration:CONFIGURATION? main-class " +
          (at_least(WorkflowVersion::k0_4) ? "(java-opts|java-opt+)? " : "java-opts? ") +
          "arg* file* archive* capture-output:FLAG?");
  def("SUB-WORKFLOW", Content::kElements,
      "app-path propagate-configuration:FLAG? configuration:CONFIGURATION?");
  std::string fs_commands = "delete:DELETE|mkdir:MKDIR|move:MOVE|chmod:CHMOD";
  if (at_least(WorkflowVersion::k0_4)) fs_commands += "|touchz:TOUCHZ";
  if (at_least(WorkflowVersion::k0_4_5)) fs_commands += "|chgrp:CHGRP";
  if (v == WorkflowVersion::k0_5) fs_commands += "|setrep:SETREP";  // 1.0 dropped it
  def("FS", Content::kElements,
      (at_least(WorkflowVersion::k0_4) ? "name-node? job-xml* configuration:CONFIGURATION? " : "") + std::string("(") +
          fs_commands + ")*");
  if (v01) {
    def("SSH", Content::kElements, "host command args* capture-output:FLAG?");
    def("HTTP", Content::kElements, "http-url post:HTTP-POST? (wait:FLAG|continue:FLAG) capture-output:FLAG");
    def("HTTP-POST", Content::kSimpleContent, "", {Required("content-type")});
    def("EMAIL", Content::kElements, "to subject message?");
  }
  empty("FLAG", {});
  def("CONFIGURATION", Content::kElements, "property:PROPERTY+");
  def("PROPERTY", Content::kElements, "name value description?");
  def("STREAMING", Content::kElements, "mapper? reducer? record-reader? record-reader-mapping* env*");
  def("PIPES", Content::kElements, "map? reduce? inputformat? partitioner? writer? program?");
  def("PREPARE", Content::kElements, "delete:DELETE* mkdir:MKDIR*");
  std::vector<AttributeSpec> delete_attributes = {Required("path")};
  if (v == WorkflowVersion::k0_5) delete_attributes.push_back(Optional("skip-trash", SimpleType::kBoolean));
  empty("DELETE", delete_attributes);
  empty("MKDIR", {Required("path")});
  empty("MOVE", {Required("source"), Required("target")});
  const std::vector<AttributeSpec> chmod_attributes = {Required("path"), Required("permissions"),
                                                       Optional("dir-files")};
  if (at_least(WorkflowVersion::k0_4)) {
    def("CHMOD", Content::kElements, "recursive:FLAG?", chmod_attributes);
  } else {
    empty("CHMOD", chmod_attributes);
  }
  empty("TOUCHZ", {Required("path")});
  def("CHGRP", Content::kElements, "recursive:FLAG?", {Required("path"), Required("group"), Optional("dir-files")});
  empty("SETREP", {Required("path"), Required("replication-factor", SimpleType::kShort)});
  def("LAUNCHER", Content::kElements,
      "(memory.mb:#unsignedInt|vcores:#unsignedInt|java-opts|env|queue|sharelib|view-acl|modify-acl)*");

  // uri:oozie:sla:0.2 (oozie-sla-0.2.xsd). sla:0.1 has two competing XSDs
  // for one namespace, so its content is not checked.
  t["SLA-INFO-0.2"] = TypeDef{Content::kElements,
                              "nominal-time should-start? should-end max-duration? alert-events? alert-contact? "
                              "notification-msg? upstream-apps?",
                              {},
                              std::string(kSla02)};
  return t;
}

// ---------------------------------------------------------------------------
// Content models compiled to small NFAs (Thompson construction).

struct Particle {
  enum class Kind { kElement, kOther, kSla } kind = Kind::kElement;
  std::string name;
  std::string type;  // complex type, "" for xs:string, "#unsignedInt" for typed text
  std::string xmlns;
};

struct ContentModel {
  struct State {
    std::vector<int> epsilon;
    std::vector<std::pair<int, int>> edges;  // (particle, target state)
  };
  std::vector<State> states;
  std::vector<Particle> particles;
  int start = 0;
  int accept = 0;
};

class ModelCompiler {
 public:
  ModelCompiler(std::string_view text, std::string xmlns, ContentModel* out)
      : text_(text), xmlns_(std::move(xmlns)), out_(out) {}

  void Compile() {
    const Fragment f = ParseSequence();
    out_->start = f.start;
    out_->accept = f.end;
  }

 private:
  struct Fragment {
    int start;
    int end;
  };

  int NewState() {
    out_->states.emplace_back();
    return static_cast<int>(out_->states.size()) - 1;
  }
  void Epsilon(int from, int to) { out_->states[from].epsilon.push_back(to); }

  void SkipSpaces() {
    while (pos_ < text_.size() && text_[pos_] == ' ') ++pos_;
  }
  bool AtSequenceEnd() {
    SkipSpaces();
    return pos_ >= text_.size() || text_[pos_] == ')' || text_[pos_] == '|';
  }

  Fragment ParseSequence() {
    const int start = NewState();
    int end = start;
    while (!AtSequenceEnd()) {
      const Fragment item = ParseItem();
      Epsilon(end, item.start);
      end = item.end;
    }
    return {start, end};
  }

  Fragment ParseItem() {
    Fragment atom = ParseAtom();
    if (pos_ >= text_.size()) return atom;
    const char quantifier = text_[pos_];
    if (quantifier != '?' && quantifier != '*' && quantifier != '+') return atom;
    ++pos_;
    const int start = NewState();
    const int end = NewState();
    Epsilon(start, atom.start);
    Epsilon(atom.end, end);
    if (quantifier != '+') Epsilon(start, end);
    if (quantifier != '?') Epsilon(atom.end, atom.start);
    return {start, end};
  }

  Fragment ParseAtom() {
    if (text_[pos_] == '(') {
      ++pos_;
      const int start = NewState();
      const int end = NewState();
      while (true) {
        const Fragment branch = ParseSequence();
        Epsilon(start, branch.start);
        Epsilon(branch.end, end);
        if (pos_ < text_.size() && text_[pos_] == '|') {
          ++pos_;
          continue;
        }
        break;
      }
      if (pos_ < text_.size() && text_[pos_] == ')') ++pos_;
      return {start, end};
    }
    const size_t begin = pos_;
    while (pos_ < text_.size() && std::string_view("()|?*+ ").find(text_[pos_]) == std::string_view::npos) ++pos_;
    const std::string_view token = text_.substr(begin, pos_ - begin);
    Particle particle;
    particle.xmlns = xmlns_;
    if (token == "##other") {
      particle.kind = Particle::Kind::kOther;
    } else if (token == "##sla") {
      particle.kind = Particle::Kind::kSla;
    } else {
      const size_t colon = token.find(':');
      particle.name = std::string(token.substr(0, colon));
      if (colon != std::string_view::npos) particle.type = std::string(token.substr(colon + 1));
    }
    out_->particles.push_back(std::move(particle));
    const int index = static_cast<int>(out_->particles.size()) - 1;
    const int start = NewState();
    const int end = NewState();
    out_->states[start].edges.emplace_back(index, end);
    return {start, end};
  }

  std::string_view text_;
  std::string xmlns_;
  ContentModel* out_;
  size_t pos_ = 0;
};

struct CompiledSchema {
  TypeTable types;
  std::map<std::string, ContentModel, std::less<>> models;
  std::string xmlns;
  std::vector<std::string> sla_namespaces;
};

const std::array<const char*, 8> kNamespaces = {
    "uri:oozie:workflow:0.1", "uri:oozie:workflow:0.2", "uri:oozie:workflow:0.2.5", "uri:oozie:workflow:0.3",
    "uri:oozie:workflow:0.4", "uri:oozie:workflow:0.4.5", "uri:oozie:workflow:0.5", "uri:oozie:workflow:1.0",
};

std::unique_ptr<CompiledSchema> CompileSchema(WorkflowVersion version) {
  auto schema = std::make_unique<CompiledSchema>();
  schema->xmlns = kNamespaces[static_cast<size_t>(version)];
  schema->types = DeclareWorkflowTypes(version, schema->xmlns);
  if (version >= WorkflowVersion::k0_2) schema->sla_namespaces.emplace_back(kSla01);
  if (version >= WorkflowVersion::k0_5) schema->sla_namespaces.emplace_back(kSla02);
  for (const auto& [name, type] : schema->types) {
    if (type.content != Content::kElements) continue;
    ContentModel& model = schema->models[name];
    ModelCompiler(type.model, type.xmlns, &model).Compile();
  }
  return schema;
}

// Each version is compiled once, on its first use (a CLI run pays for the one
// it parses, not all eight); immutable afterwards (safe to share).
const CompiledSchema& SchemaFor(WorkflowVersion version) {
  static std::array<std::once_flag, 8> compiled;
  static std::array<std::unique_ptr<CompiledSchema>, 8> schemas;
  const size_t index = static_cast<size_t>(version);
  std::call_once(compiled[index], [&] { schemas[index] = CompileSchema(version); });
  return *schemas[index];
}

// ---------------------------------------------------------------------------
// Checking

using StateSet = std::vector<int>;

void Close(const ContentModel& model, StateSet* states) {
  std::vector<bool> seen(model.states.size(), false);
  std::vector<int> stack(states->begin(), states->end());
  states->clear();
  while (!stack.empty()) {
    const int s = stack.back();
    stack.pop_back();
    if (seen[s]) continue;
    seen[s] = true;
    states->push_back(s);
    for (const int next : model.states[s].epsilon) stack.push_back(next);
  }
}

bool Accepts(const ContentModel& model, const StateSet& states) {
  return std::find(states.begin(), states.end(), model.accept) != states.end();
}

std::string Quote(std::string_view text) { return "'" + std::string(text) + "'"; }

bool IsIdentifier(std::string_view value) {
  if (value.empty()) return false;
  const auto start_char = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (!start_char(value[0])) return false;
  return std::all_of(value.begin() + 1, value.end(),
                     [&](char c) { return start_char(c) || (c >= '0' && c <= '9') || c == '-'; });
}

// XSD whitespace "collapse" for the numeric and boolean types.
std::string Collapse(std::string_view value) {
  std::string out;
  bool space = false;
  for (const char c : value) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

bool IsInteger(std::string_view text, int64_t min, int64_t max) {
  if (text.empty()) return false;
  size_t i = 0;
  bool negative = false;
  if (text[0] == '+' || text[0] == '-') {
    negative = text[0] == '-';
    ++i;
  }
  if (i == text.size()) return false;
  int64_t value = 0;
  for (; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    value = value * 10 + (text[i] - '0');
    if (value > 10000000000LL) return false;
  }
  if (negative) value = -value;
  return value >= min && value <= max;
}

// "" when `value` is valid for `type`, else Xerces' message.
std::string CheckSimpleValue(std::string_view value, SimpleType type) {
  switch (type) {
    case SimpleType::kString:
      return "";
    case SimpleType::kIdentifier:
      if (IsIdentifier(value)) return "";
      return "cvc-pattern-valid: Value " + Quote(value) + " is not facet-valid with respect to pattern " +
             Quote(kIdentifierPattern) + " for type 'IDENTIFIER'.";
    case SimpleType::kBoolean: {
      const std::string v = Collapse(value);
      if (v == "true" || v == "false" || v == "1" || v == "0") return "";
      return "cvc-datatype-valid.1.2.1: " + Quote(v) + " is not a valid value for 'boolean'.";
    }
    case SimpleType::kShort: {
      const std::string v = Collapse(value);
      if (IsInteger(v, -32768, 32767)) return "";
      return "cvc-datatype-valid.1.2.1: " + Quote(v) + " is not a valid value for 'short'.";
    }
    case SimpleType::kUnsignedInt: {
      const std::string v = Collapse(value);
      if (IsInteger(v, 0, 4294967295LL)) return "";
      return "cvc-datatype-valid.1.2.1: " + Quote(v) + " is not a valid value for 'unsignedInt'.";
    }
  }
  return "";
}

class SchemaChecker {
 public:
  SchemaChecker(const CompiledSchema& schema, const LineIndex& lines, const std::string& source)
      : schema_(schema), lines_(lines), source_(source) {}

  Status CheckRoot(const pugi::xml_node& root) { return CheckComplex(root, "WORKFLOW-APP"); }

 private:
  Status Error(const pugi::xml_node& node, const std::string& message) const {
    return Status::InvalidArgument("XML schema error, " + message, "E0701")
        .WithContext(source_ + ":" + std::to_string(lines_.LineOf(node)));
  }

  Status CheckAttributes(const pugi::xml_node& element, const std::vector<AttributeSpec>& specs) const {
    const std::string element_name = element.name();
    for (const pugi::xml_attribute& attribute : element.attributes()) {
      const std::string_view name = attribute.name();
      if (name == "xmlns" || name.rfind("xmlns:", 0) == 0) continue;
      const std::string_view prefix = Prefix(name);
      if (!prefix.empty() && ResolveNamespace(element, prefix) == kXsi) continue;
      const auto spec = std::find_if(specs.begin(), specs.end(),
                                     [&](const AttributeSpec& s) { return prefix.empty() && s.name == name; });
      if (spec == specs.end()) {
        return Error(element, "cvc-complex-type.3.2.2: Attribute " + Quote(name) + " is not allowed to appear in element " +
                                  Quote(element_name) + ".");
      }
      const std::string problem = CheckSimpleValue(attribute.value(), spec->type);
      if (!problem.empty()) return Error(element, problem);
    }
    for (const AttributeSpec& spec : specs) {
      if (spec.required && !element.attribute(spec.name.c_str())) {
        return Error(element, "cvc-complex-type.4: Attribute " + Quote(spec.name) + " must appear on element " +
                                  Quote(element_name) + ".");
      }
    }
    return Status::Ok();
  }

  // An element declared with a simple type (xs:string, xs:unsignedInt).
  Status CheckSimpleElement(const pugi::xml_node& element, std::string_view type) const {
    for (const pugi::xml_attribute& attribute : element.attributes()) {
      const std::string_view name = attribute.name();
      if (name == "xmlns" || name.rfind("xmlns:", 0) == 0) continue;
      if (!Prefix(name).empty() && ResolveNamespace(element, Prefix(name)) == kXsi) continue;
      return Error(element, "cvc-type.3.1.1: Element " + Quote(element.name()) +
                                " is a simple type, so it cannot have attributes, excepting those whose namespace name "
                                "is identical to 'http://www.w3.org/2001/XMLSchema-instance' and whose [local name] is "
                                "one of 'type', 'nil', 'schemaLocation' or 'noNamespaceSchemaLocation'. However, the "
                                "attribute, " +
                                Quote(name) + " was found.");
    }
    for (const pugi::xml_node& child : element.children()) {
      if (child.type() == pugi::node_element) {
        return Error(child, "cvc-type.3.1.2: Element " + Quote(element.name()) +
                                " is a simple type, so it must have no element information item [children].");
      }
    }
    if (type == "#unsignedInt") {
      const std::string problem = CheckSimpleValue(ElementText(element), SimpleType::kUnsignedInt);
      if (!problem.empty()) return Error(element, problem);
    }
    return Status::Ok();
  }

  Status CheckComplex(const pugi::xml_node& element, const std::string& type_name) {
    const auto type_it = schema_.types.find(type_name);
    if (type_it == schema_.types.end()) return Status::Ok();
    const TypeDef& type = type_it->second;
    REFINERY_RETURN_IF_ERROR(CheckAttributes(element, type.attributes));
    const std::string element_name = element.name();
    if (type.content == Content::kEmpty || type.content == Content::kSimpleContent) {
      for (const pugi::xml_node& child : element.children()) {
        const bool is_text = child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata;
        if (type.content == Content::kSimpleContent && child.type() == pugi::node_element) {
          return Error(child, "cvc-complex-type.2.2: Element " + Quote(element_name) +
                                  " must have no element [children], and the value must be valid.");
        }
        if (type.content == Content::kEmpty && (child.type() == pugi::node_element || (is_text && !IsBlank(child.value())))) {
          return Error(element, "cvc-complex-type.2.1: Element " + Quote(element_name) +
                                    " must have no character or element information item [children], because the "
                                    "type's content type is empty.");
        }
      }
      return Status::Ok();
    }
    return CheckElementContent(element, schema_.models.at(type_name));
  }

  Status CheckElementContent(const pugi::xml_node& element, const ContentModel& model) {
    StateSet current = {model.start};
    Close(model, &current);
    for (const pugi::xml_node& child : element.children()) {
      if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) {
        if (IsBlank(child.value())) continue;
        return Error(element, "cvc-complex-type.2.3: Element " + Quote(element.name()) +
                                  " cannot have character [children], because the type's content type is "
                                  "element-only.");
      }
      if (child.type() != pugi::node_element) continue;
      const std::string child_ns = NamespaceOf(child);
      const std::string_view local = LocalName(child.name());
      int matched = -1;
      StateSet next;
      for (const int s : current) {
        for (const auto& [particle, target] : model.states[s].edges) {
          if (!Matches(model.particles[particle], child_ns, local)) continue;
          if (matched < 0 || particle < matched) matched = particle;
          next.push_back(target);
        }
      }
      if (matched < 0) {
        const std::string expected = Expected(model, current);
        if (expected.empty()) {
          return Error(child, "cvc-complex-type.2.4.d: Invalid content was found starting with element " +
                                  Quote(child.name()) + ". No child element is expected at this point.");
        }
        return Error(child, "cvc-complex-type.2.4.a: Invalid content was found starting with element " +
                                Quote(child.name()) + ". One of '{" + expected + "}' is expected.");
      }
      Close(model, &next);
      current = std::move(next);
      REFINERY_RETURN_IF_ERROR(CheckChild(child, child_ns, model.particles[matched]));
    }
    if (!Accepts(model, current)) {
      return Error(element, "cvc-complex-type.2.4.b: The content of element " + Quote(element.name()) +
                                " is not complete. One of '{" + Expected(model, current) + "}' is expected.");
    }
    return Status::Ok();
  }

  Status CheckChild(const pugi::xml_node& child, const std::string& child_ns, const Particle& particle) {
    switch (particle.kind) {
      case Particle::Kind::kOther:
        return Status::Ok();  // extension actions: their own schemas, not checked here
      case Particle::Kind::kSla:
        if (LocalName(child.name()) != "info") {
          return Error(child, "cvc-elt.1.a: Cannot find the declaration of element " + Quote(child.name()) + ".");
        }
        if (child_ns == kSla02) return CheckComplex(child, "SLA-INFO-0.2");
        return Status::Ok();
      case Particle::Kind::kElement:
        break;
    }
    if (particle.type.empty() || particle.type[0] == '#') return CheckSimpleElement(child, particle.type);
    return CheckComplex(child, particle.type);
  }

  bool Matches(const Particle& particle, const std::string& ns, std::string_view local) const {
    switch (particle.kind) {
      case Particle::Kind::kElement:
        return ns == particle.xmlns && local == particle.name;
      case Particle::Kind::kOther:
        return !ns.empty() && ns != schema_.xmlns;
      case Particle::Kind::kSla:
        return std::find(schema_.sla_namespaces.begin(), schema_.sla_namespaces.end(), ns) !=
               schema_.sla_namespaces.end();
    }
    return false;
  }

  // Xerces' list of what could come next: "ns":name entries and WC[...] wildcards.
  std::string Expected(const ContentModel& model, const StateSet& states) const {
    std::vector<int> particles;
    for (const int s : states) {
      for (const auto& edge : model.states[s].edges) particles.push_back(edge.first);
    }
    std::sort(particles.begin(), particles.end());
    particles.erase(std::unique(particles.begin(), particles.end()), particles.end());
    std::string out;
    for (const int index : particles) {
      const Particle& p = model.particles[index];
      if (!out.empty()) out += ", ";
      switch (p.kind) {
        case Particle::Kind::kElement:
          out += "\"" + p.xmlns + "\":" + p.name;
          break;
        case Particle::Kind::kOther:
          out += "WC[##other:\"" + schema_.xmlns + "\"]";
          break;
        case Particle::Kind::kSla: {
          out += "WC[";
          for (size_t i = 0; i < schema_.sla_namespaces.size(); ++i) {
            out += (i ? ",\"" : "\"") + schema_.sla_namespaces[i] + "\"";
          }
          out += "]";
          break;
        }
      }
    }
    return out;
  }

  const CompiledSchema& schema_;
  const LineIndex& lines_;
  const std::string& source_;
};

}  // namespace

const std::vector<std::string>& WorkflowNamespaces() {
  static const std::vector<std::string> namespaces(kNamespaces.begin(), kNamespaces.end());
  return namespaces;
}

bool WorkflowVersionOf(std::string_view xmlns, WorkflowVersion* version) {
  for (size_t i = 0; i < kNamespaces.size(); ++i) {
    if (xmlns == kNamespaces[i]) {
      *version = static_cast<WorkflowVersion>(i);
      return true;
    }
  }
  return false;
}

Status CheckWorkflowSchema(const pugi::xml_node& root, WorkflowVersion version, const LineIndex& lines,
                           const std::string& source_name) {
  SchemaChecker checker(SchemaFor(version), lines, source_name);
  return checker.CheckRoot(root);
}

}  // namespace refinery::workflow::internal
