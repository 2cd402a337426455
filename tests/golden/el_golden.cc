// Golden cases for the EL (tests/data/el/*.test). A case's input is text
// with ${...} expressions; its output is the evaluated text. Every case gets
// the basic, wf:* and fs:* functions and the workflow constants, over fake
// state that these context lines fill:
//
//   @var NAME=VALUE         a string variable
//   @conf NAME=VALUE        a job-conf property for wf:conf(); when NAME is a
//                           Java identifier it is also a variable, as the
//                           engine makes it
//   @function P:N=VALUE     a zero-argument function returning VALUE
//   @now 2021-01-14T07:08Z  the clock that timestamp() reads (this is the default)
//   @wf FIELD=VALUE         the job: id, name, appPath, user, group, run,
//                           lastErrorNode, callback (wf:callback(s) returns
//                           VALUE followed by s)
//   @actionData NODE=LINE   one line of NODE's captured output (repeatable;
//                           "\n" inside LINE also starts a new line)
//   @errorCode NODE=VALUE   likewise @errorMessage, @transition,
//                           @externalId, @trackerUri, @externalStatus
//   @file URI=SIZE          a file for fs:* (block size 134217728)
//   @dir URI=SIZE           a directory for fs:*
//   @fsError URI=MESSAGE    fs:* on URI fails with an IOError MESSAGE
//   @typed                  the input is one ${...}; the output is its type
//                           (null boolean long double string map), a space
//                           and its text
#include <cctype>
#include <cstdlib>
#include <map>
#include <string>

#include "core/time_format.h"
#include "el/el.h"
#include "el/functions.h"
#include "golden/golden.h"

namespace refinery::golden {
namespace {

// Splits "key=value" at the first '='.
std::pair<std::string, std::string> SplitAssignment(const std::string& text) {
  const size_t eq = text.find('=');
  if (eq == std::string::npos) return {text, ""};
  return {text.substr(0, eq), text.substr(eq + 1)};
}

std::map<std::string, std::string> Assignments(const GoldenCase& c, const std::string& key) {
  std::map<std::string, std::string> out;
  for (const std::string& entry : ContextValues(c, key)) out.insert(SplitAssignment(entry));
  return out;
}

bool IsJavaIdentifier(const std::string& name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (char ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '_' && ch != '$') return false;
  }
  return true;
}

std::string Lookup(const std::map<std::string, std::string>& map, const std::string& key) {
  const auto it = map.find(key);
  return it == map.end() ? "" : it->second;
}

class GoldenWorkflowInfo : public el::WorkflowInfo {
 public:
  explicit GoldenWorkflowInfo(const GoldenCase& c)
      : job_(Assignments(c, "wf")),
        conf_(Assignments(c, "conf")),
        error_codes_(Assignments(c, "errorCode")),
        error_messages_(Assignments(c, "errorMessage")),
        transitions_(Assignments(c, "transition")),
        external_ids_(Assignments(c, "externalId")),
        tracker_uris_(Assignments(c, "trackerUri")),
        external_statuses_(Assignments(c, "externalStatus")) {
    for (const std::string& entry : ContextValues(c, "actionData")) {
      auto [node, line] = SplitAssignment(entry);
      std::string& data = action_data_[node];
      for (size_t pos = line.find("\\n"); pos != std::string::npos; pos = line.find("\\n", pos)) {
        line.replace(pos, 2, "\n");
      }
      data += line + "\n";
    }
  }

  const std::map<std::string, std::string>& conf() const { return conf_; }

  std::string Id() const override { return Lookup(job_, "id"); }
  std::string Name() const override { return Lookup(job_, "name"); }
  std::string AppPath() const override { return Lookup(job_, "appPath"); }
  std::optional<std::string> Conf(const std::string& name) const override {
    const auto it = conf_.find(name);
    if (it == conf_.end()) return std::nullopt;
    return it->second;
  }
  std::string User() const override { return Lookup(job_, "user"); }
  std::string Group() const override { return Lookup(job_, "group"); }
  std::string CallbackUrl(const std::string& state_var) const override { return Lookup(job_, "callback") + state_var; }
  std::string Transition(const std::string& node) const override { return Lookup(transitions_, node); }
  std::string LastErrorNode() const override { return Lookup(job_, "lastErrorNode"); }
  std::string ErrorCode(const std::string& node) const override { return Lookup(error_codes_, node); }
  std::string ErrorMessage(const std::string& node) const override { return Lookup(error_messages_, node); }
  int Run() const override { return std::atoi(Lookup(job_, "run").c_str()); }
  std::string ActionData(const std::string& node) const override { return Lookup(action_data_, node); }
  std::string ActionExternalId(const std::string& node) const override { return Lookup(external_ids_, node); }
  std::string ActionTrackerUri(const std::string& node) const override { return Lookup(tracker_uris_, node); }
  std::string ActionExternalStatus(const std::string& node) const override {
    return Lookup(external_statuses_, node);
  }

