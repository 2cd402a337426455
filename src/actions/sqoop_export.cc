// sqoop export: the rows of a dataset directory into a table, all or nothing.
// Sqoop commits every few thousand rows, so a failed export leaves part of the
// data behind; Refinery runs the whole export in one transaction (or, with
// --staging-table, fills the staging table and moves it in one transaction),
// so a failure leaves the target table exactly as it was.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>

#include "actions/action_util.h"
#include "actions/sqoop_tools.h"
#include "data/dataset.h"

namespace refinery::actions::internal {
namespace {

using data::Column;
using data::Dialect;
using data::Field;
using data::ValueType;

// Rows per INSERT statement and bytes of SQL per statement: large enough to
// amortize round trips, small enough for MariaDB's default max_allowed_packet.
constexpr size_t kRowsPerStatement = 500;
constexpr size_t kMaxStatementBytes = 1 << 20;
constexpr int64_t kProgressRows = 100000;

bool IsInputFormatOption(const std::string& name) { return name.rfind("--input-", 0) == 0; }

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> items;
  std::string item;
  for (char c : text + ",") {
    if (c != ',') {
      if (!std::isspace(static_cast<unsigned char>(c))) item.push_back(c);
      continue;
    }
    if (!item.empty()) items.push_back(item);
    item.clear();
  }
  return items;
}

// The target table's columns (all, or those of --columns in that order).
Result<std::vector<Column>> TargetColumns(data::SqlConnection* connection, const SqoopOptions& options) {
  auto described = connection->Describe("SELECT * FROM " + connection->QuoteIdentifier(options.table) + " WHERE 1=0");
  if (!described.ok()) {
    std::string known;
    if (auto tables = connection->ListTables(); tables.ok()) {
      for (const std::string& table : *tables) known += (known.empty() ? "" : ", ") + table;
    }
    return Status::NotFound("Table \"" + options.table + "\" does not exist or cannot be read" +
                                (known.empty() ? "" : "; the database has: " + known) + ": " +
                                described.status().message(),
                            data::kUnknownNameCode);
  }
  if (options.columns.empty()) return *described;
  std::vector<Column> chosen;
  for (const std::string& name : options.columns) {
    auto found = std::find_if(described->begin(), described->end(),
                              [&](const Column& column) { return Lower(column.name) == Lower(name); });
    if (found == described->end()) {
      std::string known;
      for (const Column& column : *described) known += (known.empty() ? "" : ", ") + column.name;
      return Status::NotFound("--columns names \"" + name + "\", which table \"" + options.table +
                                  "\" does not have; its columns are: " + known,
                              data::kUnknownNameCode);
    }
    chosen.push_back(*found);
  }
  return chosen;
}

// Opens the export directory: with its sidecar when it has one and no
// --input-* option overrides it, otherwise as Sqoop reads it (the input
// options over the target table's columns).
Result<data::DatasetReader> OpenExportDirectory(const std::string& local_dir, const SqoopOptions& options,
                                                const std::vector<Column>& target) {
  const bool overridden = std::any_of(options.given.begin(), options.given.end(),
                                      [](const auto& option) { return IsInputFormatOption(option.first); });
  std::error_code ec;
  if (!overridden && std::filesystem::exists(std::filesystem::path(local_dir) / "_schema.properties", ec)) {
    return data::DatasetReader::Open(local_dir);
  }
  data::DatasetSchema schema;
  schema.columns = target;
  schema.format = options.input_format;
  return data::DatasetReader::OpenWithSchema(local_dir, std::move(schema));
}

// Writes values as SQL literals the target column accepts.
class LiteralWriter {
 public:
  LiteralWriter(data::SqlConnection* connection, std::vector<Column> target)
      : connection_(connection), target_(std::move(target)) {}

