#include "actions/sqoop_import.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <thread>

#include "actions/action_util.h"
#include "core/time_format.h"
#include "data/dataset.h"
#include "data/delimited_writer.h"

namespace refinery::actions::internal {
namespace {

namespace stdfs = std::filesystem;
using data::Column;
using data::Field;
using data::SqlConnection;
using data::ValueType;

constexpr int64_t kProgressRows = 100000;
constexpr char kSchemaFile[] = "_schema.properties";

std::string Join(const std::vector<std::string>& items, const std::string& separator) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

// ---- The query each split runs ----

// Builds "SELECT ... WHERE <condition>" for the table or the free-form query.
class QueryShape {
 public:
  QueryShape(const SqoopOptions& options, SqlConnection* connection) : options_(options), connection_(connection) {}

  void set_select_list(std::string list) { select_list_ = std::move(list); }
  void add_filter(std::string filter) { filters_.push_back(std::move(filter)); }

  std::string With(const std::string& condition) const {
    std::vector<std::string> parts = filters_;
    parts.push_back(condition);
    std::string all;
    for (const std::string& part : parts) all += (all.empty() ? "(" : " AND (") + part + ")";
    if (options_.query.empty()) {
      return "SELECT " + select_list_ + " FROM " + connection_->QuoteIdentifier(options_.table) + " WHERE " + all;
    }
    std::string sql = options_.query;
    const std::string token = "$CONDITIONS";
    for (size_t pos = sql.find(token); pos != std::string::npos; pos = sql.find(token, pos + all.size())) {
      sql.replace(pos, token.size(), all);
    }
    return sql;
  }

  // The rows of the import as a derived table, for MIN/MAX/COUNT.
  std::string AsDerivedTable() const { return "(" + With("1=1") + ") AS refinery_split_source"; }

 private:
  const SqoopOptions& options_;
  SqlConnection* connection_;
  std::string select_list_ = "*";
  std::vector<std::string> filters_;
};

// ---- Splitters ----

bool ParseInt64(const std::string& text, int64_t* value) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *value);
  return ec == std::errc() && end == text.data() + text.size();
}

bool ParseLongDouble(const std::string& text, long double* value) {
  char* end = nullptr;
  *value = std::strtold(text.c_str(), &end);
  return end != nullptr && *end == '\0' && !text.empty() && std::isfinite(*value);
}

std::vector<std::string> IntegerBoundaries(int64_t low, int64_t high, int splits) {
  std::vector<std::string> out;
  const __int128 span = static_cast<__int128>(high) - low + 1;
  for (int i = 1; i < splits; ++i) {
    const __int128 boundary = low + span * i / splits;
    if (boundary <= low || boundary > high) continue;
    const std::string text = std::to_string(static_cast<int64_t>(boundary));
    if (out.empty() || out.back() != text) out.push_back(text);
  }
  return out;
}

std::vector<std::string> DecimalBoundaries(long double low, long double high, int splits) {
  std::vector<std::string> out;
  for (int i = 1; i < splits; ++i) {
    const long double boundary = low + (high - low) * i / splits;
    if (boundary <= low || boundary > high) continue;
    char buffer[64];
    std::snprintf(buffer, sizeof(buffer), "%.21Lg", boundary);
    if (out.empty() || out.back() != buffer) out.push_back(buffer);
  }
  return out;
}

// "YYYY-MM-DD", "YYYY-MM-DD HH:MM:SS[.f]" or "HH:MM:SS[.f]" into seconds.
bool ParseMoment(const std::string& text, ValueType type, long double* seconds) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0;
  double second = 0;
  if (type == ValueType::kTime) {
    if (std::sscanf(text.c_str(), "%d:%d:%lf", &hour, &minute, &second) != 3) return false;
    *seconds = hour * 3600.0L + minute * 60.0L + second;
    return true;
  }
  const int fields = std::sscanf(text.c_str(), "%d-%d-%d%*c%d:%d:%lf", &year, &month, &day, &hour, &minute, &second);
  if (fields < 3 || month < 1 || month > 12 || day < 1 || day > 31) return false;
  *seconds = DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * 86400.0L +
             hour * 3600.0L + minute * 60.0L + second;
  return true;
}

