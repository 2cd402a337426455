// Session: statement dispatch. DDL goes to the metastore, queries are
// translated and prepared against a private in-memory SQLite database into
// which every table a query names is loaded on first use (and reloaded when
// its snapshot on disk changed).
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <set>

#include <unistd.h>

#include "data/dataset.h"
#include "sql/functions.h"
#include "sql/metastore.h"
#include "sql/script.h"
#include "sql/sql.h"
#include "sql/table_io.h"
#include "sql/translate.h"

namespace refinery::sql {
namespace {

namespace stdfs = std::filesystem;
using internal::ColumnDef;
using internal::HiveType;
using internal::Lower;
using internal::RowFormat;
using internal::TableDef;
using internal::Token;
using internal::TokenKind;
using internal::Upper;

struct StmtDeleter {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtDeleter>;

Status SyntaxError(const Token& at, const std::string& what) {
  return Status::InvalidArgument("line " + std::to_string(at.line) + ": " + what, kSyntaxCode);
}

Status Unsupported(const Token& at, const std::string& what) {
  return Status::Unsupported("line " + std::to_string(at.line) + ": " + what, kSyntaxCode);
}

// "line N: ..." for errors that do not name their line yet.
Status AtLine(const Status& status, int line) {
  if (status.ok() || status.message().rfind("line ", 0) == 0) return status;
  return Status(status.code(), status.error_code(), "line " + std::to_string(line) + ": " + status.message());
}

// "line N: what" -> "<script>:N: what".
Status InScript(const Status& status, const std::string& script_name) {
  const std::string& message = status.message();
  if (message.rfind("line ", 0) != 0) return status.WithContext(script_name);
  const size_t colon = message.find(':');
  return Status(status.code(), status.error_code(),
                script_name + ":" + message.substr(5, colon - 5) + message.substr(colon));
}

// Cursor over a statement's tokens.
class Cursor {
 public:
  explicit Cursor(const std::vector<Token>& tokens) : tokens_(tokens) {}
  bool AtEnd() const { return i_ >= tokens_.size(); }
  size_t index() const { return i_; }
  void Seek(size_t i) { i_ = i; }
  const Token& Peek(size_t ahead = 0) const {
    static const Token kEnd{TokenKind::kSymbol, "<end of statement>", 0};
    return i_ + ahead < tokens_.size() ? tokens_[i_ + ahead] : (tokens_.empty() ? kEnd : LastAsEnd());
  }
  bool Accept(std::string_view keyword) {
    if (AtEnd() || !tokens_[i_].Is(keyword)) return false;
    ++i_;
    return true;
  }
  bool AcceptSymbol(std::string_view symbol) {
    if (AtEnd() || !tokens_[i_].IsSymbol(symbol)) return false;
    ++i_;
    return true;
  }
  Status Expect(std::string_view keyword) {
    if (Accept(keyword)) return Status::Ok();
    return SyntaxError(Peek(), "expected " + std::string(keyword) + " but found '" + Peek().text + "'");
  }
  Result<std::string> String(const std::string& what) {
    if (AtEnd() || tokens_[i_].kind != TokenKind::kString) {
      return SyntaxError(Peek(), what + " must be a quoted string, found '" + Peek().text + "'");
    }
    return tokens_[i_++].text;
  }
  Result<std::string> Name(const std::string& what) {
    if (AtEnd() || (tokens_[i_].kind != TokenKind::kWord && tokens_[i_].kind != TokenKind::kQuotedName)) {
      return SyntaxError(Peek(), "expected " + what + " but found '" + Peek().text + "'");
    }
    return tokens_[i_++].text;
  }
  const Token& Next() { return tokens_[i_++]; }

