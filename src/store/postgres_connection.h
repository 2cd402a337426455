// The only code in the state store that calls libpq (built into the pgstore
// plugin): one connection with reconnect, parameters always bound (binary
// format, never spliced into SQL), statements the store runs often prepared
// once per connection, and one function that turns a failed result into a
// Status naming the store with its password masked. Not thread-safe: the
// owner serialises access (PostgresStore holds a mutex).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "store/row_io.h"

struct pg_conn;
struct pg_result;

namespace refinery::store::pg {

// Parameters $1..$N of one statement, kept as the bytes PostgreSQL's binary
// format wants: text and bytea as they are, integers as 8 big-endian bytes
// (every integer column is BIGINT).
class Params final : public RowBinder {
 public:
  void BindText(int index, std::string_view value) override;
  void BindInt64(int index, int64_t value) override;
  void Add(std::string_view value) { BindText(static_cast<int>(values_.size()) + 1, value); }
  void AddInt64(int64_t value) { BindInt64(static_cast<int>(values_.size()) + 1, value); }

  int size() const { return static_cast<int>(values_.size()); }
  const std::vector<std::string>& values() const { return values_; }

 private:
  std::string& Slot(int index);
  std::vector<std::string> values_;
};

struct ResultDeleter {
  void operator()(pg_result* result) const;
};

// The rows of one query, in binary format. Columns are 0-based.
class Rows {
 public:
  explicit Rows(pg_result* result) : result_(result) {}
  int size() const;
  bool IsNull(int row, int col) const;
  std::string Text(int row, int col) const;  // "" for NULL
  int64_t Int64(int row, int col) const;     // 0 for NULL

 private:
  std::unique_ptr<pg_result, ResultDeleter> result_;
};

// One row of Rows seen through RowReader, for the record tables.
class RowView final : public RowReader {
 public:
  RowView(const Rows& rows, int row) : rows_(rows), row_(row) {}
  std::string ColumnText(int col) const override { return rows_.Text(row_, col); }
  int64_t ColumnInt64(int col) const override { return rows_.Int64(row_, col); }

 private:
  const Rows& rows_;
  int row_;
};

class Connection {
 public:
  // Connects to the libpq URI `url` (postgresql://...). Errors say whether
  // the server is down, the database or role missing or the password wrong,
  // and how to fix it.
  static Result<std::unique_ptr<Connection>> Open(const std::string& url);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // "state store \"postgresql://joe:***@host/db\"", the prefix of every message.
  const std::string& where() const { return where_; }

  // Runs `sql` with `params`. `prepare`: keep it as a named prepared
  // statement on this connection (for the SQL the store runs again and
  // again); otherwise it is parsed each time. Errors carry `what`.
  Result<Rows> Query(const std::string& sql, const Params& params, std::string_view what, bool prepare = true);
  Status Exec(const std::string& sql, const Params& params, std::string_view what, bool prepare = true);
  // A statement without parameters (BEGIN, COMMIT, DDL; several allowed).
  Status ExecSimple(const std::string& sql, std::string_view what);

  // True while a transaction is open (or failed and not yet rolled back).
  bool InTransaction() const;
  // The socket broke or the server went away: the next Reconnect() is due.
  bool Broken() const;
  // Connects again (PQreset); prepared statements are made again on use.
  Status Reconnect();

 private:
  Connection(pg_conn* conn, std::string url, std::vector<std::string> secrets);
  Status ErrorOf(pg_result* result, std::string_view what) const;
  Result<std::string> PreparedName(const std::string& sql, int params, std::string_view what);

  pg_conn* conn_;
  std::string where_;
  std::vector<std::string> secrets_;  // redacted from every message
  std::unordered_map<std::string, std::string> prepared_;  // SQL -> statement name
};

}  // namespace refinery::store::pg
