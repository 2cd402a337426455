// Drift between two profiles of the same dataset: row-count change, and per
// column the population stability index (PSI), the change of the null rate,
// and the categories that appeared or disappeared. Works on profile.json
// objects, so the previous profile may come from an older run.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace refinery::profile {

// Fractions of the current numeric values over the previous profile's
// psi_bins edges, by column name (from ColumnAccumulator::FractionsIn).
using CurrentBins = std::map<std::string, std::vector<double>>;

// PSI = sum over bins of (actual - expected) * ln(actual / expected), with
// empty bins counted as 0.0001 so the sum stays finite.
double Psi(const std::vector<double>& expected, const std::vector<double>& actual);

// The "drift" object of profile.json (doc/formats/profile.md).
nlohmann::json CompareProfiles(const nlohmann::json& current, const nlohmann::json& previous,
                               const CurrentBins& current_bins);

}  // namespace refinery::profile
