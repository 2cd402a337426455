// ModelHost: keeps the production version of every registered model loaded
// and follows the registry. A background thread notices each new deployment
// event (a publish, promote or rollback, from this process or another one
// sharing the store), loads and warms the new version off the request path
// and swaps it in atomically: a request holds a shared_ptr to the version it
// started with, so in-flight requests finish on it. It also watches serving
// health: when a newly promoted version's error rate or prediction
// distribution (PSI against its own holdout predictions) crosses a bound over
// a window of requests, it rolls the model back through the registry.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/status.h"
#include "ml/model_scorer.h"
#include "registry/registry.h"
#include "serve/metrics.h"

namespace refinery::serve {

struct LoadedModel {
  store::ModelVersionRecord record;
  std::unique_ptr<ml::ModelScorer> scorer;
  std::vector<double> reference_edges;  // decile edges of the holdout predictions (9 values)
  int64_t loaded_ms = 0;
};

struct HealthPolicy {
  bool enabled = true;
  int window = 500;             // requests per model evaluated together
  int minimum_requests = 200;   // before the first verdict on a new version
  double max_error_rate = 0.2;  // requests refused or failed
  double max_psi = 0.25;        // population stability index against the holdout
};

struct ModelHostOptions {
  int follow_interval_ms = 200;  // how often the registry's log is checked
  HealthPolicy health;
  bool may_roll_back = true;     // false for --serve-only replicas
};

class ModelHost {
 public:
  // Borrows all three; `metrics` may be null.
  ModelHost(registry::Registry* models, store::Store* store, Metrics* metrics, ModelHostOptions options);
  ~ModelHost();

  // Loads every production version now, then follows the registry.
  Status Start();
  void Stop();
  // Checks the registry now (tests and in-process changes need not wait).
  void Refresh();

  // The production version; null when the model has none (or failed to load).
  std::shared_ptr<const LoadedModel> Production(const std::string& model) const;
  // A fixed version, loaded on first use and kept (a few at a time).
  Result<std::shared_ptr<const LoadedModel>> Version(const std::string& model, int version);

  // Metrics and health bookkeeping, one call per predicted request.
  void RecordOutcome(const LoadedModel& model, bool ok, const std::vector<double>& scores, double seconds);

  int64_t swaps() const { return swaps_.load(); }

 private:
  struct Health {
    int version = 0;
    int requests = 0, errors = 0;
    std::vector<int> bins = std::vector<int>(10, 0);
    int scored = 0;
    bool judged = false;
  };

  void FollowLoop();
  Status Sync();
  Result<std::shared_ptr<const LoadedModel>> Load(const store::ModelVersionRecord& record) const;
  void JudgeHealth(const std::string& model, int version, const std::string& verdict);

  registry::Registry* models_;
  store::Store* store_;
  Metrics* metrics_;
  ModelHostOptions options_;

  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<const LoadedModel>> production_;
  std::map<std::pair<std::string, int>, std::shared_ptr<const LoadedModel>> pinned_;
  std::map<std::string, Health> health_;
  int64_t seen_event_id_ = -1;

  std::mutex follow_mu_;
  std::condition_variable follow_cv_;
  bool stopping_ = false;
  bool refresh_requested_ = false;
  std::thread follower_;
  std::atomic<int64_t> swaps_{0};
};

// Population stability index of `counts` (observed, per bin) against a
// uniform expectation over the same bins.
double PopulationStabilityIndex(const std::vector<int>& counts);

}  // namespace refinery::serve
