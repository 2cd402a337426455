#include "coordinator/time_zone.h"

#include <algorithm>
#include <cctype>
#include <map>

#include <date/date.h>
#include <date/tz.h>

#include "core/time_format.h"

namespace refinery::coordinator {
namespace {

// Java's legacy three-letter ids that users still write.
const std::map<std::string, std::string, std::less<>>& Aliases() {
  static const auto* aliases = new std::map<std::string, std::string, std::less<>>{
      {"PST", "America/Los_Angeles"}, {"PDT", "America/Los_Angeles"}, {"MST", "America/Denver"},
      {"CST", "America/Chicago"},     {"EST", "America/New_York"},    {"IST", "Asia/Kolkata"},
      {"JST", "Asia/Tokyo"},          {"CET", "CET"},                 {"GMT", "UTC"},
      {"UTC", "UTC"},                 {"Z", "UTC"}};
  return *aliases;
}

bool ParseDigits(std::string_view s, int* out) {
  if (s.empty() || s.size() > 2) return false;
  int v = 0;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

// GMT+5, GMT+05, GMT+0530, GMT+05:30 (Java's custom ids).
bool ParseGmtOffset(std::string_view id, std::chrono::minutes* out) {
  if (id.size() < 5 || id.substr(0, 3) != "GMT" || (id[3] != '+' && id[3] != '-')) return false;
  std::string_view rest = id.substr(4);
  int h = 0, m = 0;
  size_t colon = rest.find(':');
  if (colon != std::string_view::npos) {
    if (!ParseDigits(rest.substr(0, colon), &h) || rest.size() - colon - 1 != 2 ||
        !ParseDigits(rest.substr(colon + 1), &m))
      return false;
  } else if (rest.size() <= 2) {
    if (!ParseDigits(rest, &h)) return false;
  } else if (rest.size() == 4) {
    if (!ParseDigits(rest.substr(0, 2), &h) || !ParseDigits(rest.substr(2), &m)) return false;
  } else {
    return false;
  }
  if (h > 23 || m > 59) return false;
  *out = std::chrono::minutes((id[3] == '-' ? -1 : 1) * (h * 60 + m));
  return true;
}

date::sys_seconds ToSys(TimePoint t) { return std::chrono::floor<std::chrono::seconds>(t); }

constexpr int64_t kMinMinutes = -141990480;  // 1700-01-01T00:00Z
constexpr int64_t kMaxMinutes = 147257280;   // 2250-01-01T00:00Z

}  // namespace

TimePoint ClampToSupportedRange(date_minutes_t epoch_minutes) {
  return TimePoint(std::chrono::minutes(std::clamp<int64_t>(epoch_minutes, kMinMinutes, kMaxMinutes)));
}

Result<TimePoint> ParseCoordTime(std::string_view text) {
  if (text.size() == 17) {
    int year = 0;
    for (size_t i = 0; i < 4; ++i) year = year * 10 + (text[i] >= '0' && text[i] <= '9' ? text[i] - '0' : 0);
    if (year < 1700 || year > 2200) {
      return Status::InvalidArgument("time [" + std::string(text) + "] is outside the supported years 1700 … 2200");
    }
  }
  return ParseOozieTime(text);
}

Result<TimeZone> TimeZone::Find(std::string_view id) {
  TimeZone tz;
  tz.id_ = std::string(id);
  if (ParseGmtOffset(id, &tz.fixed_)) return tz;
  std::string name(id);
  if (auto it = Aliases().find(id); it != Aliases().end()) name = it->second;
  if (name == "UTC") {
    return tz;
  }
  if (name.empty() || name.size() > 64 || name.find("..") != std::string::npos) {
    return Status::InvalidArgument("[" + std::string(id) + "] must be a valid TZ", "E1003");
  }
  try {
    tz.zone_ = date::locate_zone(name);
  } catch (const std::exception&) {
    return Status::InvalidArgument("[" + std::string(id) + "] must be a valid TZ", "E1003");
  }
  return tz;
}

std::chrono::minutes TimeZone::OffsetAt(TimePoint t) const {
  if (zone_ == nullptr) return fixed_;
  return std::chrono::duration_cast<std::chrono::minutes>(zone_->get_info(ToSys(t)).offset);
}

std::chrono::minutes TimeZone::DstAt(TimePoint t) const {
  if (zone_ == nullptr) return std::chrono::minutes(0);
  // With the OS tz database `save` is only a flag (1 min), so the amount is
  // the difference to the standard-time period before.
  const date::sys_info info = zone_->get_info(ToSys(t));
  if (info.save.count() == 0) return std::chrono::minutes(0);
  const date::sys_info before = zone_->get_info(info.begin - std::chrono::seconds(1));
  if (before.save.count() != 0 || before.offset >= info.offset) return std::chrono::minutes(60);
  return std::chrono::duration_cast<std::chrono::minutes>(info.offset - before.offset);
}

LocalFields TimeZone::ToLocal(TimePoint t) const {
  auto local = ToSys(t) + OffsetAt(t);
  auto days = std::chrono::floor<date::days>(local);
  date::year_month_day ymd(days);
  date::hh_mm_ss<std::chrono::seconds> hms(local - days);
  LocalFields f;
  f.year = static_cast<int>(ymd.year());
  f.month = static_cast<int>(static_cast<unsigned>(ymd.month()));
  f.day = static_cast<int>(static_cast<unsigned>(ymd.day()));
  f.hour = static_cast<int>(hms.hours().count());
  f.minute = static_cast<int>(hms.minutes().count());
  f.second = static_cast<int>(hms.seconds().count());
  f.weekday = static_cast<int>(date::weekday(days).c_encoding());
  return f;
}

TimePoint TimeZone::FromLocal(const LocalFields& f) const {
  date::sys_days day = date::sys_days(date::year{f.year} / date::month(static_cast<unsigned>(f.month)) / 1) +
                       date::days(f.day - 1);
  date::sys_seconds wall = day + std::chrono::hours(f.hour) + std::chrono::minutes(f.minute) +
                           std::chrono::seconds(f.second);
  auto to_time = [](date::sys_seconds s) {
    return ClampToSupportedRange(std::chrono::floor<std::chrono::minutes>(s).time_since_epoch().count());
  };
  if (zone_ == nullptr) return to_time(wall - fixed_);
  date::local_seconds local(wall.time_since_epoch());
  date::local_info info = zone_->get_info(local);
  // unique and ambiguous: the first offset; nonexistent: the offset before the gap.
  return to_time(wall - info.first.offset);
}

}  // namespace refinery::coordinator
