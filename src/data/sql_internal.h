// Internal to data/: what the three SQL drivers share. Not part of the API.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "data/sql_source.h"

namespace refinery::data::internal {

Result<std::unique_ptr<SqlConnection>> ConnectSqlite(const JdbcUrl& url, const ConnectionSpec& spec);
// Built into the plugins refinery-postgres.so and refinery-mysql.so.
Result<std::unique_ptr<SqlConnection>> ConnectPostgres(const JdbcUrl& url, const ConnectionSpec& spec);
Result<std::unique_ptr<SqlConnection>> ConnectMysql(const JdbcUrl& url, const ConnectionSpec& spec);
// Loads plugin `name` ("postgres", "mysql") and connects through it.
Result<std::unique_ptr<SqlConnection>> ConnectThroughPlugin(const std::string& name, const JdbcUrl& url,
                                                            const ConnectionSpec& spec);

// Shortest decimal text that re-parses to exactly `value` (std::to_chars).
void AppendDouble(double value, std::string* out);
// Lowercase hex of raw bytes.
void AppendHex(std::string_view bytes, std::string* out);
// Trimmed, lower-cased declared type, e.g. "VARCHAR(20)" -> "varchar(20)".
std::string LowerType(std::string_view type);

// `sql` for an error message: at most a few hundred characters (an export's
// multi-row INSERT can be a megabyte), with how much was left out.
std::string SqlForMessage(const std::string& sql);

// The fix to suggest when the server refused a statement for lack of a
// privilege, appended to its message.
inline constexpr char kPrivilegeHint[] =
    "; the database user lacks a privilege: ask for GRANT SELECT on the table (import, eval) or INSERT and UPDATE "
    "(export)";

// How often a stream polls its cancellation callback.
inline constexpr int64_t kCancelPollRows = 4096;

}  // namespace refinery::data::internal