 private:
  const Token& LastAsEnd() const {
    static thread_local Token end;
    end = Token{TokenKind::kSymbol, "<end of statement>", tokens_.back().line};
    return end;
  }
  const std::vector<Token>& tokens_;
  size_t i_ = 0;
};

bool IsQueryStart(const Token& t) { return t.Is("SELECT") || t.Is("WITH") || t.Is("VALUES") || t.IsSymbol("("); }

Status WriteLocalFile(const stdfs::path& path, const std::string& content) {
  std::FILE* out = std::fopen(path.c_str(), "wb");
  if (out == nullptr) return Status::IoError("cannot create " + path.string(), kDataCode);
  const bool ok = std::fwrite(content.data(), 1, content.size(), out) == content.size() && std::fflush(out) == 0 &&
                  ::fsync(::fileno(out)) == 0;
  std::fclose(out);
  return ok ? Status::Ok() : Status::IoError("cannot write " + path.string(), kDataCode);
}

}  // namespace

class Session::Impl {
 public:
  explicit Impl(SessionOptions options) : options_(std::move(options)) {}
  ~Impl() {
    if (db_ != nullptr) sqlite3_close(db_);
  }

  Status Init();
  Status RunScript(std::string_view script, const std::string& script_name);
  Status Execute(std::string_view statement, int line);
  Status Query(std::string_view select, data::RowSink* sink);
  Status RegisterDataset(const std::string& table, const std::string& uri);
  Result<std::string> Translate(std::string_view statement);

  SessionStats stats_;

 private:
  Status Dispatch(const std::string& text, const std::vector<Token>& tokens, int line);
  Status CreateTable(Cursor* c, const std::vector<Token>& tokens, bool external, const std::string& text);
  Status DropTable(Cursor* c);
  Status Insert(Cursor* c, const std::vector<Token>& tokens, const std::string& text);
  Status InsertDirectory(Cursor* c, const std::vector<Token>& tokens, bool local, const std::string& text);
  Status PrintQuery(const std::vector<Token>& tokens, size_t begin, int line);
  Status ShowTables();
  Status Describe(Cursor* c);

  Result<std::string> TableName(Cursor* c);
  Status ParseRowFormat(Cursor* c, RowFormat* format);
  Result<std::string> Sql(const std::vector<Token>& tokens, size_t begin) const;
  Result<StmtPtr> Prepare(const std::string& sql, int line);
  Result<TableDef> Lookup(const std::string& name, int line);
  Status EnsureLoaded(const std::string& name, int line);
  void Forget(const std::string& name);
  Status DropStaleCopies();
  Result<stdfs::path> Local(const std::string& uri) const;
  // Runs `stmt` into a new snapshot of `uri` (replacing it, or adding a part file when `append`).
  Result<internal::WrittenRows> WriteSnapshot(fs::FileSystem* files, const std::string& uri, sqlite3_stmt* stmt,
                                              const RowFormat& format, const std::vector<ColumnDef>& declared,
                                              const std::string& label, const std::string& query, bool append);
  Status WriteEmptySnapshot(const TableDef& table);
  void Note(const std::string& line) const {
    if (options_.log) options_.log(line);
  }

  struct Loaded {
    int64_t success_mtime_ns = 0;
    ino_t inode = 0;
    std::string local;
  };
  static Loaded Fingerprint(const stdfs::path& dir);

