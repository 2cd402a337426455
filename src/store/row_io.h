// The two sides of a SQL row as the record tables (records.h) and the job
// filter (job_query.h) see them, so the same column declarations serve every
// backend: SQLite's sqlite::Statement and PostgreSQL's parameter list and
// result row implement these. Indexes follow each backend's convention:
// parameters are 1-based, result columns 0-based.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace refinery::store {

// The SQL spelling a generated statement uses: SQLite's ?N placeholders and
// instr(), or PostgreSQL's $N placeholders and strpos().
enum class SqlDialect { kSqlite, kPostgres };

class RowBinder {
 public:
  // `index` is 1-based. The value must stay alive until the statement runs.
  virtual void BindText(int index, std::string_view value) = 0;
  virtual void BindInt64(int index, int64_t value) = 0;

 protected:
  ~RowBinder() = default;
};

class RowReader {
 public:
  // `col` is 0-based.
  virtual std::string ColumnText(int col) const = 0;
  virtual int64_t ColumnInt64(int col) const = 0;

 protected:
  ~RowReader() = default;
};

}  // namespace refinery::store
