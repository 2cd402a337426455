// The <score> action (uri:refinery:score-action:1.0): batch-scores a dataset
// with a model bundle — the latest version under <model-dir>, or <version> —
// and publishes id columns plus predictions (and optionally the top
// contributing features) as a raw-zone dataset that `export` can write back
// to a database. Built into the `ml` plugin with the train action.
#include <pugixml.hpp>

#include <cmath>
#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "actions/action.h"
#include "actions/ml_plugin_support.h"
#include "data/dataset.h"
#include "ml/bundle.h"
#include "ml/predictor.h"
#include "ml/value.h"

namespace refinery::actions::internal {
namespace {

constexpr char kScoreCode[] = "ML007";
constexpr size_t kBatchRows = 8192;

struct ScoreSpec {
  std::string input_uri, model_dir, output_uri;
  int version = 0;  // 0 = latest
  std::vector<std::string> id_columns;
  int contributions = 0;  // top features per row
};

Status SpecError(const std::string& what) { return Status::InvalidArgument("score: " + what, kScoreCode); }

Result<ScoreSpec> ParseScore(const pugi::xml_node& element) {
  ScoreSpec spec;
  spec.input_uri = ChildText(element, "input");
  spec.model_dir = ChildText(element, "model-dir");
  spec.output_uri = ChildText(element, "output");
  if (spec.input_uri.empty()) return SpecError("<input> is required: the dataset to score");
  if (spec.model_dir.empty()) return SpecError("<model-dir> is required: where the train action published");
  if (spec.output_uri.empty()) return SpecError("<output> is required: the dataset directory to write");
  const std::string version = ChildText(element, "version");
  if (!version.empty()) {
    double number = 0;
    if (!ml::ParseNumber(version, &number) || number < 1 || number != std::floor(number)) {
      return SpecError("<version> [" + version + "] is not a version number (1, 2, ...)");
    }
    spec.version = static_cast<int>(number);
  }
  for (const pugi::xml_node& id : Children(element, "id-column")) spec.id_columns.push_back(NodeText(id));
  const std::string top = ChildText(element, "contributions");
  if (!top.empty()) {
    double number = 0;
    if (!ml::ParseNumber(top, &number) || number < 1 || number > 100 || number != std::floor(number)) {
      return SpecError("<contributions> [" + top + "] is out of range; expected an integer in 1..100");
    }
    spec.contributions = static_cast<int>(number);
  }
  return spec;
}

// Shortest text that reads back as the same float (the model's precision).
std::string FloatText(double value) {
  const float f = static_cast<float>(value);
  char buffer[32];
  for (int precision = 1; precision <= 9; ++precision) {
    std::snprintf(buffer, sizeof(buffer), "%.*g", precision, static_cast<double>(f));
    if (std::strtof(buffer, nullptr) == f) break;
  }
  return buffer;
}

std::string TopFeatures(const ml::PredictedRow& row, int count) {
  std::string out;
  int written = 0;
  for (const auto& [name, value] : row.contributions) {
    if (written == count || name == "(bias)") break;
    char number[32];
    std::snprintf(number, sizeof(number), "%+.4g", value);
    out += (out.empty() ? "" : ";") + name + ":" + number;
    ++written;
  }
  return out;
}

// Reads rows, scores them in batches and writes the output rows.
class ScoringSink : public data::RowSink {
 public:
  ScoringSink(const ml::Predictor& predictor, const ScoreSpec& spec, data::DelimitedWriter* writer,
              const ActionContext& context)
      : predictor_(predictor), spec_(spec), writer_(writer), context_(context) {}

  Status OnColumns(const std::vector<data::Column>& columns) override {
    names_.clear();
    for (const data::Column& c : columns) names_.push_back(c.name);
    id_index_.clear();
    for (const std::string& id : spec_.id_columns) {
      const auto found = std::find(names_.begin(), names_.end(), id);
      if (found == names_.end()) return SpecError("id column '" + id + "' is not a column of " + spec_.input_uri);
      id_index_.push_back(static_cast<size_t>(found - names_.begin()));
    }
    return Status::Ok();
  }

  Status OnRow(const std::vector<data::Field>& row) override {
    nlohmann::json object = nlohmann::json::object();
    for (size_t i = 0; i < row.size(); ++i) {
      if (row[i].is_null) {
        object[names_[i]] = nullptr;
      } else {
        object[names_[i]] = std::string(row[i].text);
      }
    }
    std::vector<std::string> ids;
    for (size_t index : id_index_) ids.push_back(row[index].is_null ? std::string() : std::string(row[index].text));
    std::vector<bool> id_nulls;
    for (size_t index : id_index_) id_nulls.push_back(row[index].is_null);
    batch_.push_back(std::move(object));
    ids_.push_back(std::move(ids));
    id_nulls_.push_back(std::move(id_nulls));
    return batch_.size() >= kBatchRows ? Flush() : Status::Ok();
  }

  Status Flush() {
    if (batch_.empty()) return Status::Ok();
    if (context_.cancel != nullptr && context_.cancel->cancelled()) return Status::Cancelled("scoring was cancelled");
    auto predictions = predictor_.Predict(batch_, spec_.contributions > 0);
    if (!predictions.ok()) return predictions.status().WithContext("rows " + std::to_string(rows_ + 1) + "..");
    for (size_t r = 0; r < batch_.size(); ++r) {
      const ml::PredictedRow& p = (*predictions)[r];
      std::vector<std::string> texts = ids_[r];
      texts.push_back(predictor_.target().task == ml::Task::kRegression ? ml::FormatNumber(p.value) : FloatText(p.value));
      if (predictor_.target().task != ml::Task::kRegression) texts.push_back(p.label);
      if (spec_.contributions > 0) texts.push_back(TopFeatures(p, spec_.contributions));
      std::vector<data::Field> fields;
      for (size_t i = 0; i < texts.size(); ++i) {
        fields.push_back({texts[i], i < id_nulls_[r].size() && id_nulls_[r][i]});
      }
      REFINERY_RETURN_IF_ERROR(writer_->Write(fields, ++rows_));
    }
    batch_.clear();
    ids_.clear();
    id_nulls_.clear();
    return Status::Ok();
  }

