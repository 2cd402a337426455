// The <hive> (uri:oozie:hive-action:0.2 .. 1.0) and <hive2>
// (uri:oozie:hive2-action:0.1 .. 1.0) actions, run natively: prepare, then
// the HiveQL of <script> (a file of the application directory) or <query>
// through an sql::Session with the <param>s as Hive variables. hive2's
// jdbc-url and password are accepted and ignored: the engine is local.
#include <set>

#include "actions/action_util.h"
#include "sql/sql.h"

namespace refinery::actions::internal {
namespace {

constexpr char kMetastoreDir[] = "refinery.hive.metastore.dir";
constexpr char kWarehouseDir[] = "hive.metastore.warehouse.dir";
constexpr char kPrintedRows[] = "refinery.hive.max.printed.rows";

const std::vector<SettingSpec>& HiveSettings() {
  static const std::vector<SettingSpec> kSettings = {
      {"script", "", "", "HiveQL file, relative to the application directory (or <query>)"},
      {"query", "", "", "inline HiveQL (instead of <script>)"},
      {"param", "", "", "NAME=VALUE, read as ${NAME} / ${hivevar:NAME} in the script"},
      {kMetastoreDir, "/user/hive/metastore", "a directory URI", "where metastore.db keeps the table definitions"},
      {kWarehouseDir, "/user/hive/warehouse", "a directory URI", "where managed tables keep their files"},
      {kPrintedRows, "1000", "0..1000000", "rows of a bare SELECT written to the action log"},
  };
  return kSettings;
}

bool KnownNamespace(const std::string& type, const std::string& ns) {
  static const std::set<std::string> kHive = {"0.2", "0.3", "0.4", "0.5", "0.6", "1.0"};
  static const std::set<std::string> kHive2 = {"0.1", "0.2", "1.0"};
  const std::string prefix = "uri:oozie:" + type + "-action:";
  if (ns.empty()) return true;  // the workflow's validator already checked the document
  if (ns.rfind(prefix, 0) != 0) return false;
  return (type == "hive" ? kHive : kHive2).count(ns.substr(prefix.size())) != 0;
}

std::string Namespace(const pugi::xml_node& element) {
  const std::string name = element.name();
  const size_t colon = name.find(':');
  const std::string attribute = colon == std::string::npos ? "xmlns" : "xmlns:" + name.substr(0, colon);
  for (pugi::xml_node node = element; node; node = node.parent()) {
    if (pugi::xml_attribute ns = node.attribute(attribute.c_str())) return ns.value();
  }
  return "";
}


// A relative <script> names a file of the application directory.
std::string ScriptUri(const ActionContext& context, const std::string& script) {
  if (script.empty() || script[0] == '/' || HasScheme(script)) return script;
  std::string base = context.app_path;
  while (!base.empty() && base.back() == '/') base.pop_back();
  if (base.size() > 4 && base.compare(base.size() - 4, 4, ".xml") == 0) base = base.substr(0, base.find_last_of('/'));
  return base + "/" + script;
}

// NAME=VALUE into `variables`; false when there is no '='.
bool AddVariable(const std::string& assignment, std::map<std::string, std::string>* variables) {
  const size_t eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) return false;
  (*variables)[Trim(assignment.substr(0, eq))] = assignment.substr(eq + 1);
  return true;
}

// Hive CLI / beeline arguments: --hivevar / -d / --define NAME=VALUE and
// --hiveconf K=V become variables; the rest are noted.
Status ReadArguments(const ActionContext& context, const pugi::xml_node& element,
                     std::map<std::string, std::string>* variables) {
  const std::vector<pugi::xml_node> nodes = Children(element, "argument");
  for (size_t k = 0; k < nodes.size(); ++k) {
    const std::string arg = NodeText(nodes[k]);
    const bool takes_value = arg == "--hivevar" || arg == "-hivevar" || arg == "-d" || arg == "--define" ||
                             arg == "--hiveconf" || arg == "-hiveconf";
    if (takes_value && k + 1 < nodes.size()) {
      const std::string value = NodeText(nodes[++k]);
      if (!AddVariable(value, variables)) {
        return Status::InvalidArgument("<argument>" + arg + "</argument> must be followed by NAME=VALUE, found '" +
                                           value + "'",
                                       sql::kVariableCode);
      }
      continue;
    }
    if (arg.rfind("--hivevar=", 0) == 0 && AddVariable(arg.substr(10), variables)) continue;
    Report(context, "argument " + arg + ": accepted and ignored");
  }
  return Status::Ok();
}

class HiveAction : public Action {
 public:
  explicit HiveAction(std::string type) : type_(std::move(type)) {}
  std::string type() const override { return type_; }
  // INSERT INTO appends: running a script twice is not always the same as once.
  bool idempotent() const override { return false; }
  std::vector<SettingSpec> settings() const override { return HiveSettings(); }
  ActionResult Run(ActionContext& context) override;

