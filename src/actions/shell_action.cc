// The <shell> action (ShellActionExecutor + ShellMain): ships <file> and
// <archive> entries into the working directory, runs the basename of <exec>
// with PATH=.:$PATH, and turns exit codes and captured output into Oozie's
// results.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "actions/action_util.h"
#include "actions/launcher_support.h"

namespace refinery::actions::internal {
namespace {

namespace stdfs = std::filesystem;

constexpr char kMaxOutput[] = "oozie.action.max.output.data";
constexpr char kShellMain[] = "org.apache.oozie.action.hadoop.ShellMain";
constexpr size_t kMaxLoggedLines = 1000;

const std::vector<SettingSpec>& ShellSettings() {
  static const std::vector<SettingSpec> kSettings = {
      {"exec", "", "", "the program; only its basename is used, looked up in the working dir then PATH"},
      {"argument", "", "", "one argv entry each, trimmed, no shell splitting"},
      {"env-var", "", "NAME=VALUE", "an environment variable for the program (JA010 without '=')"},
      {"file", "", "path[#link]", "copied into the working dir under `link` and made executable"},
      {"archive", "", "path[#link]", "copied like <file> (not unpacked)"},
      {"capture-output", "", "", "stdout is read as Java properties into wf:actionData"},
      {kMaxOutput, "2048", "1..1048576", "most characters of captured output (error beyond)"},
  };
  return kSettings;
}

struct ShellSpec {
  std::string exec;
  std::vector<std::string> arguments;
  std::vector<std::pair<std::string, std::string>> env;
  std::vector<std::string> files;  // <file> then <archive>
  bool capture_output = false;
};

// Java's pair.split("=").length > 1: a '=' must remain once trailing '='s go.
bool ValidEnvPair(const std::string& pair) {
  const size_t last = pair.find_last_not_of('=');
  return last != std::string::npos && pair.find('=') < last;
}

bool ParseShell(const pugi::xml_node& element, ShellSpec* spec, ActionResult* error) {
  spec->exec = ChildText(element, "exec");
  if (spec->exec.empty()) {
    *error = ActionResult::Failed("E0701", "XML schema error, <shell> needs a non-empty <exec> element");
    return false;
  }
  for (const pugi::xml_node& argument : Children(element, "argument")) spec->arguments.push_back(NodeText(argument));
  for (const pugi::xml_node& variable : Children(element, "env-var")) {
    const std::string pair = NodeText(variable);
    if (!ValidEnvPair(pair)) {
      *error = ActionResult::Failed("JA010", "Wrong ENV format [" + pair +
                                                 "] in <env-var> , key=value format expected");
      return false;
    }
    const size_t equals = pair.find('=');
    spec->env.emplace_back(pair.substr(0, equals), pair.substr(equals + 1));
  }
  for (const char* tag : {"file", "archive"}) {
    for (const pugi::xml_node& entry : Children(element, tag)) spec->files.push_back(NodeText(entry));
  }
  spec->capture_output = static_cast<bool>(Child(element, "capture-output"));
  return true;
}

std::string BaseName(const std::string& path) {
  std::string trimmed = path;
  while (trimmed.size() > 1 && trimmed.back() == '/') trimmed.pop_back();
  const size_t slash = trimmed.find_last_of('/');
  return slash == std::string::npos ? trimmed : trimmed.substr(slash + 1);
}

// Copies one `path#link` entry into `dir` and makes it executable.
ActionResult Ship(const ActionContext& context, const std::string& entry, const stdfs::path& dir) {
  const size_t hash = entry.find('#');
  const std::string path = Trim(entry.substr(0, hash));
  const std::string link = hash == std::string::npos ? BaseName(path) : Trim(entry.substr(hash + 1));
  if (path.empty() || link.empty() || link == "." || link == ".." || link.find('/') != std::string::npos) {
    return ActionResult::Error("JA008", "<file> entry [" + entry + "] needs a path and a plain link name "
                                        "(path#name, no '/')");
  }
  const std::string uri = AppRelative(context.app_path, path);
  const Status status = context.files->CopyToLocal(uri, dir / link);
  if (!status.ok()) {
    if (status.code() == StatusCode::kIoError) {
      return FromStatus(Status(status.code(), "JA009", "Could not ship [" + uri + "]: " + status.message()), "JA009",
                        Outcome::kTransient);
    }
    return ActionResult::Error(status.code() == StatusCode::kNotFound || status.error_code().empty()
                                   ? "JA008"
                                   : status.error_code(),
                               "Could not ship [" + uri + "]: " + status.message());
  }
  struct stat st;
  const stdfs::path local = dir / link;
  if (::stat(local.c_str(), &st) == 0 && S_ISREG(st.st_mode)) ::chmod(local.c_str(), (st.st_mode & 07777) | 0755);
  return ActionResult::Ok();
}

class ShellAction : public Action {
 public:
  std::string type() const override { return "shell"; }
  bool idempotent() const override { return false; }  // a script may have side effects
  std::vector<SettingSpec> settings() const override { return ShellSettings(); }
  ActionResult Run(ActionContext& context) override;

