// What the actions that launch a local program (shell, spark) share, the way
// Oozie's launcher does it: a working directory per attempt, application-
// relative paths, small files written there, and a one-line summary of the
// program's stderr for the error message.
#pragma once

#include <filesystem>
#include <string>

#include "core/status.h"

namespace refinery::actions::internal {

// The application directory of an app path that may name workflow.xml.
std::string AppDirectory(const std::string& app_path);
// Relative <file>/<archive>/<jar> paths are relative to the application directory.
std::string AppRelative(const std::string& app_path, const std::string& path);

// The last ten non-empty lines of stderr on one line, " | "-separated, at
// most 1000 characters (the end kept).
std::string StderrSummary(const std::string& tail);

Status WriteLocalFile(const std::filesystem::path& path, const std::string& content);

// Where the program runs: the attempt's scratch directory, or a fresh
// temporary one (named after `prefix`) removed when this goes away.
class WorkingDirectory {
 public:
  explicit WorkingDirectory(std::string prefix) : prefix_(std::move(prefix)) {}
  ~WorkingDirectory();
  WorkingDirectory(const WorkingDirectory&) = delete;
  WorkingDirectory& operator=(const WorkingDirectory&) = delete;

  Status Prepare(const std::string& scratch);
  const std::filesystem::path& path() const { return path_; }

 private:
  std::string prefix_;
  std::filesystem::path path_;
  bool owned_ = false;
};

}  // namespace refinery::actions::internal
