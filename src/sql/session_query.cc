// Session: queries and what they write — bare SELECTs printed to the log,
// Query() streaming rows to a sink, INSERT OVERWRITE/INTO TABLE and INSERT
// OVERWRITE [LOCAL] DIRECTORY published atomically as part files with the
// sidecar — and the tables behind them, loaded into SQLite on first use.
#include <unistd.h>

#include <cstdio>

#include "data/dataset.h"
#include "sql/session_internal.h"

namespace refinery::sql {
namespace {

namespace stdfs = std::filesystem;
using internal::ColumnDef;
using internal::Cursor;
using internal::HiveType;
using internal::IsQueryStart;
using internal::Lower;
using internal::RowFormat;
using internal::StmtPtr;
using internal::SyntaxError;
using internal::TableDef;
using internal::Token;
using internal::Unsupported;

Status WriteLocalFile(const stdfs::path& path, const std::string& content) {
  std::FILE* out = std::fopen(path.c_str(), "wb");
  if (out == nullptr) return Status::IoError("cannot create " + path.string(), kDataCode);
  const bool ok = std::fwrite(content.data(), 1, content.size(), out) == content.size() && std::fflush(out) == 0 &&
                  ::fsync(::fileno(out)) == 0;
  std::fclose(out);
  return ok ? Status::Ok() : Status::IoError("cannot write " + path.string(), kDataCode);
}

}  // namespace

// ---- queries ----

Status Session::Impl::Insert(Cursor* c, const std::vector<Token>& tokens, const std::string& text) {
  const Token& first = tokens[0];
  bool append;
  if (c->Accept("OVERWRITE")) {
    append = false;
    const bool local = c->Accept("LOCAL");
    if (c->Accept("DIRECTORY")) return InsertDirectory(c, tokens, local, text);
    REFINERY_RETURN_IF_ERROR(c->Expect("TABLE"));
  } else {
    REFINERY_RETURN_IF_ERROR(c->Expect("INTO"));
    c->Accept("TABLE");
    append = true;
  }
  REFINERY_ASSIGN_OR_RETURN(const std::string name, TableName(c));
  if (c->Peek().Is("PARTITION")) {
    return Unsupported(c->Peek(), "PARTITION (...) is not supported; partitioned tables are not kept");
  }
  if (c->AcceptSymbol("(")) {
    return Unsupported(c->Peek(), "a column list after the table name is not supported; select every column in the "
                                  "table's order");
  }
  if (!IsQueryStart(c->Peek())) {
    return SyntaxError(c->Peek(), "expected SELECT, WITH or VALUES after the table name, found '" + c->Peek().text + "'");
  }
  REFINERY_ASSIGN_OR_RETURN(const TableDef table, Lookup(name, first.line));
  if (session_tables_.count(name) != 0) {
    return Unsupported(first, "table " + name + " is a session dataset and cannot be written");
  }
  REFINERY_ASSIGN_OR_RETURN(const std::string sql, Sql(tokens, c->index()));
  REFINERY_ASSIGN_OR_RETURN(StmtPtr stmt, Prepare(sql, first.line));
  REFINERY_ASSIGN_OR_RETURN(const internal::WrittenRows written,
                            WriteSnapshot(options_.files, table.location, stmt.get(), table.format, table.columns,
                                          table.name, text, append));
  Forget(name);
  Note(std::string(append ? "appended " : "wrote ") + std::to_string(written.rows) + " rows to table " + name);
  return Status::Ok();
}

Status Session::Impl::InsertDirectory(Cursor* c, const std::vector<Token>& tokens, bool local,
                                      const std::string& text) {
  const Token& first = tokens[0];
  REFINERY_ASSIGN_OR_RETURN(const std::string path, c->String("the DIRECTORY"));
  RowFormat format;
  while (!IsQueryStart(c->Peek())) {
    if (c->Accept("ROW")) {
      REFINERY_RETURN_IF_ERROR(ParseRowFormat(c, &format));
    } else if (c->Accept("STORED")) {
      REFINERY_RETURN_IF_ERROR(c->Expect("AS"));
      if (!c->Accept("TEXTFILE")) return Unsupported(c->Peek(), "only STORED AS TEXTFILE is supported");
    } else {
      return SyntaxError(c->Peek(), "expected ROW FORMAT, STORED AS or SELECT, found '" + c->Peek().text + "'");
    }
  }
  REFINERY_ASSIGN_OR_RETURN(const std::string sql, Sql(tokens, c->index()));
  REFINERY_ASSIGN_OR_RETURN(StmtPtr stmt, Prepare(sql, first.line));
  // LOCAL names the host's own file system, as in Hive; the rest lie in the root.
  fs::FileSystem host_root("/");
  fs::FileSystem* files = local ? &host_root : options_.files;
  REFINERY_ASSIGN_OR_RETURN(const internal::WrittenRows written,
                            WriteSnapshot(files, path, stmt.get(), format, {}, "", text, false));
  Note("wrote " + std::to_string(written.rows) + " rows to " + (local ? "local directory " : "directory ") + path);
  return Status::Ok();
}

Status Session::Impl::PrintQuery(const std::vector<Token>& tokens, size_t begin, int line) {
  REFINERY_ASSIGN_OR_RETURN(const std::string sql, Sql(tokens, begin));
  REFINERY_ASSIGN_OR_RETURN(StmtPtr stmt, Prepare(sql, line));
  const int n = sqlite3_column_count(stmt.get());
  int64_t rows = 0;
  int rc;
  std::string row, value;
  while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
    ++rows;
    if (rows > options_.max_printed_rows) continue;
    row.clear();
    for (int k = 0; k < n; ++k) {
      if (k > 0) row.push_back('\t');
      row += internal::ValueText(stmt.get(), k, nullptr, &value) ? value : "NULL";
    }
    Note(row);
  }
  if (rc == SQLITE_INTERRUPT) return Status::Cancelled("the query was cancelled");
  if (rc != SQLITE_DONE) {
    return Status::InvalidArgument(std::string("the query failed: ") + sqlite3_errmsg(db_), kQueryCode);
  }
  if (rows > options_.max_printed_rows) {
    Note("(" + std::to_string(rows - options_.max_printed_rows) + " more rows not shown)");
  }
  Note("Fetched: " + std::to_string(rows) + " row(s)");
  stats_.rows_printed += rows;
  return Status::Ok();
}

