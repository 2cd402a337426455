// `refinery models ...`: the registry verbs, run in-process on the data home
// (a running server sees the change within its follow interval and swaps).
#include <fmt/format.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "cli/data_home.h"
#include "core/log.h"
#include "core/time_format.h"
#include "serve/model_api.h"
#include "serve/model_host.h"

namespace refinery::cli {
namespace {

std::string Metric(const std::string& metrics_json) {
  const nlohmann::json metrics = nlohmann::json::parse(metrics_json, nullptr, false);
  if (!metrics.is_object()) return "";
  std::string out;
  for (const char* key : {"auc", "pr_auc", "accuracy", "f1", "macro_f1", "rmse", "r2"}) {
    if (metrics.contains(key) && metrics[key].is_number()) out += fmt::format("{}={:.4f} ", key, metrics[key].get<double>());
  }
  return out;
}

std::string Time(int64_t millis) { return millis == 0 ? "-" : FormatOozieTime(FromEpochMillis(millis)); }

int List(registry::Registry& models, bool json) {
  auto listed = models.ListModels();
  if (!listed.ok()) return PrintError(listed.status());
  if (json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& summary : *listed) out.push_back(registry::SummaryJson(summary));
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
  }
  std::printf("%-32s %9s %8s %11s  %s\n", "Model", "Versions", "Latest", "Production", "Updated");
  for (const auto& summary : *listed) {
    std::printf("%-32s %9d %8d %11s  %s\n", summary.name.c_str(), summary.versions, summary.latest_version,
                summary.production_version == 0 ? "-" : std::to_string(summary.production_version).c_str(),
                Time(summary.updated_ms).c_str());
  }
  return 0;
}

int Show(registry::Registry& models, const std::string& name, bool json) {
  auto versions = models.Versions(name);
  if (!versions.ok()) return PrintError(versions.status());
  auto log = models.Log(name, 20);
  if (!log.ok()) return PrintError(log.status());
  if (json) {
    nlohmann::json out = {{"name", name}, {"versions", nlohmann::json::array()}, {"log", nlohmann::json::array()}};
    for (const auto& record : *versions) out["versions"].push_back(registry::VersionJson(record));
    for (const auto& event : *log) out["log"].push_back(registry::EventJson(event));
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
  }
  std::printf("Model %s\n\n%-8s %-11s %-18s %s\n", name.c_str(), "Version", "Stage", "Registered", "Metrics");
  for (const auto& record : *versions) {
    std::printf("%-8d %-11s %-18s %s  %s\n", record.version, record.stage.c_str(), Time(record.created_ms).c_str(),
                Metric(record.metrics).c_str(), record.bundle_uri.c_str());
  }
  std::printf("\nDeployment log (newest first)\n");
  for (const auto& event : *log) {
    const std::string was = event.previous_version > 0 ? "(was v" + std::to_string(event.previous_version) + ")" : "";
    std::printf("%s  %-17s v%-3d %-9s by %s: %s\n", Time(event.created_ms).c_str(), event.kind.c_str(), event.version,
                was.c_str(), event.actor.c_str(), event.reason.c_str());
  }
  return 0;
}

int Diff(registry::Registry& models, const ModelsOptions& options) {
  auto diff = models.Diff(options.name, options.version, options.other_version);
  if (!diff.ok()) return PrintError(diff.status());
  if (options.json) {
    std::printf("%s\n", diff->dump(2).c_str());
    return 0;
  }
  std::printf("%-20s %14s %14s %14s\n", "Metric", ("v" + std::to_string(options.version)).c_str(),
              ("v" + std::to_string(options.other_version)).c_str(), "Change");
  for (const auto& [metric, row] : (*diff)["metrics"].items()) {
    auto cell = [](const nlohmann::json& value) {
      return value.is_number() ? fmt::format("{:.6g}", value.get<double>()) : std::string("-");
    };
    std::printf("%-20s %14s %14s %14s\n", metric.c_str(), cell(row["a"]).c_str(), cell(row["b"]).c_str(),
                cell(row.value("change", nlohmann::json())).c_str());
  }
  if (!(*diff)["lineage"].empty()) std::printf("\nLineage that differs:\n%s\n", (*diff)["lineage"].dump(2).c_str());
  return 0;
}

void PrintStage(const store::ModelVersionRecord& record, const char* what) {
  std::printf("%s: model %s version %d is %s\n", what, record.model.c_str(), record.version, record.stage.c_str());
}

}  // namespace

