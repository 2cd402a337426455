// SQLite through its C API: the file named by jdbc:sqlite:PATH, opened
// read-write without create so a wrong path is an error, not a new database.
#include <sqlite3.h>

#include "data/sql_internal.h"

namespace refinery::data::internal {
namespace {

bool Has(const std::string& text, const char* part) { return text.find(part) != std::string::npos; }

// SQLite's affinity rules, refined by the common declared names.
ValueType TypeOfDeclared(const std::string& declared) {
  if (Has(declared, "bool")) return ValueType::kBoolean;
  if (Has(declared, "datetime") || Has(declared, "timestamp")) return ValueType::kTimestamp;
  if (Has(declared, "date")) return ValueType::kDate;
  if (Has(declared, "time")) return ValueType::kTime;
  if (Has(declared, "int")) return ValueType::kInteger;
  if (Has(declared, "char") || Has(declared, "clob") || Has(declared, "text")) return ValueType::kText;
  if (Has(declared, "blob")) return ValueType::kBinary;
  if (Has(declared, "real") || Has(declared, "floa") || Has(declared, "doub")) return ValueType::kFloat;
  if (Has(declared, "dec") || Has(declared, "num")) return ValueType::kDecimal;
  return ValueType::kText;
}

class Statement {
 public:
  Statement() = default;
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  sqlite3_stmt** out() { return &stmt_; }
  sqlite3_stmt* get() const { return stmt_; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

class SqliteConnection : public SqlConnection {
 public:
  SqliteConnection(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  ~SqliteConnection() override { sqlite3_close_v2(db_); }
  Dialect dialect() const override { return Dialect::kSqlite; }

  Status Stream(const std::string& sql, const StreamOptions& options, RowSink* sink) override;
  Result<std::vector<Column>> Describe(const std::string& sql) override;
  Result<int64_t> Execute(const std::string& sql) override;
  Result<std::vector<std::string>> ListTables() override;
  Result<std::vector<std::string>> ListDatabases() override;
  Result<std::vector<std::string>> PrimaryKey(const std::string& table) override;

 private:
  Status Prepare(const std::string& sql, Statement* statement);
  Status Error(const std::string& what) const {
    return Status::InvalidArgument(what + " failed on \"" + path_ + "\": " + sqlite3_errmsg(db_), kQueryCode);
  }
  static std::vector<Column> ColumnsOf(sqlite3_stmt* stmt);
  static void FieldOf(sqlite3_stmt* stmt, int i, ValueType type, std::string* scratch, Field* field);

  sqlite3* db_;
  std::string path_;
};

Status SqliteConnection::Prepare(const std::string& sql, Statement* statement) {
  if (sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), statement->out(), nullptr) != SQLITE_OK) {
    return Status::InvalidArgument("Query [" + SqlForMessage(sql) + "] failed on \"" + path_ + "\": " + sqlite3_errmsg(db_),
                                   kQueryCode);
  }
  return Status::Ok();
}

std::vector<Column> SqliteConnection::ColumnsOf(sqlite3_stmt* stmt) {
  std::vector<Column> columns;
  const int count = sqlite3_column_count(stmt);
  for (int i = 0; i < count; ++i) {
    Column column;
    column.name = sqlite3_column_name(stmt, i);
    const char* declared = sqlite3_column_decltype(stmt, i);
    column.source_type = declared == nullptr ? "" : LowerType(declared);
    column.type = TypeOfDeclared(column.source_type);
    columns.push_back(std::move(column));
  }
  return columns;
}

// `scratch` holds converted text; the field may point into it.
void SqliteConnection::FieldOf(sqlite3_stmt* stmt, int i, ValueType type, std::string* scratch, Field* field) {
  field->is_null = false;
  switch (sqlite3_column_type(stmt, i)) {
    case SQLITE_NULL:
      field->is_null = true;
      field->text = {};
      return;
    case SQLITE_FLOAT:
      scratch->clear();
      AppendDouble(sqlite3_column_double(stmt, i), scratch);
      field->text = *scratch;
      return;
    case SQLITE_BLOB: {
      const char* bytes = static_cast<const char*>(sqlite3_column_blob(stmt, i));
      scratch->clear();
      AppendHex(std::string_view(bytes == nullptr ? "" : bytes, static_cast<size_t>(sqlite3_column_bytes(stmt, i))),
                scratch);
      field->text = *scratch;
      return;
    }
    case SQLITE_INTEGER:
      if (type == ValueType::kBoolean) {
        field->text = sqlite3_column_int64(stmt, i) != 0 ? "true" : "false";
        return;
      }
      [[fallthrough]];
    default: {
      const unsigned char* text = sqlite3_column_text(stmt, i);
      field->text = std::string_view(reinterpret_cast<const char*>(text), static_cast<size_t>(sqlite3_column_bytes(stmt, i)));
    }
  }
}

Status SqliteConnection::Stream(const std::string& sql, const StreamOptions& options, RowSink* sink) {
  Statement statement;
  REFINERY_RETURN_IF_ERROR(Prepare(sql, &statement));
  const std::vector<Column> columns = ColumnsOf(statement.get());
  REFINERY_RETURN_IF_ERROR(sink->OnColumns(columns));
  std::vector<Field> row(columns.size());
  std::vector<std::string> scratch(columns.size());
  for (int64_t count = 1;; ++count) {
    const int rc = sqlite3_step(statement.get());
    if (rc == SQLITE_DONE) return Status::Ok();
    if (rc != SQLITE_ROW) return Error("Query [" + SqlForMessage(sql) + "]");
    for (size_t i = 0; i < columns.size(); ++i) {
      FieldOf(statement.get(), static_cast<int>(i), columns[i].type, &scratch[i], &row[i]);
    }
    REFINERY_RETURN_IF_ERROR(sink->OnRow(row));
    if (count % kCancelPollRows == 0 && options.cancelled && options.cancelled()) {
      return Status::Cancelled("the import was cancelled");
    }
  }
}

Result<std::vector<Column>> SqliteConnection::Describe(const std::string& sql) {
  Statement statement;
  REFINERY_RETURN_IF_ERROR(Prepare(sql, &statement));
  return ColumnsOf(statement.get());
}

Result<int64_t> SqliteConnection::Execute(const std::string& sql) {
  Statement statement;
  REFINERY_RETURN_IF_ERROR(Prepare(sql, &statement));
  int rc = SQLITE_ROW;
  while (rc == SQLITE_ROW) rc = sqlite3_step(statement.get());
  if (rc != SQLITE_DONE) return Error("Statement [" + sql + "]");
  return static_cast<int64_t>(sqlite3_changes64(db_));
}

Result<std::vector<std::string>> SqliteConnection::ListTables() {
  REFINERY_ASSIGN_OR_RETURN(auto rows, QueryAll(this, "SELECT name FROM sqlite_master WHERE type IN ('table','view') "
                                                      "AND name NOT LIKE 'sqlite_%' ORDER BY name"));
  std::vector<std::string> names;
  for (const auto& row : rows) names.push_back(row[0].value_or(""));
  return names;
}

Result<std::vector<std::string>> SqliteConnection::ListDatabases() {
  REFINERY_ASSIGN_OR_RETURN(auto rows, QueryAll(this, "SELECT name FROM pragma_database_list ORDER BY seq"));
  std::vector<std::string> names;
  for (const auto& row : rows) names.push_back(row[0].value_or(""));
  return names;
}

Result<std::vector<std::string>> SqliteConnection::PrimaryKey(const std::string& table) {
  REFINERY_ASSIGN_OR_RETURN(auto rows, QueryAll(this, "SELECT name FROM pragma_table_info(" + QuoteLiteral(table) +
                                                          ") WHERE pk > 0 ORDER BY pk"));
  std::vector<std::string> names;
  for (const auto& row : rows) names.push_back(row[0].value_or(""));
  return names;
}

}  // namespace

Result<std::unique_ptr<SqlConnection>> ConnectSqlite(const JdbcUrl& url, const ConnectionSpec& spec) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(url.database.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    const std::string reason = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return Status::NotFound("Could not open the SQLite database \"" + url.database + "\": " + reason, kUnknownNameCode);
  }
  sqlite3_busy_timeout(db, spec.connect_timeout_seconds * 1000);
  return std::unique_ptr<SqlConnection>(std::make_unique<SqliteConnection>(db, url.database));
}

}  // namespace refinery::data::internal
