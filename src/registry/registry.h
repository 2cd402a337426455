// The model registry: named models whose versions are bundles published by
// the train action, each in one stage (candidate, production, archived), and
// an append-only deployment log saying what was registered, promoted,
// rejected or rolled back, when, by whom and why. It lives in the state store,
// so every change is one atomic batch, guarded against a concurrent change to
// the same model; prediction servers follow the log to swap models in.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "fs/file_system.h"
#include "store/store.h"

namespace refinery::registry {

inline constexpr char kRegistryCode[] = "REG001";     // a request the registry refuses
inline constexpr char kUnknownModelCode[] = "REG002";  // no such model or version

inline constexpr char kCandidate[] = "candidate";
inline constexpr char kProduction[] = "production";
inline constexpr char kArchived[] = "archived";

struct ModelSummary {
  std::string name;
  int versions = 0;
  int latest_version = 0;
  int production_version = 0;  // 0 = none
  int64_t updated_ms = 0;
};

// Model names are what URLs and files carry: 1-64 of [A-Za-z0-9_.-], starting
// with a letter or digit.
Status ValidateModelName(const std::string& name);

class Registry {
 public:
  // Borrows both; `files` resolves bundle URIs.
  Registry(store::Store* store, const fs::FileSystem* files);

  // Registers the bundle at `bundle_uri` (a published v<N> directory) as the
  // model's next version, stage candidate; its metrics and lineage are copied
  // from the bundle.
  Result<store::ModelVersionRecord> Register(const std::string& model, const std::string& bundle_uri,
                                             const std::string& actor, const std::string& reason);
  // Makes `version` production; the former production version is archived.
  Result<store::ModelVersionRecord> Promote(const std::string& model, int version, const std::string& actor,
                                            const std::string& reason);
  // Logs that a gate kept `version` a candidate.
  Status Reject(const std::string& model, int version, const std::string& actor, const std::string& reason);
  // Restores `to_version`, or (0) the version the current production version
  // replaced. `automatic` marks the serving-health rollback in the log.
  Result<store::ModelVersionRecord> Rollback(const std::string& model, int to_version, const std::string& actor,
                                             const std::string& reason, bool automatic = false);

  Result<std::vector<ModelSummary>> ListModels();
  // REG002 for an unknown model.
  Result<std::vector<store::ModelVersionRecord>> Versions(const std::string& model);
  Result<store::ModelVersionRecord> Version(const std::string& model, int version);
  Result<std::optional<store::ModelVersionRecord>> Production(const std::string& model);
  Result<std::vector<store::ModelEventRecord>> Log(const std::string& model, int limit);
  // Two versions side by side: every metric of either with both values and
  // the difference, and the lineage fields that differ.
  Result<nlohmann::json> Diff(const std::string& model, int version_a, int version_b);

  // Reads the bundle's local directory for `record`.
  Result<std::filesystem::path> BundlePath(const store::ModelVersionRecord& record) const;

 private:
  store::Store* store_;
  const fs::FileSystem* files_;
};

// The registry's records as the API shows them.
nlohmann::json VersionJson(const store::ModelVersionRecord& record);
nlohmann::json EventJson(const store::ModelEventRecord& event);
nlohmann::json SummaryJson(const ModelSummary& summary);

}  // namespace refinery::registry
