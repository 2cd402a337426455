// MariaDB and MySQL through MariaDB Connector/C. Rows stream with
// mysql_use_result (one row in memory at a time); column types come from the
// result metadata, or from preparing the statement when only describing.
#include <mysql.h>
#include <sys/socket.h>

#include <cstdlib>
#include <mutex>

#include "data/sql_internal.h"

namespace refinery::data::internal {
namespace {

constexpr unsigned kBinaryCharset = 63;

// Error numbers from mysqld_error.h / errmsg.h.
constexpr unsigned kAccessDenied = 1045;
constexpr unsigned kDatabaseAccessDenied = 1044;  // also what a missing database looks like to a user
constexpr unsigned kBadDatabase = 1049;
constexpr unsigned kNoSuchTable = 1146;
constexpr unsigned kBadField = 1054;
constexpr unsigned kTableAccessDenied = 1142;
constexpr unsigned kColumnAccessDenied = 1143;

const char* TypeName(const MYSQL_FIELD& field) {
  const bool binary = field.charsetnr == kBinaryCharset;
  switch (field.type) {
    case MYSQL_TYPE_TINY: return "tinyint";
    case MYSQL_TYPE_SHORT: return "smallint";
    case MYSQL_TYPE_INT24: return "mediumint";
    case MYSQL_TYPE_LONG: return "int";
    case MYSQL_TYPE_LONGLONG: return "bigint";
    case MYSQL_TYPE_YEAR: return "year";
    case MYSQL_TYPE_BIT: return "bit";
    case MYSQL_TYPE_DECIMAL:
    case MYSQL_TYPE_NEWDECIMAL: return "decimal";
    case MYSQL_TYPE_FLOAT: return "float";
    case MYSQL_TYPE_DOUBLE: return "double";
    case MYSQL_TYPE_DATE:
    case MYSQL_TYPE_NEWDATE: return "date";
    case MYSQL_TYPE_TIME: return "time";
    case MYSQL_TYPE_DATETIME: return "datetime";
    case MYSQL_TYPE_TIMESTAMP: return "timestamp";
    case MYSQL_TYPE_JSON: return "json";
    case MYSQL_TYPE_ENUM: return "enum";
    case MYSQL_TYPE_SET: return "set";
    case MYSQL_TYPE_TINY_BLOB:
    case MYSQL_TYPE_MEDIUM_BLOB:
    case MYSQL_TYPE_LONG_BLOB:
    case MYSQL_TYPE_BLOB: return binary ? "blob" : "text";
    case MYSQL_TYPE_STRING: return binary ? "binary" : "char";
    default: return binary ? "varbinary" : "varchar";
  }
}

ValueType TypeOf(const MYSQL_FIELD& field) {
  switch (field.type) {
    case MYSQL_TYPE_TINY:
    case MYSQL_TYPE_SHORT:
    case MYSQL_TYPE_INT24:
    case MYSQL_TYPE_LONG:
    case MYSQL_TYPE_LONGLONG:
    case MYSQL_TYPE_YEAR: return ValueType::kInteger;
    case MYSQL_TYPE_BIT: return field.length == 1 ? ValueType::kBoolean : ValueType::kInteger;
    case MYSQL_TYPE_DECIMAL:
    case MYSQL_TYPE_NEWDECIMAL: return ValueType::kDecimal;
    case MYSQL_TYPE_FLOAT:
    case MYSQL_TYPE_DOUBLE: return ValueType::kFloat;
    case MYSQL_TYPE_DATE:
    case MYSQL_TYPE_NEWDATE: return ValueType::kDate;
    case MYSQL_TYPE_TIME: return ValueType::kTime;
    case MYSQL_TYPE_DATETIME:
    case MYSQL_TYPE_TIMESTAMP: return ValueType::kTimestamp;
    case MYSQL_TYPE_JSON:
    case MYSQL_TYPE_ENUM:
    case MYSQL_TYPE_SET: return ValueType::kText;
    default: return field.charsetnr == kBinaryCharset ? ValueType::kBinary : ValueType::kText;
  }
}

std::vector<Column> ColumnsOf(const MYSQL_FIELD* fields, unsigned count) {
  std::vector<Column> columns;
  for (unsigned i = 0; i < count; ++i) {
    Column column;
    column.name = std::string(fields[i].name, fields[i].name_length);
    column.source_type = TypeName(fields[i]);
    column.type = TypeOf(fields[i]);
    columns.push_back(std::move(column));
  }
  return columns;
}

// BIT(n) arrives as n bits big-endian in raw bytes.
void AppendBits(std::string_view raw, ValueType type, std::string* out) {
  uint64_t value = 0;
  for (unsigned char c : raw) value = (value << 8) | c;
  if (type == ValueType::kBoolean) {
    out->append(value != 0 ? "true" : "false");
  } else {
    out->append(std::to_string(value));
  }
}

class MysqlConnection : public SqlConnection {
 public:
  MysqlConnection(MYSQL* mysql, std::string password) : mysql_(mysql), password_(std::move(password)) {}
  ~MysqlConnection() override { mysql_close(mysql_); }
  Dialect dialect() const override { return Dialect::kMysql; }

