// Session: setup, statement dispatch and translation. DDL goes to the
// metastore (session_ddl.cc); queries are translated and prepared against a
// private in-memory SQLite database into which every table a query names is
// loaded on first use, and reloaded when its snapshot on disk changed
// (session_query.cc).
#include "sql/functions.h"
#include "sql/session_internal.h"

namespace refinery::sql {
namespace {

namespace stdfs = std::filesystem;
using internal::Cursor;
using internal::IsQueryStart;
using internal::Lower;
using internal::SyntaxError;
using internal::TableDef;
using internal::Token;
using internal::Unsupported;
using internal::Upper;

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

}  // namespace

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
    // Comments are blanked, so the statement's first word starts at its first non-blank.
    const size_t first_offset = text.find_first_not_of(" \t\r\n");
    const size_t eq = text.find('=');
    if (eq == std::string::npos) {
      Note("SET: " + std::to_string(hiveconf_.size()) + " value(s) set in this session");
      return Status::Ok();
    }
    const size_t name_begin = text.find_first_not_of(" \t\r\n", first_offset + 3);
    if (name_begin == std::string::npos || name_begin >= eq) return SyntaxError(first, "SET needs a name before '='");
    std::string key = text.substr(name_begin, eq - name_begin);
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

Result<std::string> Session::Impl::Sql(const std::vector<Token>& tokens, size_t begin) const {
  return internal::TranslateTokens(tokens, begin, tokens.size(), databases_);
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
Result<data::DatasetReader> Session::OpenTable(const std::string& name) { return impl_->OpenTable(name); }
Result<std::string> Session::Translate(std::string_view statement) { return impl_->Translate(statement); }
const SessionStats& Session::stats() const { return impl_->stats_; }

}  // namespace refinery::sql
