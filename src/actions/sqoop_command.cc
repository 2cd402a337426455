#include "actions/sqoop_command.h"

#include <cctype>
#include <charconv>

namespace refinery::actions::internal {
namespace {

// ---- Splitting ----

bool IsJavaWhitespace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::vector<std::string> SplitOnSpaces(const std::string& command) {
  // Element.getTextTrim() then StringTokenizer(" "): runs of ' ' separate.
  size_t begin = 0;
  size_t end = command.size();
  while (begin < end && static_cast<unsigned char>(command[begin]) <= ' ') ++begin;
  while (end > begin && static_cast<unsigned char>(command[end - 1]) <= ' ') --end;
  std::vector<std::string> args;
  size_t start = begin;
  while (start < end) {
    size_t space = command.find(' ', start);
    if (space == std::string::npos || space > end) space = end;
    if (space > start) args.push_back(command.substr(start, space - start));
    start = space + 1;
  }
  return args;
}

Status Unparseable(const std::string& command, const std::string& why) {
  return Status::InvalidArgument("Cannot parse sqoop command: [" + command + "]: " + why, kSqoopSplitCode);
}

Result<std::vector<std::string>> SplitShellLike(const std::string& command) {
  enum class Quote { kNone, kSingle, kDouble };
  std::vector<std::string> args;
  std::string current;
  bool in_token = false;
  Quote quote = Quote::kNone;
  for (size_t i = 0; i < command.size(); ++i) {
    const char c = command[i];
    if (quote == Quote::kSingle) {
      if (c == '\'') quote = Quote::kNone; else current.push_back(c);
      continue;
    }
    if (quote == Quote::kDouble) {
      if (c == '"') {
        quote = Quote::kNone;
      } else if (c == '\\' && i + 1 < command.size() && std::string_view("\"\\$`").find(command[i + 1]) != std::string_view::npos) {
        current.push_back(command[++i]);
      } else {
        current.push_back(c);
      }
      continue;
    }
    if (IsJavaWhitespace(c)) {
      if (in_token) args.push_back(std::move(current));
      current.clear();
      in_token = false;
      continue;
    }
    in_token = true;
    if (c == '\'') {
      quote = Quote::kSingle;
    } else if (c == '"') {
      quote = Quote::kDouble;
    } else if (c == '\\') {
      if (i + 1 == command.size()) return Unparseable(command, "it ends with a lone backslash");
      current.push_back(command[++i]);
    } else {
      current.push_back(c);
    }
  }
  if (quote != Quote::kNone) {
    return Unparseable(command, std::string("unterminated ") + (quote == Quote::kSingle ? "single" : "double") + " quote");
  }
  if (in_token) args.push_back(std::move(current));
  return args;
}

// ---- The option table ----

enum ToolBit : unsigned {
  kImportBit = 1,
  kExportBit = 2,
  kEvalBit = 4,
  kListTablesBit = 8,
  kListDatabasesBit = 16,
  kAllTools = 31,
};

enum class OptionKind { kHandled, kIgnored, kUnsupported };

using Apply = Status (*)(SqoopOptions* options, const std::string& value);

struct OptionSpec {
  const char* name;
  const char* alias;  // nullptr = none
  bool takes_value;
  unsigned tools;
  OptionKind kind;
  Apply apply;  // kHandled only
};

Status Usage(const std::string& message) { return Status::InvalidArgument(message, kSqoopUsageCode); }

Result<int64_t> ParseCount(const std::string& option, const std::string& value, int64_t low, int64_t high) {
  int64_t parsed = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), parsed);
  if (ec != std::errc() || end != value.data() + value.size() || parsed < low || parsed > high) {
    return Usage("Invalid value [" + value + "] for " + option + ": expected an integer in " + std::to_string(low) +
                 ".." + std::to_string(high));
  }
  return parsed;
}

