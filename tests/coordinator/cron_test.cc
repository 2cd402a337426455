#include <gtest/gtest.h>

#include "coordinator/cron.h"
#include "core/time_format.h"

namespace refinery::coordinator {
namespace {

std::string Next(const char* cron, const char* after) {
  Result<CronSchedule> c = CronSchedule::Parse(cron);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  if (!c.ok()) return "";
  std::optional<TimePoint> t = c->NextAfter(ParseOozieTime(after).value());
  return t ? FormatOozieTime(*t) : "never";
}

TEST(CronSchedule, StarInOneDayFieldMeansTheOtherDecides) {
  EXPECT_EQ(Next("0 0 * * SUN", "2013-07-18T00:00Z"), "2013-07-21T00:00Z");
  EXPECT_EQ(Next("0 0 1 * *", "2013-07-18T00:00Z"), "2013-08-01T00:00Z");
}

TEST(CronSchedule, BothDayFieldsGivenFireOnEither) {
  // The 20th (Saturday) or any Monday.
  EXPECT_EQ(Next("0 0 20 * MON", "2013-07-15T00:00Z"), "2013-07-20T00:00Z");
  EXPECT_EQ(Next("0 0 20 * MON", "2013-07-20T00:00Z"), "2013-07-22T00:00Z");
}

TEST(CronSchedule, SundayIsOneAndSaturdaySeven) {
  EXPECT_EQ(Next("0 0 ? * 1", "2013-07-18T00:00Z"), "2013-07-21T00:00Z");
  EXPECT_EQ(Next("0 0 ? * 7", "2013-07-18T00:00Z"), "2013-07-20T00:00Z");
}

TEST(CronSchedule, RejectsMalformedExpressions) {
  for (const char* bad : {"", "* * * *", "* * * * * *", "60 * * * *", "* 24 * * *", "* * 0 * *", "* * * 13 *",
                          "* * * * 8", "*/0 * * * *", "* * ? * ?", "a-b * * * *", "1-2-3 * * * *"}) {
    EXPECT_FALSE(CronSchedule::Parse(bad).ok()) << bad;
  }
}

TEST(CronSchedule, StartIsIncludedWhenItMatches) {
  Result<CronSchedule> c = CronSchedule::Parse("0/10 * * * *");
  TimePoint start = ParseOozieTime("2010-01-01T00:00Z").value();
  EXPECT_EQ(FormatOozieTime(*c->NextAfter(start - std::chrono::minutes(1))), "2010-01-01T00:00Z");
}

}  // namespace
}  // namespace refinery::coordinator
