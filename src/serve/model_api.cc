#include "serve/model_api.h"

#include <chrono>
#include <cmath>
#include <sstream>

#include "data/csv_text.h"
#include "serve/http_server.h"

namespace refinery::serve {
namespace {

constexpr char kApiCode[] = "API001";

std::vector<std::string> SplitPath(const std::string& path) {
  std::vector<std::string> parts;
  std::stringstream stream(path);
  for (std::string part; std::getline(stream, part, '/');) {
    if (!part.empty()) parts.push_back(part);
  }
  return parts;
}

HttpResponse Json(int status, const nlohmann::json& body) {
  HttpResponse response;
  response.status = status;
  response.body = body.dump();
  return response;
}

int StatusFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kFailedPrecondition:
      return 409;
    default:
      return 500;
  }
}

HttpResponse FromStatus(const Status& status) {
  return ErrorResponse(StatusFor(status), status.error_code().empty() ? kApiCode : status.error_code(),
                       status.message());
}

bool ParseVersion(const std::string& text, int* version) {
  if (text.empty() || text.size() > 9 || text.find_first_not_of("0123456789") != std::string::npos) return false;
  *version = std::stoi(text);
  return *version > 0;
}

std::string FormatScore(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.6g", value);
  return buffer;
}

// ---- prediction bodies ----

nlohmann::json PredictionJson(const ml::PredictedRow& row, const nlohmann::json& target, double threshold) {
  const std::string task = target.value("task", "binary");
  nlohmann::json out;
  if (task == "regression") {
    out["value"] = row.value;
  } else {
    out["label"] = row.label;
    out["probability"] = row.value;
    if (task == "binary") {
      out["threshold"] = threshold;
    } else {
      nlohmann::json by_label = nlohmann::json::object();
      const auto& labels = target.value("labels", nlohmann::json::array());
      for (size_t i = 0; i < row.probabilities.size() && i < labels.size(); ++i) by_label[labels[i].get<std::string>()] = row.probabilities[i];
      out["probabilities"] = by_label;
    }
  }
  return out;
}

nlohmann::json ExplanationJson(const ml::PredictedRow& row, size_t top) {
  nlohmann::json factors = nlohmann::json::array();
  double bias = 0;
  for (const auto& [feature, contribution] : row.contributions) {
    if (feature == "(bias)") {
      bias = contribution;
    } else if (factors.size() < top) {
      factors.push_back({{"feature", feature}, {"contribution", contribution}});
    }
  }
  return {{"factors", factors}, {"bias", bias}};
}

nlohmann::json ProblemJson(size_t row, const ml::FieldProblem& problem, bool with_row) {
  nlohmann::json out = {{"field", problem.field}, {"problem", problem.problem}, {"message", problem.message}};
  if (with_row) out["row"] = row;
  return out;
}

HttpResponse FieldErrors(const std::string& model, int version, const nlohmann::json& errors) {
  HttpResponse response = Json(400, {{"httpStatusCode", 400},
                                     {"errorMessage", "the input does not match the model's schema; see errors"},
                                     {"model", model},
                                     {"version", version},
                                     {"errors", errors}});
  response.headers.emplace_back("oozie-error-code", "API002");
  response.headers.emplace_back("oozie-error-message", "the input does not match the model's schema");
  return response;
}

void NameModel(const LoadedModel& model, HttpResponse* response) {
  response->headers.emplace_back("X-Refinery-Model", model.record.model);
  response->headers.emplace_back("X-Refinery-Model-Version", std::to_string(model.record.version));
}

