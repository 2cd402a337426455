// Oozie's 5-field cron frequency (`min hour dom month dow`), read as Quartz
// reads it with a `0` seconds field in front, evaluated in UTC.
#pragma once

#include <bitset>
#include <optional>
#include <string_view>

#include "core/clock.h"
#include "core/status.h"

namespace refinery::coordinator {

class CronSchedule {
 public:
  // E1003 "... must be an integer or a cron syntax" style errors on bad text.
  static Result<CronSchedule> Parse(std::string_view text);
  // The first fire time strictly after `t` (minute resolution), or nullopt
  // when none falls within the next ~10 years.
  std::optional<TimePoint> NextAfter(TimePoint t) const;

 private:
  bool DayMatches(int year, int month, int day, int weekday) const;
  bool DomMatches(int year, int month, int day, int weekday) const;
  bool DowMatches(int year, int month, int day, int weekday) const;

  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<13> months_;
  bool dom_active_ = false;
  bool dow_active_ = false;
  std::bitset<32> dom_;
  bool dom_last_ = false;
  int dom_last_offset_ = 0;  // L-n
  bool dom_weekday_ = false; // nW or LW
  int dom_weekday_day_ = 0;  // 0 with LW
  std::bitset<8> dow_;       // 1..7 = SUN..SAT
  int dow_last_ = 0;         // nL: last <n> of the month
  int dow_nth_day_ = 0;      // d#k
  int dow_nth_ = 0;
};

}  // namespace refinery::coordinator