  SessionOptions options_;
  sqlite3* db_ = nullptr;
  std::unique_ptr<internal::Metastore> metastore_;
  std::map<std::string, std::string> hiveconf_;
  std::set<std::string> databases_ = {"default"};
  std::map<std::string, TableDef> session_tables_;
  std::map<std::string, Loaded> loaded_;
};

// ---- setup ----

Status Session::Impl::Init() {
  if (options_.files == nullptr) return Status::InvalidArgument("sql session: no file system given", kMetastoreCode);
  if (sqlite3_open_v2(":memory:", &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr) !=
      SQLITE_OK) {
    return Status::Internal("cannot open an in-memory SQLite database", kQueryCode);
  }
  REFINERY_RETURN_IF_ERROR(internal::RegisterHiveFunctions(db_));
  if (options_.cancelled) {
    sqlite3_progress_handler(
        db_, 10000, [](void* self) { return static_cast<Impl*>(self)->options_.cancelled() ? 1 : 0; }, this);
  }
  REFINERY_RETURN_IF_ERROR(options_.files->MakeDirectories(options_.metastore_uri));
  REFINERY_ASSIGN_OR_RETURN(const stdfs::path dir, options_.files->Resolve(options_.metastore_uri, true));
  REFINERY_ASSIGN_OR_RETURN(metastore_, internal::Metastore::Open((dir / "metastore.db").string()));
  return Status::Ok();
}

Result<stdfs::path> Session::Impl::Local(const std::string& uri) const { return options_.files->Resolve(uri); }

// ---- scripts and statements ----

Status Session::Impl::RunScript(std::string_view script, const std::string& script_name) {
  auto statements = internal::SplitScript(script);
  if (!statements.ok()) return InScript(statements.status(), script_name);
  for (const internal::ScriptStatement& statement : *statements) {
    const Status status = Execute(statement.text, statement.line);
    if (!status.ok()) return InScript(status, script_name);
  }
  return Status::Ok();
}

Status Session::Impl::Execute(std::string_view statement, int line) {
  auto text = internal::SubstituteVariables(statement, options_.variables, hiveconf_);
  if (!text.ok()) return AtLine(text.status(), line);
  auto tokens = internal::Tokenize(*text, line);
  if (!tokens.ok()) return AtLine(tokens.status(), line);
  if (tokens->empty()) return Status::Ok();
  ++stats_.statements;
  return AtLine(Dispatch(*text, *tokens, line), line);
}

Status Session::Impl::Dispatch(const std::string& text, const std::vector<Token>& tokens, int line) {
  Cursor c(tokens);
  const Token& first = tokens[0];
  if (c.Accept("SET")) {
    const size_t eq = text.find('=');
    if (eq == std::string::npos) {
      Note("SET: " + std::to_string(hiveconf_.size()) + " value(s) set in this session");
      return Status::Ok();
    }
    std::string key = text.substr(3, eq - 3);
    key = key.substr(key.find_first_not_of(" \t\r\n"));
    key = key.substr(0, key.find_last_not_of(" \t\r\n") + 1);
    std::string value = text.substr(eq + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    if (key.rfind("hivevar:", 0) == 0) options_.variables[key.substr(8)] = value;
    hiveconf_[key] = value;
    Note("SET " + key + ": noted (Hive settings do not change the local SQL engine)");
    return Status::Ok();
  }
  if (c.Accept("ADD")) {
    Note("line " + std::to_string(line) + ": " + text.substr(0, text.find('\n')) +
         ": accepted and ignored (no jars or UDF files are loaded)");
    return Status::Ok();
  }
  if (c.Accept("USE")) {
    REFINERY_ASSIGN_OR_RETURN(const std::string db, c.Name("a database name"));
    databases_.insert(Lower(db));
    Note("USE " + db + ": noted (Refinery keeps every table in one namespace)");
    return Status::Ok();
  }
  if (first.Is("CREATE") && (c.Peek(1).Is("DATABASE") || c.Peek(1).Is("SCHEMA"))) {
    c.Seek(2);
    if (c.Accept("IF")) {
      REFINERY_RETURN_IF_ERROR(c.Expect("NOT"));
      REFINERY_RETURN_IF_ERROR(c.Expect("EXISTS"));
    }
    REFINERY_ASSIGN_OR_RETURN(const std::string db, c.Name("a database name"));
    databases_.insert(Lower(db));
    Note("CREATE DATABASE " + db + ": noted (Refinery keeps every table in one namespace)");
    return Status::Ok();
  }
  if (c.Accept("CREATE")) {
    c.Accept("TEMPORARY");
    const bool external = c.Accept("EXTERNAL");
    if (!c.Accept("TABLE")) {
      return Unsupported(c.Peek(), "CREATE " + c.Peek().text +
                                       " is not supported; Refinery creates tables (CREATE [EXTERNAL] TABLE)");
    }
    return CreateTable(&c, tokens, external, text);
  }
  if (c.Accept("DROP")) {
    if (c.Accept("DATABASE") || c.Accept("SCHEMA")) {
      Note("DROP DATABASE: ignored (Refinery keeps every table in one namespace)");
      return Status::Ok();
    }
    REFINERY_RETURN_IF_ERROR(c.Expect("TABLE"));
    return DropTable(&c);
  }
  if (c.Accept("TRUNCATE")) {
    c.Accept("TABLE");
    REFINERY_ASSIGN_OR_RETURN(const std::string name, TableName(&c));
    REFINERY_ASSIGN_OR_RETURN(const TableDef table, Lookup(name, line));
    REFINERY_RETURN_IF_ERROR(WriteEmptySnapshot(table));
    Forget(name);
    return Status::Ok();
  }
  if (c.Accept("INSERT")) return Insert(&c, tokens, text);
  if (IsQueryStart(first)) return PrintQuery(tokens, 0, line);
  if (c.Accept("SHOW")) {
    if (c.Accept("TABLES")) return ShowTables();
    if (c.Accept("DATABASES") || c.Accept("SCHEMAS")) {
      for (const std::string& db : databases_) Note(db);
      return Status::Ok();
    }
    return Unsupported(c.Peek(), "SHOW " + c.Peek().text + " is not supported; use SHOW TABLES or DESCRIBE t");
  }
  if (c.Accept("DESCRIBE") || c.Accept("DESC")) return Describe(&c);
  if (c.Accept("EXPLAIN")) {
    REFINERY_ASSIGN_OR_RETURN(const std::string sql, Sql(tokens, 1));
    Note("SQLite: " + sql);
    return Status::Ok();
  }
  if (first.Is("ANALYZE") || first.Is("MSCK")) {
    Note(Upper(first.text) + ": accepted and ignored (statistics and partitions are not kept)");
    return Status::Ok();
  }
  if (first.Is("FROM")) {
    return Unsupported(first, "FROM ... INSERT (multi-insert) is not supported; write one INSERT ... SELECT ... FROM "
                              "per target");
  }
  if (first.Is("LOAD")) {
    return Unsupported(first, "LOAD DATA is not supported; map the files with CREATE EXTERNAL TABLE ... LOCATION "
                              "'<dir>', or move them with an <fs> action");
  }
  if (first.Is("ALTER")) {
    return Unsupported(first, "ALTER TABLE is not supported; DROP TABLE and CREATE TABLE again (an external table's "
                              "files stay where they are)");
  }
  return Unsupported(first, "the statement " + Upper(first.text) +
                                " is not supported; see doc/actions/hive.md for the HiveQL Refinery runs");
}

Result<std::string> Session::Impl::TableName(Cursor* c) {
  REFINERY_ASSIGN_OR_RETURN(std::string name, c->Name("a table name"));
  if (c->AcceptSymbol(".")) {
    databases_.insert(Lower(name));
    REFINERY_ASSIGN_OR_RETURN(name, c->Name("a table name after the database"));
  }
  return Lower(name);
}

Result<std::string> Session::Impl::Sql(const std::vector<Token>& tokens, size_t begin) const {
  return internal::TranslateTokens(tokens, begin, tokens.size(), databases_);
}

Status Session::Impl::ParseRowFormat(Cursor* c, RowFormat* format) {
  REFINERY_RETURN_IF_ERROR(c->Expect("FORMAT"));
  if (c->Peek().Is("SERDE")) {
    return Unsupported(c->Peek(), "ROW FORMAT SERDE is not supported; use ROW FORMAT DELIMITED FIELDS TERMINATED "
                                  "BY ',' (CSV files with a header: add TBLPROPERTIES "
                                  "('skip.header.line.count'='1'))");
  }
  REFINERY_RETURN_IF_ERROR(c->Expect("DELIMITED"));
  auto one_char = [&](const std::string& what, char* out) -> Status {
    const Token& at = c->Peek();
    REFINERY_ASSIGN_OR_RETURN(const std::string value, c->String(what));
    if (value.size() != 1) {
      return Unsupported(at, what + " must be one character, found '" + value + "'");
    }
    *out = value[0];
    return Status::Ok();
  };
  while (true) {
    char ignored;
    if (c->Accept("FIELDS")) {
      REFINERY_RETURN_IF_ERROR(c->Expect("TERMINATED"));
      REFINERY_RETURN_IF_ERROR(c->Expect("BY"));
      REFINERY_RETURN_IF_ERROR(one_char("FIELDS TERMINATED BY", &format->field));
      if (c->Accept("ESCAPED")) {
        REFINERY_RETURN_IF_ERROR(c->Expect("BY"));
        REFINERY_RETURN_IF_ERROR(one_char("ESCAPED BY", &format->escape));
      }
    } else if (c->Accept("COLLECTION")) {
      REFINERY_RETURN_IF_ERROR(c->Expect("ITEMS"));
      REFINERY_RETURN_IF_ERROR(c->Expect("TERMINATED"));
      REFINERY_RETURN_IF_ERROR(c->Expect("BY"));
      REFINERY_RETURN_IF_ERROR(one_char("COLLECTION ITEMS TERMINATED BY", &ignored));
    } else if (c->Accept("MAP")) {
      REFINERY_RETURN_IF_ERROR(c->Expect("KEYS"));
      REFINERY_RETURN_IF_ERROR(c->Expect("TERMINATED"));
      REFINERY_RETURN_IF_ERROR(c->Expect("BY"));
      REFINERY_RETURN_IF_ERROR(one_char("MAP KEYS TERMINATED BY", &ignored));
    } else if (c->Accept("LINES")) {
      REFINERY_RETURN_IF_ERROR(c->Expect("TERMINATED"));
      REFINERY_RETURN_IF_ERROR(c->Expect("BY"));
      REFINERY_RETURN_IF_ERROR(one_char("LINES TERMINATED BY", &format->line));
    } else if (c->Accept("NULL")) {
      REFINERY_RETURN_IF_ERROR(c->Expect("DEFINED"));
      REFINERY_RETURN_IF_ERROR(c->Expect("AS"));
      REFINERY_ASSIGN_OR_RETURN(format->null_token, c->String("NULL DEFINED AS"));
    } else {
      return Status::Ok();
    }
  }
}

// ---- DDL ----

Status Session::Impl::CreateTable(Cursor* c, const std::vector<Token>& tokens, bool external,
                                  const std::string& text) {
  bool if_not_exists = false;
  if (c->Accept("IF")) {
    REFINERY_RETURN_IF_ERROR(c->Expect("NOT"));
    REFINERY_RETURN_IF_ERROR(c->Expect("EXISTS"));
    if_not_exists = true;
  }
  const Token& name_token = c->Peek();
  TableDef table;
  REFINERY_ASSIGN_OR_RETURN(table.name, TableName(c));
  table.external = external;
  if (c->AcceptSymbol("(")) {
    while (true) {
      REFINERY_ASSIGN_OR_RETURN(const std::string column, c->Name("a column name"));
      size_t at = c->index();
      REFINERY_ASSIGN_OR_RETURN(const HiveType type, internal::ParseHiveType(tokens, &at));
      c->Seek(at);
      if (c->Accept("COMMENT")) REFINERY_RETURN_IF_ERROR(c->String("COMMENT").status());
      table.columns.push_back({column, type});
      if (c->AcceptSymbol(",")) continue;
      if (c->AcceptSymbol(")")) break;
      return SyntaxError(c->Peek(), "expected ',' or ')' in the column list, found '" + c->Peek().text + "'");
    }
  }
  if (c->Accept("LIKE")) {
    REFINERY_ASSIGN_OR_RETURN(const std::string other, TableName(c));
    REFINERY_ASSIGN_OR_RETURN(const TableDef like, Lookup(other, name_token.line));
    table.columns = like.columns;
    table.format = like.format;
  }
  size_t query_begin = 0;
  while (!c->AtEnd()) {
    const Token& t = c->Peek();
    if (c->Accept("COMMENT")) {
      REFINERY_RETURN_IF_ERROR(c->String("COMMENT").status());
    } else if (t.Is("PARTITIONED") || t.Is("CLUSTERED") || t.Is("SKEWED")) {
      return Unsupported(t, Upper(t.text) + " BY is not supported; declare the column in the column list and "
                                            "filter with WHERE");
    } else if (c->Accept("ROW")) {
      REFINERY_RETURN_IF_ERROR(ParseRowFormat(c, &table.format));
    } else if (c->Accept("STORED")) {
      REFINERY_RETURN_IF_ERROR(c->Expect("AS"));
      const Token& kind = c->Peek();
      REFINERY_ASSIGN_OR_RETURN(const std::string format, c->Name("a storage format"));
      if (!kind.Is("TEXTFILE")) {
        return Unsupported(kind, "STORED AS " + format + " is not supported; use STORED AS TEXTFILE (the default)");
      }
    } else if (c->Accept("LOCATION")) {
      REFINERY_ASSIGN_OR_RETURN(table.location, c->String("LOCATION"));
    } else if (c->Accept("TBLPROPERTIES")) {
      if (!c->AcceptSymbol("(")) return SyntaxError(c->Peek(), "expected '(' after TBLPROPERTIES");
      while (!c->AcceptSymbol(")")) {
        REFINERY_ASSIGN_OR_RETURN(const std::string key, c->String("a table property name"));
        if (!c->AcceptSymbol("=")) return SyntaxError(c->Peek(), "expected '=' after '" + key + "'");
        const Token& value_token = c->Peek();
        REFINERY_ASSIGN_OR_RETURN(const std::string value, c->String("a table property value"));
        if (key == "skip.header.line.count") {
          table.skip_header = std::atoi(value.c_str());
          if (table.skip_header < 0 || value.find_first_not_of("0123456789") != std::string::npos) {
            return SyntaxError(value_token, "skip.header.line.count must be a whole number, found '" + value + "'");
          }
        } else if (key == "serialization.null.format") {
          table.format.null_token = value;
        } else {
          Note("TBLPROPERTIES '" + key + "': noted, no effect");
        }
        c->AcceptSymbol(",");
        if (c->AtEnd()) return SyntaxError(c->Peek(), "TBLPROPERTIES ( is never closed");
      }
    } else if (c->Accept("AS")) {
      query_begin = c->index();
      break;
    } else {
      return Unsupported(t, "unexpected '" + t.text + "' in CREATE TABLE; the clauses Refinery reads are ROW FORMAT "
                                                  "DELIMITED, STORED AS TEXTFILE, LOCATION, TBLPROPERTIES and AS SELECT");
    }
  }
  REFINERY_ASSIGN_OR_RETURN(const std::optional<TableDef> existing, metastore_->Get(table.name));
  if (existing) {
    if (if_not_exists) {
      Note("table " + table.name + " exists already (IF NOT EXISTS): left as it is");
      return Status::Ok();
    }
    return Status::AlreadyExists("line " + std::to_string(name_token.line) + ": table " + table.name +
                                     " already exists (perhaps from an earlier run); write CREATE TABLE IF NOT "
                                     "EXISTS, or DROP TABLE IF EXISTS " + table.name + " first",
                                 kTableCode);
  }
  if (external && table.location.empty()) {
    return SyntaxError(name_token, "an EXTERNAL TABLE needs LOCATION '<directory>'");
  }
  if (table.location.empty()) table.location = options_.warehouse_uri + "/" + table.name;
  if (query_begin != 0) {
    if (external) return Unsupported(name_token, "CREATE EXTERNAL TABLE ... AS SELECT is not supported; drop EXTERNAL");
    if (!table.columns.empty()) {
      return Unsupported(name_token, "CREATE TABLE AS SELECT takes its columns from the query; remove the column list");
    }
    REFINERY_ASSIGN_OR_RETURN(const std::string sql, Sql(tokens, query_begin));
    REFINERY_ASSIGN_OR_RETURN(StmtPtr stmt, Prepare(sql, name_token.line));
    REFINERY_ASSIGN_OR_RETURN(const internal::WrittenRows written,
                              WriteSnapshot(options_.files, table.location, stmt.get(), table.format, {}, table.name,
                                            text, false));
    table.columns = written.columns;
    REFINERY_RETURN_IF_ERROR(metastore_->Put(table));
    Forget(table.name);
    Note("table " + table.name + " created from the query: " + std::to_string(written.rows) + " rows in " +
         table.location);
    return Status::Ok();
  }
  REFINERY_ASSIGN_OR_RETURN(const stdfs::path local, Local(table.location));
  if (table.columns.empty()) {
    auto from_sidecar = internal::SidecarColumns(local);
    if (!from_sidecar.ok()) return from_sidecar.status();
    table.columns = *from_sidecar;
    if (table.columns.empty()) {
      return SyntaxError(name_token, "table " + table.name + " needs a column list (only a LOCATION holding a "
                                                             "_schema.properties sidecar lends its columns)");
    }
  }
  std::error_code ec;
  if (!external && !stdfs::exists(local, ec)) REFINERY_RETURN_IF_ERROR(WriteEmptySnapshot(table));
  REFINERY_RETURN_IF_ERROR(metastore_->Put(table));
  Forget(table.name);
  Note(std::string("table ") + table.name + " created" + (external ? " over " : " in ") + table.location);
  return Status::Ok();
}

Status Session::Impl::DropTable(Cursor* c) {
  bool if_exists = false;
  if (c->Accept("IF")) {
    REFINERY_RETURN_IF_ERROR(c->Expect("EXISTS"));
    if_exists = true;
  }
  const Token& at = c->Peek();
  REFINERY_ASSIGN_OR_RETURN(const std::string name, TableName(c));
  c->Accept("PURGE");
  REFINERY_ASSIGN_OR_RETURN(const std::optional<TableDef> table, metastore_->Get(name));
  if (!table) {
    if (if_exists) return Status::Ok();
    return Status::NotFound("line " + std::to_string(at.line) + ": table " + name +
                                " does not exist; write DROP TABLE IF EXISTS " + name,
                            kTableCode);
  }
  if (!table->external) REFINERY_RETURN_IF_ERROR(options_.files->Delete(table->location, true));
  REFINERY_RETURN_IF_ERROR(metastore_->Drop(name));
  Forget(name);
  Note("table " + name + " dropped" + (table->external ? " (external: its files stay)" : ""));
  return Status::Ok();
}

Status Session::Impl::ShowTables() {
  REFINERY_ASSIGN_OR_RETURN(const std::vector<std::string> names, metastore_->Names());
  for (const std::string& name : names) Note(name);
  return Status::Ok();
}

Status Session::Impl::Describe(Cursor* c) {
  c->Accept("EXTENDED");
  c->Accept("FORMATTED");
  const Token& at = c->Peek();
  REFINERY_ASSIGN_OR_RETURN(const std::string name, TableName(c));
  REFINERY_ASSIGN_OR_RETURN(const TableDef table, Lookup(name, at.line));
  for (const ColumnDef& column : table.columns) Note(column.name + "\t" + column.type.name);
  Note(std::string("# ") + (table.external ? "external" : "managed") + " table at " + table.location);
  return Status::Ok();
}

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

Result<std::string> Session::Impl::Translate(std::string_view statement) {
  REFINERY_ASSIGN_OR_RETURN(const std::string text,
                            internal::SubstituteVariables(statement, options_.variables, hiveconf_));
  REFINERY_ASSIGN_OR_RETURN(const std::vector<Token> tokens, internal::Tokenize(text, 1));
  if (tokens.empty()) return std::string();
  // The query part of INSERT ... SELECT and CREATE TABLE ... AS SELECT.
  size_t begin = 0;
  if (tokens[0].Is("INSERT") || tokens[0].Is("CREATE")) {
    begin = tokens.size();
    for (size_t k = 1; k < tokens.size(); ++k) {
      if (IsQueryStart(tokens[k]) && !tokens[k].IsSymbol("(")) {
        begin = k;
        break;
      }
    }
    if (begin == tokens.size()) return std::string("(no SQLite statement: handled by the metastore)");
  } else if (!IsQueryStart(tokens[0])) {
    return std::string("(no SQLite statement: handled by the session)");
  }
  return Sql(tokens, begin);
}

// ---- Session ----

Session::Session(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Session::~Session() = default;

Result<std::unique_ptr<Session>> Session::Open(SessionOptions options) {
  auto impl = std::make_unique<Impl>(std::move(options));
  REFINERY_RETURN_IF_ERROR(impl->Init());
  return std::unique_ptr<Session>(new Session(std::move(impl)));
}

Status Session::RunScript(std::string_view script, const std::string& script_name) {
  return impl_->RunScript(script, script_name);
}
Status Session::Execute(std::string_view statement, int line) { return impl_->Execute(statement, line); }
Status Session::Query(std::string_view select, data::RowSink* sink) { return impl_->Query(select, sink); }
Status Session::RegisterDataset(const std::string& table, const std::string& uri) {
  return impl_->RegisterDataset(table, uri);
}
Result<std::string> Session::Translate(std::string_view statement) { return impl_->Translate(statement); }
const SessionStats& Session::stats() const { return impl_->stats_; }

}  // namespace refinery::sql
