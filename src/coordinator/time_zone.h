// A time zone as Oozie's coordinator sees one: an IANA id from the system
// tz database, UTC, GMT±hh:mm / GMT±hhmm, or Java's three-letter aliases
// (PST, EST, ...). Local-time conversions follow java.util.Calendar.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/status.h"

namespace date {
class time_zone;
}

namespace refinery::coordinator {

using date_minutes_t = int64_t;

struct LocalFields {
  int year = 1970;
  int month = 1;  // 1-12
  int day = 1;
  int hour = 0;
  int minute = 0;
  int second = 0;
  int weekday = 4;  // 0 = Sunday
};

// Instants the coordinator computes are kept within [1700-01-01, 2250-01-01)
// so that no arithmetic on user input can overflow a TimePoint.
TimePoint ClampToSupportedRange(date_minutes_t epoch_minutes);
// Strict yyyy-MM-dd'T'HH:mm'Z' for years 1700 … 2200 (E1003-style message).
Result<TimePoint> ParseCoordTime(std::string_view text);

class TimeZone {
 public:
  TimeZone() = default;  // UTC
  // E1003-style InvalidArgument when the id is unknown.
  static Result<TimeZone> Find(std::string_view id);
  static TimeZone Utc() { return TimeZone(); }

  const std::string& id() const { return id_; }
  std::chrono::minutes OffsetAt(TimePoint t) const;
  std::chrono::minutes DstAt(TimePoint t) const;  // 0 in standard time
  LocalFields ToLocal(TimePoint t) const;
  // Local fields to an instant the way Calendar does after set(): a time in
  // a DST gap is read with the offset before the gap; an ambiguous time is
  // the earlier instant.
  TimePoint FromLocal(const LocalFields& f) const;

 private:
  std::string id_ = "UTC";
  const date::time_zone* zone_ = nullptr;  // null: fixed offset
  std::chrono::minutes fixed_{0};
};

}  // namespace refinery::coordinator