  void Append(const Field& field, size_t column, std::string* sql) const {
    if (field.is_null) {
      sql->append("NULL");
      return;
    }
    const std::string type = Lower(target_[column].source_type);
    const Dialect dialect = connection_->dialect();
    if (target_[column].type == ValueType::kBinary) {
      sql->append(dialect == Dialect::kPostgres ? "'\\x" : "X'");
      sql->append(field.text);
      sql->push_back('\'');
      return;
    }
    if (dialect != Dialect::kPostgres && (field.text == "true" || field.text == "false") &&
        (target_[column].type == ValueType::kBoolean || target_[column].type == ValueType::kInteger)) {
      sql->append(field.text == "true" ? "1" : "0");
      return;
    }
    sql->append(connection_->QuoteLiteral(std::string(field.text)));
  }

 private:
  data::SqlConnection* connection_;
  std::vector<Column> target_;
};

struct ExportCounters {
  int64_t rows = 0;
  int64_t statements = 0;
};

// Collects rows into multi-row statements and runs them. When a statement
// fails, its rows are retried one by one under a savepoint so the error can
// name the row the server refused.
class ExportSink : public data::RowSink {
 public:
  ExportSink(ActionContext* context, data::SqlConnection* connection, const SqoopOptions& options,
             std::vector<Column> target, std::string table)
      : context_(context), connection_(connection), options_(options), target_(std::move(target)),
        table_(std::move(table)), literals_(connection, target_), start_(std::chrono::steady_clock::now()) {}

  Status OnColumns(const std::vector<Column>& columns) override {
    if (columns.size() != target_.size()) {
      return Status::InvalidArgument("The export directory has " + std::to_string(columns.size()) +
                                         " columns but the target has " + std::to_string(target_.size()) + " (" +
                                         ColumnList() + "); name the target columns with --columns",
                                     kSqoopUsageCode);
    }
    return Status::Ok();
  }

  Status OnRow(const std::vector<Field>& row) override {
    if (context_->cancel != nullptr && context_->cancel->cancelled()) return Status::Cancelled("export killed");
    pending_.push_back(UpdateOnly() ? UpdateStatement(row) : ValuesTuple(row));
    pending_bytes_ += pending_.back().size();
    ++counters_.rows;
    if (pending_.size() >= kRowsPerStatement || pending_bytes_ >= kMaxStatementBytes) REFINERY_RETURN_IF_ERROR(Flush());
    if (counters_.rows % kProgressRows == 0) ReportProgress();
    return Status::Ok();
  }

  Status Flush() {
    if (pending_.empty()) return Status::Ok();
    Status status = RunBatch();
    first_row_of_batch_ = counters_.rows + 1;
    pending_.clear();
    pending_bytes_ = 0;
    return status;
  }

  void ReportProgress() const {
    if (context_->reporter == nullptr) return;
    const double seconds = Seconds();
    const int64_t rate = seconds > 0 ? static_cast<int64_t>(counters_.rows / seconds) : counters_.rows;
    context_->reporter->Progress(-1, std::to_string(counters_.rows) + " rows exported, " + std::to_string(rate) +
                                         " rows/s");
  }

  // "(v1,v2,...)" for a multi-row INSERT.
  std::string ValuesTuple(const std::vector<Field>& row) const {
    std::string values = "(";
    for (size_t i = 0; i < row.size(); ++i) {
      if (i > 0) values.push_back(',');
      literals_.Append(row[i], i, &values);
    }
    values.push_back(')');
    return values;
  }

  // For --update-mode updateonly: one UPDATE ... WHERE key = ... per row, as Sqoop does.
  std::string UpdateStatement(const std::vector<Field>& row) const {
    std::string sets;
    std::string where;
    for (size_t i = 0; i < row.size(); ++i) {
      std::string literal;
      literals_.Append(row[i], i, &literal);
      const std::string name = connection_->QuoteIdentifier(target_[i].name);
      if (IsKey(target_[i].name)) {
        where += (where.empty() ? "" : " AND ") + name + (row[i].is_null ? " IS NULL" : "=" + literal);
      } else {
        sets += (sets.empty() ? "" : ",") + name + "=" + literal;
      }
    }
    return "UPDATE " + connection_->QuoteIdentifier(table_) + " SET " + sets + " WHERE " + where;
  }

  double Seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }
  const ExportCounters& counters() const { return counters_; }

