// Golden cases for the <sqoop> command line (tests/data/sqoop/*.test).
//
//   @mode split    the input is <command> text; the output is one [argument]
//                  per line (the default mode)
//   @mode args     each input line is one <arg>; the output is the parse
//   @mode parse    the input is <command> text; the output is the parse:
//                  DescribeSqoopOptions of the arguments after dropping a
//                  leading "sqoop"
//   @shellsplitter true   oozie.action.sqoop.shellsplitter=true
#include "actions/sqoop_command.h"
#include "golden/golden.h"

namespace refinery::golden {
namespace {

using actions::internal::DescribeSqoopOptions;
using actions::internal::DropLeadingSqoop;
using actions::internal::ParseSqoopArgs;
using actions::internal::SplitSqoopCommand;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

// Split inputs: \t is a tab and \N a newline, which a golden file cannot show.
std::string Unescape(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size() && text[i + 1] == 't') {
      out.push_back('\t');
      ++i;
    } else if (text[i] == '\\' && i + 1 < text.size() && text[i + 1] == 'N') {
      out.push_back('\n');
      ++i;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

Result<std::string> Parse(std::vector<std::string> args) {
  DropLeadingSqoop(&args);
  REFINERY_ASSIGN_OR_RETURN(auto options, ParseSqoopArgs(args));
  return DescribeSqoopOptions(options);
}

Result<std::string> Handle(const GoldenCase& c) {
  const std::string mode = ContextValue(c, "mode").empty() ? "split" : ContextValue(c, "mode");
  const bool shell_like = ContextValue(c, "shellsplitter") == "true";
  if (mode == "args") return Parse(Lines(c.input));
  // Parse inputs keep backslashes: they are Sqoop's own character escapes.
  if (mode == "parse") {
    REFINERY_ASSIGN_OR_RETURN(auto args, SplitSqoopCommand(c.input, shell_like));
    return Parse(args);
  }
  REFINERY_ASSIGN_OR_RETURN(auto args, SplitSqoopCommand(Unescape(c.input), shell_like));
  std::string out;
  for (const std::string& arg : args) out += "[" + arg + "]\n";
  return out.empty() ? std::string("(none)") : out;
}

const bool kRegistered = RegisterGoldenHandler("sqoop", Handle);

}  // namespace
}  // namespace refinery::golden
