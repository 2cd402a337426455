#include <gtest/gtest.h>

#include "ml/trainer_internal.h"

namespace refinery::ml {
namespace {

Frame TimeFrame(const std::vector<Value>& times) {
  Frame frame;
  FrameColumn column;
  column.name = "t";
  column.numeric = !times.empty() && !times[0].is_text();
  for (const Value& v : times) column.Append(v);
  frame.columns.push_back(std::move(column));
  frame.rows = times.size();
  return frame;
}

internal::LabeledRows AllRows(size_t n) {
  internal::LabeledRows labeled;
  labeled.target.task = Task::kRegression;
  for (size_t i = 0; i < n; ++i) {
    labeled.rows.push_back(static_cast<uint32_t>(i));
    labeled.labels.push_back(0);
  }
  return labeled;
}

TEST(TimeSplit, ParsesNumbersAndIsoDates) {
  EXPECT_EQ(internal::TimeValue(Value::Number(12.5)), 12.5);
  EXPECT_EQ(internal::TimeValue(Value::Text("1970-01-02")), 86400.0);
  EXPECT_EQ(internal::TimeValue(Value::Text("2000-03-01 00:00:01")), 951868801.0);
  EXPECT_EQ(internal::TimeValue(Value::Text("2000-03-01T00:00:01.5Z")), 951868801.5);
  EXPECT_EQ(internal::TimeValue(Value::Text("42")), 42.0);
  EXPECT_FALSE(internal::TimeValue(Value::Text("2000-13-01")));
  EXPECT_FALSE(internal::TimeValue(Value::Text("March")));
  EXPECT_FALSE(internal::TimeValue(Value::Null()));
}

TEST(TimeSplit, AFractionOfTheRangeValidatesTheLatestRows) {
  std::vector<Value> times;
  for (int t = 0; t < 200; ++t) times.push_back(Value::Number(t));
  times.push_back(Value::Null());  // no time: trains
  const Frame frame = TimeFrame(times);
  std::vector<size_t> train, holdout;
  TimeSplit split{"t", "", 0.25};
  auto cutoff = internal::SplitByTime(frame, AllRows(times.size()), split, 0.2, &train, &holdout);
  ASSERT_TRUE(cutoff.ok()) << cutoff.status().ToString();
  EXPECT_DOUBLE_EQ(*cutoff, 149.25);
  EXPECT_EQ(holdout.size(), 50u);  // 150..199
  EXPECT_EQ(holdout.front(), 150u);
  EXPECT_EQ(train.size(), 151u);
  // Without a fraction of its own, the holdout parameter's.
  train.clear();
  holdout.clear();
  split.fraction = -1;
  ASSERT_TRUE(internal::SplitByTime(frame, AllRows(times.size()), split, 0.1, &train, &holdout).ok());
  EXPECT_EQ(holdout.size(), 20u);  // after 179.1
}

TEST(TimeSplit, AnExplicitCutoffOnDates) {
  const Frame frame = TimeFrame({Value::Text("2021-01-31"), Value::Text("2021-02-01 10:00:00"),
                                 Value::Text("2021-02-01"), Value::Text("2021-03-05")});
  std::vector<size_t> train, holdout;
  ASSERT_TRUE(internal::SplitByTime(frame, AllRows(4), TimeSplit{"t", "2021-02-01", -1}, 0.2, &train, &holdout).ok());
  EXPECT_EQ(holdout, (std::vector<size_t>{1, 3}));  // strictly after midnight of Feb 1
  EXPECT_EQ(train, (std::vector<size_t>{0, 2}));
}

TEST(TimeSplit, BadColumnsAndValuesAreErrors) {
  const Frame frame = TimeFrame({Value::Text("2021-01-31"), Value::Text("soon")});
  std::vector<size_t> train, holdout;
  auto bad_value = internal::SplitByTime(frame, AllRows(2), TimeSplit{"t", "", -1}, 0.2, &train, &holdout);
  ASSERT_FALSE(bad_value.ok());
  EXPECT_NE(bad_value.status().message().find("[soon]"), std::string::npos);
  auto bad_column = internal::SplitByTime(frame, AllRows(2), TimeSplit{"x", "", -1}, 0.2, &train, &holdout);
  ASSERT_FALSE(bad_column.ok());
  EXPECT_NE(bad_column.status().message().find("columns: t"), std::string::npos);
  const Frame dates = TimeFrame({Value::Text("2021-01-31")});
  auto bad_cutoff = internal::SplitByTime(dates, AllRows(1), TimeSplit{"t", "later", -1}, 0.2, &train, &holdout);
  ASSERT_FALSE(bad_cutoff.ok());
  EXPECT_EQ(bad_cutoff.status().error_code(), "ML001");
}

}  // namespace
}  // namespace refinery::ml
