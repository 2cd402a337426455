// Session: the DDL — CREATE [EXTERNAL] TABLE (with ROW FORMAT, LOCATION,
// TBLPROPERTIES and AS SELECT), DROP TABLE, SHOW TABLES and DESCRIBE — kept
// in the metastore.
#include <cstdlib>
#include <optional>

#include "sql/session_internal.h"

namespace refinery::sql {
namespace {

namespace stdfs = std::filesystem;
using internal::ColumnDef;
using internal::Cursor;
using internal::HiveType;
using internal::Lower;
using internal::RowFormat;
using internal::StmtPtr;
using internal::SyntaxError;
using internal::TableDef;
using internal::Token;
using internal::Unsupported;
using internal::Upper;

}  // namespace

Result<std::string> Session::Impl::TableName(Cursor* c) {
  REFINERY_ASSIGN_OR_RETURN(std::string name, c->Name("a table name"));
  if (c->AcceptSymbol(".")) {
    databases_.insert(Lower(name));
    REFINERY_ASSIGN_OR_RETURN(name, c->Name("a table name after the database"));
  }
  return Lower(name);
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

}  // namespace refinery::sql
