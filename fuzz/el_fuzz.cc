// libFuzzer target: parse and evaluate arbitrary text with the basic, wf:*
// and fs:* function tables over fake state. Any input must give a value or
// an EL_ERROR status, never a crash, hang or exception.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "el/el.h"
#include "el/functions.h"

namespace {

using refinery::Result;
using refinery::Status;
using refinery::el::Value;

class FakeWorkflowInfo : public refinery::el::WorkflowInfo {
 public:
  std::string Id() const override { return "0000001-210114070800000-oozie-W"; }
  std::string Name() const override { return "fuzz-wf"; }
  std::string AppPath() const override { return "hdfs://nn/apps/fuzz"; }
  std::optional<std::string> Conf(const std::string& name) const override {
    if (name.empty()) return std::nullopt;
    return name;
  }
  std::string User() const override { return "fuzzer"; }
  std::string Group() const override { return "users"; }
  std::string CallbackUrl(const std::string& state_var) const override { return "http://cb?status=" + state_var; }
  std::string Transition(const std::string& node) const override { return node; }
  std::string LastErrorNode() const override { return "failed-node"; }
  std::string ErrorCode(const std::string& node) const override { return "E" + node; }
  std::string ErrorMessage(const std::string& node) const override { return node; }
  int Run() const override { return 3; }
  // The node name doubles as the captured output, so the fuzzer also drives
  // the Java Properties parser through wf:actionData.
  std::string ActionData(const std::string& node) const override { return node; }
  std::string ActionExternalId(const std::string& node) const override { return "job_" + node; }
  std::string ActionTrackerUri(const std::string& node) const override { return "http://tracker/" + node; }
  std::string ActionExternalStatus(const std::string& node) const override { return "SUCCEEDED"; }
};

class FakeFileInfo : public refinery::el::FileInfo {
 public:
  Result<bool> Exists(const std::string& uri) const override {
    if (uri.find("err") != std::string::npos) return Status::IoError("fake failure");
    return uri.size() % 2 == 0;
  }
  Result<bool> IsDir(const std::string& uri) const override { return uri.empty() || uri.back() == '/'; }
  Result<int64_t> DirSize(const std::string& uri) const override { return static_cast<int64_t>(uri.size()) - 1; }
  Result<int64_t> FileSize(const std::string& uri) const override {
    if (uri.empty()) return Status::NotFound("empty path");
    return static_cast<int64_t>(uri.size());
  }
  Result<int64_t> BlockSize(const std::string& uri) const override { return int64_t{134217728}; }
};

struct World {
  refinery::FakeClock clock{refinery::TimePoint{}};
  FakeWorkflowInfo workflow;
  FakeFileInfo files;
  refinery::el::FunctionTable functions;
  refinery::el::Context context;

  World() {
    refinery::el::RegisterBasicFunctions(&functions, &clock);
    refinery::el::RegisterWorkflowFunctions(&functions, &workflow);
    refinery::el::RegisterFsFunctions(&functions, &files);
    context.functions = &functions;
    context.variables = [](std::string_view name) -> std::optional<Value> {
      if (name == "s") return Value::String("text");
      if (name == "n") return Value::Int(-7);
      if (name == "d") return Value::Double(2.5);
      if (name == "b") return Value::Bool(true);
      if (name == "m") return Value::Map({{"k", Value::String("v")}, {"n", Value::Int(1)}});
      return refinery::el::WorkflowConstant(name);
    };
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static World* world = new World();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const Result<refinery::el::Template> parsed = refinery::el::Parse(text);
  if (!parsed.ok()) {
    if (parsed.status().error_code() != "EL_ERROR") std::abort();
    return 0;
  }
  const Result<std::string> as_text = refinery::el::EvaluateToString(*parsed, world->context);
  if (!as_text.ok() && as_text.status().error_code() != "EL_ERROR") std::abort();
  const Result<Value> as_value = refinery::el::EvaluateToValue(*parsed, world->context);
  if (as_value.ok()) (void)as_value->ToText();
  (void)refinery::el::HasExpressions(text);
  return 0;
}
