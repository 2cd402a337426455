// Properties: an ordered string map, the shape of job.properties, Hadoop
// <configuration> XML and captured action output. Parsers report the source
// name and line of a bad entry.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/status.h"

namespace refinery {

// Keys keep the order in which they were first set; setting an existing key
// replaces its value in place. Not thread-safe.
class Properties {
 public:
  void Set(const std::string& key, std::string value);
  std::optional<std::string> Get(std::string_view key) const;
  std::string GetOr(std::string_view key, std::string_view fallback) const;
  bool Contains(std::string_view key) const;
  void Erase(std::string_view key);
  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  const std::vector<std::pair<std::string, std::string>>& entries() const { return entries_; }

  // Every key of `other` is set here (other wins).
  void MergeFrom(const Properties& other);
  // Only keys absent here are taken from `defaults` (Oozie's injectDefaults).
  void InjectDefaults(const Properties& defaults);

  bool operator==(const Properties& other) const { return entries_ == other.entries_; }

 private:
  std::vector<std::pair<std::string, std::string>> entries_;
  std::unordered_map<std::string, size_t> index_;
};

// java.util.Properties.load semantics: '#'/'!' comments, '=' ':' or
// whitespace separators, backslash line continuation, \uXXXX and the other
// escapes. Errors (a malformed \u escape) name `source_name:line`.
Result<Properties> ParseJavaProperties(std::string_view text, std::string_view source_name);

// Writes key=value lines with java.util.Properties.store escaping, so the
// output parses back to the same Properties. No timestamp comment.
std::string FormatJavaProperties(const Properties& properties);

// Hadoop <configuration><property><name/><value/></property>...</configuration>.
// Errors name `source_name:line` and the offending element.
Result<Properties> ParseHadoopConfigurationXml(std::string_view xml, std::string_view source_name);
std::string FormatHadoopConfigurationXml(const Properties& properties);

// Reads a file and picks the parser by extension: .properties or .xml
// (anything else is an error naming both, as Oozie's CLI does).
Result<Properties> LoadConfigurationFile(const std::string& path);

}  // namespace refinery