std::string FormatMoment(long double seconds, ValueType type) {
  const long double whole = std::floor(seconds);
  const int64_t micros = static_cast<int64_t>(std::llround((seconds - whole) * 1e6L));
  const int64_t total = static_cast<int64_t>(whole);
  const int64_t days = (total >= 0 ? total : total - 86399) / 86400;
  const int64_t of_day = total - days * 86400;
  char clock[32];
  std::snprintf(clock, sizeof(clock), "%02d:%02d:%02d.%06d", static_cast<int>(of_day / 3600),
                static_cast<int>(of_day / 60 % 60), static_cast<int>(of_day % 60), static_cast<int>(micros % 1000000));
  if (type == ValueType::kTime) return clock;
  int64_t y = 0;
  unsigned m = 0, d = 0;
  CivilFromDays(days, &y, &m, &d);
  char date[32];
  std::snprintf(date, sizeof(date), "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
  if (type == ValueType::kDate) return date;
  return std::string(date) + " " + clock;
}

std::vector<std::string> MomentBoundaries(long double low, long double high, int splits, ValueType type) {
  std::vector<std::string> out;
  for (int i = 1; i < splits; ++i) {
    const long double boundary = low + (high - low) * i / splits;
    const std::string text = FormatMoment(boundary, type);
    if (boundary <= low || (!out.empty() && out.back() == text)) continue;
    out.push_back(text);
  }
  return out;
}

struct SplitColumn {
  std::string name;
  Column column;
};

Result<std::vector<std::optional<std::string>>> OneRow(SqlConnection* connection, const std::string& sql) {
  REFINERY_ASSIGN_OR_RETURN(auto rows, data::QueryAll(connection, sql));
  if (rows.empty()) return std::vector<std::optional<std::string>>();
  return rows[0];
}

// Text (and anything without arithmetic): boundaries are the values at even
// offsets in the database's own order, so they are monotonic in its collation.
Result<std::vector<std::string>> QuantileBoundaries(SqlConnection* connection, const QueryShape& shape,
                                                    const std::string& quoted, int splits) {
  REFINERY_ASSIGN_OR_RETURN(auto count_row, OneRow(connection, "SELECT COUNT(" + quoted + ") FROM " +
                                                                   shape.AsDerivedTable()));
  int64_t count = 0;
  if (count_row.empty() || !count_row[0] || !ParseInt64(*count_row[0], &count) || count == 0) {
    return std::vector<std::string>();
  }
  std::vector<std::string> out;
  for (int i = 1; i < splits; ++i) {
    const int64_t offset = count * i / splits;
    if (offset == 0) continue;
    REFINERY_ASSIGN_OR_RETURN(auto row, OneRow(connection, "SELECT " + quoted + " FROM " + shape.AsDerivedTable() +
                                                               " WHERE " + quoted + " IS NOT NULL ORDER BY " +
                                                               quoted + " LIMIT 1 OFFSET " + std::to_string(offset)));
    if (row.empty() || !row[0]) continue;
    const std::string literal = connection->QuoteLiteral(*row[0]);
    if (out.empty() || out.back() != literal) out.push_back(literal);
  }
  return out;
}

Result<std::vector<std::string>> Boundaries(SqlConnection* connection, const SqoopOptions& options,
                                            const QueryShape& shape, const SplitColumn& split, int splits) {
  const std::string quoted = connection->QuoteIdentifier(split.name);
  const ValueType type = split.column.type;
  // Text has no arithmetic: its boundaries come from the data (a
  // --boundary-query is not needed and not used).
  if (type == ValueType::kText || type == ValueType::kBoolean || type == ValueType::kBinary) {
    return QuantileBoundaries(connection, shape, quoted, splits);
  }
  const std::string bounds_sql = options.boundary_query.empty()
                                     ? "SELECT MIN(" + quoted + "), MAX(" + quoted + ") FROM " + shape.AsDerivedTable()
                                     : options.boundary_query;
  REFINERY_ASSIGN_OR_RETURN(auto row, OneRow(connection, bounds_sql));
  if (row.size() < 2) {
    return Status::InvalidArgument("The boundary query [" + bounds_sql + "] must return one row of two columns "
                                   "(the lowest and highest value of " + split.name + ")",
                                   kSqoopUsageCode);
  }
  if (!row[0] || !row[1]) return std::vector<std::string>();  // no rows, or only NULLs
  const std::string bad = "Cannot split on column \"" + split.name + "\" (" + split.column.source_type +
                          "): its bounds [" + *row[0] + ", " + *row[1] + "] are not ";
  if (type == ValueType::kInteger) {
    int64_t low = 0, high = 0;
    if (!ParseInt64(*row[0], &low) || !ParseInt64(*row[1], &high)) return Status::InvalidArgument(bad + "integers", kSqoopSplitByCode);
    return IntegerBoundaries(low, high, splits);
  }
  if (type == ValueType::kDecimal || type == ValueType::kFloat) {
    long double low = 0, high = 0;
    if (!ParseLongDouble(*row[0], &low) || !ParseLongDouble(*row[1], &high)) {
      return Status::InvalidArgument(bad + "numbers", kSqoopSplitByCode);
    }
    return DecimalBoundaries(low, high, splits);
  }
  long double low = 0, high = 0;
  if (!ParseMoment(*row[0], type, &low) || !ParseMoment(*row[1], type, &high)) {
    return Status::InvalidArgument(bad + "dates or times", kSqoopSplitByCode);
  }
  std::vector<std::string> texts = MomentBoundaries(low, high, splits, type);
  for (std::string& text : texts) text = connection->QuoteLiteral(text);
  return texts;
}

// ---- One split: a connection, a query, a part file ----

struct SplitReport {
  std::mutex mu;
  ActionContext* context = nullptr;
  void Progress(int split, int64_t rows, double seconds) {
    std::lock_guard<std::mutex> lock(mu);
    if (context->reporter == nullptr) return;
    const int64_t rate = seconds > 0 ? static_cast<int64_t>(rows / seconds) : rows;
    context->reporter->Progress(-1, "split " + std::to_string(split) + ": " + std::to_string(rows) + " rows, " +
                                        std::to_string(rate) + " rows/s");
  }
};

class SplitSink : public data::RowSink {
 public:
  SplitSink(const data::DelimitedFormat& format, std::string path, int split, SplitReport* report)
      : format_(format), path_(std::move(path)), split_(split), report_(report),
        start_(std::chrono::steady_clock::now()) {}

  Status OnColumns(const std::vector<Column>& columns) override {
    writer_ = std::make_unique<data::DelimitedWriter>(format_, columns);
    return writer_->Open(path_);
  }
  Status OnRow(const std::vector<Field>& row) override {
    ++rows_;
    REFINERY_RETURN_IF_ERROR(writer_->Write(row, rows_));
    if (rows_ % kProgressRows == 0) report_->Progress(split_, rows_, Elapsed());
    return Status::Ok();
  }
  Status Finish() {
    if (writer_ == nullptr) return Status::Internal("split " + std::to_string(split_) + " received no columns");
    REFINERY_RETURN_IF_ERROR(writer_->Close());
    report_->Progress(split_, rows_, Elapsed());
    return Status::Ok();
  }
  int64_t rows() const { return rows_; }
  int64_t bytes() const { return writer_ == nullptr ? 0 : writer_->bytes(); }

 private:
  double Elapsed() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }
  data::DelimitedFormat format_;
  std::string path_;
  int split_;
  SplitReport* report_;
  std::chrono::steady_clock::time_point start_;
  std::unique_ptr<data::DelimitedWriter> writer_;
  int64_t rows_ = 0;
};