 private:
  std::string ColumnList() const {
    std::string list;
    for (const Column& column : target_) list += (list.empty() ? "" : ", ") + column.name;
    return list;
  }

  std::string ColumnNames() const {
    std::string names;
    for (const Column& column : target_) names += (names.empty() ? "" : ",") + connection_->QuoteIdentifier(column.name);
    return names;
  }

  bool IsKey(const std::string& name) const {
    for (const std::string& key : SplitList(options_.update_key)) {
      if (Lower(key) == Lower(name)) return true;
    }
    return false;
  }

  // INSERT for plain exports, upsert for --update-mode allowinsert.
  std::string InsertStatement(const std::vector<std::string>& rows) const {
    std::string sql = "INSERT INTO " + connection_->QuoteIdentifier(table_) + " (" + ColumnNames() + ") VALUES ";
    for (size_t i = 0; i < rows.size(); ++i) sql += (i > 0 ? "," : "") + rows[i];
    if (options_.update_key.empty()) return sql;
    std::string updates;
    for (const Column& column : target_) {
      if (IsKey(column.name)) continue;
      const std::string name = connection_->QuoteIdentifier(column.name);
      updates += (updates.empty() ? "" : ",") + name + "=" +
                 (connection_->dialect() == Dialect::kMysql ? "VALUES(" + name + ")" : "excluded." + name);
    }
    if (connection_->dialect() == Dialect::kMysql) return sql + " ON DUPLICATE KEY UPDATE " + updates;
    std::string keys;
    for (const std::string& key : SplitList(options_.update_key)) {
      keys += (keys.empty() ? "" : ",") + connection_->QuoteIdentifier(key);
    }
    return sql + " ON CONFLICT (" + keys + ") DO " + (updates.empty() ? "NOTHING" : "UPDATE SET " + updates);
  }

  Status RunStatement(const std::string& sql) {
    ++counters_.statements;
    return connection_->Execute(sql).status();
  }

  bool UpdateOnly() const { return !options_.update_key.empty() && options_.update_mode == "updateonly"; }

  // Runs the pending rows: UPDATEs one by one, or INSERT tuples as one statement.
  Status RunBatch() {
    if (UpdateOnly()) return RunUpdates();
    REFINERY_RETURN_IF_ERROR(RunStatement("SAVEPOINT refinery_batch"));
    Status status = RunStatement(InsertStatement(pending_));
    if (status.ok()) return RunStatement("RELEASE SAVEPOINT refinery_batch");
    REFINERY_RETURN_IF_ERROR(RunStatement("ROLLBACK TO SAVEPOINT refinery_batch"));
    for (size_t i = 0; i < pending_.size(); ++i) {
      Status single = RunStatement(InsertStatement({pending_[i]}));
      if (!single.ok()) return RowRefused(first_row_of_batch_ + static_cast<int64_t>(i), single);
    }
    return status;
  }

  Status RunUpdates() {
    for (size_t i = 0; i < pending_.size(); ++i) {
      Status status = RunStatement(pending_[i]);
      if (!status.ok()) return RowRefused(first_row_of_batch_ + static_cast<int64_t>(i), status);
    }
    return Status::Ok();
  }

  Status RowRefused(int64_t row, const Status& cause) const {
    return Status(cause.code(), cause.error_code().empty() ? data::kQueryCode : cause.error_code(),
                  "Row " + std::to_string(row) + " of the export directory was refused by table \"" + table_ +
                      "\" (nothing was exported; the table is unchanged): " + cause.message());
  }

 private:
  ActionContext* context_;
  data::SqlConnection* connection_;
  const SqoopOptions& options_;
  std::vector<Column> target_;
  std::string table_;
  LiteralWriter literals_;
  std::chrono::steady_clock::time_point start_;
  std::vector<std::string> pending_;
  size_t pending_bytes_ = 0;
  int64_t first_row_of_batch_ = 1;
  ExportCounters counters_;
};

