// The <profile> action (uri:refinery:profile-action:1.0): profiles a dataset
// in one streaming pass, compares it with the previous profile kept in the
// output directory, publishes profile.json and profile.html atomically, then
// checks the <expect> rules: any failure ends the action with DQ001 listing
// every failed rule, so the workflow's <error> transition decides.
// doc/actions/profile.md documents the element.
#include <fstream>

#include "actions/action_util.h"
#include "core/time_format.h"
#include "data/dataset.h"
#include "profile/html_report.h"
#include "profile/profile.h"
#include "profile/rules.h"
#include "sql/sql.h"

namespace refinery::actions::internal {
namespace {

using nlohmann::json;

constexpr char kThreads[] = "refinery.profile.threads";
constexpr char kMetastoreDir[] = "refinery.hive.metastore.dir";  // shared with the hive action

const std::vector<SettingSpec>& ProfileSettings() {
  static const std::vector<SettingSpec> kSettings = {
      {"input", "", "", "the dataset: a raw-zone directory (sidecar + _SUCCESS) or a .csv file"},
      {"table", "", "", "instead of <input>: a table of the Hive metastore, whose files are profiled"},
      {"output", "", "", "directory that receives profile.json and profile.html (replaced atomically)"},
      {"null-token", "", "", "a value read as null, besides the dataset's own null tokens (repeatable)"},
      {"id-column", "", "", "a column counted but not described, and left out of duplicate rows (repeatable)"},
      {"expect", "", "", "a quality rule, e.g. null_fraction(income) <= 0.1 (repeatable)"},
      {kThreads, "2", "1..16", "column workers beside the reading thread"},
      {kMetastoreDir, "/user/hive/metastore", "a directory URI", "where <table> is looked up (as the hive action)"},
  };
  return kSettings;
}

struct Request {
  std::string input;
  std::string table;  // instead of input
  std::string output;
  profile::ProfileOptions options;
  std::vector<profile::Rule> rules;
};

Result<Request> ReadRequest(const ActionContext& context, const pugi::xml_node& element) {
  Request request;
  request.input = ChildText(element, "input");
  request.table = ChildText(element, "table");
  request.output = ChildText(element, "output");
  if (request.input.empty() == request.table.empty() || request.output.empty()) {
    return Status::InvalidArgument("profile action [" + context.action_name +
                                       "]: <output> and one of <input> (a dataset) or <table> (a metastore table) "
                                       "are required",
                                   profile::kBadRuleCode);
  }
  for (const pugi::xml_node& node : Children(element, "null-token")) request.options.null_tokens.push_back(NodeText(node));
  for (const pugi::xml_node& node : Children(element, "id-column")) request.options.id_columns.push_back(NodeText(node));
  std::string errors;
  for (const pugi::xml_node& node : Children(element, "expect")) {
    auto rule = profile::ParseRule(NodeText(node));
    if (rule.ok()) {
      request.rules.push_back(*rule);
    } else {
      errors += (errors.empty() ? "" : "; ") + rule.status().message();
    }
  }
  if (!errors.empty()) return Status::InvalidArgument(errors, profile::kBadRuleCode);
  REFINERY_ASSIGN_OR_RETURN(const int64_t threads, IntSetting(context, ProfileSettings(), kThreads));
  request.options.threads = static_cast<int>(threads);
  return request;
}

Status CheckRuleColumns(const std::vector<profile::Rule>& rules, const data::DatasetSchema& schema) {
  std::vector<std::string> names;
  for (const data::Column& column : schema.columns) names.push_back(column.name);
  std::string errors;
  for (const profile::Rule& rule : rules) {
    const Status status = profile::CheckRuleColumn(rule, names);
    if (!status.ok()) errors += (errors.empty() ? "" : "; ") + status.message();
  }
  if (errors.empty()) return Status::Ok();
  return Status::InvalidArgument(errors, profile::kBadRuleCode);
}

// The previous profile.json in the output directory, if there is a readable one.
std::optional<json> PreviousProfile(const ActionContext& context, const std::string& output) {
  auto exists = context.files->Exists(output + "/profile.json");
  if (!exists.ok() || !*exists) return std::nullopt;
  auto text = context.files->ReadFile(output + "/profile.json");
  if (!text.ok()) return std::nullopt;
  json previous = json::parse(*text, nullptr, false);
  if (previous.is_discarded() || !previous.is_object()) {
    Report(context, "WARN: the previous " + output + "/profile.json is not valid JSON; no drift this time");
    return std::nullopt;
  }
  return previous;
}

Status WriteLocal(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  if (!out) return Status::IoError("could not write " + path.string());
  return Status::Ok();
}

Status Publish(ActionContext& context, const std::string& output, const json& profile) {
  REFINERY_ASSIGN_OR_RETURN(fs::AtomicDirectory directory, fs::AtomicDirectory::Begin(context.files, output));
  REFINERY_RETURN_IF_ERROR(WriteLocal(directory.staging_path() / "profile.json", profile::FormatProfileJson(profile)));
  REFINERY_RETURN_IF_ERROR(WriteLocal(directory.staging_path() / "profile.html", profile::RenderHtmlReport(profile)));
  return directory.Commit();
}

// Values a column's type could not read: the sidecar (or the inference)
// disagrees with the file. Worth a line in the log, not a failed action.
void ReportInvalidValues(const ActionContext& context, const json& profile) {
  for (const json& column : profile["columns"]) {
    if (column.value("invalid", int64_t{0}) == 0 || !column.contains("first_invalid")) continue;
    const json& first = column["first_invalid"];
    Report(context, "WARN: column \"" + column.value("name", std::string()) + "\" is " +
                        column.value("type", std::string()) + " per the schema, but " +
                        std::to_string(column.value("invalid", int64_t{0})) + " values are not; the first at " +
                        first.value("where", std::string()) + ": \"" + first.value("value", std::string()) +
                        "\" (fix the schema sidecar's column type, or the data)");
  }
}

json RulesJson(const std::vector<profile::RuleOutcome>& outcomes) {
  json list = json::array();
  for (const auto& outcome : outcomes) {
    json item = {{"rule", outcome.rule.text}, {"passed", outcome.passed}};
    item["observed"] = outcome.observed ? json(*outcome.observed) : json(nullptr);
    if (!outcome.note.empty()) item["note"] = outcome.note;
    if (!outcome.where.empty()) item["where"] = outcome.where;
    list.push_back(std::move(item));
  }
  return list;
}

class ProfileAction : public Action {
 public:
  std::string type() const override { return "profile"; }
  // The output is replaced atomically; a rerun only re-reads the input.
  bool idempotent() const override { return true; }
  std::vector<SettingSpec> settings() const override { return ProfileSettings(); }
  ActionResult Run(ActionContext& context) override;