struct SplitResult {
  Status status;
  int64_t rows = 0;
  int64_t bytes = 0;
};

std::string PartName(int index) {
  char name[32];
  std::snprintf(name, sizeof(name), "part-m-%05d", index);
  return name;
}

SplitResult RunSplit(std::unique_ptr<SqlConnection> connection, const data::ConnectionSpec& spec,
                     const std::string& sql, const SqoopOptions& options, const stdfs::path& path, int split,
                     SplitReport* report, const Cancellation* cancel) {
  SplitResult result;
  if (connection == nullptr) {
    auto opened = data::Connect(spec);
    if (!opened.ok()) {
      result.status = opened.status();
      return result;
    }
    connection = std::move(opened).value();
  }
  SplitSink sink(options.format, path.string(), split, report);
  data::StreamOptions stream;
  stream.fetch_size = options.fetch_size;
  stream.cancelled = [cancel] { return cancel != nullptr && cancel->cancelled(); };
  result.status = connection->Stream(sql, stream, &sink);
  if (result.status.ok()) result.status = sink.Finish();
  result.rows = sink.rows();
  result.bytes = sink.bytes();
  return result;
}

// ---- Checks that name what exists ----

Status CheckTable(SqlConnection* connection, const std::string& table) {
  REFINERY_ASSIGN_OR_RETURN(std::vector<std::string> tables, connection->ListTables());
  if (std::find(tables.begin(), tables.end(), table) != tables.end()) return Status::Ok();
  return Status::NotFound("Unknown table \"" + table + "\"; tables in the database: " +
                              (tables.empty() ? std::string("(none)") : Join(tables, ", ")),
                          data::kUnknownNameCode);
}

