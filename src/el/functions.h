// The function groups of Oozie's workflow EL. The state they read is reached
// through small interfaces that the engine and the file-system layer fill.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "core/clock.h"
#include "core/properties.h"
#include "el/el.h"

namespace refinery::el {

// Basic functions: firstNotNull, concat, replaceAll, appendAll, trim,
// urlEncode, timestamp, toJsonStr, toPropertiesStr, toConfigurationStr.
// `clock` is used by timestamp() and must outlive the table.
void RegisterBasicFunctions(FunctionTable* table, const Clock* clock);

// Workflow constants KB MB GB TB PB RECORDS MAP_IN MAP_OUT REDUCE_IN
// REDUCE_OUT GROUPS, as variables. Returns nullopt for other names.
std::optional<Value> WorkflowConstant(std::string_view name);

// What wf:* functions read. Implemented by the engine for a running job.
class WorkflowInfo {
 public:
  virtual ~WorkflowInfo() = default;
  virtual std::string Id() const = 0;
  virtual std::string Name() const = 0;
  virtual std::string AppPath() const = 0;
  virtual std::optional<std::string> Conf(const std::string& name) const = 0;
  virtual std::string User() const = 0;
  virtual std::string Group() const = 0;
  virtual std::string CallbackUrl(const std::string& state_var) const = 0;
  virtual std::string Transition(const std::string& node) const = 0;
  virtual std::string LastErrorNode() const = 0;
  virtual std::string ErrorCode(const std::string& node) const = 0;
  virtual std::string ErrorMessage(const std::string& node) const = 0;
  virtual int Run() const = 0;
  // The captured output (Java Properties text) of `node`; empty if none.
  virtual std::string ActionData(const std::string& node) const = 0;
  virtual std::string ActionExternalId(const std::string& node) const = 0;
  virtual std::string ActionTrackerUri(const std::string& node) const = 0;
  virtual std::string ActionExternalStatus(const std::string& node) const = 0;
};

// wf:id, name, appPath, conf, user, group, callback, transition, lastErrorNode,
// errorCode, errorMessage, run, actionData, actionExternalId,
// actionTrackerUri, actionExternalStatus. `info` must outlive the table.
void RegisterWorkflowFunctions(FunctionTable* table, const WorkflowInfo* info);

// What fs:* functions read. Implemented by the file-system layer. Paths are
// URIs as the user wrote them (hdfs://..., /abs/path).
class FileInfo {
 public:
  virtual ~FileInfo() = default;
  virtual Result<bool> Exists(const std::string& uri) const = 0;  // glob: any match
  virtual Result<bool> IsDir(const std::string& uri) const = 0;
  virtual Result<int64_t> DirSize(const std::string& uri) const = 0;   // -1 if not a dir
  virtual Result<int64_t> FileSize(const std::string& uri) const = 0;  // -1 if not a file
  virtual Result<int64_t> BlockSize(const std::string& uri) const = 0;
};

// fs:exists, fs:isDir, fs:dirSize, fs:fileSize, fs:blockSize.
void RegisterFsFunctions(FunctionTable* table, const FileInfo* files);

}  // namespace refinery::el
