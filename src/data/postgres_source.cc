// PostgreSQL through libpq. Rows stream with COPY (query) TO STDOUT in text
// format — the server's fastest path — and are unescaped here; column types
// come from describing the query as an unnamed prepared statement.
#include <libpq-fe.h>

#include <cstdlib>
#include <cstring>

#include "data/sql_internal.h"

namespace refinery::data::internal {
namespace {

struct PgType {
  Oid oid;
  const char* name;
  ValueType type;
};

constexpr PgType kPgTypes[] = {
    {16, "bool", ValueType::kBoolean},           {17, "bytea", ValueType::kBinary},
    {18, "char", ValueType::kText},              {19, "name", ValueType::kText},
    {20, "int8", ValueType::kInteger},           {21, "int2", ValueType::kInteger},
    {23, "int4", ValueType::kInteger},           {25, "text", ValueType::kText},
    {26, "oid", ValueType::kInteger},            {114, "json", ValueType::kText},
    {700, "float4", ValueType::kFloat},          {701, "float8", ValueType::kFloat},
    {1042, "bpchar", ValueType::kText},          {1043, "varchar", ValueType::kText},
    {1082, "date", ValueType::kDate},            {1083, "time", ValueType::kTime},
    {1114, "timestamp", ValueType::kTimestamp},  {1184, "timestamptz", ValueType::kTimestamp},
    {1186, "interval", ValueType::kText},        {1266, "timetz", ValueType::kTime},
    {1700, "numeric", ValueType::kDecimal},      {2950, "uuid", ValueType::kText},
    {3802, "jsonb", ValueType::kText},
};

Column ColumnOf(const char* name, Oid oid) {
  Column column;
  column.name = name;
  for (const PgType& known : kPgTypes) {
    if (known.oid == oid) {
      column.source_type = known.name;
      column.type = known.type;
      return column;
    }
  }
  column.source_type = "oid:" + std::to_string(oid);
  column.type = ValueType::kText;
  return column;
}

struct ResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

// COPY text format: backslash escapes, \N is NULL.
void Unescape(std::string_view raw, std::string* out) {
  out->clear();
  for (size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (c != '\\' || i + 1 == raw.size()) {
      out->push_back(c);
      continue;
    }
    const char next = raw[++i];
    switch (next) {
      case 'n': out->push_back('\n'); break;
      case 't': out->push_back('\t'); break;
      case 'r': out->push_back('\r'); break;
      case 'b': out->push_back('\b'); break;
      case 'f': out->push_back('\f'); break;
      case 'v': out->push_back('\v'); break;
      default: out->push_back(next);
    }
  }
}

class PostgresConnection : public SqlConnection {
 public:
  PostgresConnection(PGconn* conn, std::string password) : conn_(conn), password_(std::move(password)) {}
  ~PostgresConnection() override { PQfinish(conn_); }
  Dialect dialect() const override { return Dialect::kPostgres; }

  Status Stream(const std::string& sql, const StreamOptions& options, RowSink* sink) override;
  Result<std::vector<Column>> Describe(const std::string& sql) override;
  Result<int64_t> Execute(const std::string& sql) override;
  Result<std::vector<std::string>> ListTables() override;
  Result<std::vector<std::string>> ListDatabases() override;
  Result<std::vector<std::string>> PrimaryKey(const std::string& table) override;

 private:
  Status ErrorOf(const PGresult* result, const std::string& sql) const;
  Status StreamCopy(const std::string& sql, const std::vector<Column>& columns, const StreamOptions& options,
                    RowSink* sink);
  Status Abandon(Status status);
  std::vector<std::string> FirstColumn(const std::string& sql, Status* status);

