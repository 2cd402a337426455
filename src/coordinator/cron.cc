#include "coordinator/cron.h"

#include <array>
#include <cctype>
#include <string>
#include <vector>

#include <date/date.h>

namespace refinery::coordinator {
namespace {

constexpr std::array<const char*, 12> kMonthNames = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                                     "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr std::array<const char*, 7> kDayNames = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

struct FieldSpec {
  const char* name;
  int min;
  int max;
};

Status Bad(std::string_view text, const std::string& why) {
  return Status::InvalidArgument("Invalid coordinator application attributes, frequency [" + std::string(text) +
                                     "] must be an integer or a cron syntax: " + why,
                                 "E1003");
}

std::vector<std::string> Split(std::string_view text, char sep) {
  std::vector<std::string> out;
  size_t begin = 0;
  while (true) {
    size_t pos = text.find(sep, begin);
    out.emplace_back(text.substr(begin, pos == std::string_view::npos ? std::string_view::npos : pos - begin));
    if (pos == std::string_view::npos) break;
    begin = pos + 1;
  }
  return out;
}

// A number or (for months/days of week) a name; -1 when neither.
int ParseValue(const std::string& s, const FieldSpec& f) {
  if (s.empty() || s.size() > 3) return -1;
  if (std::isdigit(static_cast<unsigned char>(s[0]))) {
    int v = 0;
    for (char c : s) {
      if (!std::isdigit(static_cast<unsigned char>(c))) return -1;
      v = v * 10 + (c - '0');
    }
    return v;
  }
  std::string upper;
  for (char c : s) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (std::string_view(f.name) == "month") {
    for (size_t i = 0; i < kMonthNames.size(); ++i)
      if (upper == kMonthNames[i]) return static_cast<int>(i) + 1;
  }
  if (std::string_view(f.name) == "day-of-week") {
    for (size_t i = 0; i < kDayNames.size(); ++i)
      if (upper == kDayNames[i]) return static_cast<int>(i) + 1;
  }
  return -1;
}

// Fills bits[min..max] from a list like "1,5-7,*/15,10/20". Returns an error text or "".
template <size_t N>
std::string ParseList(const std::string& field, const FieldSpec& f, std::bitset<N>* bits) {
  for (const std::string& item : Split(field, ',')) {
    std::string range = item;
    int step = 1;
    size_t slash = item.find('/');
    if (slash != std::string::npos) {
      range = item.substr(0, slash);
      step = ParseValue(item.substr(slash + 1), FieldSpec{"step", 0, 0});
      if (step <= 0 || step > f.max) return "bad step in '" + item + "'";
    }
    int lo = 0, hi = 0;
    if (range == "*" || (range.empty() && slash != std::string::npos)) {
      lo = f.min;
      hi = f.max;
    } else {
      size_t dash = range.find('-');
      if (dash == std::string::npos) {
        lo = ParseValue(range, f);
        hi = slash != std::string::npos ? f.max : lo;
      } else {
        lo = ParseValue(range.substr(0, dash), f);
        hi = ParseValue(range.substr(dash + 1), f);
      }
    }
    if (lo < f.min || lo > f.max || hi < f.min || hi > f.max) {
      return "'" + item + "' is out of range for " + f.name;
    }
    int span = f.max - f.min + 1;
    int count = hi >= lo ? hi - lo : hi + span - lo;  // Quartz wraps 22-2
    for (int k = 0; k <= count; k += step) {
      int v = lo + k;
      if (v > f.max) v -= span;
      bits->set(static_cast<size_t>(v));
    }
  }
  return "";
}

int DaysInMonth(int year, int month) {
  auto last = date::year{year} / date::month(static_cast<unsigned>(month)) / date::last;
  return static_cast<int>(static_cast<unsigned>(last.day()));
}

}  // namespace

Result<CronSchedule> CronSchedule::Parse(std::string_view text) {
  std::vector<std::string> fields;
  for (const std::string& f : Split(text, ' ')) {
    if (!f.empty()) fields.push_back(f);
  }
  if (fields.size() != 5) return Bad(text, "a cron frequency must have 5 bit fields");
  CronSchedule c;
  std::string err;
  if (!(err = ParseList(fields[0], FieldSpec{"minute", 0, 59}, &c.minutes_)).empty()) return Bad(text, err);
  if (!(err = ParseList(fields[1], FieldSpec{"hour", 0, 23}, &c.hours_)).empty()) return Bad(text, err);
  if (!(err = ParseList(fields[3], FieldSpec{"month", 1, 12}, &c.months_)).empty()) return Bad(text, err);

  std::string dom = fields[2], dow = fields[4];
  // Oozie: when both are given, a '*' one becomes '?'; otherwise OR of both.
  if (dom != "?" && dow != "?") {
    if (dom == "*") dom = "?";
    else if (dow == "*") dow = "?";
  }
  if (dom == "?" && dow == "?") return Bad(text, "'?' can only be given for one of day-of-month and day-of-week");
  if (dom != "?") {
    c.dom_active_ = true;
    if (dom == "L" || dom.rfind("L-", 0) == 0) {
      c.dom_last_ = true;
      if (dom.size() > 2) {
        c.dom_last_offset_ = ParseValue(dom.substr(2), FieldSpec{"day-of-month", 1, 31});
        if (c.dom_last_offset_ < 0 || c.dom_last_offset_ > 30) return Bad(text, "bad 'L-n' offset");
      }
    } else if (dom == "LW") {
      c.dom_weekday_ = true;
    } else if (dom.size() >= 2 && dom.back() == 'W') {
      c.dom_weekday_ = true;
      c.dom_weekday_day_ = ParseValue(dom.substr(0, dom.size() - 1), FieldSpec{"day-of-month", 1, 31});
      if (c.dom_weekday_day_ < 1 || c.dom_weekday_day_ > 31) return Bad(text, "bad 'W' day");
    } else if (!(err = ParseList(dom, FieldSpec{"day-of-month", 1, 31}, &c.dom_)).empty()) {
      return Bad(text, err);
    }
  }
  if (dow != "?") {
    c.dow_active_ = true;
    FieldSpec spec{"day-of-week", 1, 7};
    size_t hash = dow.find('#');
    if (dow == "L") {
      c.dow_.set(7);
    } else if (hash != std::string::npos) {
      c.dow_nth_day_ = ParseValue(dow.substr(0, hash), spec);
      c.dow_nth_ = ParseValue(dow.substr(hash + 1), FieldSpec{"nth", 1, 5});
      if (c.dow_nth_day_ < 1 || c.dow_nth_day_ > 7 || c.dow_nth_ < 1 || c.dow_nth_ > 5) {
        return Bad(text, "bad '#' in day-of-week");
      }
    } else if (dow.size() >= 2 && dow.back() == 'L') {
      c.dow_last_ = ParseValue(dow.substr(0, dow.size() - 1), spec);
      if (c.dow_last_ < 1 || c.dow_last_ > 7) return Bad(text, "bad 'L' in day-of-week");
    } else if (!(err = ParseList(dow, spec, &c.dow_)).empty()) {
      return Bad(text, err);
    }
  }
  return c;
}

bool CronSchedule::DomMatches(int year, int month, int day, int weekday) const {
  int last = DaysInMonth(year, month);
  if (dom_last_) return day == last - dom_last_offset_;
  if (dom_weekday_) {
    int target = dom_weekday_day_ == 0 ? last : dom_weekday_day_;
    if (target > last) return false;
    int wd = (weekday + (target - day) % 7 + 7) % 7;  // weekday of `target`
    if (wd == 6) target = target == 1 ? 3 : target - 1;
    else if (wd == 0) target = target == last ? target - 2 : target + 1;
    return day == target;
  }
  return dom_.test(static_cast<size_t>(day));
}

bool CronSchedule::DowMatches(int year, int month, int day, int weekday) const {
  int quartz_dow = weekday + 1;
  if (dow_nth_ > 0) return quartz_dow == dow_nth_day_ && (day - 1) / 7 + 1 == dow_nth_;
  if (dow_last_ > 0) return quartz_dow == dow_last_ && day + 7 > DaysInMonth(year, month);
  return dow_.test(static_cast<size_t>(quartz_dow));
}

bool CronSchedule::DayMatches(int year, int month, int day, int weekday) const {
  if (!months_.test(static_cast<size_t>(month))) return false;
  return (dom_active_ && DomMatches(year, month, day, weekday)) ||
         (dow_active_ && DowMatches(year, month, day, weekday));
}

std::optional<TimePoint> CronSchedule::NextAfter(TimePoint t) const {
  auto from = std::chrono::floor<std::chrono::minutes>(t) + std::chrono::minutes(1);
  date::sys_days day = std::chrono::floor<date::days>(from);
  auto minute_of_day = static_cast<int>((from - day).count());
  for (int i = 0; i < 366 * 11; ++i, ++day) {
    date::year_month_day ymd(day);
    int y = static_cast<int>(ymd.year());
    int m = static_cast<int>(static_cast<unsigned>(ymd.month()));
    int d = static_cast<int>(static_cast<unsigned>(ymd.day()));
    int wd = static_cast<int>(date::weekday(day).c_encoding());
    int start = i == 0 ? minute_of_day : 0;
    if (!DayMatches(y, m, d, wd)) continue;
    for (int mod = start; mod < 24 * 60; ++mod) {
      if (hours_.test(static_cast<size_t>(mod / 60)) && minutes_.test(static_cast<size_t>(mod % 60))) {
        return TimePoint(day) + std::chrono::minutes(mod);
      }
    }
  }
  return std::nullopt;
}

}  // namespace refinery::coordinator
