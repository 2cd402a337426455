#include "profile/column_stats.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>

namespace refinery::profile {
namespace {

using nlohmann::json;

bool IsNumericType(data::ValueType type) {
  return type == data::ValueType::kInteger || type == data::ValueType::kDecimal || type == data::ValueType::kFloat;
}

std::string_view TrimSpaces(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) text.remove_suffix(1);
  return text;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != b[i]) return false;
  }
  return true;
}

// Clinger's fast path: plain decimals ("-123", "45.67") whose digits fit in
// 2^53, divided by an exactly representable power of ten, are correctly
// rounded — the same double std::from_chars gives, at a fraction of the cost.
bool ParsePlainDecimal(std::string_view text, double* value) {
  static constexpr double kPowers[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
                                       1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  size_t i = 0;
  const bool negative = !text.empty() && text[0] == '-';
  if (negative) ++i;
  uint64_t mantissa = 0;
  int digits = 0, decimals = 0;
  bool point = false;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c >= '0' && c <= '9') {
      if (++digits > 15) return false;
      mantissa = mantissa * 10 + static_cast<uint64_t>(c - '0');
      if (point) ++decimals;
    } else if (c == '.' && !point) {
      point = true;
    } else {
      return false;
    }
  }
  if (digits == 0) return false;
  const double magnitude = static_cast<double>(mantissa) / kPowers[decimals];
  *value = negative ? -magnitude : magnitude;
  return true;
}

// Parses a decimal number the way the writers print them (optional sign,
// digits, '.', exponent); surrounding spaces are allowed.
bool ParseNumber(std::string_view text, double* value) {
  if (ParsePlainDecimal(text, value)) return true;
  text = TrimSpaces(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty()) return false;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, *value);
  return ec == std::errc() && ptr == end && std::isfinite(*value);
}

bool IsDigits(std::string_view text, size_t from, size_t count) {
  if (from + count > text.size()) return false;
  for (size_t i = from; i < from + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  return true;
}

bool IsDate(std::string_view text) {
  return text.size() == 10 && IsDigits(text, 0, 4) && text[4] == '-' && IsDigits(text, 5, 2) && text[7] == '-' &&
         IsDigits(text, 8, 2);
}

// HH:MM[:SS[.fraction]], the hour in one or two digits.
bool IsTime(std::string_view text) {
  const size_t hour = IsDigits(text, 0, 2) ? 2 : IsDigits(text, 0, 1) ? 1 : 0;
  if (hour == 0 || hour >= text.size() || text[hour] != ':' || !IsDigits(text, hour + 1, 2)) return false;
  size_t at = hour + 3;
  if (at == text.size()) return true;
  if (text[at] != ':' || !IsDigits(text, at + 1, 2)) return false;
  at += 3;
  if (at < text.size() && text[at] == '.') ++at;
  return IsDigits(text, at, text.size() - at);
}

// A date, optionally followed by ' ' or 'T' and a time; whatever follows the
// seconds (fraction, zone) is left to the consumer.
bool IsTimestamp(std::string_view text) {
  if (text.size() == 10) return IsDate(text);
  return text.size() >= 16 && IsDate(text.substr(0, 10)) && (text[10] == ' ' || text[10] == 'T') &&
         IsDigits(text, 11, 2) && text[13] == ':' && IsDigits(text, 14, 2);
}

bool IsBoolean(std::string_view text) {
  for (const char* spelling : {"true", "false", "t", "f", "1", "0"}) {
    if (EqualsIgnoreCase(text, spelling)) return true;
  }
  return false;
}

// False when `text` cannot be a value of a non-numeric `type` (text and
// binary columns take anything).
bool FitsType(std::string_view text, data::ValueType type) {
  switch (type) {
    case data::ValueType::kDate: return IsDate(text);
    case data::ValueType::kTime: return IsTime(text);
    case data::ValueType::kTimestamp: return IsTimestamp(text);
    case data::ValueType::kBoolean: return IsBoolean(text);
    default: return true;
  }
}

json Round(double value) {
  if (!std::isfinite(value)) return nullptr;
  return value;
}

}  // namespace