  PGconn* conn_;
  std::string password_;
};

Status PostgresConnection::ErrorOf(const PGresult* result, const std::string& sql) const {
  const char* state = result == nullptr ? nullptr : PQresultErrorField(result, PG_DIAG_SQLSTATE);
  const std::string sqlstate = state == nullptr ? "" : state;
  std::string message = result != nullptr ? PQresultErrorMessage(result) : PQerrorMessage(conn_);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  message = RedactSecret("Query [" + SqlForMessage(sql) + "] failed on PostgreSQL: " + message, password_);
  if (sqlstate == "42P01" || sqlstate == "42703" || sqlstate == "3F000") {
    return Status::NotFound(message, kUnknownNameCode);
  }
  if (sqlstate == "42501") return Status::FailedPrecondition(message + kPrivilegeHint, kQueryCode);
  return Status::InvalidArgument(message, kQueryCode);
}

Result<std::vector<Column>> PostgresConnection::Describe(const std::string& sql) {
  PgResult prepared(PQprepare(conn_, "", sql.c_str(), 0, nullptr));
  if (PQresultStatus(prepared.get()) != PGRES_COMMAND_OK) return ErrorOf(prepared.get(), sql);
  PgResult described(PQdescribePrepared(conn_, ""));
  if (PQresultStatus(described.get()) != PGRES_COMMAND_OK) return ErrorOf(described.get(), sql);
  std::vector<Column> columns;
  for (int i = 0; i < PQnfields(described.get()); ++i) {
    columns.push_back(ColumnOf(PQfname(described.get(), i), PQftype(described.get(), i)));
  }
  return columns;
}

Status PostgresConnection::Stream(const std::string& sql, const StreamOptions& options, RowSink* sink) {
  REFINERY_ASSIGN_OR_RETURN(std::vector<Column> columns, Describe(sql));
  REFINERY_RETURN_IF_ERROR(sink->OnColumns(columns));
  return StreamCopy(sql, columns, options, sink);
}

// Stops a COPY in progress: cancel on the server, then drain what is left so
// the connection could be reused.
Status PostgresConnection::Abandon(Status status) {
  PGcancel* cancel = PQgetCancel(conn_);
  if (cancel != nullptr) {
    char error[256];
    PQcancel(cancel, error, sizeof(error));
    PQfreeCancel(cancel);
  }
  char* buffer = nullptr;
  while (PQgetCopyData(conn_, &buffer, 0) > 0) PQfreemem(buffer);
  while (PGresult* rest = PQgetResult(conn_)) PQclear(rest);
  return status;
}

Status PostgresConnection::StreamCopy(const std::string& sql, const std::vector<Column>& columns,
                                      const StreamOptions& options, RowSink* sink) {
  const std::string copy = "COPY (" + sql + ") TO STDOUT";
  PgResult started(PQexec(conn_, copy.c_str()));
  if (PQresultStatus(started.get()) != PGRES_COPY_OUT) return ErrorOf(started.get(), sql);
  std::vector<Field> row(columns.size());
  std::vector<std::string> scratch(columns.size());
  int64_t count = 0;
  for (;;) {
    char* buffer = nullptr;
    const int length = PQgetCopyData(conn_, &buffer, 0);
    if (length < 0) break;
    std::unique_ptr<char, decltype(&PQfreemem)> owned(buffer, &PQfreemem);
    std::string_view line(buffer, static_cast<size_t>(length));
    if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
    size_t start = 0;
    for (size_t i = 0; i < columns.size(); ++i) {
      size_t end = line.find('\t', start);
      if (end == std::string_view::npos) end = line.size();
      const std::string_view raw = line.substr(start, end - start);
      start = end + 1;
      Field& field = row[i];
      field.is_null = raw == "\\N";
      if (field.is_null) continue;
      field.text = raw;
      if (raw.find('\\') != std::string_view::npos) {
        Unescape(raw, &scratch[i]);
        field.text = scratch[i];
      }
      if (columns[i].type == ValueType::kBoolean) {
        field.text = field.text == "t" ? "true" : "false";
      } else if (columns[i].type == ValueType::kBinary && field.text.rfind("\\x", 0) == 0) {
        field.text.remove_prefix(2);
      }
    }
    Status status = sink->OnRow(row);
    if (!status.ok()) return Abandon(status);
    if (++count % kCancelPollRows == 0 && options.cancelled && options.cancelled()) {
      return Abandon(Status::Cancelled("the import was cancelled"));
    }
  }
  Status status;
  while (PGresult* rest = PQgetResult(conn_)) {
    PgResult owned(rest);
    if (status.ok() && PQresultStatus(rest) != PGRES_COMMAND_OK) status = ErrorOf(rest, sql);
  }
  return status;
}

Result<int64_t> PostgresConnection::Execute(const std::string& sql) {
  PgResult result(PQexec(conn_, sql.c_str()));
  const ExecStatusType state = PQresultStatus(result.get());
  if (state != PGRES_COMMAND_OK && state != PGRES_TUPLES_OK) return ErrorOf(result.get(), sql);
  return static_cast<int64_t>(std::atoll(PQcmdTuples(result.get())));
}

std::vector<std::string> PostgresConnection::FirstColumn(const std::string& sql, Status* status) {
  std::vector<std::string> names;
  auto rows = QueryAll(this, sql);
  if (!rows.ok()) {
    *status = rows.status();
    return names;
  }
  for (const auto& row : *rows) names.push_back(row.empty() ? "" : row[0].value_or(""));
  return names;
}

Result<std::vector<std::string>> PostgresConnection::ListTables() {
  Status status;
  auto names = FirstColumn(
      "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1",
      &status);
  if (!status.ok()) return status;
  return names;
}

Result<std::vector<std::string>> PostgresConnection::ListDatabases() {
  Status status;
  auto names = FirstColumn("SELECT datname::text FROM pg_database WHERE NOT datistemplate ORDER BY 1", &status);
  if (!status.ok()) return status;
  return names;
}

Result<std::vector<std::string>> PostgresConnection::PrimaryKey(const std::string& table) {
  Status status;
  auto names = FirstColumn(
      "SELECT a.attname::text FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = "
      "ANY(i.indkey) WHERE i.indrelid = to_regclass(" +
          QuoteLiteral(QuoteIdentifier(table)) + ") AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)",
      &status);
  if (!status.ok()) return status;
  return names;
}

struct Keywords {
  std::vector<std::string> keys, values;
  void Add(std::string key, std::string value) {
    keys.push_back(std::move(key));
    values.push_back(std::move(value));
  }
};

Keywords KeywordsOf(const JdbcUrl& url, const ConnectionSpec& spec, const std::string& database) {
  Keywords k;
  // A "host" parameter may name a unix-socket directory.
  const auto host = url.parameters.find("host");
  k.Add("host", host != url.parameters.end() ? host->second : url.host);
  if (url.port != 0) k.Add("port", std::to_string(url.port));
  k.Add("dbname", database);
  if (!spec.username.empty()) k.Add("user", spec.username);
  if (!spec.password.empty()) k.Add("password", spec.password);
  std::string timeout = std::to_string(spec.connect_timeout_seconds);
  if (auto it = url.parameters.find("connectTimeout"); it != url.parameters.end()) timeout = it->second;
  k.Add("connect_timeout", timeout);
  if (auto it = url.parameters.find("sslmode"); it != url.parameters.end()) {
    k.Add("sslmode", it->second);
  } else if (auto ssl = url.parameters.find("ssl"); ssl != url.parameters.end() && ssl->second == "true") {
    k.Add("sslmode", "require");
  }
  if (auto it = url.parameters.find("ApplicationName"); it != url.parameters.end()) k.Add("application_name", it->second);
  k.Add("client_encoding", "UTF8");
  // ISO dates and shortest exact floats, whatever the server's defaults.
  k.Add("options", "-c DateStyle=ISO -c extra_float_digits=1");
  return k;
}

PGconn* Open(const Keywords& k) {
  std::vector<const char*> keys, values;
  for (size_t i = 0; i < k.keys.size(); ++i) {
    keys.push_back(k.keys[i].c_str());
    values.push_back(k.values[i].c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  return PQconnectdbParams(keys.data(), values.data(), 0);
}

// Names of the databases, through the maintenance database, for an error.
std::string DatabasesHint(const JdbcUrl& url, const ConnectionSpec& spec) {
  PGconn* conn = Open(KeywordsOf(url, spec, "postgres"));
  if (PQstatus(conn) != CONNECTION_OK) {
    PQfinish(conn);
    return "";
  }
  PostgresConnection connection(conn, spec.password);
  auto names = connection.ListDatabases();
  if (!names.ok()) return "";
  std::string list;
  for (const std::string& name : *names) list += (list.empty() ? "" : ", ") + name;
  return "; databases on the server: " + list;
}

Status ConnectError(const JdbcUrl& url, const ConnectionSpec& spec, std::string message) {
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  const std::string where = "PostgreSQL at " + url.host + ":" + std::to_string(url.port == 0 ? 5432 : url.port);
  message = RedactSecret(message, spec.password);
  if (message.find("authentication failed") != std::string::npos ||
      message.find("no password supplied") != std::string::npos) {
    return Status::FailedPrecondition("Authentication failed for user \"" + spec.username + "\" on " + where +
                                          ": check --username and --password-file: " + message,
                                      kAuthCode);
  }
  if (message.find("database \"") != std::string::npos && message.find("does not exist") != std::string::npos) {
    return Status::NotFound("Unknown database \"" + url.database + "\" on " + where + DatabasesHint(url, spec),
                            kUnknownNameCode);
  }
  return Status::IoError("Could not connect to " + where + ": " + message, kConnectCode);
}

}  // namespace

Result<std::unique_ptr<SqlConnection>> ConnectPostgres(const JdbcUrl& url, const ConnectionSpec& spec) {
  PGconn* conn = Open(KeywordsOf(url, spec, url.database));
  if (conn == nullptr) return Status::IoError("libpq could not allocate a connection", kConnectCode);
  if (PQstatus(conn) != CONNECTION_OK) {
    Status status = ConnectError(url, spec, PQerrorMessage(conn));
    PQfinish(conn);
    return status;
  }
  return std::unique_ptr<SqlConnection>(std::make_unique<PostgresConnection>(conn, spec.password));
}

}  // namespace refinery::data::internal

// The plugin's entry point (see core/plugin.h): data::Connect looks it up by
// name, so the client library is loaded only when a connection is made.
extern "C" void refinery_connect_postgres(const refinery::data::JdbcUrl* url, const refinery::data::ConnectionSpec* spec,
                                  refinery::Result<std::unique_ptr<refinery::data::SqlConnection>>* out) {
  *out = refinery::data::internal::ConnectPostgres(*url, *spec);
}
