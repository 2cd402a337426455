#include "sql/table_io.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <cerrno>
#include <cstring>

#include <unistd.h>

#include "data/dataset.h"
#include "sql/functions.h"
#include "sql/sql.h"

namespace refinery::sql::internal {
namespace {

namespace stdfs = std::filesystem;

constexpr int64_t kCancelCheckRows = 65536;

Status DataError(const std::string& what) { return Status::IoError(what, kDataCode); }

// A prepared statement finalized on scope exit.
struct StmtDeleter {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtDeleter>;

Status Exec(sqlite3* db, const std::string& sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error) == SQLITE_OK) return Status::Ok();
  const std::string message = error == nullptr ? sqlite3_errmsg(db) : error;
  sqlite3_free(error);
  return Status::Internal("SQLite: " + message + " in: " + sql, kQueryCode);
}

bool ParseInteger(std::string_view s, int64_t* out) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  const size_t dot = s.find('.');
  std::string_view whole = s.substr(0, dot);
  if (dot != std::string_view::npos) {
    for (char c : s.substr(dot + 1)) {
      if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    }
  }
  if (whole.empty()) return false;
  auto [ptr, ec] = std::from_chars(whole.data(), whole.data() + whole.size(), *out);
  return ec == std::errc() && ptr == whole.data() + whole.size();
}

bool ParseReal(std::string_view s, double* out) {
  if (s.empty() || s.size() > 400) return false;
  char buffer[401];
  std::memcpy(buffer, s.data(), s.size());
  buffer[s.size()] = '\0';
  char* end = nullptr;
  *out = std::strtod(buffer, &end);
  return end == buffer + s.size() && !std::isspace(static_cast<unsigned char>(buffer[0]));
}

// Binds one field as its column's type; a value that does not parse is NULL, as in Hive.
void BindField(sqlite3_stmt* stmt, int index, TypeClass type, std::string_view text, bool is_null) {
  if (is_null) {
    sqlite3_bind_null(stmt, index);
    return;
  }
  switch (type) {
    case TypeClass::kInteger: {
      int64_t value;
      if (ParseInteger(text, &value)) {
        sqlite3_bind_int64(stmt, index, value);
      } else {
        sqlite3_bind_null(stmt, index);
      }
      return;
    }
    case TypeClass::kReal: {
      double value;
      if (ParseReal(text, &value)) {
        sqlite3_bind_double(stmt, index, value);
      } else {
        sqlite3_bind_null(stmt, index);
      }
      return;
    }
    case TypeClass::kBoolean: {
      if (text.size() == 4 && (text[0] == 't' || text[0] == 'T')) {
        sqlite3_bind_int(stmt, index, 1);
      } else if (text.size() == 5 && (text[0] == 'f' || text[0] == 'F')) {
        sqlite3_bind_int(stmt, index, 0);
      } else {
        sqlite3_bind_null(stmt, index);
      }
      return;
    }
    default:  // the text outlives the sqlite3_step that copies it
      sqlite3_bind_text(stmt, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
  }
}

// Inserts rows into the session table through one prepared statement.
class Inserter : public data::RowSink {
 public:
  Inserter(sqlite3* db, sqlite3_stmt* stmt, const TableDef& table, const std::function<bool()>& cancelled)
      : db_(db), stmt_(stmt), table_(table), cancelled_(cancelled) {}

  Status OnColumns(const std::vector<data::Column>& columns) override {
    if (columns.size() != table_.columns.size()) {
      return DataError("table " + table_.name + " declares " + std::to_string(table_.columns.size()) +
                       " columns but the sidecar of " + table_.location + " has " + std::to_string(columns.size()) +
                       "; declare the columns of the data (or leave them out to take the sidecar's)");
    }
    return Status::Ok();
  }

  Status OnRow(const std::vector<data::Field>& row) override {
    const size_t n = table_.columns.size();
    for (size_t k = 0; k < n; ++k) {
      if (k < row.size()) {
        BindField(stmt_, static_cast<int>(k) + 1, table_.columns[k].type.type_class, row[k].text, row[k].is_null);
      } else {
        sqlite3_bind_null(stmt_, static_cast<int>(k) + 1);  // Hive: missing trailing fields are NULL
      }
    }
    const int rc = sqlite3_step(stmt_);
    sqlite3_reset(stmt_);
    if (rc != SQLITE_DONE) return Status::Internal(std::string("SQLite insert: ") + sqlite3_errmsg(db_), kQueryCode);
    ++rows_;
    if (rows_ % kCancelCheckRows == 0 && cancelled_ && cancelled_()) {
      return Status::Cancelled("loading table " + table_.name + " was cancelled");
    }
    return Status::Ok();
  }

  int64_t rows() const { return rows_; }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  const TableDef& table_;
  const std::function<bool()>& cancelled_;
  int64_t rows_ = 0;
};

// Splits one line of Hive text into fields (escape char keeps a delimiter in a value).
void SplitLine(std::string_view line, const RowFormat& format, std::vector<std::string>* storage,
               std::vector<data::Field>* fields) {
  storage->clear();
  fields->clear();
  std::string current;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (format.escape != 0 && c == format.escape && i + 1 < line.size()) {
      current.push_back(line[++i]);
    } else if (c == format.field) {
      storage->push_back(std::move(current));
      current.clear();
    } else {
      current.push_back(c);
    }
  }
  storage->push_back(std::move(current));
  for (const std::string& value : *storage) fields->push_back({value, value == format.null_token});
}

