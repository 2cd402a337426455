// bundle.xml → BundleApp, with Oozie's submit-time checks (BundleSubmitXCommand).
#include <algorithm>
#include <cctype>
#include <set>

#include <pugixml.hpp>

#include "coordinator/bundle.h"
#include "coordinator/internal.h"
#include "coordinator/time_zone.h"
#include "el/el.h"
#include "el/functions.h"

namespace refinery::coordinator {
namespace {

using internal::Child;
using internal::LocalName;
using internal::SubstituteProperties;
using internal::Text;
using internal::Trim;

// The 0.1 XSD's IDENTIFIER: a letter, then letters, digits, '-' or '_' (39 at most).
bool IsIdentifier(const std::string& name) {
  if (name.empty() || name.size() > 39 || !std::isalpha(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
}

class Parser {
 public:
  Parser(std::string_view xml, const BundleParseOptions& options) : xml_(xml), options_(options) {
    if (options.job_conf != nullptr) conf_ = *options.job_conf;
    functions_.Register("bundle:conf", 1, 1, [this](const std::vector<el::Value>& args) -> Result<el::Value> {
      std::optional<std::string> value = conf_.Get(args[0].ToText());
      return value ? el::Value::String(*value) : el::Value::Null();
    });
    el::RegisterBasicFunctions(&functions_, &clock_);
  }

  Result<BundleApp> Parse();

 private:
  int LineOf(const pugi::xml_node& n) const {
    const ptrdiff_t off = n.offset_debug();
    if (off < 0) return 0;
    const size_t end = std::min(static_cast<size_t>(off), xml_.size());
    return 1 + static_cast<int>(std::count(xml_.begin(), xml_.begin() + static_cast<ptrdiff_t>(end), '\n'));
  }
  Status Error(const pugi::xml_node& n, const std::string& code, const std::string& message) const {
    return Status::InvalidArgument(message, code).WithContext(options_.source_name + ":" + std::to_string(LineOf(n)));
  }
  Status SchemaError(const pugi::xml_node& n, const std::string& what) const {
    return Error(n, "E0701", "XML schema error, " + what);
  }

  // ${x} from the configuration, then EL (bundle:conf and the basic functions).
  Result<std::string> Resolve(const pugi::xml_node& n, std::string_view text) const {
    const std::string substituted = SubstituteProperties(std::string(text), conf_);
    if (!el::HasExpressions(substituted)) return substituted;
    el::Context context;
    context.functions = &functions_;
    context.variables = [this](std::string_view name) -> std::optional<el::Value> {
      std::optional<std::string> value = conf_.Get(name);
      if (!value) return std::nullopt;
      return el::Value::String(*value);
    };
    Result<std::string> value = el::Evaluate(substituted, context);
    if (!value.ok()) {
      return Error(n, "E1004", "Expression language evaluation error, Unable to evaluate :" + substituted + ": " +
                                   value.status().message() + "; define it in job.properties or with -D");
    }
    return value;
  }

  Status CheckOrder(const pugi::xml_node& root);
  Status ParseParameters(const pugi::xml_node& params, BundleApp* app);
  Status ParseControls(const pugi::xml_node& controls, BundleApp* app);
  Status ParseCoordinator(const pugi::xml_node& node, std::set<std::string>* names, BundleApp* app);

  std::string_view xml_;
  const BundleParseOptions& options_;
  Properties conf_;
  FakeClock clock_{TimePoint()};  // basic functions only; bundles have no time functions
  el::FunctionTable functions_;
  bool v02_ = false;
};

// The XSD's sequence: parameters? (0.2) controls? coordinator+.
Status Parser::CheckOrder(const pugi::xml_node& root) {
  int stage = 0;  // 0 parameters, 1 controls, 2 coordinators
  bool seen[2] = {false, false};
  for (pugi::xml_node c : root.children()) {
    if (c.type() != pugi::node_element) continue;
    const std::string_view name = LocalName(c.name());
    const int at = name == "parameters" && v02_ ? 0 : name == "controls" ? 1 : name == "coordinator" ? 2 : -1;
    if (at < 0) {
      return SchemaError(c, "unexpected element <" + std::string(c.name()) + "> in <bundle-app>; " +
                                (v02_ ? "expected <parameters>, <controls> or <coordinator>"
                                      : "expected <controls> or <coordinator> (<parameters> needs "
                                        "uri:oozie:bundle:0.2)"));
    }
    if (at < stage || (at < 2 && seen[at])) {
      return SchemaError(c, "element <" + std::string(c.name()) +
                                "> is out of order; <bundle-app> holds <parameters>?, <controls>?, <coordinator>+ "
                                "in that order, each of the first two at most once");
    }
    if (at < 2) seen[at] = true;
    stage = at;
  }
  if (!Child(root, "coordinator")) {
    return SchemaError(root, "<bundle-app> needs at least one <coordinator>");
  }
  return Status::Ok();
}

Status Parser::ParseParameters(const pugi::xml_node& params, BundleApp* app) {
  std::vector<std::string> missing;
  for (pugi::xml_node p : params.children()) {
    if (p.type() != pugi::node_element || LocalName(p.name()) != "property") continue;
    const std::string name = Trim(Text(Child(p, "name")));
    if (name.empty()) return Error(p, "E0739", "Parameter name cannot be empty");
    std::optional<std::string> def;
    if (pugi::xml_node value = Child(p, "value")) def = Trim(Text(value));
    app->parameters.emplace_back(name, def);
    if (conf_.Contains(name)) continue;
    if (def) {
      conf_.Set(name, *def);
    } else {
      missing.push_back(name);
    }
  }
  if (missing.empty()) return Status::Ok();
  std::string list;
  for (const std::string& m : missing) list += (list.empty() ? "" : ", ") + m;
  return Error(params, "E0738", "The following " + std::to_string(missing.size()) +
                                    " parameters are required but were not defined and no default values are "
                                    "available: " + list);
}

Status Parser::ParseControls(const pugi::xml_node& controls, BundleApp* app) {
  pugi::xml_node kickoff = Child(controls, "kick-off-time");
  if (!kickoff) return Status::Ok();
  REFINERY_ASSIGN_OR_RETURN(std::string text, Resolve(kickoff, Trim(Text(kickoff))));
  text = Trim(text);
  if (text.empty()) return Status::Ok();
  Result<TimePoint> time = ParseCoordTime(text);
  if (!time.ok()) {
    return Error(kickoff, "E1310", "Bundle Job submission Error: kick-off-time [" + text +
                                       "] must be a date in UTC format (yyyy-MM-dd'T'HH:mm'Z')");
  }
  app->kickoff = *time;
  return Status::Ok();
}

Status Parser::ParseCoordinator(const pugi::xml_node& node, std::set<std::string>* names, BundleApp* app) {
  BundleCoordinator coordinator;
  coordinator.line = LineOf(node);
  pugi::xml_attribute name = node.attribute("name");
  if (!name) return SchemaError(node, "<coordinator> is missing the required attribute [name]");
  REFINERY_ASSIGN_OR_RETURN(coordinator.name, Resolve(node, name.value()));
  coordinator.name = Trim(coordinator.name);
  if (coordinator.name.empty()) return Error(node, "E1305", "Empty bundle application coordinator name.");
  if (!v02_ && !IsIdentifier(coordinator.name)) {
    return SchemaError(node, "coordinator name [" + coordinator.name +
                                 "] must start with a letter and hold only letters, digits, '-' and '_' (at most 39)");
  }
  if (!names->insert(coordinator.name).second) {
    return Error(node, "E1304", "Duplicate bundle application coordinator name [" + coordinator.name + "]");
  }
  if (pugi::xml_attribute critical = node.attribute("critical")) {
    REFINERY_ASSIGN_OR_RETURN(std::string text, Resolve(node, critical.value()));
    // BundleStartXCommand: Boolean.parseBoolean, so "TRUE" counts, " true" does not.
    coordinator.critical = text.size() == 4 && std::equal(text.begin(), text.end(), "true", [](char a, char b) {
                             return std::tolower(static_cast<unsigned char>(a)) == b;
                           });
  }
  if (pugi::xml_attribute enabled = node.attribute("enabled")) {
    if (!v02_) return SchemaError(node, "attribute [enabled] of <coordinator> needs uri:oozie:bundle:0.2");
    REFINERY_ASSIGN_OR_RETURN(std::string text, Resolve(node, enabled.value()));
    coordinator.enabled = Trim(text) != "false";
  }
  pugi::xml_node path = Child(node, "app-path");
  if (!path) return SchemaError(node, "coordinator [" + coordinator.name + "] needs an <app-path>");
  REFINERY_ASSIGN_OR_RETURN(coordinator.app_path, Resolve(path, Trim(Text(path))));
  if (coordinator.app_path.empty()) {
    return SchemaError(path, "the <app-path> of coordinator [" + coordinator.name + "] is empty");
  }
  if (pugi::xml_node conf = Child(node, "configuration")) {
    for (pugi::xml_node p : conf.children()) {
      if (p.type() != pugi::node_element || LocalName(p.name()) != "property") continue;
      const std::string key = Trim(Text(Child(p, "name")));
      if (key.empty()) return SchemaError(p, "a <property> of coordinator [" + coordinator.name + "] has no <name>");
      if (!Child(p, "value")) return SchemaError(p, "property [" + key + "] has no <value>");
      REFINERY_ASSIGN_OR_RETURN(std::string value, Resolve(p, Text(Child(p, "value"))));
      coordinator.configuration.Set(key, std::move(value));
    }
  }
  app->coordinators.push_back(std::move(coordinator));
  return Status::Ok();
}

Result<BundleApp> Parser::Parse() {
  pugi::xml_document doc;
  const pugi::xml_parse_result r = doc.load_buffer(xml_.data(), xml_.size(), pugi::parse_default);
  if (!r) {
    const ptrdiff_t at = std::min<ptrdiff_t>(std::max<ptrdiff_t>(r.offset, 0), static_cast<ptrdiff_t>(xml_.size()));
    const int line = 1 + static_cast<int>(std::count(xml_.begin(), xml_.begin() + at, '\n'));
    return Status::InvalidArgument(std::string("XML schema error, ") + r.description(), "E0701")
        .WithContext(options_.source_name + ":" + std::to_string(line));
  }
  pugi::xml_node root = doc.document_element();
  BundleApp app;
  std::string prefix;
  if (std::string_view name(root.name()); name.find(':') != std::string_view::npos) {
    prefix = std::string(name.substr(0, name.find(':')));
  }
  app.xmlns = root.attribute(prefix.empty() ? "xmlns" : ("xmlns:" + prefix).c_str()).value();
  if (LocalName(root.name()) != "bundle-app" ||
      (app.xmlns != "uri:oozie:bundle:0.1" && app.xmlns != "uri:oozie:bundle:0.2")) {
    return SchemaError(root, "expected <bundle-app> of uri:oozie:bundle:0.1 or 0.2, found <" +
                                 std::string(root.name()) + "> of [" + app.xmlns + "]");
  }
  v02_ = app.xmlns == "uri:oozie:bundle:0.2";
  REFINERY_RETURN_IF_ERROR(CheckOrder(root));
  if (pugi::xml_node params = Child(root, "parameters")) REFINERY_RETURN_IF_ERROR(ParseParameters(params, &app));
  pugi::xml_attribute name = root.attribute("name");
  if (!name) return SchemaError(root, "<bundle-app> is missing the required attribute [name]");
  REFINERY_ASSIGN_OR_RETURN(app.name, Resolve(root, name.value()));
  if (pugi::xml_node controls = Child(root, "controls")) REFINERY_RETURN_IF_ERROR(ParseControls(controls, &app));
  std::set<std::string> names;
  for (pugi::xml_node c : root.children()) {
    if (c.type() != pugi::node_element || LocalName(c.name()) != "coordinator") continue;
    REFINERY_RETURN_IF_ERROR(ParseCoordinator(c, &names, &app));
  }
  app.conf = conf_;
  return app;
}

}  // namespace

Result<BundleApp> ParseBundleXml(std::string_view xml, const BundleParseOptions& options) {
  Parser parser(xml, options);
  return parser.Parse();
}

bool IsTerminalJobStatus(std::string_view status) {
  return status == "SUCCEEDED" || status == "DONEWITHERROR" || status == "KILLED" || status == "FAILED" ||
         status == "IGNORED";
}

bool IsBundleJobId(std::string_view id) {
  return id.find('@') == std::string_view::npos && id.size() > 2 && id.substr(id.size() - 2) == "-B";
}

std::optional<std::string> RollUpBundleStatus(const std::vector<std::string>& coordinator_statuses) {
  // Oozie's BundleStatusTransitXCommand reads only the un-ignored bundle
  // actions: an IGNORED coordinator no longer counts either way.
  std::vector<std::string> counted;
  for (const std::string& status : coordinator_statuses) {
    if (status == "IGNORED") continue;
    if (!IsTerminalJobStatus(status)) return std::nullopt;
    counted.push_back(status);
  }
  if (counted.empty()) return std::string("SUCCEEDED");
  const bool same =
      std::all_of(counted.begin(), counted.end(), [&](const std::string& s) { return s == counted.front(); });
  return same ? counted.front() : std::string("DONEWITHERROR");
}

}  // namespace refinery::coordinator
