// actions: one file per action type. An action receives its element (EL
// already evaluated) and a context that gives it the world — files, clock,
// child processes, mail, progress, the job's configuration — and returns an
// outcome. It never writes engine state itself.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/properties.h"
#include "core/status.h"
#include "fs/file_system.h"

namespace refinery::actions {

// A setting an action declares once: validation, dry-run output and help text
// all come from this table.
struct SettingSpec {
  std::string name;           // element or property name
  std::string default_value;  // "" = required or none
  std::string bounds;         // human text, e.g. "1..2048"
  std::string help;           // one line
};

// Set by the engine when the job is killed; long actions poll it.
class Cancellation {
 public:
  bool cancelled() const { return cancelled_.load(std::memory_order_relaxed); }
  void Cancel() { cancelled_.store(true, std::memory_order_relaxed); }

 private:
  std::atomic<bool> cancelled_{false};
};

// ---- The world an action may touch (injectable for tests) ----

struct ProcessSpec {
  std::vector<std::string> argv;                 // argv[0] looked up on PATH
  std::vector<std::pair<std::string, std::string>> env;  // added to the parent's
  std::string working_directory;                 // "" = a fresh temp dir
  size_t max_stdout_bytes = 1 << 20;             // beyond: truncated, flagged
  // Called on the runner's thread with each complete output line as it
  // arrives (stderr lines with `is_stderr`), so long programs show progress.
  std::function<void(const std::string& line, bool is_stderr)> on_line;
};

struct ProcessOutcome {
  int exit_code = 0;         // 128+signal when killed by a signal
  std::string stdout_text;
  std::string stderr_tail;   // last few KB
  bool stdout_truncated = false;
};

class ProcessRunner {
 public:
  virtual ~ProcessRunner() = default;
  // Blocks until the child exits; kills it (SIGTERM, then SIGKILL) when
  // `cancel` is set. Failure to start is an IoError naming argv[0].
  virtual Result<ProcessOutcome> Run(const ProcessSpec& spec, const Cancellation& cancel) = 0;
};
std::unique_ptr<ProcessRunner> MakeLocalProcessRunner();

struct EmailMessage {
  std::vector<std::string> to, cc, bcc;
  std::string subject;
  std::string body;
  std::string content_type = "text/plain";
  std::vector<std::pair<std::string, std::string>> attachments;  // (file name, bytes)
};

class Mailer {
 public:
  virtual ~Mailer() = default;
  virtual Status Send(const EmailMessage& message) = 0;  // EM007 on SMTP failure
};

struct SmtpSettings {
  std::string host = "localhost";
  int port = 25;
  std::string from = "refinery@localhost";
  bool auth = false;
  bool starttls = false;
  std::string username;
  std::string password;  // from a file or the environment; never logged
  int timeout_ms = 10000;
};
// SMTP through libcurl.
std::unique_ptr<Mailer> MakeSmtpMailer(SmtpSettings settings);

// Runs a child workflow to completion (sub-workflow). Implemented by the engine.
class SubWorkflowRunner {
 public:
  virtual ~SubWorkflowRunner() = default;
  struct Outcome {
    std::string child_job_id;
    std::string child_status;  // SUCCEEDED, KILLED, FAILED, SUSPENDED
  };
  // Blocks until the child ends or `cancel` is set (then kills the child).
  virtual Result<Outcome> Run(const Properties& child_conf, const Cancellation& cancel) = 0;
};

// Durable key/value state an action keeps across runs, such as the
// high-water mark of an incremental import. Implemented by the engine over the
// state store; keys are namespaced by the caller (e.g. "sqoop.last_value.<...>").
class ActionState {
 public:
  virtual ~ActionState() = default;
  virtual Result<std::optional<std::string>> Get(const std::string& key) = 0;
  virtual Status Put(const std::string& key, const std::string& value) = 0;
};

// Receives progress and log lines; the engine fans them out to observers.
class ActionReporter {
 public:
  virtual ~ActionReporter() = default;
  virtual void Log(const std::string& line) = 0;
  // fraction in [0,1] or < 0 when unknown; `detail` e.g. "12000 rows".
  virtual void Progress(double fraction, const std::string& detail) = 0;
};

}  // namespace refinery::actions

namespace refinery::registry {
class Registry;
}

namespace refinery::actions {

struct ActionContext {
  std::string job_id;
  std::string action_id;
  std::string action_name;
  std::string action_xml;      // the action element after EL evaluation
  std::string app_path;        // application directory URI
  std::string user;
  const Properties* job_conf = nullptr;
  Properties action_conf;      // effective <configuration> (defaults, global, own)
  std::string name_node;       // effective name-node ("" if none)
  int sub_workflow_depth = 0;  // depth of the job running this action
  fs::FileSystem* files = nullptr;
  const Clock* clock = nullptr;
  ProcessRunner* processes = nullptr;
  Mailer* mailer = nullptr;
  SubWorkflowRunner* sub_workflows = nullptr;
  registry::Registry* models = nullptr;  // the model registry, for <publish>
  ActionReporter* reporter = nullptr;
  ActionState* state = nullptr;
  const Cancellation* cancel = nullptr;
  // A private local directory for this attempt: created by the action when it
  // needs one, removed by the engine afterwards.
  std::string scratch_dir;
};

// How an action ended, as Oozie classifies it.
enum class Outcome {
  kOk,         // follow <ok>
  kError,      // follow <error>; error_code/message set
  kFailed,     // the whole workflow FAILS (e.g. EL error, disallowed setting)
  kTransient,  // retry automatically, then START_MANUAL + job SUSPENDED
  kKilled,     // stopped because the job was killed
};

struct ActionResult {
  Outcome outcome = Outcome::kOk;
  std::string error_code;     // "FS005", "1" (shell exit), "EM007", ...
  std::string error_message;
  std::string data;           // captured output as Java Properties text (wf:actionData)
  std::string external_id;
  std::string external_status = "OK";

  static ActionResult Ok() { return ActionResult(); }
  static ActionResult Error(std::string code, std::string message);
  static ActionResult Failed(std::string code, std::string message);
};

class Action {
 public:
  virtual ~Action() = default;
  virtual std::string type() const = 0;  // element name: "fs", "shell", ...
  // Safe to run again after a crash interrupted it (the engine then retries
  // it on restart instead of asking for a manual decision).
  virtual bool idempotent() const = 0;
  virtual std::vector<SettingSpec> settings() const { return {}; }
  // Runs one attempt. Must not throw.
  virtual ActionResult Run(ActionContext& context) = 0;
};

// Action types by element name. Types Oozie runs on Hadoop only are known
// here too, and fail at run time with a "not supported by Refinery; use ..."
// error.
class ActionRegistry {
 public:
  void Register(std::unique_ptr<Action> action);
  Action* Find(const std::string& type) const;  // null if not registered
  std::vector<std::string> KnownTypes() const;  // registered + Hadoop-only, sorted

 private:
  std::map<std::string, std::unique_ptr<Action>> actions_;
};

// Registers fs, shell, email, the Hadoop-only refusals, and (for the parser's
// benefit) sub-workflow.
void RegisterBuiltinActions(ActionRegistry* registry);

}  // namespace refinery::actions
