// SQL sources: one connection to SQLite, PostgreSQL or MariaDB/MySQL named by
// a JDBC URL, streaming query results row by row through a RowSink (SQLite
// steps a statement, PostgreSQL uses COPY ... TO STDOUT, MariaDB uses
// mysql_use_result), so memory stays bounded whatever the table's size.
//
// Values reach the sink in canonical text: integers in decimal, DECIMAL as the
// server's exact text, floating point in the shortest form that re-parses to
// the same value, booleans as "true"/"false", dates "YYYY-MM-DD", timestamps
// "YYYY-MM-DD HH:MM:SS[.ffffff]", binary as lowercase hex.
//
// Passwords are held only in ConnectionSpec and never appear in a Status
// message: every error passes through RedactSecret.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "data/table.h"

namespace refinery::data {

enum class Dialect { kSqlite, kPostgres, kMysql };
const char* DialectName(Dialect dialect);

// Error codes of the SQL layer (documented in doc/actions/sqoop.md).
inline constexpr char kConnectCode[] = "SQOOP003";     // host unreachable, bad URL
inline constexpr char kAuthCode[] = "SQOOP004";        // authentication failed
inline constexpr char kUnknownNameCode[] = "SQOOP005"; // database/table/column does not exist
inline constexpr char kQueryCode[] = "SQOOP008";       // the server rejected a statement

// A parsed jdbc: URL. For SQLite only `database` (the file path) is set.
struct JdbcUrl {
  Dialect dialect = Dialect::kSqlite;
  std::string host;
  int port = 0;  // 0 = the driver's default
  std::string database;
  std::map<std::string, std::string> parameters;  // ?a=b&c=d, in URL order lost
};

// jdbc:sqlite:PATH, jdbc:postgresql://host[:port]/db[?k=v&...],
// jdbc:mysql://... and jdbc:mariadb://... Anything else is InvalidArgument
// (SQOOP003) naming the supported forms.
Result<JdbcUrl> ParseJdbcUrl(const std::string& url);

struct ConnectionSpec {
  std::string url;
  std::string username;
  std::string password;  // never logged, never in an error
  int connect_timeout_seconds = 30;
};

// Replaces every occurrence of `secret` in `text` with "********".
std::string RedactSecret(std::string text, const std::string& secret);

struct StreamOptions {
  int64_t fetch_size = 0;  // rows per round trip where the driver has one; 0 = default
  // Polled every few thousand rows; true stops the stream with Cancelled.
  std::function<bool()> cancelled;
};

// One open connection; not thread-safe (one per split).
class SqlConnection {
 public:
  virtual ~SqlConnection() = default;
  virtual Dialect dialect() const = 0;

  // Runs `sql` and streams its rows. Columns are reported before the first row.
  virtual Status Stream(const std::string& sql, const StreamOptions& options, RowSink* sink) = 0;
  // The columns `sql` would return, without reading its rows.
  virtual Result<std::vector<Column>> Describe(const std::string& sql) = 0;
  // Runs a statement that returns no rows (or whose rows are discarded);
  // returns the number of rows it changed where the driver says so.
  virtual Result<int64_t> Execute(const std::string& sql) = 0;

  virtual Result<std::vector<std::string>> ListTables() = 0;
  virtual Result<std::vector<std::string>> ListDatabases() = 0;
  // The table's primary key columns in key order; empty if it has none.
  virtual Result<std::vector<std::string>> PrimaryKey(const std::string& table) = 0;

  // Identifier and literal quoting in this dialect.
  std::string QuoteIdentifier(const std::string& name) const;
  std::string QuoteLiteral(const std::string& value) const;
};

// Opens a connection. Errors: SQOOP003 (unreachable, bad URL), SQOOP004
// (authentication), SQOOP005 (unknown database; the message lists those the
// server has when it can).
Result<std::unique_ptr<SqlConnection>> Connect(const ConnectionSpec& spec);

// Runs `sql` and returns every row as text (NULL as nullopt) — for small
// results only: bounds, catalog queries, eval.
Result<std::vector<std::vector<std::optional<std::string>>>> QueryAll(SqlConnection* connection,
                                                                       const std::string& sql,
                                                                       std::vector<Column>* columns = nullptr);

}  // namespace refinery::data