Status CheckColumns(const std::vector<Column>& available, const std::vector<std::string>& wanted,
                    const std::string& what) {
  std::vector<std::string> names;
  for (const Column& column : available) names.push_back(column.name);
  for (const std::string& name : wanted) {
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      return Status::NotFound("Unknown column \"" + name + "\" (" + what + "); columns: " + Join(names, ", "),
                              data::kUnknownNameCode);
    }
  }
  return Status::Ok();
}

const Column* FindColumn(const std::vector<Column>& columns, const std::string& name) {
  for (const Column& column : columns) {
    if (column.name == name) return &column;
  }
  return nullptr;
}

// ---- Incremental imports ----

bool IsNumericLiteral(const std::string& text) {
  long double value = 0;
  return ParseLongDouble(text, &value);
}

Result<std::string> Literal(SqlConnection* connection, const Column& column, const std::string& value) {
  if (column.type == ValueType::kInteger || column.type == ValueType::kDecimal || column.type == ValueType::kFloat) {
    if (!IsNumericLiteral(value)) {
      return Status::InvalidArgument("The last value [" + value + "] of numeric check column \"" + column.name +
                                         "\" is not a number",
                                     kSqoopUsageCode);
    }
    return value;
  }
  return connection->QuoteLiteral(value);
}

std::string CurrentTimeSql(data::Dialect dialect) {
  switch (dialect) {
    case data::Dialect::kSqlite: return "SELECT datetime('now')";
    case data::Dialect::kPostgres: return "SELECT LOCALTIMESTAMP";
    case data::Dialect::kMysql: return "SELECT CURRENT_TIMESTAMP(6)";
  }
  return "SELECT CURRENT_TIMESTAMP";
}

