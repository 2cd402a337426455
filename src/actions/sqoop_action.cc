// The <sqoop> action (uri:oozie:sqoop-action:0.2 .. 1.0), run natively:
// prepare, the command split as Oozie splits it, Sqoop's options, then the
// tool against SQLite, PostgreSQL or MariaDB/MySQL. Import writes Sqoop's
// part files and publishes the target directory atomically.
#include <filesystem>

#include "actions/action_util.h"
#include "actions/sqoop_command.h"
#include "actions/sqoop_import.h"
#include "actions/sqoop_tools.h"

namespace refinery::actions::internal {
namespace {

constexpr char kShellSplitter[] = "oozie.action.sqoop.shellsplitter";

const std::vector<SettingSpec>& SqoopSettings() {
  static const std::vector<SettingSpec> kSettings = {
      {"command", "", "", "the Sqoop command line, split on single spaces (or shell-like, see below)"},
      {"arg", "", "", "one argument each; the way to pass values holding spaces"},
      {kShellSplitter, "false", "true|false", "split <command> like a shell (quotes, backslashes)"},
  };
  return kSettings;
}

ActionResult FromSqoopStatus(const Status& status, const std::string& password) {
  const Status redacted(status.code(), status.error_code(), data::RedactSecret(status.message(), password));
  return FromStatus(redacted, kSqoopIoCode);
}


Result<std::vector<std::string>> Arguments(const ActionContext& context, const pugi::xml_node& element) {
  std::vector<std::string> args;
  if (const pugi::xml_node command = Child(element, "command")) {
    const bool shell_like = BoolSetting(context, SqoopSettings(), kShellSplitter);
    REFINERY_ASSIGN_OR_RETURN(args, SplitSqoopCommand(NodeText(command), shell_like));
  } else {
    for (const pugi::xml_node& arg : Children(element, "arg")) args.push_back(NodeText(arg));
  }
  DropLeadingSqoop(&args);
  return args;
}

// Sqoop resolves a relative --password-file against the user's home.
std::string UserPath(const ActionContext& context, const std::string& path) {
  if (path.empty() || path[0] == '/' || HasScheme(path)) return path;
  return "/user/" + context.user + "/" + path;
}

// The password: --password-file's bytes verbatim (Sqoop's semantics: a
// trailing newline is part of the password), or --password.
Result<std::string> Password(const ActionContext& context, const SqoopOptions& options) {
  if (options.password_file.empty()) return options.password;
  auto text = context.files->ReadFile(UserPath(context, options.password_file));
  if (!text.ok()) {
    return Status::InvalidArgument("Could not read --password-file " + options.password_file + ": " +
                                       text.status().message(),
                                   kSqoopPasswordCode);
  }
  if (!text->empty() && text->back() == '\n') {
    Report(context, "WARN: the password file ends with a newline, which Sqoop (and Refinery) take as part of "
                    "the password; write it with `echo -n` if authentication fails");
  }
  return std::move(text).value();
}

// SQLite paths follow Refinery's path rules: "/p" lies in the file-system
// root, "file:///p" is a local file, and a relative path names a file of the
// application directory.
Result<std::string> ConnectUrl(const ActionContext& context, const std::string& url) {
  const std::string prefix = "jdbc:sqlite:";
  if (url.rfind(prefix, 0) != 0 || url.size() == prefix.size()) return url;
  std::string path = url.substr(prefix.size());
  if (path == ":memory:") return url;
  if (path[0] != '/' && !HasScheme(path)) {
    std::string base = context.app_path;
    while (!base.empty() && base.back() == '/') base.pop_back();
    if (base.size() > 4 && base.compare(base.size() - 4, 4, ".xml") == 0) base = base.substr(0, base.find_last_of('/'));
    path = base + "/" + path;
  }
  REFINERY_ASSIGN_OR_RETURN(const std::filesystem::path local, context.files->Resolve(path));
  return prefix + local.string();
}

std::string DefaultTarget(const ActionContext& context, const SqoopOptions& options) {
  if (!options.target_dir.empty()) return UserPath(context, options.target_dir);
  const std::string base = options.warehouse_dir.empty() ? "/user/" + context.user : UserPath(context, options.warehouse_dir);
  return base + "/" + options.table;
}

// The connection without URL parameters (they may hold credentials).
std::string ConnectionKey(const std::string& url) { return url.substr(0, url.find('?')); }

Result<Properties> Import(ActionContext& context, const SqoopOptions& options, const data::ConnectionSpec& spec) {
  ImportPlan plan;
  plan.target_uri = DefaultTarget(context, options);
  if (options.incremental != IncrementalMode::kNone) {
    plan.state_key = "sqoop.last_value." + ConnectionKey(options.connect) + "|" +
                     (options.table.empty() ? options.query : options.table) + "|" + plan.target_uri;
    if (context.state != nullptr) {
      REFINERY_ASSIGN_OR_RETURN(auto stored, context.state->Get(plan.state_key));
      if (stored) {
        plan.stored_last_value = *stored;
        plan.has_stored_last_value = true;
        Report(context, "Incremental import continues after the stored last value [" + *stored + "]");
      }
    }
  }
  REFINERY_ASSIGN_OR_RETURN(ImportOutcome outcome, RunImport(context, options, spec, plan));
  if (outcome.nothing_new) Report(context, "No new rows detected since last import.");
  if (!plan.state_key.empty() && context.state != nullptr && !outcome.nothing_new) {
    const Status saved = context.state->Put(plan.state_key, outcome.last_value);
    if (!saved.ok()) {
      return Status::IoError("The rows were published to " + plan.target_uri + " but the new last value [" +
                                 outcome.last_value + "] could not be stored: " + saved.message() +
                                 "; the next run would import them again",
                             kSqoopStateCode);
    }
  }
  Report(context, "Imported " + std::to_string(outcome.rows) + " rows (" + std::to_string(outcome.bytes) +
                      " bytes) in " + std::to_string(outcome.seconds) + " s into " + plan.target_uri);
  Properties data;
  data.Set("rows", std::to_string(outcome.rows));
  data.Set("bytes", std::to_string(outcome.bytes));
  data.Set("splits", std::to_string(outcome.splits));
  data.Set("seconds", std::to_string(outcome.seconds));
  data.Set("last_value", outcome.last_value);
  data.Set("target_dir", plan.target_uri);
  return data;
}

Result<Properties> RunTool(ActionContext& context, const SqoopOptions& options, const data::ConnectionSpec& spec) {
  switch (options.tool) {
    case SqoopTool::kImport: return Import(context, options, spec);
    case SqoopTool::kExport: return RunExport(context, options, spec);
    case SqoopTool::kEval: return RunEval(context, options, spec);
    case SqoopTool::kListTables: return RunListTables(context, spec);
    case SqoopTool::kListDatabases: return RunListDatabases(context, spec);
  }
  return Status::Internal("unknown sqoop tool");
}

void LogOptions(const ActionContext& context, const std::vector<std::string>& args, const SqoopOptions& options) {
  Report(context, "Sqoop command arguments: " + RedactedCommandLine(args));
  if (!options.ignored.empty()) {
    std::string list;
    for (const std::string& item : options.ignored) list += (list.empty() ? "" : ", ") + item;
    Report(context, "Accepted but ignored (no effect without Hadoop): " + list);
  }
  for (const std::string& warning : options.warnings) Report(context, "WARN: " + warning);
}

class SqoopAction : public Action {
 public:
  std::string type() const override { return "sqoop"; }
  // A replacing import is safe to repeat, but --append and --incremental are
  // not (rows would be imported twice), and the type must answer for both.
  bool idempotent() const override { return false; }
  std::vector<SettingSpec> settings() const override { return SqoopSettings(); }
  ActionResult Run(ActionContext& context) override;
};

ActionResult SqoopAction::Run(ActionContext& context) {
  ActionResult error;
  if (MissingService(context.files, "file system", &error)) return error;
  pugi::xml_document doc;
  const pugi::xml_node element = ParseActionElement(context.action_xml, "sqoop", &doc, &error);
  if (!element) return error;
  Status status = RunPrepare(context, element);
  if (!status.ok()) return FromStatus(status, "FS009");
  auto args = Arguments(context, element);
  if (!args.ok()) return FromSqoopStatus(args.status(), "");
  auto options = ParseSqoopArgs(*args);
  if (!options.ok()) {
    Report(context, "Sqoop command arguments: " + RedactedCommandLine(*args));
    return FromSqoopStatus(options.status(), "");
  }
  LogOptions(context, *args, *options);
  auto password = Password(context, *options);
  if (!password.ok()) return FromSqoopStatus(password.status(), "");
  data::ConnectionSpec spec;
  spec.username = options->username;
  spec.password = *password;
  auto url = ConnectUrl(context, options->connect);
  if (!url.ok()) return FromSqoopStatus(url.status(), spec.password);
  spec.url = *url;
  auto data = RunTool(context, *options, spec);
  if (!data.ok()) return FromSqoopStatus(data.status(), spec.password);
  ActionResult result = ActionResult::Ok();
  result.external_status = "SUCCEEDED";
  result.data = FormatJavaProperties(*data);
  return result;
}

}  // namespace

std::unique_ptr<Action> MakeSqoopAction() { return std::make_unique<SqoopAction>(); }

}  // namespace refinery::actions::internal