// Data files of a Hive directory: everything but _ and . names, in name order.
std::vector<stdfs::path> DataFiles(const stdfs::path& dir) {
  std::vector<stdfs::path> files;
  std::error_code ec;
  for (const auto& entry : stdfs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name[0] == '_' || name[0] == '.' || !entry.is_regular_file()) continue;
    files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

Status ReadHiveText(const stdfs::path& dir, const TableDef& table, Inserter* sink) {
  std::vector<std::string> storage;
  std::vector<data::Field> fields;
  for (const stdfs::path& file : DataFiles(dir)) {
    std::FILE* in = std::fopen(file.c_str(), "rb");
    if (in == nullptr) return DataError("cannot open " + file.string() + ": " + std::strerror(errno));
    char* buffer = nullptr;
    size_t capacity = 0;
    int64_t line_number = 0;
    Status status;
    ssize_t length;
    while ((length = ::getdelim(&buffer, &capacity, table.format.line, in)) >= 0) {
      ++line_number;
      std::string_view line(buffer, static_cast<size_t>(length));
      if (!line.empty() && line.back() == table.format.line) line.remove_suffix(1);
      if (table.format.line == '\n' && !line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line_number <= table.skip_header) continue;
      SplitLine(line, table.format, &storage, &fields);
      status = sink->OnRow(fields);
      if (!status.ok()) break;
    }
    std::free(buffer);
    std::fclose(in);
    if (!status.ok()) return status.WithContext(file.string() + ":" + std::to_string(line_number));
  }
  return Status::Ok();
}

std::string CreateSql(const std::string& sqlite_name, const TableDef& table) {
  std::string sql = "CREATE TABLE " + QuoteName(sqlite_name) + " (";
  for (size_t k = 0; k < table.columns.size(); ++k) {
    sql += (k == 0 ? "" : ", ") + QuoteName(table.columns[k].name) + " " +
           SqliteDeclaration(table.columns[k].type.type_class);
  }
  return sql + ")";
}

std::string InsertSql(const std::string& sqlite_name, size_t columns) {
  std::string sql = "INSERT INTO " + QuoteName(sqlite_name) + " VALUES (";
  for (size_t k = 0; k < columns; ++k) sql += k == 0 ? "?" : ", ?";
  return sql + ")";
}

bool IsIdentifier(const std::string& name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

std::string Printable(char c) {
  if (std::isprint(static_cast<unsigned char>(c))) return std::string("'") + c + "'";
  char buf[8];
  std::snprintf(buf, sizeof buf, "\\%03o", static_cast<unsigned char>(c));
  return std::string("'") + buf + "'";
}

}  // namespace

Result<std::vector<ColumnDef>> SidecarColumns(const stdfs::path& dir) {
  std::error_code ec;
  if (!stdfs::exists(dir / "_schema.properties", ec)) return std::vector<ColumnDef>();
  REFINERY_ASSIGN_OR_RETURN(const data::DatasetSchema schema, data::ReadDatasetSchema(dir.string()));
  std::vector<ColumnDef> columns;
  for (const data::Column& column : schema.columns) {
    HiveType type = HiveTypeFromName(column.source_type);
    if (type.name != Lower(column.source_type)) type = HiveTypeFromValueType(column.type);
    if (type.type_class != HiveTypeFromValueType(column.type).type_class) type = HiveTypeFromValueType(column.type);
    columns.push_back({column.name, type});
  }
  return columns;
}

Result<int64_t> LoadTable(sqlite3* db, const std::string& sqlite_name, const TableDef& table, const stdfs::path& dir,
                          const std::function<bool()>& cancelled) {
  std::error_code ec;
  const bool is_csv_file = stdfs::is_regular_file(dir, ec);
  if (!is_csv_file) {
    if (!stdfs::is_directory(dir, ec)) {
      return Status::NotFound("the location " + table.location + " of table " + table.name +
                                  " does not exist; run the step that writes it first",
                              kTableCode);
    }
    if (!stdfs::exists(dir / "_SUCCESS", ec)) {
      return Status::FailedPrecondition("the location " + table.location + " of table " + table.name +
                                            " has no _SUCCESS marker, so it holds no complete snapshot (an import "
                                            "may still be running or have failed); rerun the step that writes it",
                                        kDataCode);
    }
  }
  REFINERY_RETURN_IF_ERROR(Exec(db, "DROP TABLE IF EXISTS " + QuoteName(sqlite_name)));
  REFINERY_RETURN_IF_ERROR(Exec(db, CreateSql(sqlite_name, table)));
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, InsertSql(sqlite_name, table.columns.size()).c_str(), -1, &raw, nullptr) != SQLITE_OK) {
    return Status::Internal(std::string("SQLite: ") + sqlite3_errmsg(db), kQueryCode);
  }
  StmtPtr insert(raw);
  REFINERY_RETURN_IF_ERROR(Exec(db, "BEGIN"));
  Inserter sink(db, insert.get(), table, cancelled);
  Status status;
  if (is_csv_file || stdfs::exists(dir / "_schema.properties", ec)) {
    auto reader = data::DatasetReader::Open(dir.string());
    status = reader.ok() ? reader->ReadAll(&sink) : reader.status();
  } else {
    status = ReadHiveText(dir, table, &sink);
  }
  insert.reset();
  if (!status.ok()) {
    (void)Exec(db, "ROLLBACK");
    (void)Exec(db, "DROP TABLE IF EXISTS " + QuoteName(sqlite_name));  // no half-loaded table for a later query
    return status;
  }
  REFINERY_RETURN_IF_ERROR(Exec(db, "COMMIT"));
  return sink.rows();
}

