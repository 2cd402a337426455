// Validation on time: rows after a cut-off validate, the earlier ones train,
// so the metrics say how a model trained on the past does on the future.
#include <algorithm>
#include <cstdio>

#include "ml/params.h"
#include "ml/trainer.h"
#include "ml/trainer_internal.h"

namespace refinery::ml::internal {
namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
// days_from_civil).
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

bool Digits(std::string_view text, size_t at, size_t count, int* out) {
  if (at + count > text.size()) return false;
  int value = 0;
  for (size_t i = at; i < at + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    value = value * 10 + (text[i] - '0');
  }
  *out = value;
  return true;
}

std::optional<double> ParseIsoTime(std::string_view text) {
  int year, month, day, hour = 0, minute = 0, second = 0;
  if (!Digits(text, 0, 4, &year) || text.size() < 10 || text[4] != '-' || !Digits(text, 5, 2, &month) ||
      text[7] != '-' || !Digits(text, 8, 2, &day) || month < 1 || month > 12 || day < 1 || day > 31) {
    return std::nullopt;
  }
  double fraction = 0;
  if (text.size() > 10) {
    if ((text[10] != ' ' && text[10] != 'T') || !Digits(text, 11, 2, &hour) || text.size() < 19 || text[13] != ':' ||
        !Digits(text, 14, 2, &minute) || text[16] != ':' || !Digits(text, 17, 2, &second)) {
      return std::nullopt;
    }
    std::string_view rest = text.substr(19);
    if (!rest.empty() && rest.back() == 'Z') rest.remove_suffix(1);
    if (!rest.empty()) {
      if (rest[0] != '.' || !ParseNumber("0" + std::string(rest), &fraction)) return std::nullopt;
    }
  }
  return static_cast<double>(DaysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second) + fraction;
}

}  // namespace

std::optional<double> TimeValue(const Value& value) {
  if (value.is_number()) return value.number;
  if (!value.is_text()) return std::nullopt;
  double number = 0;
  if (ParseNumber(value.text, &number)) return number;
  return ParseIsoTime(value.text);
}

Result<double> SplitByTime(const Frame& frame, const LabeledRows& labeled, const TimeSplit& split,
                           double default_fraction, std::vector<size_t>* train, std::vector<size_t>* holdout) {
  const int index = frame.Find(split.column);
  if (index < 0) {
    std::string list;
    for (const std::string& n : frame.ColumnNames()) list += (list.empty() ? "" : ", ") + n;
    return Status::InvalidArgument("validation time column '" + split.column + "' is not a column of the input; "
                                   "columns: " + list,
                                   kBadSpecCode);
  }
  const FrameColumn& column = frame.columns[static_cast<size_t>(index)];
  std::vector<std::optional<double>> times(labeled.rows.size());
  double low = 0, high = 0;
  bool any = false;
  for (size_t i = 0; i < labeled.rows.size(); ++i) {
    const Value value = column.At(labeled.rows[i]);
    if (value.is_null()) continue;
    times[i] = TimeValue(value);
    if (!times[i]) {
      return Status::InvalidArgument("validation time column '" + split.column + "': value [" + value.text +
                                         "] of row " + std::to_string(labeled.rows[i] + 1) +
                                         " is neither a number nor an ISO date (YYYY-MM-DD[ HH:MM:SS])",
                                     kTrainDataCode);
    }
    low = any ? std::min(low, *times[i]) : *times[i];
    high = any ? std::max(high, *times[i]) : *times[i];
    any = true;
  }
  if (!any) {
    return Status::InvalidArgument("validation time column '" + split.column + "' has no values", kTrainDataCode);
  }
  double cutoff = 0;
  if (!split.cutoff.empty()) {
    const std::optional<double> parsed = TimeValue(Value::Text(split.cutoff));
    if (!parsed) {
      return Status::InvalidArgument("validation cutoff [" + split.cutoff +
                                         "] is neither a number nor an ISO date (YYYY-MM-DD[ HH:MM:SS])",
                                     kBadSpecCode);
    }
    cutoff = *parsed;
  } else {
    const double fraction = split.fraction >= 0 ? split.fraction : default_fraction;
    cutoff = low + (1 - fraction) * (high - low);
  }
  for (size_t i = 0; i < labeled.rows.size(); ++i) (times[i] && *times[i] > cutoff ? holdout : train)->push_back(i);
  return cutoff;
}

}  // namespace refinery::ml::internal