Status Session::Impl::Query(std::string_view select, data::RowSink* sink) {
  auto text = internal::SubstituteVariables(select, options_.variables, hiveconf_);
  if (!text.ok()) return text.status();
  REFINERY_ASSIGN_OR_RETURN(const std::vector<Token> tokens, internal::Tokenize(*text, 1));
  if (tokens.empty() || !IsQueryStart(tokens[0])) {
    return Status::InvalidArgument("line 1: Query() takes a SELECT (or WITH / VALUES) statement", kSyntaxCode);
  }
  REFINERY_ASSIGN_OR_RETURN(const std::string sql, Sql(tokens, 0));
  REFINERY_ASSIGN_OR_RETURN(StmtPtr stmt, Prepare(sql, 1));
  const int n = sqlite3_column_count(stmt.get());
  std::vector<data::Column> columns;
  std::vector<HiveType> types(static_cast<size_t>(n));
  std::vector<bool> typed(static_cast<size_t>(n));
  for (int k = 0; k < n; ++k) {
    typed[k] = internal::DeclaredType(stmt.get(), k, &types[k]);
    columns.push_back({internal::ResultColumnName(stmt.get(), k), types[k].name, internal::ValueTypeOf(types[k].type_class)});
  }
  REFINERY_RETURN_IF_ERROR(sink->OnColumns(columns));
  std::vector<std::string> values(static_cast<size_t>(n));
  std::vector<data::Field> fields(static_cast<size_t>(n));
  int rc;
  while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
    for (int k = 0; k < n; ++k) {
      const bool present = internal::ValueText(stmt.get(), k, typed[k] ? &types[k] : nullptr, &values[k]);
      fields[k] = {present ? std::string_view(values[k]) : std::string_view(), !present};
    }
    REFINERY_RETURN_IF_ERROR(sink->OnRow(fields));
  }
  if (rc == SQLITE_INTERRUPT) return Status::Cancelled("the query was cancelled");
  if (rc != SQLITE_DONE) return Status::InvalidArgument(std::string("the query failed: ") + sqlite3_errmsg(db_), kQueryCode);
  return Status::Ok();
}

Result<StmtPtr> Session::Impl::Prepare(const std::string& sql, int line) {
  REFINERY_RETURN_IF_ERROR(DropStaleCopies());
  for (int attempt = 0; attempt < 256; ++attempt) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &raw, nullptr) == SQLITE_OK) return StmtPtr(raw);
    const std::string message = sqlite3_errmsg(db_);
    const std::string missing_table = "no such table: ";
    const std::string missing_function = "no such function: ";
    if (message.rfind(missing_table, 0) == 0) {
      std::string name = Lower(message.substr(missing_table.size()));
      if (name.rfind("main.", 0) == 0) name = name.substr(5);
      REFINERY_RETURN_IF_ERROR(EnsureLoaded(name, line));
      continue;
    }
    if (message.rfind(missing_function, 0) == 0) {
      return Status::Unsupported("line " + std::to_string(line) + ": the function " +
                                     message.substr(missing_function.size()) +
                                     "() is not supported; doc/actions/hive.md lists the Hive functions Refinery has",
                                 kSyntaxCode);
    }
    return Status::InvalidArgument("line " + std::to_string(line) + ": " + message + " (SQLite statement: " + sql + ")",
                                   kQueryCode);
  }
  return Status::Internal("line " + std::to_string(line) + ": too many tables in one query", kQueryCode);
}