std::string ResultColumnName(sqlite3_stmt* stmt, int i) {
  const char* name = sqlite3_column_name(stmt, i);
  const std::string text = name == nullptr ? "" : name;
  return IsIdentifier(text) ? Lower(text) : "_c" + std::to_string(i);
}

bool DeclaredType(sqlite3_stmt* stmt, int i, HiveType* type) {
  const char* declared = sqlite3_column_decltype(stmt, i);
  if (declared == nullptr) return false;
  const std::string upper = Upper(declared);
  if (upper == "BIGINT") *type = {"bigint", TypeClass::kInteger};
  else if (upper == "DOUBLE") *type = {"double", TypeClass::kReal};
  else if (upper == "BOOLEAN") *type = {"boolean", TypeClass::kBoolean};
  else if (upper == "DATE") *type = {"date", TypeClass::kDate};
  else if (upper == "TIMESTAMP") *type = {"timestamp", TypeClass::kTimestamp};
  else if (upper == "TEXT") *type = {"string", TypeClass::kText};
  else return false;
  return true;
}

bool ValueText(sqlite3_stmt* stmt, int i, const HiveType* declared, std::string* out) {
  const int storage = sqlite3_column_type(stmt, i);
  const TypeClass type = declared == nullptr ? TypeClass::kText : declared->type_class;
  switch (storage) {
    case SQLITE_NULL: return false;
    case SQLITE_INTEGER: {
      const int64_t value = sqlite3_column_int64(stmt, i);
      if (declared != nullptr && type == TypeClass::kBoolean) *out = value != 0 ? "true" : "false";
      else if (declared != nullptr && type == TypeClass::kReal) *out = JavaDouble(static_cast<double>(value));
      else *out = std::to_string(value);
      return true;
    }
    case SQLITE_FLOAT: {
      const double value = sqlite3_column_double(stmt, i);
      if (declared != nullptr && type == TypeClass::kInteger && std::isfinite(value)) {
        *out = std::to_string(static_cast<int64_t>(value));
      } else if (declared != nullptr && type == TypeClass::kBoolean) {
        *out = value != 0 ? "true" : "false";
      } else {
        *out = JavaDouble(value);
      }
      return true;
    }
    default: {
      const char* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
      out->assign(text == nullptr ? "" : text, static_cast<size_t>(sqlite3_column_bytes(stmt, i)));
      return true;
    }
  }
}

