// Oozie's workflow EL function groups: the basic functions
// (ELConstantsFunctions), wf:* (DagELFunctions), fs:* (FsELFunctions) and the
// workflow constants.
//
// commons-el would coerce a null argument of a String parameter to "" before
// the Java method saw it; Oozie's documentation (and SPEC §5.3) describes the
// methods' own null handling instead (replaceAll with a null regex returns
// the source, firstNotNull skips a null), so arguments arrive here
// uncoerced and each function applies the documented rule.
#include "el/functions.h"

#include "core/time_format.h"
#include "el/internal/errors.h"
#include "el/internal/java_text.h"

namespace refinery::el {
namespace {

using internal::ElError;

// A String parameter's value: "" for null, else the JSP text coercion.
std::string Text(const Value& v) { return v.ToText(); }

Result<Value> FirstNotNull(const std::vector<Value>& args) {
  const Value& chosen = args[0].is_null() ? args[1] : args[0];
  if (chosen.is_null()) return Value::Null();
  return Value::String(chosen.ToText());
}

Result<Value> Concat(const std::vector<Value>& args) { return Value::String(Text(args[0]) + Text(args[1])); }

Result<Value> ReplaceAll(const std::vector<Value>& args) {
  const Value& src = args[0];
  if (src.is_null()) return Value::Null();
  if (args[1].is_null()) return Value::String(Text(src));
  REFINERY_ASSIGN_OR_RETURN(std::string replaced, internal::JavaReplaceAll(Text(src), Text(args[1]), Text(args[2])));
  return Value::String(std::move(replaced));
}

// Splits src by the regex `delimiter`, appends `append` to every piece and
// joins the pieces with the delimiter text itself (as Oozie does).
Result<Value> AppendAll(const std::vector<Value>& args) {
  const Value& src = args[0];
  if (src.is_null() || args[2].is_null()) return src.is_null() ? Value::Null() : Value::String(Text(src));
  const std::string append = Text(args[1]);
  const std::string delimiter = Text(args[2]);
  REFINERY_ASSIGN_OR_RETURN(const std::vector<std::string> pieces, internal::JavaSplit(Text(src), delimiter));
  std::string out;
  for (size_t i = 0; i < pieces.size(); ++i) {
    out += pieces[i];
    out += append;
    if (i + 1 < pieces.size()) out += delimiter;
    if (out.size() > internal::kMaxRegexResultBytes) return ElError("appendAll: result is too large");
  }
  return Value::String(std::move(out));
}

Result<Value> Trim(const std::vector<Value>& args) { return Value::String(internal::JavaTrim(Text(args[0]))); }

Result<Value> UrlEncodeFunction(const std::vector<Value>& args) {
  return Value::String(internal::UrlEncode(Text(args[0])));
}

Result<Properties> MapArgument(const char* function, const Value& arg) {
  if (!arg.is_map()) {
    return ElError(std::string("function [") + function + "] expects a map but was given " +
                   internal::DescribeValue(arg));
  }
  Properties properties;
  for (const auto& [key, value] : arg.as_map()) properties.Set(key, value.ToText());
  return properties;
}

Result<Value> ToJsonStr(const std::vector<Value>& args) {
  if (!args[0].is_map()) return MapArgument("toJsonStr", args[0]).status();
  return Value::String(internal::EscapeXml(internal::ToJsonText(args[0])));
}

Result<Value> ToPropertiesStr(const std::vector<Value>& args) {
  REFINERY_ASSIGN_OR_RETURN(const Properties properties, MapArgument("toPropertiesStr", args[0]));
  return Value::String(internal::EscapeXml(FormatJavaProperties(properties)));
}

Result<Value> ToConfigurationStr(const std::vector<Value>& args) {
  REFINERY_ASSIGN_OR_RETURN(const Properties properties, MapArgument("toConfigurationStr", args[0]));
  return Value::String(internal::EscapeXml(FormatHadoopConfigurationXml(properties)));
}

// wf:* functions that read one string about the job.
using JobGetter = std::string (WorkflowInfo::*)() const;
// wf:* functions that read one string about a node (action) by name.
using NodeGetter = std::string (WorkflowInfo::*)(const std::string&) const;

void RegisterJobString(FunctionTable* table, const char* name, const WorkflowInfo* info, JobGetter getter) {
  table->Register(name, 0, 0, [info, getter](const std::vector<Value>&) -> Result<Value> {
    return Value::String((info->*getter)());
  });
}

void RegisterNodeString(FunctionTable* table, const char* name, const WorkflowInfo* info, NodeGetter getter) {
  table->Register(name, 1, 1, [info, getter](const std::vector<Value>& args) -> Result<Value> {
    return Value::String((info->*getter)(Text(args[0])));
  });
}

// wf:actionData: the node's captured output, parsed as Java Properties.
Result<Value> ActionData(const WorkflowInfo* info, const std::string& node) {
  const std::string text = info->ActionData(node);
  Value::MapType map;
  if (text.empty()) return Value::Map(std::move(map));
  const Result<Properties> parsed = ParseJavaProperties(text, "wf:actionData('" + node + "')");
  if (!parsed.ok()) return ElError("wf:actionData [" + node + "]: " + parsed.status().message());
  for (const auto& [key, value] : parsed->entries()) map[key] = Value::String(value);
  return Value::Map(std::move(map));
}

template <typename T>
using FileProbe = Result<T> (FileInfo::*)(const std::string&) const;

template <typename T>
void RegisterFsProbe(FunctionTable* table, const char* name, const FileInfo* files, FileProbe<T> probe) {
  const std::string function = name;
  table->Register(name, 1, 1, [files, probe, function](const std::vector<Value>& args) -> Result<Value> {
    const std::string path = Text(args[0]);
    const Result<T> result = (files->*probe)(path);
    if (!result.ok()) return ElError(function + " [" + path + "]: " + result.status().ToString());
    if constexpr (std::is_same_v<T, bool>) {
      return Value::Bool(*result);
    } else {
      return Value::Int(*result);
    }
  });
}

}  // namespace

void RegisterBasicFunctions(FunctionTable* table, const Clock* clock) {
  table->Register("firstNotNull", 2, 2, FirstNotNull);
  table->Register("concat", 2, 2, Concat);
  table->Register("replaceAll", 3, 3, ReplaceAll);
  table->Register("appendAll", 3, 3, AppendAll);
  table->Register("trim", 1, 1, Trim);
  table->Register("urlEncode", 1, 1, UrlEncodeFunction);
  table->Register("timestamp", 0, 0, [clock](const std::vector<Value>&) -> Result<Value> {
    return Value::String(FormatOozieTime(clock->Now()));
  });
  table->Register("toJsonStr", 1, 1, ToJsonStr);
  table->Register("toPropertiesStr", 1, 1, ToPropertiesStr);
  table->Register("toConfigurationStr", 1, 1, ToConfigurationStr);
}

std::optional<Value> WorkflowConstant(std::string_view name) {
  constexpr int64_t kKb = 1024;
  if (name == "KB") return Value::Int(kKb);
  if (name == "MB") return Value::Int(kKb * kKb);
  if (name == "GB") return Value::Int(kKb * kKb * kKb);
  if (name == "TB") return Value::Int(kKb * kKb * kKb * kKb);
  if (name == "PB") return Value::Int(kKb * kKb * kKb * kKb * kKb);
  if (name == "RECORDS") return Value::String("org.apache.hadoop.mapred.Task$Counter");
  if (name == "MAP_IN") return Value::String("MAP_INPUT_RECORDS");
  if (name == "MAP_OUT") return Value::String("MAP_OUTPUT_RECORDS");
  if (name == "REDUCE_IN") return Value::String("REDUCE_INPUT_RECORDS");
  if (name == "REDUCE_OUT") return Value::String("REDUCE_OUTPUT_RECORDS");
  if (name == "GROUPS") return Value::String("REDUCE_INPUT_GROUPS");
  return std::nullopt;
}

void RegisterWorkflowFunctions(FunctionTable* table, const WorkflowInfo* info) {
  RegisterJobString(table, "wf:id", info, &WorkflowInfo::Id);
  RegisterJobString(table, "wf:name", info, &WorkflowInfo::Name);
  RegisterJobString(table, "wf:appPath", info, &WorkflowInfo::AppPath);
  RegisterJobString(table, "wf:user", info, &WorkflowInfo::User);
  RegisterJobString(table, "wf:group", info, &WorkflowInfo::Group);
  RegisterJobString(table, "wf:lastErrorNode", info, &WorkflowInfo::LastErrorNode);
  RegisterNodeString(table, "wf:callback", info, &WorkflowInfo::CallbackUrl);
  RegisterNodeString(table, "wf:transition", info, &WorkflowInfo::Transition);
  RegisterNodeString(table, "wf:errorCode", info, &WorkflowInfo::ErrorCode);
  RegisterNodeString(table, "wf:errorMessage", info, &WorkflowInfo::ErrorMessage);
  RegisterNodeString(table, "wf:actionExternalId", info, &WorkflowInfo::ActionExternalId);
  RegisterNodeString(table, "wf:actionTrackerUri", info, &WorkflowInfo::ActionTrackerUri);
  RegisterNodeString(table, "wf:actionExternalStatus", info, &WorkflowInfo::ActionExternalStatus);
  // A missing property is null, which prints as "" but keeps `empty` and
  // `== null` meaningful.
  table->Register("wf:conf", 1, 1, [info](const std::vector<Value>& args) -> Result<Value> {
    std::optional<std::string> value = info->Conf(Text(args[0]));
    return value ? Value::String(std::move(*value)) : Value::Null();
  });
  table->Register("wf:run", 0, 0, [info](const std::vector<Value>&) -> Result<Value> {
    return Value::Int(info->Run());
  });
  table->Register("wf:actionData", 1, 1, [info](const std::vector<Value>& args) -> Result<Value> {
    return ActionData(info, Text(args[0]));
  });
}

void RegisterFsFunctions(FunctionTable* table, const FileInfo* files) {
  RegisterFsProbe<bool>(table, "fs:exists", files, &FileInfo::Exists);
  RegisterFsProbe<bool>(table, "fs:isDir", files, &FileInfo::IsDir);
  RegisterFsProbe<int64_t>(table, "fs:dirSize", files, &FileInfo::DirSize);
  RegisterFsProbe<int64_t>(table, "fs:fileSize", files, &FileInfo::FileSize);
  RegisterFsProbe<int64_t>(table, "fs:blockSize", files, &FileInfo::BlockSize);
}

}  // namespace refinery::el
