// Hive's aggregates on SQLite: variance and stddev (Welford's moments, also
// usable as window functions), percentile / percentile_approx (exact, over
// the values kept), and collect_set / collect_list (arrays as JSON text).
// SQLite calls these from C: no exception may leave them, so each step and
// final is wrapped in Guarded.
#include <algorithm>
#include <cmath>
#include <exception>
#include <memory>
#include <set>

#include "sql/function_util.h"
#include "sql/sql.h"

namespace refinery::sql::internal {
namespace {

// Welford's running moments; removable for window frames.
struct Moments {
  int64_t n = 0;
  double mean = 0, m2 = 0;
};

Moments* MomentsOf(sqlite3_context* ctx, bool create) {
  return static_cast<Moments*>(sqlite3_aggregate_context(ctx, create ? sizeof(Moments) : 0));
}

void MomentsStep(sqlite3_context* ctx, int, sqlite3_value** argv) {
  double x;
  if (!NumberArg(argv[0], &x)) return;
  Moments* m = MomentsOf(ctx, true);
  if (m == nullptr) return sqlite3_result_error_nomem(ctx);
  ++m->n;
  const double delta = x - m->mean;
  m->mean += delta / static_cast<double>(m->n);
  m->m2 += delta * (x - m->mean);
}

void MomentsInverse(sqlite3_context* ctx, int, sqlite3_value** argv) {
  double x;
  Moments* m = MomentsOf(ctx, true);
  if (!NumberArg(argv[0], &x) || m == nullptr || m->n == 0) return;
  if (m->n == 1) {
    *m = Moments();
    return;
  }
  const double old_mean = m->mean;
  m->mean = (old_mean * static_cast<double>(m->n) - x) / static_cast<double>(m->n - 1);
  m->m2 -= (x - old_mean) * (x - m->mean);
  --m->n;
}

// kind: 0 var_pop, 1 var_samp, 2 stddev_pop, 3 stddev_samp
template <int kKind>
void MomentsValue(sqlite3_context* ctx) {
  Moments* m = MomentsOf(ctx, false);
  const int64_t min_n = (kKind == 1 || kKind == 3) ? 2 : 1;
  if (m == nullptr || m->n < min_n) return sqlite3_result_null(ctx);
  const double denominator = static_cast<double>(kKind == 1 || kKind == 3 ? m->n - 1 : m->n);
  const double variance = std::max(0.0, m->m2 / denominator);
  sqlite3_result_double(ctx, kKind >= 2 ? std::sqrt(variance) : variance);
}

// Aggregates that keep values: the state holds a pointer to a heap object.
template <typename T>
T* Holder(sqlite3_context* ctx, bool create) {
  auto** slot = static_cast<T**>(sqlite3_aggregate_context(ctx, create ? sizeof(T*) : 0));
  if (slot == nullptr) return nullptr;
  if (*slot == nullptr && create) *slot = new T();
  return *slot;
}

template <typename T>
std::unique_ptr<T> TakeHolder(sqlite3_context* ctx) {
  auto** slot = static_cast<T**>(sqlite3_aggregate_context(ctx, 0));
  if (slot == nullptr) return nullptr;
  std::unique_ptr<T> owned(*slot);
  *slot = nullptr;
  return owned;
}

struct PercentileState {
  std::vector<double> values;
  Json fractions;  // a number or an array
};

void PercentileStep(sqlite3_context* ctx, int, sqlite3_value** argv) {
  auto* state = Holder<PercentileState>(ctx, true);
  if (state == nullptr) return sqlite3_result_error_nomem(ctx);
  if (state->fractions.is_null()) {
    Json array;
    state->fractions = ArrayArg(argv[1], &array) ? array : Json(sqlite3_value_double(argv[1]));
  }
  double x;
  if (NumberArg(argv[0], &x)) state->values.push_back(x);
}

// Linear interpolation between the closest ranks (Hive's percentile()).
double PercentileOf(const std::vector<double>& sorted, double p) {
  const double position = p * static_cast<double>(sorted.size() - 1);
  const size_t lower = static_cast<size_t>(std::floor(position));
  const size_t upper = static_cast<size_t>(std::ceil(position));
  return sorted[lower] + (position - static_cast<double>(lower)) * (sorted[upper] - sorted[lower]);
}

void PercentileFinal(sqlite3_context* ctx) {
  std::unique_ptr<PercentileState> state = TakeHolder<PercentileState>(ctx);
  if (state == nullptr || state->values.empty()) return sqlite3_result_null(ctx);
  std::sort(state->values.begin(), state->values.end());
  auto valid = [](const Json& p) { return p.is_number() && p.get<double>() >= 0 && p.get<double>() <= 1; };
  if (state->fractions.is_array()) {
    Json out = Json::array();
    for (const Json& p : state->fractions) {
      if (!valid(p)) return sqlite3_result_error(ctx, "percentile: every fraction must be within [0, 1]", -1);
      out.push_back(PercentileOf(state->values, p.get<double>()));
    }
    return ResultText(ctx, JsonText(out));
  }
  if (!valid(state->fractions)) return sqlite3_result_error(ctx, "percentile: the fraction must be within [0, 1]", -1);
  sqlite3_result_double(ctx, PercentileOf(state->values, state->fractions.get<double>()));
}

struct CollectState {
  Json values = Json::array();
  std::set<std::string> seen;
};

template <bool kDistinct>
void CollectStep(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (IsNull(argv[0])) return;
  auto* state = Holder<CollectState>(ctx, true);
  if (state == nullptr) return sqlite3_result_error_nomem(ctx);
  Json value = JsonOf(argv[0]);
  if (kDistinct && !state->seen.insert(JsonText(value)).second) return;
  state->values.push_back(std::move(value));
}

void CollectFinal(sqlite3_context* ctx) {
  std::unique_ptr<CollectState> state = TakeHolder<CollectState>(ctx);
  ResultText(ctx, state == nullptr ? "[]" : JsonText(state->values));
}

template <void (*F)(sqlite3_context*, int, sqlite3_value**)>
void GuardedStep(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  try {
    F(ctx, argc, argv);
  } catch (const std::bad_alloc&) {
    sqlite3_result_error_nomem(ctx);
  } catch (const std::exception& e) {
    sqlite3_result_error(ctx, e.what(), -1);
  }
}

template <void (*F)(sqlite3_context*)>
void GuardedFinal(sqlite3_context* ctx) {
  try {
    F(ctx);
  } catch (const std::bad_alloc&) {
    sqlite3_result_error_nomem(ctx);
  } catch (const std::exception& e) {
    sqlite3_result_error(ctx, e.what(), -1);
  }
}

struct WindowSpec {
  const char* name;
  void (*value)(sqlite3_context*);
};

Status Check(sqlite3* db, int rc, const char* name) {
  if (rc == SQLITE_OK) return Status::Ok();
  return Status::Internal(std::string("could not register the SQL function ") + name + ": " + sqlite3_errmsg(db),
                          kQueryCode);
}

}  // namespace

Status RegisterAggregateFunctions(sqlite3* db) {
  static const WindowSpec kMoments[] = {
      {"variance", MomentsValue<0>},    {"var_pop", MomentsValue<0>},     {"var_samp", MomentsValue<1>},
      {"stddev", MomentsValue<2>},      {"stddev_pop", MomentsValue<2>},  {"std", MomentsValue<2>},
      {"stddev_samp", MomentsValue<3>},
  };
  for (const WindowSpec& spec : kMoments) {
    REFINERY_RETURN_IF_ERROR(Check(db,
                                   sqlite3_create_window_function(db, spec.name, 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                                                                  nullptr, MomentsStep, spec.value, spec.value,
                                                                  MomentsInverse, nullptr),
                                   spec.name));
  }
  for (const char* name : {"percentile", "percentile_approx"}) {
    for (int args : {2, 3}) {
      REFINERY_RETURN_IF_ERROR(Check(db,
                                     sqlite3_create_function_v2(db, name, args, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                                                                nullptr, nullptr, GuardedStep<PercentileStep>,
                                                                GuardedFinal<PercentileFinal>, nullptr),
                                     name));
    }
  }
  REFINERY_RETURN_IF_ERROR(Check(db,
                                 sqlite3_create_function_v2(db, "collect_set", 1, SQLITE_UTF8, nullptr, nullptr,
                                                            GuardedStep<CollectStep<true>>, GuardedFinal<CollectFinal>,
                                                            nullptr),
                                 "collect_set"));
  REFINERY_RETURN_IF_ERROR(Check(db,
                                 sqlite3_create_function_v2(db, "collect_list", 1, SQLITE_UTF8, nullptr, nullptr,
                                                            GuardedStep<CollectStep<false>>, GuardedFinal<CollectFinal>,
                                                            nullptr),
                                 "collect_list"));
  return Status::Ok();
}

}  // namespace refinery::sql::internal
