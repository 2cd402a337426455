// Shared by the import tests: building <sqoop> elements, reading part files
// back, an in-memory ActionState.
#pragma once

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "../actions/action_test_util.h"

namespace refinery::actions::testing {

inline std::string XmlEscape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

// A <sqoop> element with one <arg> per argument.
inline std::string SqoopArgsXml(const std::vector<std::string>& args) {
  std::string xml = "<sqoop xmlns=\"uri:oozie:sqoop-action:1.0\">";
  for (const std::string& arg : args) xml += "<arg>" + XmlEscape(arg) + "</arg>";
  return xml + "</sqoop>";
}

inline std::string SqoopCommandXml(const std::string& command) {
  return "<sqoop xmlns=\"uri:oozie:sqoop-action:0.2\"><command>" + XmlEscape(command) + "</command></sqoop>";
}

// Every part file's bytes, in part order.
inline std::string ReadParts(const stdfs::path& dir) {
  std::vector<stdfs::path> parts;
  for (const auto& entry : stdfs::directory_iterator(dir)) {
    if (entry.path().filename().string().rfind("part-m-", 0) == 0) parts.push_back(entry.path());
  }
  std::sort(parts.begin(), parts.end());
  std::string all;
  for (const stdfs::path& part : parts) all += ReadLocal(part);
  return all;
}

inline int CountParts(const stdfs::path& dir) {
  int count = 0;
  for (const auto& entry : stdfs::directory_iterator(dir)) {
    count += entry.path().filename().string().rfind("part-m-", 0) == 0 ? 1 : 0;
  }
  return count;
}

// Lines of the part files, sorted (splits do not keep the source order).
inline std::vector<std::string> SortedLines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  std::sort(lines.begin(), lines.end());
  return lines;
}

class MemoryState : public ActionState {
 public:
  Result<std::optional<std::string>> Get(const std::string& key) override {
    auto it = values_.find(key);
    if (it == values_.end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second);
  }
  Status Put(const std::string& key, const std::string& value) override {
    values_[key] = value;
    return Status::Ok();
  }
  std::map<std::string, std::string> values_;
};

// Names of the entries of `dir` that start with '.' (staging leftovers).
inline std::vector<std::string> HiddenEntries(const stdfs::path& dir) {
  std::vector<std::string> names;
  if (!stdfs::exists(dir)) return names;
  for (const auto& entry : stdfs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (!name.empty() && name[0] == '.') names.push_back(name);
  }
  return names;
}

}  // namespace refinery::actions::testing
