#include "core/time_format.h"

#include <ctime>

#include <fmt/format.h>

namespace refinery {
namespace {

struct Parts {
  std::tm tm{};
  int millis = 0;
};

Parts Split(TimePoint t) {
  const int64_t ms = ToEpochMillis(t);
  int64_t secs = ms / 1000;
  int millis = static_cast<int>(ms % 1000);
  if (millis < 0) {
    millis += 1000;
    secs -= 1;
  }
  Parts parts;
  const std::time_t tt = static_cast<std::time_t>(secs);
  gmtime_r(&tt, &parts.tm);
  parts.millis = millis;
  return parts;
}

constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

bool ReadDigits(std::string_view text, size_t pos, size_t count, int* out) {
  if (pos + count > text.size()) return false;
  int value = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    value = value * 10 + (text[i] - '0');
  }
  *out = value;
  return true;
}

}  // namespace

int64_t ToEpochMillis(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

TimePoint FromEpochMillis(int64_t millis) {
  return TimePoint(std::chrono::milliseconds(millis));
}

std::string FormatOozieTime(TimePoint t) {
  const Parts p = Split(t);
  return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}Z", p.tm.tm_year + 1900, p.tm.tm_mon + 1,
                     p.tm.tm_mday, p.tm.tm_hour, p.tm.tm_min);
}

std::string FormatRfc822(TimePoint t) {
  const Parts p = Split(t);
  return fmt::format("{}, {:02d} {} {:04d} {:02d}:{:02d}:{:02d} GMT", kDays[p.tm.tm_wday], p.tm.tm_mday,
                     kMonths[p.tm.tm_mon], p.tm.tm_year + 1900, p.tm.tm_hour, p.tm.tm_min, p.tm.tm_sec);
}

Result<TimePoint> ParseRfc822(std::string_view text) {
  auto bad = [&] {
    return Status::InvalidArgument("time \"" + std::string(text) +
                                   "\" is not in RFC 822 form, e.g. \"Thu, 14 Jan 2021 07:05:12 GMT\"");
  };
  // "Thu, 14 Jan 2021 07:05:12 GMT": fixed widths.
  if (text.size() != 29 || text.substr(3, 2) != ", " || text.substr(25) != " GMT") return bad();
  int day = 0, year = 0, hour = 0, minute = 0, second = 0;
  if (!ReadDigits(text, 5, 2, &day) || !ReadDigits(text, 12, 4, &year) || !ReadDigits(text, 17, 2, &hour) ||
      !ReadDigits(text, 20, 2, &minute) || !ReadDigits(text, 23, 2, &second)) {
    return bad();
  }
  const std::string_view month_name = text.substr(8, 3);
  int month = 0;
  while (month < 12 && month_name != kMonths[month]) ++month;
  if (month == 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return bad();
  const int64_t days = DaysFromCivil(year, static_cast<unsigned>(month + 1), static_cast<unsigned>(day));
  return FromEpochMillis(((days * 24 + hour) * 60 + minute) * 60000 + second * 1000);
}

std::string FormatIsoMillis(TimePoint t) {
  const Parts p = Split(t);
  return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}.{:03d}Z", p.tm.tm_year + 1900,
                     p.tm.tm_mon + 1, p.tm.tm_mday, p.tm.tm_hour, p.tm.tm_min, p.tm.tm_sec, p.millis);
}

std::string FormatCompactStartTime(TimePoint t) {
  const Parts p = Split(t);
  return fmt::format("{:02d}{:02d}{:02d}{:02d}{:02d}{:02d}{:03d}", (p.tm.tm_year + 1900) % 100,
                     p.tm.tm_mon + 1, p.tm.tm_mday, p.tm.tm_hour, p.tm.tm_min, p.tm.tm_sec, p.millis);
}

Result<TimePoint> ParseOozieTime(std::string_view text) {
  // yyyy-MM-ddTHH:mmZ, 17 characters, strict.
  auto bad = [&]() {
    return Status::InvalidArgument("time [" + std::string(text) +
                                   "] must be in UTC format yyyy-MM-dd'T'HH:mm'Z', e.g. 2021-01-14T07:08Z");
  };
  if (text.size() != 17 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
      text[16] != 'Z') {
    return bad();
  }
  int year, month, day, hour, minute;
  if (!ReadDigits(text, 0, 4, &year) || !ReadDigits(text, 5, 2, &month) || !ReadDigits(text, 8, 2, &day) ||
      !ReadDigits(text, 11, 2, &hour) || !ReadDigits(text, 14, 2, &minute)) {
    return bad();
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59) return bad();
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  const std::time_t secs = timegm(&tm);
  std::tm check{};
  gmtime_r(&secs, &check);
  if (check.tm_mday != day) return bad();  // e.g. Feb 30
  return TimePoint(std::chrono::seconds(secs));
}

// Howard Hinnant's algorithms (days_from_civil, civil_from_days).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

}  // namespace refinery