Status SetChar(const char* option, const std::string& value, char* target, SqoopOptions* options) {
  REFINERY_ASSIGN_OR_RETURN(*target, ParseDelimiterChar(option, value, &options->warnings));
  return Status::Ok();
}

std::vector<std::string> CommaList(const std::string& value) {
  std::vector<std::string> items;
  size_t start = 0;
  while (start <= value.size()) {
    size_t comma = value.find(',', start);
    if (comma == std::string::npos) comma = value.size();
    std::string item = value.substr(start, comma - start);
    while (!item.empty() && std::isspace(static_cast<unsigned char>(item.front()))) item.erase(0, 1);
    while (!item.empty() && std::isspace(static_cast<unsigned char>(item.back()))) item.pop_back();
    if (!item.empty()) items.push_back(item);
    start = comma + 1;
  }
  return items;
}

#define SQOOP_APPLY(body) [](SqoopOptions* o, const std::string& v) -> Status { body; return Status::Ok(); }

const std::vector<OptionSpec>& OptionTable() {
  constexpr unsigned kImEx = kImportBit | kExportBit;
  constexpr OptionKind H = OptionKind::kHandled;
  constexpr OptionKind I = OptionKind::kIgnored;
  constexpr OptionKind U = OptionKind::kUnsupported;
  static const std::vector<OptionSpec> kTable = {
      // Connection (every tool).
      {"--connect", nullptr, true, kAllTools, H, SQOOP_APPLY(o->connect = v)},
      {"--username", nullptr, true, kAllTools, H, SQOOP_APPLY(o->username = v)},
      {"--password", nullptr, true, kAllTools, H,
       SQOOP_APPLY(o->password = v; o->has_password = true;
                   o->warnings.push_back("Setting your password on the command-line is insecure. Consider using "
                                         "--password-file instead."))},
      {"--password-file", nullptr, true, kAllTools, H, SQOOP_APPLY(o->password_file = v)},
      {"--verbose", nullptr, false, kAllTools, H, SQOOP_APPLY(o->verbose = true)},
      {"--driver", nullptr, true, kAllTools, I, nullptr},
      {"--connection-manager", nullptr, true, kAllTools, I, nullptr},
      {"--connection-param-file", nullptr, true, kAllTools, I, nullptr},
      {"--hadoop-home", nullptr, true, kAllTools, I, nullptr},
      {"--hadoop-mapred-home", nullptr, true, kAllTools, I, nullptr},
      {"--skip-dist-cache", nullptr, false, kAllTools, I, nullptr},
      {"--relaxed-isolation", nullptr, false, kAllTools, I, nullptr},
      {"--temporary-rootdir", nullptr, true, kAllTools, I, nullptr},
      {"--throw-on-error", nullptr, false, kAllTools, I, nullptr},
      {"--metadata-transaction-isolation-level", nullptr, true, kAllTools, I, nullptr},
      {"--password-alias", nullptr, true, kAllTools, U, nullptr},
      {"-P", nullptr, false, kAllTools, U, nullptr},
      // What to read.
      {"--table", nullptr, true, kImEx, H, SQOOP_APPLY(o->table = v)},
      {"--columns", nullptr, true, kImEx, H, SQOOP_APPLY(o->columns = CommaList(v))},
      {"--where", nullptr, true, kImportBit, H, SQOOP_APPLY(o->where = v)},
      {"--query", "-e", true, kImportBit | kEvalBit, H, SQOOP_APPLY(o->query = v)},
      {"--split-by", nullptr, true, kImportBit, H, SQOOP_APPLY(o->split_by = v)},
      {"--num-mappers", "-m", true, kImEx, H,
       [](SqoopOptions* o, const std::string& v) -> Status {
         REFINERY_ASSIGN_OR_RETURN(const int64_t n, ParseCount("--num-mappers", v, 1, 256));
         o->num_mappers = static_cast<int>(n);
         o->num_mappers_given = true;
         return Status::Ok();
       }},
      {"--autoreset-to-one-mapper", nullptr, false, kImportBit, H, SQOOP_APPLY(o->autoreset_to_one_mapper = true)},
      {"--boundary-query", nullptr, true, kImportBit, H, SQOOP_APPLY(o->boundary_query = v)},
      {"--fetch-size", nullptr, true, kImportBit, H,
       [](SqoopOptions* o, const std::string& v) -> Status {
         REFINERY_ASSIGN_OR_RETURN(o->fetch_size, ParseCount("--fetch-size", v, 0, 1 << 30));
         return Status::Ok();
       }},
      // Where to write.
      {"--target-dir", nullptr, true, kImportBit, H, SQOOP_APPLY(o->target_dir = v)},
      {"--warehouse-dir", nullptr, true, kImportBit, H, SQOOP_APPLY(o->warehouse_dir = v)},
      {"--delete-target-dir", nullptr, false, kImportBit, H, SQOOP_APPLY(o->delete_target_dir = true)},
      {"--append", nullptr, false, kImportBit, H, SQOOP_APPLY(o->append = true)},
      {"--as-textfile", nullptr, false, kImportBit, H, SQOOP_APPLY(static_cast<void>(o))},
      {"--null-string", nullptr, true, kImportBit, H, SQOOP_APPLY(o->format.null_string = v)},
      {"--null-non-string", nullptr, true, kImportBit, H, SQOOP_APPLY(o->format.null_non_string = v)},
      // Output format.
      {"--fields-terminated-by", nullptr, true, kImEx, H,
       SQOOP_APPLY(REFINERY_RETURN_IF_ERROR(SetChar("--fields-terminated-by", v, &o->format.field_delimiter, o)))},
      {"--lines-terminated-by", nullptr, true, kImEx, H,
       SQOOP_APPLY(REFINERY_RETURN_IF_ERROR(SetChar("--lines-terminated-by", v, &o->format.line_delimiter, o)))},
      {"--enclosed-by", nullptr, true, kImEx, H,
       SQOOP_APPLY(REFINERY_RETURN_IF_ERROR(SetChar("--enclosed-by", v, &o->format.enclosed_by, o));
                   o->format.enclose_required = true)},
      {"--optionally-enclosed-by", nullptr, true, kImEx, H,
       SQOOP_APPLY(REFINERY_RETURN_IF_ERROR(SetChar("--optionally-enclosed-by", v, &o->format.enclosed_by, o));
                   o->format.enclose_required = false)},
      {"--escaped-by", nullptr, true, kImEx, H,
       SQOOP_APPLY(REFINERY_RETURN_IF_ERROR(SetChar("--escaped-by", v, &o->format.escaped_by, o)))},
      {"--mysql-delimiters", nullptr, false, kImEx, H,
       SQOOP_APPLY(static_cast<void>(v); o->format.field_delimiter = ','; o->format.line_delimiter = '\n';
                   o->format.escaped_by = '\\'; o->format.enclosed_by = '\''; o->format.enclose_required = false)},
      // Incremental imports.
      {"--incremental", nullptr, true, kImportBit, H,
       [](SqoopOptions* o, const std::string& v) -> Status {
         if (v == "append") {
           o->incremental = IncrementalMode::kAppend;
         } else if (v == "lastmodified") {
           o->incremental = IncrementalMode::kLastModified;
         } else {
           return Usage("Unknown incremental import mode: " + v + ". Use 'append' or 'lastmodified'.");
         }
         return Status::Ok();
       }},
      {"--check-column", nullptr, true, kImportBit, H, SQOOP_APPLY(o->check_column = v)},
      {"--last-value", nullptr, true, kImportBit, H, SQOOP_APPLY(o->last_value = v; o->has_last_value = true)},
      // Export.
      {"--export-dir", nullptr, true, kExportBit, H, SQOOP_APPLY(o->export_dir = v)},
      {"--update-key", nullptr, true, kExportBit, H, SQOOP_APPLY(o->update_key = v)},
      {"--update-mode", nullptr, true, kExportBit, H,
       [](SqoopOptions* o, const std::string& v) -> Status {
         if (v != "updateonly" && v != "allowinsert") {
           return Usage("Unknown --update-mode [" + v + "]; use updateonly or allowinsert");
         }
         o->update_mode = v;
         return Status::Ok();
       }},
      {"--batch", nullptr, false, kExportBit, H, SQOOP_APPLY(o->batch = true)},
      {"--staging-table", nullptr, true, kExportBit, H, SQOOP_APPLY(o->staging_table = v)},
      {"--clear-staging-table", nullptr, false, kExportBit, H, SQOOP_APPLY(o->clear_staging_table = true)},
      {"--input-fields-terminated-by", nullptr, true, kImEx, H,
       SQOOP_APPLY(REFINERY_RETURN_IF_ERROR(
           SetChar("--input-fields-terminated-by", v, &o->input_format.field_delimiter, o)))},
      {"--input-lines-terminated-by", nullptr, true, kImEx, H,
       SQOOP_APPLY(REFINERY_RETURN_IF_ERROR(
           SetChar("--input-lines-terminated-by", v, &o->input_format.line_delimiter, o)))},
      {"--input-enclosed-by", nullptr, true, kImEx, H,
       SQOOP_APPLY(REFINERY_RETURN_IF_ERROR(SetChar("--input-enclosed-by", v, &o->input_format.enclosed_by, o));
                   o->input_format.enclose_required = true)},
      {"--input-optionally-enclosed-by", nullptr, true, kImEx, H,
       SQOOP_APPLY(REFINERY_RETURN_IF_ERROR(
           SetChar("--input-optionally-enclosed-by", v, &o->input_format.enclosed_by, o)))},
      {"--input-escaped-by", nullptr, true, kImEx, H,
       SQOOP_APPLY(REFINERY_RETURN_IF_ERROR(SetChar("--input-escaped-by", v, &o->input_format.escaped_by, o)))},
      {"--input-null-string", nullptr, true, kExportBit, H, SQOOP_APPLY(o->input_format.null_string = v)},
      {"--input-null-non-string", nullptr, true, kExportBit, H, SQOOP_APPLY(o->input_format.null_non_string = v)},
      // Accepted, no effect here (MapReduce, code generation, JDBC tuning).
      {"--direct", nullptr, false, kImEx, I, nullptr},
      {"--direct-split-size", nullptr, true, kImportBit, I, nullptr},
      {"--inline-lob-limit", nullptr, true, kImportBit, I, nullptr},
      {"--map-column-java", nullptr, true, kImEx, I, nullptr},
      {"--map-column-hive", nullptr, true, kImportBit, I, nullptr},
      {"--mapreduce-job-name", nullptr, true, kImEx, I, nullptr},
      {"--validate", nullptr, false, kImEx, I, nullptr},
      {"--outdir", nullptr, true, kImEx, I, nullptr},
      {"--bindir", nullptr, true, kImEx, I, nullptr},
      {"--class-name", nullptr, true, kImEx, I, nullptr},
      {"--jar-file", nullptr, true, kImEx, I, nullptr},
      {"--package-name", nullptr, true, kImEx, I, nullptr},
      // Sqoop features that need Hadoop formats or services.
      {"--as-sequencefile", nullptr, false, kImportBit, U, nullptr},
      {"--as-avrodatafile", nullptr, false, kImportBit, U, nullptr},
      {"--as-parquetfile", nullptr, false, kImportBit, U, nullptr},
      {"--compress", "-z", false, kImportBit, U, nullptr},
      {"--compression-codec", nullptr, true, kImportBit, U, nullptr},
      {"--merge-key", nullptr, true, kImportBit, U, nullptr},
      {"--split-limit", nullptr, true, kImportBit, U, nullptr},
      {"--hive-import", nullptr, false, kImportBit, U, nullptr},
      {"--hive-table", nullptr, true, kImportBit, U, nullptr},
      {"--hive-overwrite", nullptr, false, kImportBit, U, nullptr},
      {"--hive-database", nullptr, true, kImportBit, U, nullptr},
      {"--create-hive-table", nullptr, false, kImportBit, U, nullptr},
      {"--hive-partition-key", nullptr, true, kImportBit, U, nullptr},
      {"--hive-partition-value", nullptr, true, kImportBit, U, nullptr},
      {"--hive-drop-import-delims", nullptr, false, kImportBit, U, nullptr},
      {"--hive-delims-replacement", nullptr, true, kImportBit, U, nullptr},
      {"--hbase-table", nullptr, true, kImportBit, U, nullptr},
      {"--column-family", nullptr, true, kImportBit, U, nullptr},
      {"--hbase-row-key", nullptr, true, kImportBit, U, nullptr},
      {"--hbase-create-table", nullptr, false, kImportBit, U, nullptr},
      {"--hcatalog-table", nullptr, true, kImEx, U, nullptr},
      {"--hcatalog-database", nullptr, true, kImEx, U, nullptr},
      {"--accumulo-table", nullptr, true, kImportBit, U, nullptr},
      {"--call", nullptr, true, kExportBit, U, nullptr},
  };
  return kTable;
}

