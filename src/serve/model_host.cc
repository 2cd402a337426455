#include "serve/model_host.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>

#include "core/log.h"
#include "core/plugin.h"
#include "core/time_format.h"

namespace refinery::serve {
namespace {

constexpr size_t kPinnedVersions = 8;
constexpr int kBins = 10;

int64_t NowMs() { return ToEpochMillis(SystemClock()->Now()); }

// Decile edges of the holdout predictions: live predictions falling evenly
// into the ten bins means the distribution has not moved.
std::vector<double> DecileEdges(std::vector<double> scores) {
  if (scores.size() < kBins) return {};
  std::sort(scores.begin(), scores.end());
  std::vector<double> edges;
  for (int i = 1; i < kBins; ++i) edges.push_back(scores[scores.size() * i / kBins]);
  return edges;
}

int BinOf(const std::vector<double>& edges, double score) {
  return static_cast<int>(std::upper_bound(edges.begin(), edges.end(), score) - edges.begin());
}

std::string Labels(const store::ModelVersionRecord& record) {
  return "model=\"" + record.model + "\",version=\"" + std::to_string(record.version) + "\"";
}

}  // namespace

double PopulationStabilityIndex(const std::vector<int>& counts) {
  double total = 0;
  for (int count : counts) total += count;
  if (total == 0 || counts.empty()) return 0;
  const double expected = 1.0 / counts.size();
  // A floor keeps empty bins from making the index infinite.
  constexpr double kFloor = 1e-4;
  double psi = 0;
  for (int count : counts) {
    const double actual = std::max(count / total, kFloor);
    psi += (actual - expected) * std::log(actual / expected);
  }
  return psi;
}

ModelHost::ModelHost(registry::Registry* models, store::Store* store, Metrics* metrics, ModelHostOptions options)
    : models_(models), store_(store), metrics_(metrics), options_(options) {}

ModelHost::~ModelHost() { Stop(); }

Status ModelHost::Start() {
  // A model that fails to load is logged and left out; the server still serves the others.
  (void)Sync();
  follower_ = std::thread([this] { FollowLoop(); });
  return Status::Ok();
}

void ModelHost::Stop() {
  {
    std::lock_guard<std::mutex> lock(follow_mu_);
    stopping_ = true;
  }
  follow_cv_.notify_all();
  if (follower_.joinable()) follower_.join();
}

void ModelHost::Refresh() {
  {
    std::lock_guard<std::mutex> lock(follow_mu_);
    refresh_requested_ = true;
  }
  follow_cv_.notify_all();
}

void ModelHost::FollowLoop() {
  // Loading and warming a version competes with requests for the same cores;
  // a lower priority for this thread keeps the swap off the request path's
  // latency. Linux applies the nice value to the calling thread alone.
  (void)::setpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid)), 10);
  std::unique_lock<std::mutex> lock(follow_mu_);
  while (!stopping_) {
    follow_cv_.wait_for(lock, std::chrono::milliseconds(options_.follow_interval_ms),
                        [this] { return stopping_ || refresh_requested_; });
    if (stopping_) break;
    refresh_requested_ = false;
    lock.unlock();
    const Status status = Sync();
    if (!status.ok()) Log(LogLevel::kWarn, "model host: " + status.ToString());
    lock.lock();
  }
}

Status ModelHost::Sync() {
  REFINERY_ASSIGN_OR_RETURN(int64_t last_event, store_->LastModelEventId());
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (last_event == seen_event_id_) return Status::Ok();
  }
  REFINERY_ASSIGN_OR_RETURN(std::vector<registry::ModelSummary> summaries, models_->ListModels());
  for (const registry::ModelSummary& summary : summaries) {
    std::shared_ptr<const LoadedModel> current = Production(summary.name);
    if (summary.production_version == 0) {
      std::lock_guard<std::mutex> lock(mu_);
      production_.erase(summary.name);
      continue;
    }
    if (current && current->record.version == summary.production_version) continue;
    auto record = models_->Version(summary.name, summary.production_version);
    if (!record.ok()) return record.status();
    // Loading and warming happen here, on the follower thread, while
    // requests keep being answered by `current`.
    auto loaded = Load(*record);
    if (!loaded.ok()) {
      Log(LogLevel::kWarn, "model " + summary.name + " version " + std::to_string(summary.production_version) +
                 " could not be loaded for serving: " + loaded.status().ToString());
      continue;
    }
    // Only a promotion is put on probation: a version restored by a rollback
    // was judged before, and judging it again could swing back and forth.
    auto last = store_->ListModelEvents(summary.name, 1);
    const bool promoted = last.ok() && !last->empty() && last->front().kind == "promoted" &&
                          last->front().version == summary.production_version && last->front().previous_version != 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      production_[summary.name] = *loaded;
      health_[summary.name] = Health{.version = summary.production_version, .judged = !promoted};
    }
    swaps_.fetch_add(1);
    if (metrics_ != nullptr) {
      metrics_->AddCounter("refinery_model_swaps_total", "Production versions swapped into serving, by model.",
                           "model=\"" + summary.name + "\"");
    }
    Log(LogLevel::kInfo, "serving model " + summary.name + " version " + std::to_string(summary.production_version) +
            (current ? " (was version " + std::to_string(current->record.version) + ")" : ""));
  }
  std::lock_guard<std::mutex> lock(mu_);
  seen_event_id_ = last_event;
  return Status::Ok();
}

