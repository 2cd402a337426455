// Internal to sql/: the metastore — which tables exist, where their files
// are and how to read them — in a SQLite database (metastore.db) that
// outlives the session, as Hive's metastore does. The format is described in
// doc/actions/hive.md.
#pragma once

#include <sqlite3.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "sql/translate.h"

namespace refinery::sql::internal {

// ROW FORMAT DELIMITED; the defaults are Hive's (LazySimpleSerDe).
struct RowFormat {
  char field = '\x01';
  char line = '\n';
  char escape = 0;  // 0 = none
  std::string null_token = "\\N";
};

struct ColumnDef {
  std::string name;
  HiveType type;
};

struct TableDef {
  std::string name;          // lowercase, without database
  bool external = false;     // DROP keeps the files
  std::string location;      // URI in the file-system root
  std::vector<ColumnDef> columns;
  RowFormat format;
  int skip_header = 0;       // TBLPROPERTIES skip.header.line.count
};

class Metastore {
 public:
  // Opens (creating) the database at a local path.
  static Result<std::unique_ptr<Metastore>> Open(const std::string& local_path);
  ~Metastore();

  Result<std::optional<TableDef>> Get(const std::string& name);
  Status Put(const TableDef& table);  // insert or replace
  Status Drop(const std::string& name);
  Result<std::vector<std::string>> Names();

 private:
  explicit Metastore(sqlite3* db) : db_(db) {}
  Status Exec(const std::string& sql);
  Status Error(const std::string& what) const;
  sqlite3* db_;
};

}  // namespace refinery::sql::internal