  int64_t rows() const { return rows_; }

 private:
  const ml::Predictor& predictor_;
  const ScoreSpec& spec_;
  data::DelimitedWriter* writer_;
  const ActionContext& context_;
  std::vector<std::string> names_;
  std::vector<size_t> id_index_;
  std::vector<nlohmann::json> batch_;
  std::vector<std::vector<std::string>> ids_;
  std::vector<std::vector<bool>> id_nulls_;
  int64_t rows_ = 0;
};

Result<int> ChooseVersion(const ActionContext& context, const ScoreSpec& spec) {
  REFINERY_ASSIGN_OR_RETURN(std::vector<int> versions, ml::ListVersions(*context.files, spec.model_dir));
  if (versions.empty()) {
    return Status::NotFound("score: no published model version under " + spec.model_dir + "; run a <train> action first",
                            kScoreCode);
  }
  if (spec.version == 0) return versions.back();
  if (std::find(versions.begin(), versions.end(), spec.version) != versions.end()) return spec.version;
  std::string list;
  for (int v : versions) list += (list.empty() ? "" : ", ") + std::to_string(v);
  return Status::NotFound("score: version " + std::to_string(spec.version) + " is not published under " +
                              spec.model_dir + "; published versions: " + list,
                          kScoreCode);
}

std::vector<data::Column> OutputColumns(const data::DatasetSchema& input, const ScoreSpec& spec,
                                        const ml::Predictor& predictor) {
  std::vector<data::Column> columns;
  for (const std::string& id : spec.id_columns) {
    for (const data::Column& c : input.columns) {
      if (c.name == id) columns.push_back(c);
    }
  }
  const bool regression = predictor.target().task == ml::Task::kRegression;
  columns.push_back({regression ? "prediction" : "probability", "double", data::ValueType::kFloat});
  if (!regression) columns.push_back({"label", "text", data::ValueType::kText});
  if (spec.contributions > 0) columns.push_back({"top_features", "text", data::ValueType::kText});
  return columns;
}

Result<Properties> Score(ActionContext& context, const ScoreSpec& spec) {
  REFINERY_ASSIGN_OR_RETURN(const int version, ChooseVersion(context, spec));
  const std::string bundle_uri = ml::VersionUri(spec.model_dir, version);
  REFINERY_ASSIGN_OR_RETURN(auto bundle_path, context.files->Resolve(bundle_uri));
  REFINERY_ASSIGN_OR_RETURN(ml::Predictor predictor, ml::Predictor::Load(bundle_path));
  REFINERY_ASSIGN_OR_RETURN(auto input_path, context.files->Resolve(spec.input_uri));
  REFINERY_ASSIGN_OR_RETURN(data::DatasetReader reader, data::DatasetReader::Open(input_path.string()));
  Report(context, "scoring " + spec.input_uri + " with " + bundle_uri);

  data::DatasetSchema output;
  output.columns = OutputColumns(reader.schema(), spec, predictor);
  output.format.enclosed_by = '"';
  output.format.escaped_by = '\\';
  REFINERY_ASSIGN_OR_RETURN(fs::AtomicDirectory staging, fs::AtomicDirectory::Begin(context.files, spec.output_uri));
  data::DelimitedWriter writer(output.format, output.columns);
  REFINERY_RETURN_IF_ERROR(writer.Open((staging.staging_path() / "part-m-00000").string()));
  ScoringSink sink(predictor, spec, &writer, context);
  REFINERY_RETURN_IF_ERROR(reader.ReadAll(&sink));
  REFINERY_RETURN_IF_ERROR(sink.Flush());
  REFINERY_RETURN_IF_ERROR(writer.Close());
  output.rows = sink.rows();
  const std::string sidecar = FormatDatasetSchema(output, "refinery-score", "", bundle_uri, 1);
  REFINERY_RETURN_IF_ERROR(WriteTextFile(staging.staging_path() / "_schema.properties", sidecar));
  REFINERY_RETURN_IF_ERROR(staging.Commit());
  Report(context, "scored " + std::to_string(sink.rows()) + " rows into " + spec.output_uri);
  Properties data;
  data.Set("rows", std::to_string(sink.rows()));
  data.Set("output", spec.output_uri);
  data.Set("bundle", bundle_uri);
  data.Set("version", std::to_string(version));
  return data;
}

ActionResult RunScore(ActionContext& context) {
  pugi::xml_document doc;
  auto element = ParseMlActionElement(context, "score", &doc);
  if (!element.ok()) return FromStatus(element.status(), kScoreCode);
  auto spec = ParseScore(*element);
  if (!spec.ok()) return FromStatus(spec.status(), kScoreCode);
  auto data = Score(context, *spec);
  if (!data.ok()) return FromStatus(data.status(), kScoreCode);
  ActionResult result;
  result.data = FormatJavaProperties(*data);
  return result;
}

}  // namespace
}  // namespace refinery::actions::internal

extern "C" void refinery_run_score_action(refinery::actions::ActionContext* context,
                                          refinery::actions::ActionResult* result) {
  *result = refinery::actions::internal::RunScore(*context);
}
