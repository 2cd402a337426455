#include "ml/metrics.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace refinery::ml {
namespace {

constexpr double kEpsilon = 1e-15;
constexpr size_t kMaxCurvePoints = 200;

// Indices ordered by descending score.
std::vector<size_t> ByScoreDescending(const std::vector<float>& scores) {
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] > scores[b]; });
  return order;
}

// Cumulative counts at each distinct threshold, highest threshold first.
struct Step {
  double threshold;
  int64_t tp, fp;
};

std::vector<Step> Steps(const std::vector<float>& labels, const std::vector<float>& scores) {
  std::vector<Step> steps;
  int64_t tp = 0, fp = 0;
  const std::vector<size_t> order = ByScoreDescending(scores);
  for (size_t k = 0; k < order.size(); ++k) {
    (labels[order[k]] > 0.5f ? tp : fp) += 1;
    if (k + 1 == order.size() || scores[order[k + 1]] != scores[order[k]]) steps.push_back({scores[order[k]], tp, fp});
  }
  return steps;
}

std::vector<CurvePoint> Thin(std::vector<CurvePoint> points) {
  if (points.size() <= kMaxCurvePoints) return points;
  std::vector<CurvePoint> out;
  const double stride = static_cast<double>(points.size() - 1) / static_cast<double>(kMaxCurvePoints - 1);
  for (size_t i = 0; i < kMaxCurvePoints; ++i) out.push_back(points[static_cast<size_t>(std::round(i * stride))]);
  return out;
}

double Clip(double p) { return std::min(std::max(p, kEpsilon), 1 - kEpsilon); }

double F1(double precision, double recall) {
  return precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
}

void FillConfusion(const std::vector<float>& labels, const std::vector<float>& p, BinaryMetrics* m) {
  m->tp = m->fp = m->tn = m->fn = 0;
  for (size_t i = 0; i < labels.size(); ++i) {
    const bool positive = labels[i] > 0.5f, predicted = p[i] >= m->threshold;
    (positive ? (predicted ? m->tp : m->fn) : (predicted ? m->fp : m->tn)) += 1;
  }
  const double n = static_cast<double>(labels.size());
  m->accuracy = n == 0 ? 0 : static_cast<double>(m->tp + m->tn) / n;
  m->precision = m->tp + m->fp == 0 ? 0 : static_cast<double>(m->tp) / static_cast<double>(m->tp + m->fp);
  m->recall = m->tp + m->fn == 0 ? 0 : static_cast<double>(m->tp) / static_cast<double>(m->tp + m->fn);
  m->f1 = F1(m->precision, m->recall);
}

nlohmann::json Curve(const std::vector<CurvePoint>& points) {
  nlohmann::json out = nlohmann::json::array();
  for (const CurvePoint& p : points) out.push_back({p.x, p.y, p.threshold});
  return out;
}

}  // namespace

double RocAuc(const std::vector<float>& labels, const std::vector<float>& scores) {
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] < scores[b]; });
  double positive_rank_sum = 0;
  int64_t positives = 0;
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j < order.size() && scores[order[j]] == scores[order[i]]) ++j;
    const double rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2;  // average of ranks i+1..j
    for (size_t k = i; k < j; ++k) {
      if (labels[order[k]] > 0.5f) {
        positive_rank_sum += rank;
        ++positives;
      }
    }
    i = j;
  }
  const double p = static_cast<double>(positives), n = static_cast<double>(scores.size()) - p;
  if (p == 0 || n == 0) return 0.5;
  return (positive_rank_sum - p * (p + 1) / 2) / (p * n);
}

double AveragePrecision(const std::vector<float>& labels, const std::vector<float>& scores) {
  const std::vector<Step> steps = Steps(labels, scores);
  if (steps.empty() || steps.back().tp == 0) return 0;
  const double positives = static_cast<double>(steps.back().tp);
  double ap = 0, previous_recall = 0;
  for (const Step& s : steps) {
    const double recall = static_cast<double>(s.tp) / positives;
    ap += (recall - previous_recall) * static_cast<double>(s.tp) / static_cast<double>(s.tp + s.fp);
    previous_recall = recall;
  }
  return ap;
}