#undef SQOOP_APPLY

// Hadoop's generic options (GenericOptionsParser).
const std::vector<std::string>& GenericOptions() {
  static const std::vector<std::string> kOptions = {"-conf", "-fs", "-jt", "-files", "-libjars", "-archives"};
  return kOptions;
}

struct ToolName {
  const char* name;
  SqoopTool tool;
  unsigned bit;
};

constexpr ToolName kTools[] = {{"import", SqoopTool::kImport, kImportBit},
                               {"export", SqoopTool::kExport, kExportBit},
                               {"eval", SqoopTool::kEval, kEvalBit},
                               {"list-tables", SqoopTool::kListTables, kListTablesBit},
                               {"list-databases", SqoopTool::kListDatabases, kListDatabasesBit}};

std::string SupportedTools() {
  std::string list;
  for (const ToolName& tool : kTools) list += (list.empty() ? "" : ", ") + std::string(tool.name);
  return list;
}

std::string SupportedOptions(unsigned bit) {
  std::string list;
  for (const OptionSpec& spec : OptionTable()) {
    if ((spec.tools & bit) == 0 || spec.kind == OptionKind::kUnsupported) continue;
    list += (list.empty() ? "" : ", ") + std::string(spec.name);
    if (spec.alias != nullptr) list += "/" + std::string(spec.alias);
  }
  return list + ", -D name=value";
}

