// The model bundle: one directory per version under a model directory,
// `<model-dir>/v<N>/` with N increasing, holding the booster (XGBoost JSON),
// the feature pipeline with the target's label mapping, the holdout metrics
// and the lineage. It is published with fs::AtomicDirectory, so `_SUCCESS`
// and an atomic rename mean no reader ever sees half a bundle.
// Format: doc/formats/model-bundle.md.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "core/status.h"
#include "fs/file_system.h"

namespace refinery::ml {

inline constexpr char kBadBundleCode[] = "ML006";
inline constexpr int kBundleFormatVersion = 1;
inline constexpr char kBoosterFile[] = "model.json";
inline constexpr char kPipelineFile[] = "pipeline.json";
inline constexpr char kMetricsFile[] = "metrics.json";
inline constexpr char kLineageFile[] = "lineage.json";
// Optional: the holdout's raw rows, one JSON object per line, inputs plus the
// target, so a later model can be compared with this one on the same rows
// and serving can warm up and know the prediction distribution to expect.
inline constexpr char kHoldoutFile[] = "holdout.jsonl";

struct Bundle {
  std::string booster_json;  // as XGBoost saved it
  nlohmann::json pipeline;   // {"format_version", "target", "inputs", "transforms", "encoded_columns"}
  nlohmann::json metrics;
  nlohmann::json lineage;
  std::string holdout_jsonl;  // empty = no holdout file (bundles before it existed)
};

// The rows of a holdout.jsonl text; ML006 naming the line when one is not a JSON object.
Result<std::vector<nlohmann::json>> ParseHoldoutRows(const std::string& jsonl);

// The JSON files' exact text (2-space indent, sorted keys, final newline), so
// save -> load -> save gives identical bytes.
std::string JsonText(const nlohmann::json& json);

// Writes the bundle's files into an existing local directory.
Status WriteBundleFiles(const std::filesystem::path& dir, const Bundle& bundle);
// Reads a published bundle; ML006 when `_SUCCESS` or a file is missing or
// unreadable, naming it.
Result<Bundle> ReadBundle(const std::filesystem::path& dir);

// Versions present under `model_dir_uri` (only `v<N>` with `_SUCCESS`), ascending.
Result<std::vector<int>> ListVersions(const fs::FileSystem& files, const std::string& model_dir_uri);
// Publishes `bundle` as the next version; returns N. Not safe against two
// writers publishing to the same model directory at the same instant.
Result<int> PublishBundle(fs::FileSystem* files, const std::string& model_dir_uri, const Bundle& bundle);
std::string VersionUri(const std::string& model_dir_uri, int version);

}  // namespace refinery::ml