BinaryMetrics ComputeBinaryMetrics(const std::vector<float>& labels, const std::vector<float>& p,
                                   std::optional<double> threshold) {
  BinaryMetrics m;
  m.auc = RocAuc(labels, p);
  m.pr_auc = AveragePrecision(labels, p);
  double loss = 0;
  for (size_t i = 0; i < labels.size(); ++i) loss -= labels[i] > 0.5f ? std::log(Clip(p[i])) : std::log(1 - Clip(p[i]));
  m.logloss = labels.empty() ? 0 : loss / static_cast<double>(labels.size());

  const std::vector<Step> steps = Steps(labels, p);
  const double positives = steps.empty() ? 0 : static_cast<double>(steps.back().tp);
  const double negatives = steps.empty() ? 0 : static_cast<double>(steps.back().fp);
  std::vector<CurvePoint> roc = {{0, 0, 1}}, pr;
  double best_f1 = -1;
  m.threshold = threshold.value_or(0.5);
  for (const Step& s : steps) {
    const double tpr = positives == 0 ? 0 : static_cast<double>(s.tp) / positives;
    const double precision = static_cast<double>(s.tp) / static_cast<double>(s.tp + s.fp);
    roc.push_back({negatives == 0 ? 0 : static_cast<double>(s.fp) / negatives, tpr, s.threshold});
    pr.push_back({tpr, precision, s.threshold});
    if (!threshold && F1(precision, tpr) > best_f1) {
      best_f1 = F1(precision, tpr);
      m.threshold = s.threshold;
    }
  }
  m.roc = Thin(std::move(roc));
  m.pr = Thin(std::move(pr));
  FillConfusion(labels, p, &m);

  m.calibration.resize(10);
  std::vector<double> predicted_sum(10, 0), positive_count(10, 0);
  for (size_t i = 0; i < labels.size(); ++i) {
    const size_t bin = std::min<size_t>(9, static_cast<size_t>(std::max(0.0, static_cast<double>(p[i])) * 10));
    ++m.calibration[bin].count;
    predicted_sum[bin] += p[i];
    positive_count[bin] += labels[i] > 0.5f ? 1 : 0;
  }
  for (size_t b = 0; b < 10; ++b) {
    const double count = static_cast<double>(m.calibration[b].count);
    if (count == 0) continue;
    m.calibration[b].mean_predicted = predicted_sum[b] / count;
    m.calibration[b].observed_rate = positive_count[b] / count;
  }
  return m;
}

MulticlassMetrics ComputeMulticlassMetrics(const std::vector<float>& labels, const std::vector<float>& p, int classes) {
  MulticlassMetrics m;
  const size_t k = static_cast<size_t>(classes);
  m.confusion.assign(k, std::vector<int64_t>(k, 0));
  double loss = 0;
  int64_t correct = 0;
  for (size_t i = 0; i < labels.size(); ++i) {
    const float* row = p.data() + i * k;
    const size_t predicted = static_cast<size_t>(std::max_element(row, row + k) - row);
    const size_t actual = static_cast<size_t>(labels[i]);
    ++m.confusion[actual][predicted];
    correct += predicted == actual ? 1 : 0;
    loss -= std::log(Clip(row[actual]));
  }
  const double n = static_cast<double>(labels.size());
  m.accuracy = n == 0 ? 0 : static_cast<double>(correct) / n;
  m.logloss = n == 0 ? 0 : loss / n;
  double f1_sum = 0;
  for (size_t c = 0; c < k; ++c) {
    int64_t predicted = 0, actual = 0;
    for (size_t o = 0; o < k; ++o) {
      predicted += m.confusion[o][c];
      actual += m.confusion[c][o];
    }
    const double tp = static_cast<double>(m.confusion[c][c]);
    f1_sum += F1(predicted == 0 ? 0 : tp / static_cast<double>(predicted), actual == 0 ? 0 : tp / static_cast<double>(actual));
  }
  m.macro_f1 = k == 0 ? 0 : f1_sum / static_cast<double>(k);
  return m;
}

RegressionMetrics ComputeRegressionMetrics(const std::vector<float>& labels, const std::vector<float>& predictions) {
  RegressionMetrics m;
  const double n = static_cast<double>(labels.size());
  if (n == 0) return m;
  double mean = 0;
  for (float y : labels) mean += y;
  mean /= n;
  double squared = 0, absolute = 0, total = 0;
  for (size_t i = 0; i < labels.size(); ++i) {
    const double error = static_cast<double>(labels[i]) - static_cast<double>(predictions[i]);
    squared += error * error;
    absolute += std::fabs(error);
    total += (labels[i] - mean) * (labels[i] - mean);
  }
  m.rmse = std::sqrt(squared / n);
  m.mae = absolute / n;
  m.r2 = total == 0 ? 0 : 1 - squared / total;
  return m;
}

nlohmann::json ToJson(const BinaryMetrics& m) {
  nlohmann::json calibration = nlohmann::json::array();
  for (const CalibrationBin& b : m.calibration) {
    calibration.push_back({{"mean_predicted", b.mean_predicted}, {"observed_rate", b.observed_rate}, {"count", b.count}});
  }
  return {{"auc", m.auc},
          {"pr_auc", m.pr_auc},
          {"logloss", m.logloss},
          {"threshold", m.threshold},
          {"accuracy", m.accuracy},
          {"precision", m.precision},
          {"recall", m.recall},
          {"f1", m.f1},
          {"confusion", {{"tp", m.tp}, {"fp", m.fp}, {"tn", m.tn}, {"fn", m.fn}}},
          {"calibration", calibration},
          {"roc", Curve(m.roc)},
          {"pr", Curve(m.pr)}};
}

nlohmann::json ToJson(const MulticlassMetrics& m) {
  return {{"accuracy", m.accuracy}, {"macro_f1", m.macro_f1}, {"logloss", m.logloss}, {"confusion", m.confusion}};
}

nlohmann::json ToJson(const RegressionMetrics& m) { return {{"rmse", m.rmse}, {"mae", m.mae}, {"r2", m.r2}}; }

}  // namespace refinery::ml