// Adds the incremental range to `shape`; sets the new high-water mark in
// `outcome`. Sets nothing_new when the source has no rows past the mark.
Status ApplyIncremental(SqlConnection* connection, const SqoopOptions& options, const ImportPlan& plan,
                        const std::vector<Column>& columns, QueryShape* shape, ImportOutcome* outcome) {
  const Column* check = FindColumn(columns, options.check_column);
  if (check == nullptr) return CheckColumns(columns, {options.check_column}, "--check-column");
  const std::string quoted = connection->QuoteIdentifier(options.check_column);
  const bool has_last = plan.has_stored_last_value || options.has_last_value;
  const std::string last = plan.has_stored_last_value ? plan.stored_last_value : options.last_value;
  const bool append = options.incremental == IncrementalMode::kAppend;
  if (has_last) {
    REFINERY_ASSIGN_OR_RETURN(const std::string last_literal, Literal(connection, *check, last));
    shape->add_filter(quoted + (append ? " > " : " >= ") + last_literal);
  }
  // append: the highest value past the mark (NULL = nothing new);
  // lastmodified: the database's clock, so rows changed later wait for the next run.
  const std::string upper_sql = append ? "SELECT MAX(" + quoted + ") FROM " + shape->AsDerivedTable()
                                       : CurrentTimeSql(connection->dialect());
  REFINERY_ASSIGN_OR_RETURN(auto row, OneRow(connection, upper_sql));
  if (row.empty() || !row[0]) {
    outcome->nothing_new = true;
    outcome->last_value = last;
    return Status::Ok();
  }
  const std::string upper = *row[0];
  REFINERY_ASSIGN_OR_RETURN(const std::string upper_literal, Literal(connection, *check, upper));
  shape->add_filter(quoted + (append ? " <= " : " < ") + upper_literal);
  outcome->last_value = upper;
  return Status::Ok();
}

// ---- Planning ----

Result<SplitColumn> ChooseSplitColumn(SqlConnection* connection, const SqoopOptions& options,
                                      const std::vector<Column>& columns) {
  SplitColumn split;
  split.name = options.split_by;
  if (split.name.empty()) {
    REFINERY_ASSIGN_OR_RETURN(std::vector<std::string> key, connection->PrimaryKey(options.table));
    if (key.size() != 1) {
      return Status::InvalidArgument(
          "No primary key could be found for table " + options.table +
              ". Please specify one with --split-by or perform a sequential import with '-m 1'.",
          kSqoopSplitByCode);
    }
    split.name = key[0];
  }
  const Column* column = FindColumn(columns, split.name);
  if (column == nullptr) return CheckColumns(columns, {split.name}, "--split-by");
  split.column = *column;
  return split;
}

// Every column of the source (the check and split columns may lie outside
// --columns).
std::string SourceColumnsSql(SqlConnection* connection, const SqoopOptions& options, const QueryShape& shape) {
  if (options.table.empty()) return shape.With("1=0");
  return "SELECT * FROM " + connection->QuoteIdentifier(options.table) + " WHERE 1=0";
}

struct Plan {
  std::vector<Column> columns;
  std::vector<std::string> queries;  // one per split
};

