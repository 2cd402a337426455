// A workflow job's configuration, layered as Oozie's submit does
// (SubmitXCommand, XConfiguration, ParameterVerifier).
#include "workflow/job_config.h"

#include <algorithm>
#include <array>

#include <pugixml.hpp>

#include "workflow/variables.h"
#include "workflow/xml_support.h"

namespace refinery::workflow {
namespace {

constexpr const char* kWorkflowAppPath = "oozie.wf.application.path";
constexpr const char* kCoordinatorAppPath = "oozie.coord.application.path";
constexpr const char* kBundleAppPath = "oozie.bundle.application.path";
constexpr const char* kDefaultConfigurationPath = "oozie.default.configuration.path";
constexpr const char* kConfigDefault = "config-default.xml";
constexpr const char* kWorkflowXml = "workflow.xml";

// PropertiesUtils: names EL reserves for counters and sizes.
constexpr std::array<std::string_view, 14> kReservedNames = {
    "DAYS", "HOURS", "MINUTES", "KB", "MB", "GB", "TB", "PB", "RECORDS", "MAP_IN", "MAP_OUT", "REDUCE_IN",
    "REDUCE_OUT", "GROUPS"};
// Also refused in config-default.xml: the job's user comes from the submitter.
constexpr std::array<std::string_view, 2> kReservedDefaultNames = {"user.name", "mapreduce.job.user.name"};

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

std::string JoinPath(std::string_view dir, std::string_view name) {
  if (EndsWith(dir, "/")) return std::string(dir) + std::string(name);
  return std::string(dir) + "/" + std::string(name);
}

std::string ParentPath(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  const size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return ".";
  if (slash == 0) return "/";
  return std::string(path.substr(0, slash));
}

// "/x", "hdfs://nn/x", "file:/x" are absolute; anything else is relative to
// the application directory.
bool IsAbsolutePath(std::string_view path) {
  if (!path.empty() && path[0] == '/') return true;
  const size_t colon = path.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  return std::all_of(path.begin(), path.begin() + static_cast<std::ptrdiff_t>(colon), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' || c == '-' ||
           c == '.';
  });
}

std::vector<std::string> SplitCommaList(std::string_view list) {
  std::vector<std::string> items;
  size_t begin = 0;
  while (begin <= list.size()) {
    size_t comma = list.find(',', begin);
    if (comma == std::string_view::npos) comma = list.size();
    std::string item = internal::Trim(list.substr(begin, comma - begin));
    if (!item.empty()) items.push_back(std::move(item));
    begin = comma + 1;
  }
  return items;
}

Result<std::string> ReadFile(const AppFileReader& reader, const std::string& uri) {
  if (!reader.read) return Status::Internal("no file reader given to read [" + uri + "]");
  return reader.read(uri);
}

// One defaults file; absent (NotFound) is nullopt when `optional`.
Result<std::optional<Properties>> ReadDefaultsFile(const AppFileReader& reader, const std::string& uri,
                                                   bool optional) {
  Result<std::string> text = ReadFile(reader, uri);
  if (!text.ok()) {
    if (text.status().code() == StatusCode::kNotFound && optional) return std::optional<Properties>();
    return Status(text.status().code(), text.status().error_code(),
                  "default configuration file [" + uri + "], " + text.status().message());
  }
  Result<Properties> parsed = ParseHadoopConfigurationXml(*text, uri);
  if (!parsed.ok()) {
    return Status(parsed.status().code(), parsed.status().error_code(),
                  "default configuration file, " + parsed.status().message());
  }
  return std::optional<Properties>(std::move(parsed).value());
}

// Files named by oozie.default.configuration.path, then the app's
// config-default.xml; later files win among the defaults.
Result<Properties> LoadDefaults(const Properties& job_conf, const AppFileReader& reader,
                                const std::string& app_dir) {
  Properties defaults;
  for (const std::string& path : SplitCommaList(job_conf.GetOr(kDefaultConfigurationPath, ""))) {
    const std::string uri = IsAbsolutePath(path) ? path : JoinPath(app_dir, path);
    REFINERY_ASSIGN_OR_RETURN(std::optional<Properties> file, ReadDefaultsFile(reader, uri, /*optional=*/false));
    if (file) defaults.MergeFrom(*file);
  }
  REFINERY_ASSIGN_OR_RETURN(std::optional<Properties> config_default,
                            ReadDefaultsFile(reader, JoinPath(app_dir, kConfigDefault), /*optional=*/true));
  if (config_default) defaults.MergeFrom(*config_default);
  return defaults;
}

// SubmitXCommand.resolveDefaultConfVariables: a default resolves within the
// defaults; if it still holds '$', the job configuration's value is used.
Result<Properties> ResolveDefaults(const Properties& defaults, const Properties& job_conf) {
  Properties resolved;
  for (const auto& [key, value] : defaults.entries()) {
    REFINERY_ASSIGN_OR_RETURN(std::string self_resolved, internal::SubstituteVariables(value, defaults));
    if (value.find('$') != std::string::npos && self_resolved.find('$') != std::string::npos) {
      resolved.Set(key, job_conf.GetOr(key, self_resolved));
    } else {
      resolved.Set(key, std::move(self_resolved));
    }
  }
  return resolved;
}

Result<std::string> ReadDefinition(const AppFileReader& reader, const std::string& uri) {
  Result<std::string> text = ReadFile(reader, uri);
  if (text.ok()) return text;
  if (text.status().code() == StatusCode::kNotFound) {
    return Status::NotFound("App definition [" + uri + "] does not exist", "E0505");
  }
  return Status::IoError("Could not read the workflow definition, " + text.status().ToString(), "E0710");
}

}  // namespace

