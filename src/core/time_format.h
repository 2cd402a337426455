// The time formats Oozie users see: "2021-01-14T07:08Z" in definitions and the
// CLI, RFC 822 "Thu, 14 Jan 2021 07:05:12 GMT" in the REST API. All UTC.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/status.h"

namespace refinery {

std::string FormatOozieTime(TimePoint t);        // yyyy-MM-dd'T'HH:mm'Z'
std::string FormatRfc822(TimePoint t);           // EEE, dd MMM yyyy HH:mm:ss GMT
std::string FormatIsoMillis(TimePoint t);        // 2021-01-14T07:08:01.123Z (logs)
std::string FormatCompactStartTime(TimePoint t); // yyMMddHHmmssSSS (job ids)
// Strict: exactly yyyy-MM-dd'T'HH:mm'Z'; anything else is an InvalidArgument.
Result<TimePoint> ParseOozieTime(std::string_view text);
// Exactly what FormatRfc822 writes ("Thu, 14 Jan 2021 07:05:12 GMT").
Result<TimePoint> ParseRfc822(std::string_view text);
int64_t ToEpochMillis(TimePoint t);
TimePoint FromEpochMillis(int64_t millis);

// Days since 1970-01-01 of a proleptic Gregorian date, and back.
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day);
void CivilFromDays(int64_t days, int64_t* year, unsigned* month, unsigned* day);

}  // namespace refinery
