// Internal to actions/: the import tool of the <sqoop> action — split
// planning (integer, decimal, date/time and text splitters), one connection
// and one part file per split running concurrently, and the atomic publish of
// the target directory with its schema sidecar (doc/formats/raw-zone.md).
#pragma once

#include <string>
#include <vector>

#include "actions/action.h"
#include "actions/sqoop_command.h"
#include "data/sql_source.h"

namespace refinery::actions::internal {

struct ImportPlan {
  std::string target_uri;            // the directory to publish
  std::string state_key;             // "" = not incremental
  std::string stored_last_value;     // from ActionState; wins over --last-value
  bool has_stored_last_value = false;
};

struct ImportOutcome {
  int64_t rows = 0;
  int64_t bytes = 0;
  int splits = 0;
  double seconds = 0;
  std::string last_value;  // the new high-water mark ("" when not incremental)
  bool nothing_new = false;
};

// Conditions that partition the rows by `column`, one per split, for
// boundaries already strictly increasing (SQL literals). Exposed for tests.
std::vector<std::string> SplitConditions(const std::string& quoted_column, const std::vector<std::string>& boundaries);

// Runs the import. Errors carry SQOOP0xx codes; Cancelled when the job was
// killed. On any error the target directory is left as it was.
Result<ImportOutcome> RunImport(ActionContext& context, const SqoopOptions& options,
                                const data::ConnectionSpec& connection, const ImportPlan& plan);

}  // namespace refinery::actions::internal