 private:
  static ActionResult Finish(const ActionContext& context, const ShellSpec& spec, const ProcessOutcome& outcome,
                             int64_t max_output);
};

ActionResult ShellAction::Run(ActionContext& context) {
  ActionResult error;
  if (MissingService(context.files, "file system", &error)) return error;
  if (MissingService(context.processes, "process runner", &error)) return error;
  pugi::xml_document doc;
  const pugi::xml_node element = ParseActionElement(context.action_xml, "shell", &doc, &error);
  if (!element) return error;
  ShellSpec spec;
  if (!ParseShell(element, &spec, &error)) return error;
  auto max_output = IntSetting(context, ShellSettings(), kMaxOutput);
  if (!max_output.ok()) return FromStatus(max_output.status(), "E0303", Outcome::kFailed);

  WorkingDirectory dir("shell");
  Status status = dir.Prepare(context.scratch_dir);
  if (!status.ok()) return FromStatus(status, "JA009", Outcome::kTransient);
  for (const std::string& entry : spec.files) {
    ActionResult shipped = Ship(context, entry, dir.path());
    if (shipped.outcome != Outcome::kOk) return shipped;
  }
  // Oozie hands the program its action configuration as a Hadoop XML file.
  const stdfs::path conf_file = dir.path() / "action.xml";
  status = WriteLocalFile(conf_file, FormatHadoopConfigurationXml(context.action_conf));
  if (!status.ok()) return FromStatus(status, "JA009", Outcome::kTransient);

  ProcessSpec process;
  process.argv.push_back(BaseName(spec.exec));
  process.argv.insert(process.argv.end(), spec.arguments.begin(), spec.arguments.end());
  const char* parent_path = std::getenv("PATH");
  process.env.emplace_back("PATH", std::string(".:") + (parent_path != nullptr ? parent_path : "/usr/bin:/bin"));
  process.env.emplace_back("OOZIE_ACTION_CONF_XML", conf_file.string());
  process.env.insert(process.env.end(), spec.env.begin(), spec.env.end());
  process.working_directory = dir.path().string();
  // Output reaches the job log line by line while the program runs, up to a
  // bound so a chatty program cannot flood the state store.
  size_t logged_lines = 0;
  process.on_line = [&context, &logged_lines](const std::string& line, bool is_stderr) {
    if (++logged_lines > kMaxLoggedLines) return;
    if (logged_lines == kMaxLoggedLines) {
      Report(context, "(output beyond " + std::to_string(kMaxLoggedLines) + " lines is not logged)");
      return;
    }
    Report(context, std::string(is_stderr ? "stderr: " : "stdout: ") + line);
  };
  std::string command;
  for (const std::string& arg : process.argv) command += (command.empty() ? "" : " ") + arg;
  Report(context, "Launching [" + command + "] in [" + process.working_directory + "]");

  auto outcome = context.processes->Run(process, CancellationOf(context));
  if (!outcome.ok() && outcome.status().code() == StatusCode::kCancelled) {
    ActionResult killed;
    killed.outcome = Outcome::kKilled;
    killed.external_status = "KILLED";
    killed.error_message = outcome.status().message();
    return killed;
  }
  if (!outcome.ok()) {
    return ActionResult::Error("JA018", "Main Class [" + std::string(kShellMain) +
                                            "], could not start the program: " + outcome.status().message());
  }
  return Finish(context, spec, *outcome, *max_output);
}

ActionResult ShellAction::Finish(const ActionContext& context, const ShellSpec& spec, const ProcessOutcome& outcome,
                                 int64_t max_output) {
  Report(context, "Exit code [" + std::to_string(outcome.exit_code) + "]");
  if (outcome.exit_code != 0) {
    std::string message =
        "Main Class [" + std::string(kShellMain) + "], exit code [" + std::to_string(outcome.exit_code) + "]";
    const std::string tail = StderrSummary(outcome.stderr_tail);
    if (!tail.empty()) message += "; stderr: " + tail;
    ActionResult result = ActionResult::Error("1", message);
    result.external_status = "FAILED/KILLED";
    return result;
  }
  ActionResult result = ActionResult::Ok();
  result.external_status = "SUCCEEDED";
  if (!spec.capture_output) return result;
  if (outcome.stdout_truncated || static_cast<int64_t>(outcome.stdout_text.size()) > max_output) {
    return ActionResult::Error("JA018", "Output data exceeds its limit [" + std::to_string(max_output) + "]");
  }
  auto properties = ParseJavaProperties(outcome.stdout_text, "stdout of " + spec.exec);
  if (!properties.ok()) {
    return ActionResult::Error("JA018", "Could not read the captured output as Java properties: " +
                                            properties.status().message());
  }
  result.data = FormatJavaProperties(*properties);
  return result;
}

}  // namespace

std::unique_ptr<Action> MakeShellAction() { return std::make_unique<ShellAction>(); }

}  // namespace refinery::actions::internal