const OptionSpec* FindOption(const std::string& arg) {
  for (const OptionSpec& spec : OptionTable()) {
    if (arg == spec.name || (spec.alias != nullptr && arg == spec.alias)) return &spec;
  }
  return nullptr;
}

// -D name=value or -Dname=value. Returns the number of arguments used (0 = not -D).
Result<size_t> TakeDefine(const std::vector<std::string>& args, size_t i, SqoopOptions* options) {
  const std::string& arg = args[i];
  if (arg.rfind("-D", 0) != 0) return size_t{0};
  std::string pair = arg.substr(2);
  size_t used = 1;
  if (pair.empty()) {
    if (i + 1 >= args.size()) return Usage("Missing argument for option: -D (expected -D name=value)");
    pair = args[i + 1];
    used = 2;
  }
  const size_t eq = pair.find('=');
  options->properties.emplace_back(pair.substr(0, eq), eq == std::string::npos ? "" : pair.substr(eq + 1));
  options->ignored.push_back("-D " + pair);
  return used;
}

Status ApplyOption(const OptionSpec& spec, const ToolName& tool, const std::vector<std::string>& args, size_t* i,
                   SqoopOptions* options) {
  const std::string& arg = args[*i];
  if ((spec.tools & tool.bit) == 0) {
    return Usage("Error parsing arguments for " + std::string(tool.name) + ": option " + arg +
                 " does not apply to sqoop " + tool.name + "; supported: " + SupportedOptions(tool.bit));
  }
  if (spec.kind == OptionKind::kUnsupported) {
    return Status::Unsupported("Sqoop option " + arg + " is not supported by Refinery's native import (it needs " +
                                   "Hadoop or an interactive terminal); remove it" +
                                   (std::string(spec.name) == "-P" || std::string(spec.name) == "--password-alias"
                                        ? " and use --password-file"
                                        : ""),
                               kSqoopUnsupportedCode);
  }
  std::string value;
  if (spec.takes_value) {
    if (*i + 1 >= args.size()) return Usage("Error parsing arguments for " + std::string(tool.name) + ": missing argument for option: " + arg);
    value = args[++*i];
  }
  if (spec.kind == OptionKind::kIgnored) {
    options->ignored.push_back(spec.takes_value ? arg + " " + value : arg);
    return Status::Ok();
  }
  REFINERY_RETURN_IF_ERROR(spec.apply(options, value));
  options->given.emplace_back(spec.name + 2, spec.takes_value ? value : "");
  return Status::Ok();
}

