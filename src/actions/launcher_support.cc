#include "actions/launcher_support.h"

#include <stdlib.h>

#include <cstdio>
#include <string_view>
#include <vector>

#include "actions/action_util.h"

namespace refinery::actions::internal {
namespace {

namespace stdfs = std::filesystem;

constexpr size_t kMessageTailLines = 10;
constexpr size_t kMessageTailChars = 1000;

}  // namespace

std::string AppDirectory(const std::string& app_path) {
  std::string base = app_path;
  while (!base.empty() && base.back() == '/') base.pop_back();
  if (base.size() > 4 && base.compare(base.size() - 4, 4, ".xml") == 0) base = base.substr(0, base.find_last_of('/'));
  return base;
}

std::string AppRelative(const std::string& app_path, const std::string& path) {
  if (path.empty() || path[0] == '/' || HasScheme(path) || app_path.empty()) return path;
  return AppDirectory(app_path) + "/" + path;
}

std::string StderrSummary(const std::string& tail) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < tail.size()) {
    size_t end = tail.find('\n', start);
    if (end == std::string::npos) end = tail.size();
    std::string line = Trim(std::string_view(tail).substr(start, end - start));
    if (!line.empty()) lines.push_back(std::move(line));
    start = end + 1;
  }
  std::string summary;
  const size_t first = lines.size() > kMessageTailLines ? lines.size() - kMessageTailLines : 0;
  for (size_t i = first; i < lines.size(); ++i) {
    if (!summary.empty()) summary += " | ";
    summary += lines[i];
  }
  if (summary.size() > kMessageTailChars) summary = "..." + summary.substr(summary.size() - kMessageTailChars);
  return summary;
}

Status WriteLocalFile(const stdfs::path& path, const std::string& content) {
  FILE* out = std::fopen(path.c_str(), "wb");
  if (out == nullptr) return Status::IoError("Could not write \"" + path.string() + "\"");
  const bool written = std::fwrite(content.data(), 1, content.size(), out) == content.size();
  if (std::fclose(out) != 0 || !written) return Status::IoError("Could not write \"" + path.string() + "\"");
  return Status::Ok();
}

Status WorkingDirectory::Prepare(const std::string& scratch) {
  std::error_code ec;
  if (!scratch.empty()) {
    path_ = scratch;
    stdfs::create_directories(path_, ec);
    if (ec) return Status::IoError("Could not create the working directory \"" + scratch + "\": " + ec.message());
    return Status::Ok();
  }
  std::string pattern = (stdfs::temp_directory_path(ec) / ("refinery-" + prefix_ + "-XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) return Status::IoError("Could not create a working directory");
  path_ = pattern;
  owned_ = true;
  return Status::Ok();
}

WorkingDirectory::~WorkingDirectory() {
  std::error_code ec;
  if (owned_) stdfs::remove_all(path_, ec);
}

}  // namespace refinery::actions::internal
