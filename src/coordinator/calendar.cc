// Calendar arithmetic as java.util.GregorianCalendar does it, dataset
// instances (coord:current, coord:offset) and URI templates.
#include <algorithm>
#include <cctype>
#include <cstdio>

#include <date/date.h>

#include "coordinator/coordinator.h"

namespace refinery::coordinator {
namespace {

int DaysIn(int year, int month) {
  auto last = date::year{year} / date::month(static_cast<unsigned>(month)) / date::last;
  return static_cast<int>(static_cast<unsigned>(last.day()));
}

LocalFields AddDays(LocalFields f, int64_t days) {
  date::sys_days d = date::sys_days(date::year{f.year} / date::month(static_cast<unsigned>(f.month)) /
                                    date::day(static_cast<unsigned>(f.day))) +
                     date::days(days);
  date::year_month_day ymd(d);
  f.year = static_cast<int>(ymd.year());
  f.month = static_cast<int>(static_cast<unsigned>(ymd.month()));
  f.day = static_cast<int>(static_cast<unsigned>(ymd.day()));
  f.weekday = static_cast<int>(date::weekday(d).c_encoding());
  return f;
}

// Calendar.add(DAY_OF_MONTH, n): wall clock kept, with Java's correction for
// an offset change that would move the date.
TimePoint AddDaysJava(TimePoint t, int64_t days, const TimeZone& tz) {
  const std::chrono::minutes old_offset = tz.OffsetAt(t);
  LocalFields target = AddDays(tz.ToLocal(t), days);
  TimePoint t1 = TimeZone::Utc().FromLocal(target) - old_offset;
  const std::chrono::minutes delta = old_offset - tz.OffsetAt(t1);
  if (delta.count() == 0) return t1;
  TimePoint t2 = t1 + delta;
  LocalFields check = tz.ToLocal(t2);
  if (check.year != target.year || check.month != target.month || check.day != target.day) return t1;
  return t2;
}

TimePoint AddMonthsJava(TimePoint t, int64_t months, const TimeZone& tz) {
  LocalFields f = tz.ToLocal(t);
  int64_t total = static_cast<int64_t>(f.year) * 12 + (f.month - 1) + months;
  if (total < 0) total = 0;
  if (total > 9999LL * 12) total = 9999LL * 12;
  f.year = static_cast<int>(total / 12);
  f.month = static_cast<int>(total % 12) + 1;
  f.day = std::min(f.day, DaysIn(f.year, f.month));
  return tz.FromLocal(f);
}

int64_t EpochMinutes(TimePoint t) {
  return std::chrono::floor<std::chrono::minutes>(t).time_since_epoch().count();
}

// Bounds keep arithmetic on absurd inputs inside the representable range.
constexpr int64_t kMaxMinutes = 9000LL * 366 * 1440;

}  // namespace

const char* TimeUnitName(TimeUnit unit) {
  switch (unit) {
    case TimeUnit::kMinute: return "MINUTE";
    case TimeUnit::kHour: return "HOUR";
    case TimeUnit::kDay: return "DAY";
    case TimeUnit::kWeek: return "WEEK";
    case TimeUnit::kMonth: return "MONTH";
    case TimeUnit::kYear: return "YEAR";
    case TimeUnit::kEndOfDay: return "END_OF_DAY";
    case TimeUnit::kEndOfWeek: return "END_OF_WEEK";
    case TimeUnit::kEndOfMonth: return "END_OF_MONTH";
    case TimeUnit::kCron: return "CRON";
    case TimeUnit::kNone: return "NONE";
  }
  return "NONE";
}

TimePoint AddCalendar(TimePoint t, TimeUnit unit, int64_t amount, const TimeZone& tz) {
  if (amount > kMaxMinutes) amount = kMaxMinutes;
  if (amount < -kMaxMinutes) amount = -kMaxMinutes;
  switch (unit) {
    case TimeUnit::kMinute: return ClampToSupportedRange(EpochMinutes(t) + amount);
    case TimeUnit::kHour: return ClampToSupportedRange(EpochMinutes(t) + 60 * std::clamp<int64_t>(amount, -kMaxMinutes / 60, kMaxMinutes / 60));
    case TimeUnit::kDay:
    case TimeUnit::kEndOfDay: return AddDaysJava(t, std::clamp<int64_t>(amount, -3300000, 3300000), tz);
    case TimeUnit::kWeek:
    case TimeUnit::kEndOfWeek: return AddDaysJava(t, 7 * std::clamp<int64_t>(amount, -470000, 470000), tz);
    case TimeUnit::kMonth:
    case TimeUnit::kEndOfMonth: return AddMonthsJava(t, std::clamp<int64_t>(amount, -120000, 120000), tz);
    case TimeUnit::kYear: return AddMonthsJava(t, 12 * std::clamp<int64_t>(amount, -10000, 10000), tz);
    case TimeUnit::kCron:
    case TimeUnit::kNone: return t;
  }
  return t;
}

TimePoint MoveToEnd(TimePoint t, TimeUnit end_of, const TimeZone& tz) {
  LocalFields f = tz.ToLocal(t);
  f.hour = f.minute = f.second = 0;
  switch (end_of) {
    case TimeUnit::kEndOfDay:
      return tz.FromLocal(AddDays(f, 1));
    case TimeUnit::kEndOfWeek:
      return tz.FromLocal(AddDays(f, 7 - f.weekday));
    case TimeUnit::kEndOfMonth:
      f.day = 1;
      return AddMonthsJava(tz.FromLocal(f), 1, tz);
    default:
      return t;
  }
}

std::optional<TimePoint> CurrentInstance(const Dataset& ds, TimePoint nominal, int64_t n) {
  const TimePoint init = MoveToEnd(ds.initial_instance, ds.frequency.end_of, ds.timezone);
  if (init > nominal || ds.frequency.value <= 0) return std::nullopt;
  const TimeUnit unit = ds.frequency.unit;
  const int64_t freq = ds.frequency.value;
  int64_t approx_minutes = unit == TimeUnit::kMinute ? 1
                           : unit == TimeUnit::kDay  ? 1440
                           : unit == TimeUnit::kWeek ? 10080
                                                     : 43830;
  int64_t elapsed = std::chrono::duration_cast<std::chrono::minutes>(nominal - init).count();
  int64_t k = std::max<int64_t>(0, elapsed / (approx_minutes * freq) - 2);
  for (int i = 0; i < 8 && AddCalendar(init, unit, (k + 1) * freq, ds.timezone) <= nominal; ++i) ++k;
  for (int i = 0; i < 8 && k > 0 && AddCalendar(init, unit, k * freq, ds.timezone) > nominal; ++i) --k;
  if (k + n < 0) return std::nullopt;
  return AddCalendar(init, unit, (k + n) * freq, ds.timezone);
}

std::optional<TimePoint> OffsetInstance(const Dataset& ds, TimePoint nominal, int64_t n, TimeUnit unit) {
  std::optional<TimePoint> base = CurrentInstance(ds, nominal, 0);
  if (!base) return std::nullopt;
  return CurrentInstance(ds, AddCalendar(*base, unit, n, ds.timezone), 0);
}

std::string RenderUriTemplate(std::string_view tmpl, TimePoint instance, const Properties* conf) {
  LocalFields f = TimeZone::Utc().ToLocal(instance);
  char buf[8];
  auto two = [&](int v) {
    std::snprintf(buf, sizeof buf, "%02d", v);
    return std::string(buf);
  };
  std::string out;
  size_t i = 0;
  while (i < tmpl.size()) {
    size_t open = tmpl.find("${", i);
    if (open == std::string_view::npos) break;
    size_t close = tmpl.find('}', open);
    if (close == std::string_view::npos) break;
    out.append(tmpl.substr(i, open - i));
    std::string name(tmpl.substr(open + 2, close - open - 2));
    if (name == "YEAR") {
      std::snprintf(buf, sizeof buf, "%04d", f.year);
      out += buf;
    } else if (name == "MONTH") {
      out += two(f.month);
    } else if (name == "DAY") {
      out += two(f.day);
    } else if (name == "HOUR") {
      out += two(f.hour);
    } else if (name == "MINUTE") {
      out += two(f.minute);
    } else if (auto v = conf ? conf->Get(name) : std::nullopt) {
      out += *v;
    } else {
      out.append(tmpl.substr(open, close - open + 1));
    }
    i = close + 1;
  }
  out.append(tmpl.substr(std::min(i, tmpl.size())));
  return out;
}

const Dataset* CoordinatorApp::FindDataset(std::string_view name) const {
  for (const Dataset& ds : datasets) {
    if (ds.name == name) return &ds;
  }
  return nullptr;
}

}  // namespace refinery::coordinator