Status ValidateImport(const SqoopOptions& o) {
  if (o.table.empty() && o.query.empty()) {
    return Usage("sqoop import needs --table or --query (-e); neither was given");
  }
  if (!o.table.empty() && !o.query.empty()) return Usage("Cannot specify --query and --table together.");
  if (!o.query.empty() && o.query.find("$CONDITIONS") == std::string::npos) {
    return Usage("Query [" + o.query + "] must contain '$CONDITIONS' in WHERE clause.");
  }
  if (!o.query.empty() && o.target_dir.empty()) return Usage("Must specify destination with --target-dir.");
  if (!o.target_dir.empty() && !o.warehouse_dir.empty()) {
    return Usage("Can't specify --target-dir and --warehouse-dir at the same time.");
  }
  if (o.append && o.delete_target_dir) return Usage("--append and --delete-target-dir can not be used together.");
  if (o.incremental != IncrementalMode::kNone && o.check_column.empty()) {
    return Usage("For an incremental import, the check column must be specified with --check-column.");
  }
  if (o.incremental != IncrementalMode::kNone && o.delete_target_dir) {
    return Usage("--delete-target-dir can not be used with incremental imports.");
  }
  if (!o.query.empty() && o.num_mappers > 1 && o.split_by.empty() && !o.autoreset_to_one_mapper) {
    return Usage("When importing query results in parallel, you must specify --split-by.");
  }
  return Status::Ok();
}