const std::vector<std::string>& DisguisedMissingTexts() {
  static const std::vector<std::string> kTexts = {"",    "unknown", "?",   "na",      "n/a",      "nan", "none",
                                                  "null", "nil",     "-",   "--",      "missing",  "undefined",
                                                  "not available", "#n/a"};
  return kTexts;
}

const std::vector<double>& DisguisedMissingNumbers() {
  static const std::vector<double> kNumbers = {-1, 999, 9999, 99999, -999, -9999};
  return kNumbers;
}

ColumnAccumulator::ColumnAccumulator(data::Column column, size_t number, bool is_id,
                                     const std::vector<std::string>* null_tokens, const ColumnLimits& limits)
    : column_(std::move(column)),
      number_(number),
      kind_(is_id ? ColumnKind::kId : IsNumericType(column_.type) ? ColumnKind::kNumeric : ColumnKind::kCategorical),
      null_tokens_(null_tokens),
      limits_(limits),
      distinct_(limits.exact_distinct),
      sample_(limits.exact_quantiles),
      values_(limits.value_counts) {
  const size_t tokens = kind_ == ColumnKind::kNumeric ? DisguisedMissingNumbers().size() : DisguisedMissingTexts().size();
  disguised_.assign(tokens, 0);
}

void ColumnAccumulator::Add(std::string_view text, bool is_null, const ValueOrigin& origin) {
  if (!is_null && null_tokens_ != nullptr) {
    for (const std::string& token : *null_tokens_) {
      if (text == token) {
        is_null = true;
        break;
      }
    }
  }
  if (is_null) {
    ++nulls_;
    return;
  }
  ++count_;
  switch (kind_) {
    case ColumnKind::kNumeric: AddNumeric(text, origin); break;
    case ColumnKind::kCategorical: AddText(text, origin); break;
    case ColumnKind::kId: distinct_.Add(HashBytes(text)); break;
  }
}

void ColumnAccumulator::CountInvalid(std::string_view text, const ValueOrigin& origin) {
  if (invalid_++ > 0) return;
  first_invalid_ = origin;
  first_invalid_value_ = std::string(text.substr(0, 100));
}

void ColumnAccumulator::AddNumeric(std::string_view text, const ValueOrigin& origin) {
  double value = 0;
  if (!ParseNumber(text, &value)) {
    CountInvalid(text, origin);
    distinct_.Add(HashBytes(text));
    return;
  }
  value += 0.0;  // -0 and 0 are one value
  uint64_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  distinct_.Add(MixHash(bits));
  if (numbers_ == 0) {
    shift_ = value;
    min_ = max_ = value;
  }
  ++numbers_;
  const double shifted = value - shift_;
  sum_ += shifted;
  sum_squares_ += shifted * shifted;
  if (value < min_) min_ = value;
  if (value > max_) max_ = value;
  if (value == 0) ++zeros_;
  if (value < 0) ++negatives_;
  const std::vector<double>& sentinels = DisguisedMissingNumbers();
  for (size_t i = 0; i < sentinels.size(); ++i) {
    if (value == sentinels[i]) ++disguised_[i];
  }
  sample_.Add(value);
}

void ColumnAccumulator::AddText(std::string_view text, const ValueOrigin& origin) {
  if (!FitsType(text, column_.type)) CountInvalid(text, origin);
  const uint64_t hash = HashBytes(text);
  // While the value counts are exact they are the distinct values too; the
  // distinct counter takes over just before they could stop being exact.
  if (!distinct_seeded_ && values_.size() + 1 >= limits_.value_counts) {
    values_.ForEachHash([this](uint64_t h) { distinct_.Add(h); });
    distinct_seeded_ = true;
  }
  if (distinct_seeded_) distinct_.Add(hash);
  values_.Add(hash, text);
  if (count_ == 1) {
    min_text_ = max_text_ = std::string(text);
  } else if (text < min_text_) {
    min_text_ = std::string(text);
  } else if (text > max_text_) {
    max_text_ = std::string(text);
  }
  CheckDisguisedText(text);
}

