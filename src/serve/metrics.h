// Counters and histograms the server exposes at /metrics in Prometheus' text
// format (version 0.0.4): HTTP requests by route and code with latencies,
// action durations by type, workflow jobs by status (counted from the store at
// scrape time) and hooks for later parts (scheduler lag, outbox depth).
// Thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "engine/engine.h"
#include "store/store.h"

namespace refinery::serve {

// Cumulative buckets with upper bounds `bounds` (seconds), plus +Inf.
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds) : bounds_(std::move(bounds)), counts_(bounds_.size() + 1, 0) {}
  void Observe(double value);
  // Lines "<name>_bucket{<labels>,le=..} n", _sum and _count.
  void Render(const std::string& name, const std::string& labels, std::string* out) const;

 private:
  std::vector<double> bounds_;
  std::vector<uint64_t> counts_;  // not cumulative; bucket i is (bounds[i-1], bounds[i]]
  double sum_ = 0;
  uint64_t count_ = 0;
};

class Metrics : public engine::EngineObserver {
 public:
  void RecordHttp(const std::string& method, const std::string& route, int status, double seconds);
  void RecordSchedulerLag(double seconds);
  void SetGauge(const std::string& name, const std::string& help, double value);
  // Labelled counters and latency histograms for parts that own their numbers
  // (the prediction service). `labels` is Prometheus text: model="bank",version="2".
  void AddCounter(const std::string& name, const std::string& help, const std::string& labels, double delta = 1);
  void ObserveSeconds(const std::string& name, const std::string& help, const std::string& labels, double seconds);

  // engine::EngineObserver: action durations and job completions.
  void OnEvent(const engine::EngineEvent& event) override;

  // The whole exposition; `store` may be null (then no job gauges).
  std::string Render(store::Store* store) const;

 private:
  static void RenderProcessesAndLeases(store::Store& store, std::string* out);
  mutable std::mutex mu_;
  std::map<std::tuple<std::string, std::string, int>, uint64_t> http_requests_;
  std::map<std::string, Histogram> http_latency_;      // by route
  std::map<std::string, Histogram> action_duration_;   // by action type
  std::map<std::string, int64_t> action_started_ms_;   // by action id, while running
  std::map<std::string, uint64_t> jobs_finished_;      // by final status
  Histogram scheduler_lag_{{0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300}};
  std::map<std::string, std::pair<std::string, double>> gauges_;  // name -> (help, value)
  std::map<std::string, std::string> family_help_;                    // counter/histogram name -> help
  std::map<std::pair<std::string, std::string>, double> counters_;    // (name, labels) -> value
  std::map<std::pair<std::string, std::string>, Histogram> histograms_;
};

}  // namespace refinery::serve
