#include "coordinator/coord_el.h"

#include <array>
#include <cstdio>
#include <set>

#include <date/date.h>

#include "coordinator/internal.h"
#include "core/time_format.h"
#include "el/functions.h"

namespace refinery::coordinator {
namespace {

Status ElError(const std::string& message) { return Status::InvalidArgument(message, "EL_ERROR"); }

Result<int64_t> ToInt(const el::Value& v) {
  if (v.is_int()) return v.as_int();
  if (v.is_double()) return static_cast<int64_t>(v.as_double());
  if (v.is_string()) {
    const std::string& s = v.as_string();
    char* end = nullptr;
    long long n = std::strtoll(s.c_str(), &end, 10);
    if (!s.empty() && end != nullptr && *end == '\0') return static_cast<int64_t>(n);
  }
  return ElError("expected an integer but found [" + v.ToText() + "]");
}

Result<TimePoint> ToTime(const el::Value& v) {
  Result<TimePoint> t = ParseCoordTime(v.ToText());
  if (!t.ok()) return ElError("[" + v.ToText() + "] is not a date (yyyy-MM-dd'T'HH:mm'Z')");
  return t;
}

Result<TimeUnit> ToUnit(const el::Value& v) {
  const std::string s = v.ToText();
  static const std::array<std::pair<const char*, TimeUnit>, 6> kUnits = {{{"MINUTE", TimeUnit::kMinute},
                                                                           {"HOUR", TimeUnit::kHour},
                                                                           {"DAY", TimeUnit::kDay},
                                                                           {"WEEK", TimeUnit::kWeek},
                                                                           {"MONTH", TimeUnit::kMonth},
                                                                           {"YEAR", TimeUnit::kYear}}};
  for (const auto& [name, unit] : kUnits) {
    if (s == name) return unit;
  }
  return ElError("invalid time unit [" + s + "], valid ones: MINUTE, HOUR, DAY, WEEK, MONTH, YEAR");
}

el::Value InstanceValue(std::optional<TimePoint> t) {
  return el::Value::String(t ? FormatInstance(*t) : std::string());
}

Result<TimePoint> Nominal(const CoordElContext* ctx) {
  if (!ctx->nominal_time) return ElError("coord: nominal time is not known in this phase");
  return *ctx->nominal_time;
}

Result<const Dataset*> NeedDataset(const CoordElContext* ctx) {
  if (ctx->dataset == nullptr) return ElError("coord: function needs a dataset (use it inside a data-in/data-out)");
  return ctx->dataset;
}

// Instance n of the dataset, as coord:hoursInDay/daysInMonth read it.
Result<LocalFields> InstanceLocal(const CoordElContext* ctx, const el::Value& arg) {
  REFINERY_ASSIGN_OR_RETURN(const Dataset* ds, NeedDataset(ctx));
  REFINERY_ASSIGN_OR_RETURN(TimePoint nominal, Nominal(ctx));
  REFINERY_ASSIGN_OR_RETURN(int64_t n, ToInt(arg));
  std::optional<TimePoint> t = CurrentInstance(*ds, nominal, n);
  if (!t) t = AddCalendar(nominal, ds->frequency.unit, n * ds->frequency.value, ds->timezone);
  return ds->timezone.ToLocal(*t);
}

std::string JoinUris(const MaterializedAction* action, const std::string& name, bool inputs) {
  std::string out;
  const auto& events = inputs ? action->inputs : action->outputs;
  for (const DataInstances& d : events) {
    if (d.name != name) continue;
    for (const std::string& uri : d.uris) {
      if (!out.empty()) out += ',';
      out += uri;
    }
    if (!d.unresolved.empty()) {
      if (!out.empty()) out += ',';
      out += d.unresolved;
    }
  }
  return out;
}

// The (-n)-th existing instance at or before the actual time, newest first.
std::string LatestInstance(const CoordElContext* ctx, int64_t n) {
  const std::string echo = "${coord:latest(" + std::to_string(n) + ")}";
  const std::optional<TimePoint> from = ctx->actual_time ? ctx->actual_time : ctx->nominal_time;
  if (ctx->dataset == nullptr || !ctx->data_exists || !from) return echo;
  const Dataset& ds = *ctx->dataset;
  const std::string flag = ds.DoneFlagOrDefault();
  int64_t found = 0;
  for (int64_t i = 0; i > -10000; --i) {
    std::optional<TimePoint> t = CurrentInstance(ds, *from, i);
    if (!t) break;
    std::string uri = RenderUriTemplate(ds.uri_template, *t, ctx->conf);
    if (!ctx->data_exists(flag.empty() ? uri : uri + "/" + flag)) continue;
    if (found == -n) return FormatInstance(*t);
    ++found;
  }
  return echo;
}

void RegisterInstanceFunctions(el::FunctionTable* table, const CoordElContext* ctx) {
  table->Register("coord:current", 1, 1, [ctx](const std::vector<el::Value>& a) -> Result<el::Value> {
    REFINERY_ASSIGN_OR_RETURN(const Dataset* ds, NeedDataset(ctx));
    REFINERY_ASSIGN_OR_RETURN(TimePoint nominal, Nominal(ctx));
    REFINERY_ASSIGN_OR_RETURN(int64_t n, ToInt(a[0]));
    return InstanceValue(CurrentInstance(*ds, nominal, n));
  });
  table->Register("coord:currentRange", 2, 2, [ctx](const std::vector<el::Value>& a) -> Result<el::Value> {
    REFINERY_ASSIGN_OR_RETURN(const Dataset* ds, NeedDataset(ctx));
    REFINERY_ASSIGN_OR_RETURN(TimePoint nominal, Nominal(ctx));
    REFINERY_ASSIGN_OR_RETURN(int64_t s, ToInt(a[0]));
    REFINERY_ASSIGN_OR_RETURN(int64_t e, ToInt(a[1]));
    if (e - s > 1000) return ElError("coord:currentRange: range too large");
    std::string out;
    for (int64_t i = e; i >= s; --i) {
      std::optional<TimePoint> t = CurrentInstance(*ds, nominal, i);
      if (!t) break;
      if (!out.empty()) out += '#';
      out += FormatInstance(*t);
    }
    return el::Value::String(out);
  });
  table->Register("coord:offset", 2, 2, [ctx](const std::vector<el::Value>& a) -> Result<el::Value> {
    REFINERY_ASSIGN_OR_RETURN(const Dataset* ds, NeedDataset(ctx));
    REFINERY_ASSIGN_OR_RETURN(TimePoint nominal, Nominal(ctx));
    REFINERY_ASSIGN_OR_RETURN(int64_t n, ToInt(a[0]));
    REFINERY_ASSIGN_OR_RETURN(TimeUnit unit, ToUnit(a[1]));
    return InstanceValue(OffsetInstance(*ds, nominal, n, unit));
  });
  table->Register("coord:latest", 1, 1, [ctx](const std::vector<el::Value>& a) -> Result<el::Value> {
    REFINERY_ASSIGN_OR_RETURN(int64_t n, ToInt(a[0]));
    if (n > 0) return ElError("coord:latest(" + std::to_string(n) + "): n must be <= 0");
    return el::Value::String(LatestInstance(ctx, n));
  });
  table->Register("coord:hoursInDay", 1, 1, [ctx](const std::vector<el::Value>& a) -> Result<el::Value> {
    REFINERY_ASSIGN_OR_RETURN(LocalFields f, InstanceLocal(ctx, a[0]));
    f.hour = f.minute = f.second = 0;
    const TimeZone& tz = ctx->dataset->timezone;
    TimePoint begin = tz.FromLocal(f);
    TimePoint end = AddCalendar(begin, TimeUnit::kDay, 1, tz);
    return el::Value::Int(std::chrono::duration_cast<std::chrono::hours>(end - begin).count());
  });
  table->Register("coord:daysInMonth", 1, 1, [ctx](const std::vector<el::Value>& a) -> Result<el::Value> {
    REFINERY_ASSIGN_OR_RETURN(LocalFields f, InstanceLocal(ctx, a[0]));
    auto last = date::year{f.year} / date::month(static_cast<unsigned>(f.month)) / date::last;
    return el::Value::Int(static_cast<int64_t>(static_cast<unsigned>(last.day())));
  });
  table->Register("coord:tzOffset", 0, 0, [ctx](const std::vector<el::Value>&) -> Result<el::Value> {
    REFINERY_ASSIGN_OR_RETURN(const Dataset* ds, NeedDataset(ctx));
    REFINERY_ASSIGN_OR_RETURN(TimePoint nominal, Nominal(ctx));
    return el::Value::Int((ds->timezone.OffsetAt(nominal) - ctx->job_timezone.OffsetAt(nominal)).count());
  });
}

void RegisterTimeFunctions(el::FunctionTable* table, const CoordElContext* ctx) {
  table->Register("coord:nominalTime", 0, 0, [ctx](const std::vector<el::Value>&) -> Result<el::Value> {
    REFINERY_ASSIGN_OR_RETURN(TimePoint nominal, Nominal(ctx));
    return el::Value::String(FormatInstance(nominal));
  });
  table->Register("coord:actualTime", 0, 0, [ctx](const std::vector<el::Value>&) -> Result<el::Value> {
    if (!ctx->actual_time) return ElError("coord:actualTime: not known in this phase");
    return el::Value::String(FormatInstance(*ctx->actual_time));
  });
  table->Register("coord:dateOffset", 3, 3, [](const std::vector<el::Value>& a) -> Result<el::Value> {
    REFINERY_ASSIGN_OR_RETURN(TimePoint t, ToTime(a[0]));
    REFINERY_ASSIGN_OR_RETURN(int64_t n, ToInt(a[1]));
    REFINERY_ASSIGN_OR_RETURN(TimeUnit unit, ToUnit(a[2]));
    return el::Value::String(FormatInstance(AddCalendar(t, unit, n, TimeZone::Utc())));
  });
  table->Register("coord:dateTzOffset", 2, 2, [](const std::vector<el::Value>& a) -> Result<el::Value> {
    REFINERY_ASSIGN_OR_RETURN(TimePoint t, ToTime(a[0]));
    Result<TimeZone> tz = TimeZone::Find(a[1].ToText());
    if (!tz.ok()) return ElError("coord:dateTzOffset: invalid time zone [" + a[1].ToText() + "]");
    return el::Value::String(FormatInstance(t + tz->OffsetAt(t)));
  });
  table->Register("coord:formatTime", 2, 2, [](const std::vector<el::Value>& a) -> Result<el::Value> {
    REFINERY_ASSIGN_OR_RETURN(TimePoint t, ToTime(a[0]));
    return el::Value::String(FormatJavaTime(t, a[1].ToText(), TimeZone::Utc()));
  });
  table->Register("coord:epochTime", 2, 2, [](const std::vector<el::Value>& a) -> Result<el::Value> {
    REFINERY_ASSIGN_OR_RETURN(TimePoint t, ToTime(a[0]));
    const bool millis = a[1].ToText() == "true";
    int64_t ms = ToEpochMillis(t);
    return el::Value::String(std::to_string(millis ? ms : ms / 1000));
  });
}

void RegisterJobFunctions(el::FunctionTable* table, const CoordElContext* ctx) {
  table->Register("coord:conf", 1, 1, [ctx](const std::vector<el::Value>& a) -> Result<el::Value> {
    if (ctx->conf == nullptr) return el::Value::Null();
    std::optional<std::string> v = ctx->conf->Get(a[0].ToText());
    return v ? el::Value::String(*v) : el::Value::Null();
  });
  table->Register("coord:user", 0, 0, [ctx](const std::vector<el::Value>&) -> Result<el::Value> {
    return el::Value::String(ctx->user);
  });
  table->Register("coord:name", 0, 0, [ctx](const std::vector<el::Value>&) -> Result<el::Value> {
    return el::Value::String(ctx->name);
  });
  table->Register("coord:actionId", 0, 0, [ctx](const std::vector<el::Value>&) -> Result<el::Value> {
    return el::Value::String(ctx->action_id);
  });
  table->Register("coord:dataIn", 1, 1, [ctx](const std::vector<el::Value>& a) -> Result<el::Value> {
    if (ctx->action == nullptr) return ElError("coord:dataIn: no action in this phase");
    return el::Value::String(JoinUris(ctx->action, a[0].ToText(), true));
  });
  table->Register("coord:dataOut", 1, 1, [ctx](const std::vector<el::Value>& a) -> Result<el::Value> {
    if (ctx->action == nullptr) return ElError("coord:dataOut: no action in this phase");
    return el::Value::String(JoinUris(ctx->action, a[0].ToText(), false));
  });
}

}  // namespace

namespace internal {

// Hadoop's Configuration substitution of ${name} (no spaces, no '$').
std::string SubstituteProperties(std::string text, const Properties& conf) {
  for (int depth = 0; depth < 20; ++depth) {
    bool changed = false;
    std::string out;
    size_t i = 0;
    while (i < text.size()) {
      size_t open = text.find("${", i);
      if (open == std::string::npos) break;
      size_t close = text.find_first_of("}$ ", open + 2);
      out.append(text, i, open - i);
      if (close != std::string::npos && text[close] == '}') {
        std::optional<std::string> v = conf.Get(std::string_view(text).substr(open + 2, close - open - 2));
        if (v) {
          out += *v;
          changed = true;
        } else {
          out.append(text, open, close - open + 1);
        }
        i = close + 1;
      } else {
        out.append(text, open, 2);
        i = open + 2;
      }
    }
    if (i < text.size()) out.append(text, i, std::string::npos);
    text = std::move(out);
    if (!changed) break;
  }
  return text;
}

}  // namespace internal

namespace {

// End of the ${...} starting at `open` (index of '}'), skipping quoted text.
size_t ExpressionEnd(std::string_view text, size_t open) {
  char quote = 0;
  for (size_t j = open + 2; j < text.size(); ++j) {
    char c = text[j];
    if (quote != 0) {
      if (c == '\\') ++j;
      else if (c == quote) quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '}') {
      return j;
    }
  }
  return std::string_view::npos;
}

bool IsDeferred(std::string_view expr) {
  static const std::set<std::string, std::less<>> kPhase1 = {
      "user", "conf", "dateOffset", "dateTzOffset"};
  static const std::set<std::string, std::less<>> kUriVars = {"YEAR", "MONTH", "DAY", "HOUR", "MINUTE"};
  size_t b = expr.find_first_not_of(" \t");
  size_t e = expr.find_last_not_of(" \t");
  if (b != std::string_view::npos && kUriVars.count(expr.substr(b, e - b + 1)) > 0) return true;
  for (size_t pos = expr.find("coord:"); pos != std::string_view::npos; pos = expr.find("coord:", pos + 6)) {
    size_t end = pos + 6;
    while (end < expr.size() && (std::isalnum(static_cast<unsigned char>(expr[end])) || expr[end] == '_')) ++end;
    if (kPhase1.count(expr.substr(pos + 6, end - pos - 6)) == 0) return true;
  }
  return expr.find("wf:") != std::string_view::npos;
}

}  // namespace

std::string FormatInstance(TimePoint t) { return FormatOozieTime(t); }

void RegisterCoordFunctions(el::FunctionTable* table, const CoordElContext* ctx, const Clock* clock) {
  el::RegisterBasicFunctions(table, clock);
  RegisterInstanceFunctions(table, ctx);
  RegisterTimeFunctions(table, ctx);
  RegisterJobFunctions(table, ctx);
}

Result<std::string> EvaluateCoordText(std::string_view text, const CoordElContext& ctx) {
  el::FunctionTable table;
  FakeClock clock(ctx.actual_time.value_or(TimePoint()));
  RegisterCoordFunctions(&table, &ctx, &clock);
  el::Context el_ctx;
  el_ctx.functions = &table;
  el_ctx.variables = [&ctx](std::string_view name) -> std::optional<el::Value> {
    if (ctx.conf == nullptr) return std::nullopt;
    std::optional<std::string> v = ctx.conf->Get(name);
    if (!v) return std::nullopt;
    return el::Value::String(*v);
  };
  return el::Evaluate(text, el_ctx);
}

Result<std::string> ResolveSubmitText(std::string_view text, const Properties* conf, const std::string& user) {
  static const Properties kEmpty;
  const Properties& props = conf ? *conf : kEmpty;
  std::string substituted = internal::SubstituteProperties(std::string(text), props);
  if (!el::HasExpressions(substituted)) return substituted;

  CoordElContext ctx;
  ctx.user = user;
  ctx.conf = &props;
  el::FunctionTable table;
  RegisterJobFunctions(&table, &ctx);
  RegisterTimeFunctions(&table, &ctx);
  el::Context el_ctx;
  el_ctx.functions = &table;
  el_ctx.variables = [&props](std::string_view name) -> std::optional<el::Value> {
    std::optional<std::string> v = props.Get(name);
    if (!v) return std::nullopt;
    return el::Value::String(*v);
  };

  std::string out;
  size_t i = 0;
  while (i < substituted.size()) {
    size_t open = substituted.find("${", i);
    if (open == std::string::npos) break;
    size_t close = ExpressionEnd(substituted, open);
    if (close == std::string::npos) break;
    out.append(substituted, i, open - i);
    std::string_view whole = std::string_view(substituted).substr(open, close - open + 1);
    if (IsDeferred(whole.substr(2, whole.size() - 3))) {
      out.append(whole);
    } else {
      Result<std::string> v = el::Evaluate(whole, el_ctx);
      if (!v.ok()) {
        return Status::InvalidArgument(
            "Expression language evaluation error, Unable to evaluate :" + std::string(whole) + ": " +
                v.status().message(),
            "E1004");
      }
      out += *v;
    }
    i = close + 1;
  }
  if (i < substituted.size()) out.append(substituted, i, std::string::npos);
  return out;
}

std::string FormatJavaTime(TimePoint t, std::string_view pattern, const TimeZone& tz) {
  static const std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  static const std::array<const char*, 12> kMonthsLong = {"January", "February", "March",     "April",
                                                          "May",     "June",     "July",      "August",
                                                          "September", "October", "November", "December"};
  static const std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const std::array<const char*, 7> kDaysLong = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                       "Thursday", "Friday", "Saturday"};
  LocalFields f = tz.ToLocal(t);
  const int64_t millis = ToEpochMillis(t) % 1000;
  auto pad = [](int64_t v, size_t width) {
    std::string s = std::to_string(v);
    if (s.size() < width) s.insert(0, width - s.size(), '0');
    return s;
  };
  std::string out;
  for (size_t i = 0; i < pattern.size();) {
    char c = pattern[i];
    if (c == '\'') {
      size_t end = pattern.find('\'', i + 1);
      if (end == i + 1) out += '\'';
      else out.append(pattern.substr(i + 1, (end == std::string_view::npos ? pattern.size() : end) - i - 1));
      i = end == std::string_view::npos ? pattern.size() : end + 1;
      continue;
    }
    if (!std::isalpha(static_cast<unsigned char>(c))) {
      out += c;
      ++i;
      continue;
    }
    size_t n = 1;
    while (i + n < pattern.size() && pattern[i + n] == c) ++n;
    switch (c) {
      case 'y': out += n == 2 ? pad(f.year % 100, 2) : pad(f.year, n); break;
      case 'M':
        if (n >= 4) out += kMonthsLong[f.month - 1];
        else if (n == 3) out += kMonths[f.month - 1];
        else out += pad(f.month, n);
        break;
      case 'd': out += pad(f.day, n); break;
      case 'H': out += pad(f.hour, n); break;
      case 'h': out += pad(f.hour % 12 == 0 ? 12 : f.hour % 12, n); break;
      case 'a': out += f.hour < 12 ? "AM" : "PM"; break;
      case 'm': out += pad(f.minute, n); break;
      case 's': out += pad(f.second, n); break;
      case 'S': out += pad(millis, n); break;
      case 'E': out += n >= 4 ? kDaysLong[f.weekday] : kDays[f.weekday]; break;
      case 'z': out += tz.id() == "UTC" ? "UTC" : tz.id(); break;
      case 'Z': {
        int64_t off = tz.OffsetAt(t).count();
        out += off < 0 ? '-' : '+';
        out += pad(std::abs(off) / 60, 2) + pad(std::abs(off) % 60, 2);
        break;
      }
      default: out.append(n, c); break;
    }
    i += n;
  }
  return out;
}

}  // namespace refinery::coordinator