void ColumnAccumulator::CheckDisguisedText(std::string_view text) {
  if (text.size() > 16) return;
  text = TrimSpaces(text);
  if (!text.empty()) {  // every token but "" starts with one of these
    const char first = static_cast<char>(text[0] | 0x20);
    if (first != 'u' && first != '?' && first != 'n' && first != '-' && first != 'm' && first != '#') return;
  }
  const std::vector<std::string>& tokens = DisguisedMissingTexts();
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (EqualsIgnoreCase(text, tokens[i])) {
      ++disguised_[i];
      return;
    }
  }
}

void ColumnAccumulator::Finish() { sample_.Finish(); }

std::vector<double> ColumnAccumulator::FractionsIn(const std::vector<double>& edges) const {
  std::vector<double> fractions(edges.size() + 1, 0.0);
  const std::vector<double>& values = sample_.sorted();
  if (values.empty()) return fractions;
  size_t previous = 0;
  for (size_t i = 0; i < edges.size(); ++i) {
    const size_t upto = static_cast<size_t>(std::upper_bound(values.begin(), values.end(), edges[i]) - values.begin());
    fractions[i] = static_cast<double>(upto - std::min(upto, previous)) / static_cast<double>(values.size());
    previous = std::max(previous, upto);
  }
  fractions.back() = static_cast<double>(values.size() - previous) / static_cast<double>(values.size());
  return fractions;
}

// The first invalid value, named as the dataset reader names bad input:
// `part-m-00001:3, column 2 ("age")`.
json ColumnAccumulator::InvalidJson(const std::vector<std::string>& files) const {
  json out = {{"row", first_invalid_.row}, {"column", number_}, {"value", first_invalid_value_}};
  std::string where = "row " + std::to_string(first_invalid_.row);
  if (first_invalid_.line > 0 && first_invalid_.file < files.size()) {
    const std::string file = std::filesystem::path(files[first_invalid_.file]).filename().string();
    out["file"] = file;
    out["line"] = first_invalid_.line;
    where = file + ":" + std::to_string(first_invalid_.line);
  }
  out["where"] = where + ", column " + std::to_string(number_) + " (\"" + column_.name + "\")";
  return out;
}

json ColumnAccumulator::ToJson(const std::vector<std::string>& files) const {
  json out;
  out["name"] = column_.name;
  out["type"] = data::ValueTypeName(column_.type);
  out["kind"] = kind_ == ColumnKind::kNumeric ? "numeric" : kind_ == ColumnKind::kId ? "id" : "categorical";
  out["count"] = count_;
  out["nulls"] = nulls_;
  const int64_t rows = count_ + nulls_;
  out["null_fraction"] = rows == 0 ? 0.0 : static_cast<double>(nulls_) / static_cast<double>(rows);
  const bool from_values = kind_ == ColumnKind::kCategorical && !distinct_seeded_;
  out["distinct"] = from_values ? static_cast<int64_t>(values_.size()) : distinct_.Count();
  out["distinct_exact"] = from_values || distinct_.exact();
  if (kind_ == ColumnKind::kId) {
    out["duplicate_ids"] = distinct_.exact() ? json(count_ - distinct_.Count()) : json(nullptr);
    return out;
  }
  json specific = kind_ == ColumnKind::kNumeric ? NumericJson() : CategoricalJson();
  out.update(specific);
  out["invalid"] = invalid_;
  if (invalid_ > 0) out["first_invalid"] = InvalidJson(files);
  json disguised = json::array();
  for (size_t i = 0; i < disguised_.size(); ++i) {
    if (disguised_[i] == 0) continue;
    json item;
    if (kind_ == ColumnKind::kNumeric) {
      item["value"] = DisguisedMissingNumbers()[i];
    } else {
      item["value"] = DisguisedMissingTexts()[i];
    }
    item["count"] = disguised_[i];
    disguised.push_back(std::move(item));
  }
  out["disguised_missing"] = std::move(disguised);
  return out;
}