Status Validate(const SqoopOptions& o) {
  if (o.connect.empty()) return Usage("sqoop " + o.tool_name + " needs --connect <jdbc-uri>");
  switch (o.tool) {
    case SqoopTool::kImport: return ValidateImport(o);
    case SqoopTool::kExport:
      if (o.export_dir.empty() || o.table.empty()) return Usage("sqoop export needs --table and --export-dir");
      return Status::Ok();
    case SqoopTool::kEval:
      if (o.query.empty()) return Usage("sqoop eval needs --query (-e) with the statement to run");
      return Status::Ok();
    default: return Status::Ok();
  }
}

}  // namespace

Result<std::vector<std::string>> SplitSqoopCommand(const std::string& command, bool shell_like) {
  if (!shell_like) return SplitOnSpaces(command);
  return SplitShellLike(command);
}

void DropLeadingSqoop(std::vector<std::string>* args) {
  if (args->size() >= 2 && (*args)[0] == "sqoop" && (*args)[1].rfind("-", 0) != 0) args->erase(args->begin());
}

Result<char> ParseDelimiterChar(const std::string& option, const std::string& text, std::vector<std::string>* warnings) {
  if (text.empty()) return Usage("Empty character argument for " + option);
  if (text.size() == 1) return text[0];
  if (text[0] != '\\') {
    warnings->push_back("Character argument " + text + " for " + option +
                        " has multiple characters; only the first will be used.");
    return text[0];
  }
  if (text.size() == 2) {
    switch (text[1]) {
      case 't': return '\t';
      case 'n': return '\n';
      case 'r': return '\r';
      case 'b': return '\b';
      case 'f': return '\f';
      case '0': return '\0';
      case '\\': return '\\';
      case '\'': return '\'';
      case '"': return '"';
      default: break;
    }
    return Usage("Cannot understand character argument " + text + " for " + option +
                 " (use one character, \\t \\n \\r \\b \\f \\0 \\\\ \\' \\\", \\0ooo or \\0xhh)");
  }
  const bool hex = text.rfind("\\0x", 0) == 0 || text.rfind("\\0X", 0) == 0;
  const bool octal = !hex && text.rfind("\\0", 0) == 0;
  if (hex || octal) {
    const std::string digits = text.substr(hex ? 3 : 2);
    int value = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value, hex ? 16 : 8);
    if (ec == std::errc() && end == digits.data() + digits.size() && value >= 0 && value <= 255) {
      return static_cast<char>(value);
    }
  }
  return Usage("Cannot understand character argument " + text + " for " + option +
               " (use one character, \\t \\n \\r \\b \\f \\0 \\\\ \\' \\\", \\0ooo or \\0xhh)");
}