Result<TableDef> Session::Impl::Lookup(const std::string& name, int line) {
  auto session = session_tables_.find(name);
  if (session != session_tables_.end()) return session->second;
  REFINERY_ASSIGN_OR_RETURN(const std::optional<TableDef> table, metastore_->Get(name));
  if (table) return *table;
  if (name.find('.') != std::string::npos) {
    return Status::NotFound("line " + std::to_string(line) + ": table " + name +
                                " not found; Refinery keeps one namespace: drop the database qualifier or write USE "
                                "<database> first",
                            kTableCode);
  }
  REFINERY_ASSIGN_OR_RETURN(const std::vector<std::string> names, metastore_->Names());
  std::string known;
  for (const auto& [session_name, unused] : session_tables_) known += (known.empty() ? "" : ", ") + session_name;
  for (const std::string& known_name : names) known += (known.empty() ? "" : ", ") + known_name;
  return Status::NotFound("line " + std::to_string(line) + ": table " + name + " not found (known tables: " +
                              (known.empty() ? "none" : known) + "); create it with CREATE [EXTERNAL] TABLE first",
                          kTableCode);
}

Session::Impl::Loaded Session::Impl::Fingerprint(const stdfs::path& dir) {
  Loaded loaded;
  loaded.local = dir.string();
  struct stat info;
  if (::stat(dir.c_str(), &info) == 0) loaded.inode = info.st_ino;
  if (::stat((dir / "_SUCCESS").c_str(), &info) == 0) {
    loaded.success_mtime_ns = static_cast<int64_t>(info.st_mtim.tv_sec) * 1000000000 + info.st_mtim.tv_nsec;
  }
  return loaded;
}

Status Session::Impl::EnsureLoaded(const std::string& name, int line) {
  if (loaded_.count(name) != 0) {
    return Status::Internal("line " + std::to_string(line) + ": table " + name + " is loaded but SQLite cannot see it",
                            kQueryCode);
  }
  REFINERY_ASSIGN_OR_RETURN(TableDef table, Lookup(name, line));
  REFINERY_ASSIGN_OR_RETURN(const stdfs::path local, Local(table.location));
  if (table.columns.empty()) {
    REFINERY_ASSIGN_OR_RETURN(table.columns, internal::SidecarColumns(local));
  }
  REFINERY_ASSIGN_OR_RETURN(const int64_t rows, internal::LoadTable(db_, name, table, local, options_.cancelled));
  loaded_[name] = Fingerprint(local);
  Note("loaded table " + name + ": " + std::to_string(rows) + " rows from " + table.location);
  return Status::Ok();
}

void Session::Impl::Forget(const std::string& name) {
  loaded_.erase(name);
  const std::string sql = "DROP TABLE IF EXISTS " + internal::QuoteName(name);
  sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
}

Status Session::Impl::DropStaleCopies() {
  std::vector<std::string> stale;
  for (const auto& [name, loaded] : loaded_) {
    const Loaded now = Fingerprint(loaded.local);
    if (now.inode != loaded.inode || now.success_mtime_ns != loaded.success_mtime_ns) stale.push_back(name);
  }
  for (const std::string& name : stale) Forget(name);
  return Status::Ok();
}

// ---- writing ----

