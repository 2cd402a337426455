#include "registry/registry.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "core/time_format.h"

namespace refinery::registry {
namespace {

// A store conflict means another writer changed the model between our read
// and our write; a few fresh attempts settle any realistic contention.
constexpr int kConflictAttempts = 5;

int64_t NowMs() { return ToEpochMillis(SystemClock()->Now()); }

Status UnknownModel(const std::string& model) {
  return Status::NotFound("model [" + model + "] is not registered; `refinery models list` shows the registered ones",
                          kUnknownModelCode);
}

Status UnknownVersion(const std::string& model, int version) {
  return Status::NotFound("model [" + model + "] has no version " + std::to_string(version) +
                              "; `refinery models show " + model + "` lists its versions",
                          kUnknownModelCode);
}

// Curves and importance stay in the bundle's metrics.json; the registry keeps
// the numbers people compare versions by.
nlohmann::json HeadlineMetrics(const nlohmann::json& metrics) {
  nlohmann::json headline = nlohmann::json::object();
  for (const auto& [key, value] : metrics.items()) {
    if (value.is_number() || value.is_string()) headline[key] = value;
  }
  if (metrics.contains("rows")) headline["rows"] = metrics["rows"];
  return headline;
}

Result<nlohmann::json> ReadJsonFile(const fs::FileSystem& files, const std::string& uri) {
  REFINERY_ASSIGN_OR_RETURN(std::string text, files.ReadFile(uri));
  nlohmann::json json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) {
    return Status::InvalidArgument(uri + ": is not a JSON object; is this a model bundle written by the train action?",
                                   kRegistryCode);
  }
  return json;
}

std::string TrimSlash(std::string uri) {
  while (uri.size() > 1 && uri.back() == '/') uri.pop_back();
  return uri;
}

const store::ModelVersionRecord* FindVersion(const std::vector<store::ModelVersionRecord>& versions, int version) {
  for (const auto& record : versions) {
    if (record.version == version) return &record;
  }
  return nullptr;
}

const store::ModelVersionRecord* FindProduction(const std::vector<store::ModelVersionRecord>& versions) {
  for (const auto& record : versions) {
    if (record.stage == kProduction) return &record;
  }
  return nullptr;
}

// The model's versions and the id of its newest event, read together so a
// write can be guarded against changes made after this read.
struct ModelState {
  std::vector<store::ModelVersionRecord> versions;
  std::vector<store::ModelEventRecord> events;  // newest first
  int64_t last_event_id = 0;
};

Result<ModelState> ReadModelState(store::Store* store, const std::string& model, int event_limit) {
  ModelState state;
  // Events first: a version written after this read comes with a newer event,
  // which the guard then catches.
  REFINERY_ASSIGN_OR_RETURN(state.events, store->ListModelEvents(model, event_limit));
  if (!state.events.empty()) state.last_event_id = state.events.front().id;
  REFINERY_ASSIGN_OR_RETURN(state.versions, store->ListModelVersions(model));
  return state;
}

template <typename Change>
auto WithRetries(Change change) -> decltype(change()) {
  for (int attempt = 1;; ++attempt) {
    auto result = change();
    if (result.ok() || result.status().error_code() != store::kStoreConflictCode || attempt == kConflictAttempts) {
      return result;
    }
  }
}

store::WriteBatch GuardedBatch(const std::string& model, const ModelState& state) {
  store::WriteBatch batch;
  batch.guarded_model = model;
  batch.last_model_event_id = state.last_event_id;
  return batch;
}

}  // namespace

Status ValidateModelName(const std::string& name) {
  const bool valid_chars = std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
  });
  if (name.empty() || name.size() > 64 || !valid_chars || !std::isalnum(static_cast<unsigned char>(name[0]))) {
    return Status::InvalidArgument("model name [" + name +
                                       "] is not valid: use 1-64 letters, digits, '_', '.' or '-', starting with a "
                                       "letter or digit (e.g. bank-marketing)",
                                   kRegistryCode);
  }
  return Status::Ok();
}

