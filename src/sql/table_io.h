// Internal to sql/: moving rows between a table's directory and SQLite.
// Loading reads one snapshot (refusing a directory without `_SUCCESS`) into
// a session table in one transaction with one prepared insert; writing turns
// a query's rows into a part file in a table's ROW FORMAT.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "core/status.h"
#include "data/table.h"
#include "sql/metastore.h"

namespace refinery::sql::internal {

// The columns a directory's sidecar declares, or an empty vector without one.
Result<std::vector<ColumnDef>> SidecarColumns(const std::filesystem::path& dir);

// Creates SQLite table `sqlite_name` with `table`'s columns and fills it from
// the snapshot in `dir` (sidecar format when present, else `table.format`).
// Returns the rows loaded.
Result<int64_t> LoadTable(sqlite3* db, const std::string& sqlite_name, const TableDef& table,
                          const std::filesystem::path& dir, const std::function<bool()>& cancelled);

// The Hive name of result column `i`: SQLite's name when it is an
// identifier, else _c<i> (as Hive names expressions).
std::string ResultColumnName(sqlite3_stmt* stmt, int i);
// The Hive type of result column `i` from its declared type, when it has one.
bool DeclaredType(sqlite3_stmt* stmt, int i, HiveType* type);

// The text Hive writes for column `i` of the current row; false for NULL.
// `declared` (may be null) converts as a typed column would.
bool ValueText(sqlite3_stmt* stmt, int i, const HiveType* declared, std::string* out);

struct WrittenRows {
  int64_t rows = 0;
  std::vector<ColumnDef> columns;  // declared, or inferred from the values
};

// Steps `stmt` to the end, writing each row to `file` in `format`. With
// `declared` columns (INSERT into a table), their count must match and
// values are converted to their types.
Result<WrittenRows> WriteRows(sqlite3_stmt* stmt, const RowFormat& format, const std::vector<ColumnDef>& declared,
                              const std::filesystem::path& file, const std::function<bool()>& cancelled);

// The `_schema.properties` text for rows written in `format`.
std::string SidecarText(const std::vector<ColumnDef>& columns, const RowFormat& format, const std::string& table,
                        const std::string& query, int64_t rows, int64_t files);

}  // namespace refinery::sql::internal