Result<internal::WrittenRows> Session::Impl::WriteSnapshot(fs::FileSystem* files, const std::string& uri,
                                                           sqlite3_stmt* stmt, const RowFormat& format,
                                                           const std::vector<ColumnDef>& declared,
                                                           const std::string& label, const std::string& query,
                                                           bool append) {
  REFINERY_ASSIGN_OR_RETURN(fs::AtomicDirectory dir, fs::AtomicDirectory::Begin(files, uri));
  int part = 0;
  int64_t previous_rows = 0;
  if (append) {
    REFINERY_ASSIGN_OR_RETURN(const stdfs::path existing, files->Resolve(uri));
    std::error_code ec;
    for (const auto& entry : stdfs::directory_iterator(existing, ec)) {
      const std::string name = entry.path().filename().string();
      if (name.empty() || name[0] == '_' || name[0] == '.' || !entry.is_regular_file()) continue;
      stdfs::create_hard_link(entry.path(), dir.staging_path() / name, ec);
      if (ec) return Status::IoError("cannot link " + entry.path().string() + ": " + ec.message(), kDataCode);
      ++part;
    }
    auto schema = data::ReadDatasetSchema(existing.string());
    previous_rows = schema.ok() && schema->rows >= 0 ? schema->rows : -1;
  }
  char part_name[32];
  std::snprintf(part_name, sizeof part_name, "%06d_0", part);
  while (stdfs::exists(dir.staging_path() / part_name)) std::snprintf(part_name, sizeof part_name, "%06d_0", ++part);
  REFINERY_ASSIGN_OR_RETURN(internal::WrittenRows written,
                            internal::WriteRows(stmt, format, declared, dir.staging_path() / part_name, options_.cancelled));
  const int64_t rows = previous_rows < 0 ? -1 : previous_rows + written.rows;
  REFINERY_RETURN_IF_ERROR(WriteLocalFile(dir.staging_path() / "_schema.properties",
                                          internal::SidecarText(written.columns, format, label, query, rows, part + 1)));
  REFINERY_RETURN_IF_ERROR(dir.Commit());
  stats_.rows_written += written.rows;
  return written;
}

Status Session::Impl::WriteEmptySnapshot(const TableDef& table) {
  REFINERY_ASSIGN_OR_RETURN(fs::AtomicDirectory dir, fs::AtomicDirectory::Begin(options_.files, table.location));
  REFINERY_RETURN_IF_ERROR(WriteLocalFile(dir.staging_path() / "_schema.properties",
                                          internal::SidecarText(table.columns, table.format, table.name, "", 0, 0)));
  return dir.Commit();
}

// ---- session datasets and translation ----

Status Session::Impl::RegisterDataset(const std::string& table_name, const std::string& uri) {
  TableDef table;
  table.name = Lower(table_name);
  table.external = true;
  table.location = uri;
  REFINERY_ASSIGN_OR_RETURN(const stdfs::path local, Local(uri));
  std::error_code ec;
  if (stdfs::is_regular_file(local, ec)) {
    REFINERY_ASSIGN_OR_RETURN(const data::DatasetSchema schema, data::InferCsvSchema(local.string()));
    for (const data::Column& column : schema.columns) {
      table.columns.push_back({column.name, internal::HiveTypeFromValueType(column.type)});
    }
  } else {
    REFINERY_ASSIGN_OR_RETURN(table.columns, internal::SidecarColumns(local));
    if (table.columns.empty()) {
      return Status::InvalidArgument("the dataset " + uri + " has no _schema.properties sidecar; map it with CREATE "
                                         "EXTERNAL TABLE and its columns instead",
                                     kTableCode);
    }
  }
  session_tables_[table.name] = table;
  Forget(table.name);
  return Status::Ok();
}

Result<data::DatasetReader> Session::Impl::OpenTable(const std::string& table_name) {
  const std::string name = Lower(table_name);
  auto found = Lookup(name, 1);
  if (!found.ok()) {
    const std::string& message = found.status().message();  // "line 1: table ..." names no script here
    const std::string unlined = message.rfind("line 1: ", 0) == 0 ? message.substr(8) : message;
    return Status(found.status().code(), found.status().error_code(), unlined);
  }
  const TableDef& table = *found;
  REFINERY_ASSIGN_OR_RETURN(const stdfs::path local, Local(table.location));
  std::error_code ec;
  if (stdfs::is_regular_file(local, ec) || stdfs::exists(local / "_schema.properties", ec)) {
    return data::DatasetReader::Open(local.string());
  }
  if (!stdfs::exists(local / "_SUCCESS", ec)) {
    return Status::FailedPrecondition("the location " + table.location + " of table " + table.name +
                                          " has no _SUCCESS marker, so it holds no complete snapshot; rerun the "
                                          "step that writes it",
                                      data::kNotADatasetCode);
  }
  data::DatasetSchema schema;
  for (const ColumnDef& column : table.columns) {
    schema.columns.push_back({column.name, column.type.name, internal::ValueTypeOf(column.type.type_class)});
  }
  schema.format.field_delimiter = table.format.field;
  schema.format.line_delimiter = table.format.line;
  schema.format.escaped_by = table.format.escape;
  schema.format.null_string = table.format.null_token;
  schema.format.null_non_string = table.format.null_token;
  schema.header_lines = table.skip_header;
  return data::DatasetReader::OpenWithSchema(local.string(), std::move(schema));
}

}  // namespace refinery::sql
