// Frequency attributes: integers, coord:minutes … endOfMonths and cron.
#include <cctype>

#include "coordinator/coordinator.h"
#include "coordinator/cron.h"
#include "coordinator/internal.h"
#include "el/el.h"

namespace refinery::coordinator {
namespace {

std::string TrimCopy(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

std::optional<int64_t> ParseInteger(std::string_view s) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
  if (i == s.size()) return std::nullopt;
  int64_t v = 0;
  for (; i < s.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return std::nullopt;
    v = v * 10 + (s[i] - '0');
  }
  return s[0] == '-' ? -v : v;
}

Status NotIntegerOrCron(std::string_view text) {
  return Status::InvalidArgument("Invalid coordinator application attributes, frequency [" + std::string(text) +
                                     "] must be an integer or a cron syntax",
                                 "E1003");
}

}  // namespace

namespace internal {

std::optional<int64_t> ParseInt(std::string_view text) { return ParseInteger(TrimCopy(text)); }

Result<Frequency> EvaluateUnitExpression(std::string_view raw) {
  const std::string text = TrimCopy(raw);
  Frequency f;
  if (!el::HasExpressions(text)) {
    std::optional<int64_t> n = ParseInteger(text);
    if (!n) return NotIntegerOrCron(text);
    f.value = *n;
    f.text = std::to_string(*n);
    return f;
  }
  TimeUnit unit = TimeUnit::kMinute;
  TimeUnit end_of = TimeUnit::kNone;
  el::FunctionTable table;
  struct Def {
    const char* name;
    int64_t factor;
    TimeUnit unit;
    TimeUnit end_of;
  };
  static const Def kDefs[] = {{"coord:minutes", 1, TimeUnit::kMinute, TimeUnit::kNone},
                              {"coord:hours", 60, TimeUnit::kMinute, TimeUnit::kNone},
                              {"coord:days", 1, TimeUnit::kDay, TimeUnit::kNone},
                              {"coord:months", 1, TimeUnit::kMonth, TimeUnit::kNone},
                              {"coord:endOfDays", 1, TimeUnit::kDay, TimeUnit::kEndOfDay},
                              {"coord:endOfWeeks", 1, TimeUnit::kWeek, TimeUnit::kEndOfWeek},
                              {"coord:endOfMonths", 1, TimeUnit::kMonth, TimeUnit::kEndOfMonth}};
  for (const Def& d : kDefs) {
    table.Register(d.name, 1, 1, [&unit, &end_of, d](const std::vector<el::Value>& a) -> Result<el::Value> {
      int64_t n = 0;
      if (a[0].is_int()) n = a[0].as_int();
      else if (a[0].is_double()) n = static_cast<int64_t>(a[0].as_double());
      else if (auto p = ParseInteger(a[0].ToText())) n = *p;
      else return Status::InvalidArgument("argument [" + a[0].ToText() + "] is not an integer", "EL_ERROR");
      if (n > (int64_t{1} << 40) || n < -(int64_t{1} << 40)) {
        return Status::InvalidArgument("argument [" + a[0].ToText() + "] is too large", "EL_ERROR");
      }
      unit = d.unit;
      end_of = d.end_of;
      return el::Value::Int(n * d.factor);
    });
  }
  el::Context ctx;
  ctx.functions = &table;
  Result<el::Template> tmpl = el::Parse(text);
  if (!tmpl.ok()) {
    return Status::InvalidArgument("Expression language evaluation error, " + tmpl.status().message(), "E1004");
  }
  Result<el::Value> v = el::EvaluateToValue(*tmpl, ctx);
  if (!v.ok()) {
    return Status::InvalidArgument("Expression language evaluation error, " + v.status().message(), "E1004");
  }
  std::optional<int64_t> n;
  if (v->is_int()) n = v->as_int();
  else n = ParseInteger(TrimCopy(v->ToText()));
  if (!n) return NotIntegerOrCron(text);
  f.value = *n;
  f.text = std::to_string(*n);
  f.unit = unit;
  f.end_of = end_of;
  return f;
}

}  // namespace internal

Result<Frequency> EvaluateFrequency(std::string_view raw, const FrequencyOptions& options) {
  const std::string text = TrimCopy(raw);
  const bool numeric_like = el::HasExpressions(text) || ParseInteger(text).has_value();
  if (!numeric_like) {
    if (!options.allow_cron) return NotIntegerOrCron(text);
    Result<CronSchedule> cron = CronSchedule::Parse(text);
    if (!cron.ok()) return cron.status();
    if (!cron->NextAfter(TimePoint()).has_value()) {
      return Status::InvalidArgument("Invalid coordinator cron frequency: " + text, "E1003");
    }
    Frequency f;
    f.text = text;
    f.unit = TimeUnit::kCron;
    return f;
  }
  REFINERY_ASSIGN_OR_RETURN(Frequency f, internal::EvaluateUnitExpression(text));
  if (f.value <= 0) {
    return Status::InvalidArgument("Invalid coordinator application attributes, frequency [" + text +
                                       "] must be greater than zero",
                                   "E1003");
  }
  if (options.check_maximum_frequency && f.unit == TimeUnit::kMinute && f.value < 5) {
    return Status::InvalidArgument("Invalid coordinator application attributes, Coordinator job with frequency [" +
                                       f.text +
                                       "] minutes is faster than allowed maximum of 5 minutes "
                                       "(oozie.service.coord.check.maximum.frequency is set to true)",
                                   "E1003");
  }
  return f;
}

}  // namespace refinery::coordinator
