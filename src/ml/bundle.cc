#include "ml/bundle.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace refinery::ml {
namespace {

Status WriteText(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return Status::IoError("could not write " + path.string(), kBadBundleCode);
  return Status::Ok();
}

Result<std::string> ReadText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("bundle file " + path.string() + " is missing", kBadBundleCode);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Result<nlohmann::json> ReadJson(const std::filesystem::path& path) {
  REFINERY_ASSIGN_OR_RETURN(std::string text, ReadText(path));
  nlohmann::json json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded()) return Status::InvalidArgument("bundle file " + path.string() + " is not valid JSON", kBadBundleCode);
  return json;
}

std::string TrimSlash(std::string uri) {
  while (uri.size() > 1 && uri.back() == '/') uri.pop_back();
  return uri;
}

}  // namespace

std::string JsonText(const nlohmann::json& json) { return json.dump(2) + "\n"; }

std::string VersionUri(const std::string& model_dir_uri, int version) {
  return TrimSlash(model_dir_uri) + "/v" + std::to_string(version);
}

Status WriteBundleFiles(const std::filesystem::path& dir, const Bundle& bundle) {
  REFINERY_RETURN_IF_ERROR(WriteText(dir / kBoosterFile, bundle.booster_json));
  REFINERY_RETURN_IF_ERROR(WriteText(dir / kPipelineFile, JsonText(bundle.pipeline)));
  REFINERY_RETURN_IF_ERROR(WriteText(dir / kMetricsFile, JsonText(bundle.metrics)));
  if (!bundle.holdout_jsonl.empty()) REFINERY_RETURN_IF_ERROR(WriteText(dir / kHoldoutFile, bundle.holdout_jsonl));
  return WriteText(dir / kLineageFile, JsonText(bundle.lineage));
}

Result<std::vector<nlohmann::json>> ParseHoldoutRows(const std::string& jsonl) {
  std::vector<nlohmann::json> rows;
  size_t start = 0;
  int line = 0;
  while (start < jsonl.size()) {
    size_t end = jsonl.find('\n', start);
    if (end == std::string::npos) end = jsonl.size();
    ++line;
    const std::string_view text(jsonl.data() + start, end - start);
    start = end + 1;
    if (text.empty()) continue;
    nlohmann::json row = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (row.is_discarded() || !row.is_object()) {
      return Status::InvalidArgument(std::string(kHoldoutFile) + ":" + std::to_string(line) + ": is not a JSON object",
                                     kBadBundleCode);
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

Result<Bundle> ReadBundle(const std::filesystem::path& dir) {
  if (!std::filesystem::exists(dir / "_SUCCESS")) {
    return Status::NotFound("model bundle " + dir.string() + " has no _SUCCESS marker (missing or half written)",
                            kBadBundleCode);
  }
  Bundle bundle;
  REFINERY_ASSIGN_OR_RETURN(bundle.booster_json, ReadText(dir / kBoosterFile));
  REFINERY_ASSIGN_OR_RETURN(bundle.pipeline, ReadJson(dir / kPipelineFile));
  REFINERY_ASSIGN_OR_RETURN(bundle.metrics, ReadJson(dir / kMetricsFile));
  REFINERY_ASSIGN_OR_RETURN(bundle.lineage, ReadJson(dir / kLineageFile));
  if (std::filesystem::exists(dir / kHoldoutFile)) {
    REFINERY_ASSIGN_OR_RETURN(bundle.holdout_jsonl, ReadText(dir / kHoldoutFile));
  }
  const auto version = bundle.pipeline.find("format_version");
  if (version == bundle.pipeline.end() || !version->is_number_integer() || version->get<int>() > kBundleFormatVersion) {
    return Status::InvalidArgument("model bundle " + dir.string() + " has pipeline format_version " +
                                       (version == bundle.pipeline.end() ? std::string("(none)") : version->dump()) +
                                       "; this Refinery reads up to " + std::to_string(kBundleFormatVersion),
                                   kBadBundleCode);
  }
  return bundle;
}

Result<std::vector<int>> ListVersions(const fs::FileSystem& files, const std::string& model_dir_uri) {
  std::vector<int> versions;
  REFINERY_ASSIGN_OR_RETURN(bool exists, files.Exists(model_dir_uri));
  if (!exists) return versions;
  REFINERY_ASSIGN_OR_RETURN(std::vector<fs::FileStatus> entries, files.List(model_dir_uri));
  for (const fs::FileStatus& entry : entries) {
    const std::string name = entry.uri.substr(entry.uri.find_last_of('/') + 1);
    if (!entry.is_directory || name.size() < 2 || name[0] != 'v') continue;
    if (name.find_first_not_of("0123456789", 1) != std::string::npos || name.size() > 10) continue;
    REFINERY_ASSIGN_OR_RETURN(bool complete, files.Exists(entry.uri + "/_SUCCESS"));
    if (complete) versions.push_back(std::stoi(name.substr(1)));
  }
  std::sort(versions.begin(), versions.end());
  return versions;
}

Result<int> PublishBundle(fs::FileSystem* files, const std::string& model_dir_uri, const Bundle& bundle) {
  REFINERY_RETURN_IF_ERROR(files->MakeDirectories(model_dir_uri));
  REFINERY_ASSIGN_OR_RETURN(std::vector<int> versions, ListVersions(*files, model_dir_uri));
  int version = versions.empty() ? 1 : versions.back() + 1;
  // A directory left without _SUCCESS (a crash before the rename finished) keeps its number.
  while (true) {
    REFINERY_ASSIGN_OR_RETURN(bool taken, files->Exists(VersionUri(model_dir_uri, version)));
    if (!taken) break;
    ++version;
  }
  REFINERY_ASSIGN_OR_RETURN(fs::AtomicDirectory staging, fs::AtomicDirectory::Begin(files, VersionUri(model_dir_uri, version)));
  REFINERY_RETURN_IF_ERROR(WriteBundleFiles(staging.staging_path(), bundle));
  REFINERY_RETURN_IF_ERROR(staging.Commit());
  return version;
}

}  // namespace refinery::ml
