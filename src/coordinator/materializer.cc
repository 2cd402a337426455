// Which actions are due: nominal times from the original start, Oozie's
// window/throttle/catch-up rules, and the dataset instances of each action.
#include <algorithm>

#include "coordinator/coord_el.h"
#include "coordinator/coordinator.h"
#include "coordinator/cron.h"
#include "coordinator/internal.h"
#include "core/time_format.h"

namespace refinery::coordinator {

namespace internal {

std::chrono::minutes DstCorrection(const TimeZone& tz, TimePoint start, TimePoint candidate) {
  const std::chrono::minutes begin_dst = tz.DstAt(start);
  const std::chrono::minutes end_dst = tz.DstAt(candidate);
  if (begin_dst.count() != 0 && end_dst.count() == 0) return begin_dst;
  if (begin_dst.count() == 0 && end_dst.count() != 0) return -end_dst;
  return std::chrono::minutes(0);
}

}  // namespace internal

namespace {

constexpr int64_t kBatchSize = 10000;

// Nominal times of actions number, number+1, ... of a job.
class NominalSeries {
 public:
  static Result<NominalSeries> Create(const CoordinatorApp& app, int64_t first_number) {
    NominalSeries s(app);
    if (app.frequency.unit == TimeUnit::kCron) {
      Result<CronSchedule> cron = CronSchedule::Parse(app.frequency.text);
      if (!cron.ok()) return cron.status();
      s.cron_ = std::move(*cron);
      s.prev_fire_ = app.start - std::chrono::minutes(1);
      s.prev_gap_anchor_ = app.start;
      for (int64_t i = 1; i < first_number; ++i) {
        if (!s.NextCron()) break;
      }
    } else {
      s.origin_ = MoveToEnd(app.start, app.frequency.end_of, app.timezone);
    }
    s.number_ = first_number;
    return s;
  }

  // The nominal time of the current number; nullopt when cron never fires.
  std::optional<TimePoint> Current() {
    if (cached_) return cached_;
    if (app_->frequency.unit == TimeUnit::kCron) {
      cached_ = NextCron();
    } else {
      cached_ = AddCalendar(origin_, app_->frequency.unit, (number_ - 1) * app_->frequency.value, app_->timezone);
    }
    return cached_;
  }
  void Advance() {
    if (!cached_) Current();
    cached_.reset();
    ++number_;
  }
  int64_t number() const { return number_; }

 private:
  explicit NominalSeries(const CoordinatorApp& app) : app_(&app) {}

  std::optional<TimePoint> NextCron() {
    std::optional<TimePoint> fire = cron_->NextAfter(prev_fire_);
    if (!fire) return std::nullopt;
    TimePoint nominal = *fire;
    if (*fire - prev_gap_anchor_ >= std::chrono::hours(24)) {
      nominal += internal::DstCorrection(app_->timezone, app_->start, *fire);
    }
    prev_gap_anchor_ = *fire;
    prev_fire_ = *fire;
    return nominal;
  }