Status CheckUpdateKey(const SqoopOptions& options, const std::vector<Column>& target) {
  for (const std::string& key : SplitList(options.update_key)) {
    const bool found = std::any_of(target.begin(), target.end(),
                                   [&](const Column& column) { return Lower(column.name) == Lower(key); });
    if (!found) {
      return Status::InvalidArgument("--update-key \"" + key + "\" is not a column being exported", kSqoopUsageCode);
    }
  }
  return Status::Ok();
}

// Empties the staging table (with --clear-staging-table) or refuses to use
// one that holds rows, as Sqoop does.
Status PrepareStagingTable(data::SqlConnection* connection, const SqoopOptions& options) {
  const std::string staging = connection->QuoteIdentifier(options.staging_table);
  if (options.clear_staging_table) return connection->Execute("DELETE FROM " + staging).status();
  auto rows = data::QueryAll(connection, "SELECT COUNT(*) FROM " + staging);
  if (!rows.ok()) return rows.status();
  if (!rows->empty() && !(*rows)[0].empty() && (*rows)[0][0].value_or("0") != "0") {
    return Status::FailedPrecondition("The staging table \"" + options.staging_table +
                                          "\" is not empty; empty it or add --clear-staging-table",
                                      kSqoopUsageCode);
  }
  return Status::Ok();
}

}  // namespace

Result<Properties> RunExport(ActionContext& context, const SqoopOptions& options, const data::ConnectionSpec& spec) {
  if (!options.staging_table.empty() && !options.update_key.empty()) {
    return Status::InvalidArgument("--staging-table cannot be used with --update-key (as in Sqoop)", kSqoopUsageCode);
  }
  REFINERY_ASSIGN_OR_RETURN(const auto local_dir, context.files->Resolve(options.export_dir));
  REFINERY_ASSIGN_OR_RETURN(auto connection, data::Connect(spec));
  REFINERY_ASSIGN_OR_RETURN(std::vector<Column> target, TargetColumns(connection.get(), options));
  REFINERY_RETURN_IF_ERROR(CheckUpdateKey(options, target));
  REFINERY_ASSIGN_OR_RETURN(data::DatasetReader reader, OpenExportDirectory(local_dir.string(), options, target));
  Report(context, "Exporting " + std::to_string(reader.files().size()) + " file(s), " +
                      std::to_string(reader.total_bytes()) + " bytes, from " + options.export_dir + " into table " +
                      options.table + " in one transaction");

  const std::string table = options.staging_table.empty() ? options.table : options.staging_table;
  REFINERY_RETURN_IF_ERROR(connection->Execute(connection->dialect() == Dialect::kMysql ? "START TRANSACTION" : "BEGIN")
                               .status());
  ExportSink sink(&context, connection.get(), options, target, table);
  Status status = options.staging_table.empty() ? Status::Ok() : PrepareStagingTable(connection.get(), options);
  if (status.ok()) status = reader.ReadAll(&sink);
  if (status.ok()) status = sink.Flush();
  if (status.ok() && !options.staging_table.empty()) {
    const std::string staging = connection->QuoteIdentifier(options.staging_table);
    status = connection->Execute("INSERT INTO " + connection->QuoteIdentifier(options.table) + " SELECT * FROM " +
                                 staging)
                 .status();
    if (status.ok()) status = connection->Execute("DELETE FROM " + staging).status();
  }
  if (!status.ok()) {
    static_cast<void>(connection->Execute("ROLLBACK"));
    return status;
  }
  REFINERY_RETURN_IF_ERROR(connection->Execute("COMMIT").status());
  sink.ReportProgress();
  const ExportCounters& counters = sink.counters();
  Report(context, "Exported " + std::to_string(counters.rows) + " records in " +
                      std::to_string(static_cast<int64_t>(sink.Seconds() * 1000)) + " ms");
  Properties data;
  data.Set("rows", std::to_string(counters.rows));
  data.Set("bytes", std::to_string(reader.total_bytes()));
  data.Set("files", std::to_string(reader.files().size()));
  data.Set("seconds", std::to_string(sink.Seconds()));
  data.Set("table", options.table);
  return data;
}

}  // namespace refinery::actions::internal