// CSV rows as the JSON objects a scorer reads: empty fields are null; other
// values stay text (numeric inputs read text as numbers).
std::vector<nlohmann::json> CsvRows(const std::vector<std::vector<std::string>>& records) {
  std::vector<nlohmann::json> rows;
  const std::vector<std::string>& header = records.front();
  for (size_t r = 1; r < records.size(); ++r) {
    nlohmann::json row = nlohmann::json::object();
    for (size_t c = 0; c < header.size(); ++c) {
      const std::string value = c < records[r].size() ? records[r][c] : "";
      row[header[c]] = value.empty() ? nlohmann::json() : nlohmann::json(value);
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace

nlohmann::json InputSchema(const nlohmann::json& pipeline) {
  std::map<std::string, nlohmann::json> features;
  for (const nlohmann::json& transform : pipeline.value("transforms", nlohmann::json::array())) {
    if (transform.value("step", "") != "encode") continue;
    for (const nlohmann::json& feature : transform.value("features", nlohmann::json::array())) {
      if (feature.value("source", "input") == "input") features[feature.value("name", "")] = feature;
    }
  }
  nlohmann::json properties = nlohmann::json::object();
  nlohmann::json required = nlohmann::json::array();
  for (const nlohmann::json& input : pipeline.value("inputs", nlohmann::json::array())) {
    const std::string name = input.value("name", "");
    const bool numeric = input.value("type", "numeric") == "numeric";
    nlohmann::json property = {{"type", nlohmann::json::array({numeric ? "number" : "string", "null"})}};
    const auto found = features.find(name);
    if (found != features.end()) {
      const nlohmann::json& feature = found->second;
      if (feature.contains("range") && feature["range"].is_array() && feature["range"].size() == 2) {
        property["minimum"] = feature["range"][0];
        property["maximum"] = feature["range"][1];
      }
      if (feature.value("type", "") == "categorical") {
        nlohmann::json categories = nlohmann::json::array();
        for (const nlohmann::json& category : feature.value("categories", nlohmann::json::array())) {
          if (category != "__rare__") categories.push_back(category);
        }
        property["examples"] = categories;
        property["x-unseen"] = feature.value("unseen", "missing");
        if (feature.value("unseen", "") == "error") property["enum"] = categories;
      }
    }
    properties[name] = property;
    required.push_back(name);
  }
  return {{"type", "object"}, {"properties", properties}, {"required", required}, {"additionalProperties", false}};
}

ModelApi::ModelApi(registry::Registry* models, ModelHost* host, ModelApiOptions options)
    : models_(models), host_(host), options_(std::move(options)) {}

std::string ModelApi::RouteOf(const std::string& path) {
  // Labels come from a fixed set, so odd paths cannot grow the metrics.
  const std::vector<std::string> parts = SplitPath(path);  // api v1 ...
  if (parts.size() == 3 && (parts[2] == "models" || parts[2] == "openapi.json")) return path;
  if (parts.size() < 4 || parts[2] != "models") return "/api/v1/other";
  static const char* const kActions[] = {"predict", "predict.csv", "promote", "rollback", "log", "diff"};
  const std::string base = "/api/v1/models/{name}";
  if (parts.size() == 4) return base;
  if (parts.size() == 5) {
    for (const char* action : kActions) {
      if (parts[4] == action) return base + "/" + action;
    }
  }
  if (parts.size() >= 6 && parts[4] == "versions") {
    if (parts.size() == 6) return base + "/versions/{version}";
    if (parts.size() == 7 && (parts[6] == "predict" || parts[6] == "predict.csv")) {
      return base + "/versions/{version}/" + parts[6];
    }
  }
  return "/api/v1/other";
}

HttpResponse ModelApi::Handle(const HttpRequest& request) {
  const std::vector<std::string> parts = SplitPath(request.path);  // api v1 ...
  if (parts.size() == 3 && parts[2] == "openapi.json" && request.method == "GET") return OpenApi();
  if (parts.size() == 3 && parts[2] == "models" && request.method == "GET") {
    auto listed = models_->ListModels();
    if (!listed.ok()) return FromStatus(listed.status());
    nlohmann::json models = nlohmann::json::array();
    for (const registry::ModelSummary& summary : *listed) models.push_back(registry::SummaryJson(summary));
    return Json(200, {{"models", models}});
  }
  if (parts.size() >= 4 && parts[2] == "models") return HandleModel(request, parts);
  return ErrorResponse(404, kApiCode, "nothing at " + request.path + "; the API is described at /api/v1/openapi.json");
}

HttpResponse ModelApi::HandleModel(const HttpRequest& request, const std::vector<std::string>& parts) {
  const std::string& name = parts[3];
  const std::string action = parts.size() > 4 ? parts[4] : "";
  const bool post = request.method == "POST";
  if (parts.size() == 4 && !post) {
    auto versions = models_->Versions(name);
    if (!versions.ok()) return FromStatus(versions.status());
    auto log = models_->Log(name, 50);
    if (!log.ok()) return FromStatus(log.status());
    nlohmann::json body = {{"name", name}, {"versions", nlohmann::json::array()}, {"log", nlohmann::json::array()}};
    for (const auto& record : *versions) body["versions"].push_back(registry::VersionJson(record));
    for (const auto& event : *log) body["log"].push_back(registry::EventJson(event));
    const auto serving = host_->Production(name);
    body["serving"] = serving ? nlohmann::json(serving->record.version) : nlohmann::json();
    if (serving) body["inputSchema"] = InputSchema(serving->scorer->pipeline());
    return Json(200, body);
  }
  if (parts.size() == 5 && (action == "predict" || action == "predict.csv") && post) {
    return Predict(request, name, 0, action == "predict.csv");
  }
  if (parts.size() == 5 && (action == "promote" || action == "rollback") && post) {
    return ChangeStage(request, name, action == "rollback");
  }
  if (parts.size() == 5 && action == "log" && !post) {
    auto log = models_->Log(name, 1000);
    if (!log.ok()) return FromStatus(log.status());
    nlohmann::json events = nlohmann::json::array();
    for (const auto& event : *log) events.push_back(registry::EventJson(event));
    return Json(200, {{"name", name}, {"log", events}});
  }
  if (parts.size() == 5 && action == "diff" && !post) {
    int a = 0, b = 0;
    if (!ParseVersion(request.Query("a"), &a) || !ParseVersion(request.Query("b"), &b)) {
      return ErrorResponse(400, kApiCode, "diff needs ?a=<version>&b=<version>, e.g. ?a=1&b=2");
    }
    auto diff = models_->Diff(name, a, b);
    if (!diff.ok()) return FromStatus(diff.status());
    return Json(200, *diff);
  }
  if (parts.size() >= 6 && action == "versions") {
    int version = 0;
    if (!ParseVersion(parts[5], &version)) {
      return ErrorResponse(400, kApiCode, "[" + parts[5] + "] is not a version number (1, 2, ...)");
    }
    if (parts.size() == 6 && !post) {
      auto record = models_->Version(name, version);
      if (!record.ok()) return FromStatus(record.status());
      return Json(200, registry::VersionJson(*record));
    }
    if (parts.size() == 7 && (parts[6] == "predict" || parts[6] == "predict.csv") && post) {
      return Predict(request, name, version, parts[6] == "predict.csv");
    }
  }
  return ErrorResponse(post ? 405 : 404, kApiCode,
                       request.method + " " + request.path + " is not an operation; see /api/v1/openapi.json");
}

HttpResponse ModelApi::Predict(const HttpRequest& request, const std::string& name, int version, bool csv) {
  const auto began = std::chrono::steady_clock::now();
  auto elapsed = [&began] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count(); };
  std::shared_ptr<const LoadedModel> model;
  if (version == 0) {
    model = host_->Production(name);
    if (!model) {
      auto known = models_->Versions(name);
      if (!known.ok()) return FromStatus(known.status());
      return ErrorResponse(503, "API003", "model [" + name +
                                              "] has no production version being served; promote one with "
                                              "`refinery models promote " + name + " <version>`");
    }
  } else {
    auto pinned = host_->Version(name, version);
    if (!pinned.ok()) return FromStatus(pinned.status());
    model = *pinned;
  }
  // Everything below runs on `model`, even if a swap happens meanwhile.
  std::vector<nlohmann::json> rows;
  std::vector<std::vector<std::string>> records;
  bool single = false;
  if (csv) {
    if (!data::ParseCsvText(request.body, &records) || records.empty()) {
      return ErrorResponse(400, kApiCode, "the body is not a CSV file with a header line (an unterminated quote?)");
    }
    rows = CsvRows(records);
  } else {
    nlohmann::json body = nlohmann::json::parse(request.body, nullptr, /*allow_exceptions=*/false);
    if (body.is_discarded()) {
      return ErrorResponse(400, kApiCode, "the body is not JSON; send one object of input fields or an array of them");
    }
    single = body.is_object();
    if (single) {
      rows.push_back(std::move(body));
    } else if (body.is_array()) {
      rows.reserve(body.size());
      for (nlohmann::json& row : body) rows.push_back(std::move(row));
    } else {
      return ErrorResponse(400, kApiCode, "send one JSON object of input fields or an array of them");
    }
  }
  if (rows.empty()) return ErrorResponse(400, kApiCode, "no rows to score");
  if (rows.size() > options_.max_batch_rows) {
    return ErrorResponse(413, kApiCode, std::to_string(rows.size()) + " rows exceed the limit of " +
                                            std::to_string(options_.max_batch_rows) + " per request; split the batch");
  }
  nlohmann::json errors = nlohmann::json::array();
  std::vector<std::vector<ml::FieldProblem>> warnings(rows.size());
  for (size_t r = 0; r < rows.size() && errors.size() < 100; ++r) {
    ml::RowCheck check = model->scorer->Check(rows[r], /*allow_extra_fields=*/csv);
    // CSV rows are numbered as lines of the file (the header is line 1).
    for (const ml::FieldProblem& problem : check.errors) errors.push_back(ProblemJson(csv ? r + 2 : r, problem, !single));
    warnings[r] = std::move(check.warnings);
  }
  if (!errors.empty()) {
    host_->RecordOutcome(*model, false, {}, elapsed());
    return FieldErrors(name, model->record.version, errors);
  }
  const bool explain = request.Query("explain") == "true";
  auto predicted = model->scorer->Predict(rows, explain);
  if (!predicted.ok()) {
    host_->RecordOutcome(*model, false, {}, elapsed());
    return FromStatus(predicted.status());
  }
  std::vector<double> scores;
  for (const ml::PredictedRow& row : *predicted) scores.push_back(row.value);
  host_->RecordOutcome(*model, true, scores, elapsed());
  const nlohmann::json& target = model->scorer->pipeline().at("target");
  const double threshold = model->scorer->metrics().value("threshold", 0.5);
  HttpResponse response;
  NameModel(*model, &response);
  if (csv) {
    const bool classification = target.value("task", "binary") != "regression";
    std::string out;
    for (size_t c = 0; c < records.front().size(); ++c) out += (c ? "," : "") + data::CsvField(records.front()[c]);
    out += classification ? ",predicted_label,probability,model_version\n" : ",predicted_value,model_version\n";
    for (size_t r = 0; r < predicted->size(); ++r) {
      const std::vector<std::string>& record = records[r + 1];
      for (size_t c = 0; c < records.front().size(); ++c) {
        out += (c ? "," : "") + data::CsvField(c < record.size() ? record[c] : "");
      }
      const ml::PredictedRow& row = (*predicted)[r];
      out += classification ? "," + data::CsvField(row.label) + "," + FormatScore(row.value) : "," + FormatScore(row.value);
      out += "," + std::to_string(model->record.version) + "\n";
    }
    response.content_type = "text/csv;charset=UTF-8";
    response.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + name + "-scored.csv\"");
    response.body = std::move(out);
    return response;
  }
  nlohmann::json results = nlohmann::json::array();
  for (size_t r = 0; r < predicted->size(); ++r) {
    nlohmann::json result = PredictionJson((*predicted)[r], target, threshold);
    if (!warnings[r].empty()) {
      nlohmann::json list = nlohmann::json::array();
      for (const ml::FieldProblem& problem : warnings[r]) list.push_back(ProblemJson(r, problem, false));
      result["warnings"] = list;
    }
    if (explain) result["explanation"] = ExplanationJson((*predicted)[r], 10);
    results.push_back(std::move(result));
  }
  nlohmann::json body = {{"model", name}, {"version", model->record.version}};
  if (single) {
    body["prediction"] = std::move(results[0]);
  } else {
    body["predictions"] = std::move(results);
  }
  response.body = body.dump();
  return response;
}

HttpResponse ModelApi::ChangeStage(const HttpRequest& request, const std::string& name, bool rollback) {
  nlohmann::json body = request.body.empty() ? nlohmann::json::object()
                                             : nlohmann::json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) {
    return ErrorResponse(400, kApiCode, "send a JSON object: {\"version\": N, \"reason\": \"...\"}");
  }
  const nlohmann::json version_field = body.value("version", nlohmann::json());
  int version = 0;
  if (!version_field.is_null() && (!version_field.is_number_integer() || version_field.get<int>() < 1)) {
    return ErrorResponse(400, kApiCode, "\"version\" must be a version number (1, 2, ...)");
  }
  if (version_field.is_number_integer()) version = version_field.get<int>();
  if (!rollback && version == 0) return ErrorResponse(400, kApiCode, "promote needs \"version\": the version to serve");
  const std::string reason = body.value("reason", rollback ? "rolled back through the API" : "promoted through the API");
  auto changed = rollback ? models_->Rollback(name, version, "api-token", reason)
                          : models_->Promote(name, version, "api-token", reason);
  if (!changed.ok()) return FromStatus(changed.status());
  host_->Refresh();
  return Json(200, registry::VersionJson(*changed));
}