Result<SqoopOptions> ParseSqoopArgs(const std::vector<std::string>& args) {
  if (args.empty()) return Usage("No sqoop tool given; supported tools: " + SupportedTools());
  const ToolName* tool = nullptr;
  for (const ToolName& candidate : kTools) {
    if (args[0] == candidate.name) tool = &candidate;
  }
  if (tool == nullptr) {
    return Usage("No such sqoop tool: " + args[0] + ". Supported tools: " + SupportedTools());
  }
  SqoopOptions options;
  options.tool = tool->tool;
  options.tool_name = tool->name;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& arg = args[i];
    REFINERY_ASSIGN_OR_RETURN(const size_t defined, TakeDefine(args, i, &options));
    if (defined > 0) {
      i += defined - 1;
      continue;
    }
    if (arg == "--") {  // the rest goes to a direct-mode tool: not used here
      for (size_t j = i + 1; j < args.size(); ++j) options.ignored.push_back(args[j]);
      break;
    }
    bool generic = false;
    for (const std::string& name : GenericOptions()) generic = generic || arg == name;
    if (generic) {
      if (i + 1 >= args.size()) return Usage("Missing argument for option: " + arg);
      options.ignored.push_back(arg + " " + args[++i]);
      continue;
    }
    const OptionSpec* spec = FindOption(arg);
    if (spec == nullptr) {
      return Usage("Error parsing arguments for " + std::string(tool->name) + ": Unrecognized argument: " + arg +
                   "; supported: " + SupportedOptions(tool->bit));
    }
    REFINERY_RETURN_IF_ERROR(ApplyOption(*spec, *tool, args, &i, &options));
  }
  REFINERY_RETURN_IF_ERROR(Validate(options));
  return options;
}

std::string DescribeSqoopOptions(const SqoopOptions& options) {
  std::string out = "tool=" + options.tool_name + "\n";
  for (const auto& [name, value] : options.given) {
    out += name + "=" + (name == "password" ? std::string("********") : value) + "\n";
  }
  for (const std::string& ignored : options.ignored) out += "ignored=" + ignored + "\n";
  for (const std::string& warning : options.warnings) out += "warning=" + warning + "\n";
  return out;
}

std::string RedactedCommandLine(const std::vector<std::string>& args) {
  std::string line;
  for (size_t i = 0; i < args.size(); ++i) {
    const bool secret = i > 0 && args[i - 1] == "--password";
    line += (line.empty() ? "" : " ") + (secret ? std::string("********") : args[i]);
  }
  return line;
}

}  // namespace refinery::actions::internal