 private:
  std::map<std::string, std::string> job_, conf_, error_codes_, error_messages_, transitions_, external_ids_,
      tracker_uris_, external_statuses_, action_data_;
};

class GoldenFileInfo : public el::FileInfo {
 public:
  explicit GoldenFileInfo(const GoldenCase& c)
      : files_(Assignments(c, "file")), dirs_(Assignments(c, "dir")), errors_(Assignments(c, "fsError")) {}

  Result<bool> Exists(const std::string& uri) const override {
    REFINERY_RETURN_IF_ERROR(Check(uri));
    return files_.count(uri) > 0 || dirs_.count(uri) > 0;
  }
  Result<bool> IsDir(const std::string& uri) const override {
    REFINERY_RETURN_IF_ERROR(Check(uri));
    return dirs_.count(uri) > 0;
  }
  Result<int64_t> DirSize(const std::string& uri) const override {
    REFINERY_RETURN_IF_ERROR(Check(uri));
    return dirs_.count(uri) ? std::stoll(dirs_.at(uri)) : int64_t{-1};
  }
  Result<int64_t> FileSize(const std::string& uri) const override {
    REFINERY_RETURN_IF_ERROR(Check(uri));
    return files_.count(uri) ? std::stoll(files_.at(uri)) : int64_t{-1};
  }
  Result<int64_t> BlockSize(const std::string& uri) const override {
    REFINERY_RETURN_IF_ERROR(Check(uri));
    return int64_t{134217728};
  }

 private:
  Status Check(const std::string& uri) const {
    const auto it = errors_.find(uri);
    return it == errors_.end() ? Status::Ok() : Status::IoError(it->second);
  }

  std::map<std::string, std::string> files_, dirs_, errors_;
};

std::string TypeName(const el::Value& v) {
  if (v.is_null()) return "null";
  if (v.is_bool()) return "boolean";
  if (v.is_int()) return "long";
  if (v.is_double()) return "double";
  if (v.is_map()) return "map";
  return "string";
}

Result<std::string> RunElCase(const GoldenCase& c) {
  const std::string now = ContextValue(c, "now");
  REFINERY_ASSIGN_OR_RETURN(const TimePoint start, ParseOozieTime(now.empty() ? "2021-01-14T07:08Z" : now));
  FakeClock clock(start);
  GoldenWorkflowInfo workflow(c);
  GoldenFileInfo files(c);
  el::FunctionTable functions;
  el::RegisterBasicFunctions(&functions, &clock);
  el::RegisterWorkflowFunctions(&functions, &workflow);
  el::RegisterFsFunctions(&functions, &files);
  for (const auto& entry : Assignments(c, "function")) {
    const std::string result = entry.second;
    functions.Register(entry.first, 0, 0, [result](const std::vector<el::Value>&) -> Result<el::Value> {
      return el::Value::String(result);
    });
  }
  std::map<std::string, std::string> variables = Assignments(c, "var");
  for (const auto& [name, value] : workflow.conf()) {
    if (IsJavaIdentifier(name)) variables.emplace(name, value);
  }
  el::Context ctx;
  ctx.functions = &functions;
  ctx.variables = [&variables](std::string_view name) -> std::optional<el::Value> {
    const auto it = variables.find(std::string(name));
    if (it != variables.end()) return el::Value::String(it->second);
    return el::WorkflowConstant(name);
  };
  REFINERY_ASSIGN_OR_RETURN(const el::Template parsed, el::Parse(c.input));
  if (ContextValues(c, "typed").empty()) return el::EvaluateToString(parsed, ctx);
  REFINERY_ASSIGN_OR_RETURN(const el::Value value, el::EvaluateToValue(parsed, ctx));
  return TypeName(value) + " " + value.ToText();
}

const bool kRegistered = RegisterGoldenHandler("el", RunElCase);

}  // namespace
}  // namespace refinery::golden