int RunModelsCommand(const GlobalOptions& global, const ModelsOptions& options) {
  if (!global.oozie_url.empty()) {
    std::fprintf(stderr, "Error: `refinery models` works on the data home (--home); for a remote server use its "
                         "API: /api/v1/models\n");
    return 2;
  }
  auto home = OpenDataHome(ResolveHomePath(global.home), OpenOptions{});
  if (!home.ok()) return PrintError(home.status());
  registry::Registry& models = *(*home)->models;
  const std::string actor = "cli";
  if (options.verb == "list") return List(models, options.json);
  if (options.verb == "show") return Show(models, options.name, options.json);
  if (options.verb == "diff") return Diff(models, options);
  if (options.verb == "register") {
    auto registered = models.Register(options.name, options.bundle, actor, options.reason);
    if (!registered.ok()) return PrintError(registered.status());
    PrintStage(*registered, "registered");
    if (!options.promote) return 0;
    auto promoted = models.Promote(options.name, registered->version, actor,
                                   options.reason.empty() ? "registered with --promote" : options.reason);
    if (!promoted.ok()) return PrintError(promoted.status());
    PrintStage(*promoted, "promoted");
    return 0;
  }
  if (options.verb == "promote") {
    auto promoted = models.Promote(options.name, options.version, actor,
                                   options.reason.empty() ? "promoted from the CLI" : options.reason);
    if (!promoted.ok()) return PrintError(promoted.status());
    PrintStage(*promoted, "promoted");
    return 0;
  }
  if (options.verb == "rollback") {
    auto restored = models.Rollback(options.name, options.other_version, actor,
                                    options.reason.empty() ? "rolled back from the CLI" : options.reason);
    if (!restored.ok()) return PrintError(restored.status());
    PrintStage(*restored, "rolled back");
    return 0;
  }
  std::fprintf(stderr, "Error: unknown models verb [%s]; see refinery models --help\n", options.verb.c_str());
  return 2;
}



int RunPredictCommand(const GlobalOptions& global, const PredictOptions& options) {
  auto home = OpenDataHome(ResolveHomePath(global.home), OpenOptions{});
  if (!home.ok()) return PrintError(home.status());
  std::stringstream body;
  if (options.file.empty() || options.file == "-") {
    body << std::cin.rdbuf();
  } else {
    std::ifstream in(options.file);
    if (!in) return PrintError(Status::NotFound("cannot read [" + options.file + "]; give a JSON or .csv file, or - for stdin"));
    body << in.rdbuf();
  }
  SetLogLevel(LogLevel::kWarn);  // the model host's progress lines are for servers
  const bool csv = options.csv || (options.file.size() > 4 && options.file.compare(options.file.size() - 4, 4, ".csv") == 0);
  serve::ModelHostOptions host_options;
  host_options.may_roll_back = false;
  serve::ModelHost host((*home)->models.get(), (*home)->store.get(), nullptr, host_options);
  if (Status started = host.Start(); !started.ok()) return PrintError(started);
  serve::ModelApi api((*home)->models.get(), &host, serve::ModelApiOptions{});
  serve::HttpRequest request;
  request.method = "POST";
  request.path = "/api/v1/models/" + options.model +
                 (options.version > 0 ? "/versions/" + std::to_string(options.version) : std::string()) +
                 (csv ? "/predict.csv" : "/predict");
  if (options.explain) request.query["explain"] = "true";
  request.body = body.str();
  const serve::HttpResponse response = api.Handle(request);
  host.Stop();
  if (response.status == 200) {
    std::printf("%s%s", response.body.c_str(), csv ? "" : "\n");
    return 0;
  }
  // The API's error body says what is wrong, field by field.
  std::fprintf(stderr, "Error: %s\n", response.body.c_str());
  return response.status >= 500 ? 1 : 2;
}

}  // namespace refinery::cli