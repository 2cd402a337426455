// profile: the data-quality profile of a dataset (a raw-zone directory or a
// CSV file) in one streaming pass with bounded memory: per column type,
// counts, nulls, distinct values (exact, then HyperLogLog), moments,
// quantiles, histograms, value counts and disguised missing values; per
// dataset rows and duplicate rows; drift against the previous profile (PSI,
// null-rate change, categories that appeared or disappeared); quality rules
// (`rows >= 1000`, `psi(age) <= 0.2`, ...) evaluated against the result; and
// the profile written as profile.json (doc/formats/profile.md) and a
// self-contained profile.html. It knows nothing of workflows: the profile
// action (src/actions/profile_action.cc) wires it to one.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "data/dataset.h"
#include "profile/column_stats.h"

namespace refinery::profile {

inline constexpr int kFormatVersion = 1;

struct ProfileOptions {
  std::vector<std::string> null_tokens;  // values read as nulls, besides the dataset's own
  std::vector<std::string> id_columns;   // counted, not described, left out of duplicate rows
  int threads = 2;                       // column workers beside the reader; <= 1 = all on the caller's thread
  ColumnLimits limits;
  size_t duplicate_capacity = size_t{1} << 21;  // exact duplicate-row counting up to this many distinct rows
};

// Called from the reading thread every few MB: fraction of bytes read, detail.
using ProgressFn = std::function<void(double fraction, const std::string& detail)>;

// Profiles the dataset `reader` opened. `previous` (may be null) is the
// previous profile.json of the same dataset; when given, the result holds a
// "drift" object. `cancelled` is polled between batches. Errors: the reader's
// (DATA001..DATA003 with file, line and column), InvalidArgument for an id
// column the schema lacks, Cancelled.
Result<nlohmann::json> ProfileDataset(const data::DatasetReader& reader, const ProfileOptions& options,
                                      const nlohmann::json* previous, const ProgressFn& progress = {},
                                      const std::function<bool()>& cancelled = {});

// profile.json text (2-space indented; invalid UTF-8 replaced by U+FFFD).
std::string FormatProfileJson(const nlohmann::json& profile);

}  // namespace refinery::profile