 private:
  Result<json> Profile(ActionContext& context, const Request& request);
};

// The dataset of <input>, or the files of metastore table <table>.
Result<data::DatasetReader> OpenInput(const ActionContext& context, const Request& request) {
  if (request.table.empty()) {
    REFINERY_ASSIGN_OR_RETURN(const std::filesystem::path local, context.files->Resolve(request.input));
    return data::DatasetReader::Open(local.string());
  }
  sql::SessionOptions options;
  options.files = context.files;
  options.metastore_uri = SettingValue(context, ProfileSettings(), kMetastoreDir);
  REFINERY_ASSIGN_OR_RETURN(const std::unique_ptr<sql::Session> session, sql::Session::Open(std::move(options)));
  return session->OpenTable(request.table);
}

std::string InputName(const Request& request) {
  return request.table.empty() ? request.input : "table " + request.table;
}

Result<json> ProfileAction::Profile(ActionContext& context, const Request& request) {
  REFINERY_ASSIGN_OR_RETURN(data::DatasetReader reader, OpenInput(context, request));
  REFINERY_RETURN_IF_ERROR(CheckRuleColumns(request.rules, reader.schema()));
  const std::optional<json> previous = PreviousProfile(context, request.output);
  Report(context, "Profiling " + InputName(request) + " (" + std::to_string(reader.files().size()) + " file(s), " +
                      std::to_string(reader.total_bytes()) + " bytes)" +
                      (previous ? ", comparing with the previous profile" : ", no previous profile"));
  const Cancellation& cancel = CancellationOf(context);
  auto progress = [&context](double fraction, const std::string& detail) {
    if (context.reporter != nullptr) context.reporter->Progress(fraction, detail);
  };
  return profile::ProfileDataset(reader, request.options, previous ? &*previous : nullptr, progress,
                                 [&cancel] { return cancel.cancelled(); });
}

ActionResult ProfileAction::Run(ActionContext& context) {
  ActionResult error;
  if (MissingService(context.files, "file system", &error)) return error;
  pugi::xml_document doc;
  const pugi::xml_node element = ParseActionElement(context.action_xml, "profile", &doc, &error);
  if (!element) return error;
  auto request = ReadRequest(context, element);
  if (!request.ok()) return FromStatus(request.status(), profile::kBadRuleCode);
  auto profiled = Profile(context, *request);
  if (!profiled.ok()) return FromStatus(profiled.status(), data::kBadRowCode);
  json profile = std::move(profiled).value();
  profile["input"] = InputName(*request);
  if (context.clock != nullptr) profile["profiled_at"] = FormatIsoMillis(context.clock->Now());
  ReportInvalidValues(context, profile);
  const auto outcomes = profile::EvaluateRules(request->rules, profile);
  for (const auto& outcome : outcomes) {
    if (!outcome.note.empty()) Report(context, "Rule " + profile::DescribeOutcome(outcome) + ": passes");
  }
  profile["rules"] = RulesJson(outcomes);
  const Status published = Publish(context, request->output, profile);
  if (!published.ok()) return FromStatus(published, "FS009");

  std::string failed;
  int failures = 0;
  for (const auto& outcome : outcomes) {
    if (outcome.passed) continue;
    ++failures;
    failed += (failed.empty() ? "" : "; ") + profile::DescribeOutcome(outcome);
  }
  const int64_t rows = profile.value("rows", int64_t{0});
  Report(context, "Profiled " + std::to_string(rows) + " rows into " + request->output + "/profile.html; " +
                      std::to_string(outcomes.size() - failures) + " of " + std::to_string(outcomes.size()) +
                      " rules passed");
  Properties data;
  data.Set("rows", std::to_string(rows));
  data.Set("columns", std::to_string(profile["columns"].size()));
  data.Set("duplicate_rows", std::to_string(profile.value("duplicate_rows", int64_t{0})));
  data.Set("rules", std::to_string(outcomes.size()));
  data.Set("failed_rules", std::to_string(failures));
  data.Set("failed", failed);
  data.Set("drift", profile["drift"].is_object() ? "true" : "false");
  data.Set("output", request->output);
  data.Set("report", request->output + "/profile.html");
  ActionResult result = failures == 0
                            ? ActionResult::Ok()
                            : ActionResult::Error(profile::kRuleFailedCode,
                                                  "profile of " + InputName(*request) + ": " + std::to_string(failures) +
                                                      " of " + std::to_string(outcomes.size()) +
                                                      " quality rules failed: " + failed);
  if (failures == 0) result.external_status = "SUCCEEDED";
  result.data = FormatJavaProperties(data);
  return result;
}

}  // namespace

std::unique_ptr<Action> MakeProfileAction() { return std::make_unique<ProfileAction>(); }

}  // namespace refinery::actions::internal
