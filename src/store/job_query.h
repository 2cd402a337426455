// Turns a JobFilter into a SQL WHERE clause with bound arguments — the
// semantics of `oozie jobs -filter` (SPEC §9): values within one field are
// alternatives (OR), different fields must all hold (AND).
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "store/row_io.h"
#include "store/store.h"

namespace refinery::store {

struct WhereClause {
  // "" (no condition) or " WHERE ..." with ? placeholders (SQLite) or
  // $first_param, $first_param+1, ... (PostgreSQL)
  std::string sql;
  std::vector<std::variant<std::string, int64_t>> args;  // one per ?, in order
};

WhereClause BuildJobWhere(const JobFilter& filter, SqlDialect dialect = SqlDialect::kSqlite,
                          int first_param = 1);

// Parses Oozie's -filter syntax "status=RUNNING;name=x;user=y;id=..;text=..".
// Unknown keys or statuses are E0420 with the list of valid ones.
Result<JobFilter> ParseJobFilter(const std::string& text);

// Binds `where.args` as ?first, ?first+1, ... `where` must outlive the next Step().
void BindWhere(RowBinder& stmt, const WhereClause& where, int first = 1);

}  // namespace refinery::store