Registry::Registry(store::Store* store, const fs::FileSystem* files) : store_(store), files_(files) {}

Result<std::filesystem::path> Registry::BundlePath(const store::ModelVersionRecord& record) const {
  return files_->Resolve(record.bundle_uri);
}

Result<store::ModelVersionRecord> Registry::Register(const std::string& model, const std::string& bundle_uri,
                                                     const std::string& actor, const std::string& reason) {
  REFINERY_RETURN_IF_ERROR(ValidateModelName(model));
  const std::string uri = TrimSlash(bundle_uri);
  REFINERY_ASSIGN_OR_RETURN(bool complete, files_->Exists(uri + "/_SUCCESS"));
  if (!complete) {
    return Status::InvalidArgument("bundle [" + uri +
                                       "] is not a published model bundle (no _SUCCESS); give a v<N> directory the "
                                       "train action published",
                                   kRegistryCode);
  }
  REFINERY_ASSIGN_OR_RETURN(nlohmann::json metrics, ReadJsonFile(*files_, uri + "/metrics.json"));
  REFINERY_ASSIGN_OR_RETURN(nlohmann::json lineage, ReadJsonFile(*files_, uri + "/lineage.json"));
  return WithRetries([&]() -> Result<store::ModelVersionRecord> {
    REFINERY_ASSIGN_OR_RETURN(ModelState state, ReadModelState(store_, model, 1));
    store::ModelVersionRecord record;
    record.model = model;
    record.version = state.versions.empty() ? 1 : state.versions.back().version + 1;
    record.bundle_uri = uri;
    record.stage = kCandidate;
    record.metrics = HeadlineMetrics(metrics).dump();
    record.lineage = lineage.dump();
    record.registered_by = actor;
    record.created_ms = record.stage_changed_ms = NowMs();
    store::WriteBatch batch = GuardedBatch(model, state);
    batch.model_versions.push_back(record);
    batch.model_events.push_back({.model = model,
                                  .version = record.version,
                                  .kind = "registered",
                                  .actor = actor,
                                  .reason = reason.empty() ? "bundle " + uri : reason,
                                  .created_ms = record.created_ms});
    REFINERY_RETURN_IF_ERROR(store_->Apply(batch));
    return record;
  });
}

namespace {

// Makes `version` production in one guarded batch: the former production
// version is archived and the log gets a `kind` event naming it.
Result<store::ModelVersionRecord> MakeProduction(store::Store* store, const std::string& model, ModelState& state,
                                                 int version, const std::string& kind, const std::string& actor,
                                                 const std::string& reason) {
  const store::ModelVersionRecord* found = FindVersion(state.versions, version);
  if (found == nullptr) return UnknownVersion(model, version);
  if (found->stage == kProduction) {
    return Status::FailedPrecondition(
        "model [" + model + "] version " + std::to_string(version) + " is already production", kRegistryCode);
  }
  store::ModelVersionRecord target = *found;
  store::WriteBatch batch = GuardedBatch(model, state);
  const int64_t now = NowMs();
  int previous = 0;
  for (store::ModelVersionRecord& record : state.versions) {
    if (record.stage != kProduction) continue;
    previous = record.version;
    record.stage = kArchived;
    record.stage_changed_ms = now;
    batch.model_versions.push_back(record);
  }
  target.stage = kProduction;
  target.stage_changed_ms = now;
  batch.model_versions.push_back(target);
  batch.model_events.push_back({.model = model,
                                .version = version,
                                .previous_version = previous,
                                .kind = kind,
                                .actor = actor,
                                .reason = reason,
                                .created_ms = now});
  REFINERY_RETURN_IF_ERROR(store->Apply(batch));
  return target;
}

}  // namespace

Result<store::ModelVersionRecord> Registry::Promote(const std::string& model, int version, const std::string& actor,
                                                    const std::string& reason) {
  return WithRetries([&]() -> Result<store::ModelVersionRecord> {
    REFINERY_ASSIGN_OR_RETURN(ModelState state, ReadModelState(store_, model, 1));
    if (state.versions.empty()) return UnknownModel(model);
    return MakeProduction(store_, model, state, version, "promoted", actor, reason);
  });
}

