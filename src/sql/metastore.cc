#include "sql/metastore.h"

#include <nlohmann/json.hpp>

#include "sql/sql.h"

namespace refinery::sql::internal {
namespace {

constexpr int kSchemaVersion = 1;

constexpr char kSchema[] =
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS tables ("
    " name TEXT PRIMARY KEY, external INTEGER NOT NULL, location TEXT NOT NULL, columns TEXT NOT NULL,"
    " field_delimiter TEXT NOT NULL, line_delimiter TEXT NOT NULL, escaped_by TEXT NOT NULL,"
    " null_token TEXT NOT NULL, skip_header INTEGER NOT NULL, updated TEXT NOT NULL);";

// A statement finalized on scope exit.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) { rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr); }
  ~Statement() { sqlite3_finalize(stmt_); }
  bool ok() const { return rc_ == SQLITE_OK; }
  sqlite3_stmt* get() const { return stmt_; }
  void Bind(int i, const std::string& text) { sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT); }
  void Bind(int i, int64_t value) { sqlite3_bind_int64(stmt_, i, value); }
  std::string Text(int i) const {
    const unsigned char* text = sqlite3_column_text(stmt_, i);
    return text == nullptr ? "" : std::string(reinterpret_cast<const char*>(text), static_cast<size_t>(sqlite3_column_bytes(stmt_, i)));
  }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  int rc_;
};

std::string CharText(char c) { return c == 0 ? std::string() : std::string(1, c); }
char TextChar(const std::string& text) { return text.empty() ? 0 : text[0]; }

}  // namespace

Result<std::unique_ptr<Metastore>> Metastore::Open(const std::string& local_path) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(local_path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr) !=
      SQLITE_OK) {
    const std::string message = db == nullptr ? "out of memory" : sqlite3_errmsg(db);
    sqlite3_close(db);
    return Status::IoError("cannot open the metastore " + local_path + ": " + message, kMetastoreCode);
  }
  std::unique_ptr<Metastore> store(new Metastore(db));
  sqlite3_busy_timeout(db, 10000);
  REFINERY_RETURN_IF_ERROR(store->Exec("PRAGMA journal_mode=WAL"));
  REFINERY_RETURN_IF_ERROR(store->Exec(kSchema));
  Statement version(db, "SELECT value FROM meta WHERE key = 'schema_version'");
  if (!version.ok()) return store->Error("reading the schema version");
  if (sqlite3_step(version.get()) == SQLITE_ROW) {
    if (std::stoi("0" + version.Text(0)) > kSchemaVersion) {
      return Status::FailedPrecondition("the metastore " + local_path + " has schema version " + version.Text(0) +
                                            ", newer than this Refinery understands (" + std::to_string(kSchemaVersion) +
                                            "); upgrade Refinery",
                                        kMetastoreCode);
    }
  } else {
    REFINERY_RETURN_IF_ERROR(store->Exec("INSERT OR IGNORE INTO meta VALUES ('schema_version', '" +
                                         std::to_string(kSchemaVersion) + "')"));
  }
  return store;
}

Metastore::~Metastore() { sqlite3_close(db_); }

Status Metastore::Exec(const std::string& sql) {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) == SQLITE_OK) return Status::Ok();
  const std::string message = error == nullptr ? sqlite3_errmsg(db_) : error;
  sqlite3_free(error);
  return Status::IoError("metastore: " + message, kMetastoreCode);
}

Status Metastore::Error(const std::string& what) const {
  return Status::IoError("metastore: " + what + ": " + sqlite3_errmsg(db_), kMetastoreCode);
}

Result<std::optional<TableDef>> Metastore::Get(const std::string& name) {
  Statement stmt(db_,
                 "SELECT external, location, columns, field_delimiter, line_delimiter, escaped_by, null_token, skip_header "
                 "FROM tables WHERE name = ?");
  if (!stmt.ok()) return Error("reading table " + name);
  stmt.Bind(1, name);
  const int rc = sqlite3_step(stmt.get());
  if (rc == SQLITE_DONE) return std::optional<TableDef>();
  if (rc != SQLITE_ROW) return Error("reading table " + name);
  TableDef table;
  table.name = name;
  table.external = sqlite3_column_int(stmt.get(), 0) != 0;
  table.location = stmt.Text(1);
  const nlohmann::json columns = nlohmann::json::parse(stmt.Text(2), nullptr, false);
  if (!columns.is_array()) {
    return Status::IoError("metastore: the columns of table " + name + " are not a JSON array", kMetastoreCode);
  }
  for (const auto& column : columns) {
    if (!column.is_object() || !column.contains("name") || !column.contains("type")) continue;
    table.columns.push_back({column["name"].get<std::string>(), HiveTypeFromName(column["type"].get<std::string>())});
  }
  table.format.field = TextChar(stmt.Text(3));
  table.format.line = TextChar(stmt.Text(4));
  table.format.escape = TextChar(stmt.Text(5));
  table.format.null_token = stmt.Text(6);
  table.skip_header = sqlite3_column_int(stmt.get(), 7);
  return std::optional<TableDef>(std::move(table));
}

Status Metastore::Put(const TableDef& table) {
  nlohmann::json columns = nlohmann::json::array();
  for (const ColumnDef& column : table.columns) columns.push_back({{"name", column.name}, {"type", column.type.name}});
  Statement stmt(db_,
                 "INSERT OR REPLACE INTO tables VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%SZ','now'))");
  if (!stmt.ok()) return Error("writing table " + table.name);
  stmt.Bind(1, table.name);
  stmt.Bind(2, int64_t{table.external ? 1 : 0});
  stmt.Bind(3, table.location);
  // Replaces bytes that are not UTF-8 (an octal escape can make them) instead of throwing.
  stmt.Bind(4, columns.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  stmt.Bind(5, CharText(table.format.field));
  stmt.Bind(6, CharText(table.format.line));
  stmt.Bind(7, CharText(table.format.escape));
  stmt.Bind(8, table.format.null_token);
  stmt.Bind(9, int64_t{table.skip_header});
  if (sqlite3_step(stmt.get()) != SQLITE_DONE) return Error("writing table " + table.name);
  return Status::Ok();
}

Status Metastore::Drop(const std::string& name) {
  Statement stmt(db_, "DELETE FROM tables WHERE name = ?");
  if (!stmt.ok()) return Error("dropping table " + name);
  stmt.Bind(1, name);
  if (sqlite3_step(stmt.get()) != SQLITE_DONE) return Error("dropping table " + name);
  return Status::Ok();
}

Result<std::vector<std::string>> Metastore::Names() {
  Statement stmt(db_, "SELECT name FROM tables ORDER BY name");
  if (!stmt.ok()) return Error("listing tables");
  std::vector<std::string> names;
  while (sqlite3_step(stmt.get()) == SQLITE_ROW) names.push_back(stmt.Text(0));
  return names;
}

}  // namespace refinery::sql::internal