HttpResponse ModelApi::OpenApi() {
  nlohmann::json schemas = nlohmann::json::object();
  nlohmann::json paths = nlohmann::json::object();
  const nlohmann::json error_schema = {{"$ref", "#/components/schemas/FieldErrors"}};
  auto listed = models_->ListModels();
  if (!listed.ok()) return FromStatus(listed.status());
  for (const registry::ModelSummary& summary : *listed) {
    const auto serving = host_->Production(summary.name);
    if (!serving) continue;
    const std::string input = summary.name + "Input";
    schemas[input] = InputSchema(serving->scorer->pipeline());
    const nlohmann::json one_or_many = {
        {"oneOf", {{{"$ref", "#/components/schemas/" + input}},
                   {{"type", "array"}, {"items", {{"$ref", "#/components/schemas/" + input}}}}}}};
    paths["/api/v1/models/" + summary.name + "/predict"]["post"] = {
        {"summary", "Predict with the production version of " + summary.name},
        {"parameters", {{{"name", "explain"}, {"in", "query"}, {"schema", {{"type", "boolean"}}}}}},
        {"requestBody", {{"required", true}, {"content", {{"application/json", {{"schema", one_or_many}}}}}}},
        {"responses",
         {{"200", {{"description", "predictions, naming the model and version"},
                   {"content", {{"application/json", {{"schema", {{"$ref", "#/components/schemas/Prediction"}}}}}}}}},
          {"400", {{"description", "field errors"}, {"content", {{"application/json", {{"schema", error_schema}}}}}}}}}};
    paths["/api/v1/models/" + summary.name + "/predict.csv"]["post"] = {
        {"summary", "Score a CSV file (header line, one row per lead) with " + summary.name},
        {"requestBody", {{"required", true}, {"content", {{"text/csv", {{"schema", {{"type", "string"}}}}}}}}},
        {"responses", {{"200", {{"description", "the rows with predicted_label, probability, model_version"}}},
                       {"400", {{"description", "field errors"}}}}}};
  }
  schemas["Prediction"] = {{"type", "object"},
                           {"properties",
                            {{"model", {{"type", "string"}}},
                             {"version", {{"type", "integer"}}},
                             {"prediction", {{"type", "object"}}},
                             {"predictions", {{"type", "array"}, {"items", {{"type", "object"}}}}}}}};
  schemas["FieldErrors"] = {
      {"type", "object"},
      {"properties",
       {{"errorMessage", {{"type", "string"}}},
        {"errors", {{"type", "array"},
                    {"items", {{"type", "object"},
                               {"properties", {{"row", {{"type", "integer"}}},
                                               {"field", {{"type", "string"}}},
                                               {"problem", {{"type", "string"}}},
                                               {"message", {{"type", "string"}}}}}}}}}}}};
  paths["/api/v1/models"]["get"] = {{"summary", "Registered models"}, {"responses", {{"200", {{"description", "models"}}}}}};
  paths["/api/v1/models/{name}"]["get"] = {
      {"summary", "A model's versions, deployment log and input schema"},
      {"parameters", {{{"name", "name"}, {"in", "path"}, {"required", true}, {"schema", {{"type", "string"}}}}}},
      {"responses", {{"200", {{"description", "the model"}}}, {"404", {{"description", "unknown model"}}}}}};
  for (const char* change : {"promote", "rollback"}) {
    paths[std::string("/api/v1/models/{name}/") + change]["post"] = {
        {"summary", std::string(change) + " a version (needs the server token)"},
        {"security", {{{"bearer", nlohmann::json::array()}}}},
        {"parameters", {{{"name", "name"}, {"in", "path"}, {"required", true}, {"schema", {{"type", "string"}}}}}},
        {"requestBody",
         {{"content",
           {{"application/json",
             {{"schema", {{"type", "object"},
                          {"properties", {{"version", {{"type", "integer"}}}, {"reason", {{"type", "string"}}}}}}}}}}}}},
        {"responses", {{"200", {{"description", "the version now in production"}}},
                       {"401", {{"description", "token missing or wrong"}}}}}};
  }
  nlohmann::json document = {
      {"openapi", "3.0.3"},
      {"info", {{"title", "Refinery models and predictions"}, {"version", "1"}}},
      {"paths", paths},
      {"components",
       {{"schemas", schemas}, {"securitySchemes", {{"bearer", {{"type", "http"}, {"scheme", "bearer"}}}}}}}};
  if (!options_.server_url.empty()) document["servers"] = {{{"url", options_.server_url}}};
  return Json(200, document);
}

}  // namespace refinery::serve