Status Registry::Reject(const std::string& model, int version, const std::string& actor, const std::string& reason) {
  REFINERY_ASSIGN_OR_RETURN(ModelState state, ReadModelState(store_, model, 1));
  if (FindVersion(state.versions, version) == nullptr) return UnknownVersion(model, version);
  const store::ModelVersionRecord* production = FindProduction(state.versions);
  store::WriteBatch batch;
  batch.model_events.push_back({.model = model,
                                .version = version,
                                .previous_version = production ? production->version : 0,
                                .kind = "rejected",
                                .actor = actor,
                                .reason = reason,
                                .created_ms = NowMs()});
  return store_->Apply(batch);
}

namespace {

// The version the current production version replaced when it went live.
int ReplacedVersion(const std::vector<store::ModelEventRecord>& events, int production) {
  for (const store::ModelEventRecord& event : events) {
    const bool went_live = event.kind == "promoted" || event.kind == "rolled-back" || event.kind == "auto-rolled-back";
    if (went_live && event.version == production) return event.previous_version;
  }
  return 0;
}

}  // namespace

Result<store::ModelVersionRecord> Registry::Rollback(const std::string& model, int to_version,
                                                     const std::string& actor, const std::string& reason,
                                                     bool automatic) {
  return WithRetries([&]() -> Result<store::ModelVersionRecord> {
    REFINERY_ASSIGN_OR_RETURN(ModelState state, ReadModelState(store_, model, 10000));
    if (state.versions.empty()) return UnknownModel(model);
    const store::ModelVersionRecord* production = FindProduction(state.versions);
    if (production == nullptr) {
      return Status::FailedPrecondition("model [" + model + "] has no production version to roll back",
                                        kRegistryCode);
    }
    int target_version = to_version;
    if (target_version == 0) target_version = ReplacedVersion(state.events, production->version);
    if (target_version == 0) {
      return Status::FailedPrecondition("model [" + model + "] version " + std::to_string(production->version) +
                                            " replaced no earlier version; name one with --to",
                                        kRegistryCode);
    }
    return MakeProduction(store_, model, state, target_version, automatic ? "auto-rolled-back" : "rolled-back", actor,
                          reason);
  });
}

Result<std::vector<ModelSummary>> Registry::ListModels() {
  REFINERY_ASSIGN_OR_RETURN(std::vector<store::ModelVersionRecord> versions, store_->ListModelVersions(""));
  std::vector<ModelSummary> models;
  for (const store::ModelVersionRecord& record : versions) {
    if (models.empty() || models.back().name != record.model) models.push_back({.name = record.model});
    ModelSummary& summary = models.back();
    summary.versions += 1;
    summary.latest_version = std::max(summary.latest_version, record.version);
    if (record.stage == kProduction) summary.production_version = record.version;
    summary.updated_ms = std::max({summary.updated_ms, record.created_ms, record.stage_changed_ms});
  }
  return models;
}

Result<std::vector<store::ModelVersionRecord>> Registry::Versions(const std::string& model) {
  REFINERY_ASSIGN_OR_RETURN(std::vector<store::ModelVersionRecord> versions, store_->ListModelVersions(model));
  if (versions.empty()) return UnknownModel(model);
  return versions;
}

Result<store::ModelVersionRecord> Registry::Version(const std::string& model, int version) {
  REFINERY_ASSIGN_OR_RETURN(std::vector<store::ModelVersionRecord> versions, Versions(model));
  const store::ModelVersionRecord* found = FindVersion(versions, version);
  if (found == nullptr) return UnknownVersion(model, version);
  return *found;
}

Result<std::optional<store::ModelVersionRecord>> Registry::Production(const std::string& model) {
  REFINERY_ASSIGN_OR_RETURN(std::vector<store::ModelVersionRecord> versions, Versions(model));
  const store::ModelVersionRecord* production = FindProduction(versions);
  if (production == nullptr) return std::optional<store::ModelVersionRecord>();
  return std::optional<store::ModelVersionRecord>(*production);
}