Result<WrittenRows> WriteRows(sqlite3_stmt* stmt, const RowFormat& format, const std::vector<ColumnDef>& declared,
                              const stdfs::path& file, const std::function<bool()>& cancelled) {
  const int n = sqlite3_column_count(stmt);
  if (!declared.empty() && static_cast<size_t>(n) != declared.size()) {
    return Status::InvalidArgument("the query yields " + std::to_string(n) + " columns but the table has " +
                                       std::to_string(declared.size()) + "; select one expression per table column",
                                   kSyntaxCode);
  }
  WrittenRows written;
  std::vector<HiveType> types(static_cast<size_t>(n));
  std::vector<bool> fixed(static_cast<size_t>(n), false);
  std::vector<int> seen(static_cast<size_t>(n), 0);  // bit 1 integer, 2 real, 4 text
  for (int k = 0; k < n; ++k) {
    if (!declared.empty()) {
      types[k] = declared[k].type;
      fixed[k] = true;
    } else {
      fixed[k] = DeclaredType(stmt, k, &types[k]);
    }
  }
  std::FILE* out = std::fopen(file.c_str(), "wb");
  if (out == nullptr) return DataError("cannot create " + file.string() + ": " + std::strerror(errno));
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> closer(out, std::fclose);
  std::string line, value;
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    line.clear();
    for (int k = 0; k < n; ++k) {
      if (k > 0) line.push_back(format.field);
      if (!ValueText(stmt, k, fixed[k] ? &types[k] : nullptr, &value)) {
        line += format.null_token;
        continue;
      }
      const int storage = sqlite3_column_type(stmt, k);
      seen[k] |= storage == SQLITE_INTEGER ? 1 : storage == SQLITE_FLOAT ? 2 : 4;
      for (char c : value) {
        if (c == format.field || c == format.line || (format.escape != 0 && c == format.escape)) {
          if (format.escape == 0) {
            const std::string name = declared.empty() ? ResultColumnName(stmt, k) : declared[k].name;
            return Status::InvalidArgument(
                "row " + std::to_string(written.rows + 1) + ", column " + name + ": the value holds the " +
                    (c == format.field ? "field delimiter " : "line delimiter ") + Printable(c) +
                    ", which the file could not be read back with; add ESCAPED BY '\\\\' to ROW FORMAT DELIMITED or "
                    "choose another FIELDS TERMINATED BY",
                kDataCode);
          }
          line.push_back(format.escape);
        }
        line.push_back(c);
      }
    }
    line.push_back(format.line);
    if (std::fwrite(line.data(), 1, line.size(), out) != line.size()) {
      return DataError("cannot write " + file.string() + ": " + std::strerror(errno));
    }
    ++written.rows;
    if (written.rows % kCancelCheckRows == 0 && cancelled && cancelled()) {
      return Status::Cancelled("writing " + file.string() + " was cancelled");
    }
  }
  if (rc != SQLITE_DONE) {
    if (rc == SQLITE_INTERRUPT) return Status::Cancelled("the query was cancelled");
    return Status::InvalidArgument(std::string("the query failed: ") + sqlite3_errmsg(sqlite3_db_handle(stmt)),
                                   kQueryCode);
  }
  if (std::fflush(out) != 0 || ::fsync(::fileno(out)) != 0) {
    return DataError("cannot write " + file.string() + ": " + std::strerror(errno));
  }
  for (int k = 0; k < n; ++k) {
    if (!fixed[k]) {
      types[k] = seen[k] == 1 ? HiveType{"bigint", TypeClass::kInteger}
                 : (seen[k] & 4) == 0 && seen[k] != 0 ? HiveType{"double", TypeClass::kReal}
                                                      : HiveType{"string", TypeClass::kText};
    }
    written.columns.push_back({declared.empty() ? ResultColumnName(stmt, k) : declared[k].name, types[k]});
  }
  return written;
}

std::string SidecarText(const std::vector<ColumnDef>& columns, const RowFormat& format, const std::string& table,
                        const std::string& query, int64_t rows, int64_t files) {
  data::DatasetSchema schema;
  for (const ColumnDef& column : columns) {
    schema.columns.push_back({column.name, column.type.name, ValueTypeOf(column.type.type_class)});
  }
  schema.format.field_delimiter = format.field;
  schema.format.line_delimiter = format.line;
  schema.format.escaped_by = format.escape;
  schema.format.null_string = format.null_token;
  schema.format.null_non_string = format.null_token;
  schema.rows = rows;
  return data::FormatDatasetSchema(schema, "hive", table, query, files);
}

}  // namespace refinery::sql::internal
