#include "profile/drift.h"

#include <cmath>
#include <set>

namespace refinery::profile {
namespace {

using nlohmann::json;

constexpr double kEmptyBin = 1e-4;
constexpr size_t kListedCategories = 50;

const json* FindColumn(const json& profile, const std::string& name) {
  if (!profile.contains("columns") || !profile["columns"].is_array()) return nullptr;
  for (const json& column : profile["columns"]) {
    if (column.is_object() && column.value("name", "") == name) return &column;
  }
  return nullptr;
}

int64_t Count(const json& column) { return column.value("count", int64_t{0}); }

// Value -> fraction of the column's non-null values, from the complete
// category list when there is one, else from the top values.
std::map<std::string, double> CategoryFractions(const json& column, bool* complete) {
  std::map<std::string, double> fractions;
  *complete = column.contains("categories");
  const json& list = *complete ? column["categories"] : column.value("top_values", json::array());
  const double count = static_cast<double>(std::max<int64_t>(Count(column), 1));
  if (!list.is_array()) return fractions;
  for (const json& item : list) {
    if (!item.is_object() || !item.contains("value") || !item["value"].is_string()) continue;
    fractions[item["value"].get<std::string>()] = static_cast<double>(item.value("count", int64_t{0})) / count;
  }
  return fractions;
}

json CategoricalPsi(const json& current, const json& previous) {
  bool current_complete = false;
  bool previous_complete = false;
  const auto now = CategoryFractions(current, &current_complete);
  const auto before = CategoryFractions(previous, &previous_complete);
  std::set<std::string> keys;
  for (const auto& [value, fraction] : now) keys.insert(value);
  for (const auto& [value, fraction] : before) keys.insert(value);
  std::vector<double> expected, actual;
  double expected_rest = 1.0, actual_rest = 1.0;
  for (const std::string& key : keys) {
    const auto b = before.find(key);
    const auto n = now.find(key);
    expected.push_back(b == before.end() ? 0.0 : b->second);
    actual.push_back(n == now.end() ? 0.0 : n->second);
    expected_rest -= expected.back();
    actual_rest -= actual.back();
  }
  if (!current_complete || !previous_complete) {  // the values outside both lists form one bin
    expected.push_back(std::max(0.0, expected_rest));
    actual.push_back(std::max(0.0, actual_rest));
  }
  return Psi(expected, actual);
}

json NumericPsi(const json& previous, const CurrentBins& bins, const std::string& name) {
  const auto it = bins.find(name);
  if (it == bins.end()) return nullptr;
  try {
    const auto expected = previous.at("psi_bins").at("fractions").get<std::vector<double>>();
    if (expected.size() != it->second.size()) return nullptr;
    return Psi(expected, it->second);
  } catch (const json::exception&) {
    return nullptr;
  }
}

// Categories in `a`'s complete list that `b`'s complete list lacks; null
// unless both lists are complete.
json CategoriesOnlyIn(const json& a, const json& b, int64_t* count) {
  bool a_complete = false, b_complete = false;
  const auto in_a = CategoryFractions(a, &a_complete);
  const auto in_b = CategoryFractions(b, &b_complete);
  *count = -1;
  if (!a_complete || !b_complete) return nullptr;
  json list = json::array();
  *count = 0;
  for (const auto& [value, fraction] : in_a) {
    if (in_b.count(value) != 0) continue;
    ++*count;
    if (list.size() < kListedCategories) list.push_back(value);
  }
  return list;
}

json CompareColumn(const json& current, const json& previous, const CurrentBins& bins) {
  json out;
  const std::string name = current.value("name", "");
  out["name"] = name;
  out["type_changed"] = current.value("type", "") != previous.value("type", "");
  const double null_now = current.value("null_fraction", 0.0);
  const double null_before = previous.value("null_fraction", 0.0);
  out["null_fraction"] = null_now;
  out["previous_null_fraction"] = null_before;
  out["null_fraction_change"] = null_now - null_before;
  const std::string kind = current.value("kind", "");
  if (kind != previous.value("kind", "")) {
    out["psi"] = nullptr;
  } else if (kind == "numeric") {
    out["psi"] = NumericPsi(previous, bins, name);
  } else if (kind == "categorical") {
    out["psi"] = CategoricalPsi(current, previous);
  } else {
    out["psi"] = nullptr;
  }
  int64_t appeared = -1, disappeared = -1;
  if (kind == "categorical" && previous.value("kind", "") == "categorical") {
    out["new_categories"] = CategoriesOnlyIn(current, previous, &appeared);
    out["missing_categories"] = CategoriesOnlyIn(previous, current, &disappeared);
  } else {
    out["new_categories"] = nullptr;
    out["missing_categories"] = nullptr;
  }
  out["new_category_count"] = appeared < 0 ? json(nullptr) : json(appeared);
  out["missing_category_count"] = disappeared < 0 ? json(nullptr) : json(disappeared);
  return out;
}

}  // namespace

double Psi(const std::vector<double>& expected, const std::vector<double>& actual) {
  double psi = 0;
  for (size_t i = 0; i < expected.size() && i < actual.size(); ++i) {
    const double e = std::max(expected[i], kEmptyBin);
    const double a = std::max(actual[i], kEmptyBin);
    psi += (a - e) * std::log(a / e);
  }
  return psi;
}

json CompareProfiles(const json& current, const json& previous, const CurrentBins& current_bins) {
  json drift;
  const int64_t rows = current.value("rows", int64_t{0});
  const int64_t previous_rows = previous.value("rows", int64_t{0});
  drift["previous_rows"] = previous_rows;
  drift["previous_profiled_at"] = previous.value("profiled_at", "");
  drift["rows_change"] =
      previous_rows == 0 ? json(nullptr) : json(static_cast<double>(rows - previous_rows) / static_cast<double>(previous_rows));
  json columns = json::array();
  json added = json::array();
  for (const json& column : current.value("columns", json::array())) {
    const std::string name = column.value("name", "");
    const json* before = FindColumn(previous, name);
    if (before == nullptr) {
      added.push_back(name);
      continue;
    }
    columns.push_back(CompareColumn(column, *before, current_bins));
  }
  json removed = json::array();
  for (const json& column : previous.value("columns", json::array())) {
    const std::string name = column.value("name", "");
    if (FindColumn(current, name) == nullptr) removed.push_back(name);
  }
  drift["columns"] = std::move(columns);
  drift["columns_added"] = std::move(added);
  drift["columns_removed"] = std::move(removed);
  return drift;
}

}  // namespace refinery::profile
