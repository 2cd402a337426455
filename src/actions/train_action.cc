// The <train> action (uri:refinery:train-action:1.0): reads datasets, fits
// the feature pipeline and an XGBoost model through ml/, and publishes a
// versioned model bundle under <model-dir>. The declarative replacement for
// the seed's hand-written PySpark training job. Format of the element:
// doc/actions/train.md. Built into the `ml` plugin with XGBoost; the binary
// holds only train_action_loader.cc.
#include <algorithm>
#include <cctype>
#include <cstdio>

#include "actions/ml_plugin_support.h"
#include "core/time_format.h"
#include "ml/bundle.h"
#include "ml/checksum.h"
#include "ml/trainer.h"
#include "ml/xgboost_booster.h"
#include "sql/sql.h"

namespace refinery::actions::internal {
namespace {

constexpr char kTrainSpecCode[] = "ML001";

constexpr char kMetastoreSetting[] = "refinery.hive.metastore.dir";
constexpr char kWarehouseSetting[] = "hive.metastore.warehouse.dir";

Status SpecError(const std::string& what) { return Status::InvalidArgument("train: " + what, kTrainSpecCode); }

Result<ml::ColumnSpec> ParseColumn(const pugi::xml_node& node) {
  ml::ColumnSpec column;
  column.name = node.attribute("name").value();
  if (column.name.empty()) return SpecError("<column> needs a name attribute");
  if (const auto type = node.attribute("type")) {
    REFINERY_ASSIGN_OR_RETURN(column.type, ml::ParseFeatureType(type.value()));
  }
  if (const auto missing = node.attribute("missing")) {
    REFINERY_ASSIGN_OR_RETURN(column.missing, ml::ParseMissingStrategy(missing.value()));
  }
  column.constant = node.attribute("fill").value();
  if (column.missing == ml::MissingStrategy::kConstant && !node.attribute("fill")) {
    return SpecError("<column name=\"" + column.name + "\"> has missing=\"constant\" but no fill=\"...\" value");
  }
  if (const auto max = node.attribute("max-categories")) {
    column.max_categories = max.as_int(-1);
    if (column.max_categories < 2 || column.max_categories > 65536) {
      return SpecError("<column name=\"" + column.name + "\">: max-categories [" + max.value() +
                       "] is out of range; expected an integer in 2..65536");
    }
  }
  if (const auto unseen = node.attribute("unseen")) {
    REFINERY_ASSIGN_OR_RETURN(column.unseen, ml::ParseUnseenPolicy(unseen.value()));
  }
  return column;
}

struct ParsedElement {
  ml::TrainSpec spec;
  std::vector<std::string> input_uris;
  std::string table;  // <table>: a table of the SQL metastore
  std::string sql;    // <sql>: the preparation statement
  std::string model_dir;
};

// <validation time-column="c" [cutoff="2010-06-01" | fraction="0.2"]/>.
Status ParseValidation(const pugi::xml_node& element, ml::TrainSpec* spec) {
  const pugi::xml_node node = Child(element, "validation");
  if (!node) return Status::Ok();
  ml::TimeSplit split;
  split.column = node.attribute("time-column").value();
  if (split.column.empty()) {
    return SpecError("<validation> needs time-column=\"...\" (a random holdout needs no <validation>: set "
                     "<param name=\"holdout\">)");
  }
  split.cutoff = Trim(node.attribute("cutoff").value());
  if (const auto fraction = node.attribute("fraction")) {
    if (!split.cutoff.empty()) return SpecError("<validation> takes cutoff or fraction, not both");
    double value = -1;
    if (!ml::ParseNumber(fraction.value(), &value) || value < 0.01 || value > 0.9) {
      return SpecError("<validation> fraction [" + std::string(fraction.value()) +
                       "] is out of range; expected a number in 0.01..0.9");
    }
    split.fraction = value;
  }
  spec->time_split = split;
  return Status::Ok();
}

Result<ParsedElement> ParseElement(const ActionContext& context, const pugi::xml_node& element) {
  ParsedElement parsed;
  ml::TrainSpec& spec = parsed.spec;
  for (const pugi::xml_node& input : Children(element, "input")) parsed.input_uris.push_back(NodeText(input));
  parsed.table = ChildText(element, "table");
  parsed.sql = ChildText(element, "sql");
  if (parsed.input_uris.empty() && parsed.table.empty() && parsed.sql.empty()) {
    return SpecError("<input> (a dataset directory or a CSV file) or <table> (a table of the metastore) is required, "
                     "or a <sql> statement over metastore tables");
  }
  const bool plain_name = std::all_of(parsed.table.begin(), parsed.table.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.';
  });
  if (!plain_name) {
    return SpecError("<table> [" + parsed.table + "] is not a table name (letters, digits, '_', optional 'db.')");
  }
  if (!parsed.input_uris.empty() && !parsed.table.empty() && parsed.sql.empty()) {
    return SpecError("<input> and <table> together need a <sql> statement that combines them");
  }
  REFINERY_RETURN_IF_ERROR(ParseValidation(element, &spec));
  spec.target = ChildText(element, "target");
  if (spec.target.empty()) return SpecError("<target> is required: the column to predict");
  spec.keep_frame = true;  // the holdout rows go into the bundle (holdout.jsonl)
  REFINERY_ASSIGN_OR_RETURN(spec.task, ml::ParseTask(ChildText(element, "task")));
  spec.positive_label = ChildText(element, "positive-label");
  for (const pugi::xml_node& exclude : Children(element, "exclude")) {
    for (const std::string& name : SplitList(NodeText(exclude))) spec.exclude.push_back(name);
  }
  for (const pugi::xml_node& node : Children(element, "column")) {
    REFINERY_ASSIGN_OR_RETURN(ml::ColumnSpec column, ParseColumn(node));
    spec.columns.push_back(std::move(column));
  }
  for (const pugi::xml_node& node : Children(element, "derive")) {
    const std::string name = node.attribute("name").value();
    if (name.empty()) return SpecError("<derive> needs a name attribute");
    spec.derived.push_back({name, NodeText(node)});
  }
  for (const pugi::xml_node& node : Children(element, "param")) {
    const std::string name = node.attribute("name").value();
    if (name.empty()) return SpecError("<param> needs a name attribute");
    spec.params[name] = NodeText(node);
  }
  parsed.model_dir = ChildText(element, "model-dir");
  if (parsed.model_dir.empty()) return SpecError("<model-dir> is required, e.g. /user/refinedzone/model");
  for (const std::string& uri : parsed.input_uris) {
    REFINERY_ASSIGN_OR_RETURN(auto local, context.files->Resolve(uri));
    spec.inputs.push_back(local.string());
  }
  return parsed;
}

// <sql> and <table> read through the SQL engine of the hive action: the
// datasets of <input> are the tables `input`, `input_2`, ...; metastore
// tables are visible by name. The statement's rows become the training frame.
Result<std::unique_ptr<sql::Session>> OpenSqlSource(const ActionContext& context, ParsedElement* parsed) {
  if (parsed->sql.empty() && parsed->table.empty()) return std::unique_ptr<sql::Session>();
  static const std::vector<SettingSpec> kSettings = {
      {kMetastoreSetting, "/user/hive/metastore", "", "directory (URI) holding metastore.db"},
      {kWarehouseSetting, "/user/hive/warehouse", "", "where managed tables keep their files"},
  };
  sql::SessionOptions options;
  options.files = context.files;
  options.metastore_uri = SettingValue(context, kSettings, kMetastoreSetting);
  options.warehouse_uri = SettingValue(context, kSettings, kWarehouseSetting);
  options.log = [&context](const std::string& line) { Report(context, line); };
  options.cancelled = [&context] { return context.cancel != nullptr && context.cancel->cancelled(); };
  REFINERY_ASSIGN_OR_RETURN(std::unique_ptr<sql::Session> session, sql::Session::Open(std::move(options)));
  const std::string query = parsed->sql.empty() ? "SELECT * FROM " + parsed->table : parsed->sql;
  if (!parsed->sql.empty()) {
    for (size_t i = 0; i < parsed->input_uris.size(); ++i) {
      const std::string table = i == 0 ? "input" : "input_" + std::to_string(i + 1);
      REFINERY_RETURN_IF_ERROR(session->RegisterDataset(table, parsed->input_uris[i]));
    }
  }
  sql::Session* raw = session.get();
  const std::string name = parsed->sql.empty() ? "table " + parsed->table : "<sql>";
  parsed->spec.sources.push_back({name, [raw, query, name](data::RowSink* sink) {
                                    const Status status = raw->Query(query, sink);
                                    if (status.ok() || status.code() == StatusCode::kCancelled) return status;
                                    return Status(status.code(), status.error_code(),
                                                  "train: reading " + name + " failed: " + status.message());
                                  }});
  return session;
}

// Rounds go to the engine's observers as progress; evaluated ones also to the log.
class ReportingObserver : public ml::TrainObserver {
 public:
  explicit ReportingObserver(const ActionContext& context) : context_(context) {}
  void OnLog(const std::string& line) override { Report(context_, line); }
  void OnRound(int round, int rounds, const std::string& evaluation) override {
    // "[9]\tholdout-auc:0.70" -> "holdout-auc:0.70".
    std::string metrics = evaluation.substr(std::min(evaluation.size(), evaluation.find(']') + 1));
    for (char& c : metrics) c = c == '\t' ? ' ' : c;
    while (!metrics.empty() && metrics.front() == ' ') metrics.erase(0, 1);
    const std::string detail = "round " + std::to_string(round) + "/" + std::to_string(rounds) +
                               (metrics.empty() ? "" : " " + metrics);
    // Every evaluated round, and about every 5 % of the others.
    const bool evaluated = !metrics.empty();
    if (context_.reporter != nullptr && (evaluated || round % std::max(1, rounds / 20) == 0)) {
      context_.reporter->Progress(static_cast<double>(round) / rounds, detail);
    }
    if (evaluated) Report(context_, detail);
  }
  bool Cancelled() override { return context_.cancel != nullptr && context_.cancel->cancelled(); }