  Status Stream(const std::string& sql, const StreamOptions& options, RowSink* sink) override;
  Result<std::vector<Column>> Describe(const std::string& sql) override;
  Result<int64_t> Execute(const std::string& sql) override;
  Result<std::vector<std::string>> ListTables() override;
  Result<std::vector<std::string>> ListDatabases() override;
  Result<std::vector<std::string>> PrimaryKey(const std::string& table) override;

 private:
  Status Error(const std::string& sql) const;
  Status StreamRows(MYSQL_RES* result, const std::vector<Column>& columns, const std::vector<bool>& bits,
                    const StreamOptions& options, RowSink* sink);
  Result<std::vector<std::string>> FirstColumn(const std::string& sql);

  MYSQL* mysql_;
  std::string password_;
};

Status MysqlConnection::Error(const std::string& sql) const {
  const unsigned code = mysql_errno(mysql_);
  const std::string message =
      RedactSecret("Query [" + SqlForMessage(sql) + "] failed on MySQL/MariaDB: " + mysql_error(mysql_), password_);
  if (code == kNoSuchTable || code == kBadField || code == kBadDatabase) return Status::NotFound(message, kUnknownNameCode);
  if (code == kTableAccessDenied || code == kColumnAccessDenied || code == kDatabaseAccessDenied) {
    return Status::FailedPrecondition(message + kPrivilegeHint, kQueryCode);
  }
  return Status::InvalidArgument(message, kQueryCode);
}

struct ResultDeleter {
  void operator()(MYSQL_RES* result) const { mysql_free_result(result); }
};

Status MysqlConnection::Stream(const std::string& sql, const StreamOptions& options, RowSink* sink) {
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) return Error(sql);
  std::unique_ptr<MYSQL_RES, ResultDeleter> result(mysql_use_result(mysql_));
  if (result == nullptr) {
    if (mysql_field_count(mysql_) != 0) return Error(sql);
    return sink->OnColumns({});
  }
  const unsigned count = mysql_num_fields(result.get());
  const MYSQL_FIELD* fields = mysql_fetch_fields(result.get());
  const std::vector<Column> columns = ColumnsOf(fields, count);
  std::vector<bool> bits(count);
  for (unsigned i = 0; i < count; ++i) bits[i] = fields[i].type == MYSQL_TYPE_BIT;
  Status status = sink->OnColumns(columns);
  if (status.ok()) status = StreamRows(result.get(), columns, bits, options, sink);
  if (!status.ok()) {
    // mysql_free_result would read the rest of the result: cut the socket so
    // it fails at once; the connection is unusable afterwards anyway.
    ::shutdown(mysql_get_socket(mysql_), SHUT_RDWR);
  }
  return status;
}

Status MysqlConnection::StreamRows(MYSQL_RES* result, const std::vector<Column>& columns,
                                   const std::vector<bool>& bits, const StreamOptions& options, RowSink* sink) {
  std::vector<Field> row(columns.size());
  std::vector<std::string> scratch(columns.size());
  int64_t count = 0;
  while (MYSQL_ROW values = mysql_fetch_row(result)) {
    const unsigned long* lengths = mysql_fetch_lengths(result);
    for (size_t i = 0; i < columns.size(); ++i) {
      Field& field = row[i];
      field.is_null = values[i] == nullptr;
      if (field.is_null) continue;
      field.text = std::string_view(values[i], lengths[i]);
      if (bits[i]) {
        scratch[i].clear();
        AppendBits(field.text, columns[i].type, &scratch[i]);
        field.text = scratch[i];
      } else if (columns[i].type == ValueType::kFloat) {
        // The server writes 1e300 or -0.00000025; canonical is the shortest
        // round-trip form, as the other sources give it.
        scratch[i].assign(field.text);
        char* end = nullptr;
        const double value = std::strtod(scratch[i].c_str(), &end);
        if (end != nullptr && *end == '\0') {
          scratch[i].clear();
          AppendDouble(value, &scratch[i]);
        }
        field.text = scratch[i];
      } else if (columns[i].type == ValueType::kBinary) {
        scratch[i].clear();
        AppendHex(field.text, &scratch[i]);
        field.text = scratch[i];
      }
    }
    REFINERY_RETURN_IF_ERROR(sink->OnRow(row));
    if (++count % kCancelPollRows == 0 && options.cancelled && options.cancelled()) {
      return Status::Cancelled("the import was cancelled");
    }
  }
  if (mysql_errno(mysql_) != 0) return Error("(reading rows)");
  return Status::Ok();
}

Result<std::vector<Column>> MysqlConnection::Describe(const std::string& sql) {
  MYSQL_STMT* stmt = mysql_stmt_init(mysql_);
  if (stmt == nullptr) return Error(sql);
  std::unique_ptr<MYSQL_STMT, decltype(&mysql_stmt_close)> owned(stmt, &mysql_stmt_close);
  if (mysql_stmt_prepare(stmt, sql.data(), sql.size()) != 0) {
    const unsigned code = mysql_stmt_errno(stmt);
    const std::string message = RedactSecret(
        "Query [" + SqlForMessage(sql) + "] failed on MySQL/MariaDB: " + mysql_stmt_error(stmt), password_);
    if (code == kNoSuchTable || code == kBadField) return Status::NotFound(message, kUnknownNameCode);
    if (code == kTableAccessDenied || code == kColumnAccessDenied) {
      return Status::FailedPrecondition(message + kPrivilegeHint, kQueryCode);
    }
    return Status::InvalidArgument(message, kQueryCode);
  }
  std::unique_ptr<MYSQL_RES, ResultDeleter> meta(mysql_stmt_result_metadata(stmt));
  if (meta == nullptr) return std::vector<Column>();
  return ColumnsOf(mysql_fetch_fields(meta.get()), mysql_num_fields(meta.get()));
}

Result<int64_t> MysqlConnection::Execute(const std::string& sql) {
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) return Error(sql);
  MYSQL_RES* result = mysql_store_result(mysql_);
  if (result != nullptr) {
    const int64_t rows = static_cast<int64_t>(mysql_num_rows(result));
    mysql_free_result(result);
    return rows;
  }
  if (mysql_field_count(mysql_) != 0) return Error(sql);
  return static_cast<int64_t>(mysql_affected_rows(mysql_));
}

