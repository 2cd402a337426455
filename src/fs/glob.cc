#include "fs/glob.h"

#include <fnmatch.h>

namespace refinery::fs::internal {
namespace {

constexpr size_t kMaxExpansions = 4096;

// Index of the '}' closing the '{' at `open`, or npos.
size_t MatchingBrace(const std::string& text, size_t open) {
  int depth = 0;
  for (size_t i = open; i < text.size(); ++i) {
    if (text[i] == '\\') {
      ++i;
      continue;
    }
    if (text[i] == '{') ++depth;
    if (text[i] == '}' && --depth == 0) return i;
  }
  return std::string::npos;
}

// Splits the inside of a brace group at its top-level commas.
std::vector<std::string> SplitAlternatives(const std::string& inside) {
  std::vector<std::string> parts;
  std::string current;
  int depth = 0;
  for (size_t i = 0; i < inside.size(); ++i) {
    const char c = inside[i];
    if (c == '\\' && i + 1 < inside.size()) {
      current += c;
      current += inside[++i];
      continue;
    }
    if (c == '{') ++depth;
    if (c == '}') --depth;
    if (c == ',' && depth == 0) {
      parts.push_back(std::move(current));
      current.clear();
      continue;
    }
    current += c;
  }
  parts.push_back(std::move(current));
  return parts;
}

bool Expand(const std::string& pattern, size_t from, std::vector<std::string>* out) {
  for (size_t i = from; i < pattern.size(); ++i) {
    if (pattern[i] == '\\') {
      ++i;
      continue;
    }
    if (pattern[i] != '{') continue;
    const size_t close = MatchingBrace(pattern, i);
    if (close == std::string::npos) break;  // unbalanced: literal
    const std::string head = pattern.substr(0, i);
    const std::string tail = pattern.substr(close + 1);
    for (const std::string& alternative : SplitAlternatives(pattern.substr(i + 1, close - i - 1))) {
      // Resume after the substituted text: it may hold nested groups.
      if (!Expand(head + alternative + tail, i, out)) return false;
    }
    return true;
  }
  if (out->size() >= kMaxExpansions) return false;
  out->push_back(pattern);
  return true;
}

}  // namespace

bool HasGlobChars(std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\\') {
      ++i;
      continue;
    }
    if (c == '*' || c == '?' || c == '[' || c == '{') return true;
  }
  return false;
}

Result<std::vector<std::string>> ExpandBraces(const std::string& pattern) {
  std::vector<std::string> out;
  if (!Expand(pattern, 0, &out)) {
    return Status::InvalidArgument("glob \"" + pattern + "\" expands to more than " +
                                   std::to_string(kMaxExpansions) + " patterns");
  }
  return out;
}

bool MatchComponent(const std::string& pattern, const std::string& name) {
  return ::fnmatch(pattern.c_str(), name.c_str(), 0) == 0;
}

std::string Unescape(std::string_view component) {
  std::string out;
  out.reserve(component.size());
  for (size_t i = 0; i < component.size(); ++i) {
    if (component[i] == '\\' && i + 1 < component.size()) ++i;
    out += component[i];
  }
  return out;
}

}  // namespace refinery::fs::internal
