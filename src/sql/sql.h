// sql: HiveQL over the raw zone, with SQLite as the engine. A script is split
// into statements, Hive variables are substituted, and each statement is
// either DDL kept in a durable metastore (tables mapped onto directories of
// part files), or a query translated to SQLite and run over the tables it
// names, each loaded from the snapshot on disk when the query runs. Results
// of INSERT OVERWRITE / CREATE TABLE AS land atomically as part files with
// `_SUCCESS` and the schema sidecar. The hive/hive2 actions and the train
// action's preparation step use this module through Session.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "data/dataset.h"
#include "data/table.h"
#include "fs/file_system.h"

namespace refinery::sql {

// Error codes (doc/actions/hive.md).
inline constexpr char kSyntaxCode[] = "HIVE001";     // malformed or unsupported HiveQL
inline constexpr char kTableCode[] = "HIVE002";      // unknown table, table exists, bad location
inline constexpr char kDataCode[] = "HIVE003";       // a table's files cannot be read or written
inline constexpr char kVariableCode[] = "HIVE004";   // ${NAME} without a value
inline constexpr char kMetastoreCode[] = "HIVE005";  // the metastore database failed
inline constexpr char kQueryCode[] = "HIVE006";      // SQLite refused or failed the translated query

struct SessionOptions {
  fs::FileSystem* files = nullptr;  // required; table locations are URIs of this root
  // Directory (URI) holding metastore.db; created on first use.
  std::string metastore_uri = "/user/hive/metastore";
  // Where managed tables keep their data: <warehouse>/<table>.
  std::string warehouse_uri = "/user/hive/warehouse";
  // ${NAME} and ${hivevar:NAME} values (the action's <param>s).
  std::map<std::string, std::string> variables;
  // Notes, printed result rows, and progress lines; may be empty.
  std::function<void(const std::string&)> log;
  // Polled while queries run; true stops the statement with kCancelled.
  std::function<bool()> cancelled;
  int64_t max_printed_rows = 1000;  // rows of a bare SELECT written to the log
};

struct SessionStats {
  int statements = 0;
  int64_t rows_written = 0;  // by INSERT / CREATE TABLE AS
  int64_t rows_printed = 0;  // by bare SELECTs
};

// One HiveQL session: the current SET values and the tables loaded so far.
// Not thread-safe; open one per action. Several sessions may share a
// metastore (SQLite with a busy timeout).
class Session {
 public:
  static Result<std::unique_ptr<Session>> Open(SessionOptions options);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Runs every statement in order and stops at the first failure, whose
  // message starts with `<script_name>:<line>` of that statement.
  Status RunScript(std::string_view script, const std::string& script_name);
  // One statement (no trailing ';' needed); `line` only names it in errors.
  Status Execute(std::string_view statement, int line = 1);
  // Runs a SELECT (HiveQL) and streams its rows to `sink`; values arrive in
  // Hive's text form (doubles as Java prints them, NULL as is_null).
  Status Query(std::string_view select, data::RowSink* sink);
  // Makes a dataset (a raw-zone directory with sidecar, or a .csv file)
  // visible as `table` for this session only, without the metastore.
  Status RegisterDataset(const std::string& table, const std::string& uri);
  // The files of table `name` (metastore or session) opened for reading
  // with the data module, for steps that read a table without SQL (the
  // profile action): its sidecar when the location has one, else the
  // table's columns and ROW FORMAT. HIVE002 for an unknown table (listing
  // the known ones), DATA001 for a location without `_SUCCESS`.
  Result<data::DatasetReader> OpenTable(const std::string& name);
  // The SQLite statement a HiveQL query or DML translates to (for tests and
  // -dryrun); DDL translates to a one-line description.
  Result<std::string> Translate(std::string_view statement);

  const SessionStats& stats() const;

  class Impl;

 private:
  explicit Session(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace refinery::sql