Result<std::vector<std::string>> MysqlConnection::FirstColumn(const std::string& sql) {
  REFINERY_ASSIGN_OR_RETURN(auto rows, QueryAll(this, sql));
  std::vector<std::string> names;
  for (const auto& row : rows) names.push_back(row.empty() ? "" : row[0].value_or(""));
  return names;
}

Result<std::vector<std::string>> MysqlConnection::ListTables() { return FirstColumn("SHOW TABLES"); }
Result<std::vector<std::string>> MysqlConnection::ListDatabases() { return FirstColumn("SHOW DATABASES"); }

Result<std::vector<std::string>> MysqlConnection::PrimaryKey(const std::string& table) {
  return FirstColumn(
      "SELECT COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = " +
      QuoteLiteral(table) + " AND CONSTRAINT_NAME = 'PRIMARY' ORDER BY ORDINAL_POSITION");
}

MYSQL* Open(const JdbcUrl& url, const ConnectionSpec& spec, const char* database) {
  static std::once_flag once;
  std::call_once(once, [] { mysql_library_init(0, nullptr, nullptr); });
  MYSQL* mysql = mysql_init(nullptr);
  if (mysql == nullptr) return nullptr;
  unsigned timeout = static_cast<unsigned>(spec.connect_timeout_seconds);
  if (auto it = url.parameters.find("connectTimeout"); it != url.parameters.end()) {
    timeout = static_cast<unsigned>(std::max(1L, std::atol(it->second.c_str()) / 1000));  // JDBC gives ms
  }
  mysql_options(mysql, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
  mysql_options(mysql, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  if (auto it = url.parameters.find("useSSL"); it != url.parameters.end() && it->second == "true") {
    mysql_ssl_set(mysql, nullptr, nullptr, nullptr, nullptr, nullptr);
  }
  const auto socket = url.parameters.find("socket");
  const char* socket_path = socket == url.parameters.end() ? nullptr : socket->second.c_str();
  const unsigned port = static_cast<unsigned>(url.port == 0 ? 3306 : url.port);
  mysql_real_connect(mysql, url.host.c_str(), spec.username.empty() ? nullptr : spec.username.c_str(),
                     spec.password.c_str(), database, port, socket_path, 0);
  return mysql;
}

std::string DatabasesHint(const JdbcUrl& url, const ConnectionSpec& spec) {
  MYSQL* mysql = Open(url, spec, nullptr);
  if (mysql == nullptr || mysql_errno(mysql) != 0) {
    if (mysql != nullptr) mysql_close(mysql);
    return "";
  }
  MysqlConnection connection(mysql, spec.password);
  auto names = connection.ListDatabases();
  if (!names.ok()) return "";
  std::string list;
  for (const std::string& name : *names) list += (list.empty() ? "" : ", ") + name;
  return "; databases on the server: " + list;
}

}  // namespace

Result<std::unique_ptr<SqlConnection>> ConnectMysql(const JdbcUrl& url, const ConnectionSpec& spec) {
  MYSQL* mysql = Open(url, spec, url.database.empty() ? nullptr : url.database.c_str());
  if (mysql == nullptr) return Status::IoError("Connector/C could not allocate a connection", kConnectCode);
  const unsigned code = mysql_errno(mysql);
  if (code == 0) return std::unique_ptr<SqlConnection>(std::make_unique<MysqlConnection>(mysql, spec.password));
  const std::string where = "MySQL/MariaDB at " + url.host + ":" + std::to_string(url.port == 0 ? 3306 : url.port);
  const std::string message = RedactSecret(mysql_error(mysql), spec.password);
  mysql_close(mysql);
  if (code == kAccessDenied) {
    return Status::FailedPrecondition("Authentication failed for user \"" + spec.username + "\" on " + where +
                                          ": check --username and --password-file: " + message,
                                      kAuthCode);
  }
  if (code == kBadDatabase) {
    return Status::NotFound("Unknown database \"" + url.database + "\" on " + where + DatabasesHint(url, spec),
                            kUnknownNameCode);
  }
  if (code == kDatabaseAccessDenied) {
    return Status::NotFound("Unknown database \"" + url.database + "\" (or no access to it for user \"" +
                                spec.username + "\") on " + where + DatabasesHint(url, spec),
                            kUnknownNameCode);
  }
  return Status::IoError("Could not connect to " + where + ": " + message, kConnectCode);
}

}  // namespace refinery::data::internal

// The plugin's entry point (see core/plugin.h): data::Connect looks it up by
// name, so the client library is loaded only when a connection is made.
extern "C" void refinery_connect_mysql(const refinery::data::JdbcUrl* url, const refinery::data::ConnectionSpec* spec,
                                  refinery::Result<std::unique_ptr<refinery::data::SqlConnection>>* out) {
  *out = refinery::data::internal::ConnectMysql(*url, *spec);
}