Result<Properties> ResolveVariables(const Properties& raw, int max_depth) {
  Properties trimmed;
  for (const auto& [key, value] : raw.entries()) trimmed.Set(key, internal::Trim(value));
  Properties resolved;
  for (const auto& [key, value] : trimmed.entries()) {
    REFINERY_ASSIGN_OR_RETURN(std::string substituted, internal::SubstituteVariables(value, trimmed, max_depth));
    resolved.Set(key, std::move(substituted));
  }
  return resolved;
}

Status CheckReservedNames(const Properties& conf, bool is_config_default) {
  for (const auto& [key, value] : conf.entries()) {
    const bool reserved =
        std::find(kReservedNames.begin(), kReservedNames.end(), key) != kReservedNames.end() ||
        (is_config_default &&
         std::find(kReservedDefaultNames.begin(), kReservedDefaultNames.end(), key) != kReservedDefaultNames.end());
    if (reserved) return Status::InvalidArgument("Disallowed user property [" + key + "]", "E0808");
  }
  return Status::Ok();
}

Result<std::string> WorkflowAppPath(const Properties& conf) {
  const int count = static_cast<int>(conf.Contains(kWorkflowAppPath)) +
                    static_cast<int>(conf.Contains(kCoordinatorAppPath)) +
                    static_cast<int>(conf.Contains(kBundleAppPath));
  if (count == 0) {
    return Status::InvalidArgument("Invalid parameter [a workflow, coordinator, or bundle app path is required]",
                                   "E0302");
  }
  if (count > 1) {
    return Status::InvalidArgument("Invalid parameter [Multiple app paths specified, only one is allowed]", "E0302");
  }
  const std::optional<std::string> path = conf.Get(kWorkflowAppPath);
  if (!path) {
    return Status::InvalidArgument(std::string("Invalid parameter [") + kWorkflowAppPath +
                                       " is required for a workflow job; the configuration names a coordinator or "
                                       "bundle app path]",
                                   "E0302");
  }
  return *path;
}

Result<WorkflowSubmission> PrepareSubmission(const Properties& submitted_conf, const AppFileReader& reader,
                                             const ParseOptions& parse_options) {
  WorkflowSubmission submission;
  REFINERY_ASSIGN_OR_RETURN(Properties job_conf, ResolveVariables(submitted_conf));
  REFINERY_ASSIGN_OR_RETURN(const std::string app_path, WorkflowAppPath(job_conf));
  const bool is_directory = reader.is_directory ? reader.is_directory(app_path) : !EndsWith(app_path, ".xml");
  std::string definition_uri = app_path;
  if (is_directory) {
    submission.app_path = app_path;
    while (submission.app_path.size() > 1 && submission.app_path.back() == '/') submission.app_path.pop_back();
    definition_uri = JoinPath(submission.app_path, kWorkflowXml);
  } else {
    submission.app_path = ParentPath(app_path);
  }

  REFINERY_ASSIGN_OR_RETURN(const Properties defaults, LoadDefaults(job_conf, reader, submission.app_path));
  REFINERY_RETURN_IF_ERROR(CheckReservedNames(defaults, /*is_config_default=*/true));
  job_conf.InjectDefaults(defaults);

  REFINERY_ASSIGN_OR_RETURN(const std::string definition, ReadDefinition(reader, definition_uri));
  ParseOptions options = parse_options;
  options.job_conf = &job_conf;
  options.source_name = definition_uri;  // errors then point at the file the user wrote
  REFINERY_ASSIGN_OR_RETURN(submission.app, ParseWorkflowXml(definition, options));
  for (const Parameter& parameter : submission.app.parameters) {
    if (parameter.default_value && !job_conf.Contains(parameter.name)) {
      job_conf.Set(parameter.name, *parameter.default_value);
    }
  }
  REFINERY_RETURN_IF_ERROR(CheckReservedNames(job_conf, /*is_config_default=*/false));
  REFINERY_ASSIGN_OR_RETURN(submission.job_conf, ResolveVariables(job_conf));
  REFINERY_ASSIGN_OR_RETURN(submission.config_default, ResolveDefaults(defaults, submission.job_conf));
  REFINERY_ASSIGN_OR_RETURN(submission.app_name,
                            internal::SubstituteVariables(submission.app.name, submission.job_conf));
  return submission;
}

Properties EffectiveActionConfiguration(const WorkflowSubmission& submission, const Node& node) {
  Properties conf;
  if (!node.action) return conf;
  const ActionSpec& action = *node.action;
  // Executors that take no <configuration>/<job-xml> get none of the defaults
  // (Oozie's supportsConfigurationJobXML): sub-workflow, email, ssh.
  const bool takes_defaults = action.type != "sub-workflow" && action.type != "email" && action.type != "ssh";
  if (takes_defaults) {
    conf.MergeFrom(submission.config_default);
    if (submission.app.global) conf.MergeFrom(submission.app.global->configuration);
  }
  pugi::xml_document document;
  if (!document.load_buffer(action.xml.data(), action.xml.size(), internal::kParseFlags, pugi::encoding_utf8)) {
    return conf;
  }
  if (const pugi::xml_node own = internal::ChildByLocalName(document.document_element(), "configuration")) {
    conf.MergeFrom(internal::ReadConfigurationElement(own));
  }
  return conf;
}

}  // namespace refinery::workflow