json ColumnAccumulator::NumericJson() const {
  json out;
  if (numbers_ == 0) {
    for (const char* key : {"min", "max", "mean", "stddev"}) out[key] = nullptr;
    out["zeros"] = 0;
    out["negatives"] = 0;
    return out;
  }
  const double n = static_cast<double>(numbers_);
  const double mean_shifted = sum_ / n;
  const double variance = numbers_ > 1 ? std::max(0.0, (sum_squares_ - sum_ * mean_shifted) / (n - 1)) : 0.0;
  out["min"] = min_;
  out["max"] = max_;
  out["mean"] = Round(shift_ + mean_shifted);
  out["stddev"] = numbers_ > 1 ? Round(std::sqrt(variance)) : json(nullptr);
  out["zeros"] = zeros_;
  out["negatives"] = negatives_;
  json quantiles;
  for (int p : {1, 5, 25, 50, 75, 95, 99}) quantiles["p" + std::to_string(p)] = Round(sample_.Quantile(p / 100.0));
  out["quantiles"] = std::move(quantiles);
  out["quantiles_exact"] = sample_.exact();
  out["histogram"] = Histogram();
  out["psi_bins"] = DecileBins();
  return out;
}

json ColumnAccumulator::Histogram() const {
  const std::vector<double>& values = sample_.sorted();
  std::vector<double> edges;
  const bool small_integers = column_.type == data::ValueType::kInteger && max_ - min_ < limits_.histogram_bins;
  if (small_integers) {
    for (double edge = min_ - 0.5; edge <= max_ + 0.5; edge += 1) edges.push_back(edge);
  } else {
    const double width = (max_ - min_) / limits_.histogram_bins;
    for (int i = 0; i <= limits_.histogram_bins; ++i) edges.push_back(min_ + width * i);
    if (width == 0) edges = {min_, max_};
  }
  std::vector<int64_t> counts(edges.size() - 1, 0);
  const double width = edges.size() > 1 ? edges[1] - edges[0] : 0;
  for (double value : values) {
    size_t bin = width > 0 ? static_cast<size_t>((value - edges[0]) / width) : 0;
    bin = std::min(bin, counts.size() - 1);
    ++counts[bin];
  }
  if (!sample_.exact() && !values.empty()) {
    const double scale = static_cast<double>(numbers_) / static_cast<double>(values.size());
    for (int64_t& count : counts) count = std::llround(static_cast<double>(count) * scale);
  }
  return {{"edges", edges}, {"counts", counts}, {"exact", sample_.exact()}};
}

json ColumnAccumulator::DecileBins() const {
  std::vector<double> edges;
  for (int decile = 1; decile <= 9; ++decile) {
    const double edge = sample_.Quantile(decile / 10.0);
    if (edges.empty() || edge > edges.back()) edges.push_back(edge);
  }
  return {{"edges", edges}, {"fractions", FractionsIn(edges)}};
}

json ColumnAccumulator::CategoricalJson() const {
  json out;
  out["min"] = count_ > 0 ? json(min_text_) : json(nullptr);
  out["max"] = count_ > 0 ? json(max_text_) : json(nullptr);
  auto items_json = [](const std::vector<FrequentValues::Item>& items) {
    json list = json::array();
    for (const auto& item : items) list.push_back({{"value", item.value}, {"count", item.count}});
    return list;
  };
  out["top_values"] = items_json(values_.Top(limits_.top_values));
  out["top_values_exact"] = values_.exact();
  if (values_.exact() && values_.size() <= limits_.stored_categories) {
    out["categories"] = items_json(values_.Top(0));
  }
  return out;
}

}  // namespace refinery::profile