Result<Plan> PlanImport(SqlConnection* connection, const SqoopOptions& options, const ImportPlan& plan,
                        ImportOutcome* outcome) {
  QueryShape shape(options, connection);
  if (!options.table.empty()) {
    REFINERY_RETURN_IF_ERROR(CheckTable(connection, options.table));
    REFINERY_ASSIGN_OR_RETURN(auto table_columns, connection->Describe(shape.With("1=0")));
    REFINERY_RETURN_IF_ERROR(CheckColumns(table_columns, options.columns, "--columns"));
    if (!options.columns.empty()) {
      std::vector<std::string> quoted;
      for (const std::string& name : options.columns) quoted.push_back(connection->QuoteIdentifier(name));
      shape.set_select_list(Join(quoted, ", "));
    }
    if (!options.where.empty()) shape.add_filter(options.where);
  }
  Plan out;
  REFINERY_ASSIGN_OR_RETURN(out.columns, connection->Describe(shape.With("1=0")));
  if (options.incremental != IncrementalMode::kNone) {
    // The check column may be outside --columns: look it up in the source.
    REFINERY_ASSIGN_OR_RETURN(auto all, connection->Describe(SourceColumnsSql(connection, options, shape)));
    REFINERY_RETURN_IF_ERROR(ApplyIncremental(connection, options, plan, all, &shape, outcome));
    if (outcome->nothing_new) return out;
  }
  std::vector<std::string> conditions = {"1=1"};
  if (options.num_mappers > 1) {
    REFINERY_ASSIGN_OR_RETURN(auto all, connection->Describe(SourceColumnsSql(connection, options, shape)));
    auto split = ChooseSplitColumn(connection, options, all);
    // --autoreset-to-one-mapper: a table without a key is read in one split.
    const bool reset = !split.ok() && options.autoreset_to_one_mapper &&
                       split.status().error_code() == kSqoopSplitByCode;
    if (!split.ok() && !reset) return split.status();
    if (!reset) {
      REFINERY_ASSIGN_OR_RETURN(auto boundaries, Boundaries(connection, options, shape, *split, options.num_mappers));
      conditions = SplitConditions(connection->QuoteIdentifier(split->name), boundaries);
    }
  }
  for (const std::string& condition : conditions) out.queries.push_back(shape.With(condition));
  return out;
}

// ---- Publishing ----

std::string SchemaText(const SqoopOptions& options, const std::vector<Column>& columns, int64_t rows, int splits) {
  data::DatasetSchema schema;
  schema.columns = columns;
  schema.format = options.format;
  schema.rows = rows;
  const auto url = data::ParseJdbcUrl(options.connect);
  const std::string dialect = data::DialectName(url.ok() ? url->dialect : data::Dialect::kSqlite);
  return data::FormatDatasetSchema(schema, dialect, options.table, options.query, splits);
}

Status WriteLocal(const stdfs::path& path, const std::string& text) {
  FILE* out = std::fopen(path.c_str(), "wbe");
  if (out == nullptr) return Status::IoError("Could not write \"" + path.string() + "\"", kSqoopIoCode);
  const bool written = std::fwrite(text.data(), 1, text.size(), out) == text.size();
  if (std::fclose(out) != 0 || !written) return Status::IoError("Could not write \"" + path.string() + "\"", kSqoopIoCode);
  return Status::Ok();
}

int NextPartNumber(const stdfs::path& dir) {
  int next = 0;
  std::error_code ec;
  for (auto it = stdfs::directory_iterator(dir, ec); !ec && it != stdfs::directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    int number = 0;
    if (name.rfind("part-m-", 0) == 0 && std::sscanf(name.c_str() + 7, "%d", &number) == 1) {
      next = std::max(next, number + 1);
    }
  }
  return next;
}

// Appending: each new part file is renamed into the existing directory under
// the next free number (one atomic rename per file), then the sidecar.
Status AppendInto(const stdfs::path& staging, const stdfs::path& target, int splits, const std::string& schema) {
  int next = NextPartNumber(target);
  for (int i = 0; i < splits; ++i) {
    std::error_code ec;
    stdfs::rename(staging / PartName(i), target / PartName(next++), ec);
    if (ec) return Status::IoError("Could not move a part file into \"" + target.string() + "\": " + ec.message(), kSqoopIoCode);
  }
  return WriteLocal(target / kSchemaFile, schema);
}

Result<int64_t> PreviousRows(const stdfs::path& target) {
  std::FILE* in = std::fopen((target / kSchemaFile).c_str(), "rb");
  if (in == nullptr) return int64_t{0};
  std::string text;
  char buffer[4096];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof(buffer), in)) > 0) text.append(buffer, n);
  std::fclose(in);
  auto parsed = ParseJavaProperties(text, kSchemaFile);
  int64_t rows = 0;
  if (parsed.ok()) ParseInt64(parsed->GetOr("rows", "0"), &rows);
  return rows;
}

}  // namespace