Result<std::vector<store::ModelEventRecord>> Registry::Log(const std::string& model, int limit) {
  if (!model.empty()) REFINERY_RETURN_IF_ERROR(Versions(model).status());
  return store_->ListModelEvents(model, limit);
}

Result<nlohmann::json> Registry::Diff(const std::string& model, int version_a, int version_b) {
  REFINERY_ASSIGN_OR_RETURN(store::ModelVersionRecord a, Version(model, version_a));
  REFINERY_ASSIGN_OR_RETURN(store::ModelVersionRecord b, Version(model, version_b));
  const nlohmann::json metrics_a = nlohmann::json::parse(a.metrics, nullptr, false);
  const nlohmann::json metrics_b = nlohmann::json::parse(b.metrics, nullptr, false);
  nlohmann::json metrics = nlohmann::json::object();
  for (const nlohmann::json* side : {&metrics_a, &metrics_b}) {
    if (!side->is_object()) continue;
    for (const auto& [key, value] : side->items()) {
      if (!value.is_number()) continue;
      nlohmann::json& row = metrics[key];
      row["a"] = metrics_a.value(key, nlohmann::json());
      row["b"] = metrics_b.value(key, nlohmann::json());
      if (row["a"].is_number() && row["b"].is_number()) row["change"] = row["b"].get<double>() - row["a"].get<double>();
    }
  }
  const nlohmann::json lineage_a = nlohmann::json::parse(a.lineage, nullptr, false);
  const nlohmann::json lineage_b = nlohmann::json::parse(b.lineage, nullptr, false);
  nlohmann::json lineage = nlohmann::json::object();
  if (lineage_a.is_object() && lineage_b.is_object()) {
    for (const nlohmann::json* side : {&lineage_a, &lineage_b}) {
      for (const auto& [key, value] : side->items()) {
        const nlohmann::json va = lineage_a.value(key, nlohmann::json());
        const nlohmann::json vb = lineage_b.value(key, nlohmann::json());
        if (va != vb && key != "created") lineage[key] = {{"a", va}, {"b", vb}};
      }
    }
  }
  return nlohmann::json{{"model", model},
                        {"a", VersionJson(a)},
                        {"b", VersionJson(b)},
                        {"metrics", metrics},
                        {"lineage", lineage}};
}

nlohmann::json VersionJson(const store::ModelVersionRecord& record) {
  nlohmann::json metrics = nlohmann::json::parse(record.metrics, nullptr, false);
  nlohmann::json lineage = nlohmann::json::parse(record.lineage, nullptr, false);
  return {{"model", record.model},
          {"version", record.version},
          {"stage", record.stage},
          {"bundle", record.bundle_uri},
          {"metrics", metrics.is_discarded() ? nlohmann::json::object() : metrics},
          {"lineage", lineage.is_discarded() ? nlohmann::json::object() : lineage},
          {"registeredBy", record.registered_by},
          {"created", FormatIsoMillis(FromEpochMillis(record.created_ms))},
          {"stageChanged", FormatIsoMillis(FromEpochMillis(record.stage_changed_ms))}};
}

nlohmann::json EventJson(const store::ModelEventRecord& event) {
  return {{"id", event.id},
          {"model", event.model},
          {"version", event.version},
          {"previousVersion", event.previous_version},
          {"kind", event.kind},
          {"actor", event.actor},
          {"reason", event.reason},
          {"time", FormatIsoMillis(FromEpochMillis(event.created_ms))}};
}

nlohmann::json SummaryJson(const ModelSummary& summary) {
  return {{"name", summary.name},
          {"versions", summary.versions},
          {"latestVersion", summary.latest_version},
          {"productionVersion", summary.production_version},
          {"updated", FormatIsoMillis(FromEpochMillis(summary.updated_ms))}};
}

}  // namespace refinery::registry