 private:
  const ActionContext& context_;
};

nlohmann::json Lineage(const ActionContext& context, const ParsedElement& parsed, const ml::TrainResult& result) {
  nlohmann::json inputs = nlohmann::json::array();
  const bool from_files = parsed.spec.sources.empty();
  for (size_t i = 0; i < result.inputs.size(); ++i) {
    inputs.push_back({{"uri", from_files ? parsed.input_uris[i] : result.inputs[i].path},
                      {"rows", result.inputs[i].rows},
                      {"checksum", result.inputs[i].checksum}});
  }
  nlohmann::json preparation = nlohmann::json::object();
  if (!from_files) {
    preparation["inputs"] = parsed.input_uris;
    if (!parsed.table.empty()) preparation["table"] = parsed.table;
    if (!parsed.sql.empty()) preparation["sql"] = parsed.sql;
  }
  const Clock* clock = context.clock != nullptr ? context.clock : SystemClock();
  return {{"job_id", context.job_id},
          {"action_id", context.action_id},
          {"action_name", context.action_name},
          {"user", context.user},
          {"app_path", context.app_path},
          {"created", FormatIsoMillis(clock->Now())},
          {"inputs", inputs},
          {"preparation", preparation},
          {"spec_hash", ml::Sha256Of(context.action_xml)},
          {"params", result.params},
          {"libraries", {{"refinery", "0.1.0"}, {"xgboost", ml::XGBoostVersion()}}}};
}

// The holdout's raw rows with their target, for holdout.jsonl.
std::string HoldoutRows(const ml::TrainResult& trained, const std::string& target) {
  if (trained.frame == nullptr) return "";
  const int target_column = trained.frame->Find(target);
  std::string text;
  for (uint32_t row : trained.holdout) {
    nlohmann::json json = ml::RawRow(*trained.frame, row, trained.pipeline.inputs());
    if (target_column >= 0) {
      const ml::Value value = trained.frame->columns[target_column].At(row);
      json[target] = value.is_null() ? nlohmann::json() : value.is_number() ? nlohmann::json(value.number)
                                                                             : nlohmann::json(value.text);
    }
    text += json.dump() + "\n";
  }
  return text;
}

ActionResult ErrorResult(const Status& status) { return FromStatus(status, kTrainSpecCode); }

ActionResult RunTrain(ActionContext& context) {
  pugi::xml_document doc;
  auto element = ParseMlActionElement(context, "train", &doc);
  if (!element.ok()) return ErrorResult(element.status());
  auto parsed = ParseElement(context, *element);
  if (!parsed.ok()) return ErrorResult(parsed.status());
  auto session = OpenSqlSource(context, &*parsed);  // outlives training: the sources read through it
  if (!session.ok()) return ErrorResult(session.status());
  ReportingObserver observer(context);
  auto trained = ml::Train(parsed->spec, &observer);
  if (!trained.ok()) return ErrorResult(trained.status());
  ml::Bundle bundle;
  bundle.booster_json = std::move(trained->booster_json);
  bundle.pipeline = trained->pipeline.ToJson();
  bundle.pipeline["format_version"] = ml::kBundleFormatVersion;
  bundle.pipeline["target"] = trained->target.ToJson();
  bundle.metrics = trained->metrics;
  bundle.lineage = Lineage(context, *parsed, *trained);
  bundle.holdout_jsonl = HoldoutRows(*trained, parsed->spec.target);
  auto version = ml::PublishBundle(context.files, parsed->model_dir, bundle);
  if (!version.ok()) return ErrorResult(version.status());
  const std::string uri = ml::VersionUri(parsed->model_dir, *version);
  Report(context, "published model bundle " + uri);
  Properties data;
  data.Set("model_dir", parsed->model_dir);
  data.Set("version", std::to_string(*version));
  data.Set("bundle", uri);
  data.Set("task", trained->metrics.value("task", ""));
  data.Set("train_rows", std::to_string(trained->train_rows));
  data.Set("holdout_rows", std::to_string(trained->holdout_rows));
  for (const char* metric : {"auc", "pr_auc", "logloss", "accuracy", "f1", "macro_f1", "rmse", "mae", "r2"}) {
    const auto found = trained->metrics.find(metric);
    if (found != trained->metrics.end() && found->is_number()) data.Set(metric, ml::FormatNumber(found->get<double>()));
  }
  ActionResult result;
  result.data = FormatJavaProperties(data);
  return result;
}

}  // namespace

}  // namespace refinery::actions::internal

// The plugin's entry point (see train_action_loader.cc).
extern "C" void refinery_run_train_action(refinery::actions::ActionContext* context,
                                          refinery::actions::ActionResult* result) {
  *result = refinery::actions::internal::RunTrain(*context);
}