 private:
  Result<std::pair<std::string, std::string>> Script(const ActionContext& context, const pugi::xml_node& element) const;
  std::string type_;
};

// The HiveQL text and the name errors cite.
Result<std::pair<std::string, std::string>> HiveAction::Script(const ActionContext& context,
                                                               const pugi::xml_node& element) const {
  const std::string script = ChildText(element, "script");
  if (!script.empty()) {
    const std::string uri = ScriptUri(context, script);
    auto text = context.files->ReadFile(uri);
    if (!text.ok()) {
      return Status::NotFound("cannot read the <script> " + script + " (" + uri + "): " + text.status().message() +
                                  "; put it in the application directory",
                              sql::kSyntaxCode);
    }
    return std::make_pair(std::move(text).value(), script);
  }
  const pugi::xml_node query = Child(element, "query");
  if (query) return std::make_pair(NodeText(query), std::string("<query>"));
  return Status::InvalidArgument("the <" + type_ + "> action needs a <script> or a <query>", sql::kSyntaxCode);
}

ActionResult HiveAction::Run(ActionContext& context) {
  ActionResult error;
  if (MissingService(context.files, "file system", &error)) return error;
  pugi::xml_document doc;
  const pugi::xml_node element = ParseActionElement(context.action_xml, type_, &doc, &error);
  if (!element) return error;
  const std::string ns = Namespace(element);
  if (!KnownNamespace(type_, ns)) {
    return ActionResult::Failed("E0700", "the <" + type_ + "> action's namespace " + ns + " is not one Refinery reads; "
                                         "use uri:oozie:" + type_ + "-action:1.0");
  }
  if (type_ == "hive2") {
    if (Child(element, "jdbc-url")) {
      Report(context, "jdbc-url " + ChildText(element, "jdbc-url") + ": ignored, HiveQL runs on the local SQL engine");
    }
    if (Child(element, "password")) Report(context, "password: ignored, the local SQL engine needs none");
  }
  Status status = RunPrepare(context, element);
  if (!status.ok()) return FromStatus(status, "FS009");
  auto script = Script(context, element);
  if (!script.ok()) return FromStatus(script.status(), sql::kSyntaxCode);

  auto printed_rows = IntSetting(context, HiveSettings(), kPrintedRows);
  if (!printed_rows.ok()) return FromStatus(printed_rows.status(), "E0303", Outcome::kFailed);
  sql::SessionOptions options;
  options.files = context.files;
  options.metastore_uri = SettingValue(context, HiveSettings(), kMetastoreDir);
  options.warehouse_uri = SettingValue(context, HiveSettings(), kWarehouseDir);
  options.max_printed_rows = *printed_rows;
  for (const pugi::xml_node& param : Children(element, "param")) {
    const std::string text = NodeText(param);
    if (!AddVariable(text, &options.variables)) {
      return ActionResult::Error(sql::kVariableCode, "<param>" + text + "</param> must have the form NAME=VALUE");
    }
  }
  status = ReadArguments(context, element, &options.variables);
  if (!status.ok()) return FromStatus(status, sql::kVariableCode);
  options.log = [&context](const std::string& line) { Report(context, line); };
  const Cancellation& cancel = CancellationOf(context);
  options.cancelled = [&cancel] { return cancel.cancelled(); };

  auto session = sql::Session::Open(std::move(options));
  if (!session.ok()) return FromStatus(session.status(), sql::kMetastoreCode);
  Report(context, "Running " + script->second + " (" + std::to_string(script->first.size()) + " bytes)");
  status = (*session)->RunScript(script->first, script->second);
  if (!status.ok()) return FromStatus(status, sql::kQueryCode);
  const sql::SessionStats& stats = (*session)->stats();
  Properties data;
  data.Set("statements", std::to_string(stats.statements));
  data.Set("rows_written", std::to_string(stats.rows_written));
  data.Set("rows_printed", std::to_string(stats.rows_printed));
  ActionResult result = ActionResult::Ok();
  result.external_status = "SUCCEEDED";
  result.data = FormatJavaProperties(data);
  return result;
}

}  // namespace

std::unique_ptr<Action> MakeHiveAction(const std::string& type) { return std::make_unique<HiveAction>(type); }

}  // namespace refinery::actions::internal