std::vector<std::string> SplitConditions(const std::string& quoted_column, const std::vector<std::string>& boundaries) {
  if (boundaries.empty()) return {"1=1"};
  std::vector<std::string> conditions;
  conditions.push_back(quoted_column + " < " + boundaries.front() + " OR " + quoted_column + " IS NULL");
  for (size_t i = 0; i + 1 < boundaries.size(); ++i) {
    conditions.push_back(quoted_column + " >= " + boundaries[i] + " AND " + quoted_column + " < " + boundaries[i + 1]);
  }
  conditions.push_back(quoted_column + " >= " + boundaries.back());
  return conditions;
}

Result<ImportOutcome> RunImport(ActionContext& context, const SqoopOptions& options,
                                const data::ConnectionSpec& connection_spec, const ImportPlan& plan) {
  const auto started = std::chrono::steady_clock::now();
  ImportOutcome outcome;
  REFINERY_ASSIGN_OR_RETURN(std::unique_ptr<SqlConnection> connection, data::Connect(connection_spec));
  REFINERY_ASSIGN_OR_RETURN(Plan import_plan, PlanImport(connection.get(), options, plan, &outcome));
  if (outcome.nothing_new) return outcome;

  REFINERY_ASSIGN_OR_RETURN(const stdfs::path target, context.files->Resolve(plan.target_uri, true));
  const bool appending = options.append || options.incremental != IncrementalMode::kNone;
  std::error_code ec;
  const bool target_exists = stdfs::exists(target, ec);
  if (target_exists && !appending && !options.delete_target_dir) {
    return Status::AlreadyExists("Output directory " + plan.target_uri +
                                     " already exists; add --delete-target-dir (or a <prepare><delete>) to replace "
                                     "it, or --append to add to it",
                                 kSqoopTargetCode);
  }
  REFINERY_ASSIGN_OR_RETURN(fs::AtomicDirectory staging, fs::AtomicDirectory::Begin(context.files, plan.target_uri));

  const int splits = static_cast<int>(import_plan.queries.size());
  Report(context, "Importing with " + std::to_string(splits) + " split(s)");
  for (int i = 0; i < splits && options.verbose; ++i) Report(context, "split " + std::to_string(i) + ": " + import_plan.queries[i]);
  SplitReport report;
  report.context = &context;
  std::vector<SplitResult> results(static_cast<size_t>(splits));
  std::vector<std::thread> threads;
  const Cancellation* cancel = &CancellationOf(context);
  for (int i = 0; i < splits; ++i) {
    std::unique_ptr<SqlConnection> reuse = i == 0 ? std::move(connection) : nullptr;
    threads.emplace_back([&, i, reuse = std::move(reuse)]() mutable {
      results[static_cast<size_t>(i)] = RunSplit(std::move(reuse), connection_spec, import_plan.queries[static_cast<size_t>(i)],
                                                 options, staging.staging_path() / PartName(i), i, &report, cancel);
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const SplitResult& result : results) {
    if (!result.status.ok()) return result.status;
    outcome.rows += result.rows;
    outcome.bytes += result.bytes;
  }
  outcome.splits = splits;
  if (cancel->cancelled()) return Status::Cancelled("the import was cancelled");

  if (appending && target_exists) {
    REFINERY_ASSIGN_OR_RETURN(const int64_t previous, PreviousRows(target));
    REFINERY_RETURN_IF_ERROR(AppendInto(staging.staging_path(), target, splits,
                                        SchemaText(options, import_plan.columns, previous + outcome.rows, splits)));
  } else {
    REFINERY_RETURN_IF_ERROR(
        WriteLocal(staging.staging_path() / kSchemaFile, SchemaText(options, import_plan.columns, outcome.rows, splits)));
    REFINERY_RETURN_IF_ERROR(staging.Commit(true));
  }
  outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return outcome;
}

}  // namespace refinery::actions::internal