Result<std::shared_ptr<const LoadedModel>> ModelHost::Load(const store::ModelVersionRecord& record) const {
  REFINERY_ASSIGN_OR_RETURN(std::filesystem::path dir, models_->BundlePath(record));
  REFINERY_ASSIGN_OR_RETURN(void* entry, FindPluginSymbol("ml", ml::kLoadModelScorerSymbol));
  Result<std::unique_ptr<ml::ModelScorer>> scorer = Status::Internal("the ml plugin did not answer");
  reinterpret_cast<ml::LoadModelScorerEntry>(entry)(&dir, &scorer);
  if (!scorer.ok()) return scorer.status();
  auto loaded = std::make_shared<LoadedModel>();
  loaded->record = record;
  loaded->scorer = std::move(*scorer);
  loaded->reference_edges = DecileEdges(loaded->scorer->holdout_scores());
  loaded->loaded_ms = NowMs();
  return std::shared_ptr<const LoadedModel>(std::move(loaded));
}

std::shared_ptr<const LoadedModel> ModelHost::Production(const std::string& model) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto found = production_.find(model);
  return found == production_.end() ? nullptr : found->second;
}

Result<std::shared_ptr<const LoadedModel>> ModelHost::Version(const std::string& model, int version) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto production = production_.find(model);
    if (production != production_.end() && production->second->record.version == version) return production->second;
    auto pinned = pinned_.find({model, version});
    if (pinned != pinned_.end()) return pinned->second;
  }
  REFINERY_ASSIGN_OR_RETURN(store::ModelVersionRecord record, models_->Version(model, version));
  REFINERY_ASSIGN_OR_RETURN(std::shared_ptr<const LoadedModel> loaded, Load(record));
  std::lock_guard<std::mutex> lock(mu_);
  if (pinned_.size() >= kPinnedVersions) pinned_.erase(pinned_.begin());
  pinned_[{model, version}] = loaded;
  return loaded;
}

void ModelHost::RecordOutcome(const LoadedModel& model, bool ok, const std::vector<double>& scores,
                              double seconds) {
  if (metrics_ != nullptr) {
    metrics_->AddCounter("refinery_predictions_total", "Predicted requests by model, version and outcome.",
                         Labels(model.record) + ",outcome=\"" + (ok ? "ok" : "error") + "\"");
    metrics_->ObserveSeconds("refinery_prediction_duration_seconds",
                             "Time to validate and score a prediction request, by model and version.",
                             Labels(model.record), seconds);
  }
  if (!options_.health.enabled || !options_.may_roll_back) return;
  std::string verdict;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto found = health_.find(model.record.model);
    if (found == health_.end() || found->second.version != model.record.version || found->second.judged) return;
    Health& health = found->second;
    health.requests += 1;
    if (!ok) health.errors += 1;
    if (!model.reference_edges.empty()) {
      for (double score : scores) {
        health.bins[BinOf(model.reference_edges, score)] += 1;
        health.scored += 1;
      }
    }
    if (health.requests < options_.health.minimum_requests) return;
    const double error_rate = static_cast<double>(health.errors) / health.requests;
    const double psi = health.scored >= options_.health.minimum_requests ? PopulationStabilityIndex(health.bins) : 0;
    if (error_rate > options_.health.max_error_rate) {
      verdict = "error rate " + std::to_string(error_rate) + " over " + std::to_string(health.requests) +
                " requests exceeds " + std::to_string(options_.health.max_error_rate);
    } else if (psi > options_.health.max_psi) {
      verdict = "prediction distribution moved from the holdout's: PSI " + std::to_string(psi) + " over " +
                std::to_string(health.scored) + " predictions exceeds " + std::to_string(options_.health.max_psi);
    }
    if (health.requests >= options_.health.window || !verdict.empty()) health.judged = true;
  }
  if (!verdict.empty()) JudgeHealth(model.record.model, model.record.version, verdict);
}

void ModelHost::JudgeHealth(const std::string& model, int version, const std::string& verdict) {
  auto restored = models_->Rollback(model, 0, "serving-health", "version " + std::to_string(version) + ": " + verdict,
                                    /*automatic=*/true);
  if (!restored.ok()) {
    Log(LogLevel::kWarn, "model " + model + " version " + std::to_string(version) + " is unhealthy (" + verdict +
               ") but could not be rolled back: " + restored.status().ToString());
    return;
  }
  Log(LogLevel::kWarn, "model " + model + " rolled back from version " + std::to_string(version) + " to " +
             std::to_string(restored->version) + ": " + verdict);
  if (metrics_ != nullptr) {
    metrics_->AddCounter("refinery_model_rollbacks_total", "Automatic rollbacks on serving health, by model.",
                         "model=\"" + model + "\"");
  }
  Refresh();
}

}  // namespace refinery::serve
