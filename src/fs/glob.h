// Internal to fs/: Hadoop-style glob patterns. `*`, `?`, `[abc]`, `[a-z]`,
// `[^a]` / `[!a]` match within one path component, `{a,b}` alternates
// (nested allowed), and `\` escapes the next character.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace refinery::fs::internal {

// True if `text` holds an unescaped *, ?, [ or {.
bool HasGlobChars(std::string_view text);

// Expands `{a,b}` alternatives into separate patterns, left to right.
// Unbalanced braces are literal. More than 4096 expansions is
// InvalidArgument naming the pattern.
Result<std::vector<std::string>> ExpandBraces(const std::string& pattern);

// Matches one component name against one component pattern (no braces).
bool MatchComponent(const std::string& pattern, const std::string& name);

// Removes the escaping backslashes from a component without wildcards.
std::string Unescape(std::string_view component);

}  // namespace refinery::fs::internal
