// Internal to sql/: Hive's built-in functions as SQLite functions, and the
// text forms Hive prints values in.
#pragma once

#include <sqlite3.h>

#include <string>

#include "core/status.h"

namespace refinery::sql::internal {

// Registers the scalar and aggregate functions of doc/actions/hive.md on `db`
// (Hive's names; where SQLite has a built-in of the same name with different
// semantics, Hive's wins).
Status RegisterHiveFunctions(sqlite3* db);

// A double as Java's Double.toString prints it ("1.0", "0.1", "1.0E10", "NaN").
std::string JavaDouble(double value);

}  // namespace refinery::sql::internal
