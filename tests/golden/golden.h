// Golden files: the languages Refinery reads are tested with data files that
// anyone can review. A file under tests/data/<kind>/ holds cases separated by
// a line "====". A case is:
//
//   # free comment lines
//   @key value            (context for the handler, e.g. @var a=A)
//   input lines...
//   ----
//   expected output lines...   or   error <substring of the message>
//
// The handler for <kind> turns a case's input into output text, or an error
// Status whose ToString() must contain the substring.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace refinery::golden {

struct GoldenCase {
  std::string file;   // path relative to tests/data
  int line = 0;       // line of the case's first input line
  std::vector<std::string> comments;
  std::vector<std::pair<std::string, std::string>> context;  // @key value
  std::string input;  // lines joined with '\n'
  std::string expected;
};

using GoldenHandler = std::function<Result<std::string>(const GoldenCase&)>;

// Handlers register themselves at static-initialization time through this.
bool RegisterGoldenHandler(const std::string& kind, GoldenHandler handler);
const std::map<std::string, GoldenHandler>& GoldenHandlers();

// Returns the value of the first context entry named `key`, or "".
std::string ContextValue(const GoldenCase& c, const std::string& key);
std::vector<std::string> ContextValues(const GoldenCase& c, const std::string& key);

std::vector<GoldenCase> ParseGoldenFile(const std::string& text, const std::string& file);

}  // namespace refinery::golden