  const CoordinatorApp* app_;
  std::optional<CronSchedule> cron_;
  TimePoint origin_;
  TimePoint prev_fire_;
  TimePoint prev_gap_anchor_;
  int64_t number_ = 1;
  std::optional<TimePoint> cached_;
};

enum class FuncType { kCurrent, kLatest, kFuture, kOffset, kAbsolute, kOther };

FuncType FuncTypeOf(std::string_view expr) {
  if (expr.find("current") != std::string_view::npos) return FuncType::kCurrent;
  if (expr.find("latest") != std::string_view::npos) return FuncType::kLatest;
  if (expr.find("future") != std::string_view::npos) return FuncType::kFuture;
  if (expr.find("offset") != std::string_view::npos) return FuncType::kOffset;
  if (expr.find("absolute") != std::string_view::npos) return FuncType::kAbsolute;
  return FuncType::kOther;
}

struct InstanceIndex {
  int64_t n = 0;
  std::string rest;  // future's limit, offset's unit
};

// Evaluates a start/end-instance expression to the index it names, e.g.
// ${coord:current(-coord:tzOffset())} → -3 at a given nominal time.
Result<InstanceIndex> EvaluateIndex(const std::string& expr, const CoordElContext& ctx) {
  InstanceIndex out;
  el::FunctionTable table;
  FakeClock clock(ctx.actual_time.value_or(TimePoint()));
  RegisterCoordFunctions(&table, &ctx, &clock);
  auto index_fn = [&out](const std::vector<el::Value>& a) -> Result<el::Value> {
    if (a[0].is_int()) out.n = a[0].as_int();
    else if (a[0].is_double()) out.n = static_cast<int64_t>(a[0].as_double());
    else if (auto v = internal::ParseInt(a[0].ToText())) out.n = *v;
    else return Status::InvalidArgument("instance index [" + a[0].ToText() + "] is not an integer", "EL_ERROR");
    if (a.size() > 1) out.rest = a[1].ToText();
    return el::Value::Int(out.n);
  };
  table.Register("coord:current", 1, 1, index_fn);
  table.Register("coord:latest", 1, 1, index_fn);
  table.Register("coord:future", 2, 2, index_fn);
  table.Register("coord:offset", 2, 2, index_fn);
  el::Context el_ctx;
  el_ctx.functions = &table;
  el_ctx.variables = [&ctx](std::string_view name) -> std::optional<el::Value> {
    if (ctx.conf == nullptr) return std::nullopt;
    if (auto v = ctx.conf->Get(name)) return el::Value::String(*v);
    return std::nullopt;
  };
  Result<std::string> r = el::Evaluate(expr, el_ctx);
  if (!r.ok()) return r.status();
  return out;
}

// A start-instance offset rounds up to the next instance (Oozie fast-forwards
// it), clipped to the first instance; nullopt when the nominal time has none.
std::optional<TimePoint> FastForwardOffset(const Dataset& ds, TimePoint nominal, int64_t n, TimeUnit unit) {
  std::optional<TimePoint> base = CurrentInstance(ds, nominal, 0);
  if (!base) return std::nullopt;
  const TimePoint target = AddCalendar(*base, unit, n, ds.timezone);
  std::optional<TimePoint> at = CurrentInstance(ds, target, 0);
  if (!at) return MoveToEnd(ds.initial_instance, ds.frequency.end_of, ds.timezone);
  if (*at < target) return CurrentInstance(ds, target, 1);
  return at;
}

Status E1010(const std::string& message) {
  return Status::InvalidArgument("Invalid data in coordinator xml. [" + message + "]", "E1010");
}

Status ResolveRange(const DataEvent& ev, const Dataset& ds, const CoordElContext& ctx, DataInstances* out) {
  const FuncType start_type = FuncTypeOf(ev.start_instance);
  const FuncType end_type = FuncTypeOf(ev.end_instance);
  if (start_type != end_type) {
    return E1010("start-instance and end-instance both should be either latest or current or future or offset: "
                 "start " + ev.start_instance + " and end " + ev.end_instance);
  }
  REFINERY_ASSIGN_OR_RETURN(InstanceIndex s, EvaluateIndex(ev.start_instance, ctx));
  REFINERY_ASSIGN_OR_RETURN(InstanceIndex e, EvaluateIndex(ev.end_instance, ctx));
  const TimePoint nominal = *ctx.nominal_time;
  switch (start_type) {
    case FuncType::kCurrent: {
      if (s.n > e.n) return E1010("start-instance should be equal or earlier than the end-instance in [" + ev.name + "]");
      if (e.n - s.n > 1000) return E1010("instance range of [" + ev.name + "] is too large");
      for (int64_t i = e.n; i >= s.n; --i) {
        std::optional<TimePoint> t = CurrentInstance(ds, nominal, i);
        if (!t) break;
        out->instances.push_back(FormatInstance(*t));
      }
      return Status::Ok();
    }
    case FuncType::kOffset: {
      auto unit_of = [](const std::string& u) -> std::optional<TimeUnit> {
        if (u == "MINUTE") return TimeUnit::kMinute;
        if (u == "HOUR") return TimeUnit::kHour;
        if (u == "DAY") return TimeUnit::kDay;
        if (u == "MONTH") return TimeUnit::kMonth;
        if (u == "YEAR") return TimeUnit::kYear;
        return std::nullopt;
      };
      std::optional<TimeUnit> su = unit_of(s.rest), eu = unit_of(e.rest);
      if (!su || !eu) return E1010("coord:offset needs a unit MINUTE, HOUR, DAY, MONTH or YEAR in [" + ev.name + "]");
      std::optional<TimePoint> first = FastForwardOffset(ds, nominal, s.n, *su);
      std::optional<TimePoint> last = OffsetInstance(ds, nominal, e.n, *eu);
      if (first && last && *first > *last) {
        return E1010("start-instance should be equal or earlier than the end-instance in [" + ev.name + "]");
      }
      std::optional<TimePoint> t = last;
      for (int i = 0; t && (!first || *t >= *first) && i < kBatchSize; ++i) {
        out->instances.push_back(FormatInstance(*t));
        t = CurrentInstance(ds, *t, -1);
      }
      return Status::Ok();
    }
    case FuncType::kLatest:
      out->unresolved = "${coord:latestRange(" + std::to_string(s.n) + "," + std::to_string(e.n) + ")}";
      return Status::Ok();
    case FuncType::kFuture:
      out->unresolved = "${coord:futureRange(" + std::to_string(s.n) + "," + std::to_string(e.n) + ",'" + e.rest + "')}";
      return Status::Ok();
    default:
      return Status::Unsupported("instance functions other than current, latest, future and offset are not "
                                 "supported in [" + ev.name + "]", "E1010");
  }
}

Result<DataInstances> ResolveEvent(const CoordinatorApp& app, const DataEvent& ev, const CoordElContext& base) {
  const Dataset* ds = app.FindDataset(ev.dataset);
  if (ds == nullptr) return E1010("dataset [" + ev.dataset + "] is not defined");
  CoordElContext ctx = base;
  ctx.dataset = ds;
  DataInstances out;
  out.name = ev.name;
  out.dataset = ev.dataset;
  for (const std::string& inst : ev.instances) {
    FuncType type = FuncTypeOf(inst);
    if (type == FuncType::kLatest || type == FuncType::kFuture) {
      if (!out.unresolved.empty()) out.unresolved += '#';
      out.unresolved += inst;
      continue;
    }
    Result<std::string> v = EvaluateCoordText(inst, ctx);
    if (!v.ok()) return v.status();
    size_t begin = 0;
    while (begin < v->size()) {
      size_t hash = v->find('#', begin);
      if (hash == std::string::npos) hash = v->size();
      if (hash > begin) out.instances.push_back(v->substr(begin, hash - begin));
      begin = hash + 1;
    }
  }
  if (!ev.start_instance.empty()) REFINERY_RETURN_IF_ERROR(ResolveRange(ev, *ds, ctx, &out));
  for (const std::string& inst : out.instances) {
    Result<TimePoint> t = ParseCoordTime(inst);
    if (!t.ok()) return E1010("instance [" + inst + "] of [" + ev.name + "] is not a date");
    out.uris.push_back(RenderUriTemplate(ds->uri_template, *t, base.conf));
  }
  return out;
}

Result<MaterializedAction> CreateAction(const CoordinatorApp& app, const JobState& state, int64_t number,
                                        TimePoint nominal, TimePoint now) {
  MaterializedAction a;
  a.number = number;
  a.id = state.job_id + "@" + std::to_string(number);
  a.nominal_time = nominal;
  a.created_time = now;
  CoordElContext ctx;
  ctx.job_timezone = app.timezone;
  ctx.nominal_time = nominal;
  ctx.actual_time = now;
  ctx.action_id = a.id;
  ctx.name = app.name;
  ctx.user = state.user;
  ctx.conf = &state.conf;
  for (const DataEvent& ev : app.input_events) {
    REFINERY_ASSIGN_OR_RETURN(DataInstances d, ResolveEvent(app, ev, ctx));
    a.inputs.push_back(std::move(d));
  }
  for (const DataEvent& ev : app.output_events) {
    REFINERY_ASSIGN_OR_RETURN(DataInstances d, ResolveEvent(app, ev, ctx));
    a.outputs.push_back(std::move(d));
  }
  return a;
}

}  // namespace

Result<MaterializedAction> MaterializeAction(const CoordinatorApp& app, const JobState& state, int64_t number,
                                             TimePoint nominal, TimePoint now) {
  return CreateAction(app, state, number, nominal, now);
}

Result<MaterializeResult> Materializer::Materialize(const JobState& state) const {
  const CoordinatorApp& app = *app_;
  const TimePoint now = clock_->Now();
  MaterializeResult result;
  result.last_action_number = state.last_action_number;
  result.next_materialized_time = state.next_materialized_time;
  const TimePoint mat_start = state.next_materialized_time.value_or(app.start);
  if (mat_start >= app.end) {
    result.done = true;
    return result;
  }
  if (app.start > now + options_.lookahead || mat_start >= now + options_.lookahead) return result;

  const Execution exec = app.controls.execution;
  const bool past = mat_start + options_.window < now;
  const bool skip_kind = exec == Execution::kLastOnly || exec == Execution::kNone;
  TimePoint window_end = mat_start + options_.window;
  int64_t limit = app.controls.throttle - state.waiting_actions;
  if (past) {
    window_end = now + std::chrono::minutes(1);
    if (skip_kind) limit = kBatchSize;
  }
  if (limit <= 0) return result;

  Result<NominalSeries> series = NominalSeries::Create(app, state.last_action_number + 1);
  if (!series.ok()) return series.status();
  while (true) {
    std::optional<TimePoint> nt = series->Current();
    if (!nt || *nt >= app.end) {
      result.done = true;
      result.next_materialized_time = nt;
      break;
    }
    result.next_materialized_time = *nt;
    if (*nt >= window_end || (state.pause_time && *nt >= *state.pause_time) ||
        static_cast<int64_t>(result.actions.size()) >= limit) {
      break;
    }
    Result<MaterializedAction> action = CreateAction(app, state, series->number(), *nt, now);
    if (!action.ok()) {
      return Status::InvalidArgument("Coord Job Materialization Error: " + action.status().ToString(), "E1012");
    }
    result.actions.push_back(std::move(*action));
    result.last_action_number = series->number();
    series->Advance();
  }
  return result;
}

Result<std::optional<TimePoint>> NominalTimeOf(const CoordinatorApp& app, int64_t number) {
  if (number < 1) return Status::InvalidArgument("action number must be >= 1");
  REFINERY_ASSIGN_OR_RETURN(NominalSeries series, NominalSeries::Create(app, number));
  std::optional<TimePoint> nt = series.Current();
  if (!nt || *nt >= app.end) return std::optional<TimePoint>();
  return nt;
}

Result<std::optional<TimePoint>> NextNominalTime(const CoordinatorApp& app, int64_t number, TimePoint nominal) {
  std::optional<TimePoint> next;
  if (app.frequency.unit == TimeUnit::kCron) {
    REFINERY_ASSIGN_OR_RETURN(CronSchedule cron, CronSchedule::Parse(app.frequency.text));
    next = cron.NextAfter(nominal);
  } else {
    next = MoveToEnd(AddCalendar(app.start, app.frequency.unit, number * app.frequency.value, app.timezone),
                     app.frequency.end_of, app.timezone);
  }
  if (next && *next > app.end) next.reset();
  return next;
}

}  // namespace refinery::coordinator
