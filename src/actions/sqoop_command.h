// Internal to actions/: the <sqoop> action's command line — Oozie's splitting
// of <command> (single spaces, or shell-like with
// oozie.action.sqoop.shellsplitter=true) and Sqoop's option parser for the
// tools Refinery runs natively. Options are declared once in a table; errors,
// the list of supported options and the "accepted but ignored" log all come
// from it.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "data/delimited_writer.h"

namespace refinery::actions::internal {

// Error codes of the sqoop action (doc/actions/sqoop.md).
inline constexpr char kSqoopUsageCode[] = "SQOOP001";      // bad tool/option/combination
inline constexpr char kSqoopSplitCode[] = "SQOOP002";      // Oozie's: cannot parse the command
inline constexpr char kSqoopTargetCode[] = "SQOOP007";     // target directory problems
inline constexpr char kSqoopIoCode[] = "SQOOP009";         // writing/publishing failed
inline constexpr char kSqoopUnsupportedCode[] = "SQOOP010";  // valid Sqoop, not supported natively
inline constexpr char kSqoopPasswordCode[] = "SQOOP011";   // password file unreadable
inline constexpr char kSqoopSplitByCode[] = "SQOOP012";    // no split column for -m > 1
inline constexpr char kSqoopStateCode[] = "SQOOP013";      // incremental state could not be kept

// <command> text into arguments. Default: trimmed, split on ' ' only
// (Java's StringTokenizer(" "): tabs and newlines stay inside arguments,
// quotes are literal). shell_like: whitespace separates, '...' is literal,
// "..." honours \" \\ \$ \`, a backslash outside quotes escapes the next
// character, and an empty quoted argument is kept; an unterminated quote or
// a trailing backslash is SQOOP002.
Result<std::vector<std::string>> SplitSqoopCommand(const std::string& command, bool shell_like);

// Drops a leading "sqoop" when a non-option argument follows it.
void DropLeadingSqoop(std::vector<std::string>* args);

enum class SqoopTool { kImport, kExport, kEval, kListTables, kListDatabases };
enum class IncrementalMode { kNone, kAppend, kLastModified };

struct SqoopOptions {
  SqoopTool tool = SqoopTool::kImport;
  std::string tool_name;
  // connection
  std::string connect;
  std::string username;
  std::string password_file;
  bool has_password = false;
  std::string password;  // --password: never logged
  bool verbose = false;
  // import
  std::string table;
  std::vector<std::string> columns;
  std::string where;
  std::string query;  // --query / -e (import, eval)
  std::string split_by;
  int num_mappers = 4;  // Sqoop's default
  bool num_mappers_given = false;
  bool autoreset_to_one_mapper = false;
  std::string boundary_query;
  std::string target_dir;
  std::string warehouse_dir;
  bool delete_target_dir = false;
  bool append = false;
  data::DelimitedFormat format;
  int64_t fetch_size = 0;
  IncrementalMode incremental = IncrementalMode::kNone;
  std::string check_column;
  std::string last_value;
  bool has_last_value = false;
  // export
  std::string export_dir;
  data::DelimitedFormat input_format;
  std::string update_key;
  std::string update_mode = "updateonly";
  bool batch = false;
  std::string staging_table;
  bool clear_staging_table = false;
  // Hadoop -D name=value, and what Refinery accepted without acting on it.
  std::vector<std::pair<std::string, std::string>> properties;
  std::vector<std::string> ignored;
  std::vector<std::string> warnings;
  // Every option as given, canonical name first (for the log and golden tests).
  std::vector<std::pair<std::string, std::string>> given;
};

// Parses the arguments after splitting (and after DropLeadingSqoop). Unknown
// tools and options, missing values and invalid combinations are SQOOP001
// naming what is supported; Sqoop options Refinery cannot honour (Hive,
// HBase, Avro, ...) are SQOOP010.
Result<SqoopOptions> ParseSqoopArgs(const std::vector<std::string>& args);

// Sqoop's character arguments: a single character, a backslash escape
// (t n r b f 0, backslash, quote, double quote), \0ooo (octal) or \0xhh (hex). Longer text uses its first character
// and adds a warning.
Result<char> ParseDelimiterChar(const std::string& option, const std::string& text, std::vector<std::string>* warnings);

// "tool=import" then one "name=value" line per given option (passwords as
// ********), then "ignored=..." and "warning=..." lines.
std::string DescribeSqoopOptions(const SqoopOptions& options);

// The arguments as one line for the action log, with the value after
// --password replaced by ********.
std::string RedactedCommandLine(const std::vector<std::string>& args);

}  // namespace refinery::actions::internal
